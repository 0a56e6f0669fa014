"""Where connections come from: one object per kind of store that connects, runs a
transaction with its retries, and turns DuckDB's errors into eventlog's.

A store never keeps a connection it is not using. Who waits for whom:

- **A DuckDB file** (:class:`FileBackend`) is locked by the operating system: many
  readers at once, or one writer alone. A read opens the file read-only, runs, closes
  (about 13 ms on the dataset); a commit opens it read-write for the commit alone. When
  the file is busy, the next one waits, retrying with growing pauses (5 ms doubling to
  100 ms) up to ``timeout`` seconds (``$EVENTLOG_BUSY_TIMEOUT``, default 30), then fails
  with :class:`~eventlog.StoreLocked` naming the process in the way.
- **A team store** (:class:`LakeBackend`) keeps one connection to its DuckLake, because
  a PostgreSQL catalog lets every process read and write at once; concurrent commits
  conflict on the ``head`` row and are retried (see :mod:`eventlog._store.lake`).

>>> busy = duckdb.IOException('Could not set lock on file "x": Conflicting lock is held in /usr/bin/python3 (PID 4886)')
>>> _holder(busy)
4886
>>> _holder(duckdb.IOException("Corrupt database file: block 3 checksum mismatch")) is None
True
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol, TypeVar

import duckdb

from .._errors import EventlogError, NotFound, StoreLocked

__all__ = ["Backend", "FileBackend", "describe_process", "set_wait_reporter", "skip_pandas_probe"]


_pandas_told = False


def skip_pandas_probe() -> None:
    """DuckDB 1.5 tries ``import pandas`` for every value it binds; without pandas each try
    searches the whole of sys.path again (a 2,000-id list took 182 ms to bind instead of
    33 ms). Marking pandas as absent (None in sys.modules), once, makes each try fail at once.

    pyarrow's pandas shim must learn first that pandas is absent: its compiled import reads
    such a mark as the module itself and then fails on ``pd.__version__``. So the shim is asked
    once (``have_pandas``) before the mark is set; pyarrow is imported here for that, when
    the first connection opens (query results need it anyway), not by ``import eventlog``.
    Nothing changes where pandas is installed."""
    global _pandas_told
    if _pandas_told:
        return
    _pandas_told = True
    import importlib.util
    import sys

    if "pandas" in sys.modules or importlib.util.find_spec("pandas") is not None:
        return
    try:
        import pyarrow.lib

        if pyarrow.lib._pandas_api.have_pandas:  # caches "no pandas" in the shim
            return
    except Exception:  # noqa: BLE001 - a pyarrow without the shim: keep DuckDB's slow probe, never break it
        return
    sys.modules["pandas"] = None  # type: ignore[assignment]

T = TypeVar("T")

#: Called with one line when an operation starts waiting for a busy store (the CLI prints it).
_wait_reporter: Callable[[str], None] | None = None
#: Seconds of waiting before the reporter is told (a short bump is not worth a line).
_REPORT_AFTER = 0.25


def set_wait_reporter(reporter: Callable[[str], None] | None) -> None:
    """Say where "waiting for process N ..." lines go (None: nowhere)."""
    global _wait_reporter
    _wait_reporter = reporter


class Backend(Protocol):
    """What a store needs from where it lives."""

    name: str
    location: str
    #: Whether the schema gets indexes (DuckLake has none).
    indexes: bool
    #: Whether ``store.sql()`` may turn external access off on its connection (a file store's
    #: connections are its own; the team store's one connection needs external access).
    sandboxed_sql: bool
    #: Whether a commit may run its work again (a lost race on a shared catalog): the work must
    #: then keep what it wrote from (a changeset's staged rows) until the commit is done.
    retries: bool

    def connect(self, *, write: bool) -> contextlib.AbstractContextManager[duckdb.DuckDBPyConnection]:
        """A connection for the length of a block: read-only unless ``write``."""

    def transaction(self, con: duckdb.DuckDBPyConnection, work: Callable[[], tuple[T, bool]], *,
                    retry_on: tuple[str, ...] = ()) -> T:
        """Run ``work`` in one transaction, retried where the backend retries; ``work`` returns
        its value and whether to commit (False: roll back, nothing changed)."""

    def label(self, con: duckdb.DuckDBPyConnection, author: str, message: str, extra: dict[str, Any]) -> None:
        """Name the snapshot the current transaction will create (DuckLake); nothing for a file."""

    def close(self) -> None:
        """Let go of anything held (a file backend holds nothing)."""


# -- errors -------------------------------------------------------------------------------------
_PID = re.compile(r"\(PID (\d+)\)")


def _holder(exc: BaseException) -> int | None:
    """The process id holding the file when ``exc`` is DuckDB's lock error, else None.

    Only DuckDB's own lock message counts: a damaged file's "block checksum" also
    contains the letters of "lock".
    """
    text = str(exc)
    if isinstance(exc, duckdb.IOException) and "Could not set lock on file" in text:
        m = _PID.search(text)
        return int(m.group(1)) if m else 0
    if isinstance(exc, duckdb.ConnectionException) and "different configuration" in text:
        return os.getpid()  # this process has it open the other way (a read while a thread commits)
    if isinstance(exc, duckdb.Error) and "is already attached by database" in text:
        return os.getpid()  # the same, caught while DuckDB was still attaching the other handle
    return None


def describe_process(pid: int) -> str:
    """A process as a person recognises it: "process 4886 (jupyter kernel: python -m ipykernel_launcher ...)".

    >>> describe_process(os.getpid()).startswith(f"process {os.getpid()} (this process")
    True
    """
    if pid == 0:
        return "another process"
    if pid == os.getpid():
        return f"process {pid} (this process, in another thread)"
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return f"process {pid}"
    args = [a for a in raw.decode(errors="replace").split("\0") if a]
    if not args:
        return f"process {pid}"
    # One line, whatever the command line holds (a `python -c` script has newlines).
    line = " ".join(" ".join([os.path.basename(args[0]), *args[1:]]).split())
    line = "".join(ch if ch.isprintable() else "?" for ch in line)
    if len(line) > 100:
        line = line[:99] + "\u2026"
    kind = "jupyter kernel" if any("ipykernel" in a for a in args) else (
        "eventlog" if any(os.path.basename(a) == "eventlog" for a in args[:2]) else None)
    return f"process {pid} ({kind}: {line})" if kind else f"process {pid} ({line})"


def _open_error(path: str, exc: BaseException) -> EventlogError:
    text = str(exc).split("\n")[0]
    if "not a valid DuckDB database file" in text:
        return EventlogError(f"{path}: not a DuckDB file (it is damaged or another kind of file); "
                             "restore it from a copy or build a new store with 'eventlog build --db NEW'")
    if isinstance(exc, duckdb.SerializationException) or "newer version" in text or "version number" in text:
        return EventlogError(f"{path}: written by a DuckDB this eventlog cannot read ({text})")
    return EventlogError(f"{path}: the store file is damaged and cannot be opened ({text}); "
                         "restore it from a copy or rebuild it with 'make store'")


def _is_conflict(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.Error) and "conflict" in str(exc).lower()


class Waiter:
    """Growing, randomised pauses up to a deadline, with one line to the reporter."""

    def __init__(self, timeout: float, what: str) -> None:
        self.start = time.monotonic()
        self.deadline = self.start + timeout
        self.delay = 0.005
        self.what = what
        self.told = False

    def pause(self, holder: str) -> bool:
        """Sleep once; False when the time is up."""
        now = time.monotonic()
        if now >= self.deadline:
            return False
        if not self.told and now - self.start >= _REPORT_AFTER and _wait_reporter is not None:
            self.told = True
            _wait_reporter(f"waiting for {holder} to finish with {self.what}...")
        time.sleep(min(self.delay * random.uniform(0.5, 1.0), max(self.deadline - now, 0.0)))
        self.delay = min(self.delay * 2, 0.1)
        return True


# -- a DuckDB file --------------------------------------------------------------------------------
class FileBackend:
    """A DuckDB file, opened for each operation and closed after it."""

    name = "duckdb"
    indexes = True
    sandboxed_sql = True
    retries = False
    #: A read connection cannot commit: the file is opened read-write for commits alone.
    separate_writes = True

    def __init__(self, path: str, *, timeout: float) -> None:
        self.location = path
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"FileBackend({self.location!r})"

    @contextlib.contextmanager
    def connect(self, *, write: bool) -> Iterator[duckdb.DuckDBPyConnection]:
        con = self._open(write)
        try:
            yield con
        except duckdb.Error as exc:
            # eventlog's own statements failing is a damaged or changed file: say so in one line.
            what = "write to" if write else "read"
            raise EventlogError(f"{self.location}: cannot {what} the store ({str(exc).strip().splitlines()[0]})") from None
        finally:
            with contextlib.suppress(duckdb.Error):
                con.close()

    def _open(self, write: bool) -> duckdb.DuckDBPyConnection:
        if not os.path.exists(self.location):
            raise NotFound(f"no store at {self.location}: build one with 'make store' or "
                           f"'eventlog build --db {self.location}'")
        waiter: Waiter | None = None
        while True:
            try:
                skip_pandas_probe()
                con = duckdb.connect(self.location, read_only=not write)
            except duckdb.Error as exc:
                pid = _holder(exc)
                if pid is None:
                    raise _open_error(self.location, exc) from None
                waiter = waiter or Waiter(self.timeout, self.location)
                holder = describe_process(pid)
                if not waiter.pause(holder):
                    raise StoreLocked(
                        f"{self.location}: {holder} kept the store busy for {self.timeout:g} s; "
                        "try again when it has finished (or set $EVENTLOG_BUSY_TIMEOUT)") from None
                continue
            try:
                # Connections of one process share the open database, and its settings: set the
                # zone only when it is not set yet (setting it while another thread of this
                # process commits fails with "the configuration has been locked").
                if con.execute("SELECT current_setting('TimeZone')").fetchall()[0][0] != "UTC":
                    con.execute("SET TimeZone = 'UTC'")
            except duckdb.Error as exc:
                con.close()
                if "configuration has been locked" in str(exc):
                    waiter = waiter or Waiter(self.timeout, self.location)
                    if waiter.pause("another thread of this process"):
                        continue
                raise _open_error(self.location, exc) from None
            return con

    def create(self) -> None:
        """Make the folder for a new file (DuckDB creates the file itself on the first write)."""
        Path(self.location).parent.mkdir(parents=True, exist_ok=True)
        if not os.path.exists(self.location):
            with contextlib.suppress(duckdb.Error):
                duckdb.connect(self.location).close()

    def transaction(self, con: duckdb.DuckDBPyConnection, work: Callable[[], tuple[T, bool]], *,
                    retry_on: tuple[str, ...] = ()) -> T:
        # One writer holds the file, so nothing conflicts and nothing is retried.
        return run_transaction(con, work, attempts=1, location=self.location)

    def label(self, con: duckdb.DuckDBPyConnection, author: str, message: str, extra: dict[str, Any]) -> None:
        return None

    def close(self) -> None:
        return None


def run_transaction(con: duckdb.DuckDBPyConnection, work: Callable[[], tuple[T, bool]], *, attempts: int,
                    location: str, pause: Callable[[int], None] | None = None,
                    retry_on: tuple[str, ...] = (), mask: Callable[[str], str] = str,
                    clock: dict[str, float] | None = None) -> T:
    """The one BEGIN / work / COMMIT-or-ROLLBACK loop: a conflict with another writer (or an
    error containing one of ``retry_on``) is retried in a fresh transaction, which re-reads
    everything; any other DuckDB error becomes an :class:`EventlogError`; eventlog's own
    errors (a failed check) roll back and pass through. ``clock`` adds up the seconds spent
    in the work (``body``) and in COMMIT (``commit``), for profiles."""
    from .._errors import VersionConflict

    last: BaseException | None = None
    for attempt in range(attempts):
        con.execute("BEGIN TRANSACTION")
        try:
            t0 = time.perf_counter()
            value, keep = work()
            t1 = time.perf_counter()
            con.execute("COMMIT" if keep else "ROLLBACK")
            if clock is not None:
                clock["body"] = clock.get("body", 0.0) + t1 - t0
                clock["commit"] = clock.get("commit", 0.0) + time.perf_counter() - t1
            return value
        except BaseException as exc:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            retry = isinstance(exc, duckdb.Error) and (_is_conflict(exc) or any(s in str(exc) for s in retry_on))
            if not retry:
                if isinstance(exc, duckdb.Error):
                    raise EventlogError(f"{location}: commit failed ({' '.join(mask(str(exc)).split())})") from None
                raise
            last = exc
            if pause is not None:
                pause(attempt)
    raise VersionConflict(f"{location}: gave up after {attempts} attempts: other writers kept committing "
                          f"({mask(str(last))})")


class HeldConnection:
    """One connection kept open and shared by the threads of a process, one at a time
    (a DuckDB connection is not safe for two threads at once)."""

    def __init__(self, opener: Callable[[], duckdb.DuckDBPyConnection]) -> None:
        self._opener = opener
        self._con: duckdb.DuckDBPyConnection | None = None
        self._lock = threading.RLock()

    @contextlib.contextmanager
    def use(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._lock:
            if self._con is None:
                self._con = self._opener()
            yield self._con

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                with contextlib.suppress(duckdb.Error):
                    self._con.close()
                self._con = None
