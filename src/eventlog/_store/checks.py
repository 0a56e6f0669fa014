"""Checks a changeset must pass before anything is written.

They run inside the commit transaction, against the store as it is plus what the
changeset puts and deletes, so a changeset may add an actor and the event that
names it together. A failed check raises and the transaction rolls back.

"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._errors import ValidationError
from .._models import Event, Link
from .schema import LIVE

if TYPE_CHECKING:
    from .changeset import Changeset
    from .store import Store

__all__ = ["check_changeset", "live_keys"]


def live_keys(store: Store, cs: Changeset, kind: str, wanted: set[str]) -> set[str]:
    """Which of ``wanted`` exist after the changeset: live in the store or put by it, not deleted by it."""
    if not wanted:
        return set()
    pending = cs.records(kind)
    in_store = {k for k, _ in store._record_rows(kind, wanted, None)}
    return {k for k in wanted if (k in pending and pending[k] is not None) or (k in in_store and k not in pending)}


def check_changeset(store: Store, cs: Changeset) -> None:
    """Raise ValidationError for the first reference the changeset would leave dangling."""
    events = cs.records("event")
    put_events = [e for e in events.values() if isinstance(e, Event)]
    actors: set[str] = set()
    sources: set[str] = set()
    for e in put_events:  # one pass: a bulk put's events lie all over memory
        actors.update(e.actors)
        sources.update([s.source for s in e.sources])
        sources.update([a.source for a in e.amounts if a.source])
    live_actors = live_keys(store, cs, "actor", actors)
    live_sources = live_keys(store, cs, "source", sources)
    if not (actors <= live_actors and sources <= live_sources):  # something dangles: find the first record
        _raise_first_dangling(put_events, live_actors, live_sources)

    links = cs.records("link")
    put_links = [lk for lk in links.values() if isinstance(lk, Link)]
    cited = {s.source for lk in put_links for s in lk.sources}
    if cited:
        live_cited = live_keys(store, cs, "source", cited)
        for lk in put_links:
            for s in lk.sources:
                if s.source not in live_cited:
                    raise ValidationError(f"unknown source {s.source!r} (not in the store's sources)",
                                          record=lk.id, field="sources")
    # Re-dating an event can make an existing link's order impossible, so event puts are
    # checked too, unless the store has no links at all (every bulk build of events alone).
    if put_links or (put_events and store._con.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM link_versions WHERE {LIVE} LIMIT 1)"
    ).fetchall()[0][0]):
        from .links import check_new_links

        check_new_links(store, cs, put_links)

    deleted_events = {k for k, v in events.items() if v is None}
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


def _raise_first_dangling(events: list[Event], live_actors: set[str], live_sources: set[str]) -> None:
    for e in events:
        for field, kind, key in e.dangling(live_actors, live_sources):
            raise ValidationError(f"unknown {kind} {key!r}", record=e.id, field=field)
