"""How long `import eventlog` takes, beside importing its own dependencies alone.

    python bench/bench_import.py

Each import runs in a fresh interpreter, 15 times; medians of wall time. The aim: at most
1.5x `import duckdb, polars, pydantic`, and no altair, ipywidgets or jupyter loaded.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

AIM = 1.5
CASES = {
    "python alone": "pass",
    "duckdb, polars, pydantic": "import duckdb, polars, pydantic",
    "eventlog": "import eventlog",
}


# As a user's machine runs it: with bytecode caches (this workplace sets PYTHONDONTWRITEBYTECODE,
# which would make every run compile eventlog's sources while the dependencies come precompiled).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def median_s(code: str, repeat: int = 15) -> float:
    subprocess.run([sys.executable, "-c", code], check=True, env=ENV)  # warm: caches written
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=ENV)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> int:
    got = {name: median_s(code) for name, code in CASES.items()}
    base = got["python alone"]
    deps = got["duckdb, polars, pydantic"] - base
    ours = got["eventlog"] - base
    for name, s in got.items():
        print(f"{name:<28} {s * 1000:8.1f} ms")
    ratio = ours / deps
    print(f"import eventlog / its dependencies (interpreter start subtracted): {ratio:.2f}x "
          f"({'within' if ratio <= AIM else 'OVER'} the {AIM}x aim)")
    loaded = subprocess.run([sys.executable, "-c", "import sys, eventlog; print(sorted(m for m in sys.modules "
                             "if m.split('.')[0] in ('altair', 'ipywidgets', 'jupyter_client', 'yaml', 'pyarrow')))"],
                            capture_output=True, text=True, check=True).stdout.strip()
    print(f"heavy modules loaded by import eventlog: {loaded}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
