"""Migrating a store with its full history: DuckDB file -> team lake (file or PostgreSQL catalog) and back."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

import eventlog
from eventlog import EventlogError
from eventlog._cli import main
from eventlog._store.migrate import compare_stores, migrate
from eventlog._store.schema import KINDS
from tests.helpers import EVENTS, make_event

pytest_plugins = ["tests.lake_fixtures"]

TABLES = ["changesets", "evidence", *(k.table for k in KINDS.values())]


@pytest.fixture
def history_file(populated_store: eventlog.Store) -> str:
    """A DuckDB store with creates, an update, a delete, links, a revert, a restore and evidence."""
    store = populated_store
    with store.change(author="cy", message="causal chain", info={"ticket": 7}) as cs:
        cs.link("sanction-2022", "trade-2023", relation="causes")
        cs.link("trade-2023", "visit-2024", relation="enables", sources=[{"source": "doc", "span": [0, 10]}])
    store.revert(3, author="dee", message="the old title was right")
    with store.change(author="ana", message="restore") as cs:
        cs.put(make_event("old-2014", type="contract", title="Gas contract, restored", date="2014-05-21"))
    with store.change(author="bo", message="tags") as cs:
        cs.tag(["visit-2024", "bank-2024"], add=["watch"])
    store.add_evidence({("doc", 0, 10): "a quote", ("doc", 5, 9): "another"})
    path = store.location
    store.close()
    return path


def counts(location: str) -> dict[str, int]:
    with eventlog.open(location, read_only=True) as store:
        return {t: store.sql(f"SELECT count(*) AS n FROM {t}")["n"][0] for t in TABLES}


def test_migrate_to_a_file_lake_keeps_every_row(history_file: str, file_lake: tuple[str, str]) -> None:
    report = migrate(history_file, file_lake[0], data_path=file_lake[1])
    assert report.verified and report.changesets == 8 and not report.differences
    assert counts(file_lake[0]) == counts(history_file) == report.rows
    with eventlog.open(history_file, read_only=True) as src, eventlog.open(file_lake[0]) as dst:
        assert compare_stores(src, dst) == []
        assert dst.log().equals(src.log())  # ids, authors, times, messages and counts per kind
        assert dst.diff(1).equals(src.diff(1))
        assert dst.history("trade-2023").equals(src.history("trade-2023"))
        assert dst.blame("old-2014").equals(src.blame("old-2014"))
        assert dst.query(as_of=3).equals(src.query(as_of=3))
        assert dst.links().equals(src.links())
        assert dst.evidence("visit-2024").equals(src.evidence("visit-2024"))
        superseded = "SELECT key, version, changeset, superseded_by FROM event_versions ORDER BY ALL"
        assert dst.sql(superseded).equals(src.sql(superseded))
        # Each migrated changeset is one DuckLake snapshot labelled like the original.
        snaps = dst.lake_snapshots().filter(pl.col("changeset").is_not_null())
        assert snaps["changeset"].to_list() == list(range(1, 9))
        assert snaps["author"].to_list() == src.log().sort("changeset")["author"].to_list()
        assert snaps["message"].to_list() == src.log().sort("changeset")["message"].to_list()
        # The migrated store carries on where the source stopped.
        with dst.change(author="eve", message="after migration") as cs:
            cs.put(make_event("new-2025", title="New", date="2025"))
        assert cs.id == 9
        assert compare_stores(src, dst) != []  # and the comparison notices a difference


def test_migrate_refuses_a_store_that_is_not_empty(history_file: str, file_lake: tuple[str, str]) -> None:
    migrate(history_file, file_lake[0], data_path=file_lake[1])
    before = counts(file_lake[0])
    with pytest.raises(EventlogError, match="not empty"):
        migrate(history_file, file_lake[0])
    assert counts(file_lake[0]) == before


def test_migrate_in_one_snapshot_and_back_to_a_file(history_file: str, file_lake: tuple[str, str], tmp_path: Path) -> None:
    report = migrate(history_file, file_lake[0], data_path=file_lake[1], one_snapshot=True)
    assert report.verified
    with eventlog.open(file_lake[0], read_only=True) as lake:
        labelled = lake.lake_snapshots().filter(pl.col("message").str.starts_with("Migrate 8 changeset"))
        assert labelled.height == 1 and json.loads(labelled["extra"][0])["changesets"] == 8
    back = tmp_path / "back.duckdb"
    assert migrate(file_lake[0], str(back)).verified  # a lake copies back to a DuckDB file just as well
    assert counts(str(back)) == counts(history_file)


def test_migrate_the_curated_dataset(tmp_path: Path, file_lake: tuple[str, str]) -> None:
    db = str(tmp_path / "curated.duckdb")
    eventlog.build(EVENTS, db, author="ci", message="build")
    with eventlog.open(db) as store:
        first = store.query()["id"][0]
        with store.change(author="ana", message="edit") as cs:
            cs.put(store.get(first).model_copy(update={"title": "Edited title"}), expected_version=1)
        n_events = store.query().height
    report = migrate(db, file_lake[0], data_path=file_lake[1])
    assert report.verified and report.changesets == 2 and report.rows["event_versions"] == n_events + 1
    with eventlog.open(db, read_only=True) as src, eventlog.open(file_lake[0], read_only=True) as dst:
        assert dst.stats() == src.stats()
        assert dst.query().equals(src.query())


@pytest.mark.postgres
def test_cli_migrate_to_postgres_then_diff_both(history_file: str, pg_lake: tuple[str, str]) -> None:
    runner = CliRunner()
    res = runner.invoke(main, ["migrate", "--from", history_file, "--to", pg_lake[0], "--data-path", pg_lake[1]])
    assert res.exit_code == 0, res.output
    assert "migrated 8 changeset(s)" in res.output and "verified" in res.output
    assert re.search(r"event_versions\s+\d+", res.output)
    assert counts(pg_lake[0]) == counts(history_file)
    # The same diff, computed by each store from its own tables, prints the same.
    diffs = [runner.invoke(main, ["diff", "1", "--db", db, "--format", "json"]) for db in (history_file, pg_lake[0])]
    assert all(d.exit_code == 0 for d in diffs) and diffs[0].output == diffs[1].output and diffs[0].output
    logs = [runner.invoke(main, ["log", "--db", db, "--format", "json", "--limit", "0"]) for db in (history_file, pg_lake[0])]
    assert logs[0].output == logs[1].output
    res = runner.invoke(main, ["migrate", "--from", history_file, "--to", pg_lake[0]])
    assert res.exit_code == 1 and "not empty" in res.output


def test_cli_migrate_errors_are_one_line(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["migrate", "--from", str(tmp_path / "nope.duckdb"), "--to",
                                    f"ducklake:{tmp_path / 'x.ducklake'}"])
    assert res.exit_code == 1 and res.output.startswith("error:") and "nope.duckdb" in res.output
