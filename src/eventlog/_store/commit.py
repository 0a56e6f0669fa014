"""The commit: how a changeset's staged records become version rows.

One commit takes the next changeset id from the ``head`` row (so concurrent commits on a DuckLake
catalog conflict there and one retries), runs the checks, appends a version per changed record,
marks the versions it supersedes and writes the changeset row. It runs inside the backend's one
transaction (:func:`eventlog._store.backend.run_transaction`), so a failure leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import duckdb
import polars as pl

from .._frames import frame_of, registered, scanned
from .changeset import CHUNK, CommitResult, dumps_info, rows_to_insert
from .schema import COMMON, FOLD_AT, KINDS, PUT_ORDER, SMALL_WRITE

if TYPE_CHECKING:
    from .changeset import Changeset
    from .store import Store

__all__ = ["add_evidence", "append_versions", "commit_body", "write_kind"]

#: Up to this many keys a changeset looks its records up by a parameter list, above by a join.
FEW_KEYS = 64


def commit_body(store: Store, cs: Changeset) -> tuple[CommitResult, bool]:
    """Write ``cs`` on the store's commit connection; (result, whether anything was written)."""
    con = store._con
    # One statement for both: on the team store each statement costs catalog round trips.
    last, prev_at = con.execute("SELECT last_changeset, (SELECT max(committed_at) FROM changesets) FROM head").fetchall()[0]
    cs_id = int(last) + 1
    # Every commit updates this one row, so concurrent commits on a DuckLake
    # catalog conflict here and one of them retries: ids stay gapless and unique.
    con.execute("UPDATE head SET last_changeset = ?", [cs_id])
    from .checks import check_changeset

    check_changeset(store, cs)
    totals = [0, 0, 0, 0]
    for kind in PUT_ORDER:
        staged = cs._stage(kind)
        if not staged:
            continue
        once = not store._backend.retries
        if once:
            # Written once and never again (a lake may run the work again): the changeset lets
            # its rows go now, and each part is dropped as soon as it is written, so the rows
            # held and the transaction's own memory do not add up (a million events: about
            # 1.8 GB of rows beside about 1.3 GB of transaction).
            cs._release(kind)
        counts = write_kind(con, kind, staged, cs_id, consume=once, split=store._backend.indexes)
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        del staged
    created, updated, deleted, unchanged = totals
    changed = created + updated + deleted > 0
    extra = bool(cs._after_write(cs_id if changed else int(last))) if cs._after_write is not None else False
    if not changed:
        if extra:  # bookkeeping only (the merge base): no changeset, so the head stays
            con.execute("UPDATE head SET last_changeset = ?", [int(last)])
        return CommitResult(None, 0, 0, 0, unchanged), extra
    at = cs.at or dt.datetime.now(dt.UTC)
    if prev_at is not None and at < prev_at:
        at = prev_at  # keep time monotonic so as_of a timestamp finds one changeset
    con.execute(
        "INSERT INTO changesets VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [cs_id, cs.author, cs.message, at, created, updated, deleted, dumps_info(cs.info)],
    )
    store._before_commit(cs_id, cs)
    return CommitResult(cs_id, created, updated, deleted, unchanged), True


def write_kind(con: duckdb.DuckDBPyConnection, kind: str, staged: list[Any], cs_id: int, *,
               consume: bool = False, split: bool = False) -> tuple[int, int, int, int]:
    """Write the staged ops of one kind (Arrow tables, one row per key); returns counts
    created/updated/deleted/unchanged.

    A large changeset is written CHUNK rows at a time, so the frames made on the way are
    the size of a chunk, not of the changeset. ``consume`` empties ``staged`` as it goes:
    each part is let go once written. ``split``: the store keeps main and recent tables (a
    DuckDB file, see :mod:`eventlog._store.schema`)."""
    totals = [0, 0, 0, 0]
    parts = staged if consume else list(staged)
    while parts:
        part = parts.pop(0)
        for offset in range(0, part.num_rows, CHUNK):
            chunk = pl.from_arrow(part.slice(offset, CHUNK))
            assert isinstance(chunk, pl.DataFrame)
            counts = _write_chunk(con, kind, chunk, cs_id, split)
            totals = [a + b for a, b in zip(totals, counts, strict=True)]
            del chunk
        del part
        if consume:
            _give_back()
    return totals[0], totals[1], totals[2], totals[3]


