"""Causal links: versioned through changesets, checked at commit, walked in recursive SQL; and tags."""

from __future__ import annotations

import hashlib
import json
import textwrap
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import eventlog
from eventlog import LinkRejected, NotFound, ValidationError
from tests.helpers import EVENTS, make_event


def snapshot(store: eventlog.Store) -> dict:
    """What a reader sees, to compare before and after a rejected write."""
    out = {"log": store.log().to_dicts()}
    for table in ("event_versions", "link_versions", "head"):
        out[table] = store.sql(f"SELECT * FROM {table} ORDER BY ALL").to_dicts()
    return out


@pytest.fixture
def graph(fresh_store: eventlog.Store) -> eventlog.Store:
    """Crimea (2014-03) -> sanctions (2014) -> pivot (2014) -> gas deal (2014-05-21); SWIFT -> SPFS; a loner."""
    with fresh_store.change(author="ana", message="events") as cs:
        cs.put(make_event("crimea", type="conflict", title="Crimea annexed", date="2014-03"))
        cs.put(make_event("sanctions", type="sanction", title="Western sanctions", date="2014"))
        cs.put(make_event("pivot", type="policy", title="Turn east", date="2014"))
        cs.put(make_event("gas-deal", type="contract", title="Gas deal", date="2014-05-21"))
        cs.put(make_event("swift", type="sanction", title="SWIFT exclusion", date="2022-03"))
        cs.put(make_event("spfs", type="finance", title="SPFS use grows", date="2022/2023"))
        cs.put(make_event("loner", type="visit", title="A visit", date="2024-05-16"))
    with fresh_store.change(author="ana", message="links") as cs:
        cs.link("crimea", "sanctions", relation="triggers", confidence=0.9, note="answer to the annexation",
                sources=[{"source": "doc", "span": [0, 10]}])
        cs.link("sanctions", "pivot", relation="contributes_to", confidence=0.8)
        cs.link("pivot", "gas-deal", relation="enables", confidence=0.5)
        cs.link("crimea", "pivot", relation="contributes_to", confidence=0.4)
        cs.link("swift", "spfs", relation="causes", confidence=0.9)
    return fresh_store


def _rejected(store: eventlog.Store, match: str, build) -> LinkRejected:  # noqa: ANN001
    before = snapshot(store)
    with pytest.raises(LinkRejected, match=match) as info, store.change(author="bo", message="bad link") as cs:
        build(cs)
    assert snapshot(store) == before, "a rejected link must leave the store unchanged"
    return info.value


# -- model and versioning -------------------------------------------------------------------------
def test_links_frame_columns_and_values(graph: eventlog.Store) -> None:
    frame = graph.links()
    assert frame.columns == ["id", "cause", "cause_title", "relation", "effect", "effect_title", "confidence", "basis",
                             "asserted_by", "note", "sources", "version", "changeset", "changed_at", "author"]
    assert frame["id"].to_list() == sorted(frame["id"].to_list()) and frame.height == 5
    row = frame.filter(pl.col("cause") == "crimea", pl.col("effect") == "sanctions").row(0, named=True)
    assert row["id"] == "crimea|sanctions|triggers" and row["relation"] == "triggers"
    assert (row["cause_title"], row["effect_title"]) == ("Crimea annexed", "Western sanctions")
    assert row["confidence"] == 0.9 and row["basis"] == "source" and row["asserted_by"] == "ana"
    assert row["note"] == "answer to the annexation" and row["author"] == "ana"
    assert row["sources"] == [{"source": "doc", "span_start": 0, "span_end": 10, "quote": None}]
    analyst = frame.filter(pl.col("id") == "sanctions|pivot|contributes_to").row(0, named=True)
    assert analyst["basis"] == "analyst" and analyst["sources"] == [] and analyst["note"] == ""


