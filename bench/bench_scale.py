"""How eventlog's costs grow with the store: every figure at two sizes, with its growth factor
and its peers side by side, in one run.

    python bench/bench_scale.py --scale 1m    # 100k and 1M events x 5 versions (make bench SCALE=1m)
    python bench/bench_scale.py               # 20k and 100k (what make bench runs)
    python bench/bench_scale.py --quick       # 2k and 10k, a smoke run

Each store is built by a child process (so its peak memory is the build's own): one changeset
of every event, then four changesets each giving every event a new version. Then, per size:

* a one-event commit, without and with 1,000 links, next to the raw DuckDB transaction
  writing the same rows (the floor);
* the diff of a one-event changeset;
* a 2,000-row timeline with evidence quotes in its tooltips (as the Explorer draws it), and
  the quote lookup alone;
* reverting a 5,000-event changeset next to writing it;
* the Explorer: opening it, and refreshing it after a filter change;
* a selective query as of an old changeset next to its peers: a plain DuckDB table holding
  only that state, DuckLake's ``AT (VERSION => n)`` on the same versions, and an indexed
  SQLite history table.

Writes bench/out/scale.json. Times are medians of wall time; the machine's CPUs and load are
printed with them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.bench_store import add_links, commit_one, raw_commit  # noqa: E402 (the same floor and edits)
from bench.bench_store import timed as median  # noqa: E402

VERSIONS = 5
SIZES = {"quick": (2_000, 10_000), "default": (20_000, 100_000), "1m": (100_000, 1_000_000)}
QUERY = {"type": ["sanction", "bank_withdrawal"], "start": "2014", "end": "2016"}


# -- the build, in a child process --------------------------------------------------------------
def _generated(events: Iterator, spent: list[float]) -> Iterator:
    """The events of ``events``, adding the time spent making them to ``spent``."""
    while True:
        t = time.perf_counter()
        try:
            ev = next(events)
        except StopIteration:
            return
        spent[0] += time.perf_counter() - t
        yield ev


def child_build(path: Path, n: int, phase: str) -> dict:
    """One phase of the build of a store of ``n`` events: 'create' (registries and one
    changeset of every event) or 'update' (VERSIONS - 1 changesets of a version of each)."""
    os.environ["EVENTLOG_CORPUS"] = "/nonexistent"
    from bench.synthetic import Synthetic

    import eventlog

    syn = Synthetic(seed=n)
    out: dict = {"events": n}
    store = eventlog.open(path, create=phase == "create")
    if phase == "create":
        with store.change(author="bench", message="registry") as cs:
            for rec in [*syn.actors(), *syn.sources()]:
                cs.put(rec)
        spent = [0.0]
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t = time.perf_counter()
        with store.change(author="analyst-1", message="version 1") as cs:
            for ev in _generated(syn.iter_events(n), spent):
                cs.put(ev)
        out.update(wall_s=time.perf_counter() - t, made_s=spent[0], base_rss_mb=base / 1e3,
                   peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3)
    else:
        walls, made = [], []
        for v in range(2, VERSIONS + 1):
            spent = [0.0]
            # The same events as the first version (same seed), each revised by a second generator.
            editor = Synthetic(seed=n + v)
            revised = (editor.revise(ev, v) for ev in Synthetic(seed=n).iter_events(n))
            t = time.perf_counter()
            with store.change(author=f"analyst-{v}", message=f"version {v}") as cs:
                for ev in _generated(revised, spent):
                    cs.put(ev)
            walls.append(time.perf_counter() - t)
            made.append(spent[0])
        out.update(wall_s=statistics.median(walls), made_s=statistics.median(made),
                   peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3)
    store.close()
    return out


def build(path: Path, n: int) -> dict:
    figures = {}
    for phase in ("create", "update"):
        print(f"  {phase}: {n:,} events{'' if phase == 'create' else f' x {VERSIONS - 1} versions'} ...", flush=True)
        done = subprocess.run([sys.executable, __file__, "--child", phase, str(path), str(n)],
                              capture_output=True, text=True, check=False)
        if done.returncode:
            raise SystemExit(f"the {phase} child failed:\n{done.stderr}")
        figures[phase] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def raw_bulk(path: Path, tmp: Path) -> float:
    """The floor of a bulk build: DuckDB inserting the first version rows in one transaction."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    rows = con.execute("SELECT * FROM event_versions WHERE changeset = 2").to_arrow_table()  # noqa: F841 (read by name in SQL)
    con.close()
    target = tmp / f"raw-bulk-{path.stem}.duckdb"
    con = duckdb.connect(str(target))
    con.execute("CREATE TABLE t AS SELECT * FROM rows LIMIT 0")
    con.close()
    t = time.perf_counter()
    con = duckdb.connect(str(target))
    con.execute("BEGIN TRANSACTION")
    con.execute("INSERT INTO t SELECT * FROM rows")
    con.execute("COMMIT")
    con.close()
    return time.perf_counter() - t


