"""A timeline's aggregation (events per lane per period) on large frames, side by side:

* eventlog's column-wise ``aggregate_rows`` (polars);
* the row-by-row definition it replaced (``tests/timeline_reference.py``);
* the floor: one DuckDB GROUP BY over the same frame (counts per lane and year only).

    python bench/bench_charts.py            # 100k and 1M events (make bench)
    python bench/bench_charts.py --quick    # 10k and 100k

Writes bench/out/charts.json.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import duckdb  # noqa: E402
import polars as pl  # noqa: E402
from tests.timeline_reference import aggregate_rows_by_row  # noqa: E402

from eventlog import EVENT_TYPES  # noqa: E402
from eventlog._charts.timeline import aggregate_rows  # noqa: E402


def frame(n: int) -> pl.DataFrame:
    """``n`` events over 1990-2025: types in turn, spans of 0 to 400 days, two actors of 40."""
    i = pl.int_range(n, eager=True)
    start = pl.lit(dt.date(1990, 1, 1)) + pl.duration(days=(i * 37) % 13000)
    types = list(EVENT_TYPES)
    return pl.select(
        type=pl.Series(types).gather(i % len(types)),
        start=start, end=start + pl.duration(days=(i * 7) % 400),
        actors=pl.concat_list(pl.format("Actor {}", i % 40), pl.format("Actor {}", (i * 3) % 40)),
        tags=pl.concat_list(pl.lit("t")),
    )


def median(fn, repeat: int) -> float:  # noqa: ANN001
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main(argv: list[str]) -> int:
    sizes = (10_000, 100_000) if "--quick" in argv else (100_000, 1_000_000)
    out: dict = {}
    print("timeline aggregation, median wall time\n")
    print(f"  {'events':>9}  {'lanes':<6} {'eventlog':>10} {'row by row':>11} {'DuckDB floor':>13} {'vs row':>8} {'vs floor':>9}")
    for n in sizes:
        f = frame(n)
        con = duckdb.connect()
        con.register("f", f.to_arrow())
        floor = median(lambda con=con: con.execute(
            "SELECT type, date_trunc('year', start + CAST(date_diff('day', start, \"end\") // 2 AS INTEGER)) AS y, "
            "count(*) FROM f GROUP BY ALL").fetchall(), 5)
        for lanes in ("type", "actor"):
            ours = median(lambda f=f, lanes=lanes: aggregate_rows(f, lanes=lanes), 3)
            naive = median(lambda f=f, lanes=lanes: aggregate_rows_by_row(f, lanes=lanes), 1)
            assert aggregate_rows(f, lanes=lanes) == aggregate_rows_by_row(f, lanes=lanes)
            out[f"{n}/{lanes}"] = {"eventlog_s": ours, "row_by_row_s": naive, "duckdb_floor_s": floor}
            print(f"  {n:>9,}  {lanes:<6} {ours * 1000:>8.0f}ms {naive * 1000:>9.0f}ms {floor * 1000:>11.0f}ms "
                  f"{naive / ours:>7.1f}x {ours / floor:>8.1f}x")
    (HERE / "out").mkdir(exist_ok=True)
    (HERE / "out" / "charts.json").write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
