"""Benchmark of the versioned store, side by side with a naive SQLite baseline.

    python bench/bench_store.py            # the full run (make bench): 20k and 100k events, 5 versions each
    python bench/bench_store.py --quick    # a smoke run: 2k and 5k events

Reports, in one table: bulk build throughput, a one-event changeset commit, the same query
now and as of an old changeset (ratio), history(id) and blame(id) latency at two store sizes,
and the as-of query on SQLite with a history table (stdlib sqlite3) as a ratio. Writes the
figures to bench/out/store.json. Times are wall-clock medians; throughput also reports CPU
seconds of this process, which stay meaningful on a busy machine.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.synthetic import Synthetic  # noqa: E402

import eventlog  # noqa: E402

VERSIONS = 5
AIMS = {"as_of_ratio": 1.5, "history_ms": 5.0, "blame_ms": 5.0, "bulk_events_per_s": 50_000}


def timed(fn, repeat: int = 7) -> float:
    """Median wall seconds of ``repeat`` calls (after one warm-up call)."""
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


class Clock:
    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def build_store(path: Path, n: int, seed: int) -> dict:
    """A store of ``n`` events with VERSIONS versions each; returns build figures."""
    syn = Synthetic(seed=seed)
    store = eventlog.open(path, create=True)
    with store.change(author="bench", message="registry") as cs:
        for rec in [*syn.actors(), *syn.sources()]:
            cs.put(rec)
    events = syn.events(n)
    figures: dict = {}
    for v in range(1, VERSIONS + 1):
        with Clock() as c, store.change(author=f"analyst-{v}", message=f"version {v}") as cs:
            for ev in events:
                cs.put(ev)
        if v == 1:
            figures["bulk_create"] = {"events": n, "wall_s": c.wall, "cpu_s": c.cpu}
        elif v == 2:
            figures["bulk_update"] = {"events": n, "wall_s": c.wall, "cpu_s": c.cpu}
        if v < VERSIONS:
            events = [syn.revise(ev, v + 1) for ev in events]
    store.close()
    return figures


def query_figures(store: eventlog.Store, ids: list[str]) -> dict:
    old = 3  # changeset 1 is the registry; 3 is the events' second version, superseded three times since
    q = {"type": ["sanction", "bank_withdrawal"], "start": "2014", "end": "2016"}
    out = {
        "query_rows": store.query(**q).height,
        "query_now_ms": 1e3 * timed(lambda: store.query(**q)),
        "query_as_of_ms": 1e3 * timed(lambda: store.query(**q, as_of=old)),
        "text_now_ms": 1e3 * timed(lambda: store.query(text="gas supply")),
        "text_as_of_ms": 1e3 * timed(lambda: store.query(text="gas supply", as_of=old)),
    }
    assert store.query(**q, as_of=old).height == out["query_rows"]  # dates never change in the synthetic revisions
    rng = random.Random(1)
    sample = rng.sample(ids, 40)
    it = iter(sample * 10)
    out["history_ms"] = 1e3 * timed(lambda: store.history(next(it)), repeat=30)
    it2 = iter(sample * 10)
    out["blame_ms"] = 1e3 * timed(lambda: store.blame(next(it2)), repeat=30)
    out["get_as_of_ms"] = 1e3 * timed(lambda: store.get(sample[0], as_of=old), repeat=30)
    return out


def diff_figures(store: eventlog.Store) -> dict:
    """The diff of the last changeset (a one-event commit), and the naive way to compute it."""
    last = store.last_changeset()
    assert store.diff(last - 1, last).height >= 1
    return {"diff_one_ms": 1e3 * timed(lambda: store.diff(last - 1, last), repeat=9),
            "diff_one_full_state_ms": 1e3 * timed(lambda: full_state_diff(store, last - 1, last), repeat=5)}


def full_state_diff(store: eventlog.Store, a: int, b: int) -> int:
    """The naive diff: both whole states of every kind, outer-joined (what diff did before)."""
    from eventlog._store.schema import KINDS, visible

    n = 0
    with store.reading() as con:
        for spec in KINDS.values():
            (wa, pa), (wb, pb) = visible(None, a), visible(None, b)
            n += len(con.execute(
                f"SELECT coalesce(x.key, y.key) FROM (SELECT key, data FROM {spec.table} WHERE {wa}) x "  # noqa: S608
                f"FULL OUTER JOIN (SELECT key, data FROM {spec.table} WHERE {wb}) y ON x.key = y.key "
                "WHERE x.data IS DISTINCT FROM y.data", [*pa, *pb]).fetchall())
    return n


def commit_one(store: eventlog.Store, eid: str) -> float:
    ev = store.get(eid)
    k = [0]

    def one() -> None:
        k[0] += 1
        with store.change(author="bench", message="one edit") as cs:
            cs.put(ev.model_copy(update={"title": f"{ev.title} ({k[0]})"}))

    return timed(one, repeat=15)


def add_links(store: eventlog.Store, n: int) -> int:
    """``n`` causal links from earlier to later events (possible orders, no cycles)."""
    rows = store.sql("SELECT id FROM events ORDER BY start, id").to_series().to_list()
    pairs = {(rows[i], rows[min(len(rows) - 1, i + 1 + i % 7)]) for i in range(0, len(rows) - 1, max(1, len(rows) // n))}
    with store.change(author="bench", message=f"{len(pairs)} links") as cs:
        for cause, effect in sorted(pairs):
            if cause != effect:
                cs.link(cause, effect, relation="contributes_to")
    return len(pairs)


def raw_commit(path: Path, eid: str, table: str = "event_versions_recent") -> float:
    """The floor: one DuckDB transaction writing the same rows by hand (head, the superseded
    version, the new version, the changeset) into ``table``, on a connection opened for it as
    eventlog's is. Into ``event_versions_main``: what keeping every version in one indexed
    table costs (the layout before schema 5), whose index each checkpoint writes whole."""
    import duckdb

    def one() -> None:
        con = duckdb.connect(str(path))
        con.execute("BEGIN TRANSACTION")
        last = con.execute("SELECT last_changeset FROM head").fetchall()[0][0]
        cs = last + 1
        con.execute("UPDATE head SET last_changeset = ?", [cs])
        version = con.execute("SELECT version FROM event_versions WHERE key = ? AND superseded_by IS NULL", [eid]).fetchall()[0][0]
        for stored in ("event_versions_main", "event_versions_recent"):
            con.execute(f"UPDATE {stored} SET superseded_by = ? WHERE key = ? AND superseded_by IS NULL", [cs, eid])
        con.execute(f"INSERT INTO {table} SELECT * REPLACE (version + 1 AS version, ?::BIGINT AS changeset, "
                    "NULL::BIGINT AS superseded_by, title || ' raw' AS title) FROM event_versions WHERE key = ? AND version = ?",
                    [cs, eid, version])
        con.execute("INSERT INTO changesets VALUES (?, 'raw', 'raw edit', now(), 0, 1, 0, NULL)", [cs])
        con.execute("COMMIT")
        con.close()

    return timed(one, repeat=15)


def sqlite_baseline(db: Path, store: eventlog.Store) -> dict:
    """The same versions in SQLite: a history table with (key, changeset) and an as-of query by max(changeset)."""
    con = sqlite3.connect(db)
    con.execute("""CREATE TABLE history (key TEXT, version INTEGER, changeset INTEGER, op TEXT, type TEXT, title TEXT,
                   summary TEXT, start TEXT, "end" TEXT, data TEXT)""")
    rows = store.sql("""SELECT key, version, changeset, op, type, title, summary, CAST(start AS VARCHAR),
                        CAST("end" AS VARCHAR), data FROM event_versions""").rows()
    con.executemany("INSERT INTO history VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
    con.execute("CREATE INDEX history_key_cs ON history (key, changeset)")
    con.execute("CREATE INDEX history_type ON history (type)")
    con.commit()
    sql = """SELECT h.key, h.type, h.title, h.start, h."end", h.data FROM history h
             JOIN (SELECT key, max(changeset) AS cs FROM history WHERE changeset <= ? GROUP BY key) m
               ON h.key = m.key AND h.changeset = m.cs
             WHERE h.op = 'put' AND h.type IN ('sanction', 'bank_withdrawal') AND h."end" >= '2014-01-01'
               AND h.start <= '2016-12-31' ORDER BY h.start, h.key"""
    last = store.last_changeset()
    n_old = len(con.execute(sql, [3]).fetchall())
    out = {
        "sqlite_query_rows": n_old,
        "sqlite_now_ms": 1e3 * timed(lambda: con.execute(sql, [last]).fetchall(), repeat=5),
        "sqlite_as_of_ms": 1e3 * timed(lambda: con.execute(sql, [3]).fetchall(), repeat=5),
    }
    con.close()
    return out


def yaml_build(tmp: Path, n: int) -> dict:
    """End to end: `eventlog build` of a generated events folder (YAML parsing and validation
    included); then the same build again, unchanged, which only hashes the files, next to
    the same unchanged build without the last build's fingerprint (parsing everything)."""
    import duckdb

    folder = Synthetic(seed=5).write_events_dir(tmp / "yaml-events", n)
    db = tmp / "yaml.duckdb"
    with Clock() as c:
        eventlog.build(folder, db, author="bench", message="yaml build", corpus=None)
    with Clock() as again:
        report = eventlog.build(folder, db, author="bench", message="unchanged", corpus=None)
    assert report.changeset is None
    con = duckdb.connect(str(db))
    con.execute("DELETE FROM meta WHERE key = 'build_fingerprint'")
    con.close()
    with Clock() as full:
        report = eventlog.build(folder, db, author="bench", message="unchanged, parsed", corpus=None)
    assert report.changeset is None
    return {"events": n, "wall_s": c.wall, "cpu_s": c.cpu, "unchanged_s": again.wall, "unchanged_parsed_s": full.wall}


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    sizes = (2_000, 5_000) if quick else (20_000, 100_000)
    os.environ["EVENTLOG_CORPUS"] = "/nonexistent"  # the synthetic sources have no documents
    results: dict = {"versions_per_event": VERSIONS, "sizes": {}, "aims": AIMS, "cpus": os.cpu_count(),
                     "load_avg_at_start": os.getloadavg()[0]}
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        for n in sizes:
            path = tmp / f"store-{n}.duckdb"
            print(f"building a store of {n:,} events x {VERSIONS} versions ...", flush=True)
            fig = build_store(path, n, seed=n)
            with eventlog.open(path) as store:
                ids = store.sql("SELECT DISTINCT key FROM event_versions").to_series().to_list()
                fig.update(query_figures(store, ids))
                fig["versions"] = int(store.sql("SELECT count(*) FROM event_versions").item())
                fig["commit_one_ms"] = 1e3 * commit_one(store, ids[0])
                fig["links"] = add_links(store, 1000)
                fig["commit_links_ms"] = 1e3 * commit_one(store, store.links()["cause"][0])  # an event with links
                fig.update(diff_figures(store))
            fig["raw_commit_ms"] = 1e3 * raw_commit(path, ids[2])
            fig["raw_one_table_ms"] = 1e3 * raw_commit(path, ids[3], "event_versions_main")
            with eventlog.open(path) as store:
                if n == sizes[-1]:
                    fig.update(sqlite_baseline(tmp / "baseline.sqlite", store))
            fig["store_mb"] = path.stat().st_size / 1e6
            results["sizes"][str(n)] = fig
        print("building an events folder through YAML ...", flush=True)
        results["yaml_build"] = yaml_build(tmp, 2_000 if quick else 10_000)
    results["total_s"] = time.perf_counter() - t0
    report(results, sizes)
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / "store.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"\nfigures written to {out / 'store.json'} ({results['total_s']:.0f} s)")
    return 0


