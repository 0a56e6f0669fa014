"""Helpers the widgets share: the store to use, escaped HTML for frames and records."""

from __future__ import annotations

import atexit
import functools
import html
import os
import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

import polars as pl

from .._errors import EventlogError
from .._store.merge import unexported
from .._store.opener import default_store, open_store
from .._store.store import Store

T = TypeVar("T")

_STYLE = """<style>
.eventlog-frame table { border-collapse: collapse; font-size: 12px; }
.eventlog-frame th, .eventlog-frame td { border-bottom: 1px solid #ddd; padding: 2px 6px; text-align: left;
  vertical-align: top; max-width: 420px; }
.eventlog-frame tr.el-selected td { background: #fff3c4; }
.eventlog-frame.el-clip td { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 260px; }
.eventlog-detail blockquote { margin: 4px 0 8px 0; padding: 2px 8px; border-left: 3px solid #bbb; color: #333; }
.eventlog-error { color: #b00020; }
.eventlog-ok { color: #1b5e20; }
</style>"""


def resolve_store(store: Store | str | os.PathLike[str] | None) -> Store:
    """A Store from a Store, a path, or None (the default store, ``$EVENTLOG_DB``)."""
    if isinstance(store, Store):
        return store
    if store is None:
        return default_store()
    return open_store(store)


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
               selected: set[str] | None = None, key: str = "id", css: str = "eventlog-frame",
               clip: bool = False, total: int | None = None) -> str:
    """A polars frame as an escaped HTML table (at most ``max_rows`` rows). With ``clip``, every
    cell stays on one line (cut with an ellipsis, the whole text and the row's id on hover).
    ``total``: how many rows there are when ``frame`` holds only the first of them."""
    cols = [c for c in (columns or frame.columns) if c in frame.columns]
    head = "".join(f"<th>{esc(c)}</th>" for c in cols)
    body = []
    for row in frame.head(max_rows).iter_rows(named=True):
        cls = ' class="el-selected"' if selected and row.get(key) in selected else ""
        if clip:
            rid = esc(row.get(key))
            body.append(f'<tr{cls} title="{rid}">' + "".join(
                f'<td title="{esc(row[c])} ({rid})">{esc(row[c])}</td>' for c in cols) + "</tr>")
        else:
            body.append(f"<tr{cls}>" + "".join(f"<td>{esc(row[c])}</td>" for c in cols) + "</tr>")
    shown = min(frame.height, max_rows)
    total = frame.height if total is None else max(total, frame.height)
    more = f"<p>{total - shown:,} more rows not shown</p>" if total > shown else ""
    css = f"{css} el-clip" if clip else css
    return f'{_STYLE}<div class="{css}"><table><tr>{head}</tr>{"".join(body)}</table>{more}</div>'


def message_html(text: str, *, error: bool = False) -> str:
    cls = "eventlog-error" if error else "eventlog-ok"
    return f'{_STYLE}<div class="{cls}">{esc(text)}</div>'


def ensure_offline() -> None:
    """Bundle the chart JavaScript into the widget once, so charts render with no network."""
    import altair as alt

    if not alt.JupyterChart._is_offline:
        alt.JupyterChart.enable_offline()


#: The last count per store, with what it was counted at: (head changeset, base recorded) -> count.
_UNEXPORTED: dict[str, tuple[tuple[Any, ...], int]] = {}


def unexported_note(store: Store) -> str:
    """ "; 3 changes not exported" when the store has changes events/ does not have yet.

    Counted again only when the store has moved (a new changeset, or a build that recorded a
    new base): a panel redraws far more often than the store changes."""
    with store.reading() as con:
        mark = tuple(con.execute("SELECT (SELECT coalesce(max(id), 0) FROM changesets), "
                                 "(SELECT list(value) FROM meta WHERE key = 'base_recorded')").fetchall()[0])
        cached = _UNEXPORTED.get(store.location)
        if cached is not None and cached[0] == mark:
            n = cached[1]
        else:
            n = unexported(store, count=True)
            _UNEXPORTED[store.location] = (mark, n)
    return f"; {n} change{'s' if n != 1 else ''} not exported (eventlog export)" if n else ""