# -- per-change costs ---------------------------------------------------------------------------
def add_quotes(path: Path) -> int:
    """A quote for every citation of every version, as a build with the corpus keeps them."""
    import duckdb

    con = duckdb.connect(str(path))
    con.execute("""INSERT INTO evidence
        SELECT DISTINCT c.x.source, c.x.span[1], c.x.span[2], 'quoted text of ' || c.x.source || ' at ' || c.x.span[1]
        FROM (SELECT unnest(from_json(json_extract(data, '$.sources'), '[{"source": "VARCHAR", "span": ["INTEGER"]}]')) AS x
              FROM event_versions WHERE op = 'put') c""")
    n = con.execute("SELECT count(*) FROM evidence").fetchall()[0][0]
    con.close()
    return int(n)


def chart_figures(store) -> dict:  # noqa: ANN001
    from eventlog import timeline
    from eventlog._charts.timeline import _quotes

    # The latest 2,000 events or so: a window such as the Explorer's first view shows.
    start = store.sql("SELECT start FROM events ORDER BY start DESC LIMIT 1 OFFSET 1999").item()
    frame = store.query(start=start).head(2000)
    quotes = _quotes(store, frame)
    return {"chart_rows": frame.height, "chart_quotes": len(quotes),
            "chart_ms": 1e3 * median(lambda: timeline(frame, store=store, controls=False), 5),
            "quotes_ms": 1e3 * median(lambda: _quotes(store, frame), 7)}


def revert_figures(store, n_events: int = 5000) -> dict:  # noqa: ANN001
    ids = store.sql(f"SELECT id FROM events ORDER BY id LIMIT {n_events}").to_series().to_list()
    events = [store.get(i) for i in ids[:1]]
    current = store._current_records("event", ids)
    t = time.perf_counter()
    with store.change(author="bench", message=f"{n_events} edits") as cs:
        for i in ids:
            ev = current[i]
            cs.put(ev.model_copy(update={"status": "disputed" if ev.status != "disputed" else "confirmed"}))
    write = time.perf_counter() - t
    t = time.perf_counter()
    store.revert(cs.id, author="bench")
    revert = time.perf_counter() - t
    assert store.get(ids[0]).status == events[0].status
    return {"revert_events": n_events, "write_s": write, "revert_s": revert}


def explorer_figures(path: Path) -> dict:
    """The Explorer: open, a refresh after a type filter change (median), and clearing every
    filter (the whole store, drawn as counts at this size)."""
    os.environ.setdefault("EVENTLOG_POLL", "0")
    import eventlog
    from eventlog.widgets import Explorer

    store = eventlog.open(path)
    Explorer(store, poll=0).close()  # imports and first reads out of the way
    t = time.perf_counter()
    ex = Explorer(store, poll=0)
    opened = time.perf_counter() - t
    first_rows = ex.frame.height
    choices = [("sanction",), ("visit", "treaty")]
    k = [0]

    def refresh() -> None:
        k[0] += 1
        ex.type_filter.value = choices[k[0] % len(choices)]

    out = {"explorer_open_s": opened, "explorer_refresh_s": median(refresh, 5), "explorer_rows": first_rows}
    cleared = []
    for _ in range(3):
        ex.type_filter.value = ("sanction",)
        t = time.perf_counter()
        ex.reset()
        cleared.append(time.perf_counter() - t)
    out["explorer_all_s"] = statistics.median(cleared)
    ex.close()
    store.close()
    return out