def test_links_filters(graph: eventlog.Store) -> None:
    assert set(graph.links(event="pivot")["id"]) == {"sanctions|pivot|contributes_to", "pivot|gas-deal|enables",
                                                     "crimea|pivot|contributes_to"}
    assert graph.links(relation="causes")["id"].to_list() == ["swift|spfs|causes"]
    assert graph.links(basis="source")["id"].to_list() == ["crimea|sanctions|triggers"]
    assert graph.links(event=["loner"]).is_empty()
    assert graph.links(relation=["enables", "triggers"]).height == 2


def test_link_ends_are_the_links_between_the_events_given(graph: eventlog.Store) -> None:
    ends = graph.link_ends(["crimea", "sanctions", "pivot", "loner"])
    assert ends.rows() == [("crimea|pivot|contributes_to", "crimea", "pivot", "contributes_to", 0.4),
                           ("crimea|sanctions|triggers", "crimea", "sanctions", "triggers", 0.9),
                           ("sanctions|pivot|contributes_to", "sanctions", "pivot", "contributes_to", 0.8)]
    before = graph.last_changeset()
    with graph.change(author="bo", message="drop one") as cs:
        cs.unlink("crimea", "pivot", relation="contributes_to", reason="no evidence")
    assert graph.link_ends(["crimea", "pivot"]).is_empty()
    assert graph.link_ends(["crimea", "pivot"], as_of=before)["id"].to_list() == ["crimea|pivot|contributes_to"]
    # The same links as links() gives, where both ends are among the events.
    full = graph.links(event=["crimea", "sanctions", "pivot"])
    both = full.filter(pl.col("cause").is_in(["crimea", "sanctions", "pivot"]) & pl.col("effect").is_in(["crimea", "sanctions", "pivot"]))
    assert graph.link_ends(["crimea", "sanctions", "pivot"]).rows() == both.select(ends.columns).rows()


def test_links_of_events_without_any_are_an_empty_frame_of_the_same_columns(graph: eventlog.Store) -> None:
    empty, some = graph.links(event="loner"), graph.links(event="crimea")
    assert empty.is_empty() and empty.schema == some.schema
    assert graph.links(event=[f"e-{i}" for i in range(300)]).schema == some.schema  # the many-events path


def test_link_model_validation(fresh_store: eventlog.Store) -> None:
    with fresh_store.change(author="a", message="e") as cs:
        cs.put(make_event("a", date="2014"))
        cs.put(make_event("b", date="2015"))
    before = snapshot(fresh_store)
    with pytest.raises(ValidationError, match="unknown relation 'leads_to'"), fresh_store.change(author="a", message="m") as cs:
        cs.link("a", "b", relation="leads_to")
    with pytest.raises(ValidationError, match="less than or equal to 1"), fresh_store.change(author="a", message="m") as cs:
        cs.link("a", "b", relation="causes", confidence=1.5)
    with pytest.raises(ValidationError, match="needs sources"), fresh_store.change(author="a", message="m") as cs:
        cs.link("a", "b", relation="causes", basis="source")
    assert snapshot(fresh_store) == before


def test_link_update_unlink_history_blame_diff_revert(graph: eventlog.Store) -> None:
    key = "sanctions|pivot|contributes_to"
    created = graph.last_changeset()
    with graph.change(author="bo", message="more sure now") as cs:
        cs.link("sanctions", "pivot", relation="contributes_to", confidence=0.95, note="stated twice")
    updated = graph.last_changeset()
    with graph.change(author="cy", message="not convinced") as cs:
        cs.unlink("sanctions", "pivot", relation="contributes_to", reason="no source states it")
    gone = graph.last_changeset()
    hist = graph.history(key, kind="link")
    assert hist["operation"].to_list() == ["create", "update", "delete"]
    assert hist["fields"][1].to_list() == ["asserted_by", "confidence", "note"]
    assert hist["reason"][2] == "no source states it" and hist["author"].to_list() == ["ana", "bo", "cy"]
    assert key not in graph.links()["id"].to_list()
    assert key in graph.links(as_of=updated)["id"].to_list()
    assert graph.links(as_of=created).filter(pl.col("id") == key)["confidence"].item() == 0.8
    assert graph.log()["links"].to_list()[:3] == [1, 1, 5]
    d = graph.diff(created, updated, kind="link")
    assert set(d["field"].to_list()) == {"asserted_by", "confidence", "note"} and set(d["id"]) == {key}
    assert graph.diff(updated, gone, kind="link")["change"].to_list() == ["removed"]
    # revert the unlink: the link is back with the values it had
    graph.revert(gone, author="dee")
    assert graph.links().filter(pl.col("id") == key)["confidence"].item() == 0.95
    blame = graph.blame(key, kind="link")
    assert blame.filter(pl.col("field") == "confidence")["author"].item() == "dee"


