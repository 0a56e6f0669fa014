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
    order = list(load_candidates(cands, "confidence"))  # prompts: the surest first
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


def test_a_merge_proposal_says_why_and_enter_never_merges(folders: tuple[Path, Path, Path]) -> None:
    ev, cands, _doc = folders
    treaty = next(d for _p, d in load_candidates(cands).values() if d["type"] == "treaty")
    assert treaty["merge_why"].startswith("same type treaty; dates 2001-07-16..2001-07-16 within 2001-01-01..2001-12-31")
    assert "shared actors: china, russia" in treaty["merge_why"]
    res = CliRunner().invoke(review_cmd, [str(cands), "--events", str(ev), "--interactive"], input="\n\n\n")
    assert res.exit_code == 0, res.output
    assert "because: same type treaty" in res.output
    # Enter accepted the visit (no proposal) and skipped the treaty (a proposal): nothing merged.
    assert "accepted 1, merged 0, rejected 0" in res.output and "1 still pending" in res.output
    assert load_dataset(ev).events["2001-treaty"].sources == []
    assert [d["type"] for _p, d in load_candidates(cands).values()] == ["treaty"]


def test_each_decision_is_saved_as_it_is_made_and_the_review_resumes(folders: tuple[Path, Path, Path]) -> None:
    ev, cands, _doc = folders
    order = list(load_candidates(cands, "confidence"))
    first_type = load_candidates(cands)[order[0]][1]["type"]
    # Decide the first, then quit: that decision is in events/ already.
    res = CliRunner().invoke(review_cmd, [str(cands), "--events", str(ev), "--interactive"],
                             input=("m\n\n" if first_type == "treaty" else "a\n") + "q\n")
    assert res.exit_code == 0, res.output
    assert len(load_candidates(cands)) == 1
    ds = load_dataset(ev)
    assert (ds.events["2001-treaty"].sources != []) == (first_type == "treaty")
    # The next run asks only about what is left.
    rest = CliRunner().invoke(review_cmd, [str(cands), "--events", str(ev), "--interactive"], input="r\n")
    assert rest.exit_code == 0 and "rejected 1" in rest.output and load_candidates(cands) == {}


def test_review_stops_before_any_question_when_a_document_is_not_registered(folders: tuple[Path, Path, Path]) -> None:
    ev, cands, _doc = folders
    (ev / "sources.yaml").write_text("[]\n", encoding="utf-8")
    res = CliRunner().invoke(review_cmd, [str(cands), "--events", str(ev), "--interactive"], input="a\na\n")
    assert res.exit_code != 0
    assert "cite source 'brief-2024'" in str(res.exception) and "eventlog source add" in str(res.exception)
    assert "[a]ccept" not in res.output and len(load_candidates(cands)) == 2


def test_merge_reasons_need_a_shared_actor_or_figure_and_no_conflicting_figure() -> None:
    from datetime import date

    from eventlog._extract.candidates import merge_reasons
    from eventlog._models import Event

    ev = Event(id="t", type="trade", title="t", date="2024-01/2024-11", actors=["russia", "china"],
               amounts=[{"value": 222e9, "unit": "USD", "measure": "trade"}])
    year = (date(2024, 1, 1), date(2024, 12, 31))
    assert merge_reasons("trade", *year, ["russia"], [(245e9, "USD")], ev) is None  # another figure
    assert merge_reasons("trade", date(2024, 2, 1), date(2024, 2, 29), [], [], ev) is None  # nothing shared
    assert merge_reasons("trade", date(2024, 2, 1), date(2024, 2, 29), [], [(222.5e9, "USD")], ev)[-1] == \
        "shared figure: 222.5 billion USD"
    assert merge_reasons("sanction", date(2024, 2, 1), date(2024, 2, 29), ["russia"], [], ev) is None
    assert merge_reasons("trade", date(2023, 12, 1), date(2024, 1, 31), ["russia"], [], ev) is None  # only touching


