"""The public API is what ``eventlog.__all__`` lists, and importing it stays light."""

from __future__ import annotations

import json
import subprocess
import sys

import eventlog

PUBLIC = [
    "CORE_TYPES", "CREDIBILITY", "EVENT_TYPES", "RATINGS", "RELATIONS", "RELIABILITY", "STATUSES",
    "Actor", "Amount", "Assessment", "BuildReport", "Changeset", "Citation", "Comment", "CommitResult", "CorpusError", "Dataset",
    "EDTFDate", "Event", "EventlogError", "ExportReport", "Hypothesis", "Link", "LinkRejected", "MergeConflict", "NotFound",
    "Source", "SourceRef", "Star", "Store", "StoreLocked", "ValidationError", "VersionConflict", "View",
    "build", "build_from_git", "check_dataset", "default_author", "default_path", "export", "export_table", "extract",
    "format_edtf_words", "load_dataset", "open", "parse_edtf", "query", "status", "timeline", "validate",
]


def isort_key(name: str) -> tuple[int, str]:
    """ruff's RUF022 order: CONSTANTS, then Classes, then functions, each alphabetical."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_all_is_pinned_and_sorted() -> None:
    assert eventlog.__all__ == PUBLIC
    assert eventlog.__all__ == sorted(eventlog.__all__, key=isort_key)
    assert len(set(eventlog.__all__)) == len(eventlog.__all__)


def test_every_public_name_exists() -> None:
    for name in eventlog.__all__:
        assert getattr(eventlog, name, None) is not None, name
    assert callable(eventlog.open) and callable(eventlog.query)
    assert eventlog.open.__module__ == "eventlog._store.opener"
    assert set(eventlog.CORE_TYPES) <= set(eventlog.EVENT_TYPES)


def test_star_import_gives_exactly_all() -> None:
    ns: dict = {}
    exec("from eventlog import *", ns)
    assert sorted(k for k in ns if k != "__builtins__") == sorted(PUBLIC)


def test_import_is_light() -> None:
    code = (
        "import sys, json, eventlog; "
        "heavy = ('altair', 'ipywidgets', 'jupyter', 'jupyter_core', 'jupyterlab', 'vl_convert', 'anywidget', 'IPython', "
        "'spacy', 'torch', 'rich', 'click', 'jsonschema', 'edtf'); "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120).stdout
    assert json.loads(out) == []


def test_version() -> None:
    from importlib.metadata import version

    assert eventlog.__version__ == version("eventlog")
