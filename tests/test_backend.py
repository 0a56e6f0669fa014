"""One store, many processes: nothing holds the file between operations, a busy file is waited
for (within a timeout) and named, a damaged file is not called locked. Real processes, real files."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

import eventlog
from eventlog import EventlogError, StoreLocked
from tests.helpers import make_event

ROOT = Path(__file__).resolve().parents[1]
EVENTLOG = str(Path(sys.executable).with_name("eventlog"))

# Holds the file the way a long commit does (read-write), then lets go.
HOLD = textwrap.dedent("""
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1])
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
    con.close()
""")


def hold(path: str, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, path, str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "holding"
    return proc


def test_a_store_keeps_no_connection_between_operations(populated_store: eventlog.Store) -> None:
    populated_store.query()
    populated_store.history("trade-2023")
    # With the store object alive and used, another process can open the file for writing at once.
    con = duckdb.connect(populated_store.location)
    con.close()
    with populated_store.reading():  # inside a reading block the file is shared, read-only
        r = subprocess.run([sys.executable, "-c", f"import duckdb; duckdb.connect({populated_store.location!r})"],
                           capture_output=True, text=True)
        assert r.returncode != 0 and "Could not set lock" in r.stderr


def test_a_read_waits_for_a_commit_in_another_process(populated_store: eventlog.Store) -> None:
    path = populated_store.location
    proc = hold(path, 1.5)
    t0 = time.monotonic()
    frame = eventlog.open(path).query()
    waited = time.monotonic() - t0
    proc.wait(timeout=30)
    assert frame.height == 4 and waited > 0.5


def test_a_write_waits_too_and_is_kept(populated_store: eventlog.Store) -> None:
    proc = hold(populated_store.location, 1.0)
    with populated_store.change(author="ana", message="while busy") as cs:
        cs.put(make_event("after-wait"))
    proc.wait(timeout=30)
    assert populated_store.get("after-wait").title == "Event after-wait"


def test_past_the_timeout_the_holder_is_named(populated_store: eventlog.Store) -> None:
    proc = hold(populated_store.location, 5)
    try:
        t0 = time.monotonic()
        with pytest.raises(StoreLocked) as info:
            eventlog.open(populated_store.location, timeout=0.4)
        assert time.monotonic() - t0 < 4  # bounded by the timeout, not by the holder
        text = str(info.value)
        assert f"process {proc.pid}" in text and "python" in text and "0.4 s" in text
    finally:
        proc.kill()
        proc.wait()


def test_the_busy_timeout_comes_from_the_environment(populated_store: eventlog.Store, monkeypatch) -> None:
    monkeypatch.setenv("EVENTLOG_BUSY_TIMEOUT", "0.3")
    proc = hold(populated_store.location, 5)
    try:
        with pytest.raises(StoreLocked, match="0.3 s"):
            eventlog.open(populated_store.location)
    finally:
        proc.kill()
        proc.wait()
    monkeypatch.setenv("EVENTLOG_BUSY_TIMEOUT", "soon")
    with pytest.raises(eventlog.ValidationError, match="EVENTLOG_BUSY_TIMEOUT"):
        eventlog.open(populated_store.location)


def test_the_cli_says_for_whom_it_waits(populated_store: eventlog.Store) -> None:
    proc = hold(populated_store.location, 1.5)
    r = subprocess.run([EVENTLOG, "query", "--db", populated_store.location, "--format", "csv"],
                       capture_output=True, text=True, timeout=60)
    proc.wait(timeout=30)
    assert r.returncode == 0, r.stderr
    assert f"waiting for process {proc.pid}" in r.stderr and r.stderr.count("\n") == 1
    assert "trade-2023" in r.stdout


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_damaged_file_is_called_damaged_not_locked(populated_store: eventlog.Store, tmp_path: Path, damage: str) -> None:
    bad = tmp_path / "bad.duckdb"
    raw = Path(populated_store.location).read_bytes()
    bad.write_bytes(b"\x00" * 4096 + b"not a database" * 500 if damage == "garbage" else raw[: len(raw) // 3])
    t0 = time.monotonic()
    with pytest.raises(EventlogError) as info:
        eventlog.open(bad).query()
    assert not isinstance(info.value, StoreLocked)
    assert time.monotonic() - t0 < 5  # refused at once, not waited for
    assert "damaged" in str(info.value) or "not a DuckDB file" in str(info.value)
    r = subprocess.run([EVENTLOG, "query", "--db", str(bad)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and r.stderr.startswith("error: ") and r.stderr.count("\n") == 1


def test_a_commit_inside_a_reading_block_is_refused_clearly(populated_store: eventlog.Store) -> None:
    with populated_store.reading(), pytest.raises(EventlogError, match="inside store.reading"):
        with populated_store.change(author="a", message="m") as cs:
            cs.put(make_event("x"))
    assert "x" not in populated_store.query()["id"].to_list()


def test_a_put_after_the_block_is_an_error_not_a_silent_loss(populated_store: eventlog.Store) -> None:
    with populated_store.change(author="a", message="m") as cs:
        cs.put(make_event("inside"))
    with pytest.raises(EventlogError, match="already committed"):
        cs.put(make_event("outside"))


# -- many processes at once -------------------------------------------------------------------------
WRITER = textwrap.dedent("""
    import json, sys, time, eventlog
    from eventlog import VersionConflict
    path, wid, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    store = eventlog.open(path)
    end = time.monotonic() + seconds
    i = 0
    while time.monotonic() < end:
        i += 1
        tag = f"{wid}-{i}"
        while True:  # read, modify, write with the version read: retry on a stale version
            with store.reading():  # both reads see one state
                ev = store.get("shared")
                version = store.history("shared")["version"].max()
            try:
                with store.change(author=wid, message=f"tag {tag}") as cs:
                    cs.put(ev.model_copy(update={"tags": [*ev.tags, tag]}), expected_version=version)
                    cs.put(eventlog.Event(id=f"new-{tag}", type="visit", title=f"New {tag}", date="2024"))
                break
            except VersionConflict:
                print(json.dumps({"conflict": tag}), flush=True)
        print(json.dumps({"ack": tag}), flush=True)
