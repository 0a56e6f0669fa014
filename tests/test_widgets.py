"""Widgets without a browser: set the synced traits (filter widgets, the chart's selection) as the
front end would, and check the frames, panes and the store that result."""

from __future__ import annotations

import datetime as dt

import ipywidgets as w
import polars as pl
import pytest

import eventlog
from eventlog.widgets import CausalTagger, Explorer, HistoryViewer, HypothesisMatrix
from tests.helpers import make_event


def click(explorer: Explorer, *ids: str, name: str = "pick") -> None:
    """What the JavaScript side sends when events are clicked (the synced `_vl_selections` trait)."""
    value = {"vlPoint": {"or": [{"id": i} for i in ids]}, "id": list(ids)} if ids else None
    current = dict(explorer.chart._vl_selections)
    current[name] = {"value": value, "store": []}
    explorer.chart._vl_selections = current


def brush(explorer: Explorer, lo: dt.date, hi: dt.date) -> None:
    """A drag in the overview: the front end sends the brush in the chart's warped milliseconds."""
    from eventlog._charts.timeline import TimeScale

    scale = TimeScale.from_meta(explorer.chart.chart.usermeta["eventlog"]["scale"])
    current = dict(explorer.chart._vl_selections)
    current["brush"] = {"value": {"w_start": [scale.warp(lo), scale.warp(hi)]}, "store": []}
    explorer.chart._vl_selections = current


@pytest.fixture
def explorer(populated_store) -> Explorer:
    return Explorer(populated_store)


def test_explorer_filters_drive_frame_chart_and_table(explorer: Explorer):
    assert explorer.frame.height == 4 and explorer.filters == {}
    explorer.type_filter.value = ("sanction", "trade")
    assert explorer.filters == {"type": ["sanction", "trade"]}
    assert sorted(explorer.frame["id"]) == ["sanction-2022", "trade-2023"]
    assert sorted(r["id"] for r in explorer.chart.spec["datasets"]["events"]) == ["sanction-2022", "trade-2023"]
    assert "Sanctions on banks" in explorer.table.value and "Putin visits" not in explorer.table.value
    explorer.actor_filter.value = ("united-states",)
    assert explorer.frame["id"].to_list() == ["sanction-2022"]
    explorer.reset()
    assert explorer.filters == {} and explorer.frame.height == 4


def test_every_filter_becomes_a_query_argument(explorer: Explorer, populated_store):
    explorer.start_filter.value = "2023"
    explorer.end_filter.value = "2024-02"
    explorer.text_filter.value = "payments"
    explorer.status_filter.value = ("confirmed",)
    assert explorer.filters == {"start": "2023", "end": "2024-02", "text": "payments", "status": ["confirmed"]}
    assert explorer.frame["id"].to_list() == ["bank-2024"]
    explorer.reset()
    explorer.tag_filter.value = ("diplomacy",)
    assert explorer.frame["id"].to_list() == ["visit-2024"]
    assert explorer.frame.equals(populated_store.query(**explorer.filters))


def test_as_of_picker_shows_the_store_as_it_was(explorer: Explorer, populated_store):
    first_events = 2  # changeset 1 is the registry, 2 the first events
    assert explorer.as_of.options[0] == ("now", 0) and explorer.as_of.value == 0
    explorer.as_of.value = first_events
    assert explorer.filters == {"as_of": first_events}
    titles = dict(explorer.frame.select("id", "title").iter_rows())
    assert titles["trade-2023"] == "Trade in 2023" and "old-2014" in titles  # before the edit and the delete
    explorer.as_of.value = 0
    assert "old-2014" not in explorer.frame["id"].to_list()


def test_a_bad_date_filter_shows_an_error_and_keeps_the_last_result(explorer: Explorer):
    explorer.start_filter.value = "someday"
    assert "not an EDTF date" in explorer.status.value
    assert explorer.frame.height == 4


