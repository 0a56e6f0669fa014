"""Causal links between events: checks at commit, and graph queries in recursive SQL.

A link says that a *cause* event drove an *effect* event, with a relation (see
:data:`eventlog.RELATIONS`), a confidence, a note and optional sources (citations). Links
are versioned records like events, so every query here takes ``as_of`` (a changeset
id) and sees the causal graph as it was known then.

Every traversal is one DuckDB query: ``WITH RECURSIVE ... USING KEY (node)`` keeps
one row per reached event (its shortest distance, best path), so a walk over a
graph of 100k events costs one pass per level instead of one query per event.

>>> import eventlog, tempfile, os
>>> store = eventlog.open(os.path.join(tempfile.mkdtemp(), "links.duckdb"), create=True)
>>> with store.change(author="ana", message="two events and a link") as cs:
...     cs.put(eventlog.Event(id="crimea", type="conflict", title="Crimea annexed", date="2014-03"))
...     cs.put(eventlog.Event(id="sanctions", type="sanction", title="Western sanctions", date="2014-07"))
...     _ = cs.link("crimea", "sanctions", relation="triggers", confidence=0.9)
>>> store.effects("crimea")[["id", "distance", "relations"]].rows()
[('sanctions', 1, ['triggers'])]
>>> store.close()
"""

# ruff: noqa: S608 - the f-strings below only splice table names from the schema and SQL
# fragments fixed in this module; every value (ids, relations, depths, changesets) is bound.
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import polars as pl

from .._errors import LinkRejected, NotFound, ValidationError
from .._frames import frame_of, registered
from .._models import Link
from .._taxonomy import CAUSAL_RELATIONS
from .schema import KINDS, LIVE, visible

if TYPE_CHECKING:
    import duckdb

    from .changeset import Changeset
    from .store import Store

__all__ = ["FEW_EVENTS", "causes", "check_new_links", "check_redated_events", "effects", "link_ends", "links", "links_touching", "paths"]

#: Up to this many event puts without link puts (an analyst's edit), the link order check
#: reads only the links touching those events, with bound parameters; more (a bulk build)
#: check the whole graph in one join on registered frames.
FEW_EVENTS = 256

_LINKS = KINDS["link"].table
_EVENTS = KINDS["event"].table


# -- helpers -------------------------------------------------------------------------------------
def _live_links_sql(cs: int | None) -> tuple[str, list[Any]]:
    """SELECT of the links visible at changeset ``cs`` (None: now), with its parameters."""
    where, params = visible("l", cs)
    return f"SELECT l.key, l.cause, l.effect, l.relation, l.confidence FROM {_LINKS} l WHERE {where}", params


def _require_event(store: Store, event_id: str, cs: int | None) -> None:
    where, params = visible("e", cs)
    rows = store._con.execute(f"SELECT count(*) FROM {_EVENTS} e WHERE {where} AND e.key = ?", [*params, event_id]).fetchall()
    if not rows[0][0]:
        when = f" at changeset {cs}" if cs is not None else ""
        raise NotFound(f"no event {event_id!r}{when}")


def _check_depth(depth: int | None, name: str = "depth") -> None:
    if depth is not None and (isinstance(depth, bool) or not isinstance(depth, int) or depth < 1):
        raise ValidationError(f"{name} must be a whole number of at least 1, not {depth!r}", field=name)


def links_touching(store: Store, event_ids: Iterable[str]) -> list[str]:
    """Keys of live links whose cause or effect is one of ``event_ids``."""
    ids = list(event_ids)
    rows = store._con.execute(
        f"SELECT key FROM {_LINKS} WHERE {LIVE} "
        "AND (list_contains(?, cause) OR list_contains(?, effect))",
        [ids, ids],
    ).fetchall()
    return [r[0] for r in rows]