def _give_back() -> None:
    """Return the memory of the parts let go to the system: Arrow's allocator keeps freed
    memory for its own reuse, but what comes next is DuckDB's, which allocates elsewhere."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


def _write_chunk(con: duckdb.DuckDBPyConnection, kind: str, staged: pl.DataFrame, cs_id: int, split: bool) -> tuple[int, int, int, int]:
    spec = KINDS[kind]
    keys = staged["key"].to_list()
    if len(keys) <= FEW_KEYS:
        # A small changeset (an analyst's edit): filter on the keys alone first, which lets
        # DuckDB skip most of the table instead of scanning every live row.
        marks = ", ".join("?" * len(keys))
        current = frame_of(con.execute(
            f"WITH c AS MATERIALIZED (SELECT key, version, op, data, superseded_by FROM {spec.table} "
            f"WHERE key IN ({marks})) SELECT key, version, op, data FROM c WHERE superseded_by IS NULL",
            keys,
        ))
    else:
        with registered(con, _staged_keys=staged.select("key")):
            current = frame_of(con.execute(
                f"SELECT key, version, op, data FROM {spec.table} "
                "WHERE superseded_by IS NULL AND key IN (SELECT key FROM _staged_keys)"
            ))
    if current.is_empty():
        current = pl.DataFrame(schema={"key": pl.String, "version": pl.Int32, "op": pl.String, "data": pl.String})
    todo, created, updated, deleted, unchanged = rows_to_insert(staged, current, kind)
    if todo.height:
        # Only keys with a current version have one to supersede: none in a build of new records.
        superseded = todo.filter(pl.col("version") > 1).select("key")
        append_versions(con, kind, todo.with_columns(changeset=pl.lit(cs_id, pl.Int64)), cs_id, superseded, split=split)
    return created, updated, deleted, unchanged


def append_versions(con: duckdb.DuckDBPyConnection, kind: str, rows: pl.DataFrame, cs_id: int,
                    superseded: pl.DataFrame | None = None, *, split: bool = False) -> None:
    """Add version rows written by changeset ``cs_id`` and mark the versions they supersede.

    ``superseded`` (a frame with a key column) names the keys among ``rows`` that have a
    current version; None means any of them may have one. ``split``: the kind is kept in main
    and recent tables (a DuckDB file), not one table.
    """
    spec = KINDS[kind]
    cols = [*COMMON, *spec.columns]
    rows = rows.with_columns(superseded_by=pl.lit(None, pl.Int64)).select(cols)
    quoted = ", ".join(f'"{c}"' for c in cols)
    keys = rows.select("key") if superseded is None else superseded
    # A superseded version is in one of the tables; the other has no row to mark.
    tables = (spec.main, spec.recent) if split else (spec.table,)
    if 0 < keys.height <= FEW_KEYS:
        # An analyst's edit: the keys as parameters, no temporary table made and dropped.
        few = keys["key"].to_list()
        for table in tables:
            con.execute(f"UPDATE {table} SET superseded_by = ? WHERE superseded_by IS NULL "
                        f"AND key IN ({', '.join('?' * len(few))})", [cs_id, *few])
    elif keys.height:
        with registered(con, _superseded_keys=keys):
            for table in tables:
                con.execute(
                    f"UPDATE {table} SET superseded_by = ? WHERE superseded_by IS NULL "
                    "AND key IN (SELECT key FROM _superseded_keys)",
                    [cs_id],
                )
    target = _target(con, kind, rows.height) if split else spec.table
    with scanned(con, "_new_rows", rows):
        con.execute(f"INSERT INTO {target} ({quoted}) SELECT {quoted} FROM _new_rows")


def _target(con: duckdb.DuckDBPyConnection, kind: str, n: int) -> str:
    """The table ``n`` new rows of a DuckDB file's ``kind`` go to: the recent one, or, for a
    large write or a full recent table, the main one once the recent rows are folded into it
    (that write rewrites the main table's index anyway)."""
    spec = KINDS[kind]
    recent = con.execute(f"SELECT count(*) FROM {spec.recent}").fetchall()[0][0]
    if n <= SMALL_WRITE and recent + n <= FOLD_AT:
        return spec.recent
    if recent:
        quoted = ", ".join(f'"{c}"' for c in [*COMMON, *spec.columns])
        con.execute(f"INSERT INTO {spec.main} ({quoted}) SELECT {quoted} FROM {spec.recent}")
        con.execute(f"DELETE FROM {spec.recent}")
    return spec.main


def add_evidence(store: Store, quotes: dict[tuple[str, int, int], str]) -> int:
    """Keep quotes of document spans (source, start, end) -> text; returns how many were new."""
    if not quotes:
        return 0
    frame = pl.DataFrame(
        [(s, a, b, q) for (s, a, b), q in quotes.items()],
        schema={"source": pl.String, "span_start": pl.Int32, "span_end": pl.Int32, "quote": pl.String},
        orient="row",
    )

    def work() -> tuple[int, bool]:
        con = store._con
        # Touching the head row makes two team-store writers adding the same quote conflict,
        # and the retry's NOT EXISTS then sees the other's rows: no duplicated quotes.
        con.execute("UPDATE head SET last_changeset = last_changeset")
        with registered(con, _quotes=frame):
            n = con.execute(
                "SELECT count(*) FROM _quotes q WHERE NOT EXISTS (SELECT 1 FROM evidence e WHERE e.source = q.source "
                "AND e.span_start = q.span_start AND e.span_end = q.span_end)"
            ).fetchall()[0][0]
            con.execute(
                "INSERT INTO evidence SELECT * FROM _quotes q WHERE NOT EXISTS (SELECT 1 FROM evidence e "
                "WHERE e.source = q.source AND e.span_start = q.span_start AND e.span_end = q.span_end)"
            )
        store._backend.label(con, "eventlog", f"Keep {n} evidence quote(s)", {"evidence": n})
        return int(n), bool(n)

    with store._writing() as con:
        return store._backend.transaction(con, work)
