"""Where a DuckDB file's commit puts its rows: small commits in the recent table, large ones
(and a small one that would fill it) in the main table after folding the recent rows into it.
The layout changes where rows are kept, never what they are."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import eventlog
from eventlog._store import commit as commit_module
from tests.helpers import make_event

_COLUMNS = "key, version, changeset, superseded_by, op, reason, data"


@pytest.fixture
def small_tables(monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """Writes of more than 3 rows go to main; the recent table holds at most 5."""
    monkeypatch.setattr(commit_module, "SMALL_WRITE", 3)
    monkeypatch.setattr(commit_module, "FOLD_AT", 5)
    return 3, 5


def rows_in(store: eventlog.Store, table: str) -> int:
    return int(store.sql(f"SELECT count(*) FROM {table}").item())  # noqa: S608 - the schema's names


def put_events(store: eventlog.Store, keys: list[str], title: str) -> None:
    with store.change(author="ana", message=f"{len(keys)} event(s)") as cs:
        for key in keys:
            cs.put(make_event(key, title=title))


def test_a_small_commit_writes_its_rows_to_the_recent_table(fresh_store, small_tables):
    put_events(fresh_store, ["a", "b"], "first")
    assert (rows_in(fresh_store, "event_versions_recent"), rows_in(fresh_store, "event_versions_main")) == (2, 0)
    put_events(fresh_store, ["a"], "second")
    # The superseded version is marked where it lies; every reader sees both tables.
    assert rows_in(fresh_store, "event_versions_recent") == 3
    assert fresh_store.get("a").title == "second"
    assert fresh_store.history("a")["version"].to_list() == [1, 2]


def test_a_large_commit_folds_the_recent_rows_into_the_main_table(fresh_store, small_tables):
    put_events(fresh_store, ["a", "b"], "first")
    before = fresh_store.sql(f"SELECT {_COLUMNS} FROM event_versions ORDER BY ALL").rows()
    put_events(fresh_store, ["c", "d", "e", "f"], "bulk")
    assert (rows_in(fresh_store, "event_versions_recent"), rows_in(fresh_store, "event_versions_main")) == (0, 6)
    after = fresh_store.sql(f"SELECT {_COLUMNS} FROM event_versions WHERE key IN ('a', 'b') ORDER BY ALL").rows()
    assert after == before


def test_a_small_commit_that_would_fill_the_recent_table_folds_it_first(fresh_store, small_tables):
    put_events(fresh_store, ["a", "b"], "one")
    put_events(fresh_store, ["c", "d"], "two")
    assert rows_in(fresh_store, "event_versions_recent") == 4
    put_events(fresh_store, ["a", "e"], "three")  # 4 + 2 > 5
    assert (rows_in(fresh_store, "event_versions_recent"), rows_in(fresh_store, "event_versions_main")) == (0, 6)
    assert fresh_store.sql("SELECT count(*) FROM event_versions WHERE key = 'a' AND superseded_by IS NULL").item() == 1
    assert fresh_store.get("a").title == "three"


_COMMITS = st.lists(st.lists(st.tuples(st.sampled_from(["put", "delete"]), st.integers(0, 7)), min_size=1, max_size=7),
                    min_size=1, max_size=8)


def _replay(store: eventlog.Store, commits: list[list[tuple[str, int]]]) -> None:
    with store.change(author="setup", message="registry") as cs:
        for aid in ("russia", "china"):
            cs.put(eventlog.Actor(id=aid, name=aid.title(), category="state"))
        cs.put(eventlog.Source(id="doc", file="doc.txt", title="A document", publisher="us", language="en",
                               published="2024-05", sha256="0" * 64))
    live: set[str] = set()
    for n, ops in enumerate(commits):
        last = {f"k-{k}": op for op, k in ops}  # one op per key and changeset: the last
        with store.change(author="ana", message=f"commit {n}") as cs:
            for key, op in last.items():
                if op == "put":
                    cs.put(make_event(key, title=f"title {n}"))
                elif key in live:
                    cs.delete(key, reason="scripted")
        live = {k for k, op in last.items() if op == "put"} | (live - set(last))


@settings(max_examples=25, deadline=None)
@given(commits=_COMMITS, small=st.integers(0, 4), fold_at=st.integers(0, 8))
def test_the_tables_rows_are_kept_in_never_change_the_versions(tmp_path_factory, commits, small, fold_at):
    states = []
    for limits in ((small, fold_at), (0, 0)):  # (0, 0): every write in the main table, as one table per kind
        store = eventlog.open(tmp_path_factory.mktemp("layout") / "s.duckdb", create=True)
        old = commit_module.SMALL_WRITE, commit_module.FOLD_AT
        commit_module.SMALL_WRITE, commit_module.FOLD_AT = limits
        try:
            _replay(store, commits)
        finally:
            commit_module.SMALL_WRITE, commit_module.FOLD_AT = old
        assert rows_in(store, "event_versions_recent") <= limits[1]
        states.append(store.sql(f"SELECT {_COLUMNS} FROM event_versions ORDER BY key, version").rows())
        store.close()
    assert states[0] == states[1]
