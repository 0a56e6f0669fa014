"""The reporting clock, grades and ACH, side by side with what they add to a plain query.

    .venv/bin/python bench/bench_reporting.py [--events 100000]

On one synthetic store (every event one version, one to three sources each, some sources
derived from others, every citation graded) it times, median of 7:

- the plain query (the columns without the reporting ones) against the same with
  ``first_reported`` and ``n_independent_sources``, with ``known_by``, with ``grades`` and
  with ``min_reliability`` + ``min_credibility``: the ratio is what the reporting clock costs;
- a raw DuckDB statement selecting the same base columns from the live rows: the floor;
- ``query(limit=2001)`` with every default column (what the Explorer reads first): the
  reporting columns are computed for the rows the limit keeps only;
- ``hypotheses()``, ``ach()`` and ``ach_history()`` with 3 hypotheses x 300 rated events over
  30 changesets.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_store import timed  # noqa: E402
from bench.synthetic import Synthetic  # noqa: E402

import eventlog  # noqa: E402
from eventlog._store.query import DEFAULT_COLUMNS  # noqa: E402

BASE = [c for c in DEFAULT_COLUMNS if c not in ("first_reported", "n_independent_sources", "changed_at", "author")]


def build(path: Path, n: int) -> eventlog.Store:
    syn = Synthetic(seed=11)
    rng = random.Random(11)
    store = eventlog.open(path, create=True)
    sources = syn.sources()
    graded = []
    for k, s in enumerate(sources):
        derived = sources[k - 1].id if k % 4 == 3 else None  # every fourth repeats the one before
        graded.append(s.model_copy(update={"reliability": "ABCDEF"[k % 6], "derived_from": derived}))
    with store.change(author="bench", message="registry") as cs:
        for rec in [*syn.actors(), *graded]:
            cs.put(eventlog.Source.model_validate(rec.model_dump()) if isinstance(rec, eventlog.Source) else rec)
    events = []
    for ev in syn.events(n):
        cites = [c.model_copy(update={"credibility": rng.randint(1, 6)}) for c in ev.sources]
        events.append(ev.model_copy(update={"sources": cites}))
    with store.change(author="bench", message="events") as cs:
        for ev in events:
            cs.put(eventlog.Event.model_validate(ev.model_dump()))
    with store.change(author="bench", message="hypotheses") as cs:
        for h in ("h-a", "h-b", "h-c"):
            cs.put(eventlog.Hypothesis(id=h, statement=f"hypothesis {h}"))
    rated = [e.id for e in events[:300]]
    for round_ in range(30):
        with store.change(author=f"analyst-{round_ % 3}", message=f"ratings {round_}") as cs:
            for eid in rated[round_ * 10:(round_ + 1) * 10]:
                for h in ("h-a", "h-b", "h-c"):
                    cs.assess(h, eid, rating=rng.choice(["CC", "C", "N", "I", "II"]))
    return store


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, default=100_000)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        store = build(Path(tmp) / "r.duckdb", args.events)
        with store.reading() as con:
            raw = timed(lambda: con.execute(
                "SELECT key, type, title, date, start, \"end\", actors, tags, sources, len(sources) FROM event_versions "
                "WHERE superseded_by IS NULL AND op = 'put' ORDER BY start, key").arrow())
            plain = timed(lambda: store.query(columns=BASE))
            cases = {
                "+ first_reported, n_independent": lambda: store.query(columns=[*BASE, "first_reported", "n_independent_sources"]),
                "known_by=2024-06 (all columns)": lambda: store.query(known_by="2024-06", columns=[*BASE, "first_reported", "n_independent_sources"]),
                "+ grades": lambda: store.query(columns=[*BASE, "grades"]),
                "min_reliability=B, min_credibility=2": lambda: store.query(min_reliability="B", min_credibility=2, columns=BASE),
                "count(known_by=2024-06)": lambda: store.count(known_by="2024-06"),
                "limit=2001, every default column": lambda: store.query(limit=2001),
            }
            print(f"{args.events:,} events, one version each; median of 7")
            print(f"  raw DuckDB, base columns          {raw * 1000:8.1f} ms")
            print(f"  query(base columns)               {plain * 1000:8.1f} ms   {plain / raw:5.2f}x raw")
            for name, fn in cases.items():
                t = timed(fn)
                print(f"  {name:34s}{t * 1000:8.1f} ms   {t / plain:5.2f}x the plain query")
            for name, fn in {"hypotheses()": store.hypotheses, "ach()": store.ach, "ach_history() (31 changesets)": store.ach_history}.items():
                print(f"  {name:34s}{timed(fn, repeat=3) * 1000:8.1f} ms")
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
