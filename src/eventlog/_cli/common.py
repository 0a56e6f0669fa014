"""What the command modules share: the --db option, the query filters as options, opening
the store, and printing frames and store text safely. A leaf: it imports no command module and
not the group.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

__all__ = ["TABLE_ROWS", "db_option", "filters_from", "limit_options", "one_line", "open_store", "plain", "print_frame",
           "query_options", "report_wait", "row_limit", "warn_unmatched"]

#: Rows a terminal table shows unless --limit or --all says otherwise (a rich table costs ~0.7 ms a row).
TABLE_ROWS = 50
#: Rows written per chunk of CSV or JSON lines, so a million rows never sit in memory as text.
_CHUNK = 20_000


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


def one_line(text: str) -> str:
    """An error for a terminal: one line whatever the text holds (newlines, escapes shown)."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


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
        click.option("--known-by", default=None,
                     help="Keep events a source had certainly published by this EDTF date (and count only those sources)."),
        click.option("--min-reliability", default=None, type=click.Choice(list("ABCDEF"), case_sensitive=False),
                     help="Keep events with a citation from a source graded this or better (A best)."),
        click.option("--min-credibility", default=None, type=click.IntRange(1, 6),
                     help="Keep events with a citation graded this or better (1 best)."),
        click.option("--as-of", default=None, help="A changeset id or an ISO timestamp."),
    ]
    for opt in reversed(opts):
        f = opt(f)
    return f


def filters_from(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Query keyword arguments from the options of :func:`query_options` (empty ones dropped)."""
    names = {"type_": "type", "actor": "actor", "start": "start", "end": "end", "text": "text", "tag": "tag",
             "source": "source", "status": "status", "known_by": "known_by", "min_reliability": "min_reliability",
             "min_credibility": "min_credibility", "as_of": "as_of"}
    out = {}
    for opt, key in names.items():
        v = kwargs.pop(opt, None)
        if v in (None, (), []):
            continue
        out[key] = list(v) if isinstance(v, tuple) else v
    return out


def warn_unmatched(store: Any, filters: dict[str, Any]) -> None:
    """On stderr, for each actor, tag or source filter value that names nothing in the store,
    the closest names: an open filter with a typo matches nothing, and should say so."""
    import difflib

    known: dict[str, list[str]] = {}
    for key in ("actor", "tag", "source"):
        values = filters.get(key)
        if not values:
            continue
        if key not in known:
            if key == "actor":
                actors = store.actors()
                names = [*actors["id"].to_list(), *actors["name"].to_list()]
            elif key == "source":
                names = store.sources()["id"].to_list()
            else:
                names = sorted({t for tags in store.query()["tags"].to_list() for t in tags})
            known[key] = names
        lower = {n.lower() for n in known[key]}
        for v in [values] if isinstance(values, str) else values:
            if key == "actor" and store.query(actor=v).height:
                continue  # an alias the registry knows
            if v.lower() not in lower:
                close = difflib.get_close_matches(v, known[key], n=3, cutoff=0.5)
                hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
                click.echo(f"warning: no {key} {plain(v)!r} in the store{hint}", err=True)


def limit_options(f: Callable) -> Callable:
    """--limit N (at most N rows, in any format) and --all (every row, tables too)."""
    f = click.option("--all", "all_rows", is_flag=True,
                     help=f"Every row; a table otherwise shows the first {TABLE_ROWS} (csv and json always all).")(f)
    return click.option("--limit", type=click.IntRange(min=0), default=None,
                        help="At most this many rows, in any format.")(f)


def row_limit(fmt: str, limit: int | None, all_rows: bool) -> int | None:
    """How many rows to print: --limit, else every row for --all, csv and json, else a screenful."""
    if limit is not None:
        return limit
    return None if all_rows or fmt != "table" else TABLE_ROWS


def print_frame(frame: Any, fmt: str = "table", columns: list[str] | None = None, title: str | None = None,
                limit: int | None = None) -> None:
    """Print a polars frame as a rich table, CSV or JSON lines (at most ``limit`` rows; a table
    says how many it left out). CSV and JSON go out in chunks as they are written."""

    if columns:
        from .._errors import ValidationError
        from .._taxonomy import unknown

        wanted = [c.strip() for c in columns if c.strip()]
        for c in wanted:
            if c not in frame.columns:
                raise ValidationError(unknown("column", c, frame.columns), field="--columns")
        if len(set(wanted)) != len(wanted):
            twice = sorted({c for c in wanted if wanted.count(c) > 1})
            raise ValidationError(f"listed twice: {', '.join(twice)}", field="--columns")
        frame = frame.select(wanted)
    total = frame.height
    if limit is not None and total > limit:
        frame = frame.head(limit)
    if fmt in ("json", "csv"):
        from .._frames import flat

        for i, chunk in enumerate(frame.iter_slices(n_rows=_CHUNK)):
            text = chunk.write_ndjson() if fmt == "json" else flat(chunk).write_csv(include_header=i == 0)
            click.echo(text, nl=False)
        if fmt == "csv" and frame.is_empty():
            click.echo(flat(frame).write_csv(), nl=False)  # the header alone
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_lines=False, header_style="bold")
    for c in frame.columns:
        table.add_column(c, overflow="fold")
    for row in frame.iter_rows():
        table.add_row(*[_cell(v) for v in row])
    if frame.height < total:
        table.caption = (f"first {frame.height} of {total} rows: --limit N or --all for more, "
                         "--format csv or json for every row")
    Console(soft_wrap=False).print(table)


def _cell(v: Any) -> str:
    from rich.markup import escape

    if v is None:
        return ""
    if isinstance(v, list):
        return escape(plain(", ".join(str(x) for x in v)))
    if hasattr(v, "strftime") and hasattr(v, "hour"):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    return escape(plain(str(v)))


