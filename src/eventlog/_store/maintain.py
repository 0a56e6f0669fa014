"""Keeping a team store compact: fewer, larger files and no snapshots nobody needs.

Every commit to a lake writes small Parquet files (or rows inlined in the catalog) and a
DuckLake snapshot, and DuckLake keeps every file an old snapshot still reads. After a
few thousand commits a lake is thousands of tiny files, and every read pays for listing
them. :func:`maintain` runs DuckLake's own maintenance, in this order:

1. ``ducklake_flush_inlined_data``: rows kept inline in the catalog go to Parquet;
2. ``ducklake_merge_adjacent_files``: small files of a table become one;
3. ``ducklake_rewrite_data_files``: files with deleted rows are rewritten without them;
4. ``ducklake_expire_snapshots``: DuckLake snapshots older than ``keep`` are dropped
   (the newest always stays);
5. ``ducklake_cleanup_old_files`` and ``ducklake_delete_orphaned_files``: files no
   snapshot reads any more are deleted from the folder or bucket.

Expiring DuckLake's snapshots loses no eventlog history: ``as_of``, ``history``,
``blame``, ``diff`` and ``revert`` read eventlog's own version tables, never DuckLake's
time travel (a test compares every answer before and after). What goes is DuckLake's
own snapshot list (``store.lake_snapshots()``) and ``AT (VERSION => n)`` queries written
by hand. Each step takes the commit turn, so it never collides with a commit; an
analyst reading at that moment is not blocked.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb

from .store import Store

__all__ = ["Footprint", "MaintainReport", "footprint", "maintain"]

#: Orphaned files younger than this may be a commit in flight (a writer without the commit
#: turn writes its Parquet files before COMMIT names them): left alone.
ORPHAN_GRACE = dt.timedelta(hours=1)

#: (step, statement): each returns one row per table, snapshot or file it touched.
_STEPS: list[tuple[str, str]] = [
    ("flush inlined rows", "CALL ducklake_flush_inlined_data(?)"),
    ("merge small files", "CALL ducklake_merge_adjacent_files(?)"),
    ("rewrite files with deletions", "CALL ducklake_rewrite_data_files(?, delete_threshold => 0.0)"),
    ("expire snapshots", "CALL ducklake_expire_snapshots(?, older_than => ?::TIMESTAMPTZ)"),
    ("delete unused files", "CALL ducklake_cleanup_old_files(?, cleanup_all => true)"),
    ("delete orphaned files", "CALL ducklake_delete_orphaned_files(?, older_than => ?::TIMESTAMPTZ)"),
]


@dataclass(frozen=True)
class Footprint:
    """What a lake holds: files in storage, the files its current state reads, its snapshots."""

    storage_files: int
    storage_bytes: int
    live_files: int
    snapshots: int
    inlined_rows: int

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class MaintainReport:
    """Footprints before and after, and what each step did."""

    before: Footprint
    after: Footprint
    steps: dict[str, int] = field(default_factory=dict)  # step -> tables, snapshots or files touched
    seconds: float = 0.0

    def rows(self) -> list[tuple[str, int, int]]:
        return [(name, getattr(self.before, name), getattr(self.after, name)) for name in self.before.__dict__]

    def summary(self) -> str:
        b, a = self.before, self.after
        return (f"{b.storage_files} files ({_size(b.storage_bytes)}) -> {a.storage_files} files "
                f"({_size(a.storage_bytes)}), {b.snapshots} -> {a.snapshots} DuckLake snapshots, "
                f"in {self.seconds:.1f} s; eventlog's history is untouched")


def _size(n: int) -> str:
    """Bytes for a person: 880 B, 892.3 KB, 1.2 MB."""
    if n < 1024:
        return f"{n} B"
    size = n / 1024
    for unit in ("KB", "MB"):
        if size < 1024:
            return f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def data_path(con: duckdb.DuckDBPyConnection, alias: str) -> str:
    """Where the lake attached as ``alias`` keeps its files, as its catalog says ("" if unset)."""
    rows = con.execute("SELECT value FROM ducklake_options(?) WHERE option_name = 'data_path'", [alias]).fetchall()
    return str(rows[0][0]) if rows and rows[0][0] else ""


def footprint(con: duckdb.DuckDBPyConnection, alias: str) -> Footprint:
    """Count files and bytes under the data path (folder or bucket) and the catalog's live files."""
    path = data_path(con, alias)
    pattern = path.rstrip("/") + "/**" if path else ""
    storage = (0, 0)
    if pattern:
        try:
            storage = con.execute("SELECT count(*), coalesce(sum(size), 0) FROM read_blob(?)", [pattern]).fetchall()[0]
        except duckdb.IOException as exc:
            if "No files found" not in str(exc):
                raise
    meta = f"__ducklake_metadata_{alias}"
    live = con.execute(f"SELECT count(*) FROM {meta}.ducklake_data_file WHERE end_snapshot IS NULL").fetchall()[0][0]  # noqa: S608 - the alias is eventlog's constant
    snaps = con.execute("SELECT count(*) FROM ducklake_snapshots(?)", [alias]).fetchall()[0][0]
    tables = [r[0] for r in con.execute(f"SELECT table_name FROM {meta}.ducklake_inlined_data_tables").fetchall()]  # noqa: S608
    inlined = 0
    for name in tables:
        inlined += con.execute(f'SELECT count(*) FROM {meta}."{name}" WHERE end_snapshot IS NULL').fetchall()[0][0]  # noqa: S608 - names come from the catalog
    return Footprint(int(storage[0]), int(storage[1]), int(live), int(snaps), int(inlined))


def maintain(store: Store, *, keep: dt.timedelta | None = None,
             progress: Callable[[str], None] | None = None) -> MaintainReport:
    """Compact a team store (see the module docs); ``keep``: DuckLake snapshots younger than this stay."""
    backend: Any = store._backend
    alias: str = backend.alias
    started = time.perf_counter()
    with store.reading() as con:
        before = footprint(con, alias)
    report = MaintainReport(before, before)
    for name, stmt in _STEPS:
        if progress is not None:
            progress(name)
        params: list[Any] = [alias]
        if "older_than" in stmt:
            # The cutoff is taken now, not at the start: the snapshots the steps above made go too.
            at = dt.datetime.now(dt.UTC)
            params.append(at - (keep or dt.timedelta(0)) if "expire" in stmt else at - ORPHAN_GRACE)
        with store._writing() as con:

            def work(con: duckdb.DuckDBPyConnection = con, stmt: str = stmt, params: list[Any] = params,
                     name: str = name) -> tuple[int, bool]:
                backend.label(con, "eventlog", f"lake maintain: {name}", {"maintenance": name})
                return len(con.execute(stmt, params).fetchall()), True

            report.steps[name] = backend.transaction(con, work)
    with store.reading() as con:
        report.after = footprint(con, alias)
    report.seconds = time.perf_counter() - started
    return report

