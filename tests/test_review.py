"""Reviewing candidates: accept, merge, edit, reject; all or nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from eventlog._errors import NotFound, ValidationError
from eventlog._extract.cli import extract_cmd, review_cmd
from eventlog._extract.review import ReviewPlan, apply_review, edit_candidate, load_candidates
from eventlog._files.folder import check_dataset, load_dataset

REPO_EVENTS = Path(__file__).resolve().parents[1] / "events"

ACTORS = [
    {"id": "russia", "name": "Russia", "category": "state", "aliases": {"en": ["Russia"], "nl": ["Rusland"]}},
    {"id": "china", "name": "China", "category": "state", "aliases": {"en": ["China", "Beijing"], "nl": ["China", "Peking"]}},
    {"id": "vladimir-putin", "name": "Vladimir Putin", "category": "person", "aliases": {"en": ["Putin"], "nl": ["Poetin"]}},
]
SOURCE = {"id": "brief-2024", "file": "brief.txt", "title": "A brief", "publisher": "tests", "language": "en",
          "published": "2024-05-15", "sha256": "0" * 64}
TEXT = "Putin visited Beijing on 16 May 2024.\nRussia and China signed a treaty in 2001.\n"


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(events folder, candidate folder, document): one existing treaty event; extraction already run."""
    ev = tmp_path / "events"
    (ev / "events").mkdir(parents=True)
    (ev / "actors.yaml").write_text(yaml.safe_dump(ACTORS), encoding="utf-8")
    (ev / "sources.yaml").write_text(yaml.safe_dump([SOURCE]), encoding="utf-8")
    (ev / "events" / "2001-treaty.yaml").write_text(
        yaml.safe_dump({"id": "2001-treaty", "type": "treaty", "title": "Treaty of friendship", "date": "2001-07-16",
                        "actors": ["russia", "china"]}),
        encoding="utf-8",
    )
    doc = tmp_path / "brief.txt"
    doc.write_text(TEXT, encoding="utf-8")
    cands = tmp_path / "cands"
    res = CliRunner().invoke(extract_cmd, [str(doc), "--events", str(ev), "--out", str(cands)])
    assert res.exit_code == 0, res.output
    return ev, cands, doc


def _ids(cands: Path) -> dict[str, str]:
    return {data["type"]: cid for cid, (_p, data) in load_candidates(cands).items()}


def test_extract_proposes_a_merge_for_a_known_event(folders: tuple[Path, Path, Path]) -> None:
    _ev, cands, _doc = folders
    by_type = {d["type"]: d for _p, d in load_candidates(cands).values()}
    assert by_type["treaty"]["merge_into"] == "2001-treaty"
    assert "merge_into" not in by_type["visit"]


def test_accept_and_merge(folders: tuple[Path, Path, Path]) -> None:
    ev, cands, _doc = folders
    ids = _ids(cands)
    result = apply_review(cands, ev, ReviewPlan(accept=[ids["visit"]], merge={ids["treaty"]: "2001-treaty"}))
    ds = load_dataset(ev)
    new = ds.events[result.accepted[0]]
    assert new.status == "confirmed" and new.type == "visit" and new.date == "2024-05-16"
    assert set(new.actors) == {"vladimir-putin", "china"}
    assert new.sources[0].source == "brief-2024" and TEXT[slice(*new.sources[0].span)].startswith("Putin visited")
    assert "evidence" not in (ev / "events" / f"{new.id}.yaml").read_text(encoding="utf-8")  # never copy sentences
    treaty = ds.events["2001-treaty"]
    assert [r.source for r in treaty.sources] == ["brief-2024"]
    assert treaty.title == "Treaty of friendship"  # curated fields untouched
    assert load_candidates(cands) == {}
    assert len(list((cands / "done").glob("*.yaml"))) == 2


def test_invalid_result_writes_nothing(folders: tuple[Path, Path, Path]) -> None:
    ev, cands, _doc = folders
    ids = _ids(cands)
    edit_candidate(cands, ids["visit"], "actors", "vladimir-putin, atlantis")
    before = sorted(p.name for p in (ev / "events").iterdir())
    with pytest.raises(ValidationError, match="atlantis"):
        apply_review(cands, ev, ReviewPlan(accept=[ids["visit"]], merge={ids["treaty"]: "2001-treaty"}))
    assert sorted(p.name for p in (ev / "events").iterdir()) == before
    assert load_dataset(ev).events["2001-treaty"].sources == []
    assert set(load_candidates(cands)) == set(ids.values())  # nothing filed away


