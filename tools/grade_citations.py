"""Give every ungraded citation in events/ a credibility grade (1-6) with its reason.

The grades follow one rule, so that a reader can check them and an analyst can overrule any
one of them in the event's file (a citation that has a grade is never changed here):

- 1, confirmed: the event is also cited from a source of another lineage (one that neither
  repeats this source nor is repeated by it, see ``derived_from``);
- otherwise, from what the curator recorded: a disputed event is 4 (doubtful); a confidence of
  0.8 or more is 2 (probably true), 0.6 or more is 3 (possibly true), below that 4;
- a link's citation is 3: a causal reading is the source's interpretation of two dated events.

Run it after a review has added events: ``.venv/bin/python tools/grade_citations.py [events]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from eventlog._files.folder import load_dataset, write_dataset
from eventlog._models import Citation, Event
from eventlog._reporting import lineage


def graded(ev: Event, roots: dict[str, str]) -> Event:
    """The event with each ungraded citation graded by the rule above."""
    cited = {roots.get(c.source, c.source) for c in ev.sources}
    out: list[Citation] = []
    for c in ev.sources:
        if c.credibility is not None:
            out.append(c)
            continue
        others = sorted({o.source for o in ev.sources if roots.get(o.source, o.source) != roots.get(c.source, c.source)})
        if len(cited) > 1:
            grade, why = 1, f"Confirmed: {', '.join(others)} also reports it, independently of this source."
        elif ev.status == "disputed":
            grade, why = 4, "Doubtful: the record marks it disputed and no independent source confirms it."
        elif ev.confidence >= 0.8:
            grade, why = 2, "Probably true: stated as fact by this source alone, and nothing in the dataset contradicts it."
        elif ev.confidence >= 0.6:
            grade, why = 3, f"Possibly true: this source alone, read with some hedging (confidence {ev.confidence:g})."
        else:
            grade, why = 4, f"Doubtful: this source alone, and only loosely (confidence {ev.confidence:g}); wants confirming."
        out.append(c.model_copy(update={"credibility": grade, "credibility_note": why}))
    return Event.model_validate({**ev.model_dump(exclude_defaults=True), "sources": [c.model_dump(exclude_defaults=True) for c in out]})


def main(events_dir: str = "events") -> None:
    ds = load_dataset(events_dir)
    roots = lineage(ds.sources)
    ds.events = {k: graded(ev, roots) for k, ev in ds.events.items()}
    link_why = "Possibly true: a causal reading this source offers; the two events it joins are dated elsewhere."
    ds.links = {k: lk.model_copy(update={"sources": [
        c if c.credibility is not None else c.model_copy(update={"credibility": 3, "credibility_note": link_why})
        for c in lk.sources]}) for k, lk in ds.links.items()}
    counts = write_dataset(ds, Path(events_dir), remove=set())
    print(f"graded citations in {events_dir}: {counts['written']} file(s) written")


if __name__ == "__main__":
    main(*sys.argv[1:])