def dataset_explorer(tmp: Path) -> dict:
    """The Explorer on the real dataset (events/, built without the corpus)."""
    import eventlog

    events = HERE.parent / "events"
    if not events.is_dir():
        return {}
    path = tmp / "dataset.duckdb"
    eventlog.build(events, path, author="bench", message="dataset", corpus=None)
    return explorer_figures(path)


# -- peers for the as-of query ------------------------------------------------------------------
def peers(path: Path, tmp: Path, store, old: int) -> dict:  # noqa: ANN001
    import duckdb

    out = {"query_now_ms": 1e3 * median(lambda: store.query(**QUERY)),
           "query_as_of_ms": 1e3 * median(lambda: store.query(**QUERY, as_of=old))}
    rows = store.query(**QUERY, as_of=old).height
    # A plain DuckDB table holding only that state: the floor for a selective query.
    con = duckdb.connect()
    con.execute(f"ATTACH '{path}' AS s (READ_ONLY)")
    con.execute("CREATE TABLE state AS SELECT * FROM s.event_versions WHERE changeset <= ? "
                "AND (superseded_by IS NULL OR superseded_by > ?) AND op = 'put'", [old, old])
    # Every column, read as Arrow: what eventlog's frame holds (it also names actors and joins changesets).
    sql = ("SELECT * FROM state WHERE list_contains(?, type) "
           "AND \"end\" >= DATE '2014-01-01' AND start <= DATE '2016-12-31' ORDER BY start, key")
    assert con.execute(sql, [QUERY["type"]]).to_arrow_table().num_rows == rows
    out["plain_table_ms"] = 1e3 * median(lambda: con.execute(sql, [QUERY["type"]]).to_arrow_table())
    # DuckLake: the same versions as snapshots of one table, read AT (VERSION => n).
    try:
        from duckdb_extensions import import_extension

        with contextlib.suppress(duckdb.Error):
            import_extension("ducklake", con=con)
        con.execute("LOAD ducklake")
        lake = tmp / f"peer-lake-{path.stem}"
        con.execute(f"ATTACH 'ducklake:{lake}.ducklake' AS lk (DATA_PATH '{lake}-data/')")
        con.execute("CREATE TABLE lk.ev AS SELECT * EXCLUDE (superseded_by) FROM s.event_versions WHERE changeset = 2")
        version_at: dict[int, int] = {}
        version_at[2] = con.execute("SELECT max(snapshot_id) FROM lk.snapshots()").fetchall()[0][0]
        for cs in range(3, 3 + VERSIONS - 1):
            con.execute("BEGIN TRANSACTION")
            con.execute("UPDATE lk.ev SET title = v.title, summary = v.summary, confidence = v.confidence, tags = v.tags, "
                        "status = v.status, data = v.data, version = v.version, changeset = v.changeset "
                        "FROM s.event_versions v WHERE v.changeset = ? AND v.key = lk.ev.key", [cs])
            con.execute("COMMIT")
            version_at[cs] = con.execute("SELECT max(snapshot_id) FROM lk.snapshots()").fetchall()[0][0]
        lake_sql = ("SELECT * FROM lk.ev AT (VERSION => ?) WHERE list_contains(?, type) "
                    "AND \"end\" >= DATE '2014-01-01' AND start <= DATE '2016-12-31' ORDER BY start, key")
        assert con.execute(lake_sql, [version_at[old], QUERY["type"]]).to_arrow_table().num_rows == rows
        out["ducklake_as_of_ms"] = 1e3 * median(
            lambda: con.execute(lake_sql, [version_at[old], QUERY["type"]]).to_arrow_table())
    except (duckdb.Error, ImportError) as exc:
        print(f"  (DuckLake peer skipped: {exc})")
    # SQLite: a history table indexed on (key, changeset), the state by max(changeset) per key.
    lite = sqlite3.connect(tmp / f"peer-{path.stem}.sqlite")
    lite.execute("CREATE TABLE history (key TEXT, changeset INTEGER, op TEXT, type TEXT, title TEXT, "
                 "start TEXT, \"end\" TEXT, data TEXT)")
    cur = con.execute("SELECT key, changeset, op, type, title, CAST(start AS VARCHAR), CAST(\"end\" AS VARCHAR), data "
                      "FROM s.event_versions")
    while batch := cur.fetchmany(50_000):
        lite.executemany("INSERT INTO history VALUES (?,?,?,?,?,?,?,?)", batch)
    lite.execute("CREATE INDEX history_key_cs ON history (key, changeset)")
    lite.execute("CREATE INDEX history_type ON history (type)")
    lite.commit()
    lite_sql = """SELECT h.key, h.type, h.title, h.start, h."end", h.data FROM history h
                  JOIN (SELECT key, max(changeset) AS cs FROM history WHERE changeset <= ? GROUP BY key) m
                    ON h.key = m.key AND h.changeset = m.cs
                  WHERE h.op = 'put' AND h.type IN ('sanction', 'bank_withdrawal') AND h."end" >= '2014-01-01'
                    AND h.start <= '2016-12-31' ORDER BY h.start, h.key"""
    assert len(lite.execute(lite_sql, [old]).fetchall()) == rows
    out["sqlite_as_of_ms"] = 1e3 * median(lambda: lite.execute(lite_sql, [old]).fetchall(), 3)
    lite.close()
    con.close()
    out["query_rows"] = rows
    return out


