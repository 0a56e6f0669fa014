"""Helpers the widgets share: the store to use, escaped HTML for frames and records."""

from __future__ import annotations

import html
import os
from typing import Any

import polars as pl

from .._store import Store

_STYLE = """<style>
.eventlog-frame table { border-collapse: collapse; font-size: 12px; }
.eventlog-frame th, .eventlog-frame td { border-bottom: 1px solid #ddd; padding: 2px 6px; text-align: left;
  vertical-align: top; max-width: 420px; }
.eventlog-frame tr.el-selected td { background: #fff3c4; }
.eventlog-detail blockquote { margin: 4px 0 8px 0; padding: 2px 8px; border-left: 3px solid #bbb; color: #333; }
.eventlog-error { color: #b00020; }
.eventlog-ok { color: #1b5e20; }
</style>"""


def resolve_store(store: Store | str | os.PathLike[str] | None) -> Store:
    """A Store from a Store, a path, or None (the default store, ``$EVENTLOG_DB``)."""
    if isinstance(store, Store):
        return store
    import eventlog

    if store is None:
        return eventlog._default_store()
    return eventlog.open(store)


def default_author(author: str | None) -> str:
    """The author given, else ``$EVENTLOG_AUTHOR``, else the login name."""
    if author:
        return author
    env = os.environ.get("EVENTLOG_AUTHOR")
    if env:
        return env
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry inside some containers
        return "analyst"


def esc(value: Any) -> str:
    """Text for HTML: everything from a record is escaped, so markup in a title stays text."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    elif hasattr(value, "strftime") and hasattr(value, "hour"):
        value = value.strftime("%Y-%m-%d %H:%M")
    return html.escape(str(value))


def frame_html(frame: pl.DataFrame, columns: list[str] | None = None, *, max_rows: int = 200,
               selected: set[str] | None = None, key: str = "id", css: str = "eventlog-frame") -> str:
    """A polars frame as an escaped HTML table (at most ``max_rows`` rows)."""
    cols = [c for c in (columns or frame.columns) if c in frame.columns]
    head = "".join(f"<th>{esc(c)}</th>" for c in cols)
    body = []
    for row in frame.head(max_rows).iter_rows(named=True):
        cls = ' class="el-selected"' if selected and row.get(key) in selected else ""
        body.append(f"<tr{cls}>" + "".join(f"<td>{esc(row[c])}</td>" for c in cols) + "</tr>")
    more = f"<p>{frame.height - max_rows} more rows not shown</p>" if frame.height > max_rows else ""
    return f'{_STYLE}<div class="{css}"><table><tr>{head}</tr>{"".join(body)}</table>{more}</div>'


def message_html(text: str, *, error: bool = False) -> str:
    cls = "eventlog-error" if error else "eventlog-ok"
    return f'{_STYLE}<div class="{cls}">{esc(text)}</div>'


def ensure_offline() -> None:
    """Bundle the chart JavaScript into the widget once, so charts render with no network."""
    import altair as alt

    if not alt.JupyterChart._is_offline:
        alt.JupyterChart.enable_offline()
