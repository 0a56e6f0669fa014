"""The versioned store: open it, change it, query it, travel back in it.

>>> import eventlog, tempfile, os
>>> store = eventlog.open(os.path.join(tempfile.mkdtemp(), "doc.duckdb"), create=True)
>>> with store.change(author="ana", message="seed") as cs:
...     cs.put(eventlog.Actor(id="russia", name="Russia", kind="state"))
...     cs.put(eventlog.Event(id="e1", type="visit", title="A visit", date="2024-05", actors=["russia"]))
>>> store.query()["title"].to_list()
['A visit']
>>> store.close()
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pyarrow as pa

from ._changeset import Changeset, CommitAborted, CommitResult, dumps_info, rows_to_insert
from ._errors import EventlogError, NotFound, StoreLocked, ValidationError, VersionConflict
from ._frames import frame_of, registered, scanned
from ._models import Event, _Record, model_for_kind
from ._schema import COMMON, KINDS, SCHEMA_VERSION, ddl

__all__ = ["DEFAULT_PATH", "Store", "default_path", "open_store"]

DEFAULT_PATH = "eventlog.duckdb"
Filter = str | Sequence[str] | None
AsOf = int | str | dt.datetime | dt.date | None

_EVENT_FIELDS = list(Event.model_fields)


#: Up to this many keys a changeset looks its records up by a parameter list, above by a join.
_FEW_KEYS = 64


def default_path() -> str:
    """``$EVENTLOG_DB`` if set, else ``./eventlog.duckdb``."""
    return os.environ.get("EVENTLOG_DB") or DEFAULT_PATH


def _listify(value: Filter) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    out = [str(v) for v in value]
    return out or None


def _lock_error(path: str, exc: Exception) -> StoreLocked:
    pid = re.search(r"PID (\d+)", str(exc))
    who = f" (process {pid.group(1)})" if pid else ""
    return StoreLocked(f"{path}: another process{who} is using the store; wait for it to finish or close it")


def _connect_file(path: str, read_only: bool, create: bool) -> duckdb.DuckDBPyConnection:
    p = Path(path)
    if not p.exists():
        if not create or read_only:
            raise NotFound(f"no store at {path}: build one with 'make store' or 'eventlog build --db {path}'")
        p.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(p), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise _lock_error(path, exc) from None
        raise EventlogError(f"{path}: cannot open store ({exc})") from None
    except duckdb.Error as exc:
        raise EventlogError(f"{path}: not an eventlog store ({exc})") from None
    return con


def _is_conflict(exc: Exception) -> bool:
    text = str(exc).lower()
    return "conflict" in text and isinstance(exc, duckdb.Error)


class Store:
    """A versioned store of events, links, actors and sources.

    Open one with :func:`eventlog.open`. Every write goes through :meth:`change`.
    """

    #: How often a commit that lost a race with another writer is retried.
    MAX_RETRIES = 20

    def __init__(self, con: duckdb.DuckDBPyConnection, location: str, *, backend: str = "duckdb", read_only: bool = False):
        self._con = con
        self.location = location
        self.backend = backend
        self.read_only = read_only
        self._con.execute("SET TimeZone = 'UTC'")
        if not read_only:
            self._ensure_schema()
        else:
            tables = {r[0] for r in self._con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
            if "changesets" not in tables:
                raise NotFound(f"{location} is not an eventlog store: build one with 'eventlog build --db {location}'")

    # -- lifecycle ------------------------------------------------------------------------------
    def _ensure_schema(self) -> None:
        for stmt in ddl(indexes=self.backend == "duckdb"):
            self._con.execute(stmt)
        if not self._con.execute("SELECT count(*) FROM head").fetchall()[0][0]:
            self._con.execute("INSERT INTO head VALUES (0)")
            self._con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])

    def close(self) -> None:
        """Close the connection (the store file stays)."""
        with contextlib.suppress(duckdb.Error):
            self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<eventlog.Store {self.location} ({self.backend})>"

    def sql(self, query: str, params: Sequence[Any] | dict | None = None) -> pl.DataFrame:
        """Run a read-only SQL query with bound parameters and return a polars frame.

        >>> # store.sql("SELECT count(*) AS n FROM event_versions WHERE type = ?", ["visit"])
        """
        return frame_of(self._con.execute(query, params or []))

    # -- writing --------------------------------------------------------------------------------
    @contextlib.contextmanager
    def change(self, *, author: str, message: str, at: dt.datetime | None = None, info: dict | None = None) -> Iterator[Changeset]:
        """Collect writes and commit them as one changeset when the block ends.

        An exception inside the block, or a failed check at commit, leaves the
        store exactly as it was.
        """
        if self.read_only:
            raise EventlogError(f"{self.location} is open read-only")
        cs = Changeset(self, author, message, at=at, info=info)
        yield cs
        cs._commit()

    def _run_commit(self, cs: Changeset) -> CommitResult:
        last_exc: Exception | None = None
        for _attempt in range(self.MAX_RETRIES):
            try:
                return self._commit_once(cs)
            except CommitAborted as exc:
                last_exc = exc
        raise VersionConflict(f"gave up after {self.MAX_RETRIES} attempts: other writers kept committing ({last_exc})")

    def _commit_once(self, cs: Changeset) -> CommitResult:
        con = self._con
        con.execute("BEGIN TRANSACTION")
        try:
            last = con.execute("SELECT last_changeset FROM head").fetchall()[0][0]
            cs_id = int(last) + 1
            # Every commit updates this one row, so concurrent commits on a DuckLake
            # catalog conflict here and one of them retries: ids stay gapless and unique.
            con.execute("UPDATE head SET last_changeset = ?", [cs_id])
            from ._checks import check_changeset

            check_changeset(self, cs)
            totals = [0, 0, 0, 0]
            for kind in ("actor", "source", "event", "link"):
                staged = cs._stage(kind)
                if staged is None:
                    continue
                counts = self._write_kind(kind, staged, cs_id)
                totals = [a + b for a, b in zip(totals, counts, strict=True)]
            created, updated, deleted, unchanged = totals
            if created + updated + deleted == 0:
                con.execute("ROLLBACK")
                return CommitResult(None, 0, 0, 0, unchanged)
            at = cs.at or dt.datetime.now(dt.UTC)
            prev_at = con.execute("SELECT max(committed_at) FROM changesets").fetchall()[0][0]
            if prev_at is not None and at < prev_at:
                at = prev_at  # keep time monotonic so as_of a timestamp finds one changeset
            con.execute(
                "INSERT INTO changesets VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [cs_id, cs.author, cs.message, at, created, updated, deleted, dumps_info(cs.info)],
            )
            self._before_commit(cs_id, cs)
            con.execute("COMMIT")
            return CommitResult(cs_id, created, updated, deleted, unchanged)
        except BaseException as exc:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            if isinstance(exc, duckdb.Error) and _is_conflict(exc):
                raise CommitAborted(str(exc)) from exc
            raise

    def _before_commit(self, cs_id: int, cs: Changeset) -> None:
        """Hook for backends that label their own snapshots (DuckLake)."""

    def _write_kind(self, kind: str, staged: pl.DataFrame, cs_id: int) -> tuple[int, int, int, int]:
        spec = KINDS[kind]
        con = self._con
        keys = staged["key"].to_list()
        if len(keys) <= _FEW_KEYS:
            # A small changeset (an analyst's edit): filter on the keys alone first, which lets
            # DuckDB skip most of the table instead of scanning every live row.
            marks = ", ".join("?" * len(keys))
            current = frame_of(con.execute(
                f"WITH c AS MATERIALIZED (SELECT key, version, op, data, superseded_by FROM {spec.table} "
                f"WHERE key IN ({marks})) SELECT key, version, op, data FROM c WHERE superseded_by IS NULL",
                keys,
            ))
        else:
            with registered(con, _staged_keys=staged.select("key")):
                current = frame_of(con.execute(
                    f"SELECT key, version, op, data FROM {spec.table} "
                    "WHERE superseded_by IS NULL AND key IN (SELECT key FROM _staged_keys)"
                ))
        if current.is_empty():
            current = pl.DataFrame(schema={"key": pl.String, "version": pl.Int32, "op": pl.String, "data": pl.String})
        todo, created, updated, deleted, unchanged = rows_to_insert(staged, current, kind)
        if todo.height:
            # Only keys with a current version have one to supersede: none in a build of new records.
            superseded = todo.filter(pl.col("version") > 1).select("key")
            self._append_versions(kind, todo.with_columns(changeset=pl.lit(cs_id, pl.Int64)), cs_id, superseded)
        return created, updated, deleted, unchanged

    def _append_versions(self, kind: str, rows: pl.DataFrame, cs_id: int, superseded: pl.DataFrame | None = None) -> None:
        """Add version rows written by changeset ``cs_id`` and mark the versions they supersede.

        ``superseded`` (a frame with a key column) names the keys among ``rows`` that have a
        current version; None means any of them may have one.
        """
        spec = KINDS[kind]
        cols = [*COMMON, *spec.columns]
        rows = rows.with_columns(superseded_by=pl.lit(None, pl.Int64)).select(cols)
        quoted = ", ".join(f'"{c}"' for c in cols)
        keys = rows.select("key") if superseded is None else superseded
        if keys.height:
            with registered(self._con, _superseded_keys=keys):
                self._con.execute(
                    f"UPDATE {spec.table} SET superseded_by = ? WHERE superseded_by IS NULL "
                    "AND key IN (SELECT key FROM _superseded_keys)",
                    [cs_id],
                )
        with scanned(self._con, "_new_rows", rows):
            self._con.execute(f"INSERT INTO {spec.table} ({quoted}) SELECT {quoted} FROM _new_rows")

    def add_evidence(self, quotes: dict[tuple[str, int, int], str]) -> int:
        """Keep quotes of document spans (source, start, end) -> text; returns how many were new."""
        if not quotes:
            return 0
        frame = pl.DataFrame(
            [(s, a, b, q) for (s, a, b), q in quotes.items()],
            schema={"source": pl.String, "span_start": pl.Int32, "span_end": pl.Int32, "quote": pl.String},
            orient="row",
        )
        con = self._con
        with registered(con, _quotes=frame):
            n = con.execute(
                "SELECT count(*) FROM _quotes q WHERE NOT EXISTS (SELECT 1 FROM evidence e WHERE e.source = q.source "
                "AND e.span_start = q.span_start AND e.span_end = q.span_end)"
            ).fetchall()[0][0]
            con.execute(
                "INSERT INTO evidence SELECT * FROM _quotes q WHERE NOT EXISTS (SELECT 1 FROM evidence e "
                "WHERE e.source = q.source AND e.span_start = q.span_start AND e.span_end = q.span_end)"
            )
        return int(n)

    # -- time -----------------------------------------------------------------------------------
    def last_changeset(self) -> int:
        """The newest changeset id (0 for an empty store)."""
        return int(self._con.execute("SELECT coalesce(max(id), 0) FROM changesets").fetchall()[0][0])

    def resolve_as_of(self, as_of: AsOf) -> int | None:
        """A changeset id for ``as_of`` (an id, or a timestamp meaning "the store as it was then")."""
        if as_of is None:
            return None
        if isinstance(as_of, bool):
            raise ValidationError(f"as_of must be a changeset id or a timestamp, not {as_of!r}", field="as_of")
        if isinstance(as_of, int) or (isinstance(as_of, str) and as_of.strip().isdigit()):
            cid = int(as_of)
            rows = self._con.execute("SELECT id FROM changesets WHERE id = ?", [cid]).fetchall()
            if not rows:
                raise NotFound(f"no changeset {cid} (the newest is {self.last_changeset()})")
            return cid
        ts = _parse_timestamp(as_of)
        rows = self._con.execute("SELECT max(id), (SELECT min(committed_at) FROM changesets) FROM changesets WHERE committed_at <= ?", [ts]).fetchall()
        cid, first = rows[0]
        if cid is None:
            first_txt = f" (the first is at {first:%Y-%m-%d %H:%M:%S} UTC)" if first else " (the store is empty)"
            raise ValidationError(f"as_of {ts.isoformat()} is before the first changeset{first_txt}", field="as_of")
        return int(cid)

    @staticmethod
    def _visible(alias: str, cs: int | None) -> tuple[str, list[Any]]:
        """SQL condition (and its parameters) for rows visible at changeset ``cs`` (None: now)."""
        if cs is None:
            return f"{alias}.superseded_by IS NULL AND {alias}.op = 'put'", []
        return (
            f"{alias}.changeset <= ? AND ({alias}.superseded_by IS NULL OR {alias}.superseded_by > ?) AND {alias}.op = 'put'",
            [cs, cs],
        )

    # -- reading --------------------------------------------------------------------------------
    def query(
        self,
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
        as_of: AsOf = None,
    ) -> pl.DataFrame:
        """Events matching every given filter, as a polars DataFrame sorted by start then id.

        Each filter takes one value or a list (any of them matches). ``start``/``end``
        keep events whose [start, end] overlaps the range; ``actor`` takes ids or names;
        ``text`` matches title or summary literally, ignoring case; ``as_of`` is a
        changeset id or a timestamp.
        """
        cs = self.resolve_as_of(as_of)
        where, params = self._visible("e", cs)
        conds = [where]
        if (types := _listify(type)) is not None:
            conds.append("list_contains(?, e.type)")
            params.append(types)
        if (actors := _listify(actor)) is not None:
            conds.append("list_has_any(e.actors, ?)")
            params.append(self._actor_ids(actors, cs))
        if start is not None:
            conds.append('e."end" >= ?')
            params.append(_parse_day(start, "start"))
        if end is not None:
            conds.append("e.start <= ?")
            params.append(_parse_day(end, "end"))
        if (texts := _listify(text)) is not None:
            # contains() matches literally: %, _ and quotes in the user's text are just characters.
            conds.append(
                "(" + " OR ".join(["contains(lower(e.title), lower(?)) OR contains(lower(e.summary), lower(?))"] * len(texts)) + ")"
            )
            for t in texts:
                params += [t, t]
        for col, values in (("tags", tag), ("sources", source)):
            if (vals := _listify(values)) is not None:
                conds.append(f"list_has_any(e.{col}, ?)")
                params.append(vals)
        if (statuses := _listify(status)) is not None:
            conds.append("list_contains(?, e.status)")
            params.append(statuses)
        if (ids := _listify(id)) is not None:
            conds.append("list_contains(?, e.key)")
            params.append(ids)
        sql = f"""
            SELECT e.key AS id, e.type, e.title, e.summary, e.date, e.start, e."end", e.precision,
                   e.actors AS actor_ids, e.tags, e.sources, len(e.sources) AS n_sources, e.amounts,
                   e.confidence, e.status, e.location, e.version, e.changeset,
                   c.committed_at AS changed_at, c.author AS changed_by
            FROM event_versions e JOIN changesets c ON c.id = e.changeset
            WHERE {" AND ".join(conds)}
            ORDER BY e.start, e.key
        """
        frame = frame_of(self._con.execute(sql, params))
        names = self._actor_names(cs)
        actors_col = frame["actor_ids"].list.eval(pl.element().replace(names)) if frame.height else frame["actor_ids"]
        frame = frame.with_columns(actors=actors_col)
        order = ["id", "type", "title", "summary", "date", "start", "end", "precision", "actors", "actor_ids", "tags",
                 "sources", "n_sources", "amounts", "confidence", "status", "location", "version", "changeset",
                 "changed_at", "changed_by"]
        return frame.select(order)

    def _actor_names(self, cs: int | None) -> dict[str, str]:
        where, params = self._visible("a", cs)
        return dict(self._con.execute(f"SELECT key, name FROM actor_versions a WHERE {where}", params).fetchall())

    def _actor_ids(self, wanted: list[str], cs: int | None) -> list[str]:
        """Actor ids for ids, display names or aliases (case-insensitive); unknown ones match nothing."""
        where, params = self._visible("a", cs)
        rows = self._con.execute(f"SELECT key, name, data FROM actor_versions a WHERE {where}", params).fetchall()
        lookup: dict[str, str] = {}
        for key, name, data in rows:
            lookup[key.lower()] = key
            lookup[name.lower()] = key
            for names in json.loads(data).get("aliases", {}).values():
                for n in names:
                    lookup.setdefault(n.lower(), key)
        return [lookup.get(w.lower(), w) for w in wanted]

    def _record_rows(self, kind: str, keys: Iterable[str] | None, cs: int | None) -> list[tuple[str, str]]:
        spec = KINDS[kind]
        where, params = self._visible("r", cs)
        if keys is None:
            return self._con.execute(f"SELECT key, data FROM {spec.table} r WHERE {where} ORDER BY key", params).fetchall()
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return []
        if len(wanted) == 1:
            # Filter on the key alone first: DuckDB then skips most of the table, while
            # "key = ? AND superseded_by IS NULL AND ..." scans every row (10x slower at 500k versions).
            return self._con.execute(
                f"WITH r AS MATERIALIZED (SELECT * FROM {spec.table} WHERE key = ?) SELECT key, data FROM r r WHERE {where}",
                [wanted[0], *params],
            ).fetchall()
        # Many keys: a semi-join on a registered table (list_contains(?, key) is quadratic: 20k keys took 20 s).
        with registered(self._con, _wanted_keys=pa.table({"key": pa.array(wanted, pa.string())})):
            return self._con.execute(
                f"SELECT r.key, r.data FROM {spec.table} r SEMI JOIN _wanted_keys w ON r.key = w.key WHERE {where} ORDER BY r.key",
                params,
            ).fetchall()

    def _current_records(self, kind: str, keys: Iterable[str] | None = None, as_of: int | None = None) -> dict[str, _Record]:
        model = model_for_kind(kind)
        return {k: model.model_validate_json(d) for k, d in self._record_rows(kind, keys, as_of)}

    def records(self, kind: str, *, as_of: AsOf = None) -> list[_Record]:
        """Every live record of a kind ('event', 'actor', 'source', 'link') as models."""
        if kind not in KINDS:
            raise ValidationError(f"unknown record kind {kind!r}; known: {', '.join(KINDS)}", field="kind")
        return list(self._current_records(kind, None, self.resolve_as_of(as_of)).values())

    def get(self, event_id: str, as_of: AsOf = None) -> Event:
        """One event as it is now (or was at ``as_of``); NotFound if it did not exist then."""
        cs = self.resolve_as_of(as_of)
        found = self._current_records("event", [event_id], cs)
        if event_id not in found:
            when = f" at changeset {cs}" if cs is not None else ""
            raise NotFound(f"no event {event_id!r}{when}")
        return found[event_id]  # type: ignore[return-value]

    def evidence(self, event_id: str, as_of: AsOf = None) -> pl.DataFrame:
        """The event's sources with their spans and quotes (quote is null when the corpus was not available)."""
        ev = self.get(event_id, as_of)
        rows = [(s.source, s.span[0], s.span[1], s.note) for s in ev.sources]
        frame = pl.DataFrame(rows, schema={"source": pl.String, "span_start": pl.Int32, "span_end": pl.Int32, "note": pl.String}, orient="row")
        if frame.is_empty():
            return frame.with_columns(quote=pl.lit(None, pl.String))
        with registered(self._con, _refs=frame):
            return frame_of(self._con.execute(
                "SELECT r.*, e.quote FROM _refs r LEFT JOIN evidence e ON e.source = r.source "
                "AND e.span_start = r.span_start AND e.span_end = r.span_end ORDER BY r.source, r.span_start"
            ))

    def actors(self, *, as_of: AsOf = None) -> pl.DataFrame:
        """The actor registry: id, name, kind, affiliation."""
        recs = self.records("actor", as_of=as_of)
        return pl.DataFrame(
            [{"id": a.id, "name": a.name, "kind": a.kind, "affiliation": a.affiliation} for a in recs],  # type: ignore[attr-defined]
            schema={"id": pl.String, "name": pl.String, "kind": pl.String, "affiliation": pl.String},
        )

    def sources(self, *, as_of: AsOf = None) -> pl.DataFrame:
        """The source registry: id, title, publisher, language, published, file."""
        recs = self.records("source", as_of=as_of)
        cols = ["id", "title", "publisher", "language", "published", "file"]
        return pl.DataFrame([{c: getattr(s, c) for c in cols} for s in recs], schema=dict.fromkeys(cols, pl.String))

    # -- history --------------------------------------------------------------------------------
    def history(self, key: str, *, kind: str = "event") -> pl.DataFrame:
        """Every version of a record, oldest first: version, changeset, author, at, message,
        operation (create/update/delete/restore), fields (what changed), reason."""
        from ._history import history

        return history(self, key, kind)

    def log(self) -> pl.DataFrame:
        """Every changeset, newest first, with counts of what it did per kind."""
        from ._history import log

        return log(self)

    def diff(self, a: AsOf, b: AsOf = None, *, kind: str | None = None) -> pl.DataFrame:
        """What changed between two points (changeset ids or timestamps; ``b`` defaults to now):
        one row per added or removed record and per changed field, with old and new value."""
        from ._history import diff

        return diff(self, a, b, kind)

    def blame(self, key: str, *, kind: str = "event") -> pl.DataFrame:
        """For each field of the current version: its value and the version, changeset,
        author, time and message that set it."""
        from ._history import blame

        return blame(self, key, kind)

    def revert(self, changeset: int, *, author: str, message: str | None = None) -> int | None:
        """Undo a changeset with a new changeset; VersionConflict if later work touched the same fields."""
        from ._history import revert

        return revert(self, changeset, author=author, message=message)

    # -- causal links ---------------------------------------------------------------------------
    def links(self, *, event: Filter = None, relation: Filter = None, basis: Filter = None, as_of: AsOf = None) -> pl.DataFrame:
        """Causal links (optionally touching ``event``, of a ``relation`` or ``basis``) as a polars frame."""
        from ._links import links

        return links(self, event=_listify(event), relation=_listify(relation), basis=_listify(basis),
                     as_of=self.resolve_as_of(as_of))

    def causes(self, event_id: str, *, depth: int | None = None, as_of: AsOf = None) -> pl.DataFrame:
        """Every event upstream of ``event_id`` with its distance and the relation path (recursive SQL)."""
        from ._links import causes

        return causes(self, event_id, depth=depth, as_of=self.resolve_as_of(as_of))

    def effects(self, event_id: str, *, depth: int | None = None, as_of: AsOf = None) -> pl.DataFrame:
        """Every event downstream of ``event_id`` with its distance and the relation path (recursive SQL)."""
        from ._links import effects

        return effects(self, event_id, depth=depth, as_of=self.resolve_as_of(as_of))

    def paths(self, cause_id: str, effect_id: str, *, max_depth: int = 8, as_of: AsOf = None) -> pl.DataFrame:
        """The causal chains leading from ``cause_id`` to ``effect_id``."""
        from ._links import paths

        return paths(self, cause_id, effect_id, max_depth=max_depth, as_of=self.resolve_as_of(as_of))

    def tag(self, *, add: Iterable[str] = (), remove: Iterable[str] = (), author: str, message: str,
            **filters: Any) -> CommitResult:
        """Add/remove tags on every event a query returns, in one changeset."""
        ids = self.query(**filters)["id"].to_list()
        with self.change(author=author, message=message) as cs:
            cs.tag(ids, add=add, remove=remove)
        assert cs.result is not None
        return cs.result

    def stats(self) -> dict[str, Any]:
        """Counts for a summary: events by type, records per kind, changesets, evidence."""
        con = self._con
        by_type = dict(
            con.execute(
                "SELECT type, count(*) FROM event_versions WHERE superseded_by IS NULL AND op = 'put' GROUP BY type ORDER BY 2 DESC, 1"
            ).fetchall()
        )
        counts = {}
        for name, spec in KINDS.items():
            counts[name] = con.execute(f"SELECT count(*) FROM {spec.table} WHERE superseded_by IS NULL AND op = 'put'").fetchall()[0][0]
        versions = sum(con.execute(f"SELECT count(*) FROM {s.table}").fetchall()[0][0] for s in KINDS.values())
        n_cs = con.execute("SELECT count(*) FROM changesets").fetchall()[0][0]
        info = con.execute("SELECT info FROM changesets WHERE info LIKE '%evidence_checked%' ORDER BY id DESC LIMIT 1").fetchall()
        checked = json.loads(info[0][0]).get("evidence_checked") if info else None
        quotes = con.execute("SELECT count(*) FROM evidence").fetchall()[0][0]
        multi = con.execute(
            "SELECT count(*) FROM event_versions WHERE superseded_by IS NULL AND op = 'put' AND len(sources) > 1"
        ).fetchall()[0][0]
        by_source = dict(
            con.execute(
                "SELECT s, count(*) FROM (SELECT unnest(sources) AS s FROM event_versions "
                "WHERE superseded_by IS NULL AND op = 'put') GROUP BY s ORDER BY 2 DESC, 1"
            ).fetchall()
        )
        disputed = con.execute(
            "SELECT count(*) FROM event_versions WHERE superseded_by IS NULL AND op = 'put' AND status = 'disputed'"
        ).fetchall()[0][0]
        return {
            "events_by_type": by_type,
            "events_by_source": by_source,
            "records": counts,
            "versions": versions,
            "changesets": n_cs,
            "evidence_checked": checked,
            "quotes": quotes,
            "multi_source_events": multi,
            "disputed_events": disputed,
        }


