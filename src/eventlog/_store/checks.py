"""Checks a changeset must pass before anything is written.

They run inside the commit transaction, against the store as it is plus what the
changeset puts and deletes, so a changeset may add an actor and the event that
names it together. A failed check raises and the transaction rolls back.

"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import polars as pl

from .._errors import ValidationError
from .._models import REFERENCES, Event, Link, Source
from .schema import KINDS, LIVE

if TYPE_CHECKING:
    from .changeset import Changeset
    from .store import Store

__all__ = ["check_changeset", "live_refs"]

#: Up to this many references of a kind are looked up by a parameter list, all kinds in one
#: statement (a small commit); more go through a join on a registered table each.
FEW_REFS = 64


def live_refs(store: Store, cs: Changeset, wanted: dict[str, set[str]]) -> dict[str, set[str]]:
    """Per kind, which of ``wanted`` exist after the changeset: live in the store or put by it, not
    deleted by it. Few keys of every kind are looked up in one statement."""
    out: dict[str, set[str]] = {kind: set() for kind in wanted}
    few = {kind: sorted(keys) for kind, keys in wanted.items() if keys and len(keys) <= FEW_REFS}
    in_store: dict[str, set[str]] = {kind: set() for kind in wanted}
    if few:
        # Filter on the key first (MATERIALIZED), then on being live: DuckDB skips most of the table.
        parts, params = [], []
        for kind, keys in few.items():
            table = KINDS[kind].table
            parts.append(f"SELECT ? AS kind, key FROM (WITH r AS MATERIALIZED (SELECT key, op, superseded_by FROM {table} "
                         f"WHERE key IN ({', '.join('?' * len(keys))})) SELECT key FROM r WHERE {LIVE})")
            params += [kind, *keys]
        for kind, key in store._con.execute(" UNION ALL ".join(parts), params).fetchall():
            in_store[kind].add(key)
    for kind, keys in wanted.items():
        if keys and kind not in few:
            in_store[kind] = {k for k, _ in store._record_rows(kind, keys, None)}
    for kind, keys in wanted.items():
        pending = cs.records(kind)
        out[kind] = {k for k in keys if (k in pending and pending[k] is not None)
                     or (k in in_store[kind] and k not in pending)}
    return out


def check_changeset(store: Store, cs: Changeset) -> None:
    """Raise ValidationError for the first reference the changeset would leave dangling."""
    pending = cs.pending_events()  # every event op, including those already flushed to rows
    puts = pending.filter(pl.col("op") == "put")
    actors, sources = cs.event_refs()
    links = cs.records("link")
    put_links = [lk for lk in links.values() if isinstance(lk, Link)]
    cited = {s.source for lk in put_links for s in lk.sources}
    live = live_refs(store, cs, {"actor": actors, "source": sources | cited})
    live_actors, live_sources = live["actor"], live["source"]

    if not (actors <= live_actors and sources <= live_sources):  # something dangles: find the first record
        _raise_first_dangling(cs, live_actors, live_sources)
    for lk in put_links:
        for s in lk.sources:
            if s.source not in live_sources:
                raise ValidationError(f"unknown source {s.source!r} (not in the store's sources)",
                                      record=lk.id, field="sources")
    from .links import FEW_EVENTS, check_new_links, check_redated_events

    if put_links:
        check_new_links(store, cs, put_links)
    elif puts.height and puts.height <= FEW_EVENTS:
        # Re-dating an event can make a link touching it impossible: only those links are read.
        check_redated_events(store, cs, puts)
    elif puts.height and store._con.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM link_versions WHERE {LIVE} LIMIT 1)"
    ).fetchall()[0][0]:
        check_new_links(store, cs, put_links)  # a bulk re-dating: the whole graph, in one join

    if cs.records("source"):
        _check_lineage(store, cs)
    _check_judgements(store, cs, pending)

    deleted_events = set(pending.filter(pl.col("op") == "delete")["key"].to_list())
    if deleted_events:
        from .links import links_touching

        for key in links_touching(store, deleted_events):
            if key not in links or links[key] is not None:
                cause, effect, relation = key.split("|")
                gone = cause if cause in deleted_events else effect
                raise ValidationError(
                    f"event {gone!r} is linked ({cause} -{relation}-> {effect}); unlink it in the same changeset first",
                    record=gone,
                )


def _check_judgements(store: Store, cs: Changeset, pending: pl.DataFrame) -> None:
    """Hypotheses' assessments, comments and stars name records that exist, and a record still
    named by one of them is not deleted (delete or move those first, in the same changeset)."""
    ops = {kind: cs.records(kind) for kind in {k for k, _f, _t in REFERENCES} | {t for _k, _f, t in REFERENCES}}
    wanted: dict[str, set[str]] = {}
    for kind, field, target in REFERENCES:
        for rec in ops[kind].values():
            if rec is not None and (value := getattr(rec, field)) is not None:
                wanted.setdefault(target, set()).add(value)
    if wanted:
        events = wanted.pop("event", set())
        live = live_refs(store, cs, wanted) if wanted else {}
        # Only the named events' ops are read: a bulk changeset's million puts are not turned into a dict.
        named = pending.filter(pl.col("key").is_in(list(events))) if events and pending.height else pending.clear()
        event_ops = dict(zip(named["key"], named["op"], strict=True))
        live_events = {k for k in events if event_ops.get(k) == "put"}
        rest = {k for k in events if k not in event_ops}
        if rest:
            live_events |= live_refs(store, cs, {"event": rest})["event"]
        live["event"] = live_events
        for kind, field, target in REFERENCES:
            for key, rec in ops[kind].items():
                if rec is not None and (value := getattr(rec, field)) is not None and value not in live[target]:
                    raise ValidationError(f"unknown {target} {value!r}", record=key, field=field)
    for key, view in cs.records("view").items():
        if view is not None:
            _check_view(store, key, view)
    deleted = {target: [k for k, r in ops[target].items() if r is None] for target in ops}
    deleted["event"] = pending.filter(pl.col("op") == "delete")["key"].to_list() if pending.height else []
    for kind, field, target in REFERENCES:
        gone = deleted.get(target)
        if not gone:
            continue
        table = KINDS[kind].table
        rows = store._con.execute(f'SELECT key, "{field}" FROM {table} WHERE {LIVE} AND list_contains(?, "{field}")',
                                  [gone]).fetchall()
        for key, value in rows:
            if key in ops[kind] and (ops[kind][key] is None or getattr(ops[kind][key], field) != value):
                continue  # deleted or moved in this changeset
            raise ValidationError(f"{target} {value!r} is named by {kind} {key!r}; delete that in the same changeset first",
                                  record=value)


def _check_view(store: Store, key: str, view: object) -> None:
    """A saved view's filters run (on the store as it is): a typo is refused when saved, not when reopened."""
    from .query import count_events

    filters = dict(view.filters)  # type: ignore[attr-defined]
    try:
        cs = store.resolve_as_of(filters.pop("as_of", None))
        count_events(store._con, cs, **filters)
    except ValidationError as exc:
        raise ValidationError(exc.message, record=key, field=f"filters.{exc.field}" if exc.field else "filters") from None


def _check_lineage(store: Store, cs: Changeset) -> None:
    """Sources put or deleted: every derived_from still names a live source, with no circle.
    Sources are few (documents), so all of them are read."""
    from .._reporting import lineage

    sources = {k: Source.model_validate_json(d) for k, d in store._record_rows("source", None, None)}
    for key, rec in cs.records("source").items():
        if rec is None:
            sources.pop(key, None)
        else:
            sources[key] = rec  # type: ignore[assignment]
    for key, rec in cs.records("source").items():
        if rec is None:
            for sid, s in sources.items():
                if s.derived_from == key:
                    raise ValidationError(f"source {sid!r} derives from it; change its derived_from in the same "
                                          "changeset first", record=key)
    lineage(sources)


def _raise_first_dangling(cs: Changeset, live_actors: set[str], live_sources: set[str]) -> None:
    # In the order they were put: those flushed to rows (read back: an error path), then those held.
    held = [r for r in cs.records("event").values() if isinstance(r, Event)]
    for e in itertools.chain(cs.flushed_events(), held):
        for field, kind, key in e.dangling(live_actors, live_sources):
            raise ValidationError(f"unknown {kind} {key!r}", record=e.id, field=field)
