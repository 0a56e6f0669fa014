"""The reporting clock and graded sources: known_by, first_reported, independent sources, grades."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import eventlog
from eventlog._cli import main as cli
from eventlog._dates import parse_edtf
from eventlog._files.folder import load_dataset
from eventlog._reporting import grade, lineage
from tests.helpers import EVENTS, make_event


def _source(sid: str, published: str = "2024", derived_from: str | None = None, reliability: str | None = None) -> eventlog.Source:
    return eventlog.Source(id=sid, file=f"{sid}.txt", title=sid, publisher="p", language="en", published=published,
                           sha256="0" * 64, derived_from=derived_from, reliability=reliability)


@pytest.fixture(scope="module")
def dataset_store(tmp_path_factory: pytest.TempPathFactory) -> eventlog.Store:
    """The real dataset, built without the corpus (grades and dates do not need it)."""
    db = tmp_path_factory.mktemp("reporting") / "dataset.duckdb"
    eventlog.build(EVENTS, db, author="tester", message="dataset")
    return eventlog.open(db)


@pytest.fixture(scope="module")
def dataset() -> eventlog.Dataset:
    return load_dataset(EVENTS)


# -- lineage ------------------------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=30))
def test_lineage_roots_are_the_ends_of_every_derived_from_chain(parents: list[int]) -> None:
    # Source i derives from a source with a smaller number (or none): a forest, never a circle.
    sources = {f"s{i}": _source(f"s{i}", derived_from=f"s{p % i}" if i and p < 20 else None) for i, p in enumerate(parents)}
    roots = lineage(sources)
    for sid, root in roots.items():
        assert sources[root].derived_from is None
        cur = sid
        while sources[cur].derived_from is not None:
            cur = sources[cur].derived_from
        assert cur == root


def test_a_derived_from_circle_or_unknown_source_is_one_line_naming_record_and_field() -> None:
    with pytest.raises(eventlog.ValidationError, match="circle: a -> b -> a") as exc:
        lineage({"a": _source("a", derived_from="b"), "b": _source("b", derived_from="a")}, file="sources.yaml")
    assert (exc.value.file, exc.value.field) == ("sources.yaml", "derived_from")
    with pytest.raises(eventlog.ValidationError, match="unknown source 'zz'") as exc:
        lineage({"a": _source("a", derived_from="zz")})
    assert exc.value.record == "a"
    with pytest.raises(eventlog.ValidationError, match="cannot derive from itself"):
        _source("a", derived_from="a")


def test_grades_are_refused_outside_the_code() -> None:
    with pytest.raises(eventlog.ValidationError, match="reliability"):
        _source("a", reliability="G")
    for bad in (0, 7, "2", True):
        with pytest.raises(eventlog.ValidationError, match="credibility"):
            eventlog.Citation(source="a", span=(0, 1), credibility=bad)
    assert grade("B", 2) == "B2"


# -- known_by on the real dataset -------------------------------------------------------------

def _published_end(ds: eventlog.Dataset) -> dict[str, dt.date]:
    return {sid: parse_edtf(s.published).end for sid, s in ds.sources.items()}


@pytest.mark.parametrize("day", ["2023-06-30", "2023-12-31", "2024-04-30", "2024-05-14", "2024-05-15", "2024-12-31",
                                 "2025-12-31"])
def test_known_by_keeps_what_a_source_had_certainly_published_for_every_event(dataset_store, dataset, day) -> None:
    by = dt.date.fromisoformat(day)
    ends = _published_end(dataset)
    expected = {}
    for eid, ev in dataset.events.items():
        known = sorted({c.source for c in ev.sources if ends[c.source] <= by})
        if known:
            expected[eid] = known
    got = dataset_store.query(known_by=day)
    assert dict(zip(got["id"], got["sources"].to_list(), strict=True)) == expected
    assert got["n_sources"].to_list() == [len(expected[i]) for i in got["id"]]
    assert dataset_store.count(known_by=day) == len(expected)
    for row in got.iter_rows(named=True):  # the first report is among those known by then
        first = min(parse_edtf(dataset.sources[s].published).start for s in row["sources"])
        assert parse_edtf(row["first_reported"]).start == first


def test_first_reported_and_independent_sources_for_every_event(dataset_store, dataset) -> None:
    roots = lineage(dataset.sources)
    frame = dataset_store.query()
    assert frame.height == len(dataset.events)
    for row in frame.iter_rows(named=True):
        cited = {c.source for c in dataset.events[row["id"]].sources}
        if not cited:
            assert row["first_reported"] is None
            continue
        earliest = min(cited, key=lambda s: (parse_edtf(dataset.sources[s].published).start,
                                             parse_edtf(dataset.sources[s].published).end, s))
        assert row["first_reported"] == dataset.sources[earliest].published
        assert row["n_independent_sources"] == len({roots[s] for s in cited})


def test_min_grades_keep_events_with_one_citation_meeting_both(dataset_store, dataset) -> None:
    rel = {sid: s.reliability for sid, s in dataset.sources.items()}
    assert all(rel.values()), "the five documents are graded"
    for min_rel, min_cred in [("A", None), ("B", None), ("C", None), (None, 1), (None, 2), ("B", 2), ("C", 1), ("B", 3)]:
        expected = {eid for eid, ev in dataset.events.items() if any(
            (min_rel is None or "ABCDEF".index(rel[c.source]) <= "ABCDEF".index(min_rel))
            and (min_cred is None or (c.credibility is not None and c.credibility <= min_cred)) for c in ev.sources)}
        got = dataset_store.query(min_reliability=min_rel, min_credibility=min_cred, columns=["id"])
        assert set(got["id"]) == expected, (min_rel, min_cred)
        assert dataset_store.count(min_reliability=min_rel, min_credibility=min_cred) == len(expected)


def test_every_citation_of_the_dataset_is_graded_with_a_reason(dataset) -> None:
    citations = [c for ev in dataset.events.values() for c in ev.sources] + [c for lk in dataset.links.values() for c in lk.sources]
    assert citations and all(c.credibility is not None and c.credibility_note for c in citations)
    assert all(s.reliability and s.reliability_note for s in dataset.sources.values())


def test_the_grades_column_and_lookup_agree_with_the_citations(dataset_store, dataset) -> None:
    frame = dataset_store.query(columns=["id", "version", "grades"])
    looked_up = dataset_store.grades(zip(frame["id"], frame["version"], strict=True))
    for eid, grades in zip(frame["id"], frame["grades"].to_list(), strict=True):
        ev = dataset.events[eid]
        expected = sorted({f"{c.source} {grade(dataset.sources[c.source].reliability, c.credibility)}" for c in ev.sources})
        assert grades == expected
        assert looked_up.get(eid, []) == expected


# -- the three clocks together, on a store with a history -------------------------------------

@pytest.fixture
def reported_store(fresh_store: eventlog.Store) -> eventlog.Store:
    """Sources published in 2023 (a wire report and its copy) and mid-2024; three events citing them.
    Changeset 3 regrades the wire and adds a 2024 citation to the 2022 event."""
    with fresh_store.change(author="ana", message="sources") as cs:
        cs.put(_source("wire", "2023-03", reliability="B"))
        cs.put(_source("copy", "2023-04-02", derived_from="wire", reliability="C"))
        cs.put(_source("brief", "2024-06", reliability="A"))
        cs.put(make_event("e2022", date="2022-10", sources=[{"source": "wire", "span": [0, 5], "credibility": 2},
                                                            {"source": "copy", "span": [0, 5], "credibility": 3}]))
        cs.put(make_event("e2023", date="2023-02", sources=[{"source": "brief", "span": [0, 5], "credibility": 1}]))
        cs.put(make_event("e2021", date="2021", sources=[{"source": "copy", "span": [9, 12]}]))
    with fresh_store.change(author="bo", message="regrade and a second source") as cs:
        cs.put(_source("wire", "2023-03", reliability="D"))
        e = fresh_store.get("e2022")
        cs.put(e.model_copy(update={"sources": [*e.sources, eventlog.Citation(source="brief", span=(1, 4), credibility=1)]}))
    return fresh_store


def test_known_by_combines_with_as_of_and_the_event_dates(reported_store: eventlog.Store) -> None:
    s = reported_store
    # What did the store say at changeset 2 about events of 2022, reported by the end of 2023?
    then = s.query(known_by="2023", as_of=2, start="2022", end="2022")
    assert then["id"].to_list() == ["e2022"]
    assert then["sources"].to_list() == [["copy", "wire"]]
    assert then["n_independent_sources"].to_list() == [1]  # the copy repeats the wire
    assert then["first_reported"].to_list() == ["2023-03"]
    now = s.query(start="2022", end="2022")
    assert now["sources"].to_list() == [["brief", "copy", "wire"]] and now["n_independent_sources"].to_list() == [2]
    # By mid-April 2023 only the wire report was certainly out (the copy came on 2 April).
    early = s.query(known_by="2023-03-31")
    assert early["id"].to_list() == ["e2022"] and early["sources"].to_list() == [["wire"]]
    assert s.query(known_by="2023-04-02")["id"].to_list() == ["e2021", "e2022"]
    assert s.count(known_by="2024-06-30") == 3
    assert s.query(known_by="2024-05", columns=["id"])["id"].to_list() == ["e2021", "e2022"]


def test_grades_follow_as_of(reported_store: eventlog.Store) -> None:
    s = reported_store
    assert s.query(min_reliability="B", as_of=2, columns=["id"])["id"].to_list() == ["e2022", "e2023"]
    # The wire was regraded D: e2022 now meets B only through the brief it cites since.
    assert s.query(min_reliability="B", columns=["id"])["id"].to_list() == ["e2022", "e2023"]
    assert s.query(min_reliability="B", min_credibility=2, as_of=2, columns=["id"])["id"].to_list() == ["e2022", "e2023"]
    assert s.query(id="e2022", columns=["grades"], as_of=2)["grades"].to_list() == [["copy C3", "wire B2"]]
    assert s.query(id="e2022", columns=["grades"])["grades"].to_list() == [["brief A1", "copy C3", "wire D2"]]
    assert s.query(id="e2021", columns=["grades"])["grades"].to_list() == [["copy C?"]]
    blame = s.blame("wire", kind="source")
    assert blame.filter(pl.col("field") == "reliability")["author"].to_list() == ["bo"]


def test_a_source_deriving_from_nothing_known_or_in_a_circle_is_refused_by_the_store(reported_store) -> None:
    s = reported_store
    head = s.last_changeset()
    with pytest.raises(eventlog.ValidationError, match="unknown source 'gone'"), s.change(author="a", message="m") as cs:
        cs.put(_source("reprint", derived_from="gone"))
    with pytest.raises(eventlog.ValidationError, match="circle"), s.change(author="a", message="m") as cs:
        cs.put(_source("wire", "2023-03", derived_from="copy"))
    with pytest.raises(eventlog.ValidationError, match="derives from it") as exc, s.change(author="a", message="m") as cs:
        cs.delete("wire", reason="r", kind="source")
    assert exc.value.record == "wire"
    assert s.last_changeset() == head


def test_bad_reporting_filters_are_one_validation_error(fresh_store) -> None:
    for kwargs, field in [({"known_by": "soon"}, "known_by"), ({"min_reliability": "Z"}, "min_reliability"),
                          ({"min_credibility": 0}, "min_credibility"), ({"min_credibility": "2"}, "min_credibility")]:
        with pytest.raises(eventlog.ValidationError) as exc:
            fresh_store.query(**kwargs)
        assert exc.value.field == field


def test_a_derived_from_naming_an_unknown_source_fails_the_folder_check(events_dir: Path) -> None:
    path = events_dir / "sources.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  notes: Dated by its discussion",
                                                             "  derived_from: nowhere\n  notes: Dated by its discussion"),
                    encoding="utf-8")
    _ds, errors = eventlog.check_dataset(events_dir)
    assert [(e.file, e.record, e.field) for e in errors] == [(str(path), "kcl-interview-2024-04", "derived_from")]


# -- CLI ----------------------------------------------------------------------------------------

def test_cli_query_known_by_and_grades(dataset_store: eventlog.Store, dataset, tmp_path: Path) -> None:
    db = tmp_path / "copy.duckdb"
    shutil.copy(dataset_store.location, db)
    run = CliRunner().invoke(cli, ["query", "--db", str(db), "--known-by", "2024-04-30", "--min-reliability", "c",
                                   "--format", "json"])
    assert run.exit_code == 0, run.output
    rows = [json.loads(line) for line in run.output.splitlines() if line.strip()]  # one object per line
    assert len(rows) == dataset_store.count(known_by="2024-04-30", min_reliability="C")
    assert {r["first_reported"] for r in rows} <= {"2023", "2024-04"}
    show = CliRunner().invoke(cli, ["show", "--db", str(db), "2014-russia-annexes-crimea"])
    assert show.exit_code == 0, show.output
    assert "grade B1 (source usually reliable; claim confirmed by other sources)" in show.output
    assert "2 independent of 2 source(s)" in show.output
    bad = CliRunner().invoke(cli, ["query", "--db", str(db), "--known-by", "soon"])
    assert bad.exit_code != 0 and "known_by" in bad.output and "Traceback" not in bad.output
