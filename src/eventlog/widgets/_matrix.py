"""The HypothesisMatrix: rate events against competing hypotheses, one changeset per rating."""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import polars as pl

from .._config import default_author
from .._errors import EventlogError
from .._store.store import Store
from .._taxonomy import RATINGS
from ._common import _STYLE, Live, esc, guarded, message_html, resolve_store

#: What a cell offers: no rating, then the five ratings.
_OPTIONS = [("\u2013", ""), *((r, r) for r in RATINGS)]
_CELL_COLOURS = {"CC": "#1a9850", "C": "#91cf60", "N": "#e0e0e0", "I": "#fc8d59", "II": "#d73027"}


_MATRIX_STYLE = "<style>" + "".join(
    f".eventlog-matrix .el-rating-{r} select {{ background: {c}; color: {'#fff' if r in ('CC', 'II') else '#222'}; }}"
    for r, c in _CELL_COLOURS.items()) + """
.eventlog-matrix .el-row-label { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; font-size: 12px; }
.eventlog-matrix .el-hyp { font-weight: bold; font-size: 12px; line-height: 1.2; white-space: normal; }
</style>"""


class HypothesisMatrix(Live, w.VBox):
    """The matrix of competing hypotheses (after Heuer): one row per event, one column per
    hypothesis, a rating in each cell.

    Choosing a rating in a cell writes it as its own changeset (by ``author``); choosing "–"
    takes it back. The scores under the matrix (the inconsistency of each hypothesis, I = 1,
    II = 2, weighted by the event's credibility; the lowest leads) follow every change, and
    hovering a cell shows that rating's history: who set what, when. With an
    :class:`Explorer`, the events selected there get rows (added when not yet rated) and are
    marked, and a row's "show" button selects its event in the Explorer. Changesets written
    elsewhere show up by themselves, as in the Explorer.

    Example: ``m = HypothesisMatrix(author="ana", explorer=ex); m.cell("durable-alignment", "2001-treaty").value = "C"``
    """

    def __init__(self, store: Store | str | None = None, *, author: str | None = None, explorer: Any = None,
                 poll: float | None = None) -> None:
        self.store = resolve_store(store if store is not None or explorer is None else explorer.store)
        self.author = default_author(author)
        self.explorer = explorer
        self.status = w.HTML()
        self.scores = w.HTML()
        self.grid = w.GridBox(layout=w.Layout(grid_gap="2px 6px", align_items="center"))
        #: The last error shown (None after a successful action).
        self.error: str | None = None
        #: Event ids the Explorer has selected (they get rows and are marked).
        self.highlighted: list[str] = []
        self._cells: dict[tuple[str, str], w.Dropdown] = {}
        self._rows: list[str] = []
        self._busy = False
        self._start_live(poll)
        with self.store.reading():
            self._redraw()
        super().__init__([
            w.HTML(f"{_STYLE}{_MATRIX_STYLE}<b>Competing hypotheses</b> as <code>{esc(self.author)}</code> &middot; "
                   + " ".join(f'<span title="{esc(words)}" style="background:{_CELL_COLOURS[r]};padding:0 4px">'
                              f"{r}</span>" for r, (words, _p) in RATINGS.items())
                   + " (hover a rating for its meaning)"),
            w.Box([self.grid], layout=w.Layout(overflow="auto", max_height="520px")), self.scores, self.status,
        ])
        self.add_class("eventlog-matrix")
        if explorer is not None:
            explorer.on_selection(self._on_explorer_selection)

    # -- reading -------------------------------------------------------------------------------------
    def cell(self, hypothesis_id: str, event_id: str) -> w.Dropdown:
        """The cell of one hypothesis and event (KeyError when that row or column is not shown)."""
        return self._cells[(hypothesis_id, event_id)]

    @property
    def rows(self) -> list[str]:
        """The event ids of the rows, top to bottom."""
        return list(self._rows)

    def on_new_changesets(self) -> None:
        self._redraw()

    @guarded
    def _on_explorer_selection(self, selected: pl.DataFrame) -> None:
        ids = selected["id"].to_list() if "id" in selected.columns else []
        if ids == self.highlighted:
            return
        self.highlighted = ids
        with self.store.reading():
            self._redraw()

    def _redraw(self) -> None:
        hypotheses = self.store.hypotheses()
        matrix = self.store.ach()
        extra = [i for i in self.highlighted if i not in set(matrix["event"].to_list())]
        events = matrix.select("event", "title", "date", "diagnostic")
        if extra:
            found = self.store.query(id=extra, columns=["id", "title", "date", "start"])
            events = pl.concat([events, found.select(event="id", title="title", date="date",
                                                     diagnostic=pl.lit(False))], how="vertical_relaxed")
        ratings = {(h, r["event"]): r[h] for r in matrix.iter_rows(named=True) for h in hypotheses["id"]}
        self._busy = True
        try:
            self._build_grid(hypotheses, events, ratings)
        finally:
            self._busy = False
        self._show_scores(hypotheses)

    def _build_grid(self, hypotheses: pl.DataFrame, events: pl.DataFrame, ratings: dict) -> None:
        hyp_ids = hypotheses["id"].to_list()
        header = [w.HTML("<b>event</b>")] + [
            w.HTML(f'<div class="el-hyp" title="{esc(s)}">{esc(h)}</div>')
            for h, s in hypotheses.select("id", "statement").iter_rows()
        ] + [w.HTML("<b>diagnostic</b>")]
        children: list[w.Widget] = list(header)
        history = self._rating_history()
        self._cells, self._rows = {}, []
        for row in events.iter_rows(named=True):
            eid = row["event"]
            self._rows.append(eid)
            mark = "background:#fff3c4;" if eid in self.highlighted else ""
            # One line per row (the whole title on hover), so the rows keep the cells' height.
            label = w.HTML(f'<div class="el-row-label" style="{mark}" title="{esc(row["title"])} ({esc(eid)})">'
                           f"{esc(row['date'])} &middot; {esc(row['title'])}</div>",
                           layout=w.Layout(width="360px", overflow="hidden"))
            show = w.Button(icon="crosshairs", layout=w.Layout(width="34px"), disabled=self.explorer is None,
                            tooltip=f"select {eid} in the Explorer")
            show.on_click(lambda _b, eid=eid: self._show(eid))
            children.append(w.HBox([show, label]))
            for h in hyp_ids:
                value = ratings.get((h, eid)) or ""
                cell = w.Dropdown(options=_OPTIONS, value=value, layout=w.Layout(width="76px"),
                                  tooltip=history.get(f"{h}|{eid}", "not rated yet"))
                cell.add_class(f"el-rating-{value or 'none'}")
                for css in ("el-cell", f"el-h-{h}", f"el-e-{eid}"):  # found by hypothesis and event in a page
                    cell.add_class(css)
                cell.observe(lambda change, h=h, eid=eid: self._on_cell(h, eid, change), names="value")
                self._cells[(h, eid)] = cell
                children.append(cell)
            children.append(w.HTML("&#10003; differs" if row["diagnostic"] else ""))
        self.grid.layout.grid_template_columns = f"400px repeat({len(hyp_ids)}, 120px) 80px"
        self.grid.children = children

    def _rating_history(self) -> dict[str, str]:
        """assessment key -> its versions in words, newest first (for the cells' hover)."""
        rows = self.store.sql("""
            SELECT a.key, a.version, a.op, a.rating, c.author, c.committed_at FROM assessment_versions a
            JOIN changesets c ON c.id = a.changeset ORDER BY a.key, a.version DESC""")
        out: dict[str, list[str]] = {}
        for r in rows.iter_rows(named=True):
            what = "removed" if r["op"] == "delete" else r["rating"]
            out.setdefault(r["key"], []).append(f"{what} by {r['author']} at {r['committed_at']:%Y-%m-%d %H:%M}")
        return {k: "; ".join(v) for k, v in out.items()}

    def _show_scores(self, hypotheses: pl.DataFrame) -> None:
        cells = "".join(
            f"<td><b>{esc(r['id'])}</b><br>rank {r['rank']} &middot; inconsistency {r['inconsistency']:g} "
            f"({r['inconsistent']} against, {r['consistent']} for, {r['assessed']} rated)</td>"
            for r in hypotheses.iter_rows(named=True))
        self.scores.value = f'{_STYLE}<div class="eventlog-frame el-scores"><table><tr>{cells}</tr></table></div>'

    # -- writing ---------------------------------------------------------------------------------------
    @guarded
    def _on_cell(self, hypothesis_id: str, event_id: str, change: dict) -> None:
        if self._busy:
            return
        self.rate(hypothesis_id, event_id, change["new"] or None)

    def rate(self, hypothesis_id: str, event_id: str, rating: str | None) -> int | None:
        """Write one rating (None takes it back) as a changeset; returns its id (None if refused)."""
        what = rating or "removed"
        try:
            with self.store.change(author=self.author, message=f"Assess: {hypothesis_id} {event_id} {what}") as cs:
                if rating is None:
                    cs.unassess(hypothesis_id, event_id, reason="rating taken back in the matrix")
                else:
                    cs.assess(hypothesis_id, event_id, rating=rating)
        except EventlogError as exc:
            self.fail(f"not saved: {exc}")
            with self.store.reading():
                self._redraw()  # the cell goes back to what the store has
            return None
        self.error = None
        self._seen_own_write()
        with self.store.reading():
            self._redraw()
        leader = self.store.hypotheses().head(1)
        self.status.value = message_html(f"changeset {cs.id}: {hypothesis_id} x {event_id} {what}; leading: "
                                         f"{leader['id'][0] if leader.height else '-'}")
        return cs.id

    def _show(self, event_id: str) -> None:
        if self.explorer is not None:
            self.explorer.focus(event_id)
