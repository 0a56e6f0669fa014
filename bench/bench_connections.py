"""What it costs that a store holds no connection: each read opens the file, runs, closes.

    python bench/bench_connections.py           # the dataset (events/) and 100k events x 5 versions
    python bench/bench_connections.py --quick   # the dataset and 10k events x 5 versions

Side by side, in one run, per operation: the default (a connection per call) against the
same calls inside one ``store.reading()`` block (a connection held, as the store did before),
for ``query`` (a filter), ``get``, ``history`` and an Explorer refresh (a filter change: query,
chart with links, table). Medians of wall time; the ratio is per-call / held. Also the widget
interactions on the dataset against the 300 ms aim. Writes bench/out/connections.json.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("EVENTLOG_POLL", "0")  # no background checks while timing

from bench.bench_store import build_store, timed  # noqa: E402

import eventlog  # noqa: E402

AIM_MS = 300


def median_ms(fn, repeat: int = 15) -> float:
    return timed(fn, repeat) * 1000


def figures(store: eventlog.Store, explorer: bool) -> dict[str, dict[str, float]]:
    ids = store.query()["id"].to_list()
    eid = ids[len(ids) // 2]
    kind = store.query(id=eid)["type"][0]
    ops = {
        "query(type=...)": lambda: store.query(type=kind, start="2015"),
        "get(id)": lambda: store.get(eid),
        "history(id)": lambda: store.history(eid),
    }
    if explorer:
        from eventlog.widgets import Explorer

        ex = Explorer(store, poll=0)
        types = [v for _label, v in ex.type_filter.options]
        flip = iter(range(10**9))

        def refresh() -> None:
            ex.type_filter.value = (types[next(flip) % len(types)],)

        ops["Explorer filter change"] = refresh
    out = {}
    for name, fn in ops.items():
        per_call = median_ms(fn)
        with store.reading():
            held = median_ms(fn)
        out[name] = {"per_call_ms": per_call, "held_ms": held, "ratio": per_call / held}
    return out


def widget_interactions(store: eventlog.Store) -> dict[str, float]:
    from eventlog.widgets import CausalTagger, Explorer, HistoryViewer

    ex = Explorer(store, poll=0)
    tagger = CausalTagger(store, poll=0)
    eid = ex.frame["id"][len(ex.frame) // 2]
    out = {
        "Explorer open": median_ms(lambda: Explorer(store, poll=0), repeat=5),
        "Explorer type filter": median_ms(lambda: setattr(ex.type_filter, "value", ("trade",) if ex.type_filter.value == () else ()), repeat=9),
        "Explorer text filter": median_ms(lambda: setattr(ex.text_filter, "value", "gas" if ex.text_filter.value == "" else ""), repeat=9),
        "Explorer new-changeset check": median_ms(ex.check_for_changes, repeat=9),
        "HistoryViewer open": median_ms(lambda: HistoryViewer(eid, store, poll=0), repeat=5),
        "CausalTagger search": median_ms(lambda: setattr(tagger.search, "value", "trade" if tagger.search.value == "" else ""), repeat=9),
    }
    return out


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    n = 10_000 if quick else 100_000
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "dataset.duckdb"
        eventlog.build(HERE.parent / "events", db, author="bench", message="dataset")
        ds = eventlog.open(db)
        results["dataset"] = figures(ds, explorer=True)
        results["widgets_ms"] = widget_interactions(ds)
        big = Path(tmp) / "big.duckdb"
        print(f"building {n} events x 5 versions ...", file=sys.stderr)
        build_store(big, n, seed=3)
        results[f"{n // 1000}k x 5"] = figures(eventlog.open(big), explorer=False)
    print(f"{'operation':<28} {'store':>10} {'per call ms':>12} {'held ms':>9} {'ratio':>7}")
    for size, ops in results.items():
        if size == "widgets_ms":
            continue
        for name, f in ops.items():
            print(f"{name:<28} {size:>10} {f['per_call_ms']:>12.2f} {f['held_ms']:>9.2f} {f['ratio']:>6.2f}x")
    print(f"\nwidget interactions on the dataset (aim < {AIM_MS} ms):")
    for name, ms in results["widgets_ms"].items():
        print(f"  {name:<30} {ms:>8.1f} ms {'ok' if ms < AIM_MS else 'OVER'}")
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / "connections.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
