"""The HistoryViewer: an event's versions, a field diff between any two, blame, and revert."""

from __future__ import annotations

import ipywidgets as w
import polars as pl

from .._errors import EventlogError, NotFound
from .._store import Store
from ._common import default_author, esc, frame_html, message_html, resolve_store

_DIFF_SCHEMA = {"kind": pl.String, "id": pl.String, "change": pl.String, "field": pl.String, "old": pl.String,
                "new": pl.String}


class HistoryViewer(w.VBox):
    """Every version of one event, what changed between two of them, who set each field.

    Pick versions A and B to see a field-by-field diff; blame shows, per field of the
    current version, the changeset that set it. Revert asks for confirmation first,
    then undoes the chosen changeset with a new one (a conflict with later work is
    shown, nothing is written).

    >>> # hv = HistoryViewer("2014-russia-annexes-crimea"); hv.version_a.value = 1; hv.diff
    """

    def __init__(self, event_id: str, store: Store | str | None = None, *, author: str | None = None) -> None:
        self.store = resolve_store(store)
        self.event_id = event_id
        self.author = default_author(author)
        self.versions = self.store.history(event_id)  # NotFound for an unknown id, before any widget exists
        self.version_a = w.Dropdown(description="version A")
        self.version_b = w.Dropdown(description="version B")
        self.versions_view = w.HTML()
        self.diff_view = w.HTML()
        self.blame_view = w.HTML()
        self.revert_choice = w.Dropdown(description="changeset", layout=w.Layout(width="480px"))
        self.revert_button = w.Button(description="Revert...", icon="history", button_style="warning")
        self.confirm_button = w.Button(description="Confirm revert", button_style="danger", layout=w.Layout(display="none"))
        self.cancel_button = w.Button(description="Cancel", layout=w.Layout(display="none"))
        self.status = w.HTML()
        #: The changeset waiting for confirmation (None when nothing is pending).
        self.pending: int | None = None
        self.error: str | None = None
        self.diff = pl.DataFrame(schema=_DIFF_SCHEMA)
        self.blame = pl.DataFrame()

        self.version_a.observe(lambda _c: self._show_diff(), names="value")
        self.version_b.observe(lambda _c: self._show_diff(), names="value")
        self.revert_button.on_click(lambda _b: self.request_revert(self.revert_choice.value))
        self.confirm_button.on_click(lambda _b: self.confirm())
        self.cancel_button.on_click(lambda _b: self.cancel())
        self.reload()
        super().__init__([
            w.HTML(f"<b>History of <code>{esc(event_id)}</code></b>"), self.versions_view,
            w.HTML("<b>Diff</b>"), w.HBox([self.version_a, self.version_b]), self.diff_view,
            w.HTML("<b>Blame</b>"), self.blame_view,
            w.HTML("<b>Revert</b>"), w.HBox([self.revert_choice, self.revert_button]),
            w.HBox([self.confirm_button, self.cancel_button]), self.status,
        ])
        self.add_class("eventlog-history")

    def reload(self) -> None:
        """Read the versions again (after an edit elsewhere) and redraw everything."""
        self.versions = self.store.history(self.event_id)
        opts = [(f"v{v} (changeset {cs}, {op})", int(v)) for v, cs, op in
                self.versions.select("version", "changeset", "operation").iter_rows()]
        last = opts[-1][1]
        first = opts[-2][1] if len(opts) > 1 else last
        self.version_a.options, self.version_b.options = opts, opts
        self.version_a.value, self.version_b.value = first, last
        self.revert_choice.options = [
            (f"changeset {cs}: {msg} ({author})"[:80], int(cs))
            for cs, msg, author in self.versions.select("changeset", "message", "author").reverse().iter_rows()
        ]
        self.versions_view.value = frame_html(
            self.versions, ["version", "changeset", "author", "at", "operation", "fields", "message", "reason"])
        try:
            self.blame = self.store.blame(self.event_id)
            self.blame_view.value = frame_html(self.blame, ["field", "value", "version", "changeset", "author", "message"])
        except NotFound as exc:  # a deleted event has history but no current fields
            self.blame = pl.DataFrame()
            self.blame_view.value = message_html(str(exc))
        self._show_diff()

    def _changeset_of(self, version: int) -> int:
        return int(self.versions.filter(pl.col("version") == version)["changeset"][0])

    def _show_diff(self) -> None:
        a, b = self.version_a.value, self.version_b.value
        if a is None or b is None:
            return
        if a == b:
            self.diff = pl.DataFrame(schema=_DIFF_SCHEMA)
        else:
            # The store at version A's changeset holds exactly version A of this event (and likewise B).
            full = self.store.diff(self._changeset_of(min(a, b)), self._changeset_of(max(a, b)), kind="event")
            self.diff = full.filter(pl.col("id") == self.event_id)
            if a > b:  # show the change in the direction asked for
                self.diff = self.diff.rename({"old": "new", "new": "old"}).select(list(_DIFF_SCHEMA))
        self.diff_view.value = (frame_html(self.diff, ["change", "field", "old", "new"]) if self.diff.height
                                else message_html(f"v{a} and v{b} are the same"))

    def request_revert(self, changeset: int | None) -> None:
        """Ask for confirmation to revert ``changeset`` (nothing is written yet)."""
        if changeset is None:
            return
        self.pending = int(changeset)
        msg = self.versions.filter(pl.col("changeset") == self.pending)["message"]
        what = f" ({msg[0]})" if msg.len() else ""
        self.status.value = message_html(
            f"Revert changeset {self.pending}{what}? This writes a new changeset that undoes it for every record it touched.")
        self.confirm_button.layout.display = self.cancel_button.layout.display = None

    def cancel(self) -> None:
        self.pending = None
        self.confirm_button.layout.display = self.cancel_button.layout.display = "none"
        self.status.value = message_html("revert cancelled")

    def confirm(self) -> int | None:
        """Revert the pending changeset; returns the new changeset id (None on a conflict)."""
        if self.pending is None:
            return None
        target, self.pending = self.pending, None
        self.confirm_button.layout.display = self.cancel_button.layout.display = "none"
        try:
            new = self.store.revert(target, author=self.author)
        except EventlogError as exc:
            self.error = str(exc)
            self.status.value = message_html(f"not reverted: {exc}", error=True)
            return None
        self.error = None
        self.reload()
        self.status.value = message_html(f"changeset {new} reverts changeset {target}" if new
                                         else f"changeset {target} changed nothing to revert")
        return new