def test_unlink_missing_link_is_not_found(graph: eventlog.Store) -> None:
    before = snapshot(graph)
    with pytest.raises(NotFound, match="no link 'crimea|sanctions|causes'"), graph.change(author="a", message="m") as cs:
        cs.unlink("crimea", "sanctions", relation="causes", reason="wrong relation")
    assert snapshot(graph) == before


def test_deleting_a_linked_event_needs_unlink_first(graph: eventlog.Store) -> None:
    before = snapshot(graph)
    with pytest.raises(ValidationError, match=r"event 'gas-deal' is linked \(pivot -enables-> gas-deal\)"), \
            graph.change(author="a", message="m") as cs:
        cs.delete("gas-deal", reason="dup")
    assert snapshot(graph) == before
    with graph.change(author="a", message="drop swift") as cs:
        cs.unlink("swift", "spfs", relation="causes", reason="event goes")
        cs.delete("swift", reason="duplicate")
    assert graph.links(event="swift").is_empty()


# -- checks ---------------------------------------------------------------------------------------
def test_self_link_rejected(graph: eventlog.Store) -> None:
    exc = _rejected(graph, "self-link", lambda cs: cs.link("pivot", "pivot", relation="causes"))
    assert exc.record == "pivot|pivot|causes"


def test_unknown_or_deleted_event_rejected(graph: eventlog.Store) -> None:
    _rejected(graph, "unknown or deleted event 'nowhere'", lambda cs: cs.link("crimea", "nowhere", relation="causes"))
    with graph.change(author="a", message="drop loner") as cs:
        cs.delete("loner", reason="not relevant")
    exc = _rejected(graph, "unknown or deleted event 'loner'", lambda cs: cs.link("loner", "spfs", relation="causes"))
    assert exc.field == "cause"


def test_link_to_event_put_in_same_changeset(graph: eventlog.Store) -> None:
    with graph.change(author="a", message="new event and link") as cs:
        cs.put(make_event("cips", type="finance", title="CIPS grows", date="2022/2024"))
        cs.link("swift", "cips", relation="contributes_to")
    assert graph.effects("swift")["id"].to_list() == ["cips", "spfs"]


def test_duplicate_pair_rejected_either_direction(graph: eventlog.Store) -> None:
    exc = _rejected(graph, r"duplicate: crimea -triggers-> sanctions already links",
                    lambda cs: cs.link("crimea", "sanctions", relation="causes"))
    assert exc.record == "crimea|sanctions|causes"
    _rejected(graph, r"duplicate: the reverse link crimea -triggers-> sanctions exists",
              lambda cs: cs.link("sanctions", "crimea", relation="responds_to"))

    def two_new(cs: eventlog.Changeset) -> None:
        cs.link("gas-deal", "loner", relation="enables")
        cs.link("gas-deal", "loner", relation="contributes_to")

    _rejected(graph, "duplicate", two_new)


