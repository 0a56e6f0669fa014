"""Changesets: the only way anything is written to a store.

A changeset collects puts and deletes of any kind of record, then commits them in
one transaction: every version it adds carries its id, author, message and UTC time.
Nothing is changed in place: a put adds a version, a delete adds a tombstone with a
reason, and a put of a record identical to the current version adds nothing.

>>> import eventlog, tempfile, os
>>> store = eventlog.open(os.path.join(tempfile.mkdtemp(), "s.duckdb"), create=True)
>>> with store.change(author="ana", message="first") as cs:
...     cs.put(eventlog.Event(id="e1", type="visit", title="A visit", date="2024-05-16"))
>>> cs.result.created, cs.id
(1, 1)
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

from .._errors import EventlogError, NotFound, ValidationError, VersionConflict
from .._models import Assessment, BaseRecord, Citation, Comment, Event, Link, Star, is_validated, validated
from .schema import KINDS

if TYPE_CHECKING:
    from .store import Store

__all__ = ["Changeset", "CommitResult"]


@dataclass(slots=True)
class _Op:
    kind: str
    key: str
    op: str  # put | delete
    record: BaseRecord | None
    expected_version: int | None
    reason: str | None


@dataclass(frozen=True)
class CommitResult:
    """What a commit did: its changeset id (None when nothing changed) and counts."""

    changeset: int | None
    created: int
    updated: int
    deleted: int
    unchanged: int


_TAG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")

#: Puts of events beyond this many are turned into Arrow rows as they come and the models let go:
#: a million-event changeset then holds its rows (about 1 KB each), not its models (about 3.5 KB).
CHUNK = 50_000


@dataclass
class _Flushed:
    """Event ops already turned into version rows: the rows, their keys, and what the checks need."""

    tables: list[Any]  # pa.Table chunks, in the order the ops came
    keys: set[str]
    actors: set[str]
    sources: set[str]
    expected: dict[str, int]  # the expected versions given (rare in bulk), by key
    replaced: bool = False  # a key put again after its chunk was flushed: the last op wins


class Changeset:
    """Writes collected under one author and message, committed atomically.

    Use it through :meth:`eventlog.Store.change`, never directly.
    """

    def __init__(self, store: Store, author: str, message: str, at: dt.datetime | None = None, info: dict | None = None):
        if not author or not str(author).strip():
            raise ValidationError("a changeset needs an author", field="author")
        if not message or not str(message).strip():
            raise ValidationError("a changeset needs a message saying why", field="message")
        if not isinstance(author, str) or not isinstance(message, str):
            raise ValidationError("author and message are text", field="author" if not isinstance(author, str) else "message")
        if at is not None:
            if not isinstance(at, dt.datetime):
                raise ValidationError(f"at must be a datetime, not {type(at).__name__}", field="at")
            if at.tzinfo is None:  # as as_of reads a naive timestamp: UTC
                at = at.replace(tzinfo=dt.UTC)
        if info is not None and not isinstance(info, dict):
            raise ValidationError(f"info must be a dict, not {type(info).__name__}", field="info")
        self.store = store
        self.author = str(author).strip()
        self.message = str(message).strip()
        self.at = at
        self.info = info or {}
        self._ops: dict[tuple[str, str], _Op] = {}
        self._open_events = 0  # event ops in _ops, not yet flushed
        self._flushed = _Flushed([], set(), set(), set(), {})
        self.result: CommitResult | None = None
        self._closed = False
        #: Run inside the commit's transaction after the version rows, with the changeset id;
        #: returns whether it wrote something (the build records its merge base here).
        self._after_write: Callable[[int], bool] | None = None

    # -- collecting -------------------------------------------------------------------------------
    @property
    def id(self) -> int | None:
        """The changeset id once committed (None before, or when it changed nothing)."""
        return self.result.changeset if self.result else None

    def put(self, record: BaseRecord | dict[str, Any], expected_version: int | None = None) -> None:
        """Add or update a record (an Event by default; dicts are read as events).

        ``expected_version`` is the version the caller based the change on: the commit
        fails with VersionConflict when the record has moved on (0 means "must be new").
        """
        if isinstance(record, dict):
            record = _validate(Event, record)
        elif isinstance(record, BaseRecord):
            # model_copy(update=...) skips validation: check the record again, whatever made it
            # (its own fields; nested sources and amounts are models checked when they were made).
            record = _revalidate(record)
        else:
            raise ValidationError(f"cs.put() takes an Event, Link, Actor or Source (or a dict), not {type(record).__name__}")
        self._put_valid(record, expected_version)

    def _put_valid(self, record: BaseRecord, expected_version: int | None = None) -> None:
        """put() of a record just validated (the build's bulk path: validating twice costs a third of it)."""
        kind = _kind_of(record)
        self._add(_Op(kind, KINDS[kind].key_of(record), "put", record, _version(expected_version), None))

    def delete(self, key: str, *, reason: str, expected_version: int | None = None, kind: str = "event") -> None:
        """Delete a record by adding a tombstone that says why."""
        if not reason or not str(reason).strip():
            raise ValidationError("a delete needs a reason", record=key, field="reason")
        if not isinstance(kind, str) or kind not in KINDS:
            raise ValidationError(f"unknown record kind {kind!r}", field="kind")
        if not isinstance(key, str) or not key:
            raise ValidationError(f"a record id is text, not {key!r}"[:120], field="id")
        self._add(_Op(kind, key, "delete", None, _version(expected_version), str(reason).strip()))

    def link(
        self,
        cause: str,
        effect: str,
        *,
        relation: str,
        confidence: float = 0.7,
        note: str = "",
        sources: Iterable[Citation | dict] = (),
        asserted_by: str | None = None,
        basis: str | None = None,
        expected_version: int | None = None,
        evidence: Iterable[Citation | dict] = (),
    ) -> Link:
        """Add or update a causal link from ``cause`` to ``effect`` (checked at commit).

        ``sources``: citations stating the link (``evidence`` is its old name, still accepted).
        """
        ev = [e if isinstance(e, Citation) else _validate(Citation, e) for e in [*sources, *evidence]]
        link = _validate(
            Link,
            {
                "cause": cause,
                "effect": effect,
                "relation": relation,
                "confidence": confidence,
                "note": note,
                "sources": [e.model_dump() for e in ev],
                "asserted_by": asserted_by or self.author,
                "basis": basis or ("source" if ev else "analyst"),
            },
        )
        self.put(link, expected_version=expected_version)
        return link  # type: ignore[return-value]

    def unlink(self, cause: str, effect: str, *, relation: str, reason: str) -> None:
        """Remove a causal link (a tombstone with a reason)."""
        self.delete(f"{cause}|{effect}|{relation}", reason=reason, kind="link")

    def assess(self, hypothesis_id: str, event_id: str, *, rating: str, note: str = "",
               expected_version: int | None = None) -> Assessment:
        """Rate how an event bears on a hypothesis (CC, C, N, I, II); rating it again is a new version."""
        rec = _validate(Assessment, {"hypothesis": hypothesis_id, "event": event_id, "rating": rating, "note": note})
        self.put(rec, expected_version=expected_version)
        return rec  # type: ignore[return-value]

    def unassess(self, hypothesis_id: str, event_id: str, *, reason: str) -> None:
        """Take a rating back (a tombstone with a reason)."""
        self.delete(f"{hypothesis_id}|{event_id}", reason=reason, kind="assessment")

    def comment(self, text: str, *, event: str | None = None, link: str | None = None, view: str | None = None,
                reply_to: str | None = None, author: str | None = None) -> Comment:
        """A comment on an event, a link (``cause|effect|relation``) or a saved view, by ``author``
        (default: the changeset's), with a new id."""
        import secrets

        posted = self.at or dt.datetime.now(dt.UTC)
        rec = _validate(Comment, {"id": f"c{posted:%Y%m%d}-{secrets.token_hex(4)}", "event": event, "link": link,
                                  "view": view, "author": author or self.author, "text": text, "reply_to": reply_to,
                                  "posted": posted.astimezone(dt.UTC).replace(microsecond=0)})
        self.put(rec, expected_version=0)
        return rec  # type: ignore[return-value]

    def star(self, *, event: str | None = None, link: str | None = None, analyst: str | None = None,
             note: str = "") -> Star:
        """Star an event or a link for ``analyst`` (default: the changeset's author)."""
        rec = _validate(Star, {"analyst": analyst or self.author, "event": event, "link": link, "note": note})
        self.put(rec)
        return rec  # type: ignore[return-value]

    def unstar(self, *, event: str | None = None, link: str | None = None, analyst: str | None = None) -> None:
        """Take a star away."""
        self.delete(f"{analyst or self.author}|{event or link}", reason="unstarred", kind="star")

    def tag(self, event_ids: Iterable[str], *, add: Iterable[str] = (), remove: Iterable[str] = ()) -> int:
        """Add and remove tags on many events in this changeset; returns how many events change."""
        add, remove = list(add), list(remove)
        for t in [*add, *remove]:
            if not isinstance(t, str) or not _TAG.match(t):
                raise ValidationError(f"tag {t!r} must be lower case letters, digits, - or _ (e.g. energy-deal)"[:160],
                                      field="tags")
        changed = 0
        ids = list(event_ids)
        current = self.store._current_records("event", ids)
        for eid in ids:
            has_op, record = self.pending_event(eid)
            ev = record if has_op and record is not None else current.get(eid)
            if ev is None:
                raise NotFound(f"no event {eid!r} to tag")
            assert isinstance(ev, Event)
            tags = [t for t in ev.tags if t not in remove]
            tags += [t for t in add if t not in tags]
            if tags != ev.tags:
                self.put(_validate(Event, {**ev.model_dump(), "tags": tags}))
                changed += 1
        return changed

    def _add(self, op: _Op) -> None:
        if self._closed:
            raise EventlogError(f"changeset {self.message!r} is already committed (or abandoned): "
                                "put and delete inside its 'with store.change(...)' block")
        prev = self._ops.get((op.kind, op.key))
        if prev is not None and op.expected_version is None:
            op.expected_version = prev.expected_version
        if op.kind == "event" and prev is None:
            flushed = self._flushed
            if op.key in flushed.keys:
                flushed.replaced = True
                if op.expected_version is None:
                    op.expected_version = flushed.expected.get(op.key)
            self._open_events += 1
        self._ops[(op.kind, op.key)] = op
        if self._open_events >= CHUNK:
            self._flush_events()

    def _flush_events(self) -> None:
        """Turn the open event ops into version rows and drop them (and their models)."""
        ops = [o for o in self._ops.values() if o.kind == "event"]
        flushed = self._flushed
        for o in ops:
            if o.record is not None:
                assert isinstance(o.record, Event)
                _add_refs(o.record, flushed.actors, flushed.sources)
            if o.expected_version is not None:
                flushed.expected[o.key] = o.expected_version
            del self._ops[("event", o.key)]
        flushed.tables.append(self._stage_ops("event", ops))
        flushed.keys.update(o.key for o in ops)
        self._open_events = 0

    def __len__(self) -> int:
        return len(self._ops) + len(self._flushed.keys)

    # -- committing -------------------------------------------------------------------------------
    def _commit(self) -> CommitResult:
        """Write everything in one transaction (called by Store.change on a clean exit)."""
        self._closed = True
        if not self._ops and not self._flushed.tables and self._after_write is None:
            self.result = CommitResult(None, 0, 0, 0, 0)
            return self.result
        self.result = self.store._run_commit(self)
        return self.result

    def _stage(self, kind: str) -> list[Any]:
        """The ops of one kind as Arrow tables of version rows (without version/changeset yet),
        one row per key (the last op), in parts of at most a chunk each; empty when there are
        none. Arrow, not polars: a frame would copy every string (a gigabyte at a million
        events). Parts, not one table, so that the commit can let each go once written."""
        import pyarrow as pa

        ops = [o for o in self._ops.values() if o.kind == kind]
        tables = [*self._flushed.tables] if kind == "event" else []
        if ops:
            tables.append(self._stage_ops(kind, ops))
        if kind == "event" and self._flushed.replaced and tables:
            # a key put again after its chunk was flushed: only its last row stays, wherever it is
            table = pa.concat_tables(tables)
            keys = pl.from_arrow(table.select(["key"]))
            assert isinstance(keys, pl.DataFrame)
            keep = keys.with_row_index("i").unique(subset="key", keep="last", maintain_order=True)["i"]
            table = table.take(keep.to_arrow())
            tables = [table.slice(k, CHUNK) for k in range(0, table.num_rows, CHUNK)]
        return tables

    def _release(self, kind: str) -> None:
        """Drop the staged rows and models of a kind once the commit has written them."""
        if kind == "event":
            self._flushed.tables.clear()
        for key in [k for k in self._ops if k[0] == kind]:
            del self._ops[key]

    def _stage_ops(self, kind: str, ops: list[_Op]) -> Any:
        """Ops of one kind as an Arrow table of version rows."""
        import pyarrow as pa

        spec = KINDS[kind]
        records = [o.record for o in ops if o.record is not None]
        # Built per column straight into Arrow: building a frame from Python lists of lists
        # (actors, tags, ...) costs about ten times more, and this is the hot path of a bulk build.
        columns = spec.columns_of(records)
        n = len(ops)
        if len(records) == n:
            op = pa.repeat(pa.scalar("put"), n)
            reason = pa.nulls(n, pa.string())
        else:  # deletes: null data and typed columns
            puts = itertools.count()
            where = pa.array([next(puts) if o.record is not None else None for o in ops], pa.int64())
            columns = {c: col.take(where) for c, col in columns.items()}
            op = pa.array([o.op for o in ops], pa.string())
            reason = pa.array([o.reason for o in ops], pa.string())
        return pa.table({
            "key": pa.array([o.key for o in ops], pa.string()),
            "expected_version": pa.array([o.expected_version for o in ops], pa.int32()),
            "op": op,
            "reason": reason,
            **{c: columns[c] for c in ["data", *spec.columns]},
        })

    def records(self, kind: str) -> dict[str, BaseRecord | None]:
        """Pending records of a kind (None for a delete) not yet flushed to rows (see
        :meth:`pending_events` for every event op)."""
        return {o.key: o.record for o in self._ops.values() if o.kind == kind}

    def pending_events(self) -> pl.DataFrame:
        """Every event op of the changeset, flushed or not: key, op, start, end, date."""
        cols = ["key", "op", "start", "end", "date"]
        schema = {"key": pl.String, "op": pl.String, "start": pl.Date, "end": pl.Date, "date": pl.String}
        rows = []
        for o in self._ops.values():
            if o.kind == "event":
                e = o.record
                rows.append((o.key, "put", e.start, e.end, e.date) if isinstance(e, Event) else (o.key, "delete", None, None, None))
        frames = [pl.from_arrow(t.select(cols)) for t in self._flushed.tables]
        frames.append(pl.DataFrame(rows, schema=schema, orient="row"))
        out = pl.concat([f.cast(schema) for f in frames])  # type: ignore[union-attr]
        return out.unique(subset="key", keep="last", maintain_order=True) if self._flushed.replaced else out

    def event_refs(self) -> tuple[set[str], set[str]]:
        """The actor and source ids the changeset's put events name."""
        if self._flushed.replaced:
            # A key put again after its chunk was flushed: only its last put counts (rare; read back).
            actors, sources = set(), set()
            for e in self.flushed_events():
                _add_refs(e, actors, sources)
        else:
            actors, sources = set(self._flushed.actors), set(self._flushed.sources)
        for o in self._ops.values():
            if o.kind == "event" and isinstance(o.record, Event):
                _add_refs(o.record, actors, sources)
        return actors, sources

    def pending_event(self, key: str) -> tuple[bool, Event | None]:
        """(whether the changeset has an op on event ``key``, its record: None for a delete)."""
        op = self._ops.get(("event", key))
        if op is not None:
            return True, op.record  # type: ignore[return-value]
        if key not in self._flushed.keys:
            return False, None
        for table in reversed(self._flushed.tables):
            import pyarrow.compute as pc

            hit = table.filter(pc.equal(table["key"], key))
            if hit.num_rows:
                data = hit["data"][hit.num_rows - 1].as_py()
                return True, None if data is None else Event.model_validate_json(data)
        return False, None

    def flushed_events(self) -> Iterator[Event]:
        """The put events already flushed to rows and not put or deleted again since, read back
        (error messages, and the rare re-put after a flush)."""
        later = {key for kind, key in self._ops if kind == "event"}
        last: dict[str, tuple[int, int]] = {}  # where each key's last flushed op is
        for t, table in enumerate(self._flushed.tables):
            for r, key in enumerate(table["key"].to_pylist()):
                last[key] = (t, r)
        for t, table in enumerate(self._flushed.tables):
            rows = zip(table["key"].to_pylist(), table["data"].to_pylist(), strict=True)
            for r, (key, data) in enumerate(rows):
                if data is not None and key not in later and last[key] == (t, r):
                    yield Event.model_validate_json(data)


def _add_refs(e: Event, actors: set[str], sources: set[str]) -> None:
    """Add the actor and source ids an event names (its citations and its amounts' sources)."""
    actors.update(e.actors)
    sources.update([s.source for s in e.sources])
    sources.update([a.source for a in e.amounts if a.source])


_KIND_OF_TYPE: dict[type, str] = {}


def _kind_of(record: BaseRecord) -> str:
    kind = _KIND_OF_TYPE.get(type(record))
    if kind is not None:
        return kind
    for name, spec in KINDS.items():
        if isinstance(record, spec.model):
            _KIND_OF_TYPE[type(record)] = name
            return name
    raise ValidationError(f"cannot store a {type(record).__name__}")


def _version(value: Any) -> int | None:
    """An expected version: None, or a whole number from 0 (0: the record must be new)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**31:
        raise ValidationError(f"expected_version must be a whole number from 0, not {value!r}"[:120],
                              field="expected_version")
    return value


def _validate(model: type[BaseRecord], data: dict[str, Any]) -> Any:
    return validated(model, data)


def _revalidate(record: BaseRecord) -> Any:
    # Its fields as they are (nested sources and amounts stay models, checked when made):
    # what model_copy(update=...) put there is checked like any input, and reported as one line.
    # A record straight out of validation is not validated twice (a third of a bulk put).
    return record if is_validated(record) else validated(type(record), dict(record.__dict__))


def rows_to_insert(staged: pl.DataFrame, current: pl.DataFrame, kind: str) -> tuple[pl.DataFrame, int, int, int, int]:
    """Decide, per staged op, the version row to add; raise on stale or impossible ops.

    ``current`` has key, version, op, data of the current version of each staged key.
    Returns the rows (with ``version``) and counts created/updated/deleted/unchanged.
    """
    joined = staged.join(current, on="key", how="left", suffix="_cur")
    stale = joined.filter(
        pl.col("expected_version").is_not_null()
        & (pl.col("expected_version") != pl.col("version").fill_null(0))
    )
    if stale.height:
        r = stale.row(0, named=True)
        raise VersionConflict(
            f"{kind} {r['key']!r} is at version {r['version'] or 0}, not {r['expected_version']}: "
            f"someone changed it since you read it (re-read and apply your change again)"
        )
    live = pl.col("op_cur").fill_null("delete") == "put"
    bad_delete = joined.filter((pl.col("op") == "delete") & ~live)
    if bad_delete.height:
        raise NotFound(f"no {kind} {bad_delete['key'][0]!r} to delete (it does not exist or is already deleted)")
    same = (pl.col("op") == "put") & live & (pl.col("data") == pl.col("data_cur"))
    unchanged = joined.filter(same).height
    todo = joined.filter(~same).with_columns(
        version=(pl.col("version").fill_null(0) + 1).cast(pl.Int32),
        _created=(pl.col("op") == "put") & ~live,
    )
    created = todo.filter(pl.col("_created")).height
    deleted = todo.filter(pl.col("op") == "delete").height
    updated = todo.height - created - deleted
    return todo, created, updated, deleted, unchanged



def dumps_info(info: dict) -> str:
    return json.dumps(info, sort_keys=True, default=str)

