"""The Explorer: filters driving a linked timeline, a table and a detail pane."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import ipywidgets as w
import polars as pl

from .._charts.timeline import LANES, MAX_ROWS, PICKS, TimeScale, timeline
from .._dates import format_edtf_words
from .._errors import EventlogError
from .._reporting import grade_words
from .._store.store import Store
from .._taxonomy import EVENT_TYPES, STATUSES
from ._common import (
    _STYLE,
    Live,
    describe_changesets,
    ensure_offline,
    esc,
    frame_html,
    guarded,
    message_html,
    resolve_store,
    unexported_note,
)
from ._width import WidthProbe

_TABLE_COLUMNS = ["date", "type", "title", "actors", "n_sources", "status", "id"]
#: Events in the first view of a large store: its latest ones (the 'from' filter says where it cuts).
FIRST_VIEW = 1000
#: What a chart of counts reads, per lanes: a result larger than the timeline draws event by event
#: is read in these columns only (the table shows its first rows in full).
_COUNT_COLUMNS = {"type": ["type", "start", "end"], "actor": ["type", "start", "end", "actors"],
                  "tag": ["type", "start", "end", "tags"]}

def _unvalidated(chart: Any) -> Any:
    """The chart, telling the widget not to check its spec against the Vega-Lite schema again
    when it serialises it: the timeline is our own, its specs are checked by the tests, and
    the second check is a third of an Explorer redraw (about 60 ms of 330 on the dataset)."""
    object.__setattr__(chart, "to_dict", functools.partial(type(chart).to_dict, chart, validate=False))
    return chart


class Explorer(Live, w.VBox):
    """Filter events, see them on a timeline and in a table, click one to read its sources.

    The filter panel (types, actors, date range, text, tags, status, as-of changeset)
    drives an ``alt.JupyterChart`` and a table. Clicking an event (or brushing the
    overview) selects events; the detail pane shows the first selected one with its
    sources' quotes, causes, effects and history.

    Changesets written elsewhere (a terminal, a script, another notebook) show up by
    themselves: the Explorer checks for them on every interaction and every ``poll``
    seconds (``$EVENTLOG_POLL``, default 2; 0 turns the background check off), then
    redraws and says what arrived. Every error is shown in the status line.

    A store of more than ``first_view`` events (default 1,000) opens on its latest ones: the
    'from' filter holds the date it cuts at, and clearing it shows everything. A result too
    large to draw event by event is drawn as counts, read in the few columns they need, and
    the table lists its first ``max_table_rows``; brushing the counts narrows the dates.

    Example: ``ex = Explorer(); ex.type_filter.value = ("sanction",); ex.selected; ex.filters``
    """

    def __init__(self, store: Store | str | None = None, *, lanes: str = "type", links: bool = False,
                 width: int | None = None, max_table_rows: int = 200, poll: float | None = None,
                 first_view: int = FIRST_VIEW, author: str | None = None, view: str | None = None) -> None:
        from .._config import default_author

        ensure_offline()
        self.author = default_author(author)
        if isinstance(first_view, bool) or not isinstance(first_view, int) or first_view < 1:
            raise EventlogError(f"first_view is a number of events from 1, not {first_view!r}"[:120])
        self.store = resolve_store(store)
        self.status = w.HTML()
        with self.store.reading():  # one connection for everything the first view reads
            self._start_live(poll)
            with self._lock:
                self._build(lanes, links, width, max_table_rows, first_view)
        if view is not None:
            self.open_view(view)

    def _build(self, lanes: str, links: bool, width: int, max_table_rows: int, first_view: int) -> None:
        import altair as alt

        # None: follow the space the notebook gives (reported by the probe); a number: fixed.
        self._fixed_width = width is not None
        self._width = width if width is not None else 900
        self.width_probe = WidthProbe()
        self.width_probe.observe(self._on_width, names="width")
        self._max_table_rows = max_table_rows
        self._busy = False
        # The filters' counts in DuckDB: the store is never read whole to open the Explorer.
        counts = self.store.stats()["events_by_type"]
        per_actor = dict(self.store.sql("SELECT a, count(*) FROM (SELECT unnest(actor_ids) AS a FROM events) GROUP BY a").rows())
        tags = self.store.sql("SELECT DISTINCT unnest(tags) AS t FROM events ORDER BY t").to_series().to_list()
        self._total = sum(counts.values())
        # A large store opens on its latest events (a view that draws at once); the 'from'
        # filter holds the cut, so clearing it shows everything (as counts).
        first_from = None
        if self._total > first_view:
            # Cut on the end date: 'from' keeps events that end on or after it, so this keeps
            # the latest first_view (a long-running event that started earlier among them).
            first_from = self.store.sql('SELECT "end" FROM events ORDER BY "end" DESC LIMIT 1 OFFSET ?',
                                        [first_view - 1]).item()
        layout = w.Layout(width="96%")
        self.type_filter = w.SelectMultiple(
            options=[(f"{t} ({counts[t]})", t) for t in EVENT_TYPES if t in counts], rows=7, description="types",
            layout=layout)
        actors = self.store.actors().sort("name")
        # Actors with events first, most events first; the count is in the label.
        ranked = sorted(actors.select("id", "name").iter_rows(), key=lambda r: (-per_actor.get(r[0], 0), r[1].lower()))
        self._actor_options = [(f"{n} ({per_actor.get(i, 0)})", i) for i, n in ranked]
        self.actor_search = w.Text(placeholder="search actors", description="find", continuous_update=True,
                                   layout=layout)
        self.actor_filter = w.SelectMultiple(options=self._actor_options, rows=6, description="actors", layout=layout)
        self.actor_search.observe(self._on_actor_search, names="value")
        self.start_filter = w.Text(placeholder="EDTF, e.g. 2014", description="from", continuous_update=False,
                                   layout=layout)
        self.end_filter = w.Text(placeholder="e.g. 2022-02", description="to", continuous_update=False, layout=layout)
        self.text_filter = w.Text(placeholder="in title or summary", description="text", continuous_update=False,
                                  layout=layout)
        self.tag_filter = w.SelectMultiple(options=tags, rows=5, description="tags", layout=layout)
        self.status_filter = w.SelectMultiple(options=list(STATUSES), rows=3, description="status", layout=layout)
        # The reporting clock: what a source had certainly published by then (hidden, or marked).
        self.known_by = w.Text(placeholder="EDTF, e.g. 2023-06", description="known by", continuous_update=False,
                               layout=layout)
        self.hindsight_toggle = w.Checkbox(value=False, description="mark later reports instead of hiding them",
                                           indent=False)
        # 0 stands for "now": ipywidgets reads a None value as "nothing selected".
        self.as_of = w.Dropdown(options=self._changeset_options(), value=0, description="as of", layout=layout)
        self.lanes = w.Dropdown(options=list(LANES), value=lanes, description="lanes", layout=layout)
        # The one causal-link switch: off draws the links of the selected or hovered event, on draws all.
        self.links_toggle = w.Checkbox(value=links, description="all causal links", indent=False)
        self.reset_button = w.Button(description="Reset filters", icon="undo")
        # Saved views: named filters to come back to, with their comments.
        self.views = w.Dropdown(options=self._view_options(), value="", description="view", layout=layout)
        self.view_name = w.Text(placeholder="name, e.g. bank-curbs", description="save as", layout=layout)
        self.save_view_button = w.Button(description="Save view", icon="bookmark")
        self.view_comment = w.Text(placeholder="a comment on this view", description="comment", layout=layout,
                                   continuous_update=False)
        self.view_notes = w.HTML()
        self.table = w.HTML()
        self.detail = w.HTML(self._placeholder())
        #: Called with the selected events after every redraw (a HypothesisMatrix follows them).
        self._selection_listeners: list[Any] = []
        #: An event chosen from another panel (focus()): selected while nothing is clicked.
        self._focus: str | None = None
        self._first_from = first_from.isoformat() if first_from is not None else None
        if self._first_from is not None:
            self.start_filter.value = self._first_from
        self._load(self.filters)
        self._aggregated = False
        self._chart_meta: dict[str, Any] | None = None
        # The widget's box must not clip the drawing (legends and padding make it wider than
        # ``width``); the box around it scrolls instead.
        self.chart = alt.JupyterChart(self._make_chart(), embed_options={"renderer": "svg", "actions": False},
                                      layout=w.Layout(overflow="visible", width="max-content"))
        self._watch_selections()
        for widget in self._filter_widgets() + [self.lanes, self.links_toggle, self.hindsight_toggle]:
            widget.observe(self._on_filter, names="value")
        self.reset_button.on_click(lambda _b: self.reset())  # reset() is guarded
        self.views.observe(lambda c: self.open_view(c["new"]) if c["new"] and not self._busy else None, names="value")
        self.save_view_button.on_click(lambda _b: self.save_view(self.view_name.value.strip()))
        self.view_comment.observe(lambda c: self.comment_on_view(c["new"]) if c["new"].strip() and not self._busy
                                  else None, names="value")

        # Filters in columns above the chart, so the chart gets the notebook's whole width.
        columns = [w.VBox([self.type_filter, self.status_filter, self.lanes]),
                   w.VBox([self.actor_search, self.actor_filter, self.as_of]),
                   w.VBox([self.tag_filter, self.text_filter, self.known_by, self.hindsight_toggle]),
                   w.VBox([self.start_filter, self.end_filter, self.links_toggle, self.reset_button, self.status]),
                   w.VBox([self.views, self.view_name, self.save_view_button, self.view_comment, self.view_notes])]
        panel = w.VBox([w.HTML("<b>Filters</b>"), w.GridBox(columns, layout=w.Layout(
            grid_template_columns="repeat(auto-fit, minmax(260px, 1fr))", grid_gap="4px 12px", width="100%"))])
        panel.add_class("eventlog-filters")
        self.table.add_class("eventlog-table")
        self.detail.add_class("eventlog-detail")
        self.chart.add_class("eventlog-chart")
        lower = w.HBox([w.Box([self.table], layout=w.Layout(width="55%", min_height="400px", max_height="440px",
                                                            overflow="auto")),
                        w.Box([self.detail], layout=w.Layout(width="45%", max_height="440px", overflow="auto"))])
        # A window narrower than the chart scrolls it sideways; a tall chart scrolls inside its box.
        chart_box = w.VBox([self.chart], layout=w.Layout(overflow="auto", max_height="720px"))
        super().__init__([panel, self.width_probe, chart_box, lower])
        self.add_class("eventlog-explorer")
        self._refresh_views()

    # -- width -------------------------------------------------------------------------------------
    @staticmethod
    def chart_width(space: int) -> int:
        """The chart width for ``space`` pixels: the legends go right from 1000 px (taking about
        200), else below; under 600 the chart keeps 600 and scrolls."""
        room = space - 24
        if room - 200 >= 1000:
            return room - 200
        return max(600, min(room, 999))

    @guarded
    def _on_width(self, change: dict) -> None:
        if self._fixed_width or not change["new"]:
            return
        target = self.chart_width(int(change["new"]))
        if abs(target - self._width) < 24:  # a scrollbar coming and going is not a new layout
            return
        self._width = target
        with self._lock, self.store.reading():
            self.chart.chart = self._make_chart()
            self._watch_selections()

    # -- filters -----------------------------------------------------------------------------------
    @guarded
    def _on_actor_search(self, _change: dict) -> None:
        needle = self.actor_search.value.strip().lower()
        kept = tuple(self.actor_filter.value)
        chosen = set(kept)
        # Chosen actors stay listed, so a search never drops a filter in use.
        options = [(label, i) for label, i in self._actor_options if not needle or needle in label.lower() or i in chosen]
        self._busy = True
        try:
            self.actor_filter.options = options
            self.actor_filter.value = kept  # new options reset the value; the filter has not changed
        finally:
            self._busy = False

    def _filter_widgets(self) -> list[w.Widget]:
        return [self.type_filter, self.actor_filter, self.start_filter, self.end_filter, self.text_filter,
                self.tag_filter, self.status_filter, self.known_by, self.as_of]

    def _changeset_options(self) -> list[tuple[str, int]]:
        log = self.store.log()
        opts: list[tuple[str, int]] = [("now", 0)]
        for cs, at, author, message in log.select("changeset", "changed_at", "author", "message").iter_rows():
            opts.append((f"#{cs} {at:%Y-%m-%d %H:%M} {author}: {message}"[:90], int(cs)))
        return opts

    @property
    def filters(self) -> dict[str, Any]:
        """The current filter as :meth:`Store.query` keyword arguments (empty ones left out)."""
        out: dict[str, Any] = {}
        for key, widget in (("type", self.type_filter), ("actor", self.actor_filter), ("tag", self.tag_filter),
                            ("status", self.status_filter)):
            if widget.value:
                out[key] = list(widget.value)
        for key, widget in (("start", self.start_filter), ("end", self.end_filter), ("text", self.text_filter)):
            if widget.value.strip():
                out[key] = widget.value.strip()
        if self.known_by.value.strip() and not self.hindsight_toggle.value:
            out["known_by"] = self.known_by.value.strip()
        if self.as_of.value:
            out["as_of"] = self.as_of.value
        return out

    @property
    def hindsight(self) -> str | None:
        """The 'known by' date when later reports are marked rather than hidden, else None."""
        return self.known_by.value.strip() or None if self.hindsight_toggle.value else None

    # -- saved views ---------------------------------------------------------------------------------
    def _view_options(self) -> list[tuple[str, str]]:
        frame = self.store.views()
        return [("(none)", ""), *((f"{i}: {t}" if t else i, i) for i, t in frame.select("id", "title").iter_rows())]

    @guarded
    def save_view(self, name: str, title: str = "") -> int | None:
        """Save the current filters, lanes and 'known by' mode as the view ``name`` (one changeset)."""
        from .._models import View

        if not name:
            self.fail("give the view a name (letters, digits and -)")
            return None
        filters = dict(self.filters)
        if self.hindsight:
            filters["known_by"] = self.hindsight
        view = View(id=name, title=title, author=self.author, filters=filters, lanes=self.lanes.value,
                    hindsight=bool(self.hindsight))
        with self.store.change(author=self.author, message=f"Save view {name}") as cs:
            cs.put(view)
        self._seen_own_write()
        self._busy = True
        try:
            self.views.options = self._view_options()
            self.views.value = name
        finally:
            self._busy = False
        self._show_view_notes(name)
        self.show(f"saved view {name} (changeset {cs.id})" if cs.id else f"view {name} is already saved like this")
        return cs.id

    @guarded
    def open_view(self, name: str) -> None:
        """Set every filter from the saved view ``name`` and redraw once; its comments show below it."""
        view = self.store.view(name)
        f = view.filters
        self._busy = True
        try:
            for key, widget in (("type", self.type_filter), ("actor", self.actor_filter), ("tag", self.tag_filter),
                                ("status", self.status_filter)):
                value = f.get(key) or ()
                value = (value,) if isinstance(value, str) else tuple(value)
                if key == "actor":
                    widget.options = self._actor_options
                known = {v for _l, v in widget.options} if widget.options and isinstance(widget.options[0], tuple) \
                    else set(widget.options)
                widget.value = tuple(v for v in value if v in known)
            # The view's timeline range, when its filters set no dates, is where the Explorer looks.
            dates = {"start": f.get("start") or (view.range[0] if view.range else None),
                     "end": f.get("end") or (view.range[1] if view.range else None)}
            for key, widget in (("start", self.start_filter), ("end", self.end_filter), ("text", self.text_filter),
                                ("known_by", self.known_by)):
                value = dates.get(key) or "" if key in dates else f.get(key) or ""
                widget.value = value if isinstance(value, str) else " ".join(value) if key == "text" else str(value)
            self.hindsight_toggle.value = view.hindsight
            self.lanes.value = view.lanes
            as_of = f.get("as_of") or 0
            self.as_of.value = as_of if as_of in {v for _l, v in self.as_of.options} else 0
            self.views.options = self._view_options()  # saved elsewhere since the list was made
            self.views.value = name
        finally:
            self._busy = False
        self._show_view_notes(name)
        self.refresh()

    @guarded
    def comment_on_view(self, text: str) -> int | None:
        """Comment on the open view (one changeset)."""
        name = self.views.value
        if not name:
            self.fail("open or save a view first: the comment goes on it")
            return None
        with self.store.change(author=self.author, message=f"Comment on view {name}") as cs:
            cs.comment(text.strip(), view=name, author=self.author)
        self._seen_own_write()
        self._busy = True
        try:
            self.view_comment.value = ""
        finally:
            self._busy = False
        self._show_view_notes(name)
        return cs.id

    def _show_view_notes(self, name: str) -> None:
        view = self.store.view(name)
        notes = self.store.comments(view=name)
        items = "".join(f'<div style="margin-left:{16 * c["depth"]}px"><b>{esc(c["author"])}</b> {esc(c["posted"])}: '
                        f'{esc(c["text"])}</div>' for c in notes.iter_rows(named=True))
        self.view_notes.value = (f'{_STYLE}<div class="el-view-notes"><i>{esc(view.title or name)}</i> by '
                                 f'{esc(view.author)}; {notes.height} comment(s){items}</div>')

    @guarded
    def reset(self) -> None:
        """Clear every filter (one refresh, not one per widget)."""
        self._busy = True
        try:
            for widget in (self.type_filter, self.actor_filter, self.tag_filter, self.status_filter):
                widget.value = ()
            for widget in (self.start_filter, self.end_filter, self.text_filter, self.actor_search, self.known_by):
                widget.value = ""
            self.hindsight_toggle.value = False
            self.views.value = ""  # the filters are no longer the view's
            self.view_notes.value = ""
            self.as_of.value = 0
        finally:
            self._busy = False
        self.refresh()

    @guarded
    def _on_filter(self, _change: dict) -> None:
        if not self._busy:
            self.refresh()

    def refresh(self) -> None:
        """Run the query for the current filters and redraw the chart, table and detail pane
        (one read connection for all of it). Changesets that arrived since the last look are
        taken in and named in the status line."""
        with self._lock, self.store.reading():
            head = self.store.last_changeset()
            arrived = describe_changesets(self.store, self._seen) if head != self._seen else None
            if arrived:
                self._seen = head
                self._update_changesets()
            try:
                self._load(self.filters)
            except EventlogError as exc:
                # A half-typed date is not a crash: say what is wrong and keep the last result.
                self.fail(str(exc))
                return
            self.error = None
            self.chart.chart = self._make_chart()
            # Assigning a chart replaces chart.selections, dropping observers: attach them again.
            self._watch_selections()
            self._refresh_views()
            if arrived:
                self.arrived = arrived
                self._refresh_views()

    def _load(self, filters: dict[str, Any]) -> None:
        """Query the store for ``filters``: every column when the timeline can draw the events one
        by one, else the columns of a chart of counts, and the table's rows apart."""
        # One read when the result is small enough to draw event by event, two when it is not.
        rows = self.store.query(**filters, limit=MAX_ROWS + 1)
        if rows.height <= MAX_ROWS:
            frame, count = rows, rows.height
        else:
            frame = self.store.query(**filters, columns=_COUNT_COLUMNS[self.lanes.value])
            rows, count = rows.head(self._max_table_rows), frame.height
        self.frame, self._rows, self._count = frame, rows, count

    def on_new_changesets(self) -> None:
        self._update_changesets()
        self.refresh()

    def _update_changesets(self) -> None:
        current, view = self.as_of.value, self.views.value
        self._busy = True
        try:
            self.as_of.options = self._changeset_options()
            self.as_of.value = current if current in {v for _l, v in self.as_of.options} else 0
            self.views.options = self._view_options()  # views saved by others appear in the list
            self.views.value = view if view in {v for _l, v in self.views.options} else ""
        finally:
            self._busy = False

    def _make_chart(self) -> Any:
        chart = timeline(self.frame, store=self.store, lanes=self.lanes.value,
                         links="all" if self.links_toggle.value else True, width=self._width,
                         as_of=self.as_of.value or None, controls=False, hindsight=self.hindsight,
                         highlight=[self._focus] if getattr(self, "_focus", None) else ())
        self._aggregated = "counts" in (chart.datasets or {})
        self._chart_meta = chart.usermeta if isinstance(chart.usermeta, dict) else None
        # A fixed width: JupyterLab measures a widget's container before it is laid out, so a
        # container-wide chart opens squeezed (seen in the browser test); HTML pages use the container.
        return _unvalidated(chart)

    # -- selection ---------------------------------------------------------------------------------
    def _watch_selections(self) -> None:
        names = [n for n in (*PICKS, "brush") if n in self.chart.selections.trait_names()]
        if names:
            self.chart.selections.observe(self._on_select, names=names)

    @guarded
    def _on_select(self, _change: dict) -> None:
        rng = self._brush_range() if self._aggregated else None
        if rng is not None:
            # Counts per period: a brush narrows the query, so single events come back.
            self._busy = True
            try:
                self.start_filter.value, self.end_filter.value = rng[0].isoformat(), rng[1].isoformat()
            finally:
                self._busy = False
            self.refresh()
            return
        with self.store.reading():
            self._refresh_views(detail_only=False)

    def _picked_ids(self) -> list[str]:
        ids: list[str] = []
        for name in PICKS:
            sel = getattr(self.chart.selections, name, None)
            for point in (sel.value if sel is not None else []) or []:
                if point.get("id") is not None and point["id"] not in ids:
                    ids.append(point["id"])
        return ids

    def _brush_range(self) -> tuple[dt.date, dt.date] | None:
        sel = getattr(self.chart.selections, "brush", None)
        value = (sel.value if sel is not None else {}) or {}
        rng = value.get("w_start")
        meta = ((self._chart_meta or {}).get("eventlog") or {}).get("scale")
        if not rng or len(rng) != 2 or not meta:
            return None
        # The chart draws on warped time (compressed years take less room): read the days back.
        scale = TimeScale.from_meta(meta)
        lo, hi = sorted(float(x) for x in rng)
        return scale.unwarp(lo), scale.unwarp(hi)

    def on_selection(self, callback: Any) -> None:
        """Call ``callback(selected_frame)`` whenever the selection may have changed."""
        self._selection_listeners.append(callback)

    @guarded
    def focus(self, event_id: str | None) -> None:
        """Select an event from Python or another panel (a click in the timeline replaces it):
        the table marks it and the detail pane shows it. None clears it."""
        self._focus = event_id
        with self._lock, self.store.reading():
            self.chart.chart = self._make_chart()  # rings the event in the timeline
            self._watch_selections()
            self._refresh_views()

    @property
    def selected(self) -> pl.DataFrame:
        """The selected events (clicked, else brushed in the overview, else the event given to
        :meth:`focus`) as rows of :attr:`frame`."""
        ids = self._picked_ids() or ([self._focus] if self._focus and self._brush_range() is None else [])
        if ids:
            order = {i: k for k, i in enumerate(ids)}
            return (self._rows.filter(pl.col("id").is_in(ids))
                    .sort(pl.col("id").replace_strict(order, default=len(order))))
        rng = self._brush_range()
        if rng is not None:
            return self._rows.filter((pl.col("end") >= rng[0]) & (pl.col("start") <= rng[1]))
        return self._rows.clear()

    # -- views -------------------------------------------------------------------------------------
    def _placeholder(self) -> str:
        return f'{_STYLE}<p class="el-placeholder">Click an event in the timeline (or brush the overview) to see it here.</p>'

    def _refresh_views(self, detail_only: bool = False) -> None:
        selected = self.selected
        ids = set(selected["id"].to_list())
        n = self._count
        cut = ""
        if self._first_from is not None and self.start_filter.value == self._first_from and len(self.filters) == 1:
            cut = f" (the latest of {self._total:,}: clear 'from' to see them all)"
        self.status.value = message_html(f"{n:,} event{'s' if n != 1 else ''}{cut}; {len(ids)} selected"
                                         + unexported_note(self.store))
        if self.arrived:  # kept through redraws until the next arrival
            self.status.value += message_html(f"new: {self.arrived}")
        self.table.value = frame_html(self._rows, _TABLE_COLUMNS, max_rows=self._max_table_rows, selected=ids,
                                      clip=True, total=self._count)
        self.detail.value = self._detail_html(selected) if selected.height else self._placeholder()
        for listener in self._selection_listeners:
            listener(selected)

    def _detail_html(self, selected: pl.DataFrame) -> str:
        ev = selected.row(0, named=True)
        as_of = self.as_of.value or None
        parts = [_STYLE, f'<div class="el-event" data-event-id="{esc(ev["id"])}">']
        if selected.height > 1:
            others = ", ".join(esc(t) for t in selected["title"].to_list()[1:6])
            parts.append(f"<p><i>{selected.height} selected; also: {others}"
                         f"{' ...' if selected.height > 6 else ''}</i></p>")
        parts.append(f'<h3 class="el-title">{esc(ev["title"])}</h3>')
        words = format_edtf_words(ev["date"])
        parts.append(f"<p><b>{esc(ev['type'])}</b> &middot; {esc(ev['date'])} = {esc(words)} "
                     f"[{esc(ev['start'])} .. {esc(ev['end'])}] &middot; {esc(ev['status'])}, "
                     f"confidence {esc(ev['confidence'])} &middot; <code>{esc(ev['id'])}</code></p>")
        if ev["actors"]:
            parts.append(f"<p>actors: {esc(ev['actors'])}</p>")
        if ev["amounts"]:
            parts.append(f"<p>amounts: {esc('; '.join(ev['amounts']))}</p>")
        if ev["summary"]:
            parts.append(f"<p>{esc(ev['summary'])}</p>")
        try:
            evidence = self.store.evidence(ev["id"], as_of)
            parts.append(f"<h4>Sources ({evidence.height})</h4>")
            if ev.get("first_reported"):
                parts.append(f'<p class="el-reported">first reported {esc(format_edtf_words(ev["first_reported"]))}; '
                             f'{esc(ev.get("n_independent_sources"))} independent of {esc(ev.get("n_sources"))} source(s)</p>')
            for row in evidence.iter_rows(named=True):
                parts.append(f"<div>{esc(row['source'])} [{row['span_start']}, {row['span_end']}) "
                             f'<span class="el-grade" title="{esc(grade_words(row["reliability"], row["credibility"]))}">'
                             f"{esc(row['grade'])}</span> {esc(grade_words(row['reliability'], row['credibility']))}</div>")
                if row["credibility_note"]:
                    parts.append(f'<div class="el-grade-note"><i>{esc(row["credibility_note"])}</i></div>')
                quote = row["quote"]
                parts.append(f"<blockquote>{esc(' '.join(quote.split()))}</blockquote>" if quote
                             else "<blockquote><i>no quote: the store was built without the corpus</i></blockquote>")
            for label, frame in (("Causes", self.store.causes(ev["id"], depth=1, as_of=as_of)),
                                 ("Effects", self.store.effects(ev["id"], depth=1, as_of=as_of))):
                parts.append(f"<h4>{label} ({frame.height})</h4>")
                if frame.height:
                    items = "".join(f"<li>{esc(r['relations'][0] if r['relations'] else '')}: {esc(r['title'])} "
                                    f"({esc(r['date'])})</li>" for r in frame.iter_rows(named=True))
                    parts.append(f'<ul class="el-{label.lower()}">{items}</ul>')
            notes = self.store.comments(event=ev["id"], as_of=as_of)
            stars = self.store.stars(as_of=as_of).filter(pl.col("event") == ev["id"])
            if stars.height:
                parts.append(f'<p class="el-stars">&#9733; starred by {esc(", ".join(stars["analyst"].to_list()))}</p>')
            parts.append(f"<h4>Comments ({notes.height})</h4>")
            for c in notes.iter_rows(named=True):
                parts.append(f'<div class="el-comment" style="margin-left:{16 * c["depth"]}px"><b>{esc(c["author"])}</b> '
                             f'{esc(c["posted"])}: {esc(c["text"])}</div>')
            hist = self.store.history(ev["id"])
            parts.append(f"<h4>History ({hist.height} versions)</h4>")
            parts.append(frame_html(hist, ["version", "changeset", "author", "changed_at", "operation", "fields", "message"]))
        except EventlogError as exc:
            parts.append(message_html(str(exc), error=True))
        parts.append("</div>")
        return "".join(parts)