def test_changing_a_relation_is_unlink_plus_link(graph: eventlog.Store) -> None:
    with graph.change(author="a", message="it was a cause, not a trigger") as cs:
        cs.unlink("crimea", "sanctions", relation="triggers", reason="relation was wrong")
        cs.link("crimea", "sanctions", relation="causes", confidence=0.9)
    assert graph.links(event="sanctions", relation=["causes", "triggers"])["id"].to_list() == ["crimea|sanctions|causes"]


def test_updating_a_link_is_not_a_duplicate(graph: eventlog.Store) -> None:
    with graph.change(author="a", message="less sure") as cs:
        cs.link("pivot", "gas-deal", relation="enables", confidence=0.3)
    assert graph.links(event="gas-deal")["confidence"].to_list() == [0.3]


def test_cycle_rejected_with_its_path(graph: eventlog.Store) -> None:
    # gas-deal (2014-05-21) -> crimea (2014-03) is impossible by date, so cycle through 2014-wide events.
    exc = _rejected(graph, r"cycle: pivot -> gas-deal -> sanctions|cycle",
                    lambda cs: (cs.link("gas-deal", "sanctions", relation="responds_to")))
    assert "pivot" in str(exc) and exc.record == "gas-deal|sanctions|responds_to"


def test_cycle_made_of_new_links_only(fresh_store: eventlog.Store) -> None:
    with fresh_store.change(author="a", message="events") as cs:
        for i in range(4):
            cs.put(make_event(f"n{i}", date="2020"))
    before = snapshot(fresh_store)
    with pytest.raises(LinkRejected, match="cycle"), fresh_store.change(author="a", message="ring") as cs:
        for i in range(4):
            cs.link(f"n{i}", f"n{(i + 1) % 4}", relation="causes")
    assert snapshot(fresh_store) == before


def test_unlink_in_same_changeset_breaks_the_cycle(graph: eventlog.Store) -> None:
    with graph.change(author="a", message="reverse the story") as cs:
        cs.unlink("sanctions", "pivot", relation="contributes_to", reason="other way round")
        cs.link("pivot", "sanctions", relation="triggers")
    assert graph.causes("sanctions")["id"].to_list() == ["crimea", "pivot"]


def test_long_cycle_detected(fresh_store: eventlog.Store) -> None:
    n = 100
    with fresh_store.change(author="a", message="a long chain") as cs:
        for i in range(n):
            cs.put(make_event(f"c{i:03d}", date="2020"))
        for i in range(n - 1):
            cs.link(f"c{i:03d}", f"c{i + 1:03d}", relation="causes")
    assert fresh_store.effects("c000")["distance"].max() == n - 1
    exc = _rejected(fresh_store, "cycle", lambda cs: cs.link(f"c{n - 1:03d}", "c000", relation="causes"))
    assert "c000 -> c001" in str(exc) and exc.record == f"c{n - 1:03d}|c000|causes"
    with fresh_store.change(author="a", message="a shortcut is fine") as cs:
        cs.link("c000", f"c{n - 1:03d}", relation="enables")


def test_impossible_order_on_uncertain_bounds(graph: eventlog.Store) -> None:
    # The gas deal (2014-05-21) cannot drive events that were over before it began...
    _rejected(graph, r"impossible order: the cause 'gas-deal' \(2014-05-21\) starts on 2014-05-21 at the earliest, "
                     r"after the effect 'crimea' \(2014-03\) ended on 2014-03-31",
              lambda cs: cs.link("gas-deal", "crimea", relation="responds_to"))
    # ...but a year-wide date might still come first: only impossible orders are refused.
    with graph.change(author="a", message="fine") as cs:
        cs.put(make_event("late-2014", date="2014"))
        cs.put(make_event("approx", date="2014-02~"))
        cs.link("gas-deal", "late-2014", relation="contributes_to")
        # 2014-03 ends before 2014-04 starts, but 2014-04~ widens back to March
        cs.put(make_event("spring", date="2014-04~"))
        cs.link("spring", "crimea", relation="enables")
    assert set(graph.causes("crimea")["id"]) == {"spring"}