def _parse_timestamp(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        ts = value
    elif isinstance(value, dt.date):
        ts = dt.datetime(value.year, value.month, value.day, 23, 59, 59, 999999)
    elif isinstance(value, str):
        try:
            ts = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError(
                f"as_of {value!r} is neither a changeset id nor an ISO timestamp (e.g. 2024-05-16T12:00:00Z)", field="as_of"
            ) from None
        if len(value.strip()) == 10:  # a bare date means the end of that day
            ts = ts.replace(hour=23, minute=59, second=59, microsecond=999999)
    else:
        raise ValidationError(f"as_of must be a changeset id or a timestamp, not {value!r}", field="as_of")
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=dt.UTC)
    return ts


def _parse_day(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    from ._dates import parse_edtf

    try:
        d = parse_edtf(str(value))
    except ValidationError as exc:
        raise ValidationError(exc.message, field=field) from None
    # A filter "start=2023" means from the first day of 2023; "end=2023" to its last day.
    bound = d.start if field == "start" else d.end
    if bound is None:
        raise ValidationError(f"{value!r} has no {field} bound", field=field)
    return bound


def open_store(path: str | os.PathLike[str] | None = None, *, read_only: bool = False, create: bool = False, **options: Any) -> Store:
    """Open a store. ``path`` is a DuckDB file (default ``$EVENTLOG_DB`` or ./eventlog.duckdb)
    or a ``ducklake:`` location (see README, team store)."""
    location = str(path) if path is not None else default_path()
    if location.startswith("ducklake:"):
        from ._lake import open_lake

        return open_lake(location, read_only=read_only, create=create, **options)
    if options:
        raise ValidationError(f"unknown option(s) for a DuckDB file store: {', '.join(options)}")
    con = _connect_file(location, read_only, create)
    try:
        return Store(con, location, read_only=read_only)
    except duckdb.Error as exc:
        con.close()
        raise EventlogError(f"{location}: cannot open store ({exc})") from None
