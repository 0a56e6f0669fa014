"""Team store benchmark: DuckLake (PostgreSQL catalog) next to the DuckDB file, with ratios.

Measures, on a private PostgreSQL server and a private S3-compatible server (moto's)
started for the run:

* bulk build: the curated events/ folder, then 5,000 synthetic events in one changeset,
  into the file, a lake with its data in a folder and a lake with its data in a bucket;
* queries: the read API (filters, as_of, history, log, diff, links, stats), median of repeats;
* ``lake maintain`` after the commits below: files and bytes before and after, its time,
  and the queries again on the compacted lake;
* commits per second with 1, 2, 4 and 8 concurrent writer processes (blind puts on their
  own events, so every commit succeeds), queued on the commit lock; 4 writers without it,
  colliding in DuckLake (each refusal is retried and counted); and 8 writers with inlining
  off (every commit writes Parquet files). For each run, where a commit's time goes: waiting
  for the commit turn, the transaction's statements, COMMIT (the catalog).

Run: ``python bench/bench_lake.py`` (``make bench`` runs it). Takes about three minutes.
Results also go to bench/out/lake.json.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.pgserver import TempPostgres
from tests.s3server import TempS3

import eventlog
from eventlog._build import sync
from eventlog._files.corpus import find_corpus
from eventlog._files.folder import load_dataset

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "events"
SYNTHETIC = 5000
QUERY_REPEATS = 5
WRITERS = (1, 2, 4, 8)
COMMITS_PER_WRITER = {1: 24, 2: 14, 4: 8, 8: 5}
TIMEOUT = 240  # seconds for one concurrent-writers run


def opened(location: str, **options: Any) -> eventlog.Store:
    return eventlog.open(location, **options)


def timed(fn: Callable[[], Any]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def median_time(fn: Callable[[], Any], repeats: int = QUERY_REPEATS) -> float:
    fn()  # warm up: the first call pays for loading and planning
    return statistics.median(timed(fn) for _ in range(repeats))


def synthetic_events(ds: Any, n: int) -> list[eventlog.Event]:
    actors = sorted(ds.actors)[:20]
    source = sorted(ds.sources)[0]
    types = ["trade", "policy", "statement", "finance", "visit"]
    return [
        eventlog.Event(id=f"synthetic-{i:05d}", type=types[i % len(types)], title=f"Synthetic event {i}",
                       summary="A generated event for the benchmark", date=f"{2000 + i % 25}-{1 + i % 12:02d}",
                       actors=[actors[i % len(actors)], actors[(i * 7 + 3) % len(actors)]],
                       sources=[{"source": source, "span": [i, i + 10]}], tags=["bench", f"t{i % 10}"])
        for i in range(n)
    ]


def build(store: eventlog.Store, ds: Any, extra: list[eventlog.Event]) -> dict[str, float]:
    out = {"build events/": timed(lambda: sync(store, ds, author="bench", message="build"))}
    out["evidence quotes"] = timed(lambda: store.add_evidence(
        {(s, a, b): q for (_e, s, a, b), q in ds.quotes.items()}))

    def bulk() -> None:
        with store.change(author="bench", message=f"{len(extra)} synthetic events") as cs:
            for e in extra:
                cs.put(e)

    out[f"bulk {len(extra)} events"] = timed(bulk)
    return out


def queries(store: eventlog.Store, ds: Any) -> dict[str, float]:
    some = sorted(ds.events)[0]
    actor = sorted(ds.actors)[0]
    return {
        "query all": median_time(lambda: store.query()),
        "query type+start": median_time(lambda: store.query(type="trade", start="2022")),
        "query actor": median_time(lambda: store.query(actor=actor)),
        "query text": median_time(lambda: store.query(text="bank")),
        "query as_of 1": median_time(lambda: store.query(as_of=1)),
        "history": median_time(lambda: store.history(some)),
        "log": median_time(lambda: store.log()),
        "diff 1..now": median_time(lambda: store.diff(1)),
        "links": median_time(lambda: store.links()),
        "stats": median_time(lambda: store.stats()),
    }


# -- concurrent writers ----------------------------------------------------------------------------
def writer(location: str, wid: int, commits: int, commit_lock: bool, inline_rows: int | None,
           barrier: Any, out: Any) -> None:
    store = opened(location, commit_lock=commit_lock, **({} if inline_rows is None else {"inline_rows": inline_rows}))
    try:
        base = store.get(f"synthetic-{wid:05d}")
        barrier.wait(120)
        t = time.perf_counter()
        for i in range(commits):
            with store.change(author=f"writer{wid}", message=f"edit {i}") as cs:
                cs.put(base.model_copy(update={"title": f"writer {wid} edit {i}"}))
        out.put({"wid": wid, "seconds": time.perf_counter() - t, "commits": commits,
                 "attempts": getattr(store, "attempts", commits), "conflicts": getattr(store, "conflicts", 0),
                 "timings": getattr(store, "timings", {})})
    except BaseException as exc:
        barrier.abort()
        out.put({"wid": wid, "error": repr(exc)})
        raise
    finally:
        store.close()


def concurrent_commits(location: str, n: int, commits: int, commit_lock: bool = True,
                       inline_rows: int | None = None) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(n + 1), ctx.Queue()
    procs = [ctx.Process(target=writer, args=(location, w, commits, commit_lock, inline_rows, barrier, out), daemon=True)
             for w in range(n)]
    try:
        for p in procs:
            p.start()
        barrier.wait(120)  # everyone has opened the store: start the clock together
        t = time.perf_counter()
        results = [out.get(timeout=TIMEOUT) for _ in procs]
        wall = time.perf_counter() - t
        for p in procs:
            p.join(timeout=30)
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
                p.join(timeout=10)
    if errors := [r["error"] for r in results if "error" in r]:
        raise RuntimeError(errors[0])
    total = sum(r["commits"] for r in results)
    # Where a commit's time goes, per commit, summed over the writers.
    profile = {k: sum(r["timings"].get(k, 0.0) for r in results) / total for k in ("turn", "body", "commit")}
    return {"writers": n, "commit_lock": commit_lock, "inline_rows": inline_rows, "commits": total, "seconds": wall,
            "commits_per_s": total / wall, "attempts": sum(r["attempts"] for r in results),
            "refused_and_retried": sum(r["conflicts"] for r in results), "ms_per_commit": profile}


def file_commits(path: str, commits: int) -> dict[str, float]:
    with opened(path) as store:
        base = store.get("synthetic-00000")
        t = time.perf_counter()
        for i in range(commits):
            with store.change(author="writer0", message=f"edit {i}") as cs:
                cs.put(base.model_copy(update={"title": f"file edit {i}"}))
        wall = time.perf_counter() - t
    return {"writers": 1, "commits": commits, "seconds": wall, "commits_per_s": commits / wall}


# -- report ----------------------------------------------------------------------------------------
def table(title: str, names: list[str], rows: list[tuple[str, list[float]]]) -> list[str]:
    """One row per measure: each column's time, then each column's ratio to the first."""
    head = "".join(f"{n:>14}" for n in names) + "".join(f"{n + '/' + names[0]:>14}" for n in names[1:])
    lines = [f"\n{title}", f"  {'':<22}{head}"]
    for name, values in rows:
        cells = "".join(f"{v * 1000:>12.1f}ms" for v in values)
        cells += "".join(f"{v / values[0]:>13.2f}x" for v in values[1:])
        lines.append(f"  {name:<22}{cells}")
    return lines


def maintenance(location: str) -> dict[str, Any]:
    with opened(location) as store:
        report = store.maintain()  # type: ignore[attr-defined]
    return {"before": report.before.as_dict(), "after": report.after.as_dict(), "seconds": report.seconds}


def main() -> int:
    started = time.perf_counter()
    ds = load_dataset(EVENTS, find_corpus())  # with the corpus when there is one: quotes to store
    extra = synthetic_events(ds, SYNTHETIC)
    work = Path(tempfile.mkdtemp(prefix="eventlog-bench-"))
    results: dict[str, Any] = {}
    names = ["file", "lake", "lake+s3"]
    with TempPostgres() as pg, TempS3() as s3:
        bucket = s3.bucket("bench")
        locations = {"file": str(work / "bench.duckdb"), "lake": pg.lake("bench"), "lake+s3": pg.lake("bench_s3")}
        stores = {"file": opened(locations["file"], create=True),
                  "lake": opened(locations["lake"], data_path=str(work / "lake-data"), create=True),
                  "lake+s3": opened(locations["lake+s3"], data_path=f"{bucket}/events/", s3=s3.options, create=True)}
        try:
            results["build"] = {k: build(s, ds, extra) for k, s in stores.items()}
            results["query"] = {k: queries(s, ds) for k, s in stores.items()}
        finally:
            for s in stores.values():
                s.close()
        results["commits_file"] = file_commits(locations["file"], COMMITS_PER_WRITER[1])
        lake = locations["lake"]
        results["commits_lake"] = [concurrent_commits(lake, n, COMMITS_PER_WRITER[n]) for n in WRITERS]
        # The same 4 writers without the advisory lock: they collide in DuckLake and retry.
        results["commits_lake"].append(concurrent_commits(lake, 4, COMMITS_PER_WRITER[4], commit_lock=False))
        # 8 writers, every commit writing Parquet files instead of catalog rows.
        results["commits_lake"].append(concurrent_commits(lake, 8, COMMITS_PER_WRITER[8], inline_rows=0))
        results["maintain"] = maintenance(lake)
        with opened(lake) as store:
            results["query_after_maintain"] = queries(store, ds)

    lines = [f"eventlog team store benchmark: {len(ds.events)} curated + {SYNTHETIC} synthetic events, "
             "PostgreSQL at 127.0.0.1; lake = Parquet in a local folder, lake+s3 = in a bucket on a local "
             "S3-compatible server (moto)"]
    b = results["build"]
    lines += table("bulk build (one changeset each)", names, [(k, [b[n][k] for n in names]) for k in b["file"]])
    q = results["query"]
    lines += table(f"queries on {len(ds.events) + SYNTHETIC} events (median of {QUERY_REPEATS})", names,
                   [(k, [q[n][k] for n in names]) for k in q["file"]])
    f = results["commits_file"]
    lines.append("\ncommits per second (one small edit per commit); ms per commit: waiting for the turn / "
                 "statements / COMMIT")
    lines.append(f"  DuckDB file, 1 writer (the only kind it allows): {f['commits_per_s']:6.1f}/s")
    for r in results["commits_lake"]:
        how = "queued" if r["commit_lock"] else "colliding, no commit lock"
        if r["inline_rows"] == 0:
            how += ", inlining off"
        p = r["ms_per_commit"]
        lines.append(f"  DuckLake+PG, {r['writers']} writer(s), {how}: {r['commits_per_s']:6.1f}/s total "
                     f"({r['commits']} commits in {r['seconds']:.1f}s; {r['refused_and_retried']} of "
                     f"{r['attempts']} attempts refused and retried; "
                     f"{p['turn'] * 1000:.0f} / {p['body'] * 1000:.0f} / {p['commit'] * 1000:.0f} ms)")
    m = results["maintain"]
    lines.append(f"\nlake maintain after those commits ({m['seconds']:.1f} s):")
    for k in m["before"]:
        lines.append(f"  {k.replace('_', ' '):<16} {m['before'][k]:>12,} -> {m['after'][k]:>12,}")
    qa = results["query_after_maintain"]
    lines += table("queries on the lake before and after maintenance", ["before", "after"],
                   [(k, [q["lake"][k], qa[k]]) for k in qa])
    lines.append(f"\n(total {time.perf_counter() - started:.0f}s)")
    print("\n".join(lines))
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "lake.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