def test_re_dating_an_event_rechecks_its_links(graph: eventlog.Store) -> None:
    exc = _rejected(graph, r"impossible order \(after this changeset re-dates an event\)",
                    lambda cs: cs.put(graph.get("crimea").model_copy(update={"date": "2016"})))
    assert exc.record.startswith("crimea|")
    with graph.change(author="a", message="still possible") as cs:
        cs.put(graph.get("crimea").model_copy(update={"date": "2014-02"}))


class _Abort(Exception):
    """Leaves a changeset without committing it."""


def _order_outcome(store: eventlog.Store, redates: dict[str, str], bulk: bool) -> str | None:
    """The link a re-dating changeset is refused for (None: accepted), by the small-commit path
    or by the bulk path (the whole graph); nothing is committed."""
    from eventlog._store import links as links_module
    from eventlog._store.checks import check_changeset

    few = links_module.FEW_EVENTS
    links_module.FEW_EVENTS = 0 if bulk else few
    got: str | None = None
    try:
        with pytest.raises(_Abort), store.change(author="t", message="probe") as cs:
            for key, date in redates.items():
                cs.put(store.get(key).model_copy(update={"date": date}))
            with store.reading():
                try:
                    check_changeset(store, cs)
                except LinkRejected as exc:
                    got = exc.record
            raise _Abort
    finally:
        links_module.FEW_EVENTS = few
    return got


_DATES = ["2013", "2014-01", "2014-03", "2014-03~", "2014", "2014-05-21", "2015?", "2016", "2022-03", "2021/2023"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(["crimea", "sanctions", "pivot", "gas-deal", "swift", "spfs", "loner"]),
                       st.sampled_from(_DATES), min_size=1, max_size=4))
def test_small_commit_order_check_agrees_with_the_whole_graph(graph: eventlog.Store, redates: dict[str, str]) -> None:
    """Re-dating a few events: the check over the links touching them refuses exactly what the
    check over every live event and link refuses."""
    assert _order_outcome(graph, redates, bulk=False) == _order_outcome(graph, redates, bulk=True)


# -- graph queries --------------------------------------------------------------------------------
def test_effects_and_causes_distance_path_relations(graph: eventlog.Store) -> None:
    eff = graph.effects("crimea")
    assert eff.columns == ["id", "distance", "title", "type", "date", "path", "relations", "confidence"]
    rows = {r["id"]: r for r in eff.to_dicts()}
    assert set(rows) == {"sanctions", "pivot", "gas-deal"}
    assert rows["sanctions"]["distance"] == 1 and rows["sanctions"]["relations"] == ["triggers"]
    # pivot is one link away directly (0.4) although the two-link route is more confident
    assert rows["pivot"]["distance"] == 1 and rows["pivot"]["path"] == ["crimea", "pivot"]
    assert rows["gas-deal"]["distance"] == 2 and rows["gas-deal"]["path"] == ["crimea", "pivot", "gas-deal"]
    assert rows["gas-deal"]["confidence"] == pytest.approx(0.4 * 0.5)
    cau = graph.causes("gas-deal")
    assert cau["id"].to_list() == ["pivot", "crimea", "sanctions"]
    sanc = cau.filter(pl.col("id") == "sanctions").row(0, named=True)
    assert sanc["path"] == ["sanctions", "pivot", "gas-deal"] and sanc["relations"] == ["contributes_to", "enables"]
    assert sanc["confidence"] == pytest.approx(0.8 * 0.5) and sanc["title"] == "Western sanctions"


def test_most_confident_of_equally_short_paths(fresh_store: eventlog.Store) -> None:
    with fresh_store.change(author="a", message="diamond") as cs:
        for e in "abcd":
            cs.put(make_event(e, date="2020"))
        cs.link("a", "b", relation="causes", confidence=0.3)
        cs.link("a", "c", relation="causes", confidence=0.9)
        cs.link("b", "d", relation="causes", confidence=0.9)
        cs.link("c", "d", relation="enables", confidence=0.9)
    d = fresh_store.effects("a").filter(pl.col("id") == "d").row(0, named=True)
    assert d["path"] == ["a", "c", "d"] and d["relations"] == ["causes", "enables"]
    assert d["confidence"] == pytest.approx(0.81)


