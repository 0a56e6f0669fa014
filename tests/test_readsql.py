"""store.sql(): one read statement on the store, nothing written, nothing outside reached."""

from __future__ import annotations

from pathlib import Path

import pytest

import eventlog
from eventlog import ValidationError


@pytest.mark.parametrize("query", [
    "UPDATE event_versions SET title = 'x'",
    "SELECT 1; DROP TABLE actor_versions",
    "DELETE FROM head",
    "INSERT INTO meta VALUES ('a', 'b')",
    "ATTACH 'other.duckdb' AS o",
    "SET threads = 1",
    "PRAGMA version",
    "CREATE TABLE t AS SELECT 1",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('/etc/hostname')",
    "SELECT * FROM glob('/*')",
    "SELECT * FROM '/etc/passwd'",
    "SELECT getenv('HOME')",
    "WITH x AS (SELECT * FROM read_csv('/etc/passwd')) SELECT * FROM x",
    "",
])
def test_anything_but_one_read_of_the_store_is_refused(populated_store: eventlog.Store, query: str) -> None:
    before = Path(populated_store.location).read_bytes()
    with pytest.raises(ValidationError, match="sql\\(\\)|not valid SQL"):
        populated_store.sql(query)
    assert Path(populated_store.location).read_bytes() == before
    assert populated_store.log().height == populated_store.last_changeset()


def test_copy_to_a_file_writes_nothing(populated_store: eventlog.Store, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValidationError, match="got COPY"):
        populated_store.sql(f"COPY (SELECT 1) TO '{tmp_path / 'x.csv'}'")
    assert not (tmp_path / "x.csv").exists()


def test_external_access_stays_off_on_the_connection(populated_store: eventlog.Store) -> None:
    """A check missed by the parser still cannot read a file: the connection has it switched off."""
    with populated_store.reading() as con:
        populated_store.sql("SELECT 1 AS one")
        with pytest.raises(Exception, match="disabled|Permission"):
            con.execute("SELECT * FROM read_csv('/etc/passwd')")
    # and eventlog's own reads afterwards are unaffected
    assert populated_store.query().height > 0


def test_the_stable_views(populated_store: eventlog.Store) -> None:
    events = populated_store.sql("SELECT id, title, author FROM events ORDER BY id")
    assert events["id"].to_list() == populated_store.query().sort("id")["id"].to_list()
    history = populated_store.sql("SELECT id, version, operation FROM event_history ORDER BY id, version")
    assert history.height >= events.height
    log = populated_store.sql("SELECT changeset, author FROM changeset_log ORDER BY changeset")
    assert log["changeset"].to_list() == sorted(populated_store.log()["changeset"].to_list())
    assert set(populated_store.sql("SELECT * FROM links").columns) >= {"id", "cause", "effect", "relation"}


def test_bound_parameters_and_bad_ones(populated_store: eventlog.Store) -> None:
    n = populated_store.sql("SELECT count(*) AS n FROM events WHERE type = ?", ["visit"])["n"][0]
    assert n == populated_store.query(type="visit").height
    with pytest.raises(ValidationError, match="params"):
        populated_store.sql("SELECT ?", "visit")  # a string is not a list of parameters
    with pytest.raises(ValidationError, match="SQL error"):
        populated_store.sql("SELECT nothing FROM nowhere")
