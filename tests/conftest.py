"""Shared fixtures, named by the state they give: a fresh store, a populated store, the real dataset.

Every store is a real DuckDB file under the test's tmp_path.
"""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

import pytest

import eventlog
import eventlog._store.opener
from tests.helpers import CORPUS, EVENTS, make_event


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's store or environment by accident."""
    monkeypatch.setenv("EVENTLOG_DB", str(tmp_path / "default.duckdb"))
    monkeypatch.setenv("EVENTLOG_AUTHOR", "tester")
    monkeypatch.setenv("EVENTLOG_POLL", "0")  # widgets check on interaction; tests that poll say so
    eventlog._store.opener._default_stores.clear()


@pytest.fixture
def corpus() -> Path:
    """The source documents; the suite needs them in CI, elsewhere the test is skipped."""
    if CORPUS is None:
        if os.environ.get("CI") == "true":
            pytest.fail("the corpus (../shared/corpus or $EVENTLOG_CORPUS) is required in CI")
        pytest.skip("no corpus found")
    return CORPUS


@pytest.fixture
def fresh_store(tmp_path: Path) -> eventlog.Store:
    """An empty store with a small registry of actors and one source."""
    store = eventlog.open(tmp_path / "fresh.duckdb", create=True)
    with store.change(author="setup", message="registry") as cs:
        for aid, name, kind in [("russia", "Russia", "state"), ("china", "China", "state"),
                                ("united-states", "United States", "state"), ("sberbank", "Sberbank", "bank")]:
            cs.put(eventlog.Actor(id=aid, name=name, kind=kind, aliases={"nl": ["Rusland"]} if aid == "russia" else {}))
        cs.put(eventlog.Source(id="doc", file="doc.txt", title="A document", publisher="us", language="en",
                               published="2024-05", sha256="0" * 64))
    yield store
    store.close()


@pytest.fixture
def populated_store(fresh_store: eventlog.Store) -> eventlog.Store:
    """A store with five events over three changesets (create, update, delete)."""
    with fresh_store.change(author="ana", message="first events") as cs:
        cs.put(make_event("visit-2024", title="Putin visits Beijing", date="2024-05-16/2024-05-17", tags=["diplomacy"]))
        cs.put(make_event("trade-2023", type="trade", title="Trade in 2023", date="2023",
                          amounts=[{"value": 240e9, "unit": "USD", "measure": "trade"}], tags=["trade"]))
        cs.put(make_event("sanction-2022", type="sanction", title="Sanctions on banks", date="2022-02",
                          actors=["united-states", "russia"], tags=["finance"]))
        cs.put(make_event("bank-2024", type="bank_withdrawal", title="Bank stops payments", date="2024-01~",
                          actors=["sberbank", "china"], summary="Payments from Russia are refused 100% of the time"))
        cs.put(make_event("old-2014", type="contract", title="Gas contract", date="2014-05-21"))
    with fresh_store.change(author="bo", message="better title") as cs:
        cs.put(fresh_store.get("trade-2023").model_copy(update={"title": "Trade reaches 240bn", "confidence": 0.9}))
    with fresh_store.change(author="ana", message="drop duplicate") as cs:
        cs.delete("old-2014", reason="duplicate of another record")
    return fresh_store


@pytest.fixture
def events_dir(tmp_path: Path) -> Path:
    """A copy of the real events/ folder that a test may change."""
    target = tmp_path / "events"
    shutil.copytree(EVENTS, target)
    return target


@pytest.fixture
def tiny_events(tmp_path: Path) -> Path:
    """A minimal valid events folder (no corpus needed): two actors, one source, two events."""
    root = tmp_path / "tiny"
    (root / "events").mkdir(parents=True)
    (root / "actors.yaml").write_text(textwrap.dedent("""\
        - {id: russia, name: Russia, category: state, aliases: {en: [Russia], nl: [Rusland]}}
        - {id: china, name: China, category: state}
        """))
    (root / "sources.yaml").write_text(textwrap.dedent(f"""\
        - {{id: doc, file: doc.txt, title: Doc, publisher: us, language: en, published: '2024', sha256: '{"a" * 64}'}}
        """))
    (root / "events" / "e1.yaml").write_text(textwrap.dedent("""\
        id: e1
        type: treaty
        title: A treaty
        date: '2001-07-16'
        actors: [russia, china]
        sources: [{source: doc, span: [0, 5]}]
        """))
    (root / "events" / "e2.yaml").write_text(textwrap.dedent("""\
        id: e2
        type: trade
        title: Trade in 2023
        date: '2023'
        actors: [russia, china]
        sources: [{source: doc, span: [5, 9]}]
        """))
    return root