def test_depth_limits_the_walk(graph: eventlog.Store) -> None:
    assert graph.causes("gas-deal", depth=1)["id"].to_list() == ["pivot"]
    assert graph.effects("sanctions", depth=1)["id"].to_list() == ["pivot"]
    assert graph.effects("loner").is_empty()
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValidationError, match="depth"):
            graph.effects("crimea", depth=bad)  # type: ignore[arg-type]


def test_walks_of_unknown_events(graph: eventlog.Store) -> None:
    with pytest.raises(NotFound, match="no event 'nope'"):
        graph.causes("nope")
    with pytest.raises(NotFound, match="no event 'nope'"):
        graph.paths("crimea", "nope")


def test_as_of_sees_the_graph_as_it_was_known(graph: eventlog.Store) -> None:
    before = graph.last_changeset()
    with graph.change(author="a", message="more") as cs:
        cs.unlink("pivot", "gas-deal", relation="enables", reason="doubtful")
        cs.put(make_event("power", type="infrastructure", title="Power of Siberia", date="2019-12-02"))
        cs.link("gas-deal", "power", relation="enables")
    assert graph.causes("gas-deal").is_empty()
    assert graph.causes("gas-deal", as_of=before)["id"].to_list() == ["pivot", "crimea", "sanctions"]
    with pytest.raises(NotFound):
        graph.effects("power", as_of=before)
    assert graph.effects("gas-deal")["id"].to_list() == ["power"]
    assert graph.effects("gas-deal", as_of=before).is_empty()
    assert graph.paths("crimea", "gas-deal").is_empty()
    assert graph.paths("crimea", "gas-deal", as_of=before).height == 2
    # as_of also takes a timestamp
    at = graph.log().filter(pl.col("changeset") == before)["changed_at"].item()
    assert graph.causes("gas-deal", as_of=at).height == 3


def test_paths_between_two_events(graph: eventlog.Store) -> None:
    p = graph.paths("crimea", "gas-deal")
    assert p.columns == ["length", "path", "relations", "confidence"]
    assert p["path"].to_list() == [["crimea", "pivot", "gas-deal"], ["crimea", "sanctions", "pivot", "gas-deal"]]
    assert p["relations"][1].to_list() == ["triggers", "contributes_to", "enables"]
    assert p["confidence"].to_list() == pytest.approx([0.2, 0.36])
    assert graph.paths("crimea", "gas-deal", max_depth=2).height == 1
    assert graph.paths("gas-deal", "crimea").is_empty()
    assert graph.paths("swift", "gas-deal").is_empty()
    with pytest.raises(ValidationError, match="two different events"):
        graph.paths("crimea", "crimea")
    with pytest.raises(ValidationError, match="max_depth"):
        graph.paths("crimea", "gas-deal", max_depth=0)


def test_paths_enumerates_every_chain_in_a_lattice(fresh_store: eventlog.Store) -> None:
    # 3 layers of 3 events fully linked: 3 * 3 * 3 chains of 4 links from s to t.
    with fresh_store.change(author="a", message="lattice") as cs:
        ids = ["s", *(f"l{i}{j}" for i in range(3) for j in range(3)), "t"]
        for e in ids:
            cs.put(make_event(e, date="2020"))
        for j in range(3):
            cs.link("s", f"l0{j}", relation="causes")
            cs.link(f"l2{j}", "t", relation="causes")
        for i in range(2):
            for j in range(3):
                for k in range(3):
                    cs.link(f"l{i}{j}", f"l{i + 1}{k}", relation="contributes_to")
    p = fresh_store.paths("s", "t")
    assert p.height == 27 and set(p["length"]) == {4}
    assert len({tuple(x) for x in p["path"].to_list()}) == 27
    assert fresh_store.paths("s", "t", max_depth=3).is_empty()


