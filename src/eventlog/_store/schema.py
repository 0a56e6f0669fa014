"""The store's tables, one set for every backend (a DuckDB file or a DuckLake catalog).

Every kind of record (event, link, actor, source) has one append-only table of
versions. A version row is never changed, with one exception: when a later
changeset supersedes it, ``superseded_by`` records that changeset (a system-versioned
table). That single column makes "the store as of changeset C" a range filter::

    changeset <= C AND (superseded_by IS NULL OR superseded_by > C)

which costs the same as the current state (``superseded_by IS NULL``).

No primary keys, unique constraints or sequences: DuckLake has none. Uniqueness
comes from the commit protocol in :mod:`eventlog._store.changeset` instead: every commit
updates the single ``head`` row, so concurrent commits conflict and are retried.

On a DuckDB file each kind's versions are two tables behind one view of the kind's name:
``event_versions_main`` and ``event_versions_recent``, each with an index on ``key``. A
checkpoint (every commit on a file ends in one when its connection closes) writes an index
whole once its table has new rows, so an index over millions of versions made every small
commit cost what the store holds. Small commits therefore add their rows to the recent
table; a large commit, or a small one that would take the recent table past
:data:`FOLD_AT` rows, first moves the recent rows into the main table (the fold) and writes
there. Marking a version superseded changes no index. Every reader reads the view; only the
commit writes the tables. A DuckLake has no indexes and keeps one table per kind.

>>> KINDS["event"].table
'event_versions'
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._dates import parse_edtf
from .._models import Actor, Assessment, BaseRecord, Comment, Event, Hypothesis, Link, Source, Star, View

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["FOLD_AT", "KINDS", "LIVE", "PUT_ORDER", "SCHEMA_VERSION", "SMALL_WRITE", "Kind", "canonical_json", "canonical_jsons", "ddl", "format_amount", "visible"]

#: Schema history: 2 added ``base`` (each record as events/ had it at the last build: the merge base);
#: 3 renamed ``actor_versions.kind`` to ``category``; 4 added the analysts' kinds (hypothesis,
#: assessment, comment, star, view); 5 split a DuckDB file's version tables into main and recent
#: behind a view (a lake's tables are unchanged).
SCHEMA_VERSION = 5

#: A write of more rows than this goes to the main table (see the module's docstring)...
SMALL_WRITE = 5_000
#: ...and so does one that would take the recent table past this many rows.
FOLD_AT = 50_000

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


def arrow_type(sql_type: str) -> pa.DataType:
    """The Arrow type of an SQL column type the schema uses."""
    import pyarrow as pa

    return {"VARCHAR": pa.string(), "INTEGER": pa.int32(), "BIGINT": pa.int64(), "DOUBLE": pa.float64(),
            "DATE": pa.date32(), "VARCHAR[]": pa.list_(pa.string())}[sql_type]


def canonical_json(record: Any) -> str:
    """One spelling per record (fields in model order, defaults left out), so equal
    records compare equal as text. Pydantic writes it in Rust: the bulk path's hot spot.

    >>> from eventlog._models import Actor
    >>> canonical_json(Actor(id="ru", name="Russia", category="state"))
    '{"id":"ru","name":"Russia","category":"state"}'
    """
    return record.model_dump_json(exclude_defaults=True)


def canonical_jsons(records: Iterable[Any]) -> list[str]:
    """:func:`canonical_json` of many records (the serializer call model_dump_json makes,
    without its per-call overhead: a sixth of the time on a bulk put)."""
    return [r.__pydantic_serializer__.to_json(r, exclude_defaults=True).decode() for r in records]


@dataclass(frozen=True)
class Kind:
    """How one kind of record is kept: its table, model and typed columns."""

    name: str
    table: str
    model: type[BaseRecord]
    columns: dict[str, str]
    typed: Callable[[Any], dict[str, Any]]  # record -> typed column values
    #: records -> what :meth:`columns_of` gives, faster (the bulk path of a kind with many records)
    bulk: Callable[[Sequence[Any]], dict[str, pa.Array]] | None = None

    @property
    def main(self) -> str:
        """The table of a DuckDB file's settled versions (see the module's docstring)."""
        return f"{self.table}_main"

    @property
    def recent(self) -> str:
        """The table of a DuckDB file's versions from small commits since the last fold."""
        return f"{self.table}_recent"

    def key_of(self, record: Any) -> str:
        return record.id

    def columns_of(self, records: Sequence[Any]) -> dict[str, pa.Array]:
        """The ``data`` (canonical JSON) and typed columns of many records, one Arrow array each."""
        import pyarrow as pa

        if self.bulk is not None:
            return self.bulk(records)
        rows = [self.typed(r) for r in records]
        return {"data": pa.array(canonical_jsons(records), pa.string()),
                **{c: pa.array([r[c] for r in rows], arrow_type(t)) for c, t in self.columns.items()}}


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