def test_edit_checks_fields(folders: tuple[Path, Path, Path]) -> None:
    _ev, cands, _doc = folders
    cid = _ids(cands)["visit"]
    assert edit_candidate(cands, cid, "date", "2024-05-16/2024-05-17")["date"] == "2024-05-16/2024-05-17"
    with pytest.raises(ValidationError, match="not an EDTF date"):
        edit_candidate(cands, cid, "date", "mid May")
    with pytest.raises(ValidationError, match="unknown type"):
        edit_candidate(cands, cid, "type", "party")
    with pytest.raises(ValidationError, match="cannot edit"):
        edit_candidate(cands, cid, "status", "confirmed")
    with pytest.raises(NotFound):
        edit_candidate(cands, "nope", "title", "x")
    renamed = edit_candidate(cands, cid, "id", "2024-05-putin-beijing")
    assert renamed["id"] == "2024-05-putin-beijing" and (cands / "2024-05-putin-beijing.yaml").exists()


def test_reject_and_unknown_ids(folders: tuple[Path, Path, Path]) -> None:
    ev, cands, _doc = folders
    ids = _ids(cands)
    apply_review(cands, ev, ReviewPlan(reject=[ids["visit"]]))
    assert (cands / "rejected" / f"{ids['visit']}.yaml").exists()
    with pytest.raises(NotFound):
        apply_review(cands, ev, ReviewPlan(accept=["no-such-candidate"]))
    with pytest.raises(NotFound, match="no event"):
        apply_review(cands, ev, ReviewPlan(merge={ids["treaty"]: "no-such-event"}))


def test_cli_review_flags(folders: tuple[Path, Path, Path]) -> None:
    ev, cands, _doc = folders
    ids = _ids(cands)
    runner = CliRunner()
    listing = runner.invoke(review_cmd, [str(cands), "--events", str(ev)])  # not a TTY: lists
    assert listing.exit_code == 0 and "2 pending candidate(s)" in listing.output and "2001-treaty" in listing.output
    res = runner.invoke(review_cmd, [str(cands), "--events", str(ev), "--set", ids["visit"], "title=Putin in Beijing",
                                     "--accept", ids["visit"], "--merge", f"{ids['treaty']}=2001-treaty"])
    assert res.exit_code == 0, res.output
    assert "accepted 1, merged 1, rejected 0" in res.output
    ds = load_dataset(ev)
    assert any(e.title == "Putin in Beijing" and e.status == "confirmed" for e in ds.events.values())


def test_cli_all_accept(folders: tuple[Path, Path, Path]) -> None:
    ev, cands, _doc = folders
    res = CliRunner().invoke(review_cmd, [str(cands), "--events", str(ev), "--all-accept"])
    assert res.exit_code == 0, res.output
    assert "accepted 1, merged 1" in res.output


def test_cli_interactive(folders: tuple[Path, Path, Path]) -> None:
    ev, cands, _doc = folders
    order = sorted(load_candidates(cands))  # prompts follow file-name order
    answers = "\n".join("r" if load_candidates(cands)[cid][1]["type"] == "visit" else "m\n" for cid in order) + "\n"
    res = CliRunner().invoke(review_cmd, [str(cands), "--events", str(ev), "--interactive"], input=answers)
    assert res.exit_code == 0, res.output
    assert "merged 1, rejected 1" in res.output


def test_accept_into_a_copy_of_the_real_events_folder(tmp_path: Path) -> None:
    ev = tmp_path / "events"
    shutil.copytree(REPO_EVENTS, ev)
    _ds, problems = check_dataset(ev)
    assert problems == []  # the curated folder is valid (tests/test_events.py says why when not)
    doc = tmp_path / "note.txt"
    doc.write_text("Op 3 maart 2031 bracht Poetin een staatsbezoek aan Peking.", encoding="utf-8")
    cands = tmp_path / "cands"
    assert CliRunner().invoke(extract_cmd, [str(doc), "--events", str(ev), "--out", str(cands)]).exit_code == 0
    (cid, (_p, data)), = load_candidates(cands).items()
    assert data["type"] == "visit" and data["date"] == "2031-03-03"
    with pytest.raises(ValidationError, match="unknown source 'note'") as info:  # not in sources.yaml yet
        apply_review(cands, ev, ReviewPlan(accept=[cid]))
    assert str(ev) in str(info.value) and "eventlog-review" not in str(info.value)
    with (ev / "sources.yaml").open("a", encoding="utf-8") as fh:
        fh.write(yaml.safe_dump([{**SOURCE, "id": "note", "file": "note.txt", "language": "nl"}]))
    result = apply_review(cands, ev, ReviewPlan(accept=[cid]))
    assert load_dataset(ev).events[result.accepted[0]].date == "2031-03-03"
