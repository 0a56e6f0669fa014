"""The link, unlink, links, causes, effects, paths and tag commands against a real store file."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import eventlog
from eventlog._cli import main
from tests.helpers import make_event


@pytest.fixture
def db(fresh_store: eventlog.Store) -> str:
    """A store file with four events and no links; closed so the CLI can open it."""
    with fresh_store.change(author="setup", message="events") as cs:
        cs.put(make_event("crimea", type="conflict", title="Crimea annexed", date="2014-03", tags=["ukraine"]))
        cs.put(make_event("sanctions", type="sanction", title="Western sanctions", date="2014"))
        cs.put(make_event("pivot", type="policy", title="Turn east", date="2014"))
        cs.put(make_event("gas-deal", type="contract", title="Gas deal", date="2014-05-21"))
    path = fresh_store.location
    fresh_store.close()
    return path


def run(*args: str, ok: bool = True) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    return result.output


def _store(db: str) -> eventlog.Store:
    return eventlog.open(db, read_only=True)


def test_link_writes_one_changeset(db: str) -> None:
    out = run("link", "crimea", "sanctions", "--relation", "triggers", "--confidence", "0.9", "--note", "an answer",
              "--source", "doc:0-10", "--db", db)
    assert out.strip() == "changeset 3: crimea -triggers-> sanctions"
    with _store(db) as store:
        row = store.links().row(0, named=True)
        assert (row["cause"], row["effect"], row["relation"], row["confidence"]) == ("crimea", "sanctions", "triggers", 0.9)
        assert row["note"] == "an answer" and row["basis"] == "source" and row["asserted_by"] == "tester"
        assert row["sources"][0]["span_start"] == 0 and row["sources"][0]["span_end"] == 10
        log = store.log().row(0, named=True)
        assert log["author"] == "tester" and log["message"] == "Link crimea -triggers-> sanctions"


def test_link_author_option_and_env(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVENTLOG_AUTHOR", "from-env")
    run("link", "crimea", "sanctions", "-r", "triggers", "--db", db)
    run("link", "sanctions", "pivot", "-r", "contributes_to", "--author", "ana", "-m", "pivot follows", "--db", db)
    with _store(db) as store:
        assert store.log()["author"].to_list()[:2] == ["ana", "from-env"]
        assert store.log()["message"][0] == "pivot follows"
        assert store.links(event="pivot")["basis"].to_list() == ["analyst"]


def test_rejected_link_is_one_line_and_writes_nothing(db: str) -> None:
    run("link", "crimea", "sanctions", "-r", "triggers", "--db", db)
    for args, msg in [
        (("gas-deal", "crimea", "-r", "responds_to"), "impossible order"),
        (("crimea", "crimea", "-r", "causes"), "self-link"),
        (("crimea", "nowhere", "-r", "causes"), "unknown or deleted event 'nowhere'"),
        (("sanctions", "crimea", "-r", "causes"), "duplicate: the reverse link"),
        (("crimea", "sanctions", "-r", "leads_to"), "unknown relation 'leads_to'"),
        (("crimea", "pivot", "-r", "causes", "-e", "doc:10"), "SOURCE:START-END"),
    ]:
        result = CliRunner().invoke(main, ["link", *args, "--db", db])
        assert result.exit_code == 1, result.output
        assert result.output.startswith("error: ") and msg in result.output
        assert result.output.count("\n") == 1 and "Traceback" not in result.output
    with _store(db) as store:
        assert store.last_changeset() == 3 and store.links().height == 1


def test_unlink_with_and_without_relation(db: str) -> None:
    run("link", "crimea", "sanctions", "-r", "triggers", "--db", db)
    run("link", "sanctions", "pivot", "-r", "contributes_to", "--db", db)
    out = run("unlink", "crimea", "sanctions", "--reason", "not stated", "--db", db)
    assert "removed crimea -triggers-> sanctions" in out
    run("unlink", "sanctions", "pivot", "-r", "contributes_to", "--reason", "wrong", "--db", db)
    result = CliRunner().invoke(main, ["unlink", "crimea", "pivot", "--reason", "x", "--db", db])
    assert result.exit_code == 1 and "no link from 'crimea' to 'pivot'" in result.output
    result = CliRunner().invoke(main, ["unlink", "crimea", "pivot", "--db", db])
    assert result.exit_code == 2 and "--reason" in result.output
    with _store(db) as store:
        assert store.links().is_empty()
        assert store.history("crimea|sanctions|triggers", kind="link")["reason"][-1] == "not stated"


def _chain(db: str) -> None:
    run("link", "crimea", "sanctions", "-r", "triggers", "-c", "0.9", "--db", db)
    run("link", "sanctions", "pivot", "-r", "contributes_to", "-c", "0.8", "--db", db)
    run("link", "pivot", "gas-deal", "-r", "enables", "-c", "0.5", "--db", db)


def test_causes_effects_paths(db: str) -> None:
    _chain(db)
    out = run("causes", "gas-deal", "--db", db, "--format", "json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["id"], r["distance"]) for r in rows] == [("pivot", 1), ("sanctions", 2), ("crimea", 3)]
    assert rows[2]["path"] == ["crimea", "sanctions", "pivot", "gas-deal"]
    assert rows[2]["relations"] == ["triggers", "contributes_to", "enables"]
    out = run("effects", "crimea", "--depth", "2", "--db", db, "--format", "csv")
    assert out.splitlines()[0] == "id,distance,title,type,date,path,relations,confidence"
    assert [line.split(",")[0] for line in out.splitlines()[1:]] == ["sanctions", "pivot"]
    table = run("effects", "crimea", "--db", db)
    assert "3 event(s) downstream of crimea" in table and "-enables->" in table
    out = run("paths", "crimea", "gas-deal", "--db", db, "--format", "json")
    chain = json.loads(out.splitlines()[0])
    assert chain["length"] == 3 and chain["path"] == ["crimea", "sanctions", "pivot", "gas-deal"]
    assert chain["confidence"] == pytest.approx(0.36)
    assert "0 chain(s)" in run("paths", "gas-deal", "crimea", "--db", db)
    result = CliRunner().invoke(main, ["causes", "nope", "--db", db])
    assert result.exit_code == 1 and "no event 'nope'" in result.output
    result = CliRunner().invoke(main, ["causes", "crimea", "--depth", "0", "--db", db])
    assert result.exit_code == 2


def test_as_of_in_walks(db: str) -> None:
    _chain(db)
    run("unlink", "pivot", "gas-deal", "--reason", "doubtful", "--db", db)
    assert "0 event(s) upstream" in run("causes", "gas-deal", "--db", db)
    out = run("causes", "gas-deal", "--as-of", "5", "--db", db, "--format", "json")
    assert len(out.splitlines()) == 3
    out = run("links", "--as-of", "5", "--db", db, "--format", "json")
    assert len(out.splitlines()) == 3


def test_links_listing(db: str) -> None:
    _chain(db)
    out = run("links", "--event", "pivot", "--db", db, "--format", "json")
    assert sorted(json.loads(x)["id"] for x in out.splitlines()) == ["pivot|gas-deal|enables",
                                                                      "sanctions|pivot|contributes_to"]
    out = run("links", "--relation", "triggers", "--db", db, "--format", "csv")
    assert "crimea|sanctions|triggers" in out and "sources" not in out.splitlines()[0]
    assert "3 links" in run("links", "--db", db)


def test_tag_by_filters_and_ids(db: str) -> None:
    out = run("tag", "--type", "sanction", "--type", "contract", "--add", "economy", "--db", db)
    assert out.strip() == "changeset 3: +economy on 2 of 2 matching event(s)"
    out = run("tag", "crimea", "pivot", "--add", "turning-point", "--remove", "ukraine", "-m", "themes", "--db", db)
    assert "on 2 of 2" in out
    with _store(db) as store:
        assert set(store.query(tag="economy")["id"]) == {"sanctions", "gas-deal"}
        assert store.get("crimea").tags == ["turning-point"]
        assert store.log()["message"][0] == "themes" and store.last_changeset() == 4
    assert "nothing changed" in run("tag", "--tag", "economy", "--add", "economy", "--db", db)


def test_tag_dry_run_and_refusals(db: str) -> None:
    out = run("tag", "--text", "gas", "--add", "energy", "--dry-run", "--db", db)
    assert "dry run: 1 of 1" in out and "gas-deal" in out
    with _store(db) as store:
        assert store.last_changeset() == 2
    for args, code, msg in [
        (["tag", "--add", "x"], 2, "--all"),
        (["tag", "crimea"], 2, "--add or --remove"),
        (["tag", "crimea", "--add", "x", "--as-of", "1"], 2, "--as-of"),
        (["tag", "crimea", "ghost", "--add", "x"], 1, "no event 'ghost'"),
        (["tag", "crimea", "--add", "Bad Tag"], 1, "tags"),
    ]:
        result = CliRunner().invoke(main, [*args, "--db", db])
        assert result.exit_code == code, (args, result.output)
        assert msg in result.output
    with _store(db) as store:
        assert store.last_changeset() == 2
    out = run("tag", "--all", "--add", "russia-china", "--db", db)
    assert "on 4 of 4" in out


def test_help_lists_the_commands() -> None:
    out = run("--help")
    for name in ("link", "unlink", "links", "causes", "effects", "paths", "tag"):
        assert f"  {name} " in out

