"""Competing hypotheses: scores, the matrix, its history, checks, build and export, the CLI."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import eventlog
from eventlog._cli import main as cli
from eventlog._files.folder import load_dataset
from eventlog._models import Hypothesis
from eventlog._store.ach import CREDIBILITY_WEIGHT, UNGRADED_WEIGHT
from tests.helpers import EVENTS, make_event

EVENTS_IDS = ["e1", "e2", "e3", "e4"]
HYPS = ["h-a", "h-b", "h-c"]
POINTS = {"CC": 0, "C": 0, "N": 0, "I": 1, "II": 2}


@pytest.fixture
def ach_store(fresh_store: eventlog.Store) -> eventlog.Store:
    """Four events (credibility 1, 3, 6 and ungraded) and three hypotheses, nothing rated."""
    with fresh_store.change(author="setup", message="events and hypotheses") as cs:
        for eid, cred in zip(EVENTS_IDS, [1, 3, 6, None], strict=True):
            cs.put(make_event(eid, sources=[{"source": "doc", "span": [0, 5], "credibility": cred},
                                            {"source": "doc", "span": [6, 9], "credibility": 4}]))
        for h in HYPS:
            cs.put(Hypothesis(id=h, statement=f"Statement {h}"))
    return fresh_store


def _weight(cred: int | None) -> float:
    return CREDIBILITY_WEIGHT.get(cred, UNGRADED_WEIGHT) if cred is not None else UNGRADED_WEIGHT


#: Each event's best (lowest) credibility: the first citation's, or the second's (4) when lower.
BEST = {"e1": 1, "e2": 3, "e3": 4, "e4": 4}


def _expected_scores(ratings: dict[tuple[str, str], str]) -> dict[str, float]:
    return {h: round(sum(POINTS[r] * _weight(BEST[e]) for (hh, e), r in ratings.items() if hh == h), 6) for h in HYPS}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(HYPS), st.sampled_from(EVENTS_IDS), st.sampled_from([*POINTS, None])),
                min_size=1, max_size=12))
def test_scores_matrix_and_diagnosticity_follow_the_ratings(ach_store: eventlog.Store, script) -> None:
    s = ach_store
    with s.change(author="setup", message="clear") as cs:  # hypothesis reuses the store between examples
        for a in s.records("assessment"):
            cs.delete(a.id, reason="clear", kind="assessment")
    ratings: dict[tuple[str, str], str] = {}
    for h, e, r in script:  # one changeset per rating, like the widget
        with s.change(author="ana", message=f"{h} {e} {r}") as cs:
            if r is None:
                if (h, e) in ratings:
                    cs.unassess(h, e, reason="taken back")
                    del ratings[(h, e)]
            else:
                cs.assess(h, e, rating=r)
                ratings[(h, e)] = r
    scores = s.hypotheses()
    expected = _expected_scores(ratings)
    assert dict(zip(scores["id"], scores["inconsistency"], strict=True)) == pytest.approx(expected)
    assert dict(zip(scores["id"], scores["rank"], strict=True)) == {
        h: 1 + sum(1 for v in expected.values() if v < expected[h]) for h in HYPS}
    assert scores["inconsistency"].to_list() == sorted(scores["inconsistency"].to_list())
    matrix = s.ach()
    assert set(matrix["event"]) == {e for _h, e in ratings}
    for row in matrix.iter_rows(named=True):
        given_ = {h: ratings.get((h, row["event"])) for h in HYPS}
        assert {h: row[h] for h in HYPS} == given_
        present = [r for r in given_.values() if r]
        assert row["diagnostic"] == (len(present) > 1 and len(set(present)) > 1)
        assert row["weight"] == _weight(BEST[row["event"]])


def test_scores_and_matrix_as_of_and_when_the_leader_changed(ach_store: eventlog.Store) -> None:
    s = ach_store
    with s.change(author="ana", message="first ratings") as cs:
        cs.assess("h-a", "e1", rating="I")
        cs.assess("h-b", "e1", rating="C")
    first = s.last_changeset()
    with s.change(author="bo", message="h-b hit hard") as cs:
        cs.assess("h-b", "e2", rating="II", note="does not fit")
    assert s.hypotheses(as_of=first).filter(pl.col("rank") == 1)["id"].to_list() == ["h-b", "h-c"]
    assert s.hypotheses().filter(pl.col("rank") == 1)["id"].to_list() == ["h-c"]
    assert s.ach(as_of=first)["event"].to_list() == ["e1"]
    history = s.ach_history()
    assert history["leader"].to_list() == ["h-b, h-c", "h-c"] and history["previous"].to_list() == ["", "h-b, h-c"]
    last = history.row(-1, named=True)
    assert (last["author"], last["message"], last["assessments"]) == ("bo", "h-b hit hard", ["h-b|e2: II"])
    # The rating is versioned like any record: history, blame, revert.
    with s.change(author="ana", message="soften") as cs:
        cs.assess("h-b", "e2", rating="I")
    assert s.history("h-b|e2", kind="assessment")["author"].to_list() == ["bo", "ana"]
    assert s.blame("h-b|e2", kind="assessment").filter(pl.col("field") == "rating")["author"].to_list() == ["ana"]
    s.revert(s.last_changeset(), author="bo", message="back to II")
    assert s.ach().filter(pl.col("event") == "e2")["h-b"].to_list() == ["II"]


def test_assessments_name_what_exists_and_keep_it_from_being_deleted(ach_store: eventlog.Store) -> None:
    s = ach_store
    with s.change(author="ana", message="rate") as cs:
        cs.assess("h-a", "e1", rating="I")
    head = s.last_changeset()
    for kwargs, match in [({"hypothesis_id": "nope", "event_id": "e1"}, "unknown hypothesis 'nope'"),
                          ({"hypothesis_id": "h-a", "event_id": "nope"}, "unknown event 'nope'")]:
        with pytest.raises(eventlog.ValidationError, match=match), s.change(author="a", message="m") as cs:
            cs.assess(**kwargs, rating="C")
    with pytest.raises(eventlog.ValidationError, match="named by assessment 'h-a|e1'"), s.change(author="a", message="m") as cs:
        cs.delete("e1", reason="gone")
    with pytest.raises(eventlog.ValidationError, match="named by assessment"), s.change(author="a", message="m") as cs:
        cs.delete("h-a", reason="gone", kind="hypothesis")
    with pytest.raises(eventlog.ValidationError, match="rating"):
        with s.change(author="a", message="m") as cs:
            cs.assess("h-a", "e1", rating="maybe")
    assert s.last_changeset() == head
    with s.change(author="a", message="both go") as cs:  # together they may
        cs.unassess("h-a", "e1", reason="event withdrawn")
        cs.delete("e1", reason="withdrawn")
    assert s.ach().is_empty()
    with pytest.raises(eventlog.ValidationError, match="column of the ACH matrix"):
        Hypothesis(id="weight", statement="x")


def test_the_seeded_hypotheses_build_and_export_back_unchanged(tmp_path: Path, events_dir: Path) -> None:
    ds = load_dataset(EVENTS)
    assert len(ds.hypotheses) >= 2 and len(ds.assessments) >= 3 * 15
    db = tmp_path / "s.duckdb"
    eventlog.build(events_dir, db, author="ana", message="build")
    store = eventlog.open(db)
    assert set(store.hypotheses()["id"]) == set(ds.hypotheses)
    assert store.ach().height == len({a.event for a in ds.assessments.values()})
    original = (events_dir / "hypotheses.yaml").read_text(encoding="utf-8")
    report = eventlog.export(store, events_dir)
    assert (events_dir / "hypotheses.yaml").read_text(encoding="utf-8") == original and report.files == []
    # A rating made in the store reaches the file as one changed line, and a rebuild keeps it.
    with store.change(author="bo", message="rate") as cs:
        cs.assess("durable-alignment", "2001-russia-china-treaty-of-good-neighbourliness", rating="CC")
    eventlog.export(store, events_dir)
    text = (events_dir / "hypotheses.yaml").read_text(encoding="utf-8")
    assert text != original and text.count("rating: CC") == original.count("rating: CC") + 1
    assert eventlog.build(events_dir, db, author="ana", message="again").changeset is None


def test_an_assessment_of_an_unknown_event_fails_the_folder_check(events_dir: Path) -> None:
    path = events_dir / "hypotheses.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "- hypothesis: durable-alignment\n  event: no-such-event\n"
                    "  rating: C\n", encoding="utf-8")
    _ds, errors = eventlog.check_dataset(events_dir)
    assert [(e.file, e.record, e.field) for e in errors] == [(str(path), "durable-alignment|no-such-event", "event")]
    path.write_text("hypotheses: []\nratings: []\n", encoding="utf-8")
    _ds, errors = eventlog.check_dataset(events_dir)
    assert len(errors) == 1 and "unknown section 'ratings'" in str(errors[0])


def test_cli_assess_hypotheses_and_ach(tmp_path: Path, events_dir: Path) -> None:
    db = tmp_path / "s.duckdb"
    eventlog.build(events_dir, db, author="ana", message="build")
    run = CliRunner().invoke(cli, ["assess", "--db", str(db), "--author", "bo", "durable-alignment",
                                   "2024-05-16-putin-visit-china-beijing-harbin", "c", "--note", "a state visit"])
    assert run.exit_code == 0, run.output
    assert "durable-alignment x 2024-05-16-putin-visit-china-beijing-harbin C; leading:" in run.output
    out = CliRunner().invoke(cli, ["ach", "--db", str(db), "--format", "csv", "--diagnostic"])
    assert out.exit_code == 0 and out.output.splitlines()[0].startswith("event,title,date,credibility,weight,")
    ranked = CliRunner().invoke(cli, ["hypotheses", "--db", str(db), "--format", "json"])
    assert ranked.exit_code == 0 and '"rank"' in ranked.output
    bad = CliRunner().invoke(cli, ["assess", "--db", str(db), "nope", "2014-russia-annexes-crimea", "I"])
    assert bad.exit_code == 1 and "unknown hypothesis 'nope'" in bad.output and "Traceback" not in bad.output
    shutil.rmtree(events_dir)
