"""`eventlog query` output on a large store: the bounded table against printing every row.

    python bench/bench_cli.py            # 20,000 events (make bench)
    python bench/bench_cli.py --quick    # 2,000 events

A rich table costs about 0.7 ms a row, so a terminal table of every event of a large store
takes longer than the query itself. The default table shows the first rows and a count;
csv and json write every row in chunks. Prints each output's time and its ratio to csv, in
one run, and writes bench/out/cli.json.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.synthetic import Synthetic  # noqa: E402
from click.testing import CliRunner  # noqa: E402

import eventlog  # noqa: E402
from eventlog._cli import main as cli  # noqa: E402


def timed(args: list[str], repeat: int) -> tuple[float, int]:
    runner = CliRunner()
    times, size = [], 0
    for _ in range(repeat):
        t = time.perf_counter()
        res = runner.invoke(cli, args)
        times.append(time.perf_counter() - t)
        assert res.exit_code == 0, res.output[-500:]
        size = len(res.output)
    return statistics.median(times), size


def main(argv: list[str]) -> int:
    n = 2_000 if "--quick" in argv else 20_000
    os.environ["EVENTLOG_CORPUS"] = "/nonexistent"
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "cli.duckdb")
        syn = Synthetic(seed=3)
        with eventlog.open(path, create=True) as store:
            with store.change(author="bench", message="registry") as cs:
                for rec in [*syn.actors(), *syn.sources()]:
                    cs.put(rec)
            with store.change(author="bench", message="events") as cs:
                for ev in syn.events(n):
                    cs.put(ev)
        base = ["query", "--db", path]
        runs = {
            "table (default: first 50 rows and a count)": timed(base, 5),
            "table --all (every row)": timed([*base, "--all"], 1),
            "csv (every row, streamed)": timed([*base, "--format", "csv"], 5),
            "json lines (every row, streamed)": timed([*base, "--format", "json"], 5),
        }
    csv = runs["csv (every row, streamed)"][0]
    print(f"eventlog query on {n:,} events (median wall time; output size)\n")
    width = max(map(len, runs))
    for name, (secs, size) in runs.items():
        print(f"  {name:<{width}}  {secs * 1000:9.0f} ms  {secs / csv:6.2f}x csv  {size / 1e6:7.2f} MB")
    all_rows = runs["table --all (every row)"][0]
    print(f"\n  per table row: {1000 * all_rows / n:.2f} ms; the bounded table is "
          f"{all_rows / runs['table (default: first 50 rows and a count)'][0]:.0f}x faster than every row")
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / "cli.json").write_text(json.dumps({"events": n, "runs": {k: {"s": v[0], "bytes": v[1]} for k, v in runs.items()}},
                                             indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
