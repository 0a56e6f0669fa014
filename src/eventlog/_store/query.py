"""Reading current and past records: the event query and the lookups under it.

Every function takes the connection of the caller's :meth:`Store.reading` block and a resolved
changeset (None: now); :func:`eventlog._store.schema.visible` decides what is visible then.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import duckdb
import polars as pl

from .._dates import parse_day, parse_edtf
from .._errors import ValidationError
from .._frames import frame_of, registered
from .._taxonomy import EVENT_TYPES, STATUSES, unknown
from .schema import KINDS, visible

__all__ = ["COLUMNS", "DEFAULT_COLUMNS", "Filter", "Reporting", "actor_ids", "actor_names", "closed", "citation_grades", "count_events", "event_filter", "first_quotes", "known_day",
           "listify", "query_events", "record_rows"]

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


#: The columns of a query, in order, and the SQL of each (over event_versions e and changesets c).
#: The reporting columns (sources, n_sources, first_reported, n_independent_sources, grades) are
#: written by :class:`Reporting`, since they follow ``known_by``.
COLUMNS = {
    "id": "e.key", "type": "e.type", "title": "e.title", "summary": "e.summary", "date": "e.date",
    "start": "e.start", "end": 'e."end"', "precision": "e.precision", "actors": "e.actors", "actor_ids": "e.actors",
    "tags": "e.tags", "sources": "e.sources", "n_sources": "len(e.sources)", "first_reported": None,
    "n_independent_sources": None, "amounts": "e.amounts",
    "confidence": "e.confidence", "status": "e.status", "location": "e.location", "version": "e.version",
    "changeset": "e.changeset", "changed_at": "c.committed_at", "author": "c.author", "grades": None,
}

#: What a query returns when no columns are named: all but ``grades``, which reads every
#: event's citations (ask for it by name, or see :meth:`Store.grades` for the rows in view).
DEFAULT_COLUMNS = [c for c in COLUMNS if c != "grades"]

_CITATIONS = """from_json(json_extract(e.data, '$.sources'), '[{"source": "VARCHAR", "credibility": "INTEGER"}]')"""


@dataclass(frozen=True)
class Reporting:
    """The sources as of one changeset, in the shapes the reporting SQL binds: ids in the order
    they first reported (publication start, then end, then id), with each one's publication
    date, lineage root and reliability, and those certainly published by ``known_by``.

    The lists are bound as parameters and read with ``list_position``: sources are documents,
    few beside events, and a lookup in a bound list costs a tenth of a MAP's per row."""

    ids: list[str]
    published: list[str]
    roots: list[str]
    reliability: list[str | None]
    known: list[str] | None  # None: no known_by

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection, cs: int | None, known_by: dt.date | None) -> Reporting:
        from .._models import Source
        from .._reporting import lineage

        sources = {k: Source.model_validate_json(d) for k, d in record_rows(con, "source", None, cs)}
        roots = lineage(sources)
        bounds = {k: parse_edtf(s.published) for k, s in sources.items()}
        order = sorted(sources, key=lambda k: (bounds[k].start or dt.date.min, bounds[k].end or dt.date.max, k))
        known = None if known_by is None else [k for k in order if (bounds[k].end or dt.date.max) <= known_by]
        return cls(order, [sources[k].published for k in order], [roots[k] for k in order],
                   [sources[k].reliability for k in order], known)

    def cited(self) -> tuple[str, list]:
        """The event's sources counted: all, or those published by known_by."""
        if self.known is None:
            return "e.sources", []
        return "list_filter(e.sources, x -> list_contains(?::VARCHAR[], x))", [self.known]

    def column(self, name: str) -> tuple[str, list]:
        """The SQL and parameters of one reporting column."""
        cited, params = self.cited()
        if name == "sources":
            return cited, params
        if name == "n_sources":
            return f"len({cited})", params
        if name == "first_reported":
            return f"list_extract(?::VARCHAR[], list_min(list_transform({cited}, x -> list_position(?::VARCHAR[], x))))", [self.published, *params, self.ids]
        if name == "n_independent_sources":
            if self.roots == self.ids:  # no source repeats another: every distinct source counts
                return f"len({cited})", params
            # One source is one lineage; only longer lists need the lookup (most events cite one or two).
            return (f"CASE WHEN len({cited}) < 2 THEN len({cited}) ELSE len(list_distinct(list_transform({cited}, "
                    f"x -> list_extract(?::VARCHAR[], list_position(?::VARCHAR[], x))))) END",
                    [*params, *params, *params, self.roots, self.ids])
        assert name == "grades"
        known = "" if self.known is None else "list_contains(?::VARCHAR[], c.source)"
        sql = (f"list_sort(list_distinct(list_transform({'list_filter(' + _CITATIONS + ', c -> ' + known + ')' if known else _CITATIONS}, "
               "c -> c.source || ' ' || coalesce(list_extract(?::VARCHAR[], list_position(?::VARCHAR[], c.source)), '?') "
               "|| coalesce(c.credibility::VARCHAR, '?'))))")
        return sql, [*([self.known] if known else []), self.reliability, self.ids]

    def graded(self, min_reliability: str | None, min_credibility: int | None) -> tuple[str, list]:
        """The condition: at least one citation meets both grades (of a source known by then)."""
        from .._reporting import reliability_rank

        ok = self.ids if self.known is None else self.known
        if min_reliability is not None:
            rank, admitted = reliability_rank(min_reliability), set(ok)
            ok = [k for k, r in zip(self.ids, self.reliability, strict=True)
                  if k in admitted and r is not None and reliability_rank(r) <= rank]
        if min_credibility is None:
            return "list_has_any(e.sources, ?::VARCHAR[])", [ok]
        return (f"len(list_filter({_CITATIONS}, c -> list_contains(?::VARCHAR[], c.source) AND c.credibility <= ?)) > 0",
                [ok, min_credibility])