""")

READER = textwrap.dedent("""
    import json, sys, time, eventlog
    path, seconds = sys.argv[1], float(sys.argv[2])
    store = eventlog.open(path)
    end = time.monotonic() + seconds
    worst = n = 0
    while time.monotonic() < end:
        t0 = time.monotonic()
        store.query(); store.history("shared")
        worst = max(worst, time.monotonic() - t0)
        n += 1
    print(json.dumps({"reads": n, "worst": worst}), flush=True)
""")


@pytest.mark.slow
def test_two_writers_and_a_reader_lose_nothing(fresh_store: eventlog.Store) -> None:
    seconds = float(os.environ.get("EVENTLOG_HAMMER_SECONDS", "30"))
    with fresh_store.change(author="setup", message="shared") as cs:
        cs.put(eventlog.Event(id="shared", type="visit", title="Shared", date="2024"))
    path = fresh_store.location
    env = {**os.environ, "EVENTLOG_BUSY_TIMEOUT": "30"}
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, path, w, str(seconds)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=env) for w in ("a", "b")]
    reader = subprocess.Popen([sys.executable, "-c", READER, path, str(seconds)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env)
    outs = [p.communicate(timeout=seconds + 120) for p in [*writers, reader]]
    for p, (_out, err) in zip([*writers, reader], outs, strict=True):
        assert p.returncode == 0, err  # no error other than the VersionConflicts each writer retried
    acked = [json.loads(line)["ack"] for out, _ in outs[:2] for line in out.splitlines() if '"ack"' in line]
    stats = json.loads(outs[2][0].strip().splitlines()[-1])
    assert len(acked) > 10 and stats["reads"] > 10
    assert stats["worst"] < 30  # every wait bounded by the timeout
    ev = fresh_store.get("shared")
    assert sorted(ev.tags) == sorted(acked)  # no lost update
    assert set(fresh_store.query()["id"].to_list()) >= {f"new-{t}" for t in acked}
    log = fresh_store.log()
    assert log["changeset"].to_list() == list(range(log.height, 0, -1))  # gapless


# A notebook-like kernel: an Explorer polling for changes, reading every 0.3 s, writing every 2 s.
KERNEL = textwrap.dedent("""
    import json, sys, time, eventlog
    from eventlog.widgets import Explorer
    path, seconds = sys.argv[1], float(sys.argv[2])
    store = eventlog.open(path)
    ex = Explorer(store, poll=0.5)
    end = time.monotonic() + seconds
    i = errors = 0
    last_write = time.monotonic()
    while time.monotonic() < end:
        try:
            ex.type_filter.value = ("trade",) if i % 2 else ()
            if ex.error:
                raise RuntimeError(ex.error)
            eventlog.query(type="trade")
            if time.monotonic() - last_write > 2:
                while True:  # read, modify, write on the version read; a terminal may write in between
                    with store.reading():
                        ev = store.get("e1")
                        version = store.history("e1")["version"].max()
                    try:
                        with store.change(author="kernel", message=f"kernel note {i}") as cs:
                            cs.put(ev.model_copy(update={"notes": f"kernel {i}"}), expected_version=version)
                        break
                    except eventlog.VersionConflict:
                        continue
                print(json.dumps({"ack": f"kernel {i}"}), flush=True)
                last_write = time.monotonic()
        except Exception as exc:
            errors += 1
            print(json.dumps({"error": repr(exc)}), flush=True)
        i += 1
        time.sleep(0.3)
    ex.stop_polling()
    print(json.dumps({"done": i, "errors": errors, "arrived": ex.arrived}), flush=True)