# -- one size -----------------------------------------------------------------------------------
def measure(n: int, tmp: Path) -> dict:
    import eventlog

    os.environ["EVENTLOG_CORPUS"] = "/nonexistent"
    path = tmp / f"store-{n}.duckdb"
    print(f"building a store of {n:,} events x {VERSIONS} versions", flush=True)
    fig: dict = {"build": build(path, n)}
    fig["raw_bulk_s"] = raw_bulk(path, tmp)
    print("  quotes, per-change costs, peers ...", flush=True)
    fig["evidence_rows"] = add_quotes(path)
    with eventlog.open(path) as store:
        ids = store.sql("SELECT id FROM events ORDER BY id").to_series().to_list()
        rng = random.Random(n)
        fig["commit_one_ms"] = 1e3 * commit_one(store, rng.choice(ids))
        fig.update({k: v for k, v in peers(path, tmp, store, old=3).items()})
        fig["diff_one_ms"] = 1e3 * median(lambda: store.diff(store.last_changeset() - 1, store.last_changeset()))
        fig.update(chart_figures(store))
        fig.update(revert_figures(store))
        fig["links"] = add_links(store, 1000)
        fig["commit_links_ms"] = 1e3 * commit_one(store, store.links()["cause"][0])
    fig["raw_commit_ms"] = 1e3 * raw_commit(path, ids[1])
    fig["raw_one_table_ms"] = 1e3 * raw_commit(path, ids[2], "event_versions_main")
    print("  the Explorer ...", flush=True)
    fig.update(explorer_figures(path))
    fig["store_mb"] = path.stat().st_size / 1e6
    path.unlink()
    return fig


