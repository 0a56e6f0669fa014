"""Extraction on small English and Dutch documents written for these tests."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
import yaml
from click.testing import CliRunner

from eventlog._errors import ValidationError
from eventlog._extract import COLUMNS, detect_language, extract
from eventlog._extract.actors import ActorMatcher
from eventlog._extract.amounts import find_amounts, parse_number
from eventlog._extract.cli import extract_cmd
from eventlog._extract.sentences import split_sentences
from eventlog._extract.triggers import modality
from eventlog._models import Actor

ACTORS = [
    Actor(id="russia", name="Russia", kind="state", aliases={"en": ["Russia", "Moscow", "Russian"], "nl": ["Rusland", "Moskou", "Russische"]}),
    Actor(id="china", name="China", kind="state", aliases={"en": ["China", "Beijing", "Chinese"], "nl": ["China", "Peking", "Chinese"]}),
    Actor(id="united-states", name="United States", kind="state", aliases={"en": ["United States", "US", "Washington"], "nl": ["Verenigde Staten", "VS"]}),
    Actor(id="european-union", name="European Union", kind="bloc", aliases={"en": ["European Union", "EU"], "nl": ["Europese Unie", "EU"]}),
    Actor(id="vladimir-putin", name="Vladimir Putin", kind="person", affiliation="russia", aliases={"en": ["Vladimir Putin", "Putin"], "nl": ["Poetin"]}),
    Actor(id="gazprom", name="Gazprom", kind="company", aliases={"en": ["Gazprom"], "nl": ["Gazprom"]}),
    Actor(id="cnpc", name="China National Petroleum Corporation", kind="company", aliases={"en": ["CNPC"]}),
    Actor(id="bank-of-china", name="Bank of China", kind="bank", aliases={"en": ["Bank of China"], "nl": ["Bank of China"]}),
]
REG = ActorMatcher(ACTORS)

EN_DOC = (
    "Russia and China signed a treaty of friendship on 4 February 2022.\n"
    "The European Union imposed sanctions on Moscow in March 2022.\n"
    "In June 2024 Bank of China stopped accepting payments from Russian companies.\n"
    "Gazprom and CNPC signed a 30-year gas supply contract worth $400 billion in May 2014.\n"
    "Putin visited Beijing on May 16-17, 2024.\n"
)
NL_DOC = (
    "Rusland en China sloten op 4 februari 2022 een verdrag van vriendschap.\n"
    "De Europese Unie legde in maart 2022 sancties op aan Moskou.\n"
    "In juni 2024 weigerden Chinese banken betalingen uit Rusland.\n"
    "Gazprom en CNPC ondertekenden in mei 2014 een gascontract ter waarde van 400 miljard $.\n"
    "Poetin bracht op 16-17 mei 2024 een bezoek aan Peking.\n"
)
CORE = [
    ("treaty", "2022-02-04"),
    ("sanction", "2022-03"),
    ("bank_withdrawal", "2024-06"),
    ("contract", "2014-05"),
    ("visit", "2024-05-16/2024-05-17"),
]


@pytest.mark.parametrize("doc", [EN_DOC, NL_DOC], ids=["en", "nl"])
def test_five_core_kinds_in_both_languages(doc: str) -> None:
    df = extract(doc, registry=REG)
    assert list(df.columns) == list(COLUMNS)
    got = set(zip(df["type"], df["date"], strict=True))
    for want in CORE:
        assert want in got, (want, got)
    assert set(df["modality"]) == {"asserted"}


def test_row_fields_are_consistent() -> None:
    df = extract(EN_DOC, registry=REG, doc_id="test-doc")
    for r in df.iter_rows(named=True):
        assert EN_DOC[r["span_start"] : r["span_end"]] == r["evidence"]
        assert r["date_text"] in r["evidence"]
        assert r["start"] <= r["end"]
        assert 0 < r["confidence"] <= 1
        assert r["doc_id"] == "test-doc" and r["lang"] == "en"
    visit = df.filter(pl.col("type") == "visit").row(0, named=True)
    assert visit["actors"] == ["Vladimir Putin", "China"]
    assert visit["precision"] == "day" and visit["date_text"] == "on May 16-17, 2024"
    contract = df.filter(pl.col("type") == "contract").row(0, named=True)
    assert contract["actor_ids"] == ["gazprom", "cnpc"]
    assert contract["amounts"] == [{"value": 400e9, "unit": "USD", "text": "$400 billion"}]


def test_relative_dates_use_the_document_date() -> None:
    text = "Putin visited Beijing last month. Xi will visit Moscow next year."
    df = extract(text, registry=REG, doc_date="2024-05-15")
    assert df.select("type", "date", "modality").rows() == [("visit", "2024-04", "asserted"), ("visit", "2025", "planned")]


@pytest.mark.parametrize(
    ("text", "lang", "want"),
    [
        ("Washington threatened to impose sanctions on Chinese banks in 2024.", "en", "threatened"),
        ("In 2024 the US warned that it could impose sanctions on Beijing.", "en", "threatened"),
        ("In 2024 the EU did not impose sanctions on China.", "en", "negated"),
        ("Putin will visit China in 2025.", "en", "planned"),
        ("China might sign a treaty with Russia in 2025.", "en", "hypothetical"),
        ("In 2024 dreigden de VS met sancties tegen Chinese banken.", "nl", "threatened"),
        ("In 2024 heeft de EU geen sancties opgelegd aan China.", "nl", "negated"),
        ("Poetin zal in 2025 een bezoek brengen aan China.", "nl", "planned"),
        ("Mogelijke sancties tegen Rusland in 2025 zouden de handel raken.", "nl", "hypothetical"),
        ("In 2022 declared Russia and China a partnership with no limits.", "en", "asserted"),
    ],
)
def test_modality(text: str, lang: str, want: str) -> None:
    df = extract(text, registry=REG, lang=lang)
    assert len(df) >= 1
    assert df["modality"][0] == want


def test_a_threat_is_never_recorded_as_a_sanction(tmp_path: Path) -> None:
    from eventlog._extract.candidates import candidate_records

    df = extract("Washington threatened to impose sanctions on Chinese banks in 2024.", registry=REG)
    recs, _known = candidate_records(df.iter_rows(named=True), doc_id="d")
    assert [r["type"] for r in recs] == ["statement"]
    assert recs[0]["tags"] == ["threatened", "sanction"]
    negated = extract("In 2024 the EU did not impose sanctions on China.", registry=REG)
    assert candidate_records(negated.iter_rows(named=True), doc_id="d")[0] == []


def test_sentences_without_dates_or_triggers_give_nothing() -> None:
    assert extract("Russia and China are partners. Trade is important.", registry=REG).is_empty()
    assert extract("", registry=REG).is_empty()


def test_dateless_core_event_takes_the_previous_date() -> None:
    text = "In March 2022 the talks ended. The EU then imposed new sanctions on Russia."
    df = extract(text, registry=REG)
    row = df.filter(pl.col("type") == "sanction").row(0, named=True)
    assert row["date"] == "2022-03" and "inherited" in row["date_how"]


def test_repeated_mentions_are_one_candidate() -> None:
    text = "Putin visited Beijing on 16 May 2024. During the visit on 16 May 2024 Putin met students in Beijing."
    df = extract(text, registry=REG)
    assert df.filter(pl.col("type") == "visit").height == 1


def test_actor_matching_rules() -> None:
    found = REG.find("Chinese officials met us in the US and Bank of China staff in Peking.")
    assert [(a.actor_id, a.text) for a in found] == [
        ("china", "Chinese"), ("united-states", "US"), ("bank-of-china", "Bank of China"), ("china", "Peking")
    ]


def test_default_registry_is_the_events_folder() -> None:
    df = extract("Op 4 februari 2022 bracht Poetin een bezoek aan Peking.")
    assert "vladimir-putin" in df["actor_ids"][0].to_list()


@pytest.mark.parametrize(
    ("text", "lang", "value", "unit"),
    [
        ("$240 billion", "en", 240e9, "USD"),
        ("240 miljard $", "nl", 240e9, "USD"),
        ("USD 3 billion", "en", 3e9, "USD"),
        ("10 bcm", "en", 10.0, "bcm"),
        ("70 miljoen ton", "nl", 70e6, "tonnes"),
        ("38 billion m3", "en", 38.0, "bcm"),
        ("15,5 miljard m³", "nl", 15.5, "bcm"),
        ("0,7 %", "nl", 0.7, "percent"),
        ("12,8 miljard $", "nl", 12.8e9, "USD"),
        ("€2.5bn", "en", 2.5e9, "EUR"),
        ("1 biljoen $", "nl", 1e12, "USD"),
    ],
)
def test_amounts(text: str, lang: str, value: float, unit: str) -> None:
    found = find_amounts(f"Zo'n {text} in totaal", lang)
    assert [(a.value, a.unit, a.text) for a in found] == [(pytest.approx(value), unit, text)]


def test_number_separators_by_language() -> None:
    assert parse_number("1,000", "en") == 1000 and parse_number("1.000", "nl") == 1000
    assert parse_number("1,5", "nl") == 1.5 and parse_number("1.5", "en") == 1.5
    assert parse_number("1.234.567,8", "nl") == 1234567.8


def test_detect_language() -> None:
    assert detect_language(EN_DOC) == "en"
    assert detect_language(NL_DOC) == "nl"
    assert extract(NL_DOC, registry=REG)["lang"][0] == "nl"


def test_sentence_split_keeps_abbreviations() -> None:
    text = "The U.S. and China met. Dr. Smith said so!\n\nNew paragraph"
    assert [text[s:e] for s, e in split_sentences(text)] == ["The U.S. and China met.", "Dr. Smith said so!", "New paragraph"]


def test_modality_ignores_fixed_phrases() -> None:
    assert modality("Russia and China declared a partnership without limits.", 19) == "asserted"
    assert modality("Chinese banken zijn niet enkel gestopt met betalingen.", 7, 13, "nl") == "asserted"


def test_bad_doc_date_is_a_clear_error() -> None:
    with pytest.raises(ValidationError, match="doc_date"):
        extract("In 2014.", doc_date="yesterday", registry=REG)


# --- the extract command -------------------------------------------------------------------------


def _events_folder(root: Path) -> Path:
    """A tiny valid events folder: the test actors, one source, one existing visit event."""
    ev = root / "events"
    (ev / "events").mkdir(parents=True)
    (ev / "actors.yaml").write_text(yaml.safe_dump([a.to_data() for a in ACTORS], allow_unicode=True), encoding="utf-8")
    (ev / "sources.yaml").write_text(
        yaml.safe_dump([{"id": "test-news", "file": "news.txt", "title": "Test news", "publisher": "tests",
                         "language": "en", "published": "2024-05-15", "sha256": "0" * 64}]),
        encoding="utf-8",
    )
    (ev / "events" / "2024-05-putin-china-visit.yaml").write_text(
        yaml.safe_dump({"id": "2024-05-putin-china-visit", "type": "visit", "title": "Putin visits China",
                        "date": "2024-05-16/2024-05-17", "actors": ["vladimir-putin", "china"],
                        "sources": [{"source": "test-news", "span": [0, 10]}]}),
        encoding="utf-8",
    )
    return ev


def test_cli_writes_candidates_and_merge_proposals(tmp_path: Path) -> None:
    ev = _events_folder(tmp_path)
    doc = tmp_path / "news.txt"
    doc.write_text("Intro line here.\nPutin visited Beijing this week.\nThe EU imposed sanctions on Russia last year.\n",
                   encoding="utf-8")
    out = tmp_path / "cands"
    res = CliRunner().invoke(extract_cmd, [str(doc), "--events", str(ev), "--out", str(out)])
    assert res.exit_code == 0, res.output
    files = {p.name: yaml.safe_load(p.read_text(encoding="utf-8")) for p in out.glob("*.yaml")}
    by_type = {d["type"]: d for d in files.values()}
    visit, sanction = by_type["visit"], by_type["sanction"]
    assert visit["merge_into"] == "2024-05-putin-china-visit"
    assert visit["sources"] == [{"source": "test-news", "span": [17, 49]}]  # source id from sources.yaml
    assert visit["date"] == "2024-05-13/2024-05-19" and "this week" in visit["notes"]
    assert sanction["status"] == "candidate" and sanction["date"] == "2023" and "merge_into" not in sanction
    assert sanction["actors"] == ["european-union", "russia"]


@pytest.mark.parametrize("fmt", ["json", "yaml", "table"])
def test_cli_prints_formats(tmp_path: Path, fmt: str) -> None:
    ev = _events_folder(tmp_path)
    doc = tmp_path / "brief.txt"
    doc.write_text("Poetin bracht op 16-17 mei 2024 een bezoek aan Peking.", encoding="utf-8")
    res = CliRunner().invoke(extract_cmd, [str(doc), "--events", str(ev), "--format", fmt, "--lang", "nl"])
    assert res.exit_code == 0, res.output
    if fmt == "json":
        rows = json.loads(res.output)
        assert rows[0]["type"] == "visit" and rows[0]["date"] == "2024-05-16/2024-05-17" and rows[0]["doc_id"] == "brief"
    elif fmt == "yaml":
        assert yaml.safe_load(res.output)[0]["start"] == "2024-05-16"
    else:
        assert "visit" in res.output and "1 candidate(s)" in res.output


def test_cli_rejects_a_bad_doc_date(tmp_path: Path) -> None:
    ev = _events_folder(tmp_path)
    doc = tmp_path / "x.txt"
    doc.write_text("In 2014 Putin visited China.", encoding="utf-8")
    res = CliRunner().invoke(extract_cmd, [str(doc), "--events", str(ev), "--doc-date", "soon"])
    assert res.exit_code != 0
    assert isinstance(res.exception, ValidationError) and "doc_date" in str(res.exception)
