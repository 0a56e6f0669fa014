"""Reading current and past records: the event query and the lookups under it.

Every function takes the connection of the caller's :meth:`Store.reading` block and a resolved
changeset (None: now); :func:`eventlog._store.schema.visible` decides what is visible then.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence

import duckdb
import polars as pl

from .._dates import parse_day
from .._errors import ValidationError
from .._frames import frame_of, registered
from .._taxonomy import EVENT_TYPES, STATUSES, unknown
from .schema import KINDS, visible

__all__ = ["Filter", "actor_ids", "actor_names", "closed", "first_quotes", "listify", "query_events", "record_rows"]

Filter = str | Sequence[str] | None


def listify(value: Filter, field: str = "filter") -> list[str] | None:
    """A filter as a list of strings (None: no filter); anything else is one ValidationError."""
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    if isinstance(value, (bytes, dict)) or not isinstance(value, Iterable):
        raise ValidationError(f"{field} takes text or a list of text, not {type(value).__name__}", field=field)
    out = list(value)
    for v in out:
        if not isinstance(v, str):
            raise ValidationError(f"{field} takes text or a list of text, not {v!r}"[:120], field=field)
    return out or None


def closed(value: Filter, field: str, known: Iterable[str]) -> list[str] | None:
    """A filter over a closed set (type, status, relation, basis): unknown values are refused
    with the closest known one, rather than silently matching nothing."""
    values = listify(value, field)
    options = list(known)
    for v in values or ():
        if v not in options:
            raise ValidationError(unknown(field, v, options), field=field)
    return values


def query_events(
    con: duckdb.DuckDBPyConnection,
    cs: int | None,
    *,
    type: Filter = None,  # noqa: A002 - the analyst's word
    actor: Filter = None,
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    text: Filter = None,
    tag: Filter = None,
    source: Filter = None,
    status: Filter = None,
    id: Filter = None,  # noqa: A002
) -> pl.DataFrame:
    """Events matching every given filter at changeset ``cs`` (None: now); see :meth:`Store.query`."""
    where, params = visible("e", cs)
    conds = [where]
    if (types := closed(type, "type", EVENT_TYPES)) is not None:
        conds.append("list_contains(?, e.type)")
        params.append(types)
    if (actors := listify(actor, "actor")) is not None:
        conds.append("list_has_any(e.actors, ?)")
        params.append(actor_ids(con, actors, cs))
    if start is not None:
        conds.append('e."end" >= ?')
        params.append(parse_day(start, "start"))
    if end is not None:
        conds.append("e.start <= ?")
        params.append(parse_day(end, "end"))
    if (texts := listify(text, "text")) is not None:
        # contains() matches literally: %, _ and quotes in the user's text are just characters.
        conds.append(
            "(" + " OR ".join(["contains(lower(e.title), lower(?)) OR contains(lower(e.summary), lower(?))"] * len(texts)) + ")"
        )
        for t in texts:
            params += [t, t]
    for col, values in (("tags", tag), ("sources", source)):
        if (vals := listify(values, col)) is not None:
            conds.append(f"list_has_any(e.{col}, ?)")
            params.append(vals)
    if (statuses := closed(status, "status", STATUSES)) is not None:
        conds.append("list_contains(?, e.status)")
        params.append(statuses)
    if (ids := listify(id, "id")) is not None:
        conds.append("list_contains(?, e.key)")
        params.append(ids)
    sql = f"""
        SELECT e.key AS id, e.type, e.title, e.summary, e.date, e.start, e."end", e.precision,
               e.actors AS actor_ids, e.tags, e.sources, len(e.sources) AS n_sources, e.amounts,
               e.confidence, e.status, e.location, e.version, e.changeset,
               c.committed_at AS changed_at, c.author
        FROM event_versions e JOIN changesets c ON c.id = e.changeset
        WHERE {" AND ".join(conds)}
        ORDER BY e.start, e.key
    """
    frame = frame_of(con.execute(sql, params))
    names = actor_names(con, cs)
    actors_col = frame["actor_ids"].list.eval(pl.element().replace(names)) if frame.height else frame["actor_ids"]
    frame = frame.with_columns(actors=actors_col)
    order = ["id", "type", "title", "summary", "date", "start", "end", "precision", "actors", "actor_ids", "tags",
             "sources", "n_sources", "amounts", "confidence", "status", "location", "version", "changeset",
             "changed_at", "author"]
    return frame.select(order)


def actor_names(con: duckdb.DuckDBPyConnection, cs: int | None) -> dict[str, str]:
    where, params = visible("a", cs)
    return dict(con.execute(f"SELECT key, name FROM actor_versions a WHERE {where}", params).fetchall())

def actor_ids(con: duckdb.DuckDBPyConnection, wanted: list[str], cs: int | None) -> list[str]:
    """Actor ids for ids, display names or aliases (case-insensitive); unknown ones match nothing."""
    where, params = visible("a", cs)
    rows = con.execute(f"SELECT key, name, data FROM actor_versions a WHERE {where}", params).fetchall()
    lookup: dict[str, str] = {}
    for key, name, data in rows:
        lookup[key.lower()] = key
        lookup[name.lower()] = key
        for names in json.loads(data).get("aliases", {}).values():
            for n in names:
                lookup.setdefault(n.lower(), key)
    return [lookup.get(w.lower(), w) for w in wanted]

def record_rows(con: duckdb.DuckDBPyConnection, kind: str, keys: Iterable[str] | None, cs: int | None) -> list[tuple[str, str]]:
    import pyarrow as pa

    spec = KINDS[kind]
    where, params = visible("r", cs)
    if keys is None:
        return con.execute(f"SELECT key, data FROM {spec.table} r WHERE {where} ORDER BY key", params).fetchall()
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return []
    if len(wanted) == 1:
        # Filter on the key alone first: DuckDB then skips most of the table, while
        # "key = ? AND superseded_by IS NULL AND ..." scans every row (10x slower at 500k versions).
        return con.execute(
            f"WITH r AS MATERIALIZED (SELECT * FROM {spec.table} WHERE key = ?) SELECT key, data FROM r r WHERE {where}",
            [wanted[0], *params],
        ).fetchall()
    # Many keys: a semi-join on a registered table (list_contains(?, key) is quadratic: 20k keys took 20 s).
    with registered(con, _wanted_keys=pa.table({"key": pa.array(wanted, pa.string())})):
        return con.execute(
            f"SELECT r.key, r.data FROM {spec.table} r SEMI JOIN _wanted_keys w ON r.key = w.key WHERE {where} ORDER BY r.key",
            params,
        ).fetchall()


def first_quotes(con: duckdb.DuckDBPyConnection, versions: Sequence[tuple[str, int]]) -> dict[str, str]:
    """The first kept quote of each (event id, version): id -> quote, for those that have one."""
    import pyarrow as pa

    if not versions:
        return {}
    wanted = pa.table({"key": pa.array([k for k, _v in versions], pa.string()),
                       "version": pa.array([v for _k, v in versions], pa.int32())})
    with registered(con, _wanted_versions=wanted):
        # Exact (key, version) pairs: right for any as_of the caller's frame was queried at.
        rows = con.execute(
            "SELECT e.key, e.data FROM event_versions e SEMI JOIN _wanted_versions w "
            "ON e.key = w.key AND e.version = w.version"
        ).fetchall()
    refs: dict[str, list[tuple[str, int, int]]] = {}
    for key, data in rows:
        if data:
            refs[key] = [(s["source"], s["span"][0], s["span"][1]) for s in json.loads(data).get("sources", [])]
    sources = sorted({r[0] for rs in refs.values() for r in rs})
    if not sources:
        return {}
    quotes = {(s, a, b): q for s, a, b, q in con.execute(
        "SELECT source, span_start, span_end, quote FROM evidence WHERE list_contains(?, source)", [sources]).fetchall()}
    out = {}
    for key, rs in refs.items():
        for r in rs:
            if quotes.get(r):
                out[key] = quotes[r]
                break
    return out