def report(r: dict, sizes: tuple[int, int]) -> None:
    a, b = (r["sizes"][str(n)] for n in sizes)
    la, lb = (f"{n // 1000:,}k" if n < 1_000_000 else f"{n / 1e6:g}M" for n in sizes)

    def rate(f: dict, phase: str) -> float:
        p = f["build"][phase]
        return p["events"] / (p["wall_s"] - p["made_s"])

    rows: list[tuple[str, str, str, str, str]] = []

    def add(name: str, key: Callable[[dict], float], fmt: str, peer: Callable[[dict], str] = lambda f: "") -> None:
        x, y = key(a), key(b)
        rows.append((name, fmt.format(x), fmt.format(y), f"{y / x:.2f}x" if x else "", peer(b)))

    add("bulk build: one changeset of new events (ev/s)", lambda f: rate(f, "create"), "{:,.0f}",
        lambda f: f"peak {f['build']['create']['peak_rss_mb'] / 1e3:.2f} GB; raw insert {f['build']['create']['events'] / f['raw_bulk_s']:,.0f} ev/s")
    add("bulk update: a version of every event (ev/s)", lambda f: rate(f, "update"), "{:,.0f}",
        lambda f: f"peak {f['build']['update']['peak_rss_mb'] / 1e3:.2f} GB")
    add("one-event commit (ms)", lambda f: f["commit_one_ms"], "{:.1f}",
        lambda f: f"{f['commit_one_ms'] / f['raw_commit_ms']:.2f}x the raw transaction ({f['raw_commit_ms']:.1f} ms)")
    add("one-event commit, 1,000 links in the store (ms)", lambda f: f["commit_links_ms"], "{:.1f}",
        lambda f: f"{f['commit_links_ms'] / f['raw_commit_ms']:.2f}x the raw transaction")
    add("  raw transaction into one indexed table (ms)", lambda f: f["raw_one_table_ms"], "{:.1f}",
        lambda f: "every version in one table: its index written whole at each commit")
    add("diff of a one-event changeset (ms)", lambda f: f["diff_one_ms"], "{:.1f}")
    add("2,000-row timeline with quotes (ms)", lambda f: f["chart_ms"], "{:.0f}",
        lambda f: f"{f['chart_rows']:,} rows, {f['chart_quotes']:,} quotes")
    add("  of which the quote lookup (ms)", lambda f: f["quotes_ms"], "{:.1f}")
    add("revert of a 5,000-event changeset (s)", lambda f: f["revert_s"], "{:.2f}",
        lambda f: f"{f['revert_s'] / f['write_s']:.2f}x writing it ({f['write_s']:.2f} s)")
    add("Explorer: open (s)", lambda f: f["explorer_open_s"], "{:.2f}", lambda f: f"{f['explorer_rows']:,} rows in its first view")
    add("Explorer: refresh after a type filter (s)", lambda f: f["explorer_refresh_s"], "{:.3f}")
    add("Explorer: every filter cleared (s)", lambda f: f["explorer_all_s"], "{:.3f}", lambda f: "the whole store, as counts")
    add("query as of an old changeset (ms)", lambda f: f["query_as_of_ms"], "{:.1f}",
        lambda f: f"{f['query_as_of_ms'] / f['query_now_ms']:.2f}x the same query now ({f['query_rows']} rows)")
    add("  a plain DuckDB table of that state (ms)", lambda f: f["plain_table_ms"], "{:.1f}",
        lambda f: f"eventlog {f['query_as_of_ms'] / f['plain_table_ms']:.2f}x")
    if "ducklake_as_of_ms" in a and "ducklake_as_of_ms" in b:
        add("  DuckLake AT (VERSION => n) (ms)", lambda f: f["ducklake_as_of_ms"], "{:.1f}",
            lambda f: f"eventlog {f['ducklake_as_of_ms'] / f['query_as_of_ms']:.1f}x faster")
    add("  SQLite indexed history table (ms)", lambda f: f["sqlite_as_of_ms"], "{:.1f}",
        lambda f: f"eventlog {f['sqlite_as_of_ms'] / f['query_as_of_ms']:.1f}x faster")
    add("store file (MB)", lambda f: f["store_mb"], "{:,.0f}")
    if r.get("dataset"):
        d = r["dataset"]
        rows.append(("Explorer on the dataset: open / refresh / all (s)", f"{d['explorer_open_s']:.3f}",
                     f"{d['explorer_refresh_s']:.3f}", f"{d['explorer_all_s']:.3f}", f"{d['explorer_rows']} events"))
    head = ("measure", la, lb, "growth", f"at {lb}: peers and ratios")
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(5)]
    print(f"\nscaling: {VERSIONS} versions per event, {r['cpus']} CPUs, load average {r['load']:.1f} at start\n")
    print(" | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=["default", "1m"], default="default")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", nargs=3, metavar=("PHASE", "PATH", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        phase, path, n = args.child
        print(json.dumps(child_build(Path(path), int(n), phase)))
        return 0
    sizes = SIZES["quick" if args.quick else args.scale]
    results: dict = {"versions_per_event": VERSIONS, "cpus": os.cpu_count(), "load": os.getloadavg()[0], "sizes": {}}
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmpdir:
        results["dataset"] = dataset_explorer(Path(tmpdir))
        for n in sizes:
            results["sizes"][str(n)] = measure(n, Path(tmpdir))
    results["total_s"] = time.perf_counter() - t0
    report(results, sizes)
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    name = "scale-1m.json" if args.scale == "1m" else "scale.json"
    (out / name).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"\nfigures written to {out / name} ({results['total_s']:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
