"""Candidates in the events/ form: ids, the recording policy, matching against known events.

A candidate file is an event file (``events/events/<id>.yaml`` form, ``status:
candidate``) plus a few review-only keys that :mod:`eventlog._extract.review` strips on
acceptance: ``merge_into`` (the id of an existing event that the candidate matches: same
type, overlapping dates, a shared actor - the proposal is to add this source to it),
``modality``, ``evidence`` (the sentence, for the reviewer; never copied into events/),
``date_text`` and ``trigger``.

Recording policy, so that a threat of sanctions is never recorded as a sanction that
happened: ``asserted`` candidates keep their type; ``planned`` ones keep it and get the
tag ``planned``; ``threatened`` ones become type ``statement`` tagged ``threatened`` and
with the threatened type; ``negated`` and ``hypothetical`` ones are not written unless
asked for (then as ``statement`` tagged with their modality).

>>> recordable_type("sanction", "threatened")
('statement', ['threatened', 'sanction'])
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from .._files.folder import dump_yaml
from .._models import Event, Source

__all__ = [
    "REVIEW_KEYS",
    "candidate_records",
    "document_info",
    "find_match",
    "match_with_reasons",
    "merge_reasons",
    "recordable_type",
    "same_event",
    "write_candidates",
]

#: Keys of a candidate file that are not Event fields; review strips them on acceptance.
REVIEW_KEYS = ("merge_into", "merge_why", "modality", "evidence", "date_text", "trigger", "found_by")


def recordable_type(type_: str, modality: str, include_all: bool = False) -> tuple[str, list[str]] | None:
    """The type and tags a candidate is recorded with, or None when it is not recorded.

    >>> recordable_type("visit", "planned")
    ('visit', ['planned'])
    >>> recordable_type("sanction", "negated") is None
    True
    """
    if modality == "asserted":
        return type_, []
    if modality == "planned":
        return type_, ["planned"]
    if modality == "threatened" or include_all:
        return "statement", [modality, type_] if type_ != "statement" else [modality]
    return None


def same_event(
    a_type: str, a_start: date, a_end: date, a_actors: Iterable[str],
    b_type: str, b_start: date, b_end: date, b_actors: Iterable[str],
) -> bool:
    """Same type, overlapping [start, end] bounds and at least one shared actor
    (waived when either side names no actor).

    >>> d = date(2022, 2, 4)
    >>> same_event("visit", d, d, ["china"], "visit", date(2022, 2, 1), date(2022, 2, 28), ["china", "russia"])
    True
    """
    if a_type != b_type or a_start > b_end or b_start > a_end:
        return False
    sa, sb = set(a_actors), set(b_actors)
    return bool(sa & sb) if sa and sb else True


def _figures_agree(a: float, b: float) -> bool:
    return abs(a - b) <= 0.02 * max(abs(a), abs(b))


def merge_reasons(type_: str, start: date, end: date, actors: Iterable[str], amounts: Iterable[tuple[float, str]],
                  ev: Event) -> list[str] | None:
    """Why a candidate may be another source of ``ev`` (one reason per condition), or None when it may not.

    A merge proposal needs the same type, dates of which one lies within the other (not merely
    touching: "January-November 2024" is not "2024"), and a shared actor or a shared figure; and
    when both state figures in the same unit, one of them must agree (to 2%): USD 245 billion
    for 2024 is not USD 222 billion for January-November.

    >>> from eventlog._models import Event
    >>> ev = Event(id="t", type="trade", title="t", date="2024-01/2024-11", actors=["russia", "china"],
    ...            amounts=[{"value": 222e9, "unit": "USD", "measure": "trade"}])
    >>> merge_reasons("trade", date(2024, 1, 1), date(2024, 12, 31), ["russia"], [(245e9, "USD")], ev) is None
    True
    >>> merge_reasons("trade", date(2024, 3, 1), date(2024, 3, 31), ["china"], [], ev)
    ['same type trade', 'dates 2024-03-01..2024-03-31 within 2024-01-01..2024-11-30', 'shared actor: china']
    """
    if type_ != ev.type:
        return None
    inside = ev.start <= start and end <= ev.end
    around = start <= ev.start and ev.end <= end
    if not (inside or around):
        return None
    why = [f"same type {type_}",
           f"dates {start}..{end} within {ev.start}..{ev.end}" if inside else f"dates {ev.start}..{ev.end} within {start}..{end}"]
    shared = sorted(set(actors) & set(ev.actors))
    mine = [(float(v), str(u)) for v, u in amounts]
    theirs = [(a.value, a.unit) for a in ev.amounts]
    same_unit = [(v, w, u) for v, u in mine for w, u2 in theirs if u == u2]
    agreeing = [(v, u) for v, w, u in same_unit if _figures_agree(v, w)]
    if same_unit and not agreeing:
        return None
    if shared:
        why.append(f"shared actor{'s' if len(shared) > 1 else ''}: {', '.join(shared)}")
    if agreeing:
        from .._store.schema import format_amount

        why.append("shared figure: " + ", ".join(format_amount(v, u) for v, u in agreeing))
    return why if shared or agreeing else None


def find_match(
    type_: str, start: date, end: date, actors: Iterable[str], events: Mapping[str, Event],
    source: tuple[str, tuple[int, int]] | None = None, amounts: Iterable[tuple[float, str]] = (),
) -> str | None:
    """The id of the existing event a candidate is another source of, or None (see
    :func:`match_with_reasons`, which also says why)."""
    found = match_with_reasons(type_, start, end, actors, events, source, amounts)
    return found[0] if found else None


def match_with_reasons(
    type_: str, start: date, end: date, actors: Iterable[str], events: Mapping[str, Event],
    source: tuple[str, tuple[int, int]] | None = None, amounts: Iterable[tuple[float, str]] = (),
) -> tuple[str, list[str]] | None:
    """The existing event a candidate matches, and why; or None.

    An event that already cites the candidate's ``source`` (document id, span) at an
    overlapping span is the candidate itself, known already (same type and overlapping dates
    suffice). Otherwise the candidate must pass :func:`merge_reasons`; among those that do,
    the best cites the same document, then shares the most actors, then has the closest dates
    (sum of the start and end differences), then the narrowest date range.

    >>> from eventlog._models import Event
    >>> evs = {i: Event(id=i, type="policy", title="t", date=d, actors=["russia"], sources=[{"source": s, "span": [0, 5]}])
    ...        for i, d, s in [("wide", "1990/2010", "a"), ("near", "2003", "b")]}
    >>> find_match("policy", date(2003, 1, 1), date(2003, 12, 31), ["russia"], evs)
    'near'
    >>> find_match("policy", date(2003, 1, 1), date(2003, 12, 31), ["russia"], evs, ("a", (0, 9)))
    'wide'
    """
    actors, amounts = list(actors), list(amounts)
    best: tuple[Any, ...] | None = None
    for ev in events.values():
        if ev.status == "candidate":
            continue
        at_span = same_doc = False
        if source is not None:
            doc, (s, e) = source
            same_doc = any(ref.source == doc for ref in ev.sources)
            at_span = any(ref.source == doc and ref.span[0] < e and s < ref.span[1] for ref in ev.sources)
        if at_span and same_event(type_, start, end, actors, ev.type, ev.start, ev.end, ev.actors):
            why = ["already cited at this span"]
        else:
            why = merge_reasons(type_, start, end, actors, amounts, ev)  # type: ignore[assignment]
            if why is None:
                continue
        gap = abs((ev.start - start).days) + abs((ev.end - end).days)
        key = (not at_span, not same_doc, -len(set(actors) & set(ev.actors)), gap, (ev.end - ev.start).days, ev.id, why)
        best = key if best is None or key < best else best
    return (best[-2], best[-1]) if best else None


def slug(text: str) -> str:
    """A record id made of ``text``: lower case, runs of other characters as one ``-``.

    >>> slug("001_F21D.txt")
    '001_f21d-txt'
    """
    s = re.sub(r"[^a-z0-9_]+", "-", text.lower()).strip("-_")
    s = re.sub(r"[-_]{2,}", "-", s)
    return s or "doc"


def document_info(path: str | Path, sources: Mapping[str, Source]) -> tuple[str, str | None, str | None]:
    """(doc_id, doc_date, language) of a file: from the source registry when a source's
    ``file`` is this file's name, else the slugged file stem and no date or language."""
    name = Path(path).name
    for src in sources.values():
        if Path(src.file).name == name:
            return src.id, src.published, src.language
    return slug(Path(path).stem), None, None


