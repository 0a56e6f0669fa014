"""What the command modules share: the --db option, the query filters as options, opening
the store, and printing frames and store text safely. A leaf: it imports no command module and
not the group.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

__all__ = ["db_option", "filters_from", "open_store", "plain", "print_frame", "query_options", "report_wait"]


db_option = click.option("--db", envvar="EVENTLOG_DB", default=None, help="Store: a DuckDB file or ducklake: location.")


def open_store(db: str | None, read_only: bool = False) -> Any:
    """The store named by --db (or $EVENTLOG_DB)."""
    from .._store.opener import open_store as _open_store

    return _open_store(db, read_only=read_only)


def report_wait(line: str) -> None:
    """Where "waiting for process N ..." goes: one line on stderr."""
    click.echo(line, err=True)


def plain(text: str) -> str:
    """Store text for a terminal: control characters (escape sequences) shown, not obeyed."""
    return "".join(ch if ch.isprintable() or ch in "\n\t" else repr(ch)[1:-1] for ch in text)


def query_options(f: Callable) -> Callable:
    """The filters of Store.query as options (each may be repeated)."""
    opts = [
        click.option("--type", "type_", multiple=True, help="Event type (repeatable)."),
        click.option("--actor", multiple=True, help="Actor id or name (repeatable)."),
        click.option("--start", default=None, help="Keep events that end on or after this EDTF date."),
        click.option("--end", default=None, help="Keep events that start on or before this EDTF date."),
        click.option("--text", multiple=True, help="Text in title or summary, any case (repeatable)."),
        click.option("--tag", multiple=True, help="Tag (repeatable)."),
        click.option("--source", multiple=True, help="Source document id (repeatable)."),
        click.option("--status", multiple=True, help="confirmed, candidate or disputed (repeatable)."),
        click.option("--as-of", default=None, help="A changeset id or an ISO timestamp."),
    ]
    for opt in reversed(opts):
        f = opt(f)
    return f


def filters_from(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Query keyword arguments from the options of :func:`query_options` (empty ones dropped)."""
    names = {"type_": "type", "actor": "actor", "start": "start", "end": "end", "text": "text", "tag": "tag",
             "source": "source", "status": "status", "as_of": "as_of"}
    out = {}
    for opt, key in names.items():
        v = kwargs.pop(opt, None)
        if v in (None, (), []):
            continue
        out[key] = list(v) if isinstance(v, tuple) else v
    return out


def print_frame(frame: Any, fmt: str = "table", columns: list[str] | None = None, title: str | None = None) -> None:
    """Print a polars frame as a rich table, CSV or JSON lines."""

    if columns:
        frame = frame.select([c for c in columns if c in frame.columns])
    if fmt == "json":
        click.echo(frame.write_ndjson(), nl=False)
        return
    if fmt == "csv":
        from .._frames import flat

        click.echo(flat(frame).write_csv(), nl=False)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_lines=False, header_style="bold")
    for c in frame.columns:
        table.add_column(c, overflow="fold")
    for row in frame.iter_rows():
        table.add_row(*[_cell(v) for v in row])
    Console(soft_wrap=False).print(table)


def _cell(v: Any) -> str:
    from rich.markup import escape

    if v is None:
        return ""
    if isinstance(v, list):
        return escape(", ".join(str(x) for x in v))
    if hasattr(v, "strftime") and hasattr(v, "hour"):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    return escape(str(v))