def event_filter(
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
    known_by: str | dt.date | None = None,
    min_reliability: str | None = None,
    min_credibility: int | None = None,
    reporting: Reporting | None = None,
) -> tuple[str, list]:
    """The WHERE clause (over event_versions e) and its parameters for a query's filters.
    ``reporting`` is the sources' state the reporting filters read (read here when not given)."""
    where, params = visible("e", cs)
    conds = [where]
    if known_by is not None or min_reliability is not None or min_credibility is not None:
        rep = reporting or Reporting.read(con, cs, known_day(known_by))
        if rep.known is not None:
            conds.append("list_has_any(e.sources, ?::VARCHAR[])")
            params.append(rep.known)
        if min_reliability is not None or min_credibility is not None:
            sql, more = rep.graded(min_reliability, _credibility(min_credibility))
            conds.append(sql)
            params += more
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
    return " AND ".join(conds), params


def known_day(value: str | dt.date | None) -> dt.date | None:
    """known_by as a day: the last day of what it names ("known_by=2023" is by the end of 2023)."""
    return None if value is None else parse_day(value, "known_by")


def _credibility(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 6:
        raise ValidationError(f"min_credibility takes a digit 1-6, not {value!r}"[:120], field="min_credibility")
    return value


_REPORTING = {"sources", "n_sources", "first_reported", "n_independent_sources", "grades"}


def query_events(con: duckdb.DuckDBPyConnection, cs: int | None, *, limit: int | None = None,
                 columns: Sequence[str] | None = None, **filters: Filter | dt.date) -> pl.DataFrame:
    """Events matching every given filter at changeset ``cs`` (None: now); see :meth:`Store.query`."""
    wanted = list(DEFAULT_COLUMNS) if columns is None else list(columns)
    known_by = known_day(filters.get("known_by"))  # type: ignore[arg-type]
    needs = {"first_reported", "n_independent_sources", "grades"} if known_by is None else _REPORTING
    reporting = Reporting.read(con, cs, known_by) if needs & set(wanted) or filters.get("min_reliability") \
        or filters.get("min_credibility") is not None or known_by is not None else None
    where, params = event_filter(con, cs, reporting=reporting, **filters)  # type: ignore[arg-type]
    parts, select_params = [], []
    for c in dict.fromkeys(wanted):
        sql, more = reporting.column(c) if reporting is not None and c in needs else (COLUMNS[c], [])
        parts.append(f'{sql} AS "{c}"')
        select_params += more
    exprs = ", ".join(parts)
    # The changesets join only when its columns are asked for (a narrow query skips it).
    join = "JOIN changesets c ON c.id = e.changeset" if {"changed_at", "author"} & set(wanted) else ""
    if limit is not None and (select_params or join):
        # The rows first, then their columns: the reporting lookups and the join cost what the
        # limit keeps, not what the filters match (the Explorer reads 2,001 of a million this way).
        sql = f"""
            SELECT {exprs}
            FROM (SELECT * FROM event_versions e WHERE {where} ORDER BY e.start, e.key LIMIT ?) e {join}
            ORDER BY e.start, e.key
        """
        params = [*select_params, *params, limit]  # in the order they stand in the text
    else:
        params = select_params + params
        sql = f"""
            SELECT {exprs}
            FROM event_versions e {join}
            WHERE {where}
            ORDER BY e.start, e.key
        """
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
    frame = frame_of(con.execute(sql, params))
    if "actors" in wanted:
        names = actor_names(con, cs)
        actors_col = frame["actors"].list.eval(pl.element().replace(names)) if frame.height else frame["actors"]
        frame = frame.with_columns(actors=actors_col)
    return frame.select(wanted)


def count_events(con: duckdb.DuckDBPyConnection, cs: int | None, **filters: Filter | dt.date) -> int:
    """How many events match the filters at changeset ``cs``; see :meth:`Store.count`."""
    where, params = event_filter(con, cs, **filters)  # type: ignore[arg-type]
    return int(con.execute(f"SELECT count(*) FROM event_versions e WHERE {where}", params).fetchall()[0][0])


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


def citation_grades(con: duckdb.DuckDBPyConnection, versions: Sequence[tuple[str, int]], cs: int | None) -> dict[str, list[str]]:
    """The grades of each (event id, version)'s citations, as ``source B2`` (sources' reliability as
    of changeset ``cs``): id -> sorted list, for those that cite anything."""
    import pyarrow as pa

    if not versions:
        return {}
    rep = Reporting.read(con, cs, None)
    sql, params = rep.column("grades")
    wanted = pa.table({"key": pa.array([k for k, _v in versions], pa.string()),
                       "version": pa.array([v for _k, v in versions], pa.int32())})
    with registered(con, _wanted_versions=wanted):
        rows = con.execute(f"SELECT e.key, {sql} FROM event_versions e SEMI JOIN _wanted_versions w "
                           "ON e.key = w.key AND e.version = w.version", params).fetchall()
    return {k: g for k, g in rows if g}


def first_quotes(con: duckdb.DuckDBPyConnection, versions: Sequence[tuple[str, int]]) -> dict[str, str]:
    """The first kept quote of each (event id, version): id -> quote, for those that have one."""
    import pyarrow as pa

    if not versions:
        return {}
    wanted = pa.table({"key": pa.array([k for k, _v in versions], pa.string()),
                       "version": pa.array([v for _k, v in versions], pa.int32())})
    with registered(con, _wanted_versions=wanted):
        # Exact (key, version) pairs, right for any as_of the caller's frame was queried at; their
        # citations joined to the kept quotes in SQL, so only the quotes shown leave DuckDB.
        rows = con.execute("""
            WITH v AS (SELECT e.key, from_json(json_extract(e.data, '$.sources'),
                                               '[{"source": "VARCHAR", "span": ["INTEGER"]}]') AS refs
                       FROM event_versions e SEMI JOIN _wanted_versions w ON e.key = w.key AND e.version = w.version),
            cited AS MATERIALIZED (SELECT v.key, u.i, u.x.source AS source, u.x.span[1] AS span_start, u.x.span[2] AS span_end
                      FROM v, LATERAL (SELECT unnest(v.refs) AS x, generate_subscripts(v.refs, 1) AS i) u)
            SELECT c.key, arg_min(q.quote, c.i) FILTER (WHERE q.quote <> '') FROM cited c
            JOIN evidence q ON q.source = c.source AND q.span_start = c.span_start AND q.span_end = c.span_end
            GROUP BY c.key""").fetchall()
    # The empty quotes are left out after the join, not in it: a filter on the quote would be
    # pushed into the scan of every kept quote (2.6x slower at a million events).
    return {k: q for k, q in rows if q is not None}
