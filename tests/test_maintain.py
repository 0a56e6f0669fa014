"""Keeping a team store compact: files merged, DuckLake snapshots expired, unused files deleted,
and every answer eventlog gives about its history the same before and after."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from click.testing import CliRunner

import eventlog
from eventlog import ValidationError
from eventlog._cli import main
from eventlog._store.lake import LakeStore
from tests import lake_workers
from tests.helpers import make_event
from tests.lake_helpers import check_versions, new_team_store, run_workers, seed_team_store
from tests.s3server import TempS3

pytest_plugins = ["tests.lake_fixtures"]

EVENTS = ["e0", "e1", "e2", "e3"]


def busy_history(store: eventlog.Store) -> None:
    """A history with every kind of change, each commit small (many small files)."""
    seed_team_store(store, EVENTS)
    for i in range(12):
        with store.change(author=["ana", "bo"][i % 2], message=f"edit {i}") as cs:
            cs.put(make_event(EVENTS[i % 4], title=f"{EVENTS[i % 4]} edit {i}", date=f"20{10 + i}-0{1 + i % 9}"))
    with store.change(author="cy", message="links") as cs:
        cs.link("e0", "e1", relation="causes")
        cs.link("e1", "e2", relation="enables")
    with store.change(author="cy", message="drop e3") as cs:
        cs.delete("e3", reason="duplicate")
    store.add_evidence({("doc", 0, 10): "a quote"})
    store.revert(16, author="dee", message="bring e3 back")


def answers(store: eventlog.Store) -> dict[str, pl.DataFrame]:
    """Everything eventlog says about the past: the store as of every changeset, every record's
    history and blame, every diff between two changesets, the log, links and evidence."""
    with store.reading():
        last = store.last_changeset()
        out: dict[str, pl.DataFrame] = {"log": store.log(), "links": store.links(), "actors": store.actors(),
                                        "evidence": store.evidence("e0"), "now": store.query()}
        for c in range(1, last + 1):
            out[f"as_of {c}"] = store.query(as_of=c)
            out[f"links as_of {c}"] = store.links(as_of=c)
            if c > 1:
                out[f"diff {c - 1}..{c}"] = store.diff(c - 1, c)  # each changeset alone
                out[f"diff 1..{c}"] = store.diff(1, c)  # everything after the first
        for e in EVENTS:
            out[f"history {e}"] = store.history(e)
            out[f"blame {e}"] = store.blame(e)
        out["revert plan"] = store.revert_plan(15)
        return out


def assert_same(before: dict[str, pl.DataFrame], after: dict[str, pl.DataFrame]) -> None:
    assert before.keys() == after.keys()
    for name in before:
        assert after[name].equals(before[name]), f"{name} changed:\n{after[name]}\nwas\n{before[name]}"


@pytest.mark.postgres
def test_maintain_compacts_and_every_answer_stays(team_lake: tuple[str, str], request: pytest.FixtureRequest) -> None:
    location, data_path = team_lake
    with eventlog.open(location, data_path=data_path, create=True, inline_rows=0) as store:
        assert isinstance(store, LakeStore)
        busy_history(store)
        before = answers(store)
        report = store.maintain()
        assert report.after.storage_files < report.before.storage_files / 2, report.rows()
        assert report.after.storage_bytes < report.before.storage_bytes
        assert report.after.live_files <= report.before.live_files
        assert report.before.snapshots > 15 and report.after.snapshots == 1
        assert report.steps["merge small files"] > 0 and report.steps["delete unused files"] > 0
        assert_same(before, answers(store))
        # DuckLake's snapshot list now starts at the maintenance; eventlog's log is whole.
        assert store.lake_snapshots()["author"].to_list() == ["eventlog"]
        assert store.log().height == store.last_changeset()
        # The store goes on: a commit, a revert of a changeset made before the maintenance.
        with store.change(author="eve", message="after maintenance") as cs:
            cs.put(make_event("e4", title="new"))
        assert store.revert(15, author="eve", message="no links after all") == cs.id + 1
        assert store.links().height == 0 and store.links(as_of=15).height == 2
        again = store.maintain()
        assert again.after.storage_files <= report.after.storage_files + 3
    if data_path.startswith("s3://"):
        # What the report counts is what the bucket holds.
        s3: TempS3 = request.getfixturevalue("s3_server")
        bucket, prefix = data_path[len("s3://"):].split("/", 1)
        objects = s3.objects(bucket, prefix)
        assert len(objects) == again.after.storage_files and sum(objects.values()) == again.after.storage_bytes


@pytest.mark.postgres
def test_keep_leaves_recent_snapshots(pg_lake: tuple[str, str]) -> None:
    with eventlog.open(pg_lake[0], data_path=pg_lake[1], create=True, inline_rows=0) as store:
        assert isinstance(store, LakeStore)
        seed_team_store(store, EVENTS)
        snaps = store.lake_snapshots().height
        report = store.maintain(keep=dt.timedelta(days=1))
        assert report.after.snapshots >= snaps  # none expired (the merge adds snapshots of its own)
        with pytest.raises(ValidationError, match="keep"):
            store.maintain(keep=dt.timedelta(days=-1))
    with eventlog.open(pg_lake[0], read_only=True) as reader, pytest.raises(eventlog.EventlogError, match="read-only"):
        reader.maintain()  # type: ignore[attr-defined]


@pytest.mark.postgres
def test_cli_lake_files_and_maintain(pg_lake: tuple[str, str], tmp_path: Path) -> None:
    with eventlog.open(pg_lake[0], data_path=pg_lake[1], create=True, inline_rows=0) as store:
        busy_history(store)
    runner = CliRunner()
    res = runner.invoke(main, ["lake", "files", "--db", pg_lake[0], "--format", "json"])
    assert res.exit_code == 0, res.output
    files = json.loads(res.output)
    assert files["storage_files"] == sum(1 for p in Path(pg_lake[1]).rglob("*") if p.is_file())
    res = runner.invoke(main, ["lake", "maintain", "--db", pg_lake[0], "--keep", "0"])
    assert res.exit_code == 0, res.output
    assert "storage files" in res.output and "eventlog's history is untouched" in res.output
    assert f"{files['storage_files']:>10,}" in res.output  # the before column
    res = runner.invoke(main, ["lake", "maintain", "--db", pg_lake[0], "--format", "json"])
    out = json.loads(res.output)
    assert out["before"]["snapshots"] >= 1 and out["after"]["snapshots"] == 1
    res = runner.invoke(main, ["lake", "maintain", "--db", pg_lake[0], "--keep", "soon"])
    assert res.exit_code == 2 and "not a duration" in res.output
    db = tmp_path / "file.duckdb"
    eventlog.open(db, create=True).close()
    res = runner.invoke(main, ["lake", "maintain", "--db", str(db)])
    assert res.exit_code == 1 and res.output.startswith("error:") and "not a team store" in res.output


@pytest.mark.postgres
@pytest.mark.slow
def test_maintain_while_writers_commit_loses_nothing(pg_lake: tuple[str, str]) -> None:
    """3 writer processes edit overlapping events while this process compacts the lake again
    and again: every successful write is in the history, versions stay gapless."""
    events = ["e0", "e1", "e2"]
    new_team_store(*pg_lake, events)
    reports: list[Any] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def compact() -> None:
        try:
            with eventlog.open(pg_lake[0]) as store:
                while not stop.is_set():
                    reports.append(store.maintain())  # type: ignore[attr-defined]
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    thread = threading.Thread(target=compact)
    thread.start()
    try:
        results = run_workers(lake_workers.free_running,
                              [(pg_lake[0], w, events, 6, 2000 + w, 3, True) for w in range(3)])
    finally:
        stop.set()
        thread.join(timeout=120)
    assert not errors, errors[0]
    assert len(reports) >= 2
    oks = [r for r in results if r["outcome"] == "ok"]
    assert len(oks) + sum(r["outcome"] == "conflict" for r in results) == 18
    with eventlog.open(pg_lake[0], read_only=True) as store:
        check_versions(store, events, oks)
