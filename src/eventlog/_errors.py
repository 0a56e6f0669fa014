"""Every error eventlog raises on purpose.

One tree, one root, so callers can catch everything eventlog means with one clause::

    EventlogError
     ├── ValidationError      bad input: a file, record, field or value that is not allowed
     │    └── LinkRejected    a causal link that would break the graph (cycle, impossible order, ...)
     ├── VersionConflict      a write based on a stale version, or a revert that would undo later work
     │    └── MergeConflict   a build whose files and store changed the same field differently
     ├── NotFound             an event, changeset, document or store that does not exist
     ├── StoreLocked          another process is writing to the store
     └── CorpusError          the source documents are missing or differ from the registry

Each carries a one-line message meant for a person: it names the file, record,
field and value when they are known.

>>> try:
...     raise NotFound("no event 'x'")
... except EventlogError as exc:
...     print(exc)
no event 'x'
"""

from __future__ import annotations

__all__ = [
    "CorpusError",
    "EventlogError",
    "LinkRejected",
    "MergeConflict",
    "NotFound",
    "StoreLocked",
    "ValidationError",
    "VersionConflict",
]


class EventlogError(Exception):
    """Root of every error eventlog raises on purpose."""


class ValidationError(EventlogError, ValueError):
    """Input that is not allowed. Attributes name where it came from, when known.

    >>> str(ValidationError("unknown actor 'xx'", file="events/a.yaml", record="e1", field="actors"))
    "events/a.yaml: e1: actors: unknown actor 'xx'"
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        record: str | None = None,
        field: str | None = None,
        line: int | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.record = record
        self.field = field
        self.line = line
        where = []
        if file:
            where.append(f"{file}:{line}" if line else file)
        if record:
            where.append(str(record))
        if field:
            where.append(field)
        super().__init__(": ".join([*where, message]))


class LinkRejected(ValidationError):
    """A causal link the graph cannot take: self-link, cycle, duplicate, impossible order."""


class VersionConflict(EventlogError):
    """A write based on a version that is no longer current, or a revert that would undo later work."""


class MergeConflict(VersionConflict):
    """A build (or export) that found fields changed differently in events/ and in the store.

    ``conflicts`` lists them (see :class:`eventlog._store.merge.Conflict`): file, record, field,
    the base value, the files' value, the store's value, and the changeset and author of
    the store side. The message has one line per conflict. Nothing was written.
    """

    def __init__(self, conflicts: list) -> None:  # list[Conflict]
        self.conflicts = list(conflicts)
        n = len(self.conflicts)
        lines = [f"{n} conflict{'s' if n != 1 else ''} between events/ and the store (nothing written); edit the "
                 "file, or build with --prefer files|store (or files:ID / store:ID):"]
        lines += [f"  conflict: {c}" for c in self.conflicts]
        super().__init__("\n".join(lines))


class NotFound(EventlogError, LookupError):
    """An event, changeset, document or store that does not exist."""


class StoreLocked(EventlogError):
    """Another process holds the store for writing."""


class CorpusError(EventlogError):
    """The source documents are missing, or differ from what the source registry says."""