# -- checks at commit ---------------------------------------------------------------------------
def _pending_links(cs: Changeset) -> pl.DataFrame:
    rows = []
    for key, rec in cs.records("link").items():
        if isinstance(rec, Link):
            rows.append((key, rec.cause, rec.effect, rec.relation, "put"))
        else:
            cause, effect, relation = key.split("|", 2)
            rows.append((key, cause, effect, relation, "delete"))
    return pl.DataFrame(rows, schema={"key": pl.String, "cause": pl.String, "effect": pl.String,
                                      "relation": pl.String, "op": pl.String}, orient="row")


# The graph after the changeset: live store rows not touched by it, plus what it puts.
# Both need the frames _pl (pending links) and _pe (pending events) registered.
_LIVE_L, _LIVE_E = visible("l", None)[0], visible("e", None)[0]
_EFFECTIVE = f"""
    eff_links AS (
        SELECT l.key, l.cause, l.effect, l.relation, false AS pending FROM {_LINKS} l
        WHERE {_LIVE_L} AND NOT EXISTS (SELECT 1 FROM _pl p WHERE p.key = l.key)
        UNION ALL
        SELECT key, cause, effect, relation, true FROM _pl WHERE op = 'put'
    ),
    eff_events AS (
        SELECT e.key, e.start, e."end", e.date FROM {_EVENTS} e
        WHERE {_LIVE_E} AND NOT EXISTS (SELECT 1 FROM _pe p WHERE p.key = e.key)
        UNION ALL
        SELECT key, start, "end", date FROM _pe WHERE op = 'put'
    )"""


def _arrow(lk: tuple[str, str, str]) -> str:
    cause, effect, relation = lk
    return f"{cause} -{relation}-> {effect}"


def check_new_links(store: Store, cs: Changeset, links: list[Link]) -> None:
    """Reject links the graph cannot take, before anything is written.

    Runs inside the commit transaction against the store plus the changeset's pending
    puts and deletes of links and events. Raises :class:`LinkRejected` naming the first
    offending link (in key order) for, in this order:

    * a self-link;
    * an unknown or deleted cause or effect;
    * a cause whose earliest start is after its effect's latest end (the uncertain
      date bounds must make the order impossible, not merely unlikely);
    * a duplicate: a second live link between the same two events, whatever its
      relation or direction (one link per pair; change a relation by unlinking the
      old one in the same changeset);
    * a cycle among causal relations.

    Also re-checks the order of existing links whose events the changeset re-dates.
    """
    con = store._con
    for lk in sorted(links, key=lambda x: x.id):
        if lk.cause == lk.effect:
            raise LinkRejected(f"self-link: {lk.cause!r} cannot be its own cause", record=lk.id, field="effect")
    pl_frame, pe_frame = _pending_links(cs), cs.pending_events()
    puts_links = not pl_frame.filter(pl.col("op") == "put").is_empty()
    if not puts_links and pe_frame.filter(pl.col("op") == "put").is_empty():
        return
    with registered(con, _pl=pl_frame, _pe=pe_frame):
        if puts_links:
            _check_ends(con)
        _check_order(con)
        if puts_links:
            _check_duplicates(con)
            _check_cycles(con)


