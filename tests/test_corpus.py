"""Source documents: sha256 checks, spans inside their document, quotes kept in the store."""

from __future__ import annotations

import hashlib
import shutil
import textwrap
from pathlib import Path

import pytest

import eventlog
from eventlog import CorpusError, ValidationError
from eventlog._files.corpus import Corpus, find_corpus

TEXT = "Moscow and Beijing signed a gas deal on 21 May 2014. Payments were later refused by banks — in 2024.\n"


@pytest.fixture
def mini(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """An events folder and a corpus of one document, with correct hashes and spans."""
    monkeypatch.delenv("EVENTLOG_CORPUS", raising=False)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "doc.txt").write_text(TEXT, encoding="utf-8")
    sha = hashlib.sha256(TEXT.encode("utf-8")).hexdigest()
    events = tmp_path / "events"
    (events / "events").mkdir(parents=True)
    (events / "actors.yaml").write_text("- {id: russia, name: Russia, kind: state}\n- {id: china, name: China, kind: state}\n")
    (events / "sources.yaml").write_text(
        f"- {{id: doc, file: doc.txt, title: Doc, publisher: us, language: en, published: '2024', sha256: '{sha}'}}\n")
    start = TEXT.index("Moscow")
    end = TEXT.index("2014.") + 4
    (events / "events" / "deal.yaml").write_text(textwrap.dedent(f"""\
        id: deal
        type: contract
        title: Gas deal
        date: '2014-05-21'
        actors: [russia, china]
        sources: [{{source: doc, span: [{start}, {end}]}}, {{source: doc, span: [{TEXT.index("—")}, {TEXT.index("—") + 10}]}}]
        """))
    return events, corpus


def test_find_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert find_corpus(tmp_path) == tmp_path
    assert find_corpus(tmp_path / "missing") is None
    monkeypatch.setenv("EVENTLOG_CORPUS", str(tmp_path))
    assert find_corpus() == tmp_path
    monkeypatch.setenv("EVENTLOG_CORPUS", str(tmp_path / "missing"))
    assert find_corpus() is None


def test_build_with_corpus_stores_quotes(mini: tuple[Path, Path], tmp_path: Path) -> None:
    events, corpus = mini
    db = tmp_path / "s.duckdb"
    r = eventlog.build(events, db, corpus=corpus)
    assert r.evidence_checked and r.corpus == str(corpus) and r.quotes_added == 2
    assert "evidence checked against" in r.summary()
    with eventlog.open(db) as s:
        ev = s.evidence("deal")
        assert ev["quote"].to_list() == ["Moscow and Beijing signed a gas deal on 21 May 2014", "— in 2024."]
        assert s.stats()["evidence_checked"] is True and s.stats()["quotes"] == 2
    assert eventlog.build(events, db, corpus=corpus).quotes_added == 0


def test_build_without_corpus_says_so(mini: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    events, _ = mini
    monkeypatch.setenv("EVENTLOG_CORPUS", str(tmp_path / "none"))
    r = eventlog.build(events, tmp_path / "s.duckdb")
    assert not r.evidence_checked and "evidence NOT checked" in r.summary()
    with eventlog.open(tmp_path / "s.duckdb") as s:
        assert s.evidence("deal")["quote"].to_list() == [None, None]
        assert s.stats()["evidence_checked"] is False
    with pytest.raises(ValidationError, match="no corpus folder"):
        eventlog.build(events, tmp_path / "s.duckdb", corpus=tmp_path / "none")


def test_span_outside_its_document(mini: tuple[Path, Path], tmp_path: Path) -> None:
    events, corpus = mini
    db = tmp_path / "s.duckdb"
    eventlog.build(events, db, corpus=corpus)
    path = events / "events" / "deal.yaml"
    good = path.read_text()
    path.write_text(good.replace("sources: [", f"sources: [{{source: doc, span: [{len(TEXT) - 3}, {len(TEXT) + 5}]}}, "))
    assert path.read_text() != good
    before = eventlog.open(db, read_only=True)
    snap = before.sql("SELECT * FROM event_versions ORDER BY ALL").to_dicts()
    before.close()
    with pytest.raises(ValidationError) as info:
        eventlog.build(events, db, corpus=corpus)
    err = info.value
    assert err.file == str(path) and err.record == "deal" and err.field == "sources"
    assert f"lies outside 'doc' ({len(TEXT)} characters)" in str(err)
    with eventlog.open(db, read_only=True) as s:
        assert s.sql("SELECT * FROM event_versions ORDER BY ALL").to_dicts() == snap
        assert s.log().height == 1


def test_changed_document_is_refused(mini: tuple[Path, Path], tmp_path: Path) -> None:
    events, corpus = mini
    (corpus / "doc.txt").write_text(TEXT.replace("gas", "oil"), encoding="utf-8")
    with pytest.raises(CorpusError, match="sha256") as info:
        eventlog.build(events, tmp_path / "s.duckdb", corpus=corpus)
    assert "doc.txt" in str(info.value) and "'doc'" in str(info.value)
    assert not (tmp_path / "s.duckdb").exists()
    (corpus / "doc.txt").unlink()
    with pytest.raises(CorpusError, match="cannot read"):
        eventlog.build(events, tmp_path / "s.duckdb", corpus=corpus)


def test_corpus_class(mini: tuple[Path, Path]) -> None:
    events, corpus = mini
    ds = eventlog.load_dataset(events)
    c = Corpus(corpus, ds.sources.values())
    assert c.text("doc") == TEXT
    assert c.check_span(eventlog.Citation(source="doc", span=(0, 6))) == "Moscow"
    with pytest.raises(ValidationError, match="lies outside"):
        c.check_span(eventlog.Citation(source="doc", span=(0, len(TEXT) + 1)))
    with pytest.raises(ValidationError, match="unknown source"):
        c.text("other")


def test_real_corpus_and_events(corpus: Path, events_dir: Path, tmp_path: Path) -> None:
    if not list((events_dir / "events").glob("*.yaml")):
        pytest.skip("events/ is empty")
    db = tmp_path / "real.duckdb"
    r = eventlog.build(events_dir, db, corpus=corpus)
    assert r.evidence_checked
    ds = eventlog.load_dataset(events_dir, corpus)
    with eventlog.open(db) as s:
        some = sorted(ds.events)[: 5]
        for eid in some:
            for row in s.evidence(eid).iter_rows(named=True):
                src = ds.sources[row["source"]]
                text = (corpus / src.file).read_text(encoding="utf-8")
                assert row["quote"] == text[row["span_start"]:row["span_end"]]
    # a copy of the corpus with one changed byte is refused, and nothing is written
    bad = tmp_path / "bad-corpus"
    shutil.copytree(corpus, bad)
    first = next(iter(ds.sources.values()))
    (bad / first.file).write_bytes((bad / first.file).read_bytes() + b" ")
    with pytest.raises(CorpusError, match=first.id):
        eventlog.build(events_dir, tmp_path / "other.duckdb", corpus=bad)
    assert not (tmp_path / "other.duckdb").exists()
