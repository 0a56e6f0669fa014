"""The versioned store: open it, change it, query it, travel back in it.

>>> import eventlog, tempfile, os
>>> store = eventlog.open(os.path.join(tempfile.mkdtemp(), "doc.duckdb"), create=True)
>>> with store.change(author="ana", message="seed") as cs:
...     cs.put(eventlog.Actor(id="russia", name="Russia", category="state"))
...     cs.put(eventlog.Event(id="e1", type="visit", title="A visit", date="2024-05", actors=["russia"]))
>>> store.query()["title"].to_list()
['A visit']
>>> store.close()
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

import duckdb
import polars as pl

from .._dates import parse_timestamp
from .._errors import EventlogError, NotFound, ValidationError
from .._frames import frame_of, registered
from .._models import BaseRecord, Event, model_for_kind
from .._taxonomy import BASES, RELATIONS, unknown
from .backend import Backend
from .changeset import Changeset, CommitResult
from .commit import add_evidence, commit_body
from .query import (
    COLUMNS,
    Filter,
    citation_grades,
    closed,
    count_events,
    first_quotes,
    listify,
    query_events,
    record_rows,
)
from .readsql import check_read_statement, prepare
from .schema import KINDS, SCHEMA_VERSION, ddl, existing_tables
from .stats import stats

__all__ = ["Store"]

AsOf = int | str | dt.datetime | dt.date | None
F = TypeVar("F", bound=Callable[..., Any])


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
        if "changesets" in tables and version is not None:
            if version > SCHEMA_VERSION:
                raise EventlogError(f"{self.location} was written by a newer eventlog (schema {version}, this one "
                                    f"knows {SCHEMA_VERSION}): upgrade eventlog to open it")
            if not self.read_only and (version < SCHEMA_VERSION or not set(_SCHEMA_TABLES) <= tables):
                self._create_schema()  # an older store is upgraded: the tables and columns added since
            return
        if tables:
            # Ours are marked by meta.schema_version; anything else is another program's database.
            raise EventlogError(f"{self.location} is a database of something else ({len(tables)} other table(s)); "
                                "eventlog writes only to its own stores: choose a new file")
        if not create or self.read_only:
            raise NotFound(f"{self.location} is not an eventlog store: build one with 'eventlog build --db {self.location}'")
        self._create_schema()

    def _create_schema(self) -> None:
        def work() -> tuple[None, bool]:
            con = self._con
            tables = existing_tables(con)
            version = _schema_version(con) if "meta" in tables else None
            if set(_SCHEMA_TABLES) <= tables and version == SCHEMA_VERSION:
                return None, False
            for stmt in ddl(indexes=self._backend.indexes):
                con.execute(stmt)
            if not con.execute("SELECT count(*) FROM head").fetchall()[0][0]:
                con.execute("INSERT INTO head VALUES (0)")
                con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
                con.execute("INSERT INTO meta VALUES ('created_by', 'eventlog')")
            else:
                con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)])
                # An upgraded store's records may be rewritten by the next build even from the
                # same files: the last build's fingerprint no longer lets it skip.
                con.execute("DELETE FROM meta WHERE key = 'build_fingerprint'")
            self._backend.label(con, "eventlog", "Create the eventlog store", {"schema": True})
            return None, True

        def rename_actor_kind() -> tuple[None, bool]:
            # Schema 3: an actor's kind is its category. Its own transaction: DuckDB 1.5 aborts the
            # process when an index is dropped, its table's column renamed and the index re-created
            # in one transaction. Idempotent, so a crash between the two transactions is harmless.
            con = self._con
            columns = {r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'actor_versions' "
                "AND table_catalog = current_database()").fetchall()}
            if "kind" not in columns or "category" in columns:
                return None, False
            if self._backend.indexes:  # DuckDB cannot rename a column of an indexed table
                con.execute("DROP INDEX IF EXISTS actor_versions_key")
            con.execute("ALTER TABLE actor_versions RENAME COLUMN kind TO category")
            return None, True

        def split_versions() -> tuple[None, bool]:
            # Schema 5: a DuckDB file's version tables become main and recent behind a view of
            # the old name. The old table is renamed (its index dropped: DuckDB cannot rename an
            # indexed table) in its own transaction, as above; work() then makes the indexes,
            # the recent tables and the views. Idempotent for the same reason.
            if not self._backend.indexes:
                return None, False
            con = self._con
            plain = {r[0] for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database() "
                "AND table_type = 'BASE TABLE'").fetchall()}
            moved = [kind for kind in KINDS.values() if kind.table in plain and kind.main not in plain]
            for kind in moved:
                con.execute(f"DROP INDEX IF EXISTS {kind.table}_key")
                con.execute(f"ALTER TABLE {kind.table} RENAME TO {kind.main}")
            return None, bool(moved)

        with self._writing() as con:
            self._backend.transaction(con, rename_actor_kind)
            self._backend.transaction(con, split_versions)
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
        """Run one read statement with bound parameters and return a polars frame.

        Only a SELECT (``WITH``, ``SHOW``, ``DESCRIBE``) that reads the store itself is run; anything
        else is a :class:`ValidationError` (see :mod:`eventlog._store.readsql`). The views
        ``events``, ``event_history``, ``links`` and ``changeset_log`` are the stable surface.

        Example: ``store.sql("SELECT count(*) AS n FROM events WHERE type = ?", ["visit"])``
        """
        if params is not None and (isinstance(params, (str, bytes)) or not isinstance(params, (Sequence, dict))):
            raise ValidationError(f"params must be a list or a dict, not {type(params).__name__}", field="params")
        con = self._con
        check_read_statement(con, query)
        prepare(con, lock=self._backend.sandboxed_sql)
        try:
            return frame_of(con.execute(query, params or []))
        except duckdb.Error as exc:
            raise ValidationError(f"SQL error: {str(exc).splitlines()[0]}", field="query") from None

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
            return self._backend.transaction(con, lambda: commit_body(self, cs))

    def add_evidence(self, quotes: dict[tuple[str, int, int], str]) -> int:
        """Keep quotes of document spans (source, start, end) -> text; returns how many were new."""
        return add_evidence(self, quotes)

    def _before_commit(self, cs_id: int, cs: Changeset) -> None:
        """Label the snapshot a backend makes of this commit (DuckLake); last step before COMMIT."""
        self._backend.label(self._con, cs.author, cs.message, {"changeset": cs_id, **({"info": cs.info} if cs.info else {})})

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
        if isinstance(as_of, int) or (isinstance(as_of, str) and as_of.strip().isascii() and as_of.strip().isdigit()):
            cid = int(as_of)
            if cid > _MAX_ID:  # beyond any changeset, and beyond what DuckDB can bind
                raise NotFound(f"no changeset {str(cid)[:30]}{'...' if len(str(cid)) > 30 else ''} "
                               f"(the newest is {self.last_changeset()})")
            rows = self._con.execute("SELECT id FROM changesets WHERE id = ?", [cid]).fetchall()
            if not rows:
                raise NotFound(f"no changeset {cid} (the newest is {self.last_changeset()})")
            return cid
        ts = parse_timestamp(as_of)
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
        known_by: str | dt.date | None = None,
        min_reliability: str | None = None,
        min_credibility: int | None = None,
        as_of: AsOf = None,
        limit: int | None = None,
        columns: Sequence[str] | None = None,
        view: str | None = None,
    ) -> pl.DataFrame:
        """Events matching every given filter, as a polars DataFrame sorted by start then id.

        Each filter takes one value or a list (any of them matches). ``start``/``end``
        keep events whose [start, end] overlaps the range; ``actor`` takes ids or names;
        ``text`` matches title or summary literally, ignoring case; ``as_of`` is a
        changeset id or a timestamp. ``limit`` keeps the first rows only; ``columns``
        reads only the columns named (faster on a large store), in that order.

        Three clocks: ``start``/``end`` are when events happened, ``known_by`` when they were
        reported, ``as_of`` when the store recorded them. ``known_by=DATE`` keeps events that at
        least one source had certainly published by DATE (its publication date's last day is
        on or before it) and counts ``sources``, ``n_sources``, ``first_reported`` and
        ``n_independent_sources`` over those sources only. ``min_reliability="B"`` and
        ``min_credibility=3`` keep events with at least one citation meeting both (a source
        graded A or B, a claim graded 1-3; ungraded parts meet neither).

        ``view`` names a saved view (:meth:`views`): its filters apply, and any filter given
        here replaces the view's.
        """
        given = {"type": type, "actor": actor, "start": start, "end": end, "text": text, "tag": tag, "source": source,
                 "status": status, "id": id, "known_by": known_by, "min_reliability": min_reliability,
                 "min_credibility": min_credibility, "as_of": as_of}
        filters = {**(self.view(view).filters if view is not None else {}),
                   **{k: v for k, v in given.items() if v is not None}}
        cs = self.resolve_as_of(filters.pop("as_of", None))
        return query_events(self._con, cs, limit=_limit(limit), columns=_columns(columns), **filters)

    @_reads
    def count(
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
        known_by: str | dt.date | None = None,
        min_reliability: str | None = None,
        min_credibility: int | None = None,
        as_of: AsOf = None,
    ) -> int:
        """How many events :meth:`query` would return for the same filters (counted in DuckDB)."""
        return count_events(self._con, self.resolve_as_of(as_of), type=type, actor=actor, start=start, end=end,
                            text=text, tag=tag, source=source, status=status, id=id, known_by=known_by,
                            min_reliability=min_reliability, min_credibility=min_credibility)

    @_reads
    def _record_rows(self, kind: str, keys: Iterable[str] | None, cs: int | None) -> list[tuple[str, str]]:
        """(key, data JSON) of the records of a kind visible at ``cs`` (all, or those of ``keys``)."""
        return record_rows(self._con, kind, keys, cs)

    def _current_records(self, kind: str, keys: Iterable[str] | None = None, as_of: int | None = None) -> dict[str, BaseRecord]:
        model = model_for_kind(kind)
        return {k: model.model_validate_json(d) for k, d in self._record_rows(kind, keys, as_of)}

    @_reads
    def records(self, kind: str, *, as_of: AsOf = None) -> list[BaseRecord]:
        """Every live record of a kind ('event', 'actor', 'source', 'link') as models."""
        if not isinstance(kind, str) or kind not in KINDS:
            raise ValidationError(f"unknown record kind {kind!r}; known: {', '.join(KINDS)}", field="kind")
        return list(self._current_records(kind, None, self.resolve_as_of(as_of)).values())

    @_reads
    def get(self, event_id: str, as_of: AsOf = None) -> Event:
        """One event as it is now (or was at ``as_of``); NotFound if it did not exist then."""
        _id_text(event_id, "event_id")
        cs = self.resolve_as_of(as_of)
        found = self._current_records("event", [event_id], cs)
        if event_id not in found:
            when = f" at changeset {cs}" if cs is not None else ""
            raise NotFound(f"no event {event_id!r}{when}")
        return found[event_id]  # type: ignore[return-value]

    @_reads
    def first_quotes(self, versions: Iterable[tuple[str, int]]) -> dict[str, str]:
        """The first kept quote of each (event id, version) pair: id -> quote (for tooltips)."""
        return first_quotes(self._con, list(versions))

    @_reads
    def grades(self, versions: Iterable[tuple[str, int]], as_of: AsOf = None) -> dict[str, list[str]]:
        """The citation grades of each (event id, version) pair, as ``source B2`` (the source's
        reliability letter as of ``as_of``, the citation's credibility digit, ``?`` where ungraded):
        id -> list (for tooltips; the ``grades`` query column gives the same for a query)."""
        return citation_grades(self._con, list(versions), self.resolve_as_of(as_of))

    @_reads
    def evidence(self, event_id: str, as_of: AsOf = None) -> pl.DataFrame:
        """The event's citations with their spans, grades and quotes (quote is null when the corpus
        was not available): source, span_start, span_end, note, credibility, credibility_note,
        reliability (the source's, as of the same moment), grade (as ``B2``, ``?`` where ungraded), quote."""
        from .._reporting import grade

        ev = self.get(event_id, as_of)
        reliability = {s.id: s.reliability for s in self.records("source", as_of=as_of)}  # type: ignore[attr-defined]
        rows = [(s.source, s.span[0], s.span[1], s.note, s.credibility, s.credibility_note, reliability.get(s.source),
                 grade(reliability.get(s.source), s.credibility)) for s in ev.sources]
        frame = pl.DataFrame(rows, schema={"source": pl.String, "span_start": pl.Int32, "span_end": pl.Int32, "note": pl.String,
                                           "credibility": pl.Int8, "credibility_note": pl.String, "reliability": pl.String,
                                           "grade": pl.String}, orient="row")
        if frame.is_empty():
            return frame.with_columns(quote=pl.lit(None, pl.String))
        with registered(self._con, _refs=frame):
            return frame_of(self._con.execute(
                "SELECT r.*, e.quote FROM _refs r LEFT JOIN evidence e ON e.source = r.source "
                "AND e.span_start = r.span_start AND e.span_end = r.span_end ORDER BY r.source, r.span_start"
            ))

    @_reads
    def actors(self, *, as_of: AsOf = None) -> pl.DataFrame:
        """The actor registry: id, name, category, affiliation."""
        recs = self.records("actor", as_of=as_of)
        return pl.DataFrame(
            [{"id": a.id, "name": a.name, "category": a.category, "affiliation": a.affiliation} for a in recs],  # type: ignore[attr-defined]
            schema={"id": pl.String, "name": pl.String, "category": pl.String, "affiliation": pl.String},
        )

    @_reads
    def sources(self, *, as_of: AsOf = None) -> pl.DataFrame:
        """The source registry: id, title, publisher, language, published, file, reliability,
        reliability_note, derived_from and root (the source its derived_from chain ends at)."""
        from .._reporting import lineage

        recs = {s.id: s for s in self.records("source", as_of=as_of)}  # type: ignore[attr-defined]
        roots = lineage(recs)
        cols = ["id", "title", "publisher", "language", "published", "file", "reliability", "reliability_note", "derived_from"]
        return pl.DataFrame([{**{c: getattr(s, c) for c in cols}, "root": roots[k]} for k, s in recs.items()],
                            schema=dict.fromkeys([*cols, "root"], pl.String))

    # -- the analysts' records ---------------------------------------------------------------------
    @_reads
    def hypotheses(self, *, as_of: AsOf = None) -> pl.DataFrame:
        """One row per hypothesis with its ACH scores: id, statement, status, notes, assessed,
        consistent, inconsistent, inconsistency (I = 1, II = 2, each weighted by the event's best
        citation credibility) and rank (1 = least inconsistent). See :mod:`eventlog._store.ach`."""
        from .ach import hypothesis_scores

        return hypothesis_scores(self._con, self.resolve_as_of(as_of))

    @_reads
    def ach(self, *, as_of: AsOf = None) -> pl.DataFrame:
        """The matrix of competing hypotheses: one row per assessed event (event, title, date,
        credibility, weight), one column per hypothesis id holding its rating, and ``diagnostic``
        (rated by two or more hypotheses, differently)."""
        from .ach import matrix

        return matrix(self._con, self.resolve_as_of(as_of))

    @_reads
    def ach_history(self) -> pl.DataFrame:
        """When the leading hypothesis changed, by which changeset and which assessments."""
        from .ach import ach_history

        return ach_history(self._con)

    @_reads
    def comments(self, *, event: str | None = None, link: str | None = None, view: str | None = None,
                 as_of: AsOf = None) -> pl.DataFrame:
        """Comments (all, or those on one event, link or view), in threads: id, event, link, view,
        author, text, reply_to, posted, depth (0 for a comment, 1 for a reply, ...), oldest first."""
        cs = self.resolve_as_of(as_of)
        recs = [c for c in self._current_records("comment", None, cs).values()
                if all(want is None or getattr(c, f) == want for f, want in (("event", event), ("link", link), ("view", view)))]
        by_id = {c.id: c for c in recs}  # type: ignore[attr-defined]
        children: dict[str | None, list[Any]] = {}
        for c in sorted(recs, key=lambda c: (c.posted is None, c.posted, c.id)):  # type: ignore[attr-defined]
            parent = c.reply_to if c.reply_to in by_id else None  # type: ignore[attr-defined]
            children.setdefault(parent, []).append(c)
        rows: list[dict[str, Any]] = []

        def walk(parent: str | None, depth: int) -> None:
            for c in children.get(parent, []):
                rows.append({"id": c.id, "event": c.event, "link": c.link, "view": c.view, "author": c.author,
                             "text": c.text, "reply_to": c.reply_to, "posted": c.posted, "depth": depth})
                walk(c.id, depth + 1)

        walk(None, 0)
        return pl.DataFrame(rows, schema={"id": pl.String, "event": pl.String, "link": pl.String, "view": pl.String,
                                          "author": pl.String, "text": pl.String, "reply_to": pl.String,
                                          "posted": pl.Datetime("us", "UTC"), "depth": pl.Int32})

    @_reads
    def stars(self, *, analyst: str | None = None, as_of: AsOf = None) -> pl.DataFrame:
        """Stars (all, or one analyst's): analyst, event, link, note."""
        recs = self._current_records("star", None, self.resolve_as_of(as_of)).values()
        rows = [{"analyst": s.analyst, "event": s.event, "link": s.link, "note": s.note}  # type: ignore[attr-defined]
                for s in recs if analyst is None or s.analyst == analyst]  # type: ignore[attr-defined]
        return pl.DataFrame(rows, schema=dict.fromkeys(["analyst", "event", "link", "note"], pl.String))

    @_reads
    def views(self, *, as_of: AsOf = None) -> pl.DataFrame:
        """Saved views: id, title, author, filters (as JSON), lanes, range, hindsight, notes, comments (how many)."""
        import json

        cs = self.resolve_as_of(as_of)
        counts: dict[str, int] = {}
        for c in self._current_records("comment", None, cs).values():
            if c.view is not None:  # type: ignore[attr-defined]
                counts[c.view] = counts.get(c.view, 0) + 1  # type: ignore[attr-defined]
        rows = [{"id": v.id, "title": v.title, "author": v.author, "filters": json.dumps(v.filters, sort_keys=True),  # type: ignore[attr-defined]
                 "lanes": v.lanes, "range": list(v.range) if v.range else None, "hindsight": v.hindsight,  # type: ignore[attr-defined]
                 "notes": v.notes, "comments": counts.get(v.id, 0)}  # type: ignore[attr-defined]
                for v in self._current_records("view", None, cs).values()]
        return pl.DataFrame(rows, schema={"id": pl.String, "title": pl.String, "author": pl.String, "filters": pl.String,
                                          "lanes": pl.String, "range": pl.List(pl.String), "hindsight": pl.Boolean,
                                          "notes": pl.String, "comments": pl.Int64})

    @_reads
    def view(self, name: str, *, as_of: AsOf = None) -> Any:
        """One saved view (an :class:`eventlog.View`); NotFound names the views there are."""
        _id_text(name, "view")
        cs = self.resolve_as_of(as_of)
        found = self._current_records("view", [name], cs)
        if name not in found:
            known = [k for k, _d in self._record_rows("view", None, cs)]
            raise NotFound(unknown("view", name, known) if known else f"no view {name!r}: no views are saved yet")
        return found[name]

    # -- history --------------------------------------------------------------------------------
    @_reads
    def history(self, key: str, *, kind: str = "event") -> pl.DataFrame:
        """Every version of a record, oldest first: version, changeset, author, changed_at, message,
        operation (create/update/delete/restore), fields (what changed), reason."""
        from .history import history

        return history(self, _id_text(key, "key"), kind)

    @_reads
    def log(self) -> pl.DataFrame:
        """Every changeset, newest first, with counts of what it did per kind."""
        from .history import log

        return log(self)

    @_reads
    def changeset(self, changeset: int) -> dict[str, Any]:
        """One changeset: its id, changed_at, author, message, counts and info (a dict); NotFound if none."""
        from .history import changeset as row

        return row(self, _changeset_id(changeset))

    @_reads
    def info_values(self, key: str) -> list[Any]:
        """``info[key]`` of every changeset whose info has it, oldest first (e.g. "git_commit")."""
        from .history import info_values

        return info_values(self, key)

    @_reads
    def meta(self, key: str) -> str | None:
        """A value of the store's meta table (``schema_version``, ``base_events``, ...), or None."""
        rows = self._con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchall()
        return rows[0][0] if rows else None

    @_reads
    def diff(self, a: AsOf, b: AsOf = None, *, kind: str | None = None) -> pl.DataFrame:
        """What changed between two points (changeset ids or timestamps; ``b`` defaults to now):
        one row per added or removed record and per changed field, with old and new value."""
        from .history import diff

        if a is None:
            raise ValidationError("diff() needs a changeset id or timestamp to compare from", field="a")
        return diff(self, a, b, kind)

    @_reads
    def blame(self, key: str, *, kind: str = "event") -> pl.DataFrame:
        """For each field of the current version: its value and the version, changeset,
        author, time and message that set it."""
        from .history import blame

        return blame(self, _id_text(key, "key"), kind)

    def revert(self, changeset: int, *, author: str, message: str | None = None) -> int | None:
        """Undo a changeset with a new changeset; VersionConflict if later work touched the same fields."""
        from .history import revert

        return revert(self, _changeset_id(changeset), author=author, message=message)

    def revert_plan(self, changeset: int) -> pl.DataFrame:
        """What :meth:`revert` would write, without writing it: one row per record (kind, id,
        operation put/delete); VersionConflict when later work touched the same fields."""
        from .history import revert_plan

        _cs, _msg, plan = revert_plan(self, _changeset_id(changeset))
        return pl.DataFrame([(k, key, "delete" if data is None else "put") for k, key, data, _v in plan],
                            schema={"kind": pl.String, "id": pl.String, "operation": pl.String}, orient="row")

    def unexported(self) -> pl.DataFrame:
        """Records changed in the store since the last build, not yet in events/ (kind, id):
        ``eventlog export`` writes them there."""
        from .merge import unexported

        return unexported(self)

    # -- causal links ---------------------------------------------------------------------------
    @_reads
    def link_ends(self, events: Iterable[str], as_of: AsOf = None) -> pl.DataFrame:
        """The links between two of ``events`` (a chart's rows): id, cause, effect, relation and
        confidence, reading the links alone (see :meth:`links` for titles, notes and quotes)."""
        from .links import link_ends

        return link_ends(self, list(events), as_of=self.resolve_as_of(as_of))

    @_reads
    def links(self, *, event: Filter = None, relation: Filter = None, basis: Filter = None, as_of: AsOf = None) -> pl.DataFrame:
        """Causal links (optionally touching ``event``, of a ``relation`` or ``basis``) as a polars frame."""
        from .links import links

        return links(self, event=listify(event, "event"), relation=closed(relation, "relation", RELATIONS),
                     basis=closed(basis, "basis", BASES),
                     as_of=self.resolve_as_of(as_of))

    @_reads
    def causes(self, event_id: str, *, depth: int | None = None, as_of: AsOf = None) -> pl.DataFrame:
        """Every event upstream of ``event_id`` with its distance and the relation path (recursive SQL)."""
        from .links import causes

        return causes(self, _id_text(event_id, "event_id"), depth=_depth(depth, "depth"), as_of=self.resolve_as_of(as_of))

    @_reads
    def effects(self, event_id: str, *, depth: int | None = None, as_of: AsOf = None) -> pl.DataFrame:
        """Every event downstream of ``event_id`` with its distance and the relation path (recursive SQL)."""
        from .links import effects

        return effects(self, _id_text(event_id, "event_id"), depth=_depth(depth, "depth"), as_of=self.resolve_as_of(as_of))

    @_reads
    def paths(self, cause_id: str, effect_id: str, *, max_depth: int = 8, as_of: AsOf = None) -> pl.DataFrame:
        """The causal chains leading from ``cause_id`` to ``effect_id``."""
        from .links import paths

        return paths(self, _id_text(cause_id, "cause_id"), _id_text(effect_id, "effect_id"),
                     max_depth=_depth(max_depth, "max_depth"), as_of=self.resolve_as_of(as_of))

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
        return stats(self._con)


_MAX_ID = 2**62


def _changeset_id(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(f"a changeset id is a whole number from 0, not {value!r}"[:120], field="changeset")
    if value > _MAX_ID:
        raise NotFound(f"no changeset {str(value)[:30]}...")
    return value


def _id_text(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValidationError(f"{field} is a record id (text), not {value!r}"[:120], field=field)
    return value


def _limit(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(f"limit is a whole number from 0, not {value!r}"[:120], field="limit")
    return min(value, _MAX_ID)


def _columns(value: Any) -> list[str] | None:
    names = listify(value, "columns")
    for name in names or ():
        if name not in COLUMNS:
            raise ValidationError(unknown("column", name, COLUMNS), field="columns")
    return names


def _depth(value: Any, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError(f"{field} is a whole number from 1, not {value!r}"[:120], field=field)
    return min(value, 10_000)  # no chain is longer than the events there are; keeps SQL's integers small


def _schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    rows = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
    try:
        return int(rows[0][0]) if rows else None
    except (TypeError, ValueError):
        return None


#: The tables every store has (a store missing one of them is upgraded on open).
_SCHEMA_TABLES = ("meta", "head", "changesets", "evidence", "base", *(k.table for k in KINDS.values()))
