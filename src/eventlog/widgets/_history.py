"""The HistoryViewer: an event's versions, a field diff between any two, blame, and revert."""

from __future__ import annotations

import ipywidgets as w
import polars as pl

from .._config import default_author
from .._errors import EventlogError, NotFound
from .._store.store import Store
from ._common import Live, esc, frame_html, guarded, message_html, resolve_store, unexported_note

_DIFF_SCHEMA = {"kind": pl.String, "id": pl.String, "change": pl.String, "field": pl.String, "old": pl.String,
                "new": pl.String}


class HistoryViewer(Live, w.VBox):
    """Every version of one event, what changed between two of them, who set each field.

    Pick versions A and B to see a field-by-field diff; blame shows, per field of the
    current version, the changeset that set it. Revert first says how many records it
    would change and asks for a confirmation naming that number; reverting a build
    (which can empty the store) needs the number typed in. A conflict with later work is
    shown and nothing is written. Changesets written elsewhere show up by themselves.

    Example: ``hv = HistoryViewer("2014-russia-annexes-crimea"); hv.version_a.value = 1; hv.diff``
    """

    def __init__(self, event_id: str, store: Store | str | None = None, *, author: str | None = None,
                 poll: float | None = None) -> None:
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
        #: For a revert of a build: type the number of records here to enable the confirm button.
        self.typed = w.Text(placeholder="type the number of records", layout=w.Layout(display="none"))
        self.status = w.HTML()
        self.note = w.HTML()
        #: The changeset waiting for confirmation (None when nothing is pending).
        self.pending: int | None = None
        #: How many records the pending revert changes.
        self.pending_records = 0
        self.error: str | None = None
        self.diff = pl.DataFrame(schema=_DIFF_SCHEMA)
        self.blame = pl.DataFrame()

        self.version_a.observe(lambda _c: self._show_diff(), names="value")
        self.version_b.observe(lambda _c: self._show_diff(), names="value")
        self.revert_button.on_click(lambda _b: self.request_revert(self.revert_choice.value))
        self.confirm_button.on_click(lambda _b: self.confirm())
        self.cancel_button.on_click(lambda _b: self.cancel())
        self.typed.observe(lambda _c: self._typed_changed(), names="value")
        self._start_live(poll)
        self.reload()
        super().__init__([
            w.HTML(f"<b>History of <code>{esc(event_id)}</code></b>"), self.versions_view,
            w.HTML("<b>Diff</b>"), w.HBox([self.version_a, self.version_b]), self.diff_view,
            w.HTML("<b>Blame</b>"), self.blame_view,
            w.HTML("<b>Revert</b>"), w.HBox([self.revert_choice, self.revert_button]),
            w.HBox([self.typed, self.confirm_button, self.cancel_button]), self.status, self.note,
        ])
        self.add_class("eventlog-history")

    def on_new_changesets(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Read the versions again (after an edit elsewhere) and redraw everything."""
        with self.store.reading():
            self._reload()

    def _reload(self) -> None:
        self._seen = self.store.last_changeset()
        pending = unexported_note(self.store)
        self.note.value = message_html(pending.lstrip("; ")) if pending else ""
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
            self.versions, ["version", "changeset", "author", "changed_at", "operation", "fields", "message", "reason"])
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

    @guarded
    def request_revert(self, changeset: int | None) -> None:
        """Say what reverting ``changeset`` would do and ask for confirmation (nothing is written yet)."""
        if changeset is None:
            return
        self.check_for_changes()
        try:
            plan = self.store.revert_plan(int(changeset))
        except EventlogError as exc:  # a conflict with later work: nothing to confirm
            self.pending = None
            self.fail(f"not reverted: {exc}")
            return
        row = self.store.changeset(int(changeset))
        message, extra = row["message"], row["info"]
        self.pending, self.pending_records = int(changeset), plan.height
        n = plan.height
        deletes = plan.filter(pl.col("operation") == "delete").height
        what = f"Revert changeset {changeset} ({message})? This writes a new changeset that changes {n} record{'s' if n != 1 else ''}"
        what += f", deleting {deletes}." if deletes else "."
        self.confirm_button.description = f"Revert {n} record{'s' if n != 1 else ''}"
        self.typed.value = ""
        if "evidence_checked" in extra:  # a build: undoing it can empty the store
            what += f" It is a build: type {n} to confirm."
            self.typed.layout.display = None
            self.confirm_button.disabled = True
        else:
            self.typed.layout.display = "none"
            self.confirm_button.disabled = False
        self.show(what)
        self.confirm_button.layout.display = self.cancel_button.layout.display = None

    def _typed_changed(self) -> None:
        if self.pending is not None and self.typed.layout.display != "none":
            self.confirm_button.disabled = self.typed.value.strip() != str(self.pending_records)

    def cancel(self) -> None:
        self.pending = None
        self.confirm_button.layout.display = self.cancel_button.layout.display = self.typed.layout.display = "none"
        self.show("revert cancelled")

    @guarded
    def confirm(self) -> int | None:
        """Revert the pending changeset; returns the new changeset id (None on a conflict or
        when a build's revert was not confirmed by typing its number of records)."""
        if self.pending is None:
            return None
        if self.confirm_button.disabled:
            self.fail(f"type {self.pending_records} to confirm reverting a build")
            return None
        target, self.pending = self.pending, None
        self.confirm_button.layout.display = self.cancel_button.layout.display = self.typed.layout.display = "none"
        try:
            new = self.store.revert(target, author=self.author)
        except EventlogError as exc:
            self.fail(f"not reverted: {exc}")
            return None
        self.error = None
        self.reload()
        self.show(f"changeset {new} reverts changeset {target}" if new else f"changeset {target} changed nothing to revert")
        return new
