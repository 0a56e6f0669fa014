"""The events/ folder: loading checks everything, errors name file, line, record and field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

import eventlog
from eventlog import EventlogError, ValidationError, check_dataset, load_dataset
from eventlog._files.folder import dump_yaml, find_lookalikes, write_dataset

EVENTS = Path(__file__).resolve().parents[1] / "events"


@pytest.fixture(autouse=True)
def _no_corpus(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """tiny_events cites a document that is not in the shared corpus: build without one."""
    monkeypatch.setenv("EVENTLOG_CORPUS", str(tmp_path / "no-corpus"))


def write_event(root: Path, name: str, text: str) -> Path:
    path = root / "events" / f"{name}.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_load_tiny(tiny_events: Path) -> None:
    ds = load_dataset(tiny_events)
    assert set(ds.events) == {"e1", "e2"}
    assert set(ds.actors) == {"russia", "china"}
    assert ds.events["e2"].start.isoformat() == "2023-01-01" and ds.events["e2"].end.isoformat() == "2023-12-31"
    assert ds.files["event:e1"].endswith("e1.yaml")
    assert not ds.evidence_checked and not ds.quotes


def first_problem(root: Path) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        load_dataset(root)
    return info.value


@pytest.mark.parametrize(
    ("text", "field", "words", "line"),
    [
        ("id: e3\ntype: party\ntitle: T\ndate: '2024'\n", "type", "unknown type 'party'", 2),
        ("id: e3\ntype: visit\ntitle: T\ndate: '2024-13-01'\n", "date", "no such day: '2024-13-01'", 4),
        ("id: e3\ntype: visit\ntitle: T\ndate: 2024-05-17/2024-05-16\n", "date", "ends before it starts", 4),
        ("id: e3\ntype: visit\ntitle: T\ndate: sometime\n", "date", "not an EDTF date: 'sometime'", 4),
        ("id: e3\ntype: visit\ntitle: T\ndate: '2024'\nactors: [mars]\n", "actors", "unknown actor 'mars'", None),
        ("id: e3\ntype: visit\ntitle: T\ndate: '2024'\nsources: [{source: nowhere, span: [0, 2]}]\n", "sources",
         "unknown source 'nowhere'", None),
        ("id: e3\ntype: visit\ntitle: T\ndate: '2024'\ncolour: red\n", "colour", "unknown field", 5),
        ("id: e3\ntype: visit\ndate: '2024'\n", "title", "Field required", 1),
    ],
)
def test_bad_event_file_names_file_record_field(tiny_events: Path, text: str, field: str, words: str, line: int | None) -> None:
    path = write_event(tiny_events, "e3", text)
    err = first_problem(tiny_events)
    assert err.file == str(path)
    assert err.record == "e3"
    assert err.field == field
    assert words in str(err)
    assert str(path) in str(err)
    if line is not None:
        assert err.line == line
        assert f"{path}:{line}" in str(err)


def test_yaml_syntax_error_names_file_and_line(tiny_events: Path) -> None:
    path = write_event(tiny_events, "e3", "id: e3\ntype: visit\ntitle: [unclosed\ndate: '2024'\n")
    err = first_problem(tiny_events)
    assert err.file == str(path) and err.line in (3, 4)
    assert "YAML syntax error" in str(err) and f"{path}:{err.line}" in str(err)
    (tiny_events / "actors.yaml").write_text("- {id: russia, name: Russia\n")
    err = first_problem(tiny_events)
    assert err.file == str(tiny_events / "actors.yaml") and err.line is not None


def test_duplicate_event_ids(tiny_events: Path) -> None:
    write_event(tiny_events, "zz", "id: e1\ntype: visit\ntitle: T\ndate: '2024'\n")
    _, problems = check_dataset(tiny_events)
    texts = [str(p) for p in problems]
    assert len(problems) == 1 and "duplicate id 'e1'" in texts[0] and "zz.yaml" in texts[0] and "also in" in texts[0]
    assert problems[0].field == "id" and problems[0].record == "e1"


def test_file_name_must_be_the_id(tiny_events: Path) -> None:
    write_event(tiny_events, "zz", "id: e9\ntype: visit\ntitle: T\ndate: '2024'\n")
    err = first_problem(tiny_events)
    assert "file name must be the event id (e9.yaml)" in str(err) and err.file.endswith("zz.yaml")


def test_duplicate_actor_ids(tiny_events: Path) -> None:
    with (tiny_events / "actors.yaml").open("a") as f:
        f.write("- {id: china, name: PRC, kind: state}\n")
    err = first_problem(tiny_events)
    assert "duplicate id 'china'" in str(err) and err.field == "id"


def test_check_dataset_lists_every_problem(tiny_events: Path) -> None:
    write_event(tiny_events, "a", "id: a\ntype: party\ntitle: T\ndate: '2024'\n")
    write_event(tiny_events, "b", "id: b\ntype: visit\ntitle: T\ndate: '2024'\nactors: [mars]\n")
    write_event(tiny_events, "c", "id: c\ntype: visit\ntitle: T\ndate: '2024-00'\n")
    ds, problems = check_dataset(tiny_events)
    assert sorted(p.record for p in problems) == ["a", "b", "c"]
    assert ds is not None and {"e1", "e2"} <= set(ds.events)
    err = first_problem(tiny_events)
    assert "and 2 more problem(s)" in str(err)


def test_missing_registry_and_folder(tmp_path: Path, tiny_events: Path) -> None:
    with pytest.raises(ValidationError, match="no such events folder"):
        load_dataset(tmp_path / "nowhere")
    (tiny_events / "actors.yaml").unlink()
    with pytest.raises(ValidationError, match="missing registry file"):
        load_dataset(tiny_events)


def test_unknown_affiliation(tiny_events: Path) -> None:
    with (tiny_events / "actors.yaml").open("a") as f:
        f.write("- {id: vtb, name: VTB, kind: bank, affiliation: atlantis}\n")
    err = first_problem(tiny_events)
    assert err.record == "vtb" and err.field == "affiliation" and "atlantis" in str(err)


def test_links_file_is_checked(tiny_events: Path) -> None:
    (tiny_events / "links.yaml").write_text("- {cause: e1, effect: ghost, relation: causes}\n")
    err = first_problem(tiny_events)
    assert "unknown event 'ghost'" in str(err) and err.field == "effect"
    (tiny_events / "links.yaml").write_text("- {cause: e1, effect: e2, relation: enables}\n")
    assert list(load_dataset(tiny_events).links) == ["e1|e2|enables"]


def test_write_then_load_is_identical(tiny_events: Path, tmp_path: Path) -> None:
    ds = load_dataset(tiny_events)
    out = tmp_path / "out"
    counts = write_dataset(ds, out)
    assert counts == {"written": 4, "removed": 0}
    again = load_dataset(out)
    assert again.events == ds.events and again.actors == ds.actors and again.sources == ds.sources
    assert write_dataset(again, out) == {"written": 0, "removed": 0}  # unchanged files are not rewritten
    del again.events["e2"]
    assert write_dataset(again, out) == {"written": 0, "removed": 1}
    assert not (out / "events" / "e2.yaml").exists()


def test_dump_yaml_keeps_edtf_strings_strings() -> None:
    text = dump_yaml({"date": "2014", "d2": "2024-05-16", "span": [1, 2], "t": "a: b", "s": "two\nlines"})
    back = yaml.safe_load(text)
    assert back == {"date": "2014", "d2": "2024-05-16", "span": [1, 2], "t": "a: b", "s": "two\nlines"}
    assert "span: [1, 2]" in text


def test_lookalikes() -> None:
    mk = eventlog.Event
    a = mk(id="a", type="visit", title="A", date="2024-05", actors=["russia", "china"])
    b = mk(id="b", type="visit", title="B", date="2024-05-16", actors=["china", "russia"])
    c = mk(id="c", type="visit", title="C", date="2024-07", actors=["russia", "china"])
    d = mk(id="d", type="visit", title="D", date="2024-05-20", actors=["russia", "china"], distinct_from=["a", "b"])
    assert find_lookalikes({e.id: e for e in (a, b, c, d)}) == [("a", "b")]


def test_real_events_folder_loads() -> None:
    if not (EVENTS / "actors.yaml").exists():
        pytest.skip("no events/ folder yet")
    try:
        ds = load_dataset(EVENTS)
    except EventlogError as exc:  # pragma: no cover - a message worth reading
        pytest.fail(f"events/ does not load: {exc}")
    assert len(ds.events) == len(list((EVENTS / "events").glob("*.yaml")))
    for eid, path in ds.files.items():
        if eid.startswith("event:"):
            assert Path(path).stem == eid.split(":", 1)[1]
