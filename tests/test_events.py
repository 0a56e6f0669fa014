"""Checks of the curated dataset in events/ against the five source documents.

These run against the real corpus (required in CI): every span lies inside its
document and contains the event's figures as written, every event is sourced,
no two events look alike unless marked distinct, every id resolves, and no
sentence of the corpus was copied into the project.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import eventlog
from eventlog._files.folder import find_lookalikes
from tests.helpers import EVENTS, ROOT


@pytest.fixture(scope="module")
def dataset() -> eventlog.Dataset:
    from eventlog._files.corpus import find_corpus

    corpus = find_corpus()
    if corpus is None:
        import os

        if os.environ.get("CI") == "true":
            pytest.fail("the corpus (../shared/corpus or $EVENTLOG_CORPUS) is required in CI")
        pytest.skip("no corpus found")
    return eventlog.load_dataset(EVENTS, corpus)


def figure_forms(value: float) -> set[str]:
    """How a figure can be written: its mantissa at a scale of 1, thousand, million,
    billion or trillion, with up to two decimals and a decimal point or comma."""
    forms = set()
    for k in (0, 3, 6, 9, 12):
        m = abs(value) / 10**k
        if k and m < 1:
            continue
        for decimals in (0, 1, 2):
            text = f"{m:.{decimals}f}"
            if float(text) != round(m, 6) and abs(float(text) - m) > 1e-9 * max(1, m):
                continue
            forms.add(text)
            forms.add(text.replace(".", ","))
        if k == 0 and m >= 1000 and m == int(m):
            n = int(m)
            forms |= {f"{n:,}", f"{n:,}".replace(",", "."), f"{n:,}".replace(",", " "), f"{n:,}".replace(",", "\u00a0")}
    return forms


def contains_figure(text: str, value: float) -> bool:
    """True when ``text`` writes ``value`` in one of its forms, as a whole number token."""
    for form in figure_forms(value):
        if re.search(rf"(?<![\d.,]){re.escape(form)}(?![\d]|[.,]\d)", text):
            return True
    return False


@given(st.integers(min_value=1, max_value=999), st.sampled_from([1, 1e3, 1e6, 1e9, 1e12]))
def test_figure_forms_find_a_figure_written_at_its_scale(mantissa: int, scale: float) -> None:
    assert contains_figure(f"rose to {mantissa} units", mantissa * scale)


def test_figure_forms_reject_a_different_number() -> None:
    assert contains_figure("trade of 240 miljard $ in 2023", 240e9)
    assert contains_figure("a share of 0,7 % only", 0.7)
    assert not contains_figure("trade of 2400 billion", 240e9)
    assert not contains_figure("about 24 billion", 240e9)


def test_every_event_has_a_source(dataset: eventlog.Dataset) -> None:
    unsourced = [e.id for e in dataset.events.values() if not e.sources]
    assert unsourced == []


def test_spans_lie_inside_their_documents_and_were_quoted(dataset: eventlog.Dataset) -> None:
    # load_dataset with a corpus refuses spans outside a document; every span got a quote.
    assert dataset.evidence_checked
    for e in dataset.events.values():
        for ref in e.sources:
            quote = dataset.quotes[(e.id, ref.source, ref.span[0], ref.span[1])]
            assert quote.strip(), f"{e.id}: empty span {ref.span} in {ref.source}"


def test_spans_contain_the_event_figures(dataset: eventlog.Dataset) -> None:
    missing = []
    for e in dataset.events.values():
        for amount in e.amounts:
            refs = [r for r in e.sources if amount.source in (None, r.source)]
            if amount.source is not None:
                # A figure one source claims must appear in at least one of that source's spans.
                text = " ".join(dataset.quotes[(e.id, r.source, *r.span)] for r in refs)
                if not contains_figure(text, amount.value):
                    missing.append(f"{e.id}: {amount.value:g} {amount.unit} not in {amount.source}'s span(s)")
                continue
            by_source: dict[str, str] = {}
            for r in refs:
                by_source[r.source] = by_source.get(r.source, "") + " " + dataset.quotes[(e.id, r.source, *r.span)]
            for source, text in by_source.items():
                if not contains_figure(text, amount.value):
                    missing.append(f"{e.id}: {amount.value:g} {amount.unit} not in {source}'s span(s)")
    assert missing == []


def test_no_lookalike_events_unless_marked_distinct(dataset: eventlog.Dataset) -> None:
    assert find_lookalikes(dataset.events) == []


def test_lookalike_check_catches_a_duplicate(dataset: eventlog.Dataset) -> None:
    some = next(iter(dataset.events.values()))
    twin = some.model_copy(update={"id": some.id + "-twin", "distinct_from": []})
    pairs = find_lookalikes({**dataset.events, twin.id: twin})
    assert any(twin.id in pair for pair in pairs)


def test_every_actor_and_source_id_resolves(dataset: eventlog.Dataset) -> None:
    for e in dataset.events.values():
        assert set(e.actors) <= set(dataset.actors), e.id
        assert {s.source for s in e.sources} <= set(dataset.sources), e.id
        assert set(e.distinct_from) <= set(dataset.events), e.id
    for lk in dataset.links.values():
        assert lk.cause in dataset.events and lk.effect in dataset.events, lk.id


def test_dataset_covers_every_document_and_the_core_types(dataset: eventlog.Dataset) -> None:
    cited = {s.source for e in dataset.events.values() for s in e.sources}
    assert cited == set(dataset.sources)
    types = {e.type for e in dataset.events.values()}
    assert set(eventlog.CORE_TYPES) <= types
    assert len(dataset.events) > 100


def test_disputed_events_keep_each_claim_with_its_source(dataset: eventlog.Dataset) -> None:
    disputed = [e for e in dataset.events.values() if e.status == "disputed"]
    assert disputed, "documents disagree in places; those events are marked disputed"
    for e in disputed:
        assert e.notes, f"{e.id}: a disputed event says why in its notes"


def test_relative_dates_say_how_they_were_resolved(dataset: eventlog.Dataset) -> None:
    # A note that says a date was resolved quotes the expression the document used.
    resolved = [e for e in dataset.events.values() if "resolved" in e.notes.lower()]
    assert resolved, "relative expressions in the documents were resolved and noted"
    for e in resolved:
        assert re.search(r"'[^']+'|\"[^\"]+\"|\u2018[^\u2019]+\u2019", e.notes), e.id


def test_no_sentence_of_the_corpus_was_copied() -> None:
    tool = ROOT.parent / "shared" / "tools" / "check_copied_text.py"
    corpus = ROOT.parent / "shared" / "corpus"
    if not tool.exists() or not corpus.exists():
        import os

        if os.environ.get("CI") == "true":
            pytest.fail(f"{tool} and {corpus} are required in CI")
        pytest.skip("no copied-text checker here")
    out = subprocess.run([sys.executable, str(tool), "--repo", str(ROOT), "--corpus", str(corpus)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout[-3000:]
    assert out.stdout.strip() == ""


def test_events_folder_is_in_export_form(tmp_path: Path) -> None:
    """The curated files are exactly what `eventlog export` writes, so export then build is a no-op
    and an export never rewrites a curated file."""
    store = eventlog.open(tmp_path / "s.duckdb", create=True)
    eventlog.build(EVENTS, store=store)
    out = tmp_path / "exported"
    eventlog.export(store, out)
    store.close()
    for path in sorted(EVENTS.rglob("*.yaml")):
        rel = path.relative_to(EVENTS)
        assert (out / rel).read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), rel


def test_documented_dataset_counts_are_current(tmp_path: Path, dataset: eventlog.Dataset) -> None:
    """docs/events-folder.md's dataset tables are what `eventlog stats --format markdown` prints for events/."""
    from eventlog._cli.store import markdown_stats

    store = eventlog.open(tmp_path / "s.duckdb", create=True)
    eventlog.build(EVENTS, store=store)
    expected = markdown_stats(store.stats())
    store.close()
    page = (ROOT / "docs" / "events-folder.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- dataset-stats:start -->\n(.*?)<!-- dataset-stats:end -->", page, re.S)
    assert block, "docs/events-folder.md needs the dataset-stats block"
    assert block.group(1) == expected, "regenerate with: eventlog stats --format markdown"