def test_bulk_changeset_of_many_links(fresh_store: eventlog.Store) -> None:
    # One changeset of 3000 links over 1000 events goes through every check in set-based SQL.
    with fresh_store.change(author="a", message="bulk") as cs:
        for i in range(1000):
            cs.put(make_event(f"b{i:04d}", date=f"{2000 + i // 100}"))
        for i in range(1000):
            for step in (1, 7, 31):
                if i + step < 1000:
                    cs.link(f"b{i:04d}", f"b{i + step:04d}", relation="contributes_to")
    assert fresh_store.links().height == 999 + 993 + 969
    assert fresh_store.effects("b0000").height == 999
    assert fresh_store.causes("b0999", depth=2).filter(pl.col("distance") == 1).height == 3


# -- tags -----------------------------------------------------------------------------------------
def test_tag_events_in_a_changeset(graph: eventlog.Store) -> None:
    with graph.change(author="a", message="themes") as cs:
        n = cs.tag(["crimea", "sanctions"], add=["ukraine", "finance"], remove=["diplomacy"])
    assert n == 2
    assert graph.get("crimea").tags == ["ukraine", "finance"]
    hist = graph.history("crimea")
    assert hist["fields"][-1].to_list() == ["tags"] and hist["author"][-1] == "a"
    with graph.change(author="a", message="again") as cs:
        assert cs.tag(["crimea"], add=["finance"]) == 0
    with graph.change(author="a", message="remove") as cs:
        cs.tag(["crimea"], remove=["finance"])
    assert graph.get("crimea").tags == ["ukraine"]


def test_bulk_tag_of_a_query_result_is_one_changeset(graph: eventlog.Store) -> None:
    before = graph.last_changeset()
    result = graph.tag(add=["finance"], author="bo", message="finance theme", type=["sanction", "finance"])
    assert result.changeset == before + 1 and result.updated == 3
    assert set(graph.query(tag="finance")["id"]) == {"sanctions", "swift", "spfs"}
    assert graph.log()["changeset"].to_list()[0] == before + 1
    assert graph.diff(before, kind="event")["id"].unique().sort().to_list() == ["sanctions", "spfs", "swift"]
    # tags survive as_of
    assert graph.query(tag="finance", as_of=before).is_empty()


def test_bad_tags_and_unknown_events(graph: eventlog.Store) -> None:
    before = snapshot(graph)
    with pytest.raises(ValidationError, match="tags"), graph.change(author="a", message="m") as cs:
        cs.tag(["crimea"], add=["Not A Tag!"])
    with pytest.raises(NotFound, match="no event 'ghost'"), graph.change(author="a", message="m") as cs:
        cs.tag(["crimea", "ghost"], add=["x"])
    assert snapshot(graph) == before


# -- dataset --------------------------------------------------------------------------------------
def _tiny_corpus_folder(tmp_path: Path) -> tuple[Path, Path, str]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = "After the first event, and as a result of it, the second event followed."
    (corpus / "doc.txt").write_text(text, encoding="utf-8")
    sha = hashlib.sha256(text.encode()).hexdigest()
    root = tmp_path / "ev"
    (root / "events").mkdir(parents=True)
    (root / "actors.yaml").write_text("- {id: russia, name: Russia, kind: state}\n")
    (root / "sources.yaml").write_text(textwrap.dedent(f"""\
        - {{id: doc, file: doc.txt, title: Doc, publisher: us, language: en, published: '2024', sha256: '{sha}'}}
        """))
    for eid, date, span in (("first", "2020", [6, 21]), ("second", "2021", [47, 72])):
        (root / "events" / f"{eid}.yaml").write_text(
            f"id: {eid}\ntype: other\ntitle: {eid}\ndate: '{date}'\nsources: [{{source: doc, span: {span}}}]\n")
    (root / "links.yaml").write_text(textwrap.dedent("""\
        - cause: first
          effect: second
          relation: causes
          confidence: 0.8
          note: the text says so
          sources: [{source: doc, span: [23, 45]}]
          asserted_by: curator
          basis: source
        """))
    return root, corpus, text


