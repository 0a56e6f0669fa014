"""A large changeset turns its event puts into rows as they come (in chunks of CHUNK), and
commits them CHUNK rows at a time: the same result as one held whole, whatever the order of
puts, re-puts and deletes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import eventlog
from eventlog import NotFound, ValidationError, VersionConflict
from eventlog._models import is_validated
from eventlog._store import changeset as changeset_module
from eventlog._store import commit as commit_module
from tests.helpers import make_event


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> int:
    """Chunks of 4 events, so a handful of puts crosses several."""
    monkeypatch.setattr(changeset_module, "CHUNK", 4)
    monkeypatch.setattr(commit_module, "CHUNK", 4)
    return 4


def state(store: eventlog.Store) -> list[tuple]:
    return store.sql("SELECT key, version, op, data, reason FROM event_versions ORDER BY key, version").rows()


def test_a_changeset_larger_than_a_chunk_writes_every_event(fresh_store, small_chunks):
    with fresh_store.change(author="ana", message="many") as cs:
        for i in range(11):
            cs.put(make_event(f"e-{i:02d}", date=f"20{10 + i}"))
        assert len(cs) == 11 and cs._flushed.tables  # some are rows already, not models
    assert (cs.result.created, cs.result.changeset) == (11, 2)
    assert fresh_store.query()["id"].to_list() == [f"e-{i:02d}" for i in range(11)]
    assert fresh_store.get("e-07").date == "2017"


def test_a_key_put_again_after_its_chunk_was_flushed_keeps_the_last_put(fresh_store, small_chunks):
    with fresh_store.change(author="ana", message="twice") as cs:
        for i in range(6):
            cs.put(make_event(f"e-{i}", title="first"))
        cs.put(make_event("e-1", title="second"))
    assert cs.result.created == 6
    assert fresh_store.get("e-1").title == "second"
    assert fresh_store.history("e-1").height == 1


def test_a_dangling_actor_in_a_flushed_chunk_is_named_and_nothing_is_written(fresh_store, small_chunks):
    before = state(fresh_store)
    with pytest.raises(ValidationError) as err, fresh_store.change(author="ana", message="bad") as cs:
        cs.put(make_event("bad-one", actors=["russia", "atlantis"]))
        for i in range(9):
            cs.put(make_event(f"e-{i}"))
    assert "bad-one" in str(err.value) and "atlantis" in str(err.value) and "actors" in str(err.value)
    assert state(fresh_store) == before


def test_deletes_and_expected_versions_survive_a_flush(populated_store, small_chunks):
    ev = populated_store.get("visit-2024")
    with pytest.raises(VersionConflict), populated_store.change(author="ana", message="stale") as cs:
        cs.put(ev.model_copy(update={"title": "again"}), expected_version=7)
        for i in range(5):
            cs.put(make_event(f"e-{i}"))
        cs.put(ev.model_copy(update={"title": "and again"}))  # inherits expected_version=7
    with pytest.raises(NotFound), populated_store.change(author="ana", message="gone") as cs:
        cs.delete("old-2014", reason="already deleted")
        for i in range(5):
            cs.put(make_event(f"e-{i}"))
    with populated_store.change(author="ana", message="mixed") as cs:
        cs.delete("visit-2024", reason="a duplicate")
        for i in range(5):
            cs.put(make_event(f"e-{i}"))
    assert (cs.result.created, cs.result.deleted) == (5, 1)
    with pytest.raises(NotFound):
        populated_store.get("visit-2024")


def test_tagging_reads_a_put_already_flushed(fresh_store, small_chunks):
    with fresh_store.change(author="ana", message="tagged") as cs:
        for i in range(6):
            cs.put(make_event(f"e-{i}", title=f"title {i}"))
        assert cs.tag(["e-0"], add=["energy"]) == 1
    assert fresh_store.get("e-0").tags == ["energy"] and fresh_store.get("e-0").title == "title 0"


# A script of ops over a few keys: put (with a title), delete, or put naming an unknown actor.
_OPS = st.lists(st.tuples(st.sampled_from(["put", "put", "delete", "bad"]), st.integers(0, 5), st.integers(0, 3)),
                max_size=25)


def _run(store: eventlog.Store, ops: list[tuple[str, int, int]]) -> object:
    live = set(store.query()["id"].to_list())
    try:
        with store.change(author="ana", message="script") as cs:
            for op, k, title in ops:
                key = f"k-{k}"
                if op == "put":
                    cs.put(make_event(key, title=f"title {title}"))
                    live.add(key)
                elif op == "bad":  # an unknown actor: the commit fails unless a later put fixes it
                    cs.put(make_event(key, actors=["atlantis"]))
                    live.add(key)
                elif key in live:
                    cs.delete(key, reason="scripted")
                    live.discard(key)
        return cs.result
    except eventlog.EventlogError as exc:
        return type(exc).__name__


@settings(max_examples=60, deadline=None)
@given(first=_OPS, second=_OPS, chunk=st.integers(1, 5))
def test_chunked_commits_equal_whole_ones(tmp_path_factory, first, second, chunk):
    stores = []
    for size in (10**9, chunk):
        path = tmp_path_factory.mktemp("chunks") / "s.duckdb"
        store = eventlog.open(path, create=True)
        with store.change(author="setup", message="registry") as cs:
            for aid in ("russia", "china"):
                cs.put(eventlog.Actor(id=aid, name=aid.title(), kind="state"))
            cs.put(eventlog.Source(id="doc", file="doc.txt", title="A document", publisher="us", language="en",
                                   published="2024-05", sha256="0" * 64))
        old = changeset_module.CHUNK, commit_module.CHUNK
        changeset_module.CHUNK = commit_module.CHUNK = size
        try:
            results = [_run(store, first), _run(store, second)]
        finally:
            changeset_module.CHUNK, commit_module.CHUNK = old
        stores.append((results, state(store)))
        store.close()
    assert stores[0] == stores[1]


def test_a_validated_record_is_not_validated_again_but_a_copy_is(fresh_store):
    ev = make_event("e-1")
    assert is_validated(ev)
    copy = ev.model_copy(update={"confidence": 7.0})
    assert not is_validated(copy) and not is_validated(eventlog.Event.model_validate(copy))
    assert is_validated(eventlog.Event.model_validate_json(ev.model_dump_json()))
    with pytest.raises(ValidationError), fresh_store.change(author="ana", message="bad copy") as cs:
        cs.put(copy)


def test_only_the_last_put_of_a_flushed_key_is_checked(fresh_store, small_chunks):
    with fresh_store.change(author="ana", message="fixed in the same changeset") as cs:
        cs.put(make_event("e-0", actors=["russia", "atlantis"]))  # flushed with its unknown actor ...
        for i in range(1, 6):
            cs.put(make_event(f"e-{i}"))
        cs.put(make_event("e-0", actors=["russia"]))  # ... then put again, right
    assert fresh_store.get("e-0").actors == ["russia"] and cs.result.created == 6
    with pytest.raises(ValidationError, match="e-3.*atlantis|atlantis.*e-3"), \
            fresh_store.change(author="ana", message="broken later") as cs:
        for i in range(6):
            cs.put(make_event(f"f-{i}"))
        cs.put(make_event("e-3", actors=["atlantis"]))


def test_a_file_store_lets_each_staged_part_go_as_soon_as_it_is_written(fresh_store, small_chunks, monkeypatch):
    import pyarrow as pa

    held: list[int] = []
    write = commit_module._write_chunk

    def watched(con, kind, staged, cs_id, split):  # noqa: ANN001, ANN202 - the commit's own signature
        if kind == "event":
            held.append(pa.total_allocated_bytes())
        return write(con, kind, staged, cs_id, split)

    monkeypatch.setattr(commit_module, "_write_chunk", watched)
    filler = "x" * 20_000  # rows big enough for Arrow's count to show each part
    with fresh_store.change(author="ana", message="many") as cs:
        for i in range(24):
            cs.put(make_event(f"e-{i:02d}", summary=filler))
    assert cs.result.created == 24 and len(held) == 6
    # Arrow holds less and less as the parts are written: each is let go (the lake, which may run
    # the work again, keeps them: Backend.retries)
    assert held == sorted(held, reverse=True) and held[0] - held[-1] >= 4 * 20_000 * 4
    assert len(fresh_store.get("e-23").summary) == 20_000
