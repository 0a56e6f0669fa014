"""Reading YAML safely: what could hang a build or lose a value is refused in one line."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import eventlog
from eventlog import ValidationError, load_dataset
from eventlog._files.yamlfile import dump_yaml, load_yaml_text, read_text, read_yaml

BOMB = """\
a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
id: *g
"""


@pytest.fixture(autouse=True)
def _no_corpus(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EVENTLOG_CORPUS", str(tmp_path / "no-corpus"))


def test_an_alias_bomb_is_refused_at_once(tiny_events: Path) -> None:
    (tiny_events / "events" / "e1.yaml").write_text(BOMB, encoding="utf-8")
    t0 = time.perf_counter()
    with pytest.raises(ValidationError, match="anchors and aliases are not allowed") as info:
        load_dataset(tiny_events)
    assert time.perf_counter() - t0 < 5
    assert info.value.file.endswith("e1.yaml") and info.value.line is not None


def test_an_alias_in_links_is_refused(tiny_events: Path) -> None:
    (tiny_events / "links.yaml").write_text(
        "- {cause: e1, effect: e2, relation: enables, note: &n shared}\n- {cause: e2, effect: e1, relation: enables, note: *n}\n",
        encoding="utf-8")
    with pytest.raises(ValidationError, match="aliases") as info:
        load_dataset(tiny_events)
    assert info.value.file.endswith("links.yaml")


def test_duplicate_keys_are_refused_with_their_line(tiny_events: Path) -> None:
    path = tiny_events / "events" / "e1.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "title: Another title\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="duplicate key 'title'") as info:
        load_dataset(tiny_events)
    assert info.value.line == 7


@pytest.mark.parametrize(("raw", "words"), [
    ("Caf\u00e9 title".encode("latin-1"), "not UTF-8: byte 0xe9 at offset 3"),
    ("id: e1".encode("utf-16"), "not UTF-8 (it looks like UTF-16)"),
    (b"\x00\x9f\x92\x96binary", "not UTF-8: byte 0x9f at offset 1"),
])
def test_text_that_is_not_utf8_is_named_by_byte(tmp_path: Path, raw: bytes, words: str) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(raw)
    with pytest.raises(ValidationError) as info:
        read_text(path)
    assert words in str(info.value) and str(path) in str(info.value)


def test_a_bom_is_allowed(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\n")
    assert read_yaml(path) == {"a": 1}


def test_deep_nesting_is_one_line() -> None:
    with pytest.raises(ValidationError, match="YAML"):
        load_yaml_text("a: " + "[" * 5000 + "]" * 5000 + "\n", "x.yaml")


@pytest.mark.parametrize("text", ["a: !!float x\n", "a: !!python/object:os.system ls\n", "a: !!binary 'not base64!'\n",
                                  "a: !!timestamp not-a-time\n", "a: [1, 2\n"])
def test_values_that_do_not_construct_are_one_line(text: str) -> None:
    with pytest.raises(ValidationError, match="YAML (value|syntax) error") as info:
        load_yaml_text(text, "x.yaml")
    assert "\n" not in str(info.value)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_named_like_an_event_file_does_not_hang(tiny_events: Path) -> None:
    os.mkfifo(tiny_events / "events" / "e3.yaml")
    t0 = time.perf_counter()
    with pytest.raises(ValidationError, match="not a regular file"):
        load_dataset(tiny_events)
    assert time.perf_counter() - t0 < 5


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_symlink_to_a_device_is_refused(tiny_events: Path) -> None:
    (tiny_events / "events" / "e3.yaml").symlink_to("/dev/zero")
    with pytest.raises(ValidationError, match="not a regular file"):
        load_dataset(tiny_events)


def test_a_symlink_out_of_the_folder_is_refused(tiny_events: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text((tiny_events / "events" / "e2.yaml").read_text(encoding="utf-8").replace("e2", "e3"), encoding="utf-8")
    (tiny_events / "events" / "e3.yaml").symlink_to(outside)
    with pytest.raises(ValidationError, match="points outside"):
        load_dataset(tiny_events)


def test_a_source_file_outside_the_corpus_is_refused() -> None:
    with pytest.raises(eventlog.ValidationError, match="file"):
        eventlog.Source(id="s", file="/dev/zero", title="t", publisher="p", language="en", published="2024",
                        sha256="a" * 64)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_corpus_document_linked_to_a_device_is_refused(tiny_events: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "doc.txt").symlink_to("/dev/zero")
    ds, problems = eventlog.check_dataset(tiny_events, corpus)
    assert problems and "not a regular file" in str(problems[0])


def test_a_refused_file_leaves_the_store_byte_identical(tiny_events: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    eventlog.build(tiny_events, store=eventlog.open(db, create=True))
    before = db.read_bytes()
    (tiny_events / "events" / "e1.yaml").write_text(BOMB, encoding="utf-8")
    with pytest.raises(ValidationError):
        eventlog.build(tiny_events, store=eventlog.open(db))
    assert db.read_bytes() == before


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.text(max_size=20),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(min_size=1, max_size=8), kids, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(JSONISH)
def test_dump_then_load_gives_the_same_data(data: object) -> None:
    assert load_yaml_text(dump_yaml(data), "x.yaml") == data
