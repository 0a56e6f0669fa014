"""Polars frames in and out of SQL: frames made visible for a block, results read as frames.

>>> import duckdb, polars as pl
>>> con = duckdb.connect()
>>> with registered(con, _t=pl.DataFrame({"x": [1, 2]})):
...     con.execute("SELECT sum(x) FROM _t").fetchall()
[(3,)]
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import duckdb
import polars as pl

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["flat", "frame_of", "registered", "scanned"]


def frame_of(result: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """An executed statement's rows as a polars frame.

    Through Arrow, because duckdb 2.x results have no ``.pl()`` and 1.x needs pyarrow for it anyway.

    >>> frame_of(duckdb.connect().execute("SELECT 1 AS x")).to_dicts()
    [{'x': 1}]
    """
    out = pl.from_arrow(result.to_arrow_table())
    assert isinstance(out, pl.DataFrame)
    return out


def flat(frame: pl.DataFrame) -> pl.DataFrame:
    """List columns joined with "; ", for CSV (the one spelling of a list in a cell).

    >>> flat(pl.DataFrame({"actors": [["russia", "china"]]}))["actors"].to_list()
    ['russia; china']
    """
    return frame.with_columns([pl.col(c).list.join("; ") for c, t in frame.schema.items() if isinstance(t, pl.List)])


@contextlib.contextmanager
def scanned(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame | pa.Table) -> Iterator[None]:
    """Make a frame visible as an Arrow view, without a copy, for the length of a block.

    Only for statements that scan it once with no join (``INSERT ... SELECT * FROM name``):
    a join on an Arrow view can fail (see :func:`registered`). A bulk insert this way skips
    the copy into a temporary table, about a third of its time.
    """
    arrow: Any = frame.to_arrow() if isinstance(frame, pl.DataFrame) else frame
    con.register(name, arrow)
    try:
        yield
    finally:
        with contextlib.suppress(duckdb.Error):
            con.unregister(name)


@contextlib.contextmanager
def registered(con: duckdb.DuckDBPyConnection, **frames: pl.DataFrame | pa.Table) -> Iterator[None]:
    """Copy each frame into a temporary table named by its keyword, dropped when the block ends.

    Temporary tables rather than registered Arrow views: duckdb 1.5 pushes join filters
    (BLOOM_FILTER) into scans, which Arrow scans refuse once a join is large enough.
    Names are the caller's constants, never user text.
    """
    made: list[str] = []
    try:
        for name, frame in frames.items():
            arrow: Any = frame.to_arrow() if isinstance(frame, pl.DataFrame) else frame
            con.register("_eventlog_src", arrow)
            try:
                con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _eventlog_src")
            finally:
                con.unregister("_eventlog_src")
            made.append(name)
        yield
    finally:
        for name in made:
            # After a failed statement the transaction refuses work until ROLLBACK, which
            # also removes the table; so a failed drop here is harmless.
            with contextlib.suppress(duckdb.Error):
                con.execute(f"DROP TABLE IF EXISTS temp.main.{name}")