def describe_changesets(store: Store, after: int) -> str:
    """What arrived since changeset ``after``, for a person: "changeset 12 by ana: Retitle (3 updated)"."""
    log = store.log().filter(pl.col("changeset") > after).sort("changeset")
    parts = []
    for row in log.iter_rows(named=True):
        counts = ", ".join(f"{row[k]} {k}" for k in ("created", "updated", "deleted") if row[k])
        parts.append(f"changeset {row['changeset']} by {row['author']}: {row['message']}" + (f" ({counts})" if counts else ""))
    if len(parts) > 3:
        parts = [*parts[:2], f"... {len(parts) - 3} more ...", parts[-1]]
    return "; ".join(parts)


class Live:
    """What every panel shares: it notices changesets written elsewhere (by a check on each
    interaction, and a light poll every ``$EVENTLOG_POLL`` seconds) and shows every error
    of its callbacks in its status line instead of losing it in the kernel's log."""

    store: Store
    status: Any
    #: The last error shown (None after a successful action).
    error: str | None = None
    #: What the last refresh after someone else's changesets said (None before any).
    arrived: str | None = None

    def _start_live(self, poll: float | None) -> None:
        from .._config import poll_interval

        self._seen = self.store.last_changeset()
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._poller: threading.Thread | None = None
        interval = poll_interval() if poll is None else float(poll)
        if interval > 0:
            ref = weakref.ref(self)
            self._poller = threading.Thread(target=_poll, args=(ref, self._stop, interval), daemon=True,
                                            name=f"eventlog-poll-{type(self).__name__}")
            self._poller.start()
            _POLLING.add(self)

    def stop_polling(self) -> None:
        """End the background check for new changesets and wait for a check under way to
        finish (closing the widget, or the process exiting, does it too)."""
        stop = getattr(self, "_stop", None)
        if stop is not None:
            stop.set()
        poller = getattr(self, "_poller", None)
        if poller is not None and poller is not threading.current_thread():
            # A process must not exit while the thread is inside DuckDB: that aborts it.
            poller.join(timeout=10)

    def close(self) -> None:  # ipywidgets' close
        self.stop_polling()
        super().close()  # type: ignore[misc]

    def check_for_changes(self) -> str | None:
        """Refresh when someone else committed since the last look; returns what arrived."""
        with self._lock:
            head = self.store.last_changeset()
            if head == self._seen:
                return None
            said = describe_changesets(self.store, self._seen)
            self._seen = head
            self.arrived = said
            self.on_new_changesets()
            if html.escape(said) not in self.status.value:  # the redraw may have said it already
                self.status.value += message_html(f"new: {said}")
            return said

    def on_new_changesets(self) -> None:
        """Redraw after changesets arrived (each panel says how)."""

    def _seen_own_write(self) -> None:
        """A write this panel made itself is not news."""
        self._seen = self.store.last_changeset()

    def show(self, text: str, *, error: bool = False) -> None:
        self.status.value = message_html(text, error=error)

    def fail(self, text: str) -> None:
        self.error = text
        self.show(text, error=True)


_POLLING: weakref.WeakSet[Any] = weakref.WeakSet()


@atexit.register
def _stop_all_polling() -> None:
    for widget in list(_POLLING):
        widget.stop_polling()


def _poll(ref: Any, stop: threading.Event, interval: float) -> None:
    while not stop.wait(interval):
        widget = ref()
        if widget is None:
            return
        try:
            widget.check_for_changes()
        except Exception as exc:  # noqa: BLE001 - shown in the widget, never lost
            widget.fail(f"could not check for new changesets: {exc}")
        del widget


def guarded(method: Callable[..., T]) -> Callable[..., T | None]:
    """A widget callback whose every error is shown in the widget (and kept in ``.error``)."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> T | None:
        try:
            with self._lock:
                return method(self, *args, **kwargs)
        except EventlogError as exc:
            self.fail(str(exc))
        except Exception as exc:  # noqa: BLE001 - a bug is shown, not swallowed by the kernel
            self.fail(f"internal error ({type(exc).__name__}): {exc}")
        return None

    return wrapper
