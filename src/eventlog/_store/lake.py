"""The team store: the same versioned store on DuckLake, for several writers at once.

A DuckDB file serves one analyst. A team opens one DuckLake instead: its catalog
lives in PostgreSQL (or, for one person, in a local ``.ducklake`` file) and its
data in a shared folder (object storage in production). The tables, queries and
commit protocol are the ones of :mod:`eventlog._store.store`; this module only connects,
and labels every DuckLake snapshot with its changeset's author and message::

        import eventlog
        store = eventlog.open("ducklake:postgres:dbname=events host=db.internal user=ana",
                              data_path="s3://team-bucket/events/", create=True)
        with store.change(author="ana", message="Add the May visit") as cs:
            cs.put(eventlog.Event(id="visit-2024", type="visit", title="Visit", date="2024-05"))
        store.lake_snapshots()["message"].to_list()[-1]   # 'Add the May visit'

Why concurrent writers lose nothing: DuckLake has no unique constraints and does
not retry conflicting updates. Every eventlog commit UPDATEs the single ``head``
row, so of two commits that overlap in time DuckLake accepts the first and refuses
the second with a "Transaction conflict". :class:`LakeStore` turns that refusal
into a retry in a fresh transaction, which re-reads the current versions: a stale
``expected_version`` then fails with :class:`VersionConflict`, while a blind put
lands on top of the other writer's work. Changeset ids stay gapless and unique.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import random
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import polars as pl

from .._errors import EventlogError, NotFound, StoreLocked, ValidationError
from .._frames import frame_of
from .backend import HeldConnection, run_transaction, skip_pandas_probe
from .maintain import MaintainReport, maintain
from .maintain import data_path as lake_data_path
from .s3 import S3Config, is_remote
from .store import Store

__all__ = ["LakeBackend", "LakeLocation", "LakeStore", "connect_lake", "open_lake"]

T = TypeVar("T")

#: The name the lake is attached under; ``USE`` makes the shared unqualified table names work.
ALIAS = "lake"
_EXTENSIONS = ("postgres", "ducklake")
#: Needed only for a data path in object storage; a lake in a folder works without it.
_OPTIONAL_EXTENSIONS = ("httpfs",)
_SECRET_NAME = "eventlog_s3"
_CREATE_LOCK_KEY = 0x6576656E746C6F67  # "eventlog": the advisory lock taken while creating a lake
_COMMIT_LOCK_KEY = _CREATE_LOCK_KEY + 1  # the advisory lock that queues commits
_TEAM_HINT = "the team store needs the 'team' extra: pip install 'eventlog[team]' (duckdb 1.5.5 and its DuckLake extension)"


class LakeLocation:
    """A parsed ``ducklake:`` location.

    >>> LakeLocation.parse("ducklake:postgres:dbname=ev host=127.0.0.1").catalog
    'postgres'
    >>> LakeLocation.parse("ducklake:/tmp/team/meta.ducklake").path
    '/tmp/team/meta.ducklake'
    """

    def __init__(self, location: str, catalog: str, path: str | None, conninfo: str | None):
        self.location = location
        self.catalog = catalog  # 'postgres' or 'file'
        self.path = path
        self.conninfo = conninfo

    @classmethod
    def parse(cls, location: str) -> LakeLocation:
        if not location.startswith("ducklake:"):
            raise ValidationError(f"{location!r} is not a ducklake: location", field="location")
        rest = location[len("ducklake:"):].strip()
        if rest.startswith("postgres:"):
            conninfo = rest[len("postgres:"):].strip()
            if "dbname=" not in conninfo:
                raise ValidationError(
                    f"{location!r}: a PostgreSQL catalog needs at least dbname=... (e.g. "
                    "'ducklake:postgres:dbname=events host=127.0.0.1 user=ana')", field="location")
            return cls(location, "postgres", None, conninfo)
        if not rest or ":" in rest.split("/")[0] and not re.match(r"^[A-Za-z]:[\\/]", rest):
            raise ValidationError(
                f"{location!r}: use 'ducklake:postgres:dbname=...' or 'ducklake:/path/to/meta.ducklake'", field="location")
        return cls(location, "file", os.path.abspath(os.path.expanduser(rest)), None)

    @property
    def attach_target(self) -> str:
        return f"ducklake:postgres:{self.conninfo}" if self.catalog == "postgres" else f"ducklake:{self.path}"

    def display(self) -> str:
        """The location without a password, for messages."""
        return _mask(self.location)


def _mask(text: str) -> str:
    """Hide libpq passwords (DuckDB's own error messages repeat the connection string).

    >>> _mask("dbname=ev password=s3cret host=db")
    'dbname=ev password=*** host=db'
    """
    return re.sub(r"password\s*=\s*('[^']*'|\S+)", "password=***", text)


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _load_extensions(con: duckdb.DuckDBPyConnection) -> set[str]:
    """LOAD postgres, ducklake and (when its wheel is there) httpfs, installing them from their
    PyPI wheels the first time; the names loaded."""
    # The extra is the contract: check it first, even when an older install left the extensions around.
    try:
        from duckdb_extensions import import_extension
    except ImportError:
        raise EventlogError(_TEAM_HINT) from None
    loaded = set()
    for name in (*_EXTENSIONS, *_OPTIONAL_EXTENSIONS):
        try:
            _load_one(con, name, import_extension)
            loaded.add(name)
        except EventlogError:
            if name not in _OPTIONAL_EXTENSIONS:
                raise
    return loaded


def _load_one(con: duckdb.DuckDBPyConnection, name: str, import_extension: Callable[..., Any]) -> None:
    with contextlib.suppress(duckdb.Error):
        con.execute(f"LOAD {name}")
        return
    # Several processes may start at once on a fresh machine: install under a file lock so
    # none of them loads a half-written extension file.
    ext_dir = con.execute("SELECT current_setting('extension_directory')").fetchall()[0][0] or ""
    lock_dir = Path(ext_dir) if ext_dir else Path.home() / ".duckdb"
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / ".eventlog-install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            import_extension(name, con=con)
            con.execute(f"LOAD {name}")
        except ModuleNotFoundError:
            raise EventlogError(_TEAM_HINT) from None
        except duckdb.Error as exc:
            raise EventlogError(f"cannot load the DuckDB extension {name!r} ({exc}); {_TEAM_HINT}") from None
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _use_object_storage(con: duckdb.DuckDBPyConnection, loaded: set[str], data_path: str | None,
                        s3: S3Config | None, shown: str) -> None:
    """Give the connection what a lake in a bucket needs: httpfs and a temporary S3 secret.

    ``data_path`` is the one given, else the lake's own (read from its catalog).
    """
    if data_path is None:
        data_path = lake_data_path(con, ALIAS) or None
    if not is_remote(data_path):
        return
    if "httpfs" not in loaded:
        raise EventlogError(f"{shown}: its data is in object storage ({data_path}), which needs DuckDB's httpfs "
                            "extension: pip install 'eventlog[team]'")
    if s3 is None or not s3.options:
        return  # public buckets, or a secret the user created in ~/.duckdb/stored_secrets
    assert data_path is not None
    scheme, _, rest = data_path.partition("://")
    try:
        con.execute(s3.statement(_SECRET_NAME, scope=f"{scheme}://{rest.split('/')[0]}"))
    except duckdb.Error as exc:
        raise EventlogError(f"{shown}: the S3 credentials were refused ({s3.mask(_mask(str(exc)))})") from None


def _create_pg_database(conninfo: str) -> None:
    """CREATE DATABASE for a catalog that does not exist yet (only when the caller asked to create)."""
    try:
        import psycopg
        from psycopg import sql
    except ImportError:
        raise EventlogError(_TEAM_HINT) from None
    params = psycopg.conninfo.conninfo_to_dict(conninfo)
    dbname = str(params.pop("dbname"))
    admin = psycopg.conninfo.make_conninfo(**{**params, "dbname": "postgres"})
    with psycopg.connect(admin, autocommit=True, connect_timeout=10) as pg:
        exists = pg.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchall()
        if not exists:
            # Another process may be creating it at the same moment: either error means it exists now.
            with contextlib.suppress(psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation):
                pg.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))


@contextlib.contextmanager
def _creation_lock(loc: LakeLocation) -> Iterator[None]:
    """Hold a PostgreSQL advisory lock while a new lake may be initialised.

    DuckLake creates its catalog tables without guarding against a second process doing
    the same at the same moment (it fails on PostgreSQL's catalog); the lock makes the
    second process wait, then find the lake ready. Opening an existing lake needs no lock.
    """
    if loc.catalog != "postgres":
        yield
        return
    try:
        import psycopg
    except ImportError:
        raise EventlogError(_TEAM_HINT) from None

    _create_pg_database(loc.conninfo or "")
    with psycopg.connect(loc.conninfo or "", autocommit=True, connect_timeout=10) as pg:
        pg.execute("SELECT pg_advisory_lock(%s)", [_CREATE_LOCK_KEY])
        try:
            yield
        finally:
            with contextlib.suppress(psycopg.Error):
                pg.execute("SELECT pg_advisory_unlock(%s)", [_CREATE_LOCK_KEY])


def connect_lake(location: str | LakeLocation, *, read_only: bool = False, create: bool = False,
                 data_path: str | os.PathLike[str] | None = None, inline_rows: int | None = None,
                 s3: S3Config | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the lake attached as ``lake`` and in use.

    ``data_path`` is where the Parquet files go, a folder or a bucket (``s3://bucket/prefix/``);
    a new lake needs one (a file catalog defaults to a folder next to it), an existing lake
    remembers its own. ``inline_rows`` overrides how many rows DuckLake keeps inline in the
    catalog. ``s3`` holds the credentials for a lake in a bucket (see :mod:`eventlog._store.s3`).
    """
    loc = location if isinstance(location, LakeLocation) else LakeLocation.parse(location)
    shown = loc.display()
    if loc.catalog == "file":
        assert loc.path is not None
        if not Path(loc.path).exists():
            if not create or read_only:
                raise NotFound(f"no team store at {shown}: create one with eventlog.open(..., create=True) "
                               "or 'eventlog migrate --to ...'")
            Path(loc.path).parent.mkdir(parents=True, exist_ok=True)
            if data_path is None:
                data_path = loc.path + ".files"
    if data_path is not None and is_remote(data_path):
        data_path = os.fspath(data_path).rstrip("/") + "/"
    elif data_path is not None:
        data_path = os.path.abspath(os.fspath(data_path))
        if not read_only:
            Path(data_path).mkdir(parents=True, exist_ok=True)
    skip_pandas_probe()
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    try:
        loaded = _load_extensions(con)
        opts = []
        if data_path is not None:
            opts.append(f"DATA_PATH {_sql_str(os.fspath(data_path))}")
        if read_only:
            opts.append("READ_ONLY")
        if not create:
            opts.append("CREATE_IF_NOT_EXISTS false")
        if inline_rows is not None:
            opts.append(f"DATA_INLINING_ROW_LIMIT {int(inline_rows)}")
        stmt = f"ATTACH {_sql_str(loc.attach_target)} AS {ALIAS}" + (f" ({', '.join(opts)})" if opts else "")
        try:
            con.execute(stmt)
        except duckdb.Error as exc:
            text = str(exc)
            if loc.catalog == "postgres" and create and "does not exist" in text and "database" in text:
                _create_pg_database(loc.conninfo or "")
                con.execute(stmt)
            else:
                raise
        con.execute(f"USE {ALIAS}")
        con.execute("SET TimeZone = 'UTC'")
        _use_object_storage(con, loaded, os.fspath(data_path) if data_path is not None else None, s3, shown)
    except duckdb.Error as exc:
        con.close()
        text = _mask(str(exc))
        if s3 is not None:
            text = s3.mask(text)
        if "Could not set lock" in text or "lock on file" in text:
            pid = re.search(r"PID (\d+)", text)
            who = f" (process {pid.group(1)})" if pid else ""
            raise StoreLocked(f"{shown}: another process{who} has this catalog file open (a catalog file serves "
                              "one process; use a PostgreSQL catalog for several)") from None
        if "already attached" in text:
            raise StoreLocked(f"{shown}: this process already has the store open (a catalog file serves one "
                              "connection; use a PostgreSQL catalog for several)") from None
        if "creating a new DuckLake is explicitly disabled" in text or re.search(r'database "[^"]*" does not exist', text):
            raise NotFound(f"no team store at {shown}: create one with eventlog.open(..., create=True) "
                           "or 'eventlog migrate --to ...'") from None
        raise EventlogError(f"{shown}: cannot open the team store ({text.strip()})") from None
    except BaseException:
        con.close()
        raise
    return con


class LakeBackend:
    """A DuckLake, through one connection kept open (a PostgreSQL catalog serves every
    process at once); one DuckLake snapshot per commit, labelled with its author and
    message; a commit that lost a race with another writer is retried.
    """

    name = "ducklake"
    alias = ALIAS
    indexes = False
    sandboxed_sql = False
    separate_writes = False
    retries = True

    #: Contended commits back off and retry; 4 writers on 2 cores need many attempts.
    MAX_RETRIES = 60
    #: Upper bound (seconds) of the randomised pause after losing a race.
    MAX_BACKOFF = 0.5
    #: Seconds to wait for the commit turn before committing anyway (and maybe colliding).
    LOCK_TIMEOUT = 30.0

    def __init__(self, loc: LakeLocation, con: duckdb.DuckDBPyConnection, *, commit_lock: bool = True,
                 s3: S3Config | None = None) -> None:
        self.loc = loc
        self.s3 = s3 or S3Config()
        self.location = loc.location
        self.commit_lock = commit_lock
        self.attempts = 0  # commit attempts, including retried ones (for benchmarks and tests)
        self.conflicts = 0  # attempts DuckLake refused because another writer committed first
        self._held = HeldConnection(lambda: con)
        self._pg: Any = None  # psycopg connection holding the commit turn (PostgreSQL catalogs)
        self._read_tx = False  # a read block's transaction is open on the held connection
        #: Seconds spent, over all commits: waiting for the commit turn, in the transaction's
        #: statements (Parquet files are written here), in COMMIT (the catalog's metadata, inlined rows).
        self.timings: dict[str, float] = {"turn": 0.0, "body": 0.0, "commit": 0.0}

    @contextlib.contextmanager
    def connect(self, *, write: bool) -> Iterator[duckdb.DuckDBPyConnection]:
        """The held connection; a read block runs in one transaction.

        One transaction per read block means one DuckLake snapshot: every statement of a
        widget refresh or a ``show`` sees the same state (another writer's commit in between
        does not split it), and the catalog is asked for the current snapshot once, not per
        statement.
        """
        with self._held.use() as con:
            if write:
                yield con
                return
            con.execute("BEGIN TRANSACTION")
            self._read_tx = True
            try:
                yield con
            except duckdb.Error as exc:
                raise EventlogError(self.read_error(exc)) from None
            finally:
                if self._read_tx:
                    self._read_tx = False
                    with contextlib.suppress(duckdb.Error):
                        con.execute("COMMIT")  # a read-only transaction: nothing to write

    def read_error(self, exc: BaseException) -> str:
        """One line for a read that failed, with what to do when it is the object storage."""
        text = " ".join(self.mask(str(exc)).split())
        hint = ""
        if "HTTP" in text or "s3://" in text or "S3" in text:
            hint = ("; check the bucket's endpoint and credentials (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, "
                    "AWS_SECRET_ACCESS_KEY, AWS_REGION, or eventlog.open(..., s3={...}))")
        return f"{self.loc.display()}: cannot read the team store ({text}){hint}"

    def label(self, con: duckdb.DuckDBPyConnection, author: str, message: str, extra: dict[str, Any]) -> None:
        con.execute(f"CALL {ALIAS}.set_commit_message(?, ?, extra_info => ?)",
                    [author, message, json.dumps(extra, sort_keys=True, default=str)])

    def _pause(self, attempt: int) -> None:
        self.conflicts += 1
        # Randomised, growing pauses spread the retrying writers out instead of having them collide again.
        time.sleep(random.uniform(0, min(self.MAX_BACKOFF, 0.01 * 2 ** min(attempt, 6))))

    def transaction(self, con: duckdb.DuckDBPyConnection, work: Callable[[], tuple[T, bool]], *,
                    retry_on: tuple[str, ...] = ()) -> T:
        def counted() -> tuple[T, bool]:
            self.attempts += 1
            return work()

        # A commit inside a read block ends the block's read transaction and starts a new one
        # after it, so the rest of the block sees the commit.
        reading = self._read_tx
        if reading:
            self._read_tx = False
            con.execute("COMMIT")
        try:
            with self._commit_turn():
                return run_transaction(con, counted, attempts=self.MAX_RETRIES, location=self.loc.display(),
                                       pause=self._pause, retry_on=retry_on, mask=self.mask, clock=self.timings)
        finally:
            if reading:
                con.execute("BEGIN TRANSACTION")
                self._read_tx = True

    def mask(self, text: str) -> str:
        """``text`` without catalog passwords or S3 credentials."""
        return self.s3.mask(_mask(text))

    @contextlib.contextmanager
    def _commit_turn(self) -> Iterator[None]:
        """Wait for this lake's commit turn (a PostgreSQL advisory lock), when there is a catalog server.

        Only an optimisation: correctness comes from the ``head`` row conflict and the retry.
        Queueing writers instead of letting them collide saves the work a refused commit
        throws away; without the lock (a timeout, no psycopg) commits simply collide and retry.
        """
        if self.loc.catalog != "postgres" or not self.commit_lock:
            yield
            return
        pg = self._lock_connection()
        locked = False
        if pg is not None:
            t = time.perf_counter()
            try:
                pg.execute("SELECT pg_advisory_lock(%s)", [_COMMIT_LOCK_KEY])
                locked = True
            except Exception:  # noqa: BLE001 - a lock we cannot get only costs speed
                self._drop_lock_connection()
            self.timings["turn"] += time.perf_counter() - t
        try:
            yield
        finally:
            if locked and self._pg is not None:
                try:
                    self._pg.execute("SELECT pg_advisory_unlock(%s)", [_COMMIT_LOCK_KEY])
                except Exception:  # noqa: BLE001 - closing the session releases it anyway
                    self._drop_lock_connection()

    def _lock_connection(self) -> Any:
        if self._pg is None:
            try:
                import psycopg

                self._pg = psycopg.connect(self.loc.conninfo or "", autocommit=True, connect_timeout=10,
                                           options=f"-c statement_timeout={int(self.LOCK_TIMEOUT * 1000)}")
            except Exception:  # noqa: BLE001 - no lock, just collisions and retries
                self._pg = None
        return self._pg

    def _drop_lock_connection(self) -> None:
        if self._pg is not None:
            with contextlib.suppress(Exception):
                self._pg.close()
        self._pg = None

    def close(self) -> None:
        self._drop_lock_connection()
        self._held.close()


class LakeStore(Store):
    """A :class:`Store` on a :class:`LakeBackend`, with the lake's own snapshot list."""

    _backend: LakeBackend

    def __repr__(self) -> str:
        return f"<eventlog.LakeStore {self._backend.loc.display()}>"

    @property
    def attempts(self) -> int:
        """Commit attempts so far, including the ones retried after a conflict."""
        return self._backend.attempts

    @property
    def conflicts(self) -> int:
        """Commit attempts DuckLake refused because another writer committed first."""
        return self._backend.conflicts

    @property
    def timings(self) -> dict[str, float]:
        """Seconds spent by this process's commits: waiting for the commit turn (``turn``), in the
        transaction's statements (``body``, where Parquet files are written) and in COMMIT
        (``commit``: the catalog's metadata and inlined rows)."""
        return dict(self._backend.timings)

    def maintain(self, *, keep: dt.timedelta | None = None,
                 progress: Callable[[str], None] | None = None) -> MaintainReport:
        """Merge small files, expire DuckLake snapshots older than ``keep`` (default: all but the
        newest) and delete the files nothing reads; eventlog's own history is kept whole.
        See :mod:`eventlog._store.maintain`."""
        if self.read_only:
            raise EventlogError(f"{self._backend.loc.display()} is open read-only")
        if keep is not None and (not isinstance(keep, dt.timedelta) or keep < dt.timedelta(0)):
            raise ValidationError(f"keep must be a non-negative timedelta, not {keep!r}", field="keep")
        return maintain(self, keep=keep, progress=progress)

    @property
    def COMMIT_LOCK(self) -> bool:  # noqa: N802 - kept from the first team store
        return self._backend.commit_lock

    def lake_snapshots(self) -> pl.DataFrame:
        """DuckLake's snapshot list, oldest first: snapshot id, time, author, message, the
        eventlog changeset it holds (null for schema and evidence snapshots) and what it changed."""
        with self.reading() as con:
            frame = frame_of(con.execute(
                "SELECT snapshot_id AS snapshot, snapshot_time AS changed_at, author, commit_message AS message, "
                "commit_extra_info AS extra FROM ducklake_snapshots(?) ORDER BY snapshot_id", [ALIAS]
            ))
        changeset = [json.loads(x).get("changeset") if x else None for x in frame["extra"].to_list()]
        return frame.with_columns(changeset=pl.Series(changeset, dtype=pl.Int64)).select(
            "snapshot", "changed_at", "author", "message", "changeset", "extra")


def open_lake(location: str, *, read_only: bool = False, create: bool = False, **options: Any) -> LakeStore:
    """Open (or with ``create=True`` create) a team store at a ``ducklake:`` location.

    Options: ``data_path`` (default ``$EVENTLOG_DATA_PATH``; where Parquet files go, a shared
    folder or ``s3://bucket/prefix/``, needed for a new PostgreSQL-catalogued lake), ``s3``
    (credentials and endpoint for a bucket, over the ``AWS_*`` environment variables; see
    :mod:`eventlog._store.s3`), ``inline_rows`` (DuckLake's DATA_INLINING_ROW_LIMIT) and
    ``commit_lock`` (default True: writers queue for their commit on a PostgreSQL advisory
    lock; False lets them collide and retry).

    Example: ``open_lake("ducklake:postgres:dbname=events host=127.0.0.1", data_path="s3://team/events/", create=True)``
    """
    options.pop("timeout", None)  # the lake's own concurrency rules apply (see LakeBackend)
    known = {"data_path", "inline_rows", "commit_lock", "s3"}
    if unknown := set(options) - known:
        raise ValidationError(f"unknown option(s) for a team store: {', '.join(sorted(unknown))} "
                              f"(known: {', '.join(sorted(known))})")
    data_path = options.get("data_path") or os.environ.get("EVENTLOG_DATA_PATH") or None
    loc = LakeLocation.parse(location)
    s3 = S3Config.resolve(options.get("s3"))
    if options.get("s3") is not None and data_path is not None and not is_remote(data_path):
        raise ValidationError(f"s3= is for a data path in object storage, not the folder {data_path}", field="s3")
    return _open_lake(loc, read_only=read_only, create=create, data_path=data_path,
                      inline_rows=options.get("inline_rows"), commit_lock=bool(options.get("commit_lock", True)), s3=s3)


def _open_lake(loc: LakeLocation, *, read_only: bool, create: bool, data_path: Any,
               inline_rows: int | None, commit_lock: bool, s3: S3Config) -> LakeStore:
    def store_on(con: duckdb.DuckDBPyConnection, *, create: bool) -> LakeStore:
        return _store_on(con, loc, read_only=read_only, create=create, commit_lock=commit_lock, s3=s3)

    if loc.catalog == "postgres" and create and data_path is None:
        # Without a data path DuckLake would put the team's files next to this process: refuse.
        try:
            con = connect_lake(loc, read_only=read_only, create=False, inline_rows=inline_rows, s3=s3)
        except NotFound:
            raise ValidationError(f"{loc.display()}: a new team store needs data_path= (a shared folder or bucket "
                                  "every analyst can reach) or $EVENTLOG_DATA_PATH", field="data_path") from None
        return store_on(con, create=not read_only)
    if not create or read_only:
        con = connect_lake(loc, read_only=read_only, create=False, data_path=data_path, inline_rows=inline_rows, s3=s3)
        return store_on(con, create=False)
    with _creation_lock(loc):
        con = connect_lake(loc, create=True, data_path=data_path, inline_rows=inline_rows, s3=s3)
        return store_on(con, create=True)


def _store_on(con: duckdb.DuckDBPyConnection, loc: LakeLocation, *, read_only: bool,
              create: bool, commit_lock: bool, s3: S3Config) -> LakeStore:
    try:
        if not create and not _has_store(con):
            raise NotFound(f"{loc.display()} is a DuckLake without an eventlog store: open it with create=True "
                           "or fill it with 'eventlog migrate'")
        return LakeStore(LakeBackend(loc, con, commit_lock=commit_lock, s3=s3), read_only=read_only, create=create)
    except duckdb.Error as exc:
        con.close()
        raise EventlogError(f"{loc.display()}: cannot open the team store ({s3.mask(_mask(str(exc)))})") from None
    except EventlogError:
        with contextlib.suppress(duckdb.Error):
            con.close()
        raise


def _has_store(con: duckdb.DuckDBPyConnection) -> bool:
    rows = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_catalog = ? AND table_name = 'changesets'",
                       [ALIAS]).fetchall()
    return bool(rows[0][0])
