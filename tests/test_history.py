"""History, log, diff, blame and revert on a real store."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import eventlog
from eventlog import NotFound, ValidationError, VersionConflict
from eventlog._store.history import _changed_fields, _full
from tests.helpers import make_event


def put(store: eventlog.Store, message: str, *records: object, author: str = "ana", at: dt.datetime | None = None) -> int:
    with store.change(author=author, message=message, at=at) as cs:
        for r in records:
            cs.put(r)
    assert cs.id is not None
    return cs.id


def update(store: eventlog.Store, eid: str, message: str, author: str = "ana", **fields: object) -> int:
    return put(store, message, store.get(eid).model_copy(update=fields), author=author)


def test_history_of_populated_store(populated_store: eventlog.Store) -> None:
    h = populated_store.history("trade-2023")
    assert h.columns == ["version", "changeset", "author", "changed_at", "message", "operation", "fields", "reason"]
    assert h.select("version", "changeset", "author", "message", "operation").rows() == [
        (1, 2, "ana", "first events", "create"),
        (2, 3, "bo", "better title", "update"),
    ]
    assert h["fields"].to_list()[1] == ["confidence", "title"]
    assert "title" in h["fields"].to_list()[0] and "date" in h["fields"].to_list()[0]
    d = populated_store.history("old-2014")
    assert d["operation"].to_list() == ["create", "delete"]
    assert d["reason"].to_list() == [None, "duplicate of another record"]


def test_history_other_kinds_and_unknown(populated_store: eventlog.Store) -> None:
    assert populated_store.history("russia", kind="actor")["operation"].to_list() == ["create"]
    with pytest.raises(NotFound, match="no event 'ghost'"):
        populated_store.history("ghost")
    with pytest.raises(ValidationError, match="unknown record kind"):
        populated_store.history("russia", kind="planet")


def test_log(populated_store: eventlog.Store) -> None:
    log = populated_store.log()
    assert log["changeset"].to_list() == [4, 3, 2, 1]
    assert log.select("changeset", "author", "message", "created", "updated", "deleted", "events", "actors", "sources").rows() == [
        (4, "ana", "drop duplicate", 0, 0, 1, 1, 0, 0),
        (3, "bo", "better title", 0, 1, 0, 1, 0, 0),
        (2, "ana", "first events", 5, 0, 0, 5, 0, 0),
        (1, "setup", "registry", 5, 0, 0, 0, 4, 1),
    ]
    assert log["changed_at"].is_sorted(descending=True)


def test_diff(populated_store: eventlog.Store) -> None:
    d = populated_store.diff(2, 4)
    assert d.columns == ["kind", "id", "change", "field", "old", "new"]
    assert d.filter(pl.col("change") == "removed")["id"].to_list() == ["old-2014"]
    changed = d.filter(pl.col("change") == "changed").sort("field")
    assert changed.select("id", "field", "old", "new").rows() == [
        ("trade-2023", "confidence", "0.8", "0.9"),  # 0.8 is the default: still shown as the old value
        ("trade-2023", "title", '"Trade in 2023"', '"Trade reaches 240bn"'),
    ]
    added = populated_store.diff(1, 2)
    assert sorted(added["id"].to_list()) == ["bank-2024", "old-2014", "sanction-2022", "trade-2023", "visit-2024"]
    assert set(added["change"]) == {"added"}
    assert populated_store.diff(4).height == 0  # b defaults to now
    assert populated_store.diff(2, 2).height == 0
    back = populated_store.diff(4, 2)
    assert back.filter(pl.col("change") == "added")["id"].to_list() == ["old-2014"]
    assert populated_store.diff(1, 4, kind="actor").height == 0
    with pytest.raises(NotFound):
        populated_store.diff(1, 77)


def _full_state_diff(store: eventlog.Store, a: int, b: int) -> list[tuple[str, str, str | None, str | None]]:
    """The definition: both whole states, joined; (kind, key, old, new) for every record that differs."""
    from eventlog._store.schema import KINDS, visible

    out = []
    with store.reading() as con:
        for name, spec in KINDS.items():
            wa, pa = visible(None, a)
            wb, pb = visible(None, b)
            out += [(name, *r) for r in con.execute(
                f"SELECT coalesce(x.key, y.key), x.data, y.data FROM (SELECT key, data FROM {spec.table} WHERE {wa}) x "
                f"FULL OUTER JOIN (SELECT key, data FROM {spec.table} WHERE {wb}) y ON x.key = y.key "
                "WHERE x.data IS DISTINCT FROM y.data ORDER BY 1", [*pa, *pb]).fetchall()]
    return out


_FIELDS = st.fixed_dictionaries({}, optional={
    "title": st.sampled_from(["A", "B", "Ünïcode ‘quoted’"]), "tags": st.lists(st.sampled_from(["gas", "oil"]), unique=True),
    "confidence": st.sampled_from([0.8, 0.5, 1.0]), "summary": st.sampled_from(["", "a \"summary\""]),
    "amounts": st.sampled_from([[], [{"value": 240e9, "unit": "USD", "measure": "trade"}]])})
_EDITS = st.lists(st.tuples(st.sampled_from(["put", "put", "delete"]), st.sampled_from(["e1", "e2", "e3", "e4"]),
                            _FIELDS), min_size=1, max_size=4)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_EDITS, min_size=1, max_size=6), st.data())
def test_diff_reads_only_touched_keys_and_agrees_with_whole_states(fresh_store: eventlog.Store, history, data) -> None:
    """Random changesets of puts and deletes; every diff(a, b), either way round, names exactly the
    records whose whole states differ."""
    base = fresh_store.last_changeset()
    for edits in history:
        with fresh_store.change(author="h", message="edits") as cs:
            for op, key, title in edits:
                live = key in set(fresh_store.query()["id"].to_list())
                if op == "put":
                    cs.put(make_event(key, **title))
                elif live:
                    cs.delete(key, reason="test")
    last = fresh_store.last_changeset()
    # Drawn from the history alone (the store lives on between examples), then placed in it.
    a, b = (max(1, min(base + data.draw(st.integers(0, len(history))), last)) for _ in range(2))
    got = fresh_store.diff(a, b)
    want = _full_state_diff(fresh_store, a, b)
    assert sorted(set(zip(got["kind"], got["id"], strict=True))) == sorted({(k, key) for k, key, _o, _n in want})
    for k, key, old, new in want:
        rows = got.filter((pl.col("kind") == k) & (pl.col("id") == key))
        assert rows["change"][0] == ("added" if old is None else "removed" if new is None else "changed")
        if old is not None and new is not None:  # field by field, as the definition compares them
            o, n = _full(k, old), _full(k, new)
            assert rows["field"].to_list() == _changed_fields(o, n)
            for f, ov, nv in rows.select("field", "old", "new").rows():
                assert (json.loads(ov), json.loads(nv)) == (o[f], n[f])


def test_diff_by_timestamp(fresh_store: eventlog.Store) -> None:
    put(fresh_store, "one", make_event("x", title="one"), at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    put(fresh_store, "two", make_event("x", title="two"), at=dt.datetime(2030, 3, 1, tzinfo=dt.UTC))
    d = fresh_store.diff("2030-01-15", "2030-03-15")
    assert d.select("id", "field", "old", "new").rows() == [("x", "title", '"one"', '"two"')]


def test_blame(populated_store: eventlog.Store) -> None:
    update(populated_store, "trade-2023", "tag it", author="cy", tags=["trade", "gas"])
    update(populated_store, "trade-2023", "trust back", author="dan", confidence=0.8)
    b = {r["field"]: r for r in populated_store.blame("trade-2023").iter_rows(named=True)}
    assert (b["title"]["author"], b["title"]["changeset"], b["title"]["version"]) == ("bo", 3, 2)
    assert (b["date"]["author"], b["date"]["changeset"]) == ("ana", 2)
    assert (b["tags"]["author"], b["tags"]["value"]) == ("cy", '["trade", "gas"]')
    # reset to its default value: still blamed on who reset it
    assert (b["confidence"]["author"], b["confidence"]["value"], b["confidence"]["message"]) == ("dan", "0.8", "trust back")
    assert list(b)[:3] == ["id", "type", "title"]  # model field order
    with pytest.raises(NotFound, match="deleted"):
        populated_store.blame("old-2014")
    with pytest.raises(NotFound):
        populated_store.blame("ghost")


def test_blame_value_changed_and_changed_back(fresh_store: eventlog.Store) -> None:
    put(fresh_store, "v1", make_event("x", title="A"), author="a1")
    update(fresh_store, "x", "v2", author="a2", title="B")
    update(fresh_store, "x", "v3", author="a3", title="A")
    b = {r["field"]: r for r in fresh_store.blame("x").iter_rows(named=True)}
    assert b["title"]["author"] == "a3"  # the newest run of equal values started at v3
    assert b["type"]["author"] == "a1"


def test_revert_an_update(populated_store: eventlog.Store) -> None:
    new = populated_store.revert(3, author="rev")
    ev = populated_store.get("trade-2023")
    assert (ev.title, ev.confidence) == ("Trade in 2023", 0.8)
    row = populated_store.log().row(0, named=True)
    assert (row["changeset"], row["author"], row["message"]) == (new, "rev", "Revert changeset 3: better title")
    assert populated_store.history("trade-2023")["operation"].to_list() == ["create", "update", "update"]


def test_revert_keeps_later_work_on_other_fields(populated_store: eventlog.Store) -> None:
    update(populated_store, "trade-2023", "summary", summary="Later work")
    populated_store.revert(3, author="rev", message="undo the title")
    ev = populated_store.get("trade-2023")
    assert (ev.title, ev.summary) == ("Trade in 2023", "Later work")
    assert populated_store.log()["message"][0] == "undo the title"


def test_revert_conflict_names_fields_and_changesets(populated_store: eventlog.Store) -> None:
    later = update(populated_store, "trade-2023", "again", title="Another title")
    before = populated_store.log().height
    with pytest.raises(VersionConflict) as info:
        populated_store.revert(3, author="rev")
    msg = str(info.value)
    assert "trade-2023" in msg and "title" in msg and f"changeset {later}" in msg
    assert "confidence" not in msg
    assert populated_store.log().height == before
    assert populated_store.get("trade-2023").title == "Another title"


def test_revert_create_and_delete(populated_store: eventlog.Store) -> None:
    populated_store.revert(4, author="rev")  # the delete
    assert populated_store.get("old-2014").title == "Gas contract"
    assert populated_store.history("old-2014")["operation"].to_list() == ["create", "delete", "restore"]
    created = put(populated_store, "new", make_event("fresh"))
    populated_store.revert(created, author="rev")
    with pytest.raises(NotFound):
        populated_store.get("fresh")
    assert populated_store.history("fresh")["reason"].to_list()[-1] == f"revert of changeset {created}"


def test_revert_create_conflicts_with_later_change(populated_store: eventlog.Store) -> None:
    with pytest.raises(VersionConflict, match=r"trade-2023.*changed again in changeset\(s\) 3"):
        populated_store.revert(2, author="rev")


def test_revert_a_revert_and_unknown(populated_store: eventlog.Store) -> None:
    r1 = populated_store.revert(3, author="rev")
    populated_store.revert(r1, author="rev")
    assert populated_store.get("trade-2023").title == "Trade reaches 240bn"
    with pytest.raises(NotFound, match="no changeset 99"):
        populated_store.revert(99, author="rev")


def test_revert_on_an_update_then_delete_conflicts(populated_store: eventlog.Store) -> None:
    with populated_store.change(author="a", message="bye") as cs:
        cs.delete("trade-2023", reason="gone")
    with pytest.raises(VersionConflict, match="deleted in changeset"):
        populated_store.revert(3, author="rev")
