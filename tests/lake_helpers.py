"""Helpers of the team-store tests: a small store to start from, writer processes, and the
check that no write was lost."""

from __future__ import annotations

import multiprocessing as mp
import queue
import time
from collections import defaultdict
from typing import Any

import polars as pl

import eventlog
from tests.helpers import make_event

__all__ = ["check_versions", "new_team_store", "run_workers", "seed_team_store"]

PROCESS_TIMEOUT = 300  # seconds for a whole multi-process run; far above what it needs


def new_team_store(location: str, data_path: str, events: list[str]) -> None:
    with eventlog.open(location, data_path=data_path, create=True) as store:
        seed_team_store(store, events)


def seed_team_store(store: eventlog.Store, events: list[str]) -> None:
    """Two changesets: a registry (two actors, a source), then ``events``."""
    with store.change(author="setup", message="registry") as cs:
        cs.put(eventlog.Actor(id="russia", name="Russia", category="state"))
        cs.put(eventlog.Actor(id="china", name="China", category="state"))
        cs.put(eventlog.Source(id="doc", file="doc.txt", title="Doc", publisher="us", language="en",
                               published="2024", sha256="0" * 64))
    with store.change(author="setup", message="events") as cs:
        for e in events:
            cs.put(make_event(e, title=f"{e} original"))


def run_workers(target: Any, args_per_worker: list[tuple]) -> list[dict[str, Any]]:
    """Start one spawned process per argument tuple, collect their reports, always clean up."""
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args, out), daemon=True) for args in args_per_worker]
    reports: list[dict[str, Any]] = []
    try:
        for p in procs:
            p.start()
        done = 0
        deadline = time.monotonic() + PROCESS_TIMEOUT
        while done < len(procs) and time.monotonic() < deadline:
            try:
                msg = out.get(timeout=5)
            except queue.Empty:
                if not any(p.is_alive() for p in procs) and out.empty():
                    break
                continue
            if msg["outcome"] == "done":
                done += 1
            reports.append(msg)
        for p in procs:
            p.join(timeout=30)
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
                p.join(timeout=10)
    crashes = [r["error"] for r in reports if r["outcome"] == "crash"]
    assert not crashes, crashes[0]
    assert done == len(procs), f"only {done} of {len(procs)} workers finished"
    assert all(p.exitcode == 0 for p in procs), [p.exitcode for p in procs]
    return reports


def check_versions(store: eventlog.Store, events: list[str], oks: list[dict[str, Any]]) -> None:
    """Every successful write is in history, at the version it claimed, and versions are 1..n."""
    by_event: dict[str, list[dict]] = defaultdict(list)
    for r in oks:
        by_event[r["event"]].append(r)
    for e in events:
        hist = store.history(e)
        versions = hist["version"].to_list()
        assert versions == list(range(1, len(by_event[e]) + 2)), f"{e}: versions {versions}"
        data = {row[0]: row[1] for row in store.sql(
            "SELECT changeset, data FROM event_versions WHERE key = ?", [e]).iter_rows()}
        for r in by_event[e]:
            assert r["changeset"] in data, f"{e}: changeset {r['changeset']} by w{r['worker']} is missing"
            assert f'"title":"{r["title"]}"' in data[r["changeset"]]
            if r["expected"] is not None:
                row = hist.filter(pl.col("changeset") == r["changeset"])
                assert row["version"][0] == r["expected"] + 1
    ids = sorted(r["changeset"] for r in oks)
    assert len(ids) == len(set(ids)), "two writers got the same changeset id"
    assert store.log()["changeset"].sort().to_list() == list(range(1, store.last_changeset() + 1))