def test_clicking_an_event_selects_it_and_fills_the_detail_pane(explorer: Explorer, populated_store):
    populated_store.add_evidence({("doc", 0, 10): "Words quoted from the doc"})
    assert explorer.selected.is_empty()
    assert "Click an event" in explorer.detail.value
    click(explorer, "trade-2023")
    sel = explorer.selected
    assert isinstance(sel, pl.DataFrame) and sel["id"].to_list() == ["trade-2023"]
    detail = explorer.detail.value
    assert "Trade reaches 240bn" in detail and "sometime in 2023" in detail
    assert "Words quoted from the doc" in detail
    assert "History (2 versions)" in detail and "better title" in detail
    assert 'class="el-selected"' in explorer.table.value
    click(explorer)  # a double click clears
    assert explorer.selected.is_empty()


def test_known_by_hides_or_marks_what_was_reported_later_and_the_detail_shows_grades(populated_store):
    with populated_store.change(author="ana", message="an older, graded source") as cs:
        cs.put(eventlog.Source(id="old", file="old.txt", title="Old", publisher="p", language="en", published="2022-03",
                               sha256="1" * 64, reliability="B", reliability_note="a careful outlet"))
        ev = populated_store.get("sanction-2022")
        cs.put(ev.model_copy(update={"sources": [*ev.sources, eventlog.Citation(
            source="old", span=(0, 4), credibility=2, credibility_note="matches the official list")]}))
    explorer = Explorer(populated_store)
    explorer.known_by.value = "2023-01-01"
    assert explorer.filters == {"known_by": "2023-01-01"}
    assert explorer.frame["id"].to_list() == ["sanction-2022"]
    assert explorer.frame["sources"].to_list() == [["old"]]  # "doc" (May 2024) was not out yet
    explorer.hindsight_toggle.value = True  # mark instead of hide: every event, the later ones marked
    assert explorer.filters == {} and explorer.hindsight == "2023-01-01" and explorer.frame.height == 4
    marked = {r["id"] for r in explorer.chart.spec["datasets"]["events"] if r.get("hindsight")}
    assert marked == {"visit-2024", "trade-2023", "bank-2024"}
    click(explorer, "sanction-2022")
    detail = explorer.detail.value
    assert "first reported sometime in March 2022; 2 independent of 2 source(s)" in detail
    assert ">B2</span> source usually reliable; claim probably true" in detail
    assert "matches the official list" in detail
    assert ">??</span> source not graded; claim not graded" in detail
    explorer.reset()
    assert explorer.known_by.value == "" and explorer.frame.height == 4
    explorer.hindsight_toggle.value = False
    explorer.known_by.value = "sometime"
    assert "known_by" in explorer.status.value and explorer.frame.height == 4


def test_clicks_on_points_and_bars_both_select(explorer: Explorer):
    click(explorer, "visit-2024", name="pick")
    click(explorer, "sanction-2022", name="pick_day")
    assert sorted(explorer.selected["id"]) == ["sanction-2022", "visit-2024"]


def test_brushing_selects_events_overlapping_the_range(explorer: Explorer):
    brush(explorer, dt.date(2024, 4, 1), dt.date(2024, 6, 1))
    assert explorer.selected["id"].to_list() == ["visit-2024"]
    click(explorer, "trade-2023")  # a click wins over the brush
    assert explorer.selected["id"].to_list() == ["trade-2023"]


def test_selection_survives_a_filter_change(explorer: Explorer):
    explorer.type_filter.value = ("trade",)
    click(explorer, "trade-2023")  # observers were re-attached to the new chart's selections
    assert explorer.selected["id"].to_list() == ["trade-2023"]
    assert "Trade reaches 240bn" in explorer.detail.value


def test_one_link_switch_actor_search_with_counts_and_a_table_of_one_line_rows(populated_store):
    with populated_store.change(author="ana", message="link") as cs:
        cs.link("sanction-2022", "bank-2024", relation="contributes_to")
    ex = Explorer(populated_store)
    params = {p["name"]: p for p in ex.chart.spec["params"]}
    assert params["all_links"]["value"] is False and "bind" not in params["all_links"]  # the Explorer's switch only
    ex.links_toggle.value = True
    assert {p["name"]: p for p in ex.chart.spec["params"]}["all_links"]["value"] is True
    labels = [label for label, _i in ex.actor_filter.options]
    assert labels[0] in ("Russia (3)", "China (3)") and "United States (1)" in labels
    ex.actor_filter.value = ("united-states",)
    ex.actor_search.value = "sber"
    assert {i for _l, i in ex.actor_filter.options} == {"sberbank", "united-states"}  # the chosen one stays
    assert ex.actor_filter.value == ("united-states",) and ex.frame["id"].to_list() == ["sanction-2022"]
    ex.reset()
    assert ex.actor_search.value == "" and len(ex.actor_filter.options) == len(labels)
    assert "el-clip" in ex.table.value and 'title="bank-2024"' in ex.table.value
    assert ex.chart.spec["vconcat"][0]["width"] == 900  # until the page reports its width


