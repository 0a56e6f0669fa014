"""A throwaway PostgreSQL server for tests, benchmarks and trying the team store locally.

It runs Debian's PostgreSQL binaries (``/usr/lib/postgresql/*/bin``, package
``postgresql``) from a temporary folder, listening on 127.0.0.1 and a free port,
with trust authentication. PostgreSQL refuses to run as root, so as root the
server runs as the ``postgres`` user.

>>> with TempPostgres() as pg:                                  # doctest: +SKIP
...     store = eventlog.open(pg.lake("events"), data_path="/tmp/events-data", create=True)
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

__all__ = ["PostgresUnavailable", "TempPostgres", "find_bindir"]


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries here, or the server would not start."""


def find_bindir() -> Path:
    """The newest ``/usr/lib/postgresql/<version>/bin`` with initdb and pg_ctl (or $EVENTLOG_PG_BINDIR)."""
    if env := os.environ.get("EVENTLOG_PG_BINDIR"):
        return Path(env)
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if not found:
        on_path = shutil.which("initdb")
        if on_path:
            return Path(on_path).parent
        raise PostgresUnavailable("no PostgreSQL server binaries (apt-get install postgresql)")
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TempPostgres:
    """Start a private PostgreSQL server in a temp dir; :meth:`stop` (or leaving ``with``) removes it."""

    def __init__(self, timeout: float = 60.0):
        self.timeout = timeout
        self.port = 0
        self.root: Path | None = None
        self._as: list[str] = []
        self.bindir = find_bindir()

    # -- lifecycle --------------------------------------------------------------------------------
    def start(self) -> TempPostgres:
        self.root = Path(tempfile.mkdtemp(prefix="eventlog-pg-"))
        os.chmod(self.root, 0o755)
        if os.geteuid() == 0:
            import pwd

            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresUnavailable("running as root and there is no 'postgres' user to run the server") from None
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"] if shutil.which("runuser") else ["su", "postgres", "-c"]
        data = self.root / "data"
        self._run([str(self.bindir / "initdb"), "-A", "trust", "-U", "postgres", "-E", "UTF8", "-D", str(data)])
        # A port can be taken between choosing it and binding it: try a few.
        last = ""
        for _ in range(5):
            self.port = _free_port()
            opts = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off -c max_connections=200"
            proc = self._run([str(self.bindir / "pg_ctl"), "-D", str(data), "-l", str(self.root / "server.log"),
                              "-o", opts, "-w", "-t", str(int(self.timeout)), "start"], check=False)
            if proc.returncode == 0:
                return self
            last = proc.stdout + proc.stderr + self.log_tail()
        self.stop()
        raise PostgresUnavailable(f"PostgreSQL did not start: {last.strip()[-2000:]}")

    def stop(self) -> None:
        if self.root is None:
            return
        data = self.root / "data"
        if (data / "postmaster.pid").exists():
            self._run([str(self.bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "-t", "30", "stop"],
                      check=False)
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def __enter__(self) -> TempPostgres:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- use --------------------------------------------------------------------------------------
    def conninfo(self, dbname: str = "postgres") -> str:
        """A libpq connection string for ``dbname`` on this server."""
        return f"dbname={dbname} host=127.0.0.1 port={self.port} user=postgres"

    def lake(self, dbname: str) -> str:
        """The eventlog location of a team store catalogued in database ``dbname`` (created on open)."""
        return f"ducklake:postgres:{self.conninfo(dbname)}"

    def log_tail(self, n: int = 2000) -> str:
        if self.root is None or not (self.root / "server.log").exists():
            return ""
        return (self.root / "server.log").read_text(errors="replace")[-n:]

    def _run(self, cmd: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
        full = [*self._as, subprocess.list2cmdline(cmd)] if self._as[:1] == ["su"] else [*self._as, *cmd]
        proc = subprocess.run(full, capture_output=True, text=True, timeout=self.timeout + 30, check=False)
        if check and proc.returncode != 0:
            with contextlib.suppress(Exception):
                self.stop()
            raise PostgresUnavailable(f"{Path(cmd[0]).name} failed: {(proc.stdout + proc.stderr).strip()[-2000:]}")
        return proc
