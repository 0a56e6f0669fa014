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
import functools
import json
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

import duckdb
import polars as pl
import pyarrow as pa

from .._errors import EventlogError, NotFound, ValidationError
from .._frames import frame_of, registered, scanned
from .._models import Event, _Record, model_for_kind
from .backend import Backend
from .changeset import Changeset, CommitResult, dumps_info, rows_to_insert
from .schema import COMMON, KINDS, LIVE, SCHEMA_VERSION, ddl, existing_tables, visible

__all__ = ["Store"]

Filter = str | Sequence[str] | None
AsOf = int | str | dt.datetime | dt.date | None
F = TypeVar("F", bound=Callable[..., Any])

#: Up to this many keys a changeset looks its records up by a parameter list, above by a join.
_FEW_KEYS = 64


def _listify(value: Filter) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    out = [str(v) for v in value]
    return out or None


def _reads(method: F) -> F:
    """Run a method inside :meth:`Store.reading`: one connection for everything it reads."""

    @functools.wraps(method)
    def wrapper(self: Store, *args: Any, **kwargs: Any) -> Any:
        with self.reading():
            return method(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


class Store:
    """A versioned store of events, links, actors and sources.

    Open one with :func:`eventlog.open`. Every write goes through :meth:`change`.
    A store keeps its location, not a connection: each read opens the store, runs and
    closes it (:meth:`reading` makes several reads share one connection), and each commit
    opens it for writing only while it commits. See :mod:`eventlog._store.backend` for who
    waits for whom.
    """

    def __init__(self, backend: Backend, *, read_only: bool = False, create: bool = False):
        self._backend = backend
        self.location = backend.location
        self.read_only = read_only
        self._local = threading.local()
        self._init_schema(create)

    @property
    def backend(self) -> str:
        """'duckdb' for a file, 'ducklake' for a team store."""
        return self._backend.name

    # -- connections ------------------------------------------------------------------------------
    @contextlib.contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One read connection for every read inside the block, closed at its end.

        Reads that belong together (a widget refresh, ``show``, a timeline with its links)
        see one consistent state this way and pay for one open. Keep the block short: a
        commit by another process waits for it.
        """
        con = getattr(self._local, "con", None)
        if con is not None:
            yield con
            return
        with self._backend.connect(write=False) as con:
            self._local.con, self._local.write = con, False
            try:
                yield con
            finally:
                self._local.con = None

    @contextlib.contextmanager
    def _writing(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The connection a commit runs on (read-write, for the commit alone)."""
        if self.read_only:
            raise EventlogError(f"{self.location} is open read-only")
        con = getattr(self._local, "con", None)
        if con is not None:
            if self._local.write or not getattr(self._backend, "separate_writes", False):
                yield con
                return
            raise EventlogError("cannot commit inside store.reading(): end the reading block first")
        with self._backend.connect(write=True) as con:
            self._local.con, self._local.write = con, True
            try:
                yield con
            finally:
                self._local.con = None

    @property
    def _con(self) -> duckdb.DuckDBPyConnection:
        """The connection of the current :meth:`reading` block or commit."""
        con = getattr(self._local, "con", None)
        if con is None:
            raise EventlogError("internal error: a store read outside store.reading()")
        return con

    # -- lifecycle ------------------------------------------------------------------------------
    def _init_schema(self, create: bool) -> None:
        with self.reading() as con:
            tables = existing_tables(con)
            version = _schema_version(con) if "meta" in tables else None
        if "changesets" in tables:
            if version is not None and version > SCHEMA_VERSION:
                raise EventlogError(f"{self.location} was written by a newer eventlog (schema {version}, this one "
                                    f"knows {SCHEMA_VERSION}): upgrade eventlog to open it")
            if not self.read_only and not set(_SCHEMA_TABLES) <= tables:
                self._create_schema()  # an older store gains the tables added since (the merge base)
            return
        if not create or self.read_only:
            raise NotFound(f"{self.location} is not an eventlog store: build one with 'eventlog build --db {self.location}'")
        if tables:
            raise EventlogError(f"{self.location} is a database of something else ({len(tables)} other table(s)); "
                                "eventlog writes only to its own stores: choose a new file")
        self._create_schema()

    def _create_schema(self) -> None:
        def work() -> tuple[None, bool]:
            con = self._con
            if set(_SCHEMA_TABLES) <= existing_tables(con):
                return None, False
            for stmt in ddl(indexes=self._backend.indexes):
                con.execute(stmt)
            if not con.execute("SELECT count(*) FROM head").fetchall()[0][0]:
                con.execute("INSERT INTO head VALUES (0)")
                con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
                con.execute("INSERT INTO meta VALUES ('created_by', 'eventlog')")
            else:
                con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)])
            self._backend.label(con, "eventlog", "Create the eventlog store", {"schema": True})
            return None, True

        with self._writing() as con:
            # Two processes creating the same new lake: the loser retries and finds the tables.
            self._backend.transaction(con, work, retry_on=("already exists",))

    def close(self) -> None:
        """Let go of anything held (a file store holds nothing between operations)."""
        self._backend.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<eventlog.Store {self.location} ({self.backend})>"

    @_reads
    def sql(self, query: str, params: Sequence[Any] | dict | None = None) -> pl.DataFrame:
        """Run a read-only SQL query with bound parameters and return a polars frame.

        Example: ``store.sql("SELECT count(*) AS n FROM event_versions WHERE type = ?", ["visit"])``
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
        try:
            yield cs
        except BaseException:
            cs._closed = True
            raise
        cs._commit()

    def _run_commit(self, cs: Changeset) -> CommitResult:
        with self._writing() as con:
            return self._backend.transaction(con, lambda: self._commit_body(cs))

    def _commit_body(self, cs: Changeset) -> tuple[CommitResult, bool]:
        con = self._con
        last = con.execute("SELECT last_changeset FROM head").fetchall()[0][0]
        cs_id = int(last) + 1
        # Every commit updates this one row, so concurrent commits on a DuckLake
        # catalog conflict here and one of them retries: ids stay gapless and unique.
        con.execute("UPDATE head SET last_changeset = ?", [cs_id])
        from .checks import check_changeset

        check_changeset(self, cs)
        totals = [0, 0, 0, 0]
        for kind in ("actor", "source", "event", "link"):
            staged = cs._stage(kind)
            if staged is None:
                continue
            counts = self._write_kind(kind, staged, cs_id)
            totals = [a + b for a, b in zip(totals, counts, strict=True)]
        created, updated, deleted, unchanged = totals
        changed = created + updated + deleted > 0
        extra = bool(cs._after_write(cs_id if changed else int(last))) if cs._after_write is not None else False
        if not changed:
            if extra:  # bookkeeping only (the merge base): no changeset, so the head stays
                con.execute("UPDATE head SET last_changeset = ?", [int(last)])
            return CommitResult(None, 0, 0, 0, unchanged), extra
        at = cs.at or dt.datetime.now(dt.UTC)
        prev_at = con.execute("SELECT max(committed_at) FROM changesets").fetchall()[0][0]
        if prev_at is not None and at < prev_at:
            at = prev_at  # keep time monotonic so as_of a timestamp finds one changeset
        con.execute(
            "INSERT INTO changesets VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [cs_id, cs.author, cs.message, at, created, updated, deleted, dumps_info(cs.info)],
        )
        self._before_commit(cs_id, cs)
        return CommitResult(cs_id, created, updated, deleted, unchanged), True

    def _before_commit(self, cs_id: int, cs: Changeset) -> None:
        """Label the snapshot a backend makes of this commit (DuckLake); last step before COMMIT."""
        self._backend.label(self._con, cs.author, cs.message, {"changeset": cs_id, **({"info": cs.info} if cs.info else {})})

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

        def work() -> tuple[int, bool]:
            con = self._con
            # Touching the head row makes two team-store writers adding the same quote conflict,
            # and the retry's NOT EXISTS then sees the other's rows: no duplicated quotes.
            con.execute("UPDATE head SET last_changeset = last_changeset")
            with registered(con, _quotes=frame):
                n = con.execute(
                    "SELECT count(*) FROM _quotes q WHERE NOT EXISTS (SELECT 1 FROM evidence e WHERE e.source = q.source "
                    "AND e.span_start = q.span_start AND e.span_end = q.span_end)"
                ).fetchall()[0][0]
                con.execute(
                    "INSERT INTO evidence SELECT * FROM _quotes q WHERE NOT EXISTS (SELECT 1 FROM evidence e "
                    "WHERE e.source = q.source AND e.span_start = q.span_start AND e.span_end = q.span_end)"
                )
            self._backend.label(con, "eventlog", f"Keep {n} evidence quote(s)", {"evidence": n})
            return int(n), bool(n)

        with self._writing() as con:
            return self._backend.transaction(con, work)

    # -- time -----------------------------------------------------------------------------------
    @_reads
    def last_changeset(self) -> int:
        """The newest changeset id (0 for an empty store)."""
        return int(self._con.execute("SELECT coalesce(max(id), 0) FROM changesets").fetchall()[0][0])

    @_reads
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

    # -- reading --------------------------------------------------------------------------------
    @_reads
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
        where, params = visible("e", cs)
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
                   c.committed_at AS changed_at, c.author
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
                 "changed_at", "author"]
        return frame.select(order)

    @_reads
    def _actor_names(self, cs: int | None) -> dict[str, str]:
        where, params = visible("a", cs)
        return dict(self._con.execute(f"SELECT key, name FROM actor_versions a WHERE {where}", params).fetchall())

    @_reads
    def _actor_ids(self, wanted: list[str], cs: int | None) -> list[str]:
        """Actor ids for ids, display names or aliases (case-insensitive); unknown ones match nothing."""
        where, params = visible("a", cs)
        rows = self._con.execute(f"SELECT key, name, data FROM actor_versions a WHERE {where}", params).fetchall()
        lookup: dict[str, str] = {}
        for key, name, data in rows:
            lookup[key.lower()] = key
            lookup[name.lower()] = key
            for names in json.loads(data).get("aliases", {}).values():
                for n in names:
                    lookup.setdefault(n.lower(), key)
        return [lookup.get(w.lower(), w) for w in wanted]

    @_reads
    def _record_rows(self, kind: str, keys: Iterable[str] | None, cs: int | None) -> list[tuple[str, str]]:
        spec = KINDS[kind]
        where, params = visible("r", cs)
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

    @_reads
    def records(self, kind: str, *, as_of: AsOf = None) -> list[_Record]:
        """Every live record of a kind ('event', 'actor', 'source', 'link') as models."""
        if kind not in KINDS:
            raise ValidationError(f"unknown record kind {kind!r}; known: {', '.join(KINDS)}", field="kind")
        return list(self._current_records(kind, None, self.resolve_as_of(as_of)).values())

    @_reads
    def get(self, event_id: str, as_of: AsOf = None) -> Event:
        """One event as it is now (or was at ``as_of``); NotFound if it did not exist then."""
        cs = self.resolve_as_of(as_of)
        found = self._current_records("event", [event_id], cs)
        if event_id not in found:
            when = f" at changeset {cs}" if cs is not None else ""
            raise NotFound(f"no event {event_id!r}{when}")
        return found[event_id]  # type: ignore[return-value]

    @_reads
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

    @_reads
    def actors(self, *, as_of: AsOf = None) -> pl.DataFrame:
        """The actor registry: id, name, kind, affiliation."""
        recs = self.records("actor", as_of=as_of)
        return pl.DataFrame(
            [{"id": a.id, "name": a.name, "kind": a.kind, "affiliation": a.affiliation} for a in recs],  # type: ignore[attr-defined]
            schema={"id": pl.String, "name": pl.String, "kind": pl.String, "affiliation": pl.String},
        )

    @_reads
    def sources(self, *, as_of: AsOf = None) -> pl.DataFrame:
        """The source registry: id, title, publisher, language, published, file."""
        recs = self.records("source", as_of=as_of)
        cols = ["id", "title", "publisher", "language", "published", "file"]
        return pl.DataFrame([{c: getattr(s, c) for c in cols} for s in recs], schema=dict.fromkeys(cols, pl.String))

    # -- history --------------------------------------------------------------------------------
    @_reads
    def history(self, key: str, *, kind: str = "event") -> pl.DataFrame:
        """Every version of a record, oldest first: version, changeset, author, changed_at, message,
        operation (create/update/delete/restore), fields (what changed), reason."""
        from .history import history

        return history(self, key, kind)

    @_reads
    def log(self) -> pl.DataFrame:
        """Every changeset, newest first, with counts of what it did per kind."""
        from .history import log

        return log(self)

    @_reads
    def diff(self, a: AsOf, b: AsOf = None, *, kind: str | None = None) -> pl.DataFrame:
        """What changed between two points (changeset ids or timestamps; ``b`` defaults to now):
        one row per added or removed record and per changed field, with old and new value."""
        from .history import diff

        return diff(self, a, b, kind)

    @_reads
    def blame(self, key: str, *, kind: str = "event") -> pl.DataFrame:
        """For each field of the current version: its value and the version, changeset,
        author, time and message that set it."""
        from .history import blame

        return blame(self, key, kind)

    def revert(self, changeset: int, *, author: str, message: str | None = None) -> int | None:
        """Undo a changeset with a new changeset; VersionConflict if later work touched the same fields."""
        from .history import revert

        return revert(self, changeset, author=author, message=message)

    def revert_plan(self, changeset: int) -> pl.DataFrame:
        """What :meth:`revert` would write, without writing it: one row per record (kind, id,
        operation put/delete); VersionConflict when later work touched the same fields."""
        from .history import revert_plan

        _cs, _msg, plan = revert_plan(self, changeset)
        return pl.DataFrame([(k, key, "delete" if data is None else "put") for k, key, data, _v in plan],
                            schema={"kind": pl.String, "id": pl.String, "operation": pl.String}, orient="row")

    def unexported(self) -> pl.DataFrame:
        """Records changed in the store since the last build, not yet in events/ (kind, id):
        ``eventlog export`` writes them there."""
        from .merge import unexported

        return pl.DataFrame(unexported(self), schema={"kind": pl.String, "id": pl.String}, orient="row")

    # -- causal links ---------------------------------------------------------------------------
    @_reads
    def links(self, *, event: Filter = None, relation: Filter = None, basis: Filter = None, as_of: AsOf = None) -> pl.DataFrame:
        """Causal links (optionally touching ``event``, of a ``relation`` or ``basis``) as a polars frame."""
        from .links import links

        return links(self, event=_listify(event), relation=_listify(relation), basis=_listify(basis),
                     as_of=self.resolve_as_of(as_of))

    @_reads
    def causes(self, event_id: str, *, depth: int | None = None, as_of: AsOf = None) -> pl.DataFrame:
        """Every event upstream of ``event_id`` with its distance and the relation path (recursive SQL)."""
        from .links import causes

        return causes(self, event_id, depth=depth, as_of=self.resolve_as_of(as_of))

    @_reads
    def effects(self, event_id: str, *, depth: int | None = None, as_of: AsOf = None) -> pl.DataFrame:
        """Every event downstream of ``event_id`` with its distance and the relation path (recursive SQL)."""
        from .links import effects

        return effects(self, event_id, depth=depth, as_of=self.resolve_as_of(as_of))

    @_reads
    def paths(self, cause_id: str, effect_id: str, *, max_depth: int = 8, as_of: AsOf = None) -> pl.DataFrame:
        """The causal chains leading from ``cause_id`` to ``effect_id``."""
        from .links import paths

        return paths(self, cause_id, effect_id, max_depth=max_depth, as_of=self.resolve_as_of(as_of))

    def tag(self, *, add: Iterable[str] = (), remove: Iterable[str] = (), author: str, message: str,
            **filters: Any) -> CommitResult:
        """Add/remove tags on every event a query returns, in one changeset."""
        ids = self.query(**filters)["id"].to_list()
        with self.change(author=author, message=message) as cs:
            cs.tag(ids, add=add, remove=remove)
        assert cs.result is not None
        return cs.result

    @_reads
    def stats(self) -> dict[str, Any]:
        """Counts for a summary: events by type, records per kind, changesets, evidence."""
        con = self._con
        by_type = dict(
            con.execute(
                f"SELECT type, count(*) FROM event_versions WHERE {LIVE} GROUP BY type ORDER BY 2 DESC, 1"
            ).fetchall()
        )
        counts = {}
        for name, spec in KINDS.items():
            counts[name] = con.execute(f"SELECT count(*) FROM {spec.table} WHERE {LIVE}").fetchall()[0][0]
        versions = sum(con.execute(f"SELECT count(*) FROM {s.table}").fetchall()[0][0] for s in KINDS.values())
        n_cs = con.execute("SELECT count(*) FROM changesets").fetchall()[0][0]
        info = con.execute("SELECT info FROM changesets WHERE info LIKE '%evidence_checked%' ORDER BY id DESC LIMIT 1").fetchall()
        checked = json.loads(info[0][0]).get("evidence_checked") if info else None
        quotes = con.execute("SELECT count(*) FROM evidence").fetchall()[0][0]
        multi = con.execute(
            f"SELECT count(*) FROM event_versions WHERE {LIVE} AND len(sources) > 1"
        ).fetchall()[0][0]
        by_source = dict(
            con.execute(
                "SELECT s, count(*) FROM (SELECT unnest(sources) AS s FROM event_versions "
                f"WHERE {LIVE}) GROUP BY s ORDER BY 2 DESC, 1"
            ).fetchall()
        )
        disputed = con.execute(
            f"SELECT count(*) FROM event_versions WHERE {LIVE} AND status = 'disputed'"
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
    from .._dates import parse_edtf

    try:
        d = parse_edtf(str(value))
    except ValidationError as exc:
        raise ValidationError(exc.message, field=field) from None
    # A filter "start=2023" means from the first day of 2023; "end=2023" to its last day.
    bound = d.start if field == "start" else d.end
    if bound is None:
        raise ValidationError(f"{value!r} has no {field} bound", field=field)
    return bound


def _schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    rows = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
    try:
        return int(rows[0][0]) if rows else None
    except (TypeError, ValueError):
        return None


#: The tables every store has (a store missing one of them is upgraded on open).
_SCHEMA_TABLES = ("meta", "head", "changesets", "evidence", "base", *(k.table for k in KINDS.values()))
