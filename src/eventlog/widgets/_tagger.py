"""The CausalTagger: pick a cause and an effect, say how one drove the other, save a versioned link."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from .._config import default_author
from .._errors import EventlogError
from .._store.store import Store
from .._taxonomy import RELATIONS
from ._common import Live, esc, frame_html, guarded, message_html, resolve_store

_MAX_OPTIONS = 300


class CausalTagger(Live, w.VBox):
    """Write causal links between events, one changeset per link, with undo.

    Choose cause and effect by search (or from an :class:`Explorer`'s selection), a
    relation, a confidence and a note; **Save** writes the link as its own changeset. A
    link the store rejects (a cycle, an effect before its cause, an unknown event) shows
    the error here and writes nothing. **Undo** reverts the last changeset this tagger
    wrote.

    Example: ``tagger = CausalTagger(author="ana", explorer=ex); tagger.cause.value = "a"; tagger.save()``
    """

    def __init__(self, store: Store | str | None = None, *, author: str | None = None, explorer: Any = None,
                 poll: float | None = None) -> None:
        self.store = resolve_store(store if store is not None or explorer is None else explorer.store)
        self.author = default_author(author)
        self.explorer = explorer
        layout = w.Layout(width="620px")
        self.search = w.Text(placeholder="words in a title or summary", description="search", continuous_update=False,
                             layout=layout)
        self.cause = w.Dropdown(options=[], value=None, description="cause", layout=layout)
        self.effect = w.Dropdown(options=[], value=None, description="effect", layout=layout)
        self.relation = w.Dropdown(options=list(RELATIONS), value="contributes_to", description="relation")
        self.relation_help = w.HTML()
        self.confidence = w.FloatSlider(value=0.7, min=0.0, max=1.0, step=0.05, description="confidence")
        self.note = w.Textarea(placeholder="why (optional)", description="note", layout=layout)
        self.cause_from_selection = w.Button(description="cause = selection", disabled=explorer is None)
        self.effect_from_selection = w.Button(description="effect = selection", disabled=explorer is None)
        self.swap_button = w.Button(description="swap", icon="exchange")
        self.save_button = w.Button(description="Save link", button_style="primary", icon="link")
        self.undo_button = w.Button(description="Undo", icon="undo", disabled=True)
        self.status = w.HTML()
        self.links_view = w.HTML()
        #: Changesets this tagger wrote, newest last (Undo pops them).
        self.saved: list[int] = []
        #: The last error shown (None after a successful action).
        self.error: str | None = None

        self._start_live(poll)
        self._load_options()
        self.search.observe(lambda _c: self._load_options(), names="value")
        self.relation.observe(self._show_relation, names="value")
        for dd in (self.cause, self.effect):
            dd.observe(lambda _c: self._show_links(), names="value")
        self.cause_from_selection.on_click(lambda _b: self.take_selection("cause"))
        self.effect_from_selection.on_click(lambda _b: self.take_selection("effect"))
        self.swap_button.on_click(lambda _b: self.swap())
        self.save_button.on_click(lambda _b: self.save())
        self.undo_button.on_click(lambda _b: self.undo())
        self._show_relation()
        super().__init__([
            w.HTML(f"<b>Causal tagging</b> as <code>{esc(self.author)}</code>"),
            self.search, self.cause, self.effect,
            w.HBox([self.cause_from_selection, self.effect_from_selection, self.swap_button]),
            w.HBox([self.relation, self.confidence]), self.relation_help, self.note,
            w.HBox([self.save_button, self.undo_button]), self.status, self.links_view,
        ])
        self.add_class("eventlog-tagger")

    def on_new_changesets(self) -> None:
        self._load_options()
        self._show_links()

    # -- choosing ------------------------------------------------------------------------------------
    @guarded
    def _load_options(self) -> None:
        text = self.search.value.strip()
        frame = self.store.query(text=text) if text else self.store.query()
        keep = {v for v in (self.cause.value, self.effect.value) if v}
        rows = frame.select("id", "date", "title").head(_MAX_OPTIONS).rows()
        have = {r[0] for r in rows}
        if keep - have:
            rows += self.store.query(id=sorted(keep - have)).select("id", "date", "title").rows()
        options = [(f"{d} \u00b7 {t[:80]} ({i})", i) for i, d, t in rows]
        for dd in (self.cause, self.effect):
            current = dd.value
            dd.options = options
            dd.value = current if current in {o[1] for o in options} else None

    def _show_relation(self, _change: dict | None = None) -> None:
        self.relation_help.value = f"<i>{RELATIONS[self.relation.value].definition}</i>"

    def _ensure_option(self, event_id: str) -> None:
        if event_id not in {o[1] for o in self.cause.options}:
            row = self.store.query(id=event_id).select("id", "date", "title").rows()
            if row:
                i, d, t = row[0]
                extra = (f"{d} \u00b7 {t[:80]} ({i})", i)
                for dd in (self.cause, self.effect):
                    dd.options = [*dd.options, extra]

    def choose(self, cause: str | None = None, effect: str | None = None) -> None:
        """Set cause and/or effect by event id."""
        for event_id, dd in ((cause, self.cause), (effect, self.effect)):
            if event_id is not None:
                self._ensure_option(event_id)
                dd.value = event_id

    def take_selection(self, role: str) -> None:
        """Use the Explorer's selection: its earliest event as cause, its latest as effect."""
        if self.explorer is None:
            return
        sel = self.explorer.selected.sort("start", "id")
        if sel.is_empty():
            self._fail("nothing is selected in the Explorer: click an event first")
            return
        self.choose(**{role: sel["id"][0] if role == "cause" else sel["id"][-1]})

    def swap(self) -> None:
        c, e = self.cause.value, self.effect.value
        self.cause.value, self.effect.value = e, c

    # -- writing ---------------------------------------------------------------------------------------
    def _fail(self, text: str) -> None:
        self.fail(text)

    @guarded
    def save(self) -> int | None:
        """Write the link as one changeset; returns its id, or None when it was rejected."""
        cause, effect = self.cause.value, self.effect.value
        if not cause or not effect:
            self._fail("choose both a cause and an effect")
            return None
        message = f"link {cause} -{self.relation.value}-> {effect}"
        try:
            with self.store.change(author=self.author, message=message) as cs:
                cs.link(cause, effect, relation=self.relation.value, confidence=float(self.confidence.value),
                        note=self.note.value.strip())
        except EventlogError as exc:
            # The commit check rolled the transaction back: nothing was written.
            self._fail(f"not saved: {exc}")
            return None
        if cs.id is None:
            self._fail("not saved: this link already exists with the same values")
            return None
        self.saved.append(cs.id)
        self.error = None
        self.status.value = message_html(f"saved changeset {cs.id}: {message}")
        self.undo_button.disabled = False
        self._after_write()
        return cs.id

    @guarded
    def undo(self) -> int | None:
        """Revert the last changeset this tagger wrote; returns the reverting changeset's id."""
        if not self.saved:
            self._fail("nothing to undo")
            return None
        target = self.saved[-1]
        try:
            new = self.store.revert(target, author=self.author, message=f"undo changeset {target} (causal tagger)")
        except EventlogError as exc:
            self._fail(f"cannot undo: {exc}")
            return None
        self.saved.pop()
        self.error = None
        self.undo_button.disabled = not self.saved
        self.status.value = message_html(f"changeset {new} reverts changeset {target}")
        self._after_write()
        return new

    def _after_write(self) -> None:
        self._seen_own_write()
        self._show_links()
        if self.explorer is not None:
            self.explorer.refresh()

    @property
    def links(self) -> Any:
        """Links touching the chosen cause or effect, as a polars frame."""
        ids = [v for v in (self.cause.value, self.effect.value) if v]
        return self.store.links(event=ids) if ids else self.store.links(event=[])

    @guarded
    def _show_links(self) -> None:
        frame = self.links
        cols = ["cause_title", "relation", "effect_title", "confidence", "asserted_by", "changeset"]
        self.links_view.value = (f"<b>Links of the chosen events ({frame.height})</b>" + frame_html(frame, cols)
                                 if frame.height else "")