def _candidate_id(row: Mapping[str, Any], doc_id: str, type_: str) -> str:
    year = row["start"].year if row["start"] is not None else "undated"
    who = "-".join(row["actor_ids"][:2])
    digest = hashlib.sha1(f"{doc_id}:{row['span_start']}:{row['type']}:{row['date']}".encode()).hexdigest()[:6]
    return slug("-".join(str(x) for x in (year, type_.replace("_", "-"), who, digest) if x))


def _notes(row: Mapping[str, Any], date_str: str, doc_date: str | None) -> str:
    how = row["date_how"] or "absolute"
    note = f"Extracted: date written as '{row['date_text']}', resolved to {date_str} ({how})"
    if doc_date:
        note += f"; document date {doc_date}"
    elif date_str.endswith("/.."):
        note += "; its end is open because the document date is unknown: set the date (X/<publication date>)"
    return note + f"; modality {row['modality']}; trigger '{row['trigger']}'."


def candidate_records(
    rows: Iterable[Mapping[str, Any]],
    *,
    doc_id: str,
    doc_date: str | None = None,
    events: Mapping[str, Event] | None = None,
    include_all: bool = False,
) -> tuple[list[dict[str, Any]], int]:
    """Candidate files' content for extracted rows, and how many rows were already known
    (they match an event that already cites this source at an overlapping span)."""
    events = events or {}
    out: list[dict[str, Any]] = []
    known = 0
    for row in rows:
        rec_type = recordable_type(row["type"], row["modality"], include_all)
        if rec_type is None:
            continue
        type_, tags = rec_type
        date_str = row["date"]  # "since X" without a document date stays open ("X/.."): review asks for the end
        span = (int(row["span_start"]), int(row["span_end"]))
        figures = [(a["value"], a["unit"]) for a in row["amounts"]]
        found = match_with_reasons(type_, row["start"], row["end"] or row["start"], row["actor_ids"], events,
                                   (doc_id, span), figures) if events and row["start"] is not None else None
        match, why = found if found else (None, [])
        if match is not None:
            cited = any(
                ref.source == doc_id and ref.span[0] < row["span_end"] and row["span_start"] < ref.span[1]
                for ref in events[match].sources
            )
            if cited:
                known += 1
                continue
        rec: dict[str, Any] = {
            "id": _candidate_id(row, doc_id, type_),
            "type": type_,
            "title": row["title"] if type_ == row["type"] else f"{row['modality'].capitalize()} {row['title']}",
            "date": date_str,
            "actors": list(row["actor_ids"]),
            "amounts": [
                {"value": a["value"], "unit": a["unit"], "measure": f"figure stated with the event ({a['text']})"}
                for a in row["amounts"]
            ],
            "tags": tags,
            "sources": [{"source": doc_id, "span": [int(row["span_start"]), int(row["span_end"])]}],
            "confidence": float(row["confidence"]),
            "status": "candidate",
            "notes": _notes(row, date_str, doc_date),
        }
        rec = {k: v for k, v in rec.items() if v != []}
        if match is not None:
            rec["merge_into"] = match
            rec["merge_why"] = "; ".join(why)
        rec.update(modality=row["modality"], evidence=row["evidence"], date_text=row["date_text"], trigger=row["trigger"],
                   found_by=row["found_by"])
        out.append(rec)
    return out, known


def write_candidates(records: Iterable[Mapping[str, Any]], out_dir: str | Path) -> list[Path]:
    """Write each record to ``out_dir/<id>.yaml``; returns the paths written."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for rec in records:
        path = folder / f"{rec['id']}.yaml"
        tmp = path.with_suffix(".yaml.tmp")
        tmp.write_text(dump_yaml(dict(rec)), encoding="utf-8")
        tmp.replace(path)
        paths.append(path)
    return paths
