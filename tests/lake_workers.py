"""Writer processes for the team-store concurrency tests (run with the ``spawn`` start method).

Each worker opens the store itself, like an analyst's own process would, and reports
every attempt as a dict on a queue: what it expected, and what happened.
"""

from __future__ import annotations

import random
import traceback
from typing import Any

import eventlog

BARRIER_TIMEOUT = 120  # seconds; a stuck worker breaks the barrier instead of hanging the suite


def _edit(store: eventlog.Store, wid: int, event_id: str, label: str, expected: int | None) -> dict[str, Any]:
    title = f"{label} by w{wid}"
    try:
        with store.change(author=f"w{wid}", message=f"{label} on {event_id}") as cs:
            cs.put(store.get(event_id).model_copy(update={"title": title}), expected_version=expected)
    except eventlog.VersionConflict as exc:
        return {"worker": wid, "event": event_id, "expected": expected, "outcome": "conflict", "error": str(exc)}
    return {"worker": wid, "event": event_id, "expected": expected, "outcome": "ok", "changeset": cs.id, "title": title}


def _version(store: eventlog.Store, event_id: str) -> int:
    return int(store.query(id=event_id)["version"][0])


def lockstep(location: str, wid: int, rounds: list[str], barrier: Any, out: Any) -> None:
    """Every round, all workers read the same event's version, wait for each other, then
    write based on it: at most one of them can be right, the others hold a stale version."""
    store = eventlog.open(location)
    try:
        for r, event_id in enumerate(rounds):
            expected = _version(store, event_id)
            barrier.wait(BARRIER_TIMEOUT)
            out.put({"round": r, **_edit(store, wid, event_id, f"round {r}", expected)})
            barrier.wait(BARRIER_TIMEOUT)
    except BaseException:
        out.put({"worker": wid, "outcome": "crash", "error": traceback.format_exc()})
        barrier.abort()
        raise
    finally:
        out.put({"worker": wid, "outcome": "done", "attempts": getattr(store, "attempts", 0),
                 "conflicts": getattr(store, "conflicts", 0)})
        store.close()


def free_running(location: str, wid: int, events: list[str], edits: int, seed: int, blind_every: int,
                 commit_lock: bool, out: Any) -> None:
    """Read-modify-write on random overlapping events, as fast as possible: with expected_version,
    except every ``blind_every``-th edit, a blind put (last writer wins, but must still land).
    Without the commit lock, commits collide in DuckLake and are retried."""
    rng = random.Random(seed)
    store = eventlog.open(location, commit_lock=commit_lock)
    try:
        for i in range(edits):
            event_id = rng.choice(events)
            expected = None if i % blind_every == blind_every - 1 else _version(store, event_id)
            out.put(_edit(store, wid, event_id, f"edit {i}", expected))
    except BaseException:
        out.put({"worker": wid, "outcome": "crash", "error": traceback.format_exc()})
        raise
    finally:
        out.put({"worker": wid, "outcome": "done", "attempts": getattr(store, "attempts", 0),
                 "conflicts": getattr(store, "conflicts", 0)})
        store.close()


def create_and_commit(location: str, data_path: str, wid: int, barrier: Any, out: Any) -> None:
    """Open-or-create the same new team store at the same moment as another process, then commit."""
    try:
        barrier.wait(BARRIER_TIMEOUT)
        with eventlog.open(location, data_path=data_path, create=True) as store:
            with store.change(author=f"w{wid}", message="first") as cs:
                cs.put(eventlog.Event(id=f"w{wid}", type="visit", title=f"by w{wid}", date="2024"))
        out.put({"worker": wid, "outcome": "ok", "changeset": cs.id})
    except BaseException:
        out.put({"worker": wid, "outcome": "crash", "error": traceback.format_exc()})
        raise
    finally:
        out.put({"worker": wid, "outcome": "done"})