def test_build_keeps_quotes_of_link_evidence(tmp_path: Path) -> None:
    root, corpus, text = _tiny_corpus_folder(tmp_path)
    db = tmp_path / "b.duckdb"
    report = eventlog.build(root, db, corpus=corpus)
    assert report.evidence_checked and report.created == 5 and report.quotes_added == 3
    with eventlog.open(db) as store:
        ev = store.links()["sources"][0].to_list()
        assert ev == [{"source": "doc", "span_start": 23, "span_end": 45, "quote": text[23:45]}]
        assert text[23:45] == "and as a result of it,"


def test_build_refuses_a_bad_link_and_writes_nothing(tmp_path: Path) -> None:
    root, corpus, _ = _tiny_corpus_folder(tmp_path)
    db = tmp_path / "b.duckdb"
    eventlog.build(root, db, corpus=corpus)
    with (root / "links.yaml").open("a") as f:
        f.write("- {cause: second, effect: first, relation: responds_to}\n")
    with eventlog.open(db) as store:
        before = snapshot(store)
    with pytest.raises(LinkRejected, match="second|first"):
        eventlog.build(root, db, corpus=corpus)
    with eventlog.open(db) as store:
        assert snapshot(store) == before


def test_real_links_dataset(tmp_path: Path, corpus: Path) -> None:
    """events/links.yaml: at least 30 source-grounded links, analyst links marked, all of it builds."""
    ds = eventlog.load_dataset(EVENTS, corpus)
    links = list(ds.links.values())
    grounded = [lk for lk in links if lk.basis == "source"]
    analyst = [lk for lk in links if lk.basis == "analyst"]
    assert len(grounded) >= 30 and analyst
    assert all(lk.sources for lk in grounded) and all(lk.note for lk in links)
    # every evidence span's quote was read from the corpus
    for lk in grounded:
        for ref in lk.sources:
            assert (lk.id, ref.source, ref.span[0], ref.span[1]) in ds.quotes
    db = tmp_path / "real.duckdb"
    eventlog.build(EVENTS, db, corpus=corpus)
    with eventlog.open(db) as store:
        frame = store.links()
        assert frame.height == len(links)
        quotes = frame.filter(pl.col("basis") == "source")["sources"].explode().struct.field("quote")
        assert quotes.null_count() == 0
        # the chains the analysts asked for exist
        assert "2014-russia-annexes-crimea" in store.causes("2014-russia-china-400bn-30-year-gas-deal")["id"].to_list()


def test_links_yaml_is_what_export_writes(tmp_path: Path, corpus: Path) -> None:
    """A build, an export and a second build: nothing changes, and links.yaml comes back byte for byte."""
    db = tmp_path / "rt.duckdb"
    eventlog.build(EVENTS, db, corpus=corpus)
    out = tmp_path / "exported"
    with eventlog.open(db) as store:
        eventlog.export(store, out)
    assert (out / "links.yaml").read_text(encoding="utf-8") == (EVENTS / "links.yaml").read_text(encoding="utf-8")
    report = eventlog.build(out, db, corpus=corpus)
    assert report.changeset is None


def test_links_round_trip_through_json_data(graph: eventlog.Store) -> None:
    data = json.loads(graph.sql("SELECT data FROM link_versions WHERE key = ?", ["crimea|sanctions|triggers"])["data"][0])
    assert data == {"cause": "crimea", "effect": "sanctions", "relation": "triggers", "confidence": 0.9,
                    "note": "answer to the annexation", "sources": [{"source": "doc", "span": [0, 10]}],
                    "asserted_by": "ana", "basis": "source"}