def test_source_add_registers_a_document_and_extract_then_finds_it(folders: tuple[Path, Path, Path],
                                                                     tmp_path: Path) -> None:
    import hashlib

    from eventlog._extract.cli import source_cmd

    ev, _cands, _doc = folders
    new = tmp_path / "nieuw-bericht.txt"
    new.write_text("Poetin kwam op 4 februari 2022 aan in Peking voor een bezoek.\n", encoding="utf-8")
    # Unknown to the registry: extract says so, with the command that fixes it (no terminal to ask on).
    out = CliRunner().invoke(extract_cmd, [str(new), "--events", str(ev), "--out", str(tmp_path / "c1")])
    assert out.exit_code == 0 and "is not in" in out.output and "eventlog source add" in out.output
    assert "no document date for nieuw-bericht.txt" in out.output
    res = CliRunner().invoke(source_cmd, ["add", str(new), "--title", "Poetin in Peking", "--published", "2022-02-04",
                                          "--publisher", "tests", "--events", str(ev)])
    assert res.exit_code == 0, res.output
    src = load_dataset(ev).sources["nieuw-bericht"]
    assert (src.language, src.published) == ("nl", "2022-02-04")
    assert src.sha256 == hashlib.sha256(new.read_bytes()).hexdigest()
    again = CliRunner().invoke(source_cmd, ["add", str(new), "--title", "x", "--published", "2022", "--events", str(ev)])
    assert again.exit_code != 0 and "taken" in str(again.exception)
    out = CliRunner().invoke(extract_cmd, [str(new), "--events", str(ev), "--out", str(tmp_path / "c2")])
    assert out.exit_code == 0 and "is not in" not in out.output and "no document date" not in out.output
    visit = next(d for _p, d in load_candidates(tmp_path / "c2").values())
    assert visit["sources"][0]["source"] == "nieuw-bericht" and visit["date"] == "2022-02-04"
    review = CliRunner().invoke(review_cmd, [str(tmp_path / "c2"), "--events", str(ev), "--interactive"], input="a\n")
    assert review.exit_code == 0 and "accepted 1" in review.output


def test_without_a_document_date_an_open_since_stays_open_and_says_so(folders: tuple[Path, Path, Path],
                                                                      tmp_path: Path) -> None:
    ev, _cands, _doc = folders
    doc = tmp_path / "undated.txt"
    doc.write_text("Since 2019 Russia and China have held joint naval drills every year.\n", encoding="utf-8")
    out = CliRunner().invoke(extract_cmd, [str(doc), "--events", str(ev), "--out", str(tmp_path / "c")])
    assert out.exit_code == 0, out.output
    (cand,) = [d for _p, d in load_candidates(tmp_path / "c").values()]
    assert cand["date"] == "2019/.." and "document date is unknown" in cand["notes"]  # never 2019 alone


def test_an_edited_date_is_named_in_the_notes_and_the_old_reading_kept_as_such(folders: tuple[Path, Path, Path]) -> None:
    _ev, cands, _doc = folders
    cid = _ids(cands)["visit"]
    before = load_candidates(cands)[cid][1]["notes"]
    assert "resolved to 2024-05-16" in before
    after = edit_candidate(cands, cid, "date", "2024-05-16/2024-05-17")["notes"]
    assert "resolved to" not in after
    assert "read by extraction as 2024-05-16" in after and "set to 2024-05-16/2024-05-17 in review" in after
    assert edit_candidate(cands, cid, "type", "meeting")["notes"].endswith("Type set to meeting in review (extraction read visit).")


def test_the_review_asks_about_the_surest_candidates_first_and_says_how_each_was_found(
        folders: tuple[Path, Path, Path]) -> None:
    ev, cands, _doc = folders
    by_file = load_candidates(cands)
    surest = list(load_candidates(cands, "confidence"))
    conf = {cid: float(d["confidence"]) for cid, (_p, d) in by_file.items()}
    assert [conf[c] for c in surest] == sorted(conf.values(), reverse=True)
    assert all("trigger" in d["found_by"] for _p, d in by_file.values())
    # an unsure candidate edited to the top comes first; --order file keeps file-name order
    last = surest[-1]
    edit_candidate(cands, last, "confidence", "0.99")
    listed = CliRunner().invoke(review_cmd, [str(cands), "--events", str(ev), "--list"]).output
    assert listed.index(last) < min(listed.index(c) for c in surest[:-1])
    assert "found by:" in listed
    in_files = CliRunner().invoke(review_cmd, [str(cands), "--events", str(ev), "--list", "--order", "file"]).output
    assert [c for c in sorted(by_file)] == sorted(by_file, key=in_files.index)
