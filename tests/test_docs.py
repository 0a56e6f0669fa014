"""The documentation: a short README, a site that builds strict, and examples that run."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import eventlog
import eventlog._store.opener
from tests.helpers import EVENTS

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"(<!-- not run: [^>]*-->\s*)?```python\n(.*?)```", re.S)


def test_readme_is_short_and_points_to_the_docs() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.encode()) <= 15_000
    for page in re.findall(r"\]\((docs/[^)#]+)\)", text):
        assert (ROOT / page).exists(), page
    assert "make store" in text and "make test" in text


def test_the_site_builds_strict(tmp_path: Path) -> None:
    mkdocs = Path(sys.executable).with_name("mkdocs")
    r = subprocess.run([str(mkdocs), "build", "--strict", "--quiet", "-d", str(tmp_path / "site")], cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (tmp_path / "site" / "many-processes" / "index.html").exists()


def test_every_page_is_in_the_navigation() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert [p.name for p in PAGES[1:] if p.name not in nav] == []


@pytest.fixture(scope="module")
def dataset_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("docs") / "dataset.duckdb"
    eventlog.build(EVENTS, db, author="docs", message="docs examples")
    return db


def _runnable(page: Path) -> bool:
    return any(not skip for skip, _code in BLOCK.findall(page.read_text(encoding="utf-8")))


@pytest.mark.parametrize("page", [p for p in PAGES if _runnable(p)],
                         ids=lambda p: p.name)
def test_examples_run(page: Path, dataset_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every python block of a page runs, in order and in one namespace, against the dataset
    (a block after a "<!-- not run: why -->" comment is skipped: it needs a server)."""
    db = tmp_path / "store.duckdb"
    shutil.copy(dataset_store, db)
    monkeypatch.setenv("EVENTLOG_DB", str(db))
    monkeypatch.chdir(tmp_path)
    eventlog._store.opener._default_stores.clear()
    ns: dict = {}
    ran = 0
    for skip, code in BLOCK.findall(page.read_text(encoding="utf-8")):
        if skip:
            continue
        exec(compile(code.replace("\n   ", "\n") if code.startswith("   ") else code, f"{page.name}", "exec"), ns)
        ran += 1
    assert ran, f"{page.name}: no example ran"
    assert os.environ["EVENTLOG_DB"] == str(db)
