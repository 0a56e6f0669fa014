"""The store's tables, one set for every backend (a DuckDB file or a DuckLake catalog).

Every kind of record (event, link, actor, source) has one append-only table of
versions. A version row is never changed, with one exception: when a later
changeset supersedes it, ``superseded_by`` records that changeset (a system-versioned
table). That single column makes "the store as of changeset C" a range filter::

    changeset <= C AND (superseded_by IS NULL OR superseded_by > C)

which costs the same as the current state (``superseded_by IS NULL``).

No primary keys, unique constraints or sequences: DuckLake has none. Uniqueness
comes from the commit protocol in :mod:`eventlog._changeset` instead: every commit
updates the single ``head`` row, so concurrent commits conflict and are retried.

>>> KINDS["event"].table
'event_versions'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._dates import parse_edtf
from ._models import Actor, Event, Link, Source, _Record

__all__ = ["KINDS", "SCHEMA_VERSION", "Kind", "canonical_json", "ddl", "format_amount"]

SCHEMA_VERSION = 1

#: Columns every version table has, in order.
COMMON = {
    "key": "VARCHAR",
    "version": "INTEGER",
    "changeset": "BIGINT",
    "superseded_by": "BIGINT",
    "op": "VARCHAR",  # 'put' or 'delete'
    "reason": "VARCHAR",
    "data": "VARCHAR",  # the record as canonical JSON (NULL for a delete)
}


def canonical_json(record: Any) -> str:
    """One spelling per record (fields in model order, defaults left out), so equal
    records compare equal as text. Pydantic writes it in Rust: the bulk path's hot spot.

    >>> from eventlog._models import Actor
    >>> canonical_json(Actor(id="ru", name="Russia", kind="state"))
    '{"id":"ru","name":"Russia","kind":"state"}'
    """
    return record.model_dump_json(exclude_defaults=True)


@dataclass(frozen=True)
class Kind:
    """How one kind of record is kept: its table, model and typed columns."""

    name: str
    table: str
    model: type[_Record]
    columns: dict[str, str]
    typed: Callable[[Any], dict[str, Any]]  # record -> typed column values

    def key_of(self, record: Any) -> str:
        return record.id


def _event_row(e: Event) -> dict[str, Any]:
    d = parse_edtf(e.date)
    return {
        "type": e.type,
        "title": e.title,
        "summary": e.summary,
        "date": e.date,
        "start": d.start,
        "end": d.end,
        "precision": d.precision,
        "actors": list(e.actors),
        "tags": list(e.tags),
        "sources": sorted({s.source for s in e.sources}),
        "confidence": e.confidence,
        "status": e.status,
        "location": e.location,
        "amounts": [format_amount(a.value, a.unit, a.measure) for a in e.amounts],
    }


_SCALES = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))


def format_amount(value: float, unit: str, measure: str = "") -> str:
    """An amount as a person reads it.

    >>> format_amount(240e9, "USD", "trade")
    '240 billion USD (trade)'
    >>> format_amount(0.7, "percent")
    '0.7 percent'
    """
    text = f"{value:,.6g}"
    for scale, word in _SCALES:
        if abs(value) >= scale:
            text = f"{value / scale:.6g} {word}"
            break
    return f"{text} {unit}" + (f" ({measure})" if measure else "")


def _link_row(lk: Link) -> dict[str, Any]:
    return {
        "cause": lk.cause,
        "effect": lk.effect,
        "relation": lk.relation,
        "confidence": lk.confidence,
        "basis": lk.basis,
        "asserted_by": lk.asserted_by,
    }


KINDS: dict[str, Kind] = {
    "event": Kind(
        "event",
        "event_versions",
        Event,
        {
            "type": "VARCHAR",
            "title": "VARCHAR",
            "summary": "VARCHAR",
            "date": "VARCHAR",
            "start": "DATE",
            "end": "DATE",
            "precision": "VARCHAR",
            "actors": "VARCHAR[]",
            "tags": "VARCHAR[]",
            "sources": "VARCHAR[]",
            "confidence": "DOUBLE",
            "status": "VARCHAR",
            "location": "VARCHAR",
            "amounts": "VARCHAR[]",
        },
        _event_row,
    ),
    "link": Kind(
        "link",
        "link_versions",
        Link,
        {
            "cause": "VARCHAR",
            "effect": "VARCHAR",
            "relation": "VARCHAR",
            "confidence": "DOUBLE",
            "basis": "VARCHAR",
            "asserted_by": "VARCHAR",
        },
        _link_row,
    ),
    "actor": Kind("actor", "actor_versions", Actor, {"name": "VARCHAR", "kind": "VARCHAR"}, lambda a: {"name": a.name, "kind": a.kind}),
    "source": Kind(
        "source",
        "source_versions",
        Source,
        {"file": "VARCHAR", "language": "VARCHAR", "published": "VARCHAR"},
        lambda s: {"file": s.file, "language": s.language, "published": s.published},
    ),
}


def ddl(indexes: bool) -> list[str]:
    """Statements that create the schema (idempotent). Indexes only where the backend has them."""
    stmts = [
        "CREATE TABLE IF NOT EXISTS meta (key VARCHAR, value VARCHAR)",
        "CREATE TABLE IF NOT EXISTS head (last_changeset BIGINT)",
        """CREATE TABLE IF NOT EXISTS changesets (
            id BIGINT, author VARCHAR, message VARCHAR, committed_at TIMESTAMPTZ,
            created INTEGER, updated INTEGER, deleted INTEGER, info VARCHAR)""",
        """CREATE TABLE IF NOT EXISTS evidence (
            source VARCHAR, span_start INTEGER, span_end INTEGER, quote VARCHAR)""",
    ]
    for kind in KINDS.values():
        cols = {**COMMON, **kind.columns}
        body = ", ".join(f'"{c}" {t}' for c, t in cols.items())
        stmts.append(f"CREATE TABLE IF NOT EXISTS {kind.table} ({body})")
        if indexes:
            stmts.append(f"CREATE INDEX IF NOT EXISTS {kind.table}_key ON {kind.table} (key)")
    if indexes:
        stmts.append("CREATE INDEX IF NOT EXISTS evidence_source ON evidence (source)")
    return stmts