""")


@pytest.mark.slow
def test_terminal_commands_work_while_a_notebook_reads_and_writes(tiny_events: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "shared.duckdb")
    env = {**os.environ, "EVENTLOG_DB": db, "EVENTLOG_BUSY_TIMEOUT": "30", "EVENTLOG_CORPUS": str(tmp_path / "none")}
    assert subprocess.run([EVENTLOG, "build", "--events", str(tiny_events), "--db", db], env=env,
                          capture_output=True, text=True).returncode == 0
    kernel = subprocess.Popen([sys.executable, "-c", KERNEL, db, "14"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=env)
    time.sleep(4)  # the Explorer is up and polling
    (tiny_events / "events" / "e2.yaml").write_text(
        (tiny_events / "events" / "e2.yaml").read_text().replace("Trade in 2023", "Trade in 2023, revised"))
    commands = [
        ["query", "--db", db], ["show", "e1", "--db", db], ["history", "e1", "--db", db],
        ["timeline", "--db", db, "--out", str(tmp_path / "t.html")],
        ["tag", "--add", "terminal", "--type", "treaty", "--db", db, "--message", "tag from a terminal"],
        ["build", "--events", str(tiny_events), "--db", db, "--quiet"],
        ["query", "--db", db, "--format", "json"],
    ]
    for cmd in commands:
        r = subprocess.run([EVENTLOG, *cmd], capture_output=True, text=True, env=env, timeout=120)
        assert r.returncode == 0, (cmd, r.stderr)
    out, err = kernel.communicate(timeout=120)
    assert kernel.returncode == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    done = lines[-1]
    assert done["errors"] == 0, [x for x in lines if "error" in x]
    assert done["arrived"] and "changeset" in done["arrived"]  # the Explorer noticed the terminal's changesets
    acked = [x["ack"] for x in lines if "ack" in x]
    store = eventlog.open(db)
    assert acked and store.get("e1").notes == acked[-1]  # the rebuild kept the notebook's last write
    assert "terminal" in store.get("e1").tags and store.get("e2").title == "Trade in 2023, revised"
    notes = {store.get("e1", as_of=cs).notes for cs in store.log()["changeset"].to_list()}
    assert set(acked) <= notes  # every acknowledged write is in the history


def test_without_pandas_duckdb_is_told_so_once_and_pyarrow_still_works(tmp_path: Path) -> None:
    code = f"""
import importlib.util, sys
absent = importlib.util.find_spec("pandas") is None
import eventlog
light = "pyarrow" not in sys.modules  # import eventlog does not pay for pyarrow
store = eventlog.open({str(tmp_path / "s.duckdb")!r}, create=True)
store.query()
marked = "pandas" in sys.modules and sys.modules["pandas"] is None
import pyarrow as pa, pyarrow.lib
shim = pa.table({{"a": [1, 2]}}).to_pylist() == [{{"a": 1}}, {{"a": 2}}] and pyarrow.lib._pandas_api.have_pandas == (not absent)
import duckdb
bound = duckdb.connect().execute("SELECT len(?::INTEGER[])", [list(range(2000))]).fetchone()[0]
print(absent, marked, light, shim, bound)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == out[1]  # marked absent exactly when pandas is not installed
    assert out[2:] == ["True", "True", "2000"]


def test_with_numpy_but_no_pandas_pyarrow_still_works(tmp_path: Path) -> None:
    # numpy importable, pandas not: pyarrow's shim then looks for pandas, and must not find the mark
    venv_numpy = importlib.util.find_spec("numpy") is not None
    if not venv_numpy:  # a stand-in numpy package on the path is enough for pyarrow to take that road
        (tmp_path / "numpy").mkdir()
        (tmp_path / "numpy" / "__init__.py").write_text("raise ImportError('stand-in numpy')\n")
    code = f"""
import sys
import eventlog
store = eventlog.open({str(tmp_path / "s.duckdb")!r}, create=True)
store.query()
import pyarrow as pa
print(pa.table({{"a": [1]}}).to_pylist() == [{{"a": 1}}], store.count())
"""
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert out.split() == ["True", "0"]
