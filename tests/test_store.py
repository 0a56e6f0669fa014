"""The store: opening it, atomic changesets, queries and time travel (real DuckDB files)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl
import pytest

import eventlog
import eventlog._store.opener
from eventlog import EventlogError, NotFound, ValidationError, VersionConflict
from eventlog._store.schema import SCHEMA_VERSION
from tests.helpers import as_one_table_per_kind, make_event

QUERY_COLUMNS = ["id", "type", "title", "summary", "date", "start", "end", "precision", "actors", "tags", "sources",
                 "n_sources", "confidence", "status", "version", "changed_at", "author"]


def snapshot(store: eventlog.Store) -> dict:
    """Everything a reader can see, to compare before and after a failed write."""
    out = {"log": store.log().to_dicts(), "stats": store.stats()}
    for spec in ("event_versions", "actor_versions", "source_versions", "link_versions", "head"):
        out[spec] = store.sql(f"SELECT * FROM {spec} ORDER BY ALL").to_dicts()
    return out


# -- opening ----------------------------------------------------------------------------------
def test_missing_store_says_how_to_build_one(tmp_path: Path) -> None:
    path = tmp_path / "missing.duckdb"
    with pytest.raises(NotFound) as info:
        eventlog.open(path)
    assert "eventlog build" in str(info.value) and str(path) in str(info.value)
    assert not path.exists()
    with pytest.raises(NotFound):
        eventlog.open(path, read_only=True, create=True)


def test_default_path_is_env_then_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "env.duckdb"
    monkeypatch.setenv("EVENTLOG_DB", str(target))
    assert eventlog.default_path() == str(target)
    eventlog.open(create=True).close()
    assert target.exists()
    monkeypatch.delenv("EVENTLOG_DB")
    monkeypatch.chdir(tmp_path)
    assert eventlog.default_path() == "eventlog.duckdb"
    with pytest.raises(NotFound, match="eventlog.duckdb"):
        eventlog.open()


def test_a_file_that_is_not_a_store(tmp_path: Path) -> None:
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"not a database" * 100)
    with pytest.raises(EventlogError, match="bad.duckdb"):
        eventlog.open(bad)
    plain = tmp_path / "plain.duckdb"
    duckdb.connect(str(plain)).close()
    with pytest.raises(NotFound, match="not an eventlog store"):
        eventlog.open(plain, read_only=True)


def test_unknown_open_option(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="unknown option"):
        eventlog.open(tmp_path / "x.duckdb", create=True, colour="red")


def test_read_only_store_refuses_writes(populated_store: eventlog.Store) -> None:
    path = populated_store.location
    populated_store.close()
    with eventlog.open(path, read_only=True) as ro:
        assert ro.query().height == 4
        with pytest.raises(EventlogError, match="read-only"), ro.change(author="a", message="m") as cs:
            cs.put(make_event("x"))


# -- writing ----------------------------------------------------------------------------------
def test_change_commits_one_changeset(fresh_store: eventlog.Store) -> None:
    before = fresh_store.last_changeset()
    with fresh_store.change(author="ana", message="two events") as cs:
        cs.put(make_event("a"))
        cs.put(make_event("b"))
    assert cs.id == before + 1 and fresh_store.last_changeset() == before + 1
    assert (cs.result.created, cs.result.updated, cs.result.deleted) == (2, 0, 0)
    row = fresh_store.log().row(0, named=True)
    assert (row["changeset"], row["author"], row["message"], row["events"]) == (cs.id, "ana", "two events", 2)
    assert row["changed_at"].tzinfo is not None


def test_dicts_are_read_as_events(fresh_store: eventlog.Store) -> None:
    with fresh_store.change(author="a", message="m") as cs:
        cs.put({"id": "d1", "type": "visit", "title": "T", "date": "2024"})
    assert fresh_store.get("d1").title == "T"
    with pytest.raises(ValidationError) as info, fresh_store.change(author="a", message="m") as cs:
        cs.put({"id": "d2", "type": "party", "title": "T", "date": "2024"})
    assert info.value.record == "d2" and info.value.field == "type"


def test_exception_inside_leaves_store_unchanged(populated_store: eventlog.Store) -> None:
    before = snapshot(populated_store)
    with pytest.raises(RuntimeError), populated_store.change(author="a", message="m") as cs:
        cs.put(make_event("new-one"))
        cs.delete("visit-2024", reason="x")
        raise RuntimeError("boom")
    assert snapshot(populated_store) == before


def test_failed_check_at_commit_leaves_store_unchanged(populated_store: eventlog.Store) -> None:
    before = snapshot(populated_store)
    with pytest.raises(ValidationError, match="unknown actor 'mars'"), populated_store.change(author="a", message="m") as cs:
        cs.put(make_event("good-one"))
        cs.put(make_event("bad-one", actors=["mars"]))
    with pytest.raises(ValidationError, match="unknown source 'nowhere'"), populated_store.change(author="a", message="m") as cs:
        cs.put(make_event("bad-two", sources=[{"source": "nowhere", "span": [0, 1]}]))
    with pytest.raises(ValidationError, match="unknown source"), populated_store.change(author="a", message="m") as cs:
        cs.put(make_event("bad-three", amounts=[{"value": 1, "unit": "USD", "measure": "m", "source": "nowhere"}]))
    assert snapshot(populated_store) == before


def test_actor_and_event_in_one_changeset(fresh_store: eventlog.Store) -> None:
    with fresh_store.change(author="a", message="m") as cs:
        cs.put(eventlog.Actor(id="mars", name="Mars", category="state"))
        cs.put(make_event("on-mars", actors=["mars"]))
    assert fresh_store.query(actor="Mars")["id"].to_list() == ["on-mars"]
    with pytest.raises(ValidationError, match="unknown actor 'mars'"), fresh_store.change(author="a", message="m") as cs:
        cs.delete("mars", reason="gone", kind="actor")
        cs.put(make_event("on-mars-2", actors=["mars"]))


def test_stale_expected_version_raises_and_changes_nothing(populated_store: eventlog.Store) -> None:
    ev = populated_store.get("trade-2023")  # at version 2
    before = snapshot(populated_store)
    with pytest.raises(VersionConflict) as info, populated_store.change(author="a", message="m") as cs:
        cs.put(make_event("other"))
        cs.put(ev.model_copy(update={"title": "x"}), expected_version=1)
    assert "trade-2023" in str(info.value) and "version 2" in str(info.value)
    assert snapshot(populated_store) == before
    with populated_store.change(author="a", message="m") as cs:
        cs.put(ev.model_copy(update={"title": "x"}), expected_version=2)
    assert populated_store.get("trade-2023").title == "x"


def test_expected_version_zero_means_new(populated_store: eventlog.Store) -> None:
    with pytest.raises(VersionConflict), populated_store.change(author="a", message="m") as cs:
        cs.put(make_event("visit-2024"), expected_version=0)
    with populated_store.change(author="a", message="m") as cs:
        cs.put(make_event("brand-new"), expected_version=0)
    assert populated_store.get("brand-new")
    with pytest.raises(VersionConflict), populated_store.change(author="a", message="m") as cs:
        cs.delete("visit-2024", reason="r", expected_version=5)


def test_same_record_again_adds_nothing(populated_store: eventlog.Store) -> None:
    before = populated_store.last_changeset()
    with populated_store.change(author="a", message="m") as cs:
        cs.put(populated_store.get("visit-2024"))
    assert cs.id is None and cs.result.unchanged == 1
    assert populated_store.last_changeset() == before
    assert populated_store.history("visit-2024").height == 1


def test_delete_restore_and_tombstones(populated_store: eventlog.Store) -> None:
    with pytest.raises(NotFound, match="old-2014"):
        populated_store.get("old-2014")
    with pytest.raises(NotFound, match="already deleted"), populated_store.change(author="a", message="m") as cs:
        cs.delete("old-2014", reason="again")
    with pytest.raises(NotFound), populated_store.change(author="a", message="m") as cs:
        cs.delete("never-was", reason="x")
    with pytest.raises(ValidationError, match="reason"):
        with populated_store.change(author="a", message="m") as cs:
            cs.delete("visit-2024", reason=" ")
    with populated_store.change(author="a", message="restore") as cs:
        cs.put(make_event("old-2014", type="contract", title="Gas contract", date="2014-05-21"))
    assert populated_store.history("old-2014")["operation"].to_list() == ["create", "delete", "restore"]
    assert populated_store.query(id="old-2014")["version"].to_list() == [3]


def test_changeset_needs_author_and_message(fresh_store: eventlog.Store) -> None:
    with pytest.raises(ValidationError, match="author"), fresh_store.change(author=" ", message="m"):
        pass
    with pytest.raises(ValidationError, match="message"), fresh_store.change(author="a", message=""):
        pass


def test_empty_changeset_commits_nothing(fresh_store: eventlog.Store) -> None:
    before = fresh_store.last_changeset()
    with fresh_store.change(author="a", message="m") as cs:
        pass
    assert cs.id is None and fresh_store.last_changeset() == before


def test_last_put_wins_within_a_changeset(fresh_store: eventlog.Store) -> None:
    with fresh_store.change(author="a", message="m") as cs:
        cs.put(make_event("x", title="one"))
        cs.put(make_event("x", title="two"))
    assert fresh_store.get("x").title == "two"
    assert fresh_store.history("x").height == 1


def test_bulk_rows_equal_per_record_values(fresh_store: eventlog.Store) -> None:
    """The bulk path builds typed columns per column; they must equal the per-record definition."""
    from eventlog._store.schema import KINDS, canonical_json

    spec = KINDS["event"]
    with fresh_store.change(author="a", message="m") as cs:
        cs.put(eventlog.Source(id="paper", file="p.txt", title="P", publisher="p", language="nl", published="2023",
                               sha256="1" * 64))
        cs.put(make_event("gone"))
        cs.put(make_event("kept", title="before"))
    events = [
        make_event("kept", title="after"),  # an update: supersedes version 1
        make_event("plain"),  # defaults everywhere else
        make_event("rich", type="trade", title='Путин посещает 北京 — "café" ☕ \\ tab\there', date="2023-12~",
                   summary="line one\nline two ünïcode 🚀", location="Москва", confidence=1.0, status="disputed",
                   actors=["sberbank", "russia"], tags=["trade", "energy", "yuan"], notes="n", distinct_from=["plain"],
                   sources=[{"source": "paper", "span": [5, 9], "note": "ß"}, {"source": "doc", "span": [0, 3]},
                            {"source": "paper", "span": [1, 2]}],
                   amounts=[{"value": 240e9, "unit": "USD", "measure": "trade", "source": "paper"},
                            {"value": 0.7, "unit": "percent", "measure": "share"},
                            {"value": -1234.5, "unit": "EUR", "measure": "loss"},
                            {"value": 3e12, "unit": "RUB", "measure": "debt"}, {"value": 1.5e6, "unit": "t", "measure": "grain"},
                            {"value": 0.0, "unit": "km", "measure": "nothing"}]),
        make_event("no-refs", actors=[], sources=[], date="201X", confidence=0.0, location=""),
        *[make_event(f"dated-{i}", date=d, tags=["t" + str(i)], confidence=i / 10)
          for i, d in enumerate(["2023?", "2024-05-16%", "2024-05-16/2024-05-17", "2023-21/2024-33", "2022-24",
                                 "2023-40", "2014-02~", "2020/2021-06?", "2024-02-29", "2023-36"])],
        *[make_event(f"many-{i}", date="2024-05", actors=["china"] if i % 2 else []) for i in range(70)],
    ]
    with fresh_store.change(author="a", message="bulk") as cs:
        for e in events:
            cs.put(e)
        cs.delete("gone", reason="a tombstone among the puts")
    rows = fresh_store.sql("SELECT * FROM event_versions WHERE changeset = ? ORDER BY key", [cs.id]).to_dicts()
    by_key = {r["key"]: r for r in rows}
    assert set(by_key) == {e.id for e in events} | {"gone"}
    for e in events:
        row = by_key[e.id]
        assert row["data"] == canonical_json(e)
        assert {c: row[c] for c in spec.columns} == spec.typed(e), e.id
        assert row["version"] == (2 if e.id == "kept" else 1) and row["superseded_by"] is None
    tomb = by_key["gone"]
    assert tomb["op"] == "delete" and tomb["data"] is None and all(tomb[c] is None for c in spec.columns)
    assert by_key["rich"]["sources"] == ["doc", "paper"]
    assert by_key["rich"]["amounts"][:2] == ["240 billion USD (trade)", "0.7 percent (share)"]
    old = fresh_store.sql("SELECT key, superseded_by FROM event_versions WHERE changeset < ?", [cs.id]).rows()
    assert sorted(old) == [("gone", cs.id), ("kept", cs.id)]


def test_commit_times_are_monotonic(fresh_store: eventlog.Store) -> None:
    with fresh_store.change(author="a", message="m", at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC)) as cs:
        cs.put(make_event("x"))
    with fresh_store.change(author="a", message="m", at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)) as cs:
        cs.put(make_event("y"))
    times = fresh_store.log().sort("changeset")["changed_at"].to_list()
    assert times == sorted(times)


def test_tag_many_events(populated_store: eventlog.Store) -> None:
    res = populated_store.tag(add=["watch"], remove=["trade"], author="a", message="m", type=["trade", "visit"])
    assert (res.updated, res.created) == (2, 0)
    assert populated_store.get("trade-2023").tags == ["watch"]
    assert populated_store.get("visit-2024").tags == ["diplomacy", "watch"]
    assert populated_store.query(tag="watch")["id"].to_list() == ["trade-2023", "visit-2024"]


# -- querying ---------------------------------------------------------------------------------
def ids(frame: pl.DataFrame) -> list[str]:
    return frame["id"].to_list()


def test_query_columns_and_order(populated_store: eventlog.Store) -> None:
    q = populated_store.query()
    assert set(QUERY_COLUMNS) <= set(q.columns)
    assert ids(q) == ["sanction-2022", "trade-2023", "bank-2024", "visit-2024"]  # by start: 2022-02, 2023, 2023-12 (~), 2024-05
    assert q.sort(["start", "id"])["id"].to_list() == ids(q)
    row = q.filter(pl.col("id") == "trade-2023").row(0, named=True)
    assert row["actors"] == ["Russia", "China"] and row["actor_ids"] == ["russia", "china"]
    assert (row["start"], row["end"], row["precision"]) == (dt.date(2023, 1, 1), dt.date(2023, 12, 31), "year")
    assert (row["version"], row["author"], row["title"], row["confidence"]) == (2, "bo", "Trade reaches 240bn", 0.9)
    assert row["sources"] == ["doc"] and row["n_sources"] == 1 and row["status"] == "confirmed"
    assert row["amounts"] == ["240 billion USD (trade)"]


def test_query_sorts_ties_by_id(fresh_store: eventlog.Store) -> None:
    with fresh_store.change(author="a", message="m") as cs:
        for i in ["c", "a", "b"]:
            cs.put(make_event(i, date="2024"))
        cs.put(make_event("z", date="2023-12-31"))
    assert ids(fresh_store.query()) == ["z", "a", "b", "c"]


FILTER_CASES = [
    ({"type": "trade"}, ["trade-2023"]),
    ({"type": ["trade", "visit"]}, ["trade-2023", "visit-2024"]),
    ({"type": []}, ["sanction-2022", "trade-2023", "bank-2024", "visit-2024"]),
    ({"actor": "sberbank"}, ["bank-2024"]),
    ({"actor": "Sberbank"}, ["bank-2024"]),
    ({"actor": "rusland"}, ["sanction-2022", "trade-2023", "visit-2024"]),  # an alias, any case
    ({"actor": ["united-states", "Sberbank"]}, ["sanction-2022", "bank-2024"]),
    ({"actor": "nobody"}, []),
    ({"start": "2024"}, ["bank-2024", "visit-2024"]),  # bank-2024 is 2024-01~: Dec 2023 .. Feb 2024
    ({"start": "2024-05-17"}, ["visit-2024"]),
    ({"start": "2024-05-18"}, []),
    ({"end": "2022"}, ["sanction-2022"]),
    ({"end": "2023-01-01"}, ["sanction-2022", "trade-2023"]),
    ({"start": "2023-06", "end": "2023-06"}, ["trade-2023"]),
    ({"start": dt.date(2023, 12, 15), "end": dt.date(2023, 12, 15)}, ["trade-2023", "bank-2024"]),
    ({"text": "BEIJING"}, ["visit-2024"]),
    ({"text": "refused"}, ["bank-2024"]),  # in the summary
    ({"text": ["beijing", "sanctions"]}, ["sanction-2022", "visit-2024"]),
    ({"tag": "finance"}, ["sanction-2022"]),
    ({"tag": ["finance", "trade"]}, ["sanction-2022", "trade-2023"]),
    ({"source": "doc"}, ["sanction-2022", "trade-2023", "bank-2024", "visit-2024"]),
    ({"source": "other"}, []),
    ({"status": "candidate"}, []),
    ({"status": ["confirmed"], "type": "visit"}, ["visit-2024"]),
    ({"id": ["visit-2024", "old-2014"]}, ["visit-2024"]),
]


def test_query_filters(populated_store: eventlog.Store) -> None:
    """One store, many filters (a store per case would make this slow)."""
    for filters, expected in FILTER_CASES:
        assert ids(populated_store.query(**filters)) == expected, filters


NASTY = ["%", "_", "'", '"', ";", "' OR '1'='1", "x'; DROP TABLE changesets; --", "%' OR 1=1 --", "\\", "[a-z]*", "\x00",
         "%%", "_%_", "visit' OR type <> '"]


def test_query_values_match_literally(populated_store: eventlog.Store) -> None:
    before = snapshot(populated_store)
    for value in NASTY:
        _match_literally(populated_store, value)
    assert snapshot(populated_store) == before


def _match_literally(populated_store: eventlog.Store, value: str) -> None:
    for key in ("actor", "tag", "source", "id"):
        assert populated_store.query(**{key: value}).height == 0, key
    for key in ("type", "status"):  # closed sets: an unknown value is refused, not matched
        with pytest.raises(ValidationError, match=f"unknown {key}"):
            populated_store.query(**{key: value})
    everything = populated_store.query()
    literal = [r["id"] for r in everything.iter_rows(named=True)
               if value.lower() in r["title"].lower() or value.lower() in r["summary"].lower()]
    assert ids(populated_store.query(text=value)) == literal, value  # "%" is in one summary ("100%")
    assert ids(populated_store.query(tag=["diplomacy", value])) == ["visit-2024"], value


def test_query_special_characters_match_when_present(populated_store: eventlog.Store) -> None:
    assert ids(populated_store.query(text="100%")) == ["bank-2024"]
    assert ids(populated_store.query(text="100_")) == []
    with populated_store.change(author="a", message="m") as cs:
        cs.put(make_event("quotes", title="O'Brien says \"no\"; 50% _maybe_ DROP TABLE x"))
    for t in ["o'brien", '"no"', "; 50%", "_maybe_", "drop table"]:
        assert ids(populated_store.query(text=t)) == ["quotes"], t


def test_query_bad_filter_values(populated_store: eventlog.Store) -> None:
    with pytest.raises(ValidationError) as info:
        populated_store.query(start="soon")
    assert info.value.field == "start"
    with pytest.raises(ValidationError):
        populated_store.query(end="2024-13")


def test_query_as_of_changeset(populated_store: eventlog.Store) -> None:
    first_events = 2  # changeset 1 is the registry, 2 the first events
    q = populated_store.query(as_of=first_events)
    assert ids(q) == ["old-2014", "sanction-2022", "trade-2023", "bank-2024", "visit-2024"]
    trade = q.filter(pl.col("id") == "trade-2023").row(0, named=True)
    assert (trade["title"], trade["version"], trade["author"]) == ("Trade in 2023", 1, "ana")
    assert populated_store.query(as_of=3).filter(pl.col("id") == "trade-2023")["title"].to_list() == ["Trade reaches 240bn"]
    assert "old-2014" in ids(populated_store.query(as_of="3")) and "old-2014" not in ids(populated_store.query(as_of=4))
    assert populated_store.query(as_of=1).height == 0
    assert ids(populated_store.query(as_of=2, type="contract")) == ["old-2014"]


def test_query_as_of_timestamp(fresh_store: eventlog.Store) -> None:
    t1 = dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC)
    t2 = dt.datetime(2030, 2, 1, 12, tzinfo=dt.UTC)
    with fresh_store.change(author="a", message="m", at=t1) as cs:
        cs.put(make_event("x", title="first"))
    with fresh_store.change(author="a", message="m", at=t2) as cs:
        cs.put(make_event("x", title="second"))
    assert fresh_store.query(as_of=t1)["title"].to_list() == ["first"]
    assert fresh_store.query(as_of="2030-01-15T00:00:00Z")["title"].to_list() == ["first"]
    assert fresh_store.query(as_of="2030-01-01")["title"].to_list() == ["first"]  # a day means its end
    assert fresh_store.query(as_of=dt.date(2030, 2, 1))["title"].to_list() == ["second"]
    assert fresh_store.query(as_of="2030-01-31T23:00:00")["title"].to_list() == ["first"]
    assert fresh_store.get("x", as_of=t1).title == "first"


def test_as_of_before_the_first_changeset(populated_store: eventlog.Store) -> None:
    first = populated_store.log()["changed_at"].min()
    with pytest.raises(ValidationError, match="before the first changeset") as info:
        populated_store.query(as_of=first - dt.timedelta(seconds=1))
    assert info.value.field == "as_of"
    with pytest.raises(ValidationError, match="before the first changeset"):
        populated_store.query(as_of="1999-01-01")
    with pytest.raises(NotFound, match="no changeset 99"):
        populated_store.query(as_of=99)
    with pytest.raises(NotFound):
        populated_store.query(as_of=0)
    with pytest.raises(ValidationError, match="neither a changeset id nor"):
        populated_store.query(as_of="last tuesday")
    with pytest.raises(ValidationError):
        populated_store.query(as_of=True)


def test_as_of_on_empty_store(tmp_path: Path) -> None:
    with eventlog.open(tmp_path / "e.duckdb", create=True) as store:
        assert store.query().height == 0
        with pytest.raises(ValidationError, match="empty"):
            store.query(as_of="2024-01-01")


def test_get(populated_store: eventlog.Store) -> None:
    assert populated_store.get("trade-2023").title == "Trade reaches 240bn"
    assert populated_store.get("trade-2023", as_of=2).title == "Trade in 2023"
    assert populated_store.get("old-2014", as_of=2).type == "contract"
    with pytest.raises(NotFound, match="at changeset 1"):
        populated_store.get("trade-2023", as_of=1)
    with pytest.raises(NotFound):
        populated_store.get("nope")


def test_records_actors_sources_evidence(populated_store: eventlog.Store) -> None:
    assert {a.id for a in populated_store.records("actor")} == {"russia", "china", "united-states", "sberbank"}
    assert populated_store.actors().filter(pl.col("id") == "sberbank")["category"].to_list() == ["bank"]
    assert populated_store.sources()["id"].to_list() == ["doc"]
    with pytest.raises(ValidationError):
        populated_store.records("planet")
    ev = populated_store.evidence("visit-2024")
    assert ev.select("source", "span_start", "span_end").rows() == [("doc", 0, 10)]
    assert ev["quote"].to_list() == [None]
    populated_store.add_evidence({("doc", 0, 10): "0123456789"})
    assert populated_store.evidence("visit-2024")["quote"].to_list() == ["0123456789"]
    assert populated_store.add_evidence({("doc", 0, 10): "0123456789"}) == 0


def test_module_query_uses_default_store(populated_store: eventlog.Store, monkeypatch: pytest.MonkeyPatch) -> None:
    path = populated_store.location
    populated_store.close()
    monkeypatch.setenv("EVENTLOG_DB", path)
    eventlog._store.opener._default_stores.clear()
    assert ids(eventlog.query(type="trade")) == ["trade-2023"]
    assert eventlog.query(as_of=2).height == 5
    eventlog._store.opener._default_stores.clear()
    monkeypatch.setenv("EVENTLOG_DB", str(Path(path).with_name("nope.duckdb")))
    with pytest.raises(NotFound, match="eventlog build"):
        eventlog.query()


def test_stats(populated_store: eventlog.Store) -> None:
    s = populated_store.stats()
    assert s["records"] == {"event": 4, "link": 0, "actor": 4, "source": 1, "hypothesis": 0, "assessment": 0,
                            "comment": 0, "star": 0, "view": 0}
    assert s["events_by_type"] == {"bank_withdrawal": 1, "sanction": 1, "trade": 1, "visit": 1}
    assert s["changesets"] == 4
    assert s["versions"] == 5 + 4 + 1 + 1 + 1  # 5 events + update + tombstone, 4 actors, 1 source


def test_reopen_keeps_everything(populated_store: eventlog.Store) -> None:
    path = populated_store.location
    before = snapshot(populated_store)
    populated_store.close()
    with eventlog.open(path) as again:
        assert snapshot(again) == before




def test_a_put_validates_a_copied_record_again(populated_store: eventlog.Store) -> None:
    ev = populated_store.get("trade-2023")
    before = populated_store.last_changeset()
    for update in ({"type": "party"}, {"confidence": 7.0}, {"id": "../../x"}, {"title": ""}):
        with pytest.raises(ValidationError), populated_store.change(author="a", message="bad copy") as cs:
            cs.put(ev.model_copy(update=update))
    assert populated_store.last_changeset() == before


def test_a_schema_2_store_is_upgraded_when_opened_for_writing(populated_store: eventlog.Store) -> None:
    import duckdb

    location = populated_store.location
    con = duckdb.connect(location)  # as eventlog 0.1 left it: the actor column was "kind"
    as_one_table_per_kind(con)
    con.execute("DROP INDEX actor_versions_key")
    con.execute("ALTER TABLE actor_versions RENAME COLUMN category TO kind")
    con.execute("CREATE INDEX actor_versions_key ON actor_versions (key)")
    con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    con.close()
    before = eventlog.open(location, read_only=True).actors()  # read-only: read as it is
    store = eventlog.open(location)
    cols = store.sql("SELECT column_name FROM information_schema.columns WHERE table_name = 'actor_versions'")
    assert "category" in cols["column_name"].to_list() and "kind" not in cols["column_name"].to_list()
    assert store.sql("SELECT value FROM meta WHERE key = 'schema_version'")["value"].to_list() == [str(SCHEMA_VERSION)]
    assert store.actors().equals(before)
    with store.change(author="a", message="m") as cs:
        cs.put(eventlog.Actor(id="nato", name="NATO", category="bloc"))
    assert "nato" in store.actors()["id"].to_list()


def test_a_schema_4_store_gets_main_and_recent_tables_when_opened_for_writing(populated_store: eventlog.Store) -> None:
    import duckdb

    from eventlog._store.schema import KINDS

    location = populated_store.location
    versions = {k.table: populated_store.sql(f"SELECT * FROM {k.table} ORDER BY ALL").rows() for k in KINDS.values()}
    con = duckdb.connect(location)
    as_one_table_per_kind(con)  # one indexed table per kind, as schema 4 kept them
    con.close()
    old = eventlog.open(location, read_only=True)  # read-only: read as it is
    assert old.sql("SELECT * FROM event_versions ORDER BY ALL").rows() == versions["event_versions"]
    store = eventlog.open(location)
    kinds = dict(store.sql("SELECT table_name, table_type FROM information_schema.tables").rows())
    for k in KINDS.values():
        assert (kinds[k.table], kinds[k.main], kinds[k.recent]) == ("VIEW", "BASE TABLE", "BASE TABLE")
        assert store.sql(f"SELECT * FROM {k.table} ORDER BY ALL").rows() == versions[k.table]
    assert store.sql("SELECT value FROM meta WHERE key = 'schema_version'").item() == str(SCHEMA_VERSION)
    with store.change(author="a", message="after the upgrade") as cs:
        cs.put(store.get("trade-2023").model_copy(update={"title": "Trade in 2023, again"}))
    assert store.sql("SELECT count(*) FROM event_versions_recent WHERE key = 'trade-2023'").item() == 1
    versions_of_trade = [v for v in versions["event_versions"] if v[0] == "trade-2023"]
    assert store.history("trade-2023")["version"].to_list() == list(range(1, len(versions_of_trade) + 2))
    assert store.get("trade-2023").title == "Trade in 2023, again"


def test_a_foreign_database_with_a_changesets_table_is_refused(tmp_path) -> None:
    import duckdb

    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE changesets (id INTEGER, who VARCHAR)")
    con.close()
    before = path.read_bytes()
    with pytest.raises(eventlog.EventlogError, match="a database of something else"):
        eventlog.open(path, create=True)
    assert path.read_bytes() == before


def test_meta_and_info_values(fresh_store: eventlog.Store) -> None:
    assert fresh_store.meta("schema_version") == str(SCHEMA_VERSION) and fresh_store.meta("nothing") is None
    for sha in ("abc", "def"):
        with fresh_store.change(author="a", message=sha, info={"git_commit": sha}) as cs:
            cs.put(eventlog.Actor(id=f"a-{sha}", name=sha, category="state"))
    with fresh_store.change(author="a", message="no info") as cs:
        cs.put(eventlog.Actor(id="plain", name="Plain", category="state"))
    assert fresh_store.info_values("git_commit") == ["abc", "def"]


def test_count_limit_and_columns_agree_with_the_whole_query(populated_store: eventlog.Store) -> None:
    whole = populated_store.query()
    for filters in ({}, {"type": "trade"}, {"start": "2023"}, {"actor": "Sberbank"}, {"as_of": 2}):
        full = populated_store.query(**filters)
        assert populated_store.count(**filters) == full.height
        assert populated_store.query(**filters, limit=2).equals(full.head(2))
        narrow = populated_store.query(**filters, columns=["actors", "id", "changed_at"])
        assert narrow.equals(full.select("actors", "id", "changed_at"))
    assert populated_store.query(limit=0).columns == whole.columns
    for bad in ({"limit": -1}, {"limit": "3"}, {"columns": ["title", "nope"]}, {"columns": [3]}):
        with pytest.raises(ValidationError):
            populated_store.query(**bad)


def test_first_quotes_take_each_versions_first_kept_quote_in_citation_order(fresh_store: eventlog.Store) -> None:
    cites = [{"source": "doc", "span": [0, 4]}, {"source": "doc", "span": [4, 9]}, {"source": "doc", "span": [9, 12]}]
    with fresh_store.change(author="a", message="v1") as cs:
        cs.put(make_event("a", sources=cites))
        cs.put(make_event("b", sources=cites[2:]))
        cs.put(make_event("c", sources=cites[:1]))  # cites only a span whose quote is empty
    with fresh_store.change(author="a", message="v2") as cs:
        cs.put(make_event("a", sources=cites[1:]))
    fresh_store.add_evidence({("doc", 0, 4): "", ("doc", 4, 9): "second", ("doc", 9, 12): "third"})
    # The empty quote is skipped; each (id, version) reads its own citations.
    assert fresh_store.first_quotes([("a", 1), ("b", 1), ("c", 1)]) == {"a": "second", "b": "third"}
    assert fresh_store.first_quotes([("a", 2)]) == {"a": "second"}
    assert fresh_store.first_quotes([("a", 9), ("zz", 1)]) == {}
    assert fresh_store.first_quotes([]) == {}
