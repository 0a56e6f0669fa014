"""Causal links between events: checks at commit, and graph queries.

>>> links_touching.__name__
'links_touching'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ._errors import LinkRejected

if TYPE_CHECKING:
    from ._changeset import Changeset
    from ._models import Link
    from ._store import Store

__all__ = ["check_new_links", "links_touching"]


def links_touching(store: Store, event_ids: Iterable[str]) -> list[str]:
    """Keys of live links whose cause or effect is one of ``event_ids``."""
    ids = list(event_ids)
    rows = store._con.execute(
        "SELECT key FROM link_versions WHERE superseded_by IS NULL AND op = 'put' "
        "AND (list_contains(?, cause) OR list_contains(?, effect))",
        [ids, ids],
    ).fetchall()
    return [r[0] for r in rows]


def check_new_links(store: Store, cs: Changeset, links: list[Link]) -> None:
    """Reject links the graph cannot take, before anything is written."""
    from ._checks import live_keys

    ends = {x for lk in links for x in (lk.cause, lk.effect)}
    live = live_keys(store, cs, "event", ends)
    for lk in links:
        if lk.cause == lk.effect:
            raise LinkRejected(f"an event cannot {lk.relation} itself", record=lk.id, field="effect")
        for end, name in ((lk.cause, "cause"), (lk.effect, "effect")):
            if end not in live:
                raise LinkRejected(f"unknown or deleted event {end!r}", record=lk.id, field=name)
