"""One exception tree; every bad input is a clear EventlogError and leaves the store as it was."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import eventlog
from eventlog import (
    CorpusError,
    EventlogError,
    LinkRejected,
    MergeConflict,
    NotFound,
    StoreLocked,
    ValidationError,
    VersionConflict,
)
from tests.helpers import make_event


def test_tree() -> None:
    for cls in (ValidationError, VersionConflict, NotFound, StoreLocked, CorpusError, LinkRejected):
        assert issubclass(cls, EventlogError)
    assert issubclass(LinkRejected, ValidationError)
    assert issubclass(ValidationError, ValueError) and issubclass(NotFound, LookupError)
    assert not issubclass(VersionConflict, ValidationError)
    import eventlog._errors as errors

    assert sorted(errors.__all__) == sorted(c.__name__ for c in (EventlogError, ValidationError, VersionConflict, NotFound,
                                                                  StoreLocked, CorpusError, LinkRejected, MergeConflict))
    assert issubclass(MergeConflict, VersionConflict)


def test_validation_error_names_where() -> None:
    e = ValidationError("unknown actor 'xx'", file="events/a.yaml", record="e1", field="actors", line=7)
    assert str(e) == "events/a.yaml:7: e1: actors: unknown actor 'xx'"
    assert (e.message, e.file, e.record, e.field, e.line) == ("unknown actor 'xx'", "events/a.yaml", "e1", "actors", 7)
    assert str(ValidationError("bad")) == "bad"
    assert str(ValidationError("bad", field="as_of")) == "as_of: bad"


def test_one_clause_catches_everything(populated_store: eventlog.Store) -> None:
    attempts = [
        lambda: populated_store.get("ghost"),
        lambda: populated_store.query(as_of=99),
        lambda: populated_store.query(as_of="1900-01-01"),
        lambda: populated_store.query(start="whenever"),
        lambda: populated_store.revert(99, author="x"),
        lambda: eventlog.parse_edtf("sometime"),
        lambda: eventlog.open("/nonexistent/dir/x.duckdb"),
    ]
    for attempt in attempts:
        with pytest.raises(EventlogError) as info:
            attempt()
        assert "\n" not in str(info.value) and str(info.value)


# -- every bad input in an events folder: a clear error, and the store is unchanged -------------
BAD_FILES = {
    "unknown type": ("id: x\ntype: party\ntitle: T\ndate: '2024'\n", ("type", "unknown type 'party'")),
    "unknown actor": ("id: x\ntype: visit\ntitle: T\ndate: '2024'\nactors: [atlantis]\n", ("actors", "unknown actor 'atlantis'")),
    "unknown source": ("id: x\ntype: visit\ntitle: T\ndate: '2024'\nsources: [{source: nope, span: [0, 3]}]\n",
                       ("sources", "unknown source 'nope'")),
    "month 13": ("id: x\ntype: visit\ntitle: T\ndate: '2024-13-01'\n", ("date", "'2024-13-01'")),
    "end before start": ("id: x\ntype: visit\ntitle: T\ndate: 2024-05-17/2024-05-16\n", ("date", "ends before it starts")),
    "sometime": ("id: x\ntype: visit\ntitle: T\ndate: sometime\n", ("date", "'sometime'")),
    "duplicate id": ("id: e1\ntype: visit\ntitle: T\ndate: '2024'\n", ("id", "duplicate id 'e1'")),
    "yaml syntax": ("id: x\ntype: visit\ntitle: 'unclosed\ndate: '2024'\n", (None, "YAML syntax error")),
    "bad span": ("id: x\ntype: visit\ntitle: T\ndate: '2024'\nsources: [{source: doc, span: [9, 2]}]\n", ("sources", "span")),
}


@pytest.fixture
def built(tiny_events: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    monkeypatch.setenv("EVENTLOG_CORPUS", str(tmp_path / "no-corpus"))
    db = tmp_path / "s.duckdb"
    eventlog.build(tiny_events, db)
    with eventlog.open(db) as s, s.change(author="a", message="second") as cs:
        cs.put(make_event("extra", sources=[], actors=["russia"]))
    return tiny_events, db


def dump(db: Path) -> dict:
    with eventlog.open(db, read_only=True) as s:
        return {t: s.sql(f"SELECT * FROM {t} ORDER BY ALL").to_dicts()
                for t in ("changesets", "event_versions", "actor_versions", "source_versions", "head", "evidence")}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_fails_build_and_changes_nothing(built: tuple[Path, Path], case: str) -> None:
    events, db = built
    text, (field, words) = BAD_FILES[case]
    name = "zz-bad" if case == "duplicate id" else "x"
    path = events / "events" / f"{name}.yaml"
    path.write_text(text)
    before = dump(db)
    with pytest.raises(ValidationError) as info:
        eventlog.build(events, db)
    err = info.value
    assert words in str(err) and str(path) in str(err)
    assert err.file == str(path)
    if field:
        assert err.field.split(".")[0] == field
    if case == "yaml syntax":
        assert err.line is not None and f"{path}:{err.line}" in str(err)
    assert dump(db) == before


def test_bad_registry_entries(built: tuple[Path, Path]) -> None:
    events, db = built
    before = dump(db)
    actors = events / "actors.yaml"
    good = actors.read_text()
    for extra, words in [("- {id: china, name: PRC, kind: state}\n", "duplicate id 'china'"),
                         ("- {id: x, name: X, kind: planet}\n", "kind"),
                         ("- {id: x, name: X, kind: bank, affiliation: atlantis}\n", "unknown actor 'atlantis'")]:
        actors.write_text(good + extra)
        with pytest.raises(ValidationError, match=words):
            eventlog.build(events, db)
    actors.write_text(good)
    (events / "sources.yaml").write_text(textwrap.dedent("""\
        - {id: doc, file: doc.txt, title: Doc, publisher: us, language: xx, published: '2024', sha256: 'x'}
        """))
    with pytest.raises(ValidationError, match="sources.yaml"):
        eventlog.build(events, db)
    assert dump(db) == before


def test_bad_writes_through_the_api(built: tuple[Path, Path]) -> None:
    _, db = built
    before = dump(db)
    with eventlog.open(db) as s:
        for bad, exc in [
            (lambda cs: cs.put(make_event("n1", actors=["atlantis"])), ValidationError),
            (lambda cs: cs.put(make_event("n2", sources=[{"source": "nope", "span": [0, 1]}])), ValidationError),
            (lambda cs: cs.put(s.get("e1"), expected_version=7), VersionConflict),
            (lambda cs: cs.delete("ghost", reason="r"), NotFound),
            (lambda cs: cs.put({"id": "n3", "type": "visit", "title": "T", "date": "2024-13-01"}), ValidationError),
            (lambda cs: cs.put({"id": "n3", "type": "party", "title": "T", "date": "2024"}), ValidationError),
        ]:
            with pytest.raises(exc), s.change(author="a", message="bad") as cs:
                cs.put(make_event("innocent", sources=[], actors=[]))
                bad(cs)
    assert dump(db) == before


@pytest.mark.parametrize("call", [
    lambda s: eventlog.open(5),
    lambda s: eventlog.open("a\x00b", create=True),
    lambda s: eventlog.load_dataset(5),
    lambda s: eventlog.export(s, 5),
    lambda s: eventlog.timeline(5),
    lambda s: s.diff(None),
    lambda s: s.get(5),
    lambda s: s.history(5),
    lambda s: s.query(type=5),
    lambda s: s.query(type="sancton"),
    lambda s: s.revert("3", author="a"),
    lambda s: s.revert(10**40, author="a"),
    lambda s: s.resolve_as_of(10**40),
    lambda s: s.causes("visit-2024", depth=0),
    lambda s: s.links(relation="causez"),
    lambda s: eventlog.Event(id="x", type="visit", title="t", date=[2014]),
])
def test_api_type_mistakes_are_eventlog_errors(populated_store: eventlog.Store, call) -> None:
    """Finding 11 of the hardening review: each raised TypeError, AssertionError, DuckDB or pydantic errors."""
    with pytest.raises(eventlog.EventlogError):
        call(populated_store)


def test_change_arguments_are_checked(populated_store: eventlog.Store) -> None:
    with pytest.raises(eventlog.ValidationError, match="expected_version"), populated_store.change(author="a", message="m") as cs:
        cs.put(populated_store.get("visit-2024").model_copy(update={"title": "x"}), expected_version="3")
    import datetime as dt

    with populated_store.change(author="a", message="naive", at=dt.datetime(2030, 1, 1)) as cs:  # read as UTC
        cs.put(populated_store.get("visit-2024").model_copy(update={"title": "naive time"}))
    assert populated_store.log()["changed_at"][0].tzinfo is not None
