"""The team store: the same Store on DuckLake, with a local catalog file or a real PostgreSQL
catalog, and several writer processes at once without lost updates."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from click.testing import CliRunner

import eventlog
from eventlog import EventlogError, NotFound, StoreLocked, ValidationError, VersionConflict
from eventlog._cli import main
from eventlog._store.lake import LakeLocation, LakeStore
from tests import lake_workers
from tests.helpers import make_event
from tests.lake_helpers import check_versions, new_team_store, run_workers

pytest_plugins = ["tests.lake_fixtures"]

T0 = dt.datetime(2024, 6, 1, 9, 0, tzinfo=dt.UTC)


# -- one scenario, run on every backend ---------------------------------------------------------
def seed(store: eventlog.Store) -> None:
    """The registry and five changesets (create, update, delete, link, evidence) at fixed times."""
    with store.change(author="setup", message="registry", at=T0) as cs:
        for aid, name, kind in [("russia", "Russia", "state"), ("china", "China", "state"),
                                ("united-states", "United States", "state"), ("sberbank", "Sberbank", "bank")]:
            cs.put(eventlog.Actor(id=aid, name=name, kind=kind, aliases={"nl": ["Rusland"]} if aid == "russia" else {}))
        cs.put(eventlog.Source(id="doc", file="doc.txt", title="A document", publisher="us", language="en",
                               published="2024-05", sha256="0" * 64))
    with store.change(author="ana", message="first events", at=T0 + dt.timedelta(hours=1)) as cs:
        cs.put(make_event("visit-2024", title="Putin visits Beijing", date="2024-05-16/2024-05-17", tags=["diplomacy"]))
        cs.put(make_event("trade-2023", type="trade", title="Trade in 2023", date="2023",
                          amounts=[{"value": 240e9, "unit": "USD", "measure": "trade"}], tags=["trade"]))
        cs.put(make_event("sanction-2022", type="sanction", title="Sanctions on banks", date="2022-02",
                          actors=["united-states", "russia"], tags=["finance"]))
        cs.put(make_event("old-2014", type="contract", title="Gas contract", date="2014-05-21"))
    with store.change(author="bo", message="better title", at=T0 + dt.timedelta(hours=2)) as cs:
        cs.put(store.get("trade-2023").model_copy(update={"title": "Trade reaches 240bn", "confidence": 0.9}))
    with store.change(author="ana", message="drop duplicate", at=T0 + dt.timedelta(hours=3)) as cs:
        cs.delete("old-2014", reason="duplicate of another record")
    with store.change(author="cy", message="causal chain", at=T0 + dt.timedelta(hours=4)) as cs:
        cs.link("sanction-2022", "trade-2023", relation="causes")
        cs.link("trade-2023", "visit-2024", relation="enables")
    store.add_evidence({("doc", 0, 10): "a quote"})


def observe(store: eventlog.Store) -> dict[str, Any]:
    """What every read API returns on a seeded store, then after a revert (times dropped:
    the revert's commit time is 'now')."""
    out: dict[str, Any] = {
        "query": store.query(),
        "query_actor_alias": store.query(actor="Rusland", start="2023"),
        "as_of_2": store.query(as_of=2),
        "as_of_time": store.query(as_of=T0 + dt.timedelta(hours=2, minutes=30)),
        "history": store.history("trade-2023"),
        "history_deleted": store.history("old-2014"),
        "log": store.log(),
        "diff": store.diff(2),
        "diff_kind": store.diff(1, 4, kind="event"),
        "blame": store.blame("trade-2023"),
        "evidence": store.evidence("visit-2024"),
        "links": store.links(),
        "causes": store.causes("visit-2024"),
        "effects": store.effects("sanction-2022"),
        "paths": store.paths("sanction-2022", "visit-2024"),
        "actors": store.actors(),
        "stats": pl.DataFrame([{k: str(v) for k, v in store.stats().items()}]),
    }
    out["revert"] = pl.DataFrame({"id": [store.revert(4, author="dee")]})
    out["after_revert"] = store.query()
    out["log_after_revert"] = store.log()
    return {k: v.select([c for c, t in v.schema.items() if not isinstance(t, pl.Datetime)]) for k, v in out.items()}


def assert_same_api(lake: eventlog.Store, tmp_path: Path) -> None:
    reference = eventlog.open(tmp_path / "reference.duckdb", create=True)
    try:
        seed(reference)
        seed(lake)
        want, got = observe(reference), observe(lake)
    finally:
        reference.close()
    for name in want:
        assert got[name].equals(want[name]), f"{name} differs on {lake.backend}:\n{got[name]}\nvs\n{want[name]}"
    assert got["query"].height == 3 and got["causes"].height == 2 and got["paths"].height == 1


def assert_snapshots_carry_changesets(store: LakeStore) -> None:
    """Every changeset is exactly one DuckLake snapshot with the changeset's author and message."""
    snaps = store.lake_snapshots().filter(pl.col("changeset").is_not_null())
    log = store.log().sort("changeset")
    assert snaps["changeset"].to_list() == log["changeset"].to_list()
    assert snaps["author"].to_list() == log["author"].to_list()
    assert snaps["message"].to_list() == log["message"].to_list()
    # Schema and evidence snapshots are labelled too: no anonymous snapshot after the lake's own first one.
    assert store.lake_snapshots()["author"][1:].null_count() == 0


# -- locations and errors (no server needed) ----------------------------------------------------
def test_parse_locations() -> None:
    pg = LakeLocation.parse("ducklake:postgres:dbname=events host=db password=secret user=ana")
    assert (pg.catalog, pg.conninfo) == ("postgres", "dbname=events host=db password=secret user=ana")
    assert "secret" not in pg.display()
    f = LakeLocation.parse("ducklake:/srv/team/meta.ducklake")
    assert (f.catalog, f.path) == ("file", "/srv/team/meta.ducklake")
    for bad in ("ducklake:", "ducklake:postgres:host=db", "ducklake:mysql:db=x"):
        with pytest.raises(ValidationError):
            LakeLocation.parse(bad)


def test_missing_team_extra_is_a_clear_error(file_lake: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "duckdb_extensions", None)  # as if the 'team' extra were not installed
    with pytest.raises(EventlogError, match=r"pip install 'eventlog\[team\]'"):
        eventlog.open(file_lake[0], data_path=file_lake[1], create=True)


def test_unknown_option_and_missing_lake(file_lake: tuple[str, str]) -> None:
    with pytest.raises(ValidationError, match="unknown option"):
        eventlog.open(file_lake[0], data_pth="x", create=True)
    with pytest.raises(NotFound, match="create=True"):
        eventlog.open(file_lake[0])
    assert not Path(file_lake[0].removeprefix("ducklake:")).exists()


# -- a local catalog file ------------------------------------------------------------------------
def test_file_catalog_gives_the_same_api(file_lake: tuple[str, str], tmp_path: Path) -> None:
    store = eventlog.open(file_lake[0], data_path=file_lake[1], create=True)
    assert isinstance(store, LakeStore) and store.backend == "ducklake"
    try:
        assert_same_api(store, tmp_path)
        assert_snapshots_carry_changesets(store)
    finally:
        store.close()


def test_file_catalog_reopens_read_only_and_is_single_process(file_lake: tuple[str, str]) -> None:
    store = eventlog.open(file_lake[0], data_path=file_lake[1], create=True)
    seed(store)
    code = f"import eventlog; eventlog.open({file_lake[0]!r})"
    import subprocess

    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0 and "StoreLocked" in proc.stderr  # a file catalog serves one process
    store.close()
    with eventlog.open(file_lake[0], read_only=True) as ro:  # the lake remembers its data path
        assert ro.query()["id"].to_list() == ["sanction-2022", "trade-2023", "visit-2024"]
        with pytest.raises(EventlogError, match="read-only"), ro.change(author="a", message="m") as cs:
            cs.put(make_event("x"))
    with eventlog.open(file_lake[0]) as again:
        with pytest.raises(StoreLocked):
            eventlog.open(file_lake[0])
        assert again.last_changeset() == 5


def test_failed_commit_leaves_lake_unchanged(file_lake: tuple[str, str]) -> None:
    with eventlog.open(file_lake[0], data_path=file_lake[1], create=True) as store:
        seed(store)
        before = (store.log(), store.lake_snapshots().height, store.sql("SELECT * FROM head"))
        with pytest.raises(ValidationError, match="unknown actor"), store.change(author="a", message="bad") as cs:
            cs.put(make_event("new-one"))
            cs.put(make_event("bad-one", actors=["nobody"]))
        with pytest.raises(VersionConflict), store.change(author="a", message="stale") as cs:
            cs.put(make_event("trade-2023", title="stale"), expected_version=1)
        assert store.log().equals(before[0])
        assert store.lake_snapshots().height == before[1]
        assert store.sql("SELECT * FROM head").equals(before[2])


# -- a PostgreSQL catalog ------------------------------------------------------------------------
@pytest.mark.postgres
def test_postgres_catalog_gives_the_same_api(team_lake: tuple[str, str], tmp_path: Path) -> None:
    store = eventlog.open(team_lake[0], data_path=team_lake[1], create=True)
    try:
        assert_same_api(store, tmp_path)
        assert_snapshots_carry_changesets(store)
        assert "password" not in repr(store)
    finally:
        store.close()


@pytest.mark.postgres
def test_postgres_catalog_needs_a_data_path_and_an_existing_store(pg_lake: tuple[str, str]) -> None:
    with pytest.raises(ValidationError, match="data_path"):
        eventlog.open(pg_lake[0], create=True)
    with pytest.raises(NotFound):
        eventlog.open(pg_lake[0])
    with eventlog.open(pg_lake[0], data_path=pg_lake[1], create=True) as store:
        seed(store)
    # Analysts open an existing team store without repeating the data path: the catalog knows it.
    with eventlog.open(pg_lake[0]) as store, eventlog.open(pg_lake[0], read_only=True) as reader:
        with store.change(author="eve", message="second analyst") as cs:
            cs.put(make_event("new-2024", title="New"))
        assert "new-2024" in reader.query()["id"].to_list()  # other writers' commits are visible at once
    with pytest.raises(EventlogError, match="cannot open the team store"):
        eventlog.open(re.sub(r"port=\d+", "port=1", pg_lake[0]))


@pytest.mark.postgres
def test_cli_reads_a_team_store(team_lake: tuple[str, str]) -> None:
    with eventlog.open(team_lake[0], data_path=team_lake[1], create=True) as store:
        seed(store)
    runner = CliRunner()
    res = runner.invoke(main, ["query", "--db", team_lake[0], "--format", "csv", "--columns", "all"])
    assert res.exit_code == 0, res.output
    assert "Trade reaches 240bn" in res.output and "Gas contract" not in res.output
    res = runner.invoke(main, ["log", "--db", team_lake[0], "--format", "json"])
    assert res.exit_code == 0 and res.output.count("\n") == 5
    res = runner.invoke(main, ["history", "trade-2023", "--db", team_lake[0], "--format", "csv"])
    assert res.exit_code == 0 and "better title" in res.output


@pytest.mark.postgres
@pytest.mark.slow
def test_lockstep_writers_one_wins_each_round_the_rest_conflict(pg_lake: tuple[str, str]) -> None:
    """4 processes read the same version, wait for each other, then all write based on it."""
    events = ["e0", "e1"]
    new_team_store(*pg_lake, events)
    workers, rounds = 4, [events[r % 2] for r in range(6)]
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(workers)
    reports = run_workers(lake_workers.lockstep, [(pg_lake[0], w, rounds, barrier) for w in range(workers)])
    attempts = [r for r in reports if r["outcome"] in ("ok", "conflict")]
    assert len(attempts) == workers * len(rounds)
    per_round = Counter((r["round"], r["outcome"]) for r in attempts)
    for r in range(len(rounds)):
        # Everyone held the same version: exactly one write can be based on it.
        assert (per_round[(r, "ok")], per_round[(r, "conflict")]) == (1, workers - 1), per_round
    oks = [r for r in attempts if r["outcome"] == "ok"]
    with eventlog.open(pg_lake[0], read_only=True) as store:
        check_versions(store, events, oks)
        for r in attempts:
            if r["outcome"] == "conflict":
                assert "someone changed it" in r["error"]
        assert_snapshots_carry_changesets(store)  # type: ignore[arg-type]


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.parametrize(("storage", "commit_lock"), [("pg_lake", True), ("pg_lake", False), ("pg_s3_lake", True)],
                         ids=["queued", "colliding", "queued-s3"])
def test_free_running_writers_lose_nothing(storage: str, commit_lock: bool, request: pytest.FixtureRequest) -> None:
    """4 processes x 6 read-modify-writes on 3 overlapping events, a quarter of them blind puts;
    with commits queued on the advisory lock, and colliding in DuckLake and retried; and queued
    with the data in a bucket (the workers read the credentials from the environment)."""
    pg_lake: tuple[str, str] = request.getfixturevalue(storage)
    events = ["e0", "e1", "e2"]
    new_team_store(*pg_lake, events)
    workers, edits = 4, 6
    reports = run_workers(lake_workers.free_running,
                           [(pg_lake[0], w, events, edits, 1000 + w, 4, commit_lock) for w in range(workers)])
    attempts = [r for r in reports if r["outcome"] in ("ok", "conflict")]
    assert len(attempts) == workers * edits  # every attempt ended as a success or a VersionConflict
    oks = [r for r in attempts if r["outcome"] == "ok"]
    conflicts = [r for r in attempts if r["outcome"] == "conflict"]
    assert all(r["expected"] is not None for r in conflicts), "a blind put must never conflict"
    based_on = Counter((r["event"], r["expected"]) for r in oks if r["expected"] is not None)
    assert all(n == 1 for n in based_on.values()), "two successful writes were based on the same version"
    with eventlog.open(pg_lake[0], read_only=True) as store:
        check_versions(store, events, oks)
        final = {e: store.history(e)["version"].max() for e in events}
        for r in conflicts:  # a conflict means someone else really had moved the event on
            assert r["expected"] < final[r["event"]]
        assert_snapshots_carry_changesets(store)  # type: ignore[arg-type]
    done = [r for r in reports if r["outcome"] == "done"]
    print(f"\n{len(oks)} ok, {len(conflicts)} VersionConflict; DuckLake refused "
          f"{sum(r['conflicts'] for r in done)} of {sum(r['attempts'] for r in done)} commit attempts (retried)")


class _CommitsFirst:
    """While the victim's commit transaction is open, another store commits a change to the same event."""

    def __init__(self, victim: LakeStore, other: LakeStore, title: str):
        self.victim, self.other, self.title, self.fired = victim, other, title, False
        self.original = victim._before_commit

    def __call__(self, cs_id: int, cs: Any) -> None:
        if not self.fired:
            self.fired = True
            with self.other.change(author="other", message="got there first") as ocs:
                ocs.put(self.other.get("e0").model_copy(update={"title": self.title}))
        self.original(cs_id, cs)


@pytest.mark.postgres
@pytest.mark.parametrize("expected_version", [1, None], ids=["stale-expected-version", "blind-put"])
def test_a_refused_commit_is_retried_on_fresh_state(pg_lake: tuple[str, str], expected_version: int | None) -> None:
    """The mechanism itself, step by step: two writers update the head row; DuckLake refuses the
    later COMMIT with a transaction conflict; the retry starts a new transaction that sees the
    other's work, so a stale expected_version becomes VersionConflict and a blind put lands on top."""
    new_team_store(*pg_lake, ["e0"])
    # No advisory lock here: the other writer must be able to commit inside our open transaction.
    a = eventlog.open(pg_lake[0], commit_lock=False)
    b = eventlog.open(pg_lake[0], commit_lock=False)
    try:
        assert isinstance(a, LakeStore) and isinstance(b, LakeStore)
        a._before_commit = _CommitsFirst(a, b, "b's title")  # type: ignore[method-assign]
        if expected_version is not None:
            with pytest.raises(VersionConflict, match="is at version 2, not 1"), a.change(author="a", message="edit") as cs:
                cs.put(make_event("e0", title="a's title"), expected_version=expected_version)
            assert a.history("e0")["version"].to_list() == [1, 2]
            assert a.get("e0").title == "b's title"
        else:
            with a.change(author="a", message="edit") as cs:
                cs.put(make_event("e0", title="a's title"))
            hist = a.history("e0")
            assert hist["version"].to_list() == [1, 2, 3] and hist["author"].to_list() == ["setup", "other", "a"]
            assert a.get("e0").title == "a's title" and cs.id == 4
        assert (a.attempts, a.conflicts) == (2, 1)  # refused once by DuckLake, then retried
        assert a.log()["changeset"].sort().to_list() == list(range(1, a.last_changeset() + 1))
    finally:
        a.close()
        b.close()


@pytest.mark.postgres
def test_the_same_quote_added_at_once_is_kept_once(pg_lake: tuple[str, str]) -> None:
    new_team_store(*pg_lake, ["e0"])
    a = eventlog.open(pg_lake[0], commit_lock=False)
    b = eventlog.open(pg_lake[0], commit_lock=False)
    try:
        assert isinstance(a, LakeStore)
        original, fired = a._backend.label, []

        def label_after_b(*args: Any) -> None:  # b adds the same quote inside a's open transaction
            if not fired:
                fired.append(b.add_evidence({("doc", 0, 10): "the quote"}))
            original(*args)

        a._backend.label = label_after_b  # type: ignore[method-assign]
        assert a.add_evidence({("doc", 0, 10): "the quote"}) == 0  # retried, and found b's row
        assert fired == [1]
        assert a.sql("SELECT count(*) AS n FROM evidence")["n"][0] == 1
        assert a.evidence("e0").height == 1
    finally:
        a.close()
        b.close()


@pytest.mark.postgres
def test_two_processes_create_the_same_store_at_once(pg_lake: tuple[str, str]) -> None:
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(2)
    run_workers(lake_workers.create_and_commit, [(pg_lake[0], pg_lake[1], w, barrier) for w in range(2)])
    with eventlog.open(pg_lake[0], read_only=True) as store:
        assert store.sql("SELECT * FROM head")["last_changeset"].to_list() == [2]
        assert store.sql("SELECT count(*) AS n FROM meta WHERE key = 'schema_version'")["n"][0] == 1
        assert sorted(store.query()["id"].to_list()) == ["w0", "w1"]


@pytest.mark.postgres
def test_a_read_block_sees_one_snapshot_and_its_own_commits(pg_lake: tuple[str, str]) -> None:
    """A reading block is one DuckLake transaction: another writer's commit in the middle is not
    half-seen; a commit made inside the block is seen by the rest of it."""
    new_team_store(*pg_lake, ["e0"])
    a = eventlog.open(pg_lake[0])
    b = eventlog.open(pg_lake[0])
    try:
        with a.reading():
            assert a.query()["id"].to_list() == ["e0"]
            with b.change(author="b", message="meanwhile") as cs:
                cs.put(make_event("e1", title="from b"))
            assert a.query()["id"].to_list() == ["e0"]  # the block's snapshot
            assert a.last_changeset() == cs.id - 1
            with a.change(author="a", message="inside the block") as mine:
                mine.put(make_event("e2", title="from a"))
            assert sorted(a.query()["id"].to_list()) == ["e0", "e1", "e2"]
        assert a.last_changeset() == mine.id == cs.id + 1
    finally:
        a.close()
        b.close()