def _list_column(lengths: list[int], values: list[str]) -> pa.Array:
    """A VARCHAR[] column from each row's length and all rows' values in order."""
    import pyarrow as pa

    offsets = pa.array(itertools.accumulate(lengths, initial=0), pa.int32())
    return pa.ListArray.from_arrays(offsets, pa.array(values, pa.string()))


def _event_columns(events: Sequence[Event]) -> dict[str, pa.Array]:
    """The canonical JSON and typed columns of many events: exactly what :func:`canonical_json`
    and :func:`_event_row` give per event (a test compares them), built per column into Arrow.

    One pass over the events serializes each and reads every field (a pass per column costs
    twice as much: the events lie all over memory), dates are parsed once per distinct
    string, and no per-event dict or list outlives the pass, which leaves the garbage
    collector little to do.
    """
    import pyarrow as pa

    data: list[str] = []
    scalars: dict[str, list[Any]] = {c: [] for c in ("type", "title", "summary", "date", "confidence", "status", "location")}
    lists: dict[str, tuple[list[int], list[str]]] = {c: ([], []) for c in ("actors", "tags", "sources", "amounts")}
    (type_, title, summary, date, confidence, status, location) = (v.append for v in scalars.values())
    (n_actors, actors), (n_tags, tags), (n_sources, sources), (n_amounts, amounts) = lists.values()
    for e in events:
        data.append(e.__pydantic_serializer__.to_json(e, exclude_defaults=True).decode())  # canonical_json(e)
        f = e.__dict__  # the model's field values: reading them here is twice as fast as attributes
        type_(f["type"])
        title(f["title"])
        summary(f["summary"])
        date(f["date"])
        confidence(f["confidence"])
        status(f["status"])
        location(f["location"])
        xs = f["actors"]
        n_actors.append(len(xs))
        actors += xs
        xs = f["tags"]
        n_tags.append(len(xs))
        tags += xs
        refs = f["sources"]
        if len(refs) == 1:
            sources.append(refs[0].source)
            n_sources.append(1)
        else:
            distinct = sorted({r.source for r in refs})
            sources += distinct
            n_sources.append(len(distinct))
        figures = f["amounts"]
        n_amounts.append(len(figures))
        for a in figures:
            amounts.append(format_amount(a.value, a.unit, a.measure))
    import pyarrow.compute as pc  # here, not at import: it costs a tenth of `import eventlog`

    dates = pa.array(scalars["date"], pa.string())
    encoded = pc.dictionary_encode(dates)
    parsed = [parse_edtf(d) for d in encoded.dictionary.to_pylist()]

    def per_date(values: list[Any], type_: pa.DataType) -> pa.Array:
        import pyarrow as pa

        return pa.array(values, type_).take(encoded.indices)

    return {
        "data": pa.array(data, pa.string()),
        **{c: pa.array(v, pa.float64() if c == "confidence" else pa.string()) for c, v in scalars.items()},
        "date": dates,
        "start": per_date([d.start for d in parsed], pa.date32()),
        "end": per_date([d.end for d in parsed], pa.date32()),
        "precision": per_date([d.precision for d in parsed], pa.string()),
        **{c: _list_column(lengths, values) for c, (lengths, values) in lists.items()},
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
        _event_columns,
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
    "actor": Kind("actor", "actor_versions", Actor, {"name": "VARCHAR", "category": "VARCHAR"}, lambda a: {"name": a.name, "category": a.category}),
    "source": Kind(
        "source",
        "source_versions",
        Source,
        {"file": "VARCHAR", "language": "VARCHAR", "published": "VARCHAR"},
        lambda s: {"file": s.file, "language": s.language, "published": s.published},
    ),
    # The analysts' judgements: versioned like the records they are about.
    "hypothesis": Kind("hypothesis", "hypothesis_versions", Hypothesis, {"statement": "VARCHAR", "status": "VARCHAR"},
                       lambda h: {"statement": h.statement, "status": h.status}),
    "assessment": Kind("assessment", "assessment_versions", Assessment,
                       {"hypothesis": "VARCHAR", "event": "VARCHAR", "rating": "VARCHAR"},
                       lambda a: {"hypothesis": a.hypothesis, "event": a.event, "rating": a.rating}),
    "comment": Kind("comment", "comment_versions", Comment,
                    {"event": "VARCHAR", "link": "VARCHAR", "view": "VARCHAR", "author": "VARCHAR", "reply_to": "VARCHAR"},
                    lambda c: {"event": c.event, "link": c.link, "view": c.view, "author": c.author, "reply_to": c.reply_to}),
    "star": Kind("star", "star_versions", Star, {"analyst": "VARCHAR", "event": "VARCHAR", "link": "VARCHAR"},
                 lambda st: {"analyst": st.analyst, "event": st.event, "link": st.link}),
    "view": Kind("view", "view_versions", View, {"title": "VARCHAR", "author": "VARCHAR"},
                 lambda v: {"title": v.title, "author": v.author}),
}