def report(r: dict, sizes: tuple[int, int]) -> None:
    small, large = (r["sizes"][str(n)] for n in sizes)
    sl = f"{sizes[0] // 1000}k"
    ll = f"{sizes[1] // 1000}k"

    def rate(f: dict, key: str) -> float:
        return f["events"] / f[key]

    bulk = large["bulk_create"]
    rows = [
        ("bulk build: one changeset of new events", f"{rate(bulk, 'wall_s'):,.0f} ev/s",
         f"{rate(bulk, 'cpu_s'):,.0f} ev/s per CPU s", f"aim > {AIMS['bulk_events_per_s']:,} ev/s"),
        ("bulk update: a new version of every event", f"{rate(large['bulk_update'], 'wall_s'):,.0f} ev/s",
         f"{rate(large['bulk_update'], 'cpu_s'):,.0f} ev/s per CPU s", ""),
        ("eventlog build from YAML files (end to end)", f"{rate(r['yaml_build'], 'wall_s'):,.0f} ev/s",
         f"{rate(r['yaml_build'], 'cpu_s'):,.0f} ev/s per CPU s", f"{r['yaml_build']['events']:,} files"),
        ("unchanged rebuild of those files", f"{r['yaml_build']['unchanged_s'] * 1000:.0f} ms",
         f"{r['yaml_build']['unchanged_parsed_s'] * 1000:.0f} ms parsing them all",
         f"{r['yaml_build']['unchanged_parsed_s'] / r['yaml_build']['unchanged_s']:.1f}x faster (aim < 300 ms)"),
        ("one-event changeset commit", f"{small['commit_one_ms']:.1f} ms ({sl})", f"{large['commit_one_ms']:.1f} ms ({ll})",
         f"{large['commit_one_ms'] / large['raw_commit_ms']:.2f}x the raw transaction"),
        (f"the same with {large['links']:,} links in the store", f"{small['commit_links_ms']:.1f} ms ({sl})",
         f"{large['commit_links_ms']:.1f} ms ({ll})", f"{large['commit_links_ms'] / large['raw_commit_ms']:.2f}x the raw transaction"),
        ("raw DuckDB transaction, the same rows", f"{small['raw_commit_ms']:.1f} ms ({sl})", f"{large['raw_commit_ms']:.1f} ms ({ll})",
         "connection opened per commit, as eventlog's"),
        ("  the same into one indexed table of every version", f"{small['raw_one_table_ms']:.1f} ms ({sl})",
         f"{large['raw_one_table_ms']:.1f} ms ({ll})", "the layout before schema 5"),
        (f"query now ({large['query_rows']} rows)", f"{small['query_now_ms']:.1f} ms ({sl})", f"{large['query_now_ms']:.1f} ms ({ll})", ""),
        ("same query as_of an old changeset", f"{small['query_as_of_ms']:.1f} ms ({sl})", f"{large['query_as_of_ms']:.1f} ms ({ll})",
         f"ratio {large['query_as_of_ms'] / large['query_now_ms']:.2f}x (aim <= {AIMS['as_of_ratio']}x)"),
        ("text query now / as_of", f"{large['text_now_ms']:.1f} ms", f"{large['text_as_of_ms']:.1f} ms",
         f"ratio {large['text_as_of_ms'] / large['text_now_ms']:.2f}x"),
        ("history(id)", f"{small['history_ms']:.2f} ms ({small['versions']:,} v)", f"{large['history_ms']:.2f} ms ({large['versions']:,} v)",
         f"aim < {AIMS['history_ms']} ms"),
        ("blame(id)", f"{small['blame_ms']:.2f} ms ({sl})", f"{large['blame_ms']:.2f} ms ({ll})", f"aim < {AIMS['blame_ms']} ms"),
        ("diff of a one-event changeset", f"{small['diff_one_ms']:.1f} ms ({sl})", f"{large['diff_one_ms']:.1f} ms ({ll})",
         f"whole states outer-joined: {large['diff_one_full_state_ms']:.0f} ms ({ll})"),
        ("get(id, as_of)", f"{small['get_as_of_ms']:.2f} ms ({sl})", f"{large['get_as_of_ms']:.2f} ms ({ll})", ""),
        ("SQLite history table: same query now / as_of", f"{large['sqlite_now_ms']:.1f} ms", f"{large['sqlite_as_of_ms']:.1f} ms",
         f"eventlog as_of is {large['sqlite_as_of_ms'] / large['query_as_of_ms']:.1f}x faster"),
        ("store size", f"{small['store_mb']:.0f} MB ({sl})", f"{large['store_mb']:.0f} MB ({ll})", ""),
    ]
    assert large["sqlite_query_rows"] == large["query_rows"], "the baseline must return the same rows"
    widths = [max(len(str(row[i])) for row in [("measure", "", "", ""), *rows]) for i in range(4)]
    print(f"\nstore benchmark: {VERSIONS} versions per event, {r['cpus']} CPUs, load average {r['load_avg_at_start']:.1f} at start\n")
    print(" | ".join(h.ljust(w) for h, w in zip(("measure", "", "", "note"), widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
