"""Opening a store: the one place that knows every kind of location.

``eventlog.open(path)`` is :func:`open_store`: a DuckDB file, or a ``ducklake:`` location for
the team store. :func:`default_store` is the store ``eventlog.query()`` and the widgets use
when given none.

>>> import tempfile, os
>>> store = open_store(os.path.join(tempfile.mkdtemp(), "doc.duckdb"), create=True)
>>> store.last_changeset()
0
"""

from __future__ import annotations

import os
from typing import Any

from .._config import busy_timeout, default_path
from .._errors import NotFound, ValidationError
from .backend import FileBackend
from .store import Store

__all__ = ["default_store", "open_store"]


def open_store(path: str | os.PathLike[str] | None = None, *, read_only: bool = False, create: bool = False,
               timeout: float | None = None, **options: Any) -> Store:
    """Open a store. ``path`` is a DuckDB file (default ``$EVENTLOG_DB`` or ./eventlog.duckdb)
    or a ``ducklake:`` location (see the team store docs).

    ``timeout`` is how many seconds a read or commit waits while another process is using
    the file (default ``$EVENTLOG_BUSY_TIMEOUT`` or 30).
    """
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 <= timeout < 86_400):
        raise ValidationError(f"timeout must be a number of seconds, not {timeout!r}", field="timeout")
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise ValidationError(f"a store location is a path or a ducklake: text, not {path!r}"[:120], field="path")
    location = os.fspath(path) if path is not None else default_path()
    if not isinstance(location, str) or "\x00" in location:
        raise ValidationError(f"a store location is a path or a ducklake: text, not {path!r}", field="path")
    wait = busy_timeout() if timeout is None else float(timeout)
    if location.startswith("ducklake:"):
        from .lake import open_lake

        return open_lake(location, read_only=read_only, create=create, timeout=wait, **options)
    if options:
        raise ValidationError(f"unknown option(s) for a DuckDB file store: {', '.join(options)}")
    backend = FileBackend(location, timeout=wait)
    if not os.path.exists(location):
        if not create or read_only:
            raise NotFound(f"no store at {location}: build one with 'make store' or 'eventlog build --db {location}'")
        backend.create()
    return Store(backend, read_only=read_only, create=create)


_default_stores: dict[str, Store] = {}


def default_store() -> Store:
    """The store at :func:`default_path`, opened once per process and location.

    It holds no connection (see :mod:`eventlog._store.backend`), so keeping it costs nothing
    and blocks no other process.
    """
    path = default_path()
    if not path.startswith("ducklake:"):  # a team store location is not a file path
        path = os.path.abspath(path)
    store = _default_stores.get(path)
    if store is None:
        store = _default_stores[path] = open_store(path)
    return store
