"""eventlog: documents in, a versioned, sourced timeline out.

>>> import eventlog
>>> sorted(eventlog.EVENT_TYPES)[:3]
['bank_withdrawal', 'conflict', 'contract']

The public API is what ``__all__`` lists; everything else is private and may change.
Charts, widgets and extraction load their heavy dependencies only when first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._config import default_author, default_path
from ._dates import EDTFDate, format_edtf_words, parse_edtf
from ._errors import (
    CorpusError,
    EventlogError,
    LinkRejected,
    MergeConflict,
    NotFound,
    StoreLocked,
    ValidationError,
    VersionConflict,
)
from ._models import (
    Actor,
    Amount,
    Assessment,
    Citation,
    Comment,
    Event,
    Hypothesis,
    Link,
    Source,
    SourceRef,
    Star,
    View,
)
from ._store.changeset import Changeset, CommitResult
from ._store.opener import default_store
from ._store.opener import open_store as open  # noqa: A004 - the contract's name
from ._store.store import Store
from ._taxonomy import CORE_TYPES, CREDIBILITY, EVENT_TYPES, RATINGS, RELATIONS, RELIABILITY, STATUSES

if TYPE_CHECKING:
    from ._build import (
        BuildReport,
        ExportReport,
        build,
        build_from_git,
        export,
        export_table,
        status,
        validate,
    )
    from ._files.folder import Dataset, check_dataset, load_dataset

__version__ = "0.1.0"

#: Loaded on first use: the folder side (YAML, the build) costs a third of ``import eventlog``.
_LAZY = {
    **dict.fromkeys(("BuildReport", "ExportReport", "build", "build_from_git", "export", "export_table", "status",
                     "validate"), "_build"),
    **dict.fromkeys(("Dataset", "check_dataset", "load_dataset"), "_files.folder"),
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'eventlog' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"eventlog.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))

__all__ = [
    "CORE_TYPES",
    "CREDIBILITY",
    "EVENT_TYPES",
    "RATINGS",
    "RELATIONS",
    "RELIABILITY",
    "STATUSES",
    "Actor",
    "Amount",
    "Assessment",
    "BuildReport",
    "Changeset",
    "Citation",
    "Comment",
    "CommitResult",
    "CorpusError",
    "Dataset",
    "EDTFDate",
    "Event",
    "EventlogError",
    "ExportReport",
    "Hypothesis",
    "Link",
    "LinkRejected",
    "MergeConflict",
    "NotFound",
    "Source",
    "SourceRef",
    "Star",
    "Store",
    "StoreLocked",
    "ValidationError",
    "VersionConflict",
    "View",
    "build",
    "build_from_git",
    "check_dataset",
    "default_author",
    "default_path",
    "export",
    "export_table",
    "extract",
    "format_edtf_words",
    "load_dataset",
    "open",
    "parse_edtf",
    "query",
    "status",
    "timeline",
    "validate",
]

def query(**filters: Any) -> Any:
    """Query the default store (``$EVENTLOG_DB`` or ./eventlog.duckdb); see :meth:`Store.query`.

    Example: ``eventlog.query(type="sanction", start="2022", as_of=3)``
    """
    return default_store().query(**filters)


def extract(text: str, **options: Any) -> Any:
    """Candidate events in a document's text, as a polars DataFrame (see :mod:`eventlog._extract`)."""
    from ._extract import extract as _extract

    return _extract(text, **options)


def timeline(data: Any = None, **options: Any) -> Any:
    """An interactive Altair timeline of events (see :mod:`eventlog._charts.timeline`)."""
    from ._charts.timeline import timeline as _timeline

    return _timeline(data, **options)