#: The order a changeset writes its puts in, what a record names before it (deletes go backwards).
PUT_ORDER = ("actor", "source", "event", "link", "hypothesis", "assessment", "view", "comment", "star")


def visible(alias: str | None, cs: int | None) -> tuple[str, list[Any]]:
    """The one SQL condition (and its parameters) for version rows visible at changeset ``cs``
    (None: now): what every query of the present or the past is built on.

    >>> visible("e", None)
    ("e.superseded_by IS NULL AND e.op = 'put'", [])
    >>> visible(None, 3)[1]
    [3, 3]
    """
    a = f"{alias}." if alias else ""
    if cs is None:
        return f"{a}superseded_by IS NULL AND {a}op = 'put'", []
    return f"{a}changeset <= ? AND ({a}superseded_by IS NULL OR {a}superseded_by > ?) AND {a}op = 'put'", [cs, cs]


#: Rows visible now, as SQL text (no parameters), for a table without an alias.
LIVE = visible(None, None)[0]


def existing_tables(con: Any) -> set[str]:
    """The tables a connection's store has (its own catalog: the file, or the attached lake)."""
    return {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database()").fetchall()}


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
        # Bookkeeping for the build's three-way merge, not a record: rows are replaced per build.
        "CREATE TABLE IF NOT EXISTS base (kind VARCHAR, key VARCHAR, data VARCHAR, changeset BIGINT)",
    ]
    for kind in KINDS.values():
        cols = {**COMMON, **kind.columns}
        body = ", ".join(f'"{c}" {t}' for c, t in cols.items())
        if not indexes:
            stmts.append(f"CREATE TABLE IF NOT EXISTS {kind.table} ({body})")
            continue
        for table in (kind.main, kind.recent):
            stmts.append(f"CREATE TABLE IF NOT EXISTS {table} ({body})")
            stmts.append(f"CREATE INDEX IF NOT EXISTS {table}_key ON {table} (key)")
        names = ", ".join(f'"{c}"' for c in cols)
        stmts.append(f"CREATE OR REPLACE VIEW {kind.table} AS SELECT {names} FROM {kind.main} "
                     f"UNION ALL SELECT {names} FROM {kind.recent}")
    if indexes:
        stmts.append("CREATE INDEX IF NOT EXISTS evidence_source ON evidence (source)")
    return stmts
