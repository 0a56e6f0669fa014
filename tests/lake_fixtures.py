"""Fixtures for the team store: a real PostgreSQL server for the session, fresh lakes per test.

Loaded by the lake test modules with ``pytest_plugins``, so the server starts once per
session however many modules use it, and stops when the session ends.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pgserver import PostgresUnavailable, TempPostgres


@pytest.fixture(scope="session")
def postgres() -> Iterator[TempPostgres]:
    """A PostgreSQL server on 127.0.0.1 and a free port, in a temp dir, for the whole session.

    Without PostgreSQL binaries the tests that need it are skipped, except in CI
    (CI=true), where they fail: CI installs Debian's postgresql and must run them.
    """
    try:
        pg = TempPostgres().start()
    except (PostgresUnavailable, OSError) as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI and could not start: {exc}")
        pytest.skip(f"no PostgreSQL server available: {exc}")
    try:
        yield pg
    finally:
        pg.stop()


@pytest.fixture
def pg_lake(postgres: TempPostgres, tmp_path: Path) -> tuple[str, str]:
    """A location for a new team store in its own PostgreSQL database, and its data folder."""
    return postgres.lake(f"lake_{uuid.uuid4().hex[:12]}"), str(tmp_path / "lake-data")


@pytest.fixture
def file_lake(tmp_path: Path) -> tuple[str, str]:
    """A location for a new team store with a local catalog file, and its data folder."""
    return f"ducklake:{tmp_path / 'team' / 'meta.ducklake'}", str(tmp_path / "team" / "data")