def _check_ends(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(f"""
        WITH {_EFFECTIVE}
        SELECT p.key, p.cause, p.effect, p.relation, c.key IS NULL AS no_cause
        FROM _pl p LEFT JOIN eff_events c ON c.key = p.cause LEFT JOIN eff_events e ON e.key = p.effect
        WHERE p.op = 'put' AND (c.key IS NULL OR e.key IS NULL)
        ORDER BY p.key LIMIT 1""").fetchall()
    if rows:
        key, cause, effect, relation, no_cause = rows[0]
        end, name = (cause, "cause") if no_cause else (effect, "effect")
        raise LinkRejected(f"unknown or deleted event {end!r}", record=key, field=name)


def _check_order(con: duckdb.DuckDBPyConnection) -> None:
    # New links, and existing links whose cause or effect the changeset re-dates.
    rows = con.execute(f"""
        WITH {_EFFECTIVE}
        SELECT l.key, l.cause, l.effect, l.relation, c.date, c.start, e.date, e."end", l.pending
        FROM eff_links l JOIN eff_events c ON c.key = l.cause JOIN eff_events e ON e.key = l.effect
        WHERE c.start > e."end"
          AND (l.pending OR EXISTS (SELECT 1 FROM _pe p WHERE p.op = 'put' AND p.key IN (l.cause, l.effect)))
        ORDER BY l.key LIMIT 1""").fetchall()
    if rows:
        raise _order_rejected(rows[0])


def _order_rejected(row: tuple[Any, ...]) -> LinkRejected:
    key, cause, effect, _relation, cdate, cstart, edate, eend, pending = row
    why = "" if pending else " (after this changeset re-dates an event)"
    return LinkRejected(
        f"impossible order{why}: the cause {cause!r} ({cdate}) starts on {cstart} at the earliest, "
        f"after the effect {effect!r} ({edate}) ended on {eend} at the latest",
        record=key,
    )


def check_redated_events(store: Store, cs: Changeset, events: pl.DataFrame) -> None:
    """The order check of a changeset that puts events but no links, over the links touching
    them only, whatever the store holds (a one-event commit cost a join of every live event
    before). ``events``: key, start, end, date of the put events.

    Two statements: the live links touching the events (none, usually, and then that is all),
    then the dates of their other ends by key. One statement joining the links' ends with the
    events scanned every event version even when no link touched the changeset.
    """
    con = store._con
    keys = events["key"].to_list()
    dropped = [k for k, v in cs.records("link").items() if v is None]  # unlinked in this changeset
    touching = con.execute(f"""
        SELECT l.key, l.cause, l.effect, l.relation FROM {_LINKS} l
        WHERE (list_contains(?, l.cause) OR list_contains(?, l.effect)) AND {_LIVE_L}
          AND NOT list_contains(?, l.key) ORDER BY l.key""", [keys, keys, dropped]).fetchall()
    if not touching:
        return
    ends = {k: (d, a, b) for k, a, b, d in events.select("key", "start", "end", "date").iter_rows()}
    others = sorted({k for _key, cause, effect, _rel in touching for k in (cause, effect)} - ends.keys())
    if others:
        rows = con.execute(f"""
            SELECT e.key, e.date, e.start, e."end" FROM {_EVENTS} e
            WHERE e.key IN ({", ".join("?" * len(others))}) AND {_LIVE_E}""", others).fetchall()
        ends.update({k: (d, a, b) for k, d, a, b in rows})
    for key, cause, effect, relation in touching:
        if cause not in ends or effect not in ends:
            continue  # a link to an event that is gone is not an order to check
        (cdate, cstart, _cend), (edate, _estart, eend) = ends[cause], ends[effect]
        if cstart is not None and eend is not None and cstart > eend:
            raise _order_rejected((key, cause, effect, relation, cdate, cstart, edate, eend, False))


def _check_duplicates(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(f"""
        WITH {_EFFECTIVE}
        SELECT p.key, p.cause, p.effect, p.relation, o.cause, o.effect, o.relation
        FROM eff_links p JOIN eff_links o
          ON o.key <> p.key AND least(o.cause, o.effect) = least(p.cause, p.effect)
                            AND greatest(o.cause, o.effect) = greatest(p.cause, p.effect)
        WHERE p.pending
        ORDER BY p.key, o.key LIMIT 1""").fetchall()
    if rows:
        key, cause, effect, relation, ocause, oeffect, orelation = rows[0]
        if (ocause, oeffect) == (cause, effect):
            what = (f"duplicate: {_arrow((ocause, oeffect, orelation))} already links these events "
                    "(one link per pair; unlink it in the same changeset to change the relation)")
        else:
            what = f"duplicate: the reverse link {_arrow((ocause, oeffect, orelation))} exists (two events cannot drive each other)"
        raise LinkRejected(what, record=key)


def _check_cycles(con: duckdb.DuckDBPyConnection) -> None:
    """Refuse a changeset that closes a cycle among causal links.

    The store's graph has no cycle (every commit checked it), so a new cycle runs
    through a pending link c -> e, and every event on it is reachable from e and
    reaches c. Only that subgraph is peeled (Kahn's algorithm in recursive SQL:
    repeatedly drop events whose causes are all dropped); whatever is left sits on
    or behind a cycle.
    """
    causal = list(CAUSAL_RELATIONS)
    left = con.execute(f"""
        WITH RECURSIVE {_EFFECTIVE},
        g AS (SELECT DISTINCT cause AS src, effect AS dst FROM eff_links WHERE list_contains(?, relation)),
        seeds AS (SELECT cause, effect FROM eff_links WHERE pending AND list_contains(?, relation)),
        fwd(node) AS (SELECT effect FROM seeds UNION SELECT g.dst FROM fwd JOIN g ON g.src = fwd.node),
        bwd(node) AS (SELECT cause FROM seeds UNION SELECT g.src FROM bwd JOIN g ON g.dst = bwd.node),
        sub AS (SELECT g.* FROM g SEMI JOIN fwd ON fwd.node = g.src SEMI JOIN fwd f2 ON f2.node = g.dst
                SEMI JOIN bwd ON bwd.node = g.src SEMI JOIN bwd b2 ON b2.node = g.dst),
        nodes AS (SELECT src AS node FROM sub UNION SELECT dst FROM sub),
        indeg AS (SELECT n.node, count(sub.src) AS k FROM nodes n LEFT JOIN sub ON sub.dst = n.node GROUP BY n.node),
        peel(node, done, k) USING KEY (node) AS (
            SELECT node, 0::BIGINT, k FROM indeg WHERE k = 0
            UNION
            SELECT sub.dst, coalesce(any_value(r.done), 0) + count(*), any_value(i.k)
            FROM peel p JOIN sub ON sub.src = p.node JOIN indeg i ON i.node = sub.dst
            LEFT JOIN recurring.peel r ON r.node = sub.dst
            WHERE p.done = p.k
            GROUP BY sub.dst
        )
        SELECT n.node FROM nodes n LEFT JOIN peel p ON p.node = n.node
        WHERE p.node IS NULL OR p.done < p.k""", [causal, causal]).fetchall()
    if not left:
        return
    remaining = sorted(r[0] for r in left)
    # Name one cycle: the first pending link whose effect leads back to its cause.
    pending = con.execute(f"""
        WITH {_EFFECTIVE}
        SELECT key, cause, effect, relation FROM eff_links
        WHERE pending AND list_contains(?, relation) AND list_contains(?, cause) AND list_contains(?, effect)
        ORDER BY key""", [causal, remaining, remaining]).fetchall()
    for key, cause, effect, _relation in pending[:50]:
        rows = con.execute(f"""
            WITH RECURSIVE {_EFFECTIVE},
            g AS (SELECT DISTINCT cause AS src, effect AS dst FROM eff_links
                  WHERE list_contains(?, relation) AND list_contains(?, cause) AND list_contains(?, effect)),
            walk(node, path) USING KEY (node) AS (
                SELECT ?::VARCHAR, [?::VARCHAR]
                UNION
                SELECT g.dst, min(list_append(w.path, g.dst)) FROM walk w JOIN g ON g.src = w.node
                LEFT JOIN recurring.walk r ON r.node = g.dst WHERE r.node IS NULL GROUP BY g.dst
            )
            SELECT path FROM walk WHERE node = ?""",
            [causal, remaining, remaining, effect, effect, cause]).fetchall()
        if rows:
            back = " -> ".join(rows[0][0])
            raise LinkRejected(f"cycle: {back} already leads back from the effect to the cause", record=key)
    raise LinkRejected(f"the changeset would create a cycle among the events {', '.join(remaining[:10])}")


# -- queries ------------------------------------------------------------------------------------
_LINK_COLUMNS = {
    "id": pl.String, "cause": pl.String, "cause_title": pl.String, "relation": pl.String, "effect": pl.String,
    "effect_title": pl.String, "confidence": pl.Float64, "basis": pl.String, "asserted_by": pl.String,
    "note": pl.String, "sources": pl.List(pl.Struct({"source": pl.String, "span_start": pl.Int32, "span_end": pl.Int32,
                                                     "quote": pl.String})),
    "version": pl.Int32, "changeset": pl.Int64, "changed_at": pl.Datetime("us", "UTC"), "author": pl.String,
}


def links(store: Store, *, event: list[str] | None = None, relation: list[str] | None = None,
          basis: list[str] | None = None, as_of: int | None = None) -> pl.DataFrame:
    """Links visible at changeset ``as_of`` (None: now) as a polars frame, sorted by key.

    ``event`` keeps links whose cause or effect is one of the ids; ``relation`` and
    ``basis`` ('source' or 'analyst') filter on those columns. ``sources`` lists the
    citations with their quotes (null when the store was built without the corpus).

    Example: ``store.links(event="2014-russia-annexes-crimea", basis="source")``
    """
    where, params = visible("l", as_of)
    ev_where, ev_params = visible("ev", as_of)
    conds = [where]
    many = event is not None and len(event) > FEW_EVENTS
    if many:
        # A chart's worth of events: a join on a table of them (binding a long list costs ~20 us an item).
        conds.append("(l.cause IN (SELECT key FROM _link_events) OR l.effect IN (SELECT key FROM _link_events))")
    elif event is not None:
        conds.append("(list_contains(?, l.cause) OR list_contains(?, l.effect))")
        params += [event, event]
    if relation is not None:
        conds.append("list_contains(?, l.relation)")
        params.append(relation)
    if basis is not None:
        conds.append("list_contains(?, l.basis)")
        params.append(basis)
    tables = {"_link_events": pl.DataFrame({"key": event}, schema={"key": pl.String})} if many else {}
    with registered(store._con, **tables):
        if not store._con.execute(f"SELECT count(*) FROM (SELECT 1 FROM {_LINKS} l WHERE {' AND '.join(conds)} LIMIT 1)",
                                  params).fetchall()[0][0]:
            # No link in view (the usual case): the events and the quotes are not read at all,
            # where the query below would scan both tables for nothing.
            return pl.DataFrame(schema=_LINK_COLUMNS)
        return _link_frame(store, conds, [*params, *ev_params], ev_where)


def _link_frame(store: Store, conds: list[str], params: list[Any], ev_where: str) -> pl.DataFrame:
    """links(): the selected links with their ends' titles, quotes and changesets."""
    sql = f"""
        WITH sel AS (
            SELECT l.*, from_json(coalesce(json_extract(l.data, '$.sources'), json_extract(l.data, '$.evidence'), '[]'),
                                  '[{{"source": "VARCHAR", "span": ["INTEGER"]}}]') AS ev
            FROM {_LINKS} l WHERE {" AND ".join(conds)}
        ),
        spans AS (
            SELECT s.key, u.i, u.x.source AS source, u.x.span[1] AS span_start, u.x.span[2] AS span_end
            FROM sel s, LATERAL (SELECT unnest(s.ev) AS x, generate_subscripts(s.ev, 1) AS i) u
        ),
        quoted AS (
            SELECT sp.key, list({{'source': sp.source, 'span_start': sp.span_start, 'span_end': sp.span_end,
                                 'quote': q.quote}} ORDER BY sp.i) AS cited
            FROM spans sp LEFT JOIN evidence q
              ON q.source = sp.source AND q.span_start = sp.span_start AND q.span_end = sp.span_end
            GROUP BY sp.key
        ),
        ev AS (SELECT ev.key, ev.title FROM {_EVENTS} ev
               WHERE ev.key IN (SELECT cause FROM sel UNION SELECT effect FROM sel) AND {ev_where})
        SELECT s.key AS id, s.cause, ce.title AS cause_title, s.relation, s.effect, ee.title AS effect_title,
               s.confidence, s.basis, s.asserted_by, coalesce(json_extract_string(s.data, '$.note'), '') AS note,
               coalesce(qd.cited, []) AS sources, s.version, s.changeset,
               c.committed_at AS changed_at, c.author
        FROM sel s JOIN changesets c ON c.id = s.changeset
        LEFT JOIN quoted qd ON qd.key = s.key
        LEFT JOIN ev ce ON ce.key = s.cause LEFT JOIN ev ee ON ee.key = s.effect
        ORDER BY s.key"""
    frame = frame_of(store._con.execute(sql, params))
    return frame.cast(_LINK_COLUMNS).select(list(_LINK_COLUMNS))  # type: ignore[arg-type]


def link_ends(store: Store, events: list[str], as_of: int | None = None) -> pl.DataFrame:
    """The links visible at ``as_of`` between two of ``events`` (a chart's rows): key, cause,
    effect, relation, confidence, sorted by key. Only the links table is read: a chart has its
    events' titles already, and looking them up again scanned every event version."""
    where, params = visible("l", as_of)
    with registered(store._con, _link_events=pl.DataFrame({"key": events}, schema={"key": pl.String})):
        return frame_of(store._con.execute(
            f"""SELECT l.key AS id, l.cause, l.effect, l.relation, l.confidence FROM {_LINKS} l
                WHERE {where} AND l.cause IN (SELECT key FROM _link_events)
                  AND l.effect IN (SELECT key FROM _link_events) ORDER BY l.key""", params))


_WALK_COLUMNS = {"id": pl.String, "distance": pl.Int32, "title": pl.String, "type": pl.String, "date": pl.String,
                 "path": pl.List(pl.String), "relations": pl.List(pl.String), "confidence": pl.Float64}


def _walk(store: Store, event_id: str, depth: int | None, as_of: int | None, upstream: bool) -> pl.DataFrame:
    _check_depth(depth)
    _require_event(store, event_id, as_of)
    live, live_params = _live_links_sql(as_of)
    ev_where, ev_params = visible("e", as_of)
    # Upstream walks follow links backwards (effect -> cause) and grow the path at its front,
    # so that path and relations always read in causal order.
    src, dst = ("effect", "cause") if upstream else ("cause", "effect")
    grow_path = "list_prepend(l.cause, w.path)" if upstream else "list_append(w.path, l.effect)"
    grow_rels = "list_prepend(l.relation, w.rels)" if upstream else "list_append(w.rels, l.relation)"
    limit = "AND w.dist < ?" if depth is not None else ""
    # USING KEY keeps one row per event: the first (shortest) time a walk reaches it.
    # Among paths of that length the most confident wins, then the alphabetically first.
    sql = f"""
        WITH RECURSIVE lk AS MATERIALIZED ({live}),
        walk(node, dist, path, rels, conf) USING KEY (node) AS (
            SELECT ?::VARCHAR, 0, [?::VARCHAR], []::VARCHAR[], 1.0::DOUBLE
            UNION
            SELECT l.{dst}, min(w.dist) + 1,
                   first({grow_path} ORDER BY w.conf * l.confidence DESC, {grow_path}),
                   first({grow_rels} ORDER BY w.conf * l.confidence DESC, {grow_path}),
                   max(w.conf * l.confidence)
            FROM walk w JOIN lk l ON l.{src} = w.node
            LEFT JOIN recurring.walk r ON r.node = l.{dst}
            WHERE r.node IS NULL {limit}
            GROUP BY l.{dst}
        )
        SELECT w.node AS id, w.dist AS distance, e.title, e.type, e.date, w.path, w.rels AS relations, w.conf AS confidence
        FROM walk w LEFT JOIN {_EVENTS} e ON e.key = w.node AND {ev_where}
        WHERE w.dist > 0
        ORDER BY w.dist, w.node"""
    params = [*live_params, event_id, event_id, *([depth] if depth is not None else []), *ev_params]
    frame = frame_of(store._con.execute(sql, params))
    return frame.cast(_WALK_COLUMNS).select(list(_WALK_COLUMNS))  # type: ignore[arg-type]


def causes(store: Store, event_id: str, *, depth: int | None = None, as_of: int | None = None) -> pl.DataFrame:
    """Every event upstream of ``event_id``: one row each with its shortest ``distance``
    (1 = a direct cause), ``path`` (event ids from it down to ``event_id``), the
    ``relations`` along that path and ``confidence`` (product of the link confidences).

    ``depth`` stops after that many links; ``as_of`` is a changeset id (None: now).
    NotFound when the event does not exist at ``as_of``.

    Example: ``store.causes("2014-russia-china-400bn-30-year-gas-deal", depth=2)``
    """
    return _walk(store, event_id, depth, as_of, upstream=True)


def effects(store: Store, event_id: str, *, depth: int | None = None, as_of: int | None = None) -> pl.DataFrame:
    """Every event downstream of ``event_id`` (see :func:`causes`; ``path`` starts at ``event_id``).

    Example: ``store.effects("2014-russia-annexes-crimea")``
    """
    return _walk(store, event_id, depth, as_of, upstream=False)


_PATH_COLUMNS = {"length": pl.Int32, "path": pl.List(pl.String), "relations": pl.List(pl.String),
                 "confidence": pl.Float64}


def paths(store: Store, cause_id: str, effect_id: str, *, max_depth: int = 8, as_of: int | None = None) -> pl.DataFrame:
    """Every causal chain (no event twice) of at most ``max_depth`` links from ``cause_id``
    to ``effect_id``: ``length``, ``path``, ``relations`` and ``confidence`` (product),
    shortest first, then most confident. Empty when the first does not lead to the second.

    Example: ``store.paths("2014-russia-annexes-crimea", "2014-russia-china-400bn-30-year-gas-deal")``
    """
    _check_depth(max_depth, "max_depth")
    if cause_id == effect_id:
        raise ValidationError(f"paths need two different events (got {cause_id!r} twice)", field="effect")
    _require_event(store, cause_id, as_of)
    _require_event(store, effect_id, as_of)
    live, live_params = _live_links_sql(as_of)
    # First the distance of every event that can still reach the target (one keyed walk
    # backwards), then enumerate chains forward only through those events, pruning any
    # chain that could not arrive within max_depth: the enumeration never wanders off.
    sql = f"""
        WITH RECURSIVE lk AS MATERIALIZED ({live}),
        tail(node, dist) USING KEY (node) AS (
            SELECT ?::VARCHAR, 0
            UNION
            SELECT l.cause, min(t.dist) + 1 FROM tail t JOIN lk l ON l.effect = t.node
            LEFT JOIN recurring.tail r ON r.node = l.cause
            WHERE r.node IS NULL AND t.dist < ?
            GROUP BY l.cause
        ),
        chain(node, path, rels, conf) AS (
            SELECT ?::VARCHAR, [?::VARCHAR], []::VARCHAR[], 1.0::DOUBLE
            UNION ALL
            SELECT l.effect, list_append(c.path, l.effect), list_append(c.rels, l.relation), c.conf * l.confidence
            FROM chain c JOIN lk l ON l.cause = c.node JOIN tail t ON t.node = l.effect
            WHERE c.node <> ? AND NOT list_contains(c.path, l.effect) AND len(c.path) + t.dist <= ?
        )
        SELECT len(path) - 1 AS length, path, rels AS relations, conf AS confidence
        FROM chain WHERE node = ?
        ORDER BY length, confidence DESC, path"""
    params = [*live_params, effect_id, max_depth, cause_id, cause_id, effect_id, max_depth, effect_id]
    frame = frame_of(store._con.execute(sql, params))
    return frame.cast(_PATH_COLUMNS).select(list(_PATH_COLUMNS))  # type: ignore[arg-type]
