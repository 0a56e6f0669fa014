"""The notebooks run headless (nbclient) against a store built from the real events/ folder.

Each runs on its own copy of that store in tmp_path (``$EVENTLOG_DB``), so the developer's
store is never touched; any error in any cell fails the test.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import eventlog
from tests.helpers import CORPUS, EVENTS

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
NAMES = ["01_explore.ipynb", "02_causal_tagging.ipynb", "03_history.ipynb", "04_hypotheses.ipynb"]


@pytest.fixture(scope="module")
def real_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built once from the real events/ folder (with quotes when the corpus is there)."""
    db = tmp_path_factory.mktemp("real") / "eventlog.duckdb"
    eventlog.build(EVENTS, db, author="test", message="build for notebook tests", corpus=CORPUS)
    return db


def _run(name: str, db: Path, monkeypatch: pytest.MonkeyPatch, workdir: Path) -> nbformat.NotebookNode:
    monkeypatch.setenv("EVENTLOG_DB", str(db))
    book = nbformat.read(NOTEBOOKS / name, as_version=4)
    # The kernel inherits this process's environment, so it opens the copy, not eventlog.duckdb.
    NotebookClient(book, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}).execute()
    return book


def _outputs(book: nbformat.NotebookNode) -> list[dict]:
    return [o for c in book.cells if c.cell_type == "code" for o in c.get("outputs", [])]


@pytest.mark.parametrize("name", NAMES)
def test_notebooks_are_committed_without_outputs(name: str):
    book = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(book)
    for cell in book.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{name} has outputs"


def test_01_explore_runs_and_shows_the_explorer(real_store: Path, tmp_path: Path, monkeypatch):
    db = tmp_path / "store.duckdb"
    shutil.copy(real_store, db)
    book = _run("01_explore.ipynb", db, monkeypatch, tmp_path)
    outs = _outputs(book)
    assert not [o for o in outs if o.get("output_type") == "error"]
    widgets = [o for o in outs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(widgets) == 3  # two timelines and the Explorer
    text = json.dumps(outs)
    assert "'records'" in text and "{}" in text  # the stats line, and explorer.filters before any click


def test_02_causal_tagging_saves_rejects_and_undoes(real_store: Path, tmp_path: Path, monkeypatch):
    db = tmp_path / "store.duckdb"
    shutil.copy(real_store, db)
    with eventlog.open(db, read_only=True) as store:
        links_before = store.links().select("id", "version")
    book = _run("02_causal_tagging.ipynb", db, monkeypatch, tmp_path)
    assert not [o for o in _outputs(book) if o.get("output_type") == "error"]
    with eventlog.open(db, read_only=True) as store:
        log = store.log()
        # Build, the saved link, its undo; the rejected link wrote nothing.
        assert log["message"].to_list()[:2] == [f"undo changeset {log['changeset'][1]} (causal tagger)",
                                                 log["message"][1]]
        assert log["message"][1].startswith("link ") and log.height == 3
        assert store.links().select("id", "version").equals(links_before)
    assert "impossible order" in json.dumps(_outputs(book)) or "cycle" in json.dumps(_outputs(book))


def test_03_history_edits_diffs_and_reverts(real_store: Path, tmp_path: Path, monkeypatch):
    db = tmp_path / "store.duckdb"
    shutil.copy(real_store, db)
    with eventlog.open(db, read_only=True) as store:
        first = store.query()
    book = _run("03_history.ipynb", db, monkeypatch, tmp_path)
    assert not [o for o in _outputs(book) if o.get("output_type") == "error"]
    with eventlog.open(db, read_only=True) as store:
        assert [a for a in store.log()["author"]] == ["tester", "tester", "test"]  # $EVENTLOG_AUTHOR, never hard-coded
        after = store.query()
    cols = ["id", "title", "date", "confidence", "tags"]
    assert after.select(cols).equals(first.select(cols))  # the edit was reverted
    # The real store the notebooks name outside tests was never opened here.
    assert Path(db).parent == tmp_path


def test_04_hypotheses_shows_the_matrix_and_rates_in_a_changeset(real_store: Path, tmp_path: Path, monkeypatch):
    db = tmp_path / "store.duckdb"
    shutil.copy(real_store, db)
    with eventlog.open(db, read_only=True) as store:
        rated_before = store.ach().height
    book = _run("04_hypotheses.ipynb", db, monkeypatch, tmp_path)
    outs = _outputs(book)
    assert not [o for o in outs if o.get("output_type") == "error"]
    widgets = [o for o in outs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(widgets) == 2  # the matrix and the Explorer
    with eventlog.open(db, read_only=True) as store:
        assert store.log()["message"][0] == "rate the May 2024 visit" and store.log()["author"][0] == "tester"
        matrix = store.ach()
        assert matrix.height == rated_before + 1
        row = matrix.filter(matrix["event"] == "2024-05-16-putin-visit-china-beijing-harbin").row(0, named=True)
        assert (row["durable-alignment"], row["asymmetric-transactional"], row["reaction-to-pressure"]) == ("C", "N", None)
