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
from tests.s3server import S3Unavailable, TempS3


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


@pytest.fixture(scope="session")
def s3_server() -> Iterator[TempS3]:
    """An S3-compatible server (moto's) on 127.0.0.1 for the whole session; required in CI."""
    try:
        server = TempS3().start()
    except (S3Unavailable, OSError) as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the S3 test server is required in CI and could not start: {exc}")
        pytest.skip(f"no S3 test server available: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def s3_env(s3_server: TempS3, monkeypatch: pytest.MonkeyPatch) -> TempS3:
    """The server's endpoint and credentials in the AWS_* environment variables, as an analyst
    would set them (spawned worker processes inherit them)."""
    for name, value in s3_server.env.items():
        monkeypatch.setenv(name, value)
    return s3_server


@pytest.fixture
def pg_s3_lake(postgres: TempPostgres, s3_env: TempS3) -> tuple[str, str]:
    """A location for a new team store: catalog in PostgreSQL, data in a fresh bucket."""
    name = f"lake-{uuid.uuid4().hex[:12]}"
    return postgres.lake(name.replace("-", "_")), f"{s3_env.bucket(name)}/events/"


@pytest.fixture(params=["folder", "s3"])
def team_lake(request: pytest.FixtureRequest) -> tuple[str, str]:
    """A PostgreSQL-catalogued team store with its data in a folder, then in a bucket."""
    return request.getfixturevalue("pg_lake" if request.param == "folder" else "pg_s3_lake")


@pytest.fixture
def pg_lake(postgres: TempPostgres, tmp_path: Path) -> tuple[str, str]:
    """A location for a new team store in its own PostgreSQL database, and its data folder."""
    return postgres.lake(f"lake_{uuid.uuid4().hex[:12]}"), str(tmp_path / "lake-data")


@pytest.fixture
def file_lake(tmp_path: Path) -> tuple[str, str]:
    """A location for a new team store with a local catalog file, and its data folder."""
    return f"ducklake:{tmp_path / 'team' / 'meta.ducklake'}", str(tmp_path / "team" / "data")
