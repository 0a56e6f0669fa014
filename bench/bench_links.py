"""Causal graph traversal: one recursive DuckDB query against repeated one-hop queries.

Builds a synthetic store of 100,000 events and 300,000 links through the ordinary
bulk path (one changeset of events, one of links, every commit check included),
then times ``Store.causes`` / ``Store.effects`` against the same breadth-first walk
done naively: one SQL query per reached event for its direct causes or effects,
with the walking in Python. Both must return the same events at the same distances.

The graph: events in date order, grouped into 200 "stories" of 500 events; each
link goes forward in time inside its story, to one of the next 25 events, so a
story is a long DAG (like a chain of consequences) and a walk reaches hundreds of
events across dozens of levels.

Run: ``python bench/bench_links.py`` (or ``make bench``); set ``BENCH_LINKS_EVENTS``
to shrink it (links are three per event).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import eventlog

N_EVENTS = int(os.environ.get("BENCH_LINKS_EVENTS", "100000"))
LINKS_PER_EVENT = 3
STORY = 500
REACH = 25
QUERIES = 8
SEED = 7


def build(path: Path) -> tuple[eventlog.Store, dict[str, float]]:
    rng = random.Random(SEED)
    store = eventlog.open(path, create=True)
    times: dict[str, float] = {}
    day0 = dt.date(1900, 1, 1)
    t = time.perf_counter()
    with store.change(author="bench", message="synthetic events") as cs:
        for i in range(N_EVENTS):
            cs.put(eventlog.Event(id=f"e{i:06d}", type="other", title=f"Event {i}",
                                  date=(day0 + dt.timedelta(days=i // 4)).isoformat()))
    times["events"] = time.perf_counter() - t
    t = time.perf_counter()
    seen: set[tuple[int, int]] = set()
    relations = list(eventlog.RELATIONS)
    with store.change(author="bench", message="synthetic links") as cs:
        n = 0
        while n < N_EVENTS * LINKS_PER_EVENT:
            a = rng.randrange(N_EVENTS)
            b = a + rng.randint(1, REACH)
            if b >= N_EVENTS or b // STORY != a // STORY or (a, b) in seen:
                continue
            seen.add((a, b))
            cs.link(f"e{a:06d}", f"e{b:06d}", relation=rng.choice(relations), confidence=round(rng.uniform(0.3, 1.0), 2))
            n += 1
    times["links"] = time.perf_counter() - t
    return store, times


def naive(store: eventlog.Store, start: str, upstream: bool) -> dict[str, int]:
    """Breadth-first walk with one query per event (what a loop over the one-hop API does)."""
    src, dst = ("effect", "cause") if upstream else ("cause", "effect")
    sql = f"SELECT {dst} FROM link_versions WHERE superseded_by IS NULL AND op = 'put' AND {src} = ?"
    dist = {start: 0}
    frontier = [start]
    while frontier:
        nxt = []
        for node in frontier:
            for (other,) in store._con.execute(sql, [node]).fetchall():
                if other not in dist:
                    dist[other] = dist[node] + 1
                    nxt.append(other)
        frontier = nxt
    del dist[start]
    return dist


def timed(fn, *args, **kwargs):  # noqa: ANN001, ANN201 - a tiny local helper
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        store, build_times = build(Path(tmp) / "bench_links.duckdb")
        print(f"synthetic store: {N_EVENTS:,} events, {N_EVENTS * LINKS_PER_EVENT:,} links; bulk commits "
              f"(checks included): events {build_times['events']:.1f} s, links {build_times['links']:.1f} s")
        rng = random.Random(SEED + 1)
        # Start near a story's beginning for effects and near its end for causes, so walks are long.
        starts = [rng.randrange(N_EVENTS // STORY) * STORY + rng.randrange(50) for _ in range(QUERIES)]
        rows = []
        for label, upstream in (("effects", False), ("causes", True)):
            total_sql = total_naive = 0.0
            reached = 0
            for s in starts:
                node = f"e{(s + STORY - 100 if upstream else s):06d}"
                frame, t_sql = timed(store.causes if upstream else store.effects, node)
                dist, t_naive = timed(naive, store, node, upstream)
                if dict(zip(frame["id"].to_list(), frame["distance"].to_list(), strict=True)) != dist:
                    print(f"MISMATCH for {label} of {node}", file=sys.stderr)
                    return 1
                total_sql += t_sql
                total_naive += t_naive
                reached += len(dist)
            rows.append((f"{label} (full depth)", QUERIES, reached / QUERIES, total_sql / QUERIES, total_naive / QUERIES))
            # Depth-limited walks: the recursive query against the same naive walk cut at depth 3.
            total_sql = total_naive = 0.0
            reached = 0
            for s in starts:
                node = f"e{(s + STORY - 100 if upstream else s):06d}"
                frame, t_sql = timed(store.causes if upstream else store.effects, node, depth=3)
                dist, t_naive = timed(naive_depth, store, node, upstream, 3)
                total_sql += t_sql
                total_naive += t_naive
                reached += frame.height
            rows.append((f"{label} (depth 3)", QUERIES, reached / QUERIES, total_sql / QUERIES, total_naive / QUERIES))
        store.close()
    print(f"{'traversal':<22} {'walks':>5} {'events/walk':>12} {'recursive SQL':>14} {'one-hop loop':>13} {'ratio':>7}")
    for label, n, avg, t_sql, t_naive in rows:
        print(f"{label:<22} {n:>5} {avg:>12.0f} {t_sql * 1000:>11.1f} ms {t_naive * 1000:>10.1f} ms {t_naive / t_sql:>6.1f}x")
    return 0


def naive_depth(store: eventlog.Store, start: str, upstream: bool, depth: int) -> dict[str, int]:
    src, dst = ("effect", "cause") if upstream else ("cause", "effect")
    sql = f"SELECT {dst} FROM link_versions WHERE superseded_by IS NULL AND op = 'put' AND {src} = ?"
    dist = {start: 0}
    frontier = [start]
    for level in range(1, depth + 1):
        nxt = []
        for node in frontier:
            for (other,) in store._con.execute(sql, [node]).fetchall():
                if other not in dist:
                    dist[other] = level
                    nxt.append(other)
        frontier = nxt
    del dist[start]
    return dist


if __name__ == "__main__":
    raise SystemExit(main())
