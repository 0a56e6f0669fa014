"""Copy a store, with its full history, to another store (a DuckDB file to a team lake, or back).

The copy is of the tables themselves (the shared schema of :mod:`eventlog._store.schema`):
changeset ids, authors, times and messages, and every version row, ``superseded_by``
included, come out exactly as they went in. By default each changeset is replayed as
its own transaction, so on DuckLake every changeset becomes one snapshot labelled with
its author and message, as if the team had made it there. Afterwards the two stores
are compared: row counts, every row of every table, the log, and a diff over the whole
history must be equal, or the migration fails. For example::

    report = migrate("eventlog.duckdb", "ducklake:postgres:dbname=events host=db user=ana",
                     data_path="/shared/events")
    report.changesets, report.verified   # (3, True)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from .._errors import EventlogError
from .._frames import frame_of, registered
from .changeset import Changeset
from .commit import append_versions
from .opener import open_store
from .schema import COMMON, KINDS
from .store import Store

__all__ = ["MigrateReport", "compare_stores", "migrate"]

_CHANGESET_COLS = ["id", "author", "message", "committed_at", "created", "updated", "deleted", "info"]
_EVIDENCE_COLS = ["source", "span_start", "span_end", "quote"]


@dataclass
class MigrateReport:
    """What a migration copied, and whether the copy was verified equal to the source."""

    source: str
    target: str
    changesets: int
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows copied
    verified: bool = False
    differences: list[str] = field(default_factory=list)

    def summary(self) -> str:
        counts = ", ".join(f"{t} {n}" for t, n in self.rows.items())
        state = "verified: counts, every row, the log and the diff match" if self.verified else "NOT verified"
        return f"migrated {self.changesets} changeset(s) from {self.source} to {self.target} ({counts}); {state}"


def _tables() -> list[tuple[str, list[str]]]:
    """Every table of the shared schema with its columns, in the order a store writes them."""
    out = [("changesets", _CHANGESET_COLS), ("evidence", _EVIDENCE_COLS)]
    out += [(spec.table, [*COMMON, *spec.columns]) for spec in KINDS.values()]
    return out


def _quoted(cols: list[str]) -> str:
    return ", ".join(f'"{c}"' for c in cols)


def _read(store: Store, table: str, cols: list[str]) -> pl.DataFrame:
    return frame_of(store._con.execute(f"SELECT {_quoted(cols)} FROM {table}"))  # noqa: S608 - table and column names come from the schema


def _display(location: str) -> str:
    from .lake import LakeLocation

    return LakeLocation.parse(location).display() if location.startswith("ducklake:") else location


def migrate(source: str | os.PathLike[str], target: str, *, data_path: str | os.PathLike[str] | None = None,
            one_snapshot: bool = False, author: str = "eventlog migrate", s3: dict[str, Any] | None = None) -> MigrateReport:
    """Copy the store at ``source`` into a new or empty store at ``target`` and verify the copy.

    ``data_path`` is for a new lake target: a folder or ``s3://bucket/prefix/``, with ``s3``
    (or the ``AWS_*`` environment variables) for its credentials. ``one_snapshot=True`` copies everything in one
    transaction (faster over a slow catalog; the lake then shows one snapshot for the
    whole history). Raises :class:`EventlogError` when the target already holds changesets,
    or when the verification finds a difference.
    """
    src_loc, dst_loc = str(source), str(target)
    options: dict[str, Any] = {"data_path": os.fspath(data_path)} if data_path is not None else {}
    if s3 is not None:
        options["s3"] = s3
    src = open_store(src_loc, read_only=True)
    try:
        dst = open_store(dst_loc, create=True, **options)
        try:
            report = _copy(src, dst, author=author, one_snapshot=one_snapshot)
            report.source, report.target = _display(src_loc), _display(dst_loc)
            report.differences = compare_stores(src, dst)
            report.verified = not report.differences
        finally:
            dst.close()
    finally:
        src.close()
    if not report.verified:
        raise EventlogError(f"migration to {report.target} does not match the source: " + "; ".join(report.differences[:5]))
    return report


def _copy(src: Store, dst: Store, *, author: str, one_snapshot: bool) -> MigrateReport:
    with src.reading():
        return _copy_from(src, dst, author=author, one_snapshot=one_snapshot)


def _copy_from(src: Store, dst: Store, *, author: str, one_snapshot: bool) -> MigrateReport:
    with dst.reading() as con:
        existing = dst.last_changeset() + sum(
            con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]  # noqa: S608 - table and column names come from the schema
            for t, _ in _tables() if t != "changesets")
        if existing:
            raise EventlogError(f"{_display(dst.location)} is not empty ({dst.last_changeset()} changeset(s)): "
                                "migrate into a new store")
        dst_version = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
    src_version = src._con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
    if src_version != dst_version:
        raise EventlogError(f"schema versions differ: source {src_version}, target {dst_version}: "
                            "open the source once with this eventlog (not read-only) to upgrade it")

    frames = {t: _read(src, t, cols) for t, cols in _tables()}
    changesets = frames["changesets"].sort("id")
    ids = changesets["id"].to_list()
    if ids != list(range(1, len(ids) + 1)):
        raise EventlogError(f"{src.location}: changeset ids are not 1..{len(ids)}; refusing to copy a damaged store")
    # Version rows grouped by the changeset that wrote them, once, instead of a filter per changeset.
    by_cs: dict[str, dict[int, pl.DataFrame]] = {
        spec.table: frames[spec.table].partition_by("changeset", as_dict=True, include_key=True)  # type: ignore[misc]
        for spec in KINDS.values()
    }
    by_cs = {t: {int(k[0]): v for k, v in parts.items()} for t, parts in by_cs.items()}  # type: ignore[index]

    if one_snapshot:
        _transaction(dst, lambda: [_replay(dst, row, by_cs) for row in changesets.iter_rows(named=True)],
                     author, f"Migrate {len(ids)} changeset(s) from {_display(src.location)}",
                     {"migrated_from": _display(src.location), "changesets": len(ids)})
    else:
        for row in changesets.iter_rows(named=True):
            cs = Changeset(dst, row["author"], row["message"] or "(no message)", at=row["committed_at"])
            _transaction(dst, lambda row=row: _replay(dst, row, by_cs), None, None, None,
                         label=lambda row=row, cs=cs: dst._before_commit(row["id"], cs))
    evidence = frames["evidence"]
    meta = frame_of(src._con.execute("SELECT key, value FROM meta WHERE key NOT IN ('schema_version', 'created_by')"))
    base = frame_of(src._con.execute("SELECT kind, key, data, changeset FROM base"))
    if evidence.height or meta.height or base.height:
        def copy_rest() -> None:
            _insert(dst, "evidence", evidence, _EVIDENCE_COLS)
            _insert(dst, "meta", meta, ["key", "value"])
            _insert(dst, "base", base, ["kind", "key", "data", "changeset"])

        _transaction(dst, copy_rest, author, f"Migrate {evidence.height} evidence quote(s)",
                     {"migrated_from": _display(src.location), "evidence": evidence.height})
    return MigrateReport(src.location, dst.location, len(ids), {t: f.height for t, f in frames.items()})


def _insert(dst: Store, table: str, frame: pl.DataFrame, cols: list[str]) -> None:
    if not frame.height:
        return
    with registered(dst._con, _migrate_rows=frame.select(cols)):
        dst._con.execute(f"INSERT INTO {table} ({_quoted(cols)}) SELECT {_quoted(cols)} FROM _migrate_rows")  # noqa: S608 - table and column names come from the schema


def _replay(dst: Store, row: dict[str, Any], by_cs: dict[str, dict[int, pl.DataFrame]]) -> None:
    """Write one changeset the way a commit does: supersede the previous versions, add the new ones."""
    con = dst._con
    cs_id = int(row["id"])
    head = con.execute("SELECT last_changeset FROM head").fetchall()[0][0]
    if int(head) != cs_id - 1:
        raise EventlogError(f"{_display(dst.location)}: another process wrote to the store during the migration")
    con.execute("UPDATE head SET last_changeset = ?", [cs_id])
    for name, spec in KINDS.items():
        rows = by_cs[spec.table].get(cs_id)
        if rows is not None:
            append_versions(con, name, rows, cs_id, split=dst._backend.indexes)
    insert = f"INSERT INTO changesets ({_quoted(_CHANGESET_COLS)}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"  # noqa: S608 - table and column names come from the schema
    con.execute(insert, [row[c] for c in _CHANGESET_COLS])


def _transaction(dst: Store, body: Any, author: str | None, message: str | None, extra: dict | None,
                 label: Any = None) -> None:
    def work() -> tuple[None, bool]:
        body()
        if label is not None:
            label()
        else:
            dst._backend.label(dst._con, author or "eventlog migrate", message or "Migrate", extra or {})
        return None, True

    with dst._writing() as con:
        dst._backend.transaction(con, work)


def compare_stores(a: Store, b: Store) -> list[str]:
    """Differences between two stores' contents (empty when they hold the same history).

    Compares row counts and every row of every table (as multisets), then the log and
    the diff from the first changeset to the last, computed by each store itself.
    """
    with a.reading(), b.reading():
        return _compare(a, b)


def _compare(a: Store, b: Store) -> list[str]:
    problems: list[str] = []
    for table, cols in _tables():
        left = _read(a, table, cols)
        n_b = b._con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]  # noqa: S608 - table and column names come from the schema
        if left.height != n_b:
            problems.append(f"{table}: {left.height} rows in {a.location}, {n_b} in {b.location}")
            continue
        with registered(b._con, _compare_rows=left):
            q = f"SELECT count(*) FROM (SELECT {_quoted(cols)} FROM _compare_rows EXCEPT ALL SELECT {_quoted(cols)} FROM {table})"  # noqa: S608 - table and column names come from the schema
            missing = b._con.execute(q).fetchall()[0][0]
        if missing:
            problems.append(f"{table}: {missing} row(s) differ")
    if problems:
        return problems
    if not a.log().equals(b.log()):
        problems.append("the log differs")
    first, last = 1, a.last_changeset()
    if last:
        # Everything the history holds, as each store reads it: from the first changeset to now.
        if not a.diff(first, last).equals(b.diff(first, last)):
            problems.append(f"diff {first}..{last} differs")
        for table_at in (first, last):
            if not _state(a, table_at).equals(_state(b, table_at)):
                problems.append(f"the store as of changeset {table_at} differs")
    return problems


def _state(store: Store, cs: int) -> pl.DataFrame:
    return store.query(as_of=cs).sort("id")