def test_the_explorer_draws_to_the_width_the_page_reports(populated_store):
    ex = Explorer(populated_store)
    click(ex, "trade-2023")
    ex.width_probe.width = 1500  # what the probe's ResizeObserver sends
    assert ex.chart.spec["vconcat"][0]["width"] == Explorer.chart_width(1500) == 1276
    click(ex, "trade-2023")  # the selection observers follow the new chart
    assert ex.selected["id"].to_list() == ["trade-2023"]
    ex.width_probe.width = 1490  # a scrollbar's worth: no new layout
    assert ex.chart.spec["vconcat"][0]["width"] == 1276
    ex.width_probe.width = 700
    assert ex.chart.spec["vconcat"][0]["width"] == 676
    assert Explorer.chart_width(300) == 600  # narrower than that, it scrolls
    fixed = Explorer(populated_store, width=800)
    fixed.width_probe.width = 1500
    assert fixed.chart.spec["vconcat"][0]["width"] == 800


def test_a_brush_on_counts_brings_single_events_back(populated_store):
    ex = Explorer(populated_store)
    ex.frame = populated_store.query()
    ex.chart.chart = timeline_counts = eventlog.timeline(populated_store, aggregate=True, controls=False)
    ex._aggregated = "counts" in timeline_counts.to_dict()["datasets"]
    ex._watch_selections()
    brush(ex, dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert ex.filters == {"start": "2023-01-01", "end": "2023-12-31"}
    assert not ex._aggregated and "events" in ex.chart.spec["datasets"]
    assert set(ex.frame["id"]) == {"trade-2023", "bank-2024"}


def test_detail_pane_lists_causes_and_effects(populated_store):
    with populated_store.change(author="ana", message="link") as cs:
        cs.link("sanction-2022", "bank-2024", relation="contributes_to")
    ex = Explorer(populated_store)
    click(ex, "bank-2024")
    assert "Causes (1)" in ex.detail.value and "Sanctions on banks" in ex.detail.value
    click(ex, "sanction-2022", name="pick")
    assert "Effects (1)" in ex.detail.value and "Bank stops payments" in ex.detail.value


def test_record_text_is_escaped_in_table_and_detail(fresh_store):
    with fresh_store.change(author="t", message="hostile") as cs:
        cs.put(make_event("evil", title="<script>alert(1)</script>", summary="<img src=x onerror=alert(2)>"))
    ex = Explorer(fresh_store)
    click(ex, "evil", name="pick_day")
    for html in (ex.table.value, ex.detail.value):
        assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in ex.detail.value


# -- CausalTagger ------------------------------------------------------------------------------------
def test_tagger_saves_a_versioned_link_and_undo_reverts_it(populated_store):
    tagger = CausalTagger(populated_store, author="ana")
    tagger.cause.value = "sanction-2022"
    tagger.effect.value = "bank-2024"
    tagger.relation.value = "triggers"
    tagger.confidence.value = 0.85
    tagger.note.value = "banks followed the sanctions"
    cs = tagger.save()
    assert cs == populated_store.last_changeset() and tagger.error is None
    links = populated_store.links()
    assert links.select("cause", "effect", "relation", "confidence", "note").rows() == [
        ("sanction-2022", "bank-2024", "triggers", 0.85, "banks followed the sanctions")]
    assert populated_store.log()["author"][0] == "ana"
    assert "Links of the chosen events (1)" in tagger.links_view.value
    undo_cs = tagger.undo()
    assert undo_cs == cs + 1
    assert populated_store.links().is_empty()
    assert tagger.undo() is None and tagger.error == "nothing to undo"


def test_tagger_shows_a_rejected_link_and_writes_nothing(populated_store):
    with populated_store.change(author="ana", message="link") as cs:
        cs.link("sanction-2022", "bank-2024", relation="contributes_to")
    before = populated_store.last_changeset()
    tagger = CausalTagger(populated_store, author="ana")
    tagger.choose(cause="bank-2024", effect="sanction-2022")  # a cycle, and the effect comes first
    assert tagger.save() is None
    assert tagger.error is not None and "not saved" in tagger.status.value
    assert "eventlog-error" in tagger.status.value
    assert populated_store.last_changeset() == before
    assert populated_store.links().height == 1
    tagger.choose(cause="visit-2024", effect="visit-2024")
    assert tagger.save() is None and "own cause" in tagger.error


def test_tagger_search_and_explorer_selection(populated_store):
    ex = Explorer(populated_store)
    tagger = CausalTagger(author="bo", explorer=ex)
    assert tagger.store is populated_store
    tagger.search.value = "bank"
    assert {v for _l, v in tagger.cause.options} == {"bank-2024", "sanction-2022"}
    click(ex, "sanction-2022", "bank-2024")
    tagger.take_selection("cause")
    tagger.take_selection("effect")
    assert (tagger.cause.value, tagger.effect.value) == ("sanction-2022", "bank-2024")
    assert tagger.save() is not None
    # The explorer redraws with the new link.
    assert len(ex.chart.spec["datasets"]["link_ends"]) == 1


# -- HistoryViewer -----------------------------------------------------------------------------------
def test_history_viewer_versions_diff_and_blame(populated_store):
    hv = HistoryViewer("trade-2023", populated_store, author="cy")
    assert hv.versions["version"].to_list() == [1, 2]
    assert (hv.version_a.value, hv.version_b.value) == (1, 2)
    assert dict(hv.diff.select("field", "new").iter_rows()) == {"confidence": "0.9", "title": '"Trade reaches 240bn"'}
    hv.version_a.value, hv.version_b.value = 2, 1
    assert dict(hv.diff.select("field", "new").iter_rows())["title"] == '"Trade in 2023"'
    hv.version_b.value = 2
    assert hv.diff.is_empty() and "the same" in hv.diff_view.value
    blame = dict(hv.blame.select("field", "author").iter_rows())
    assert blame["title"] == "bo" and blame["type"] == "ana"


def test_history_viewer_revert_needs_confirmation(populated_store):
    hv = HistoryViewer("trade-2023", populated_store, author="cy")
    edit = int(hv.versions["changeset"][1])
    before = populated_store.last_changeset()
    hv.revert_choice.value = edit
    hv.revert_button.click()
    assert hv.pending == edit and "Revert changeset" in hv.status.value
    assert populated_store.last_changeset() == before  # nothing written yet
    hv.cancel_button.click()
    assert hv.pending is None and populated_store.last_changeset() == before
    hv.request_revert(edit)
    new = hv.confirm()
    assert new == before + 1
    assert populated_store.get("trade-2023").title == "Trade in 2023"
    assert hv.versions["version"].to_list() == [1, 2, 3]  # reloaded
    assert dict(hv.blame.select("field", "author").iter_rows())["title"] == "cy"


def test_history_viewer_shows_a_revert_conflict(populated_store):
    with populated_store.change(author="dee", message="retitle again") as cs:
        cs.put(populated_store.get("trade-2023").model_copy(update={"title": "Trade 2023, revised"}))
    hv = HistoryViewer("trade-2023", populated_store, author="cy")
    before = populated_store.last_changeset()
    hv.request_revert(int(hv.versions["changeset"][1]))
    assert hv.confirm() is None
    assert "not reverted" in hv.status.value and "title" in hv.error
    assert populated_store.last_changeset() == before


def test_history_viewer_of_a_deleted_event_and_an_unknown_one(populated_store):
    hv = HistoryViewer("old-2014", populated_store)
    assert hv.versions["operation"].to_list() == ["create", "delete"]
    assert hv.blame.is_empty() and "deleted" in hv.blame_view.value
    assert hv.diff["change"].to_list() == ["removed"]
    with pytest.raises(eventlog.NotFound):
        HistoryViewer("no-such-event", populated_store)


# -- other people's changesets, errors, reverts that can't surprise ----------------------------------
RETITLE = (
    "import sys, eventlog\n"
    "s = eventlog.open(sys.argv[1])\n"
    "with s.change(author='ana', message='Retitle from a terminal') as cs:\n"
    "    cs.put(s.get('visit-2024').model_copy(update={'title': 'Retitled elsewhere'}))\n"
)


def retitle_elsewhere(store: eventlog.Store) -> None:
    import subprocess
    import sys

    subprocess.run([sys.executable, "-c", RETITLE, store.location], check=True, timeout=60)


def test_explorer_takes_in_changesets_from_another_process(explorer: Explorer, populated_store):
    assert explorer.check_for_changes() is None
    retitle_elsewhere(populated_store)
    said = explorer.check_for_changes()
    assert said == f"changeset {populated_store.last_changeset()} by ana: Retitle from a terminal (1 updated)"
    assert "Retitled elsewhere" in explorer.frame["title"].to_list()
    assert "Retitled elsewhere" in explorer.table.value and "Retitle from a terminal" in explorer.status.value
    assert populated_store.last_changeset() in [v for _label, v in explorer.as_of.options]


def test_explorer_notices_changes_on_any_interaction(explorer: Explorer, populated_store):
    retitle_elsewhere(populated_store)
    explorer.text_filter.value = "retitled"
    assert explorer.frame["id"].to_list() == ["visit-2024"]
    assert explorer.arrived and "Retitle from a terminal" in explorer.status.value


def test_explorer_polls_for_changes(populated_store):
    import time

    ex = Explorer(populated_store, poll=0.2)
    try:
        retitle_elsewhere(populated_store)
        deadline = time.monotonic() + 20
        while "Retitled elsewhere" not in ex.frame["title"].to_list() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert ex.arrived and "Retitled elsewhere" in ex.frame["title"].to_list()
    finally:
        ex.close()


def test_an_error_in_a_callback_is_shown_not_swallowed(explorer: Explorer, monkeypatch):
    def broken(**_filters):
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(explorer.store, "query", broken)
    explorer.text_filter.value = "x"  # the observer runs, fails, and says so
    assert explorer.error and "the disk is on fire" in explorer.error
    assert "the disk is on fire" in explorer.status.value and "eventlog-error" in explorer.status.value


def test_a_closed_store_keeps_the_explorer_working(explorer: Explorer, populated_store):
    populated_store.close()
    explorer.type_filter.value = ("trade",)
    assert explorer.error is None and explorer.frame["id"].to_list() == ["trade-2023"]


def test_revert_names_how_many_records_it_changes(populated_store):
    with populated_store.change(author="ana", message="three new") as cs:
        for i in range(3):
            cs.put(make_event(f"n{i}"))
    hv = HistoryViewer("n0", populated_store, author="cy")
    hv.request_revert(cs.id)
    assert hv.pending_records == 3 and "changes 3 records, deleting 3" in hv.status.value
    assert hv.confirm_button.description == "Revert 3 records"


def test_reverting_a_build_needs_the_number_typed(tiny_events, tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTLOG_CORPUS", str(tmp_path / "none"))
    db = tmp_path / "b.duckdb"
    eventlog.build(tiny_events, db)
    store = eventlog.open(db)
    hv = HistoryViewer("e1", store)
    hv.request_revert(1)
    assert "It is a build: type 5 to confirm" in hv.status.value and hv.confirm_button.disabled
    assert hv.confirm() is None and store.last_changeset() == 1  # not typed: nothing written
    hv.request_revert(1)
    hv.typed.value = "4"
    assert hv.confirm_button.disabled
    hv.typed.value = "5"
    assert not hv.confirm_button.disabled
    assert hv.confirm() == 2 and store.query().is_empty()


def test_panels_show_changes_not_exported(tiny_events, tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTLOG_CORPUS", str(tmp_path / "none"))
    db = tmp_path / "u.duckdb"
    eventlog.build(tiny_events, db)
    store = eventlog.open(db)
    with store.change(author="ana", message="tag") as cs:
        cs.tag(["e1", "e2"], add=["watch"])
    assert "2 changes not exported" in Explorer(store).status.value
    assert "2 changes not exported" in HistoryViewer("e1", store).note.value


@pytest.fixture
def large_store(fresh_store) -> eventlog.Store:
    """2,500 one-day events, one every third day from 2000: more than a timeline draws one by one."""
    with fresh_store.change(author="ana", message="many events") as cs:
        for i in range(2500):
            day = dt.date(2000, 1, 1) + dt.timedelta(days=3 * i)
            cs.put(make_event(f"ev-{i:04d}", date=day.isoformat(), type="visit" if i % 2 else "sanction"))
    return fresh_store


def test_a_large_store_opens_on_its_latest_events(large_store):
    ex = Explorer(large_store, first_view=100)
    latest = large_store.query().tail(100)
    assert ex.filters == {"start": latest["start"][0].isoformat()}
    assert ex.frame["id"].to_list() == latest["id"].to_list()
    assert not ex._aggregated and "the latest of 2,500" in ex.status.value
    # The filters' counts are the whole store's, not the first view's.
    assert ("sanction (1250)", "sanction") in ex.type_filter.options


def test_a_result_too_large_to_draw_is_read_narrow_drawn_as_counts_and_brushed_open(large_store):
    ex = Explorer(large_store, first_view=100, max_table_rows=50)
    ex.reset()
    assert ex.filters == {} and ex._aggregated
    assert ex.frame.columns == ["type", "start", "end"] and ex.frame.height == 2500
    ex.lanes.value = "actor"  # counts per actor read the actors too
    assert ex.frame.columns == ["type", "start", "end", "actors"] and ex._aggregated
    assert "2,500 events;" in ex.status.value and "2,450 more rows not shown" in ex.table.value
    assert ex.table.value.count("<tr") == 51  # the header and the first 50 rows, in full
    brush(ex, dt.date(2003, 1, 1), dt.date(2003, 12, 31))
    assert ex.filters == {"start": "2003-01-01", "end": "2003-12-31"} and not ex._aggregated
    assert ex.frame.height == large_store.count(start="2003-01-01", end="2003-12-31") and "title" in ex.frame.columns


@pytest.fixture
def rated_store(populated_store):
    """The populated store with two hypotheses and three ratings."""
    with populated_store.change(author="ana", message="hypotheses") as cs:
        cs.put(eventlog.Hypothesis(id="h-close", statement="Ties grow closer"))
        cs.put(eventlog.Hypothesis(id="h-apart", statement="Ties stay shallow"))
        cs.assess("h-close", "visit-2024", rating="CC")
        cs.assess("h-apart", "visit-2024", rating="I")
        cs.assess("h-close", "bank-2024", rating="II")
    return populated_store


def test_hypothesis_matrix_rates_by_setting_a_cell_and_the_scores_follow(rated_store):
    m = HypothesisMatrix(rated_store, author="bo")
    assert m.rows == ["bank-2024", "visit-2024"]  # by date
    assert m.cell("h-close", "bank-2024").value == "II" and m.cell("h-apart", "bank-2024").value == ""
    assert "II by ana at" in m.cell("h-close", "bank-2024").tooltip
    assert "h-apart</b><br>rank 1" in m.scores.value  # 0.5 (I, ungraded) against 1.0 (II)
    m.cell("h-apart", "bank-2024").value = "II"  # what a click in the page sends
    assert m.error is None and rated_store.log()["author"][0] == "bo"
    assert rated_store.ach().filter(pl.col("event") == "bank-2024")["h-apart"].to_list() == ["II"]
    assert "h-close</b><br>rank 1" in m.scores.value and "leading: h-close" in m.status.value
    assert m.cell("h-apart", "bank-2024").tooltip.startswith("II by bo at")
    m.cell("h-apart", "bank-2024").value = ""  # "–" takes the rating back
    assert rated_store.ach().filter(pl.col("event") == "bank-2024")["h-apart"].to_list() == [None]
    assert rated_store.history("h-apart|bank-2024", kind="assessment")["operation"].to_list() == ["create", "delete"]


def test_hypothesis_matrix_follows_the_explorer_selection_and_changes_from_elsewhere(rated_store):
    ex = Explorer(rated_store)
    m = HypothesisMatrix(author="bo", explorer=ex)
    click(ex, "trade-2023")
    assert m.highlighted == ["trade-2023"] and "trade-2023" in m.rows  # an unrated event gets a row
    marked = [ch.value for box in m.grid.children if isinstance(box, w.HBox) for ch in box.children
              if isinstance(ch, w.HTML) and "fff3c4" in ch.value]
    assert len(marked) == 1 and "Trade reaches 240bn" in marked[0]
    m.cell("h-close", "trade-2023").value = "C"
    assert rated_store.ach()["event"].to_list() == ["trade-2023", "bank-2024", "visit-2024"]
    # "show" selects the row's event in the Explorer.
    click(ex)
    m._show("visit-2024")
    assert ex.selected["id"].to_list() == ["visit-2024"] and "Putin visits Beijing" in ex.detail.value
    ringed = [r["id"] for r in ex.chart.chart.to_dict(validate=False)["datasets"]["events"] if r.get("highlight")]
    assert ringed == ["visit-2024"]  # and the timeline rings it
    # A rating written by another process shows up on the next look.
    with rated_store.change(author="cy", message="elsewhere") as cs:
        cs.assess("h-apart", "visit-2024", rating="CC")
    assert m.check_for_changes() is not None
    assert m.cell("h-apart", "visit-2024").value == "CC"
    # A rating the store refuses (the hypothesis was deleted meanwhile) is shown, and the cell goes back.
    with rated_store.change(author="cy", message="drop h-apart") as cs:
        for a in rated_store.records("assessment"):
            if a.hypothesis == "h-apart":
                cs.unassess("h-apart", a.event, reason="dropped")
        cs.delete("h-apart", reason="dropped", kind="hypothesis")
    assert m.rate("h-apart", "bank-2024", "I") is None and "unknown hypothesis" in m.error


def test_explorer_saves_a_view_reopens_it_and_keeps_its_comments(populated_store):
    ex = Explorer(populated_store, author="ana")
    ex.type_filter.value = ("sanction", "bank_withdrawal")
    ex.known_by.value = "2025"
    assert ex.save_view("banks") is not None and ex.error is None
    assert populated_store.view("banks").filters == {"type": ["sanction", "bank_withdrawal"], "known_by": "2025"}
    ex.view_comment.value = "start from the 2022 sanctions"  # Enter in the box
    assert populated_store.comments(view="banks")["text"].to_list() == ["start from the 2022 sanctions"]
    ex.reset()
    assert ex.frame.height == 4
    again = Explorer(populated_store, view="banks")
    assert again.filters == {"type": ["sanction", "bank_withdrawal"], "known_by": "2025"}
    assert sorted(again.frame["id"]) == ["bank-2024", "sanction-2022"]
    assert "start from the 2022 sanctions" in again.view_notes.value and "by ana" in again.view_notes.value
    again.views.value = ""
    ex.views.options = ex._view_options()
    ex.views.value = "banks"  # choosing it in the list opens it
    assert ex.filters == again.filters
    ex.save_view("")
    assert "give the view a name" in ex.error
    with populated_store.change(author="ana", message="a range") as cs:  # a view saved from a script
        cs.put(eventlog.View(id="recent", author="ana", range=("2023", "2024-02")))
    ex.open_view("recent")
    assert ex.error is None, ex.error
    assert ex.filters == {"start": "2023", "end": "2024-02"} and sorted(ex.frame["id"]) == ["bank-2024", "trade-2023"]


def test_detail_pane_shows_comments_and_stars(populated_store):
    with populated_store.change(author="ana", message="talk") as cs:
        c = cs.comment("Which bank?", event="bank-2024")
        cs.comment("<b>Sber</b>", event="bank-2024", reply_to=c.id, author="bo")
        cs.star(event="bank-2024")
    ex = Explorer(populated_store)
    click(ex, "bank-2024")
    detail = ex.detail.value
    assert "Comments (2)" in detail and "Which bank?" in detail and "&lt;b&gt;Sber&lt;/b&gt;" in detail
    assert "starred by ana" in detail and "margin-left:16px" in detail
