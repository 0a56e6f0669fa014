"""Every setting eventlog reads from the environment, and the defaults built from them.

=========================  ====================================================  ==================
variable                   meaning                                               default
=========================  ====================================================  ==================
``EVENTLOG_DB``            the store: a DuckDB file or a ``ducklake:`` location  ``eventlog.duckdb``
``EVENTLOG_AUTHOR``        who writes (changesets from the CLI, API, widgets)    git, then ``$USER``
``EVENTLOG_BUSY_TIMEOUT``  seconds to wait for a store another process is using  30
``EVENTLOG_POLL``          seconds between the widgets' checks for new changes   2 (0: off)
``EVENTLOG_CORPUS``        the source documents                                  ``../shared/corpus``
``EVENTLOG_DATA_PATH``     where a new team store keeps its Parquet files        (none)
=========================  ====================================================  ==================

>>> busy_timeout({"EVENTLOG_BUSY_TIMEOUT": "2.5"})
2.5
"""

from __future__ import annotations

import functools
import os
import subprocess
from collections.abc import Mapping

from ._errors import ValidationError

__all__ = ["DEFAULT_PATH", "busy_timeout", "default_author", "default_path", "poll_interval"]

DEFAULT_PATH = "eventlog.duckdb"
DEFAULT_BUSY_TIMEOUT = 30.0
DEFAULT_POLL = 2.0


def default_path() -> str:
    """``$EVENTLOG_DB`` if set, else ``./eventlog.duckdb``."""
    return os.environ.get("EVENTLOG_DB") or DEFAULT_PATH


def _seconds(name: str, env: Mapping[str, str], default: float) -> float:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValidationError(f"${name} must be a number of seconds, not {raw!r}", field=name) from None
    if not 0 <= value < 86_400 or value != value:
        raise ValidationError(f"${name} must be between 0 and 86400 seconds, not {raw!r}", field=name)
    return value


def busy_timeout(env: Mapping[str, str] | None = None) -> float:
    """Seconds a read or a commit waits for a store that another process is using."""
    return _seconds("EVENTLOG_BUSY_TIMEOUT", os.environ if env is None else env, DEFAULT_BUSY_TIMEOUT)


def poll_interval(env: Mapping[str, str] | None = None) -> float:
    """Seconds between a widget's checks for changesets written by someone else (0: no polling)."""
    return _seconds("EVENTLOG_POLL", os.environ if env is None else env, DEFAULT_POLL)


@functools.cache
def _git_user() -> str | None:
    try:
        out = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def default_author(author: str | None = None) -> str:
    """Who a write is attributed to: ``author`` if given, else ``$EVENTLOG_AUTHOR``, else
    ``git config user.name``, else ``$USER``, else the login name.

    >>> default_author("ana")
    'ana'
    """
    if author and author.strip():
        return author.strip()
    for name in (os.environ.get("EVENTLOG_AUTHOR"), _git_user(), os.environ.get("USER")):
        if name and name.strip():
            return name.strip()
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry inside some containers
        return "unknown"
