"""The eventlog command: every core command through click's runner, and the real console script."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner, Result

import eventlog
from eventlog._cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _no_corpus(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EVENTLOG_CORPUS", str(tmp_path / "no-corpus"))


def run(*args: str, code: int = 0) -> Result:
    result = CliRunner(env={"COLUMNS": "250"}).invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result


def one_line_error(result: Result, *words: str) -> None:
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    for w in words:
        assert w in lines[0]


@pytest.fixture
def db(populated_store: eventlog.Store) -> str:
    path = populated_store.location
    populated_store.close()
    return path


def test_build_and_stats(tiny_events: Path, tmp_path: Path) -> None:
    db = tmp_path / "cli.duckdb"
    out = run("build", "--events", tiny_events, "--db", db, "--author", "ana", "--message", "from cli").stdout
    assert "changeset 1: 5 created" in out and "evidence NOT checked" in out
    assert "2 events" in out and "events by type: " in out
    assert "nothing changed" in run("build", "--events", tiny_events, "--db", db, "--quiet").stdout
    with eventlog.open(db) as s:
        assert s.log()["message"].to_list() == ["from cli"]
    stats = json.loads(run("stats", "--db", db, "--format", "json").stdout)
    assert stats["records"]["event"] == 2 and stats["changesets"] == 1
    assert "2 events" in run("stats", "--db", db).stdout


def test_build_uses_env_db(tiny_events: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "env.duckdb"
    monkeypatch.setenv("EVENTLOG_DB", str(target))
    run("build", "--events", tiny_events, "--quiet")
    assert target.exists()


def test_build_from_git_cli(tiny_events: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(tiny_events, repo / "events")
    for args in (["init", "-q"], ["add", "."], ["-c", "user.name=Ana", "-c", "user.email=a@x", "commit", "-q", "-m", "one"]):
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)
    out = run("build", "--from-git", "--events", repo / "events", "--db", tmp_path / "g.duckdb").stdout
    assert "replayed 1 commit(s) into 1 changeset(s)" in out and "evidence NOT checked" in out


def test_validate(tiny_events: Path) -> None:
    assert run("validate", "--events", tiny_events).stdout.startswith("ok: 2 events")
    (tiny_events / "events" / "a.yaml").write_text("id: a\ntype: party\ntitle: T\ndate: '2024'\n")
    (tiny_events / "events" / "b.yaml").write_text("id: b\ntype: visit\ntitle: T\ndate: sometime\n")
    r = run("validate", "--events", tiny_events, code=1)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 2 and all(x.startswith("error: ") for x in lines)
    assert "a.yaml:2: a: type: unknown type 'party'" in lines[0] and "b.yaml:4: b: date:" in lines[1]


def test_validate_runs_the_link_graph_checks(tiny_events: Path, tmp_path: Path) -> None:
    # e2 (2023) cannot have caused e1 (2001): the store's order check, not a file check, finds it
    (tiny_events / "links.yaml").write_text(
        "- {cause: e2, effect: e1, relation: causes, basis: analyst, confidence: 0.5}\n"
    )
    r = run("validate", "--events", tiny_events, code=1)
    one_line_error(r, "links.yaml", "e2", "impossible order")
    assert list(tmp_path.glob("**/*.duckdb")) == []
    (tiny_events / "links.yaml").write_text(
        "- {cause: e1, effect: e2, relation: causes, basis: analyst, confidence: 0.5}\n"
    )
    assert run("validate", "--events", tiny_events).stdout.startswith("ok: 2 events, 1 links")


def test_build_error_is_one_line(tiny_events: Path, tmp_path: Path) -> None:
    (tiny_events / "events" / "b.yaml").write_text("id: b\ntype: visit\ntitle: T\ndate: '2024-13-01'\n")
    r = CliRunner().invoke(main, ["build", "--events", str(tiny_events), "--db", str(tmp_path / "x.duckdb")])
    one_line_error(r, "b.yaml:4", "date", "no such day")
    assert not (tmp_path / "x.duckdb").exists()


def test_query_formats(db: str) -> None:
    table = run("query", "--db", db).stdout
    assert "4 events" in table and "Putin visits Beijing" in table and "Russia, China" in table
    csv = pl.read_csv(run("query", "--db", db, "--format", "csv", "--type", "trade", "--type", "visit").stdout.encode())
    assert csv["id"].to_list() == ["trade-2023", "visit-2024"] and csv["actors"][0] == "Russia; China"
    rows = [json.loads(x) for x in run("query", "--db", db, "--format", "json", "--text", "BEIJING").stdout.splitlines()]
    assert [r["id"] for r in rows] == ["visit-2024"] and rows[0]["start"] == "2024-05-16"
    q = run("query", "--db", db, "--format", "json", "--actor", "Sberbank", "--start", "2023", "--end", "2024",
            "--tag", "finance", "--status", "confirmed").stdout
    assert q == ""
    asof = run("query", "--db", db, "--format", "csv", "--as-of", "2", "--source", "doc").stdout
    assert "old-2014" in asof and "Trade in 2023" in asof
    cols = run("query", "--db", db, "--columns", "id,author").stdout
    assert "author" in cols and "title" not in cols


def test_show(db: str) -> None:
    out = run("show", "trade-2023", "--db", db).stdout
    assert "Trade reaches 240bn" in out and "trade-2023" in out
    assert "sometime in 2023" in out and "2023-01-01 .. 2023-12-31, year" in out
    assert "240 billion USD (trade)" in out and "version 2 by bo" in out
    assert "no quote" in out
    assert "Trade in 2023" in run("show", "trade-2023", "--db", db, "--as-of", "2").stdout


def test_history_log_diff_blame(db: str) -> None:
    h = [json.loads(x) for x in run("history", "trade-2023", "--db", db, "--format", "json").stdout.splitlines()]
    assert [(r["version"], r["operation"], r["author"]) for r in h] == [(1, "create", "ana"), (2, "update", "bo")]
    assert "create" in run("history", "russia", "--kind", "actor", "--db", db).stdout
    log = run("log", "--db", db, "--format", "csv").stdout
    assert pl.read_csv(log.encode())["changeset"].to_list() == [4, 3, 2, 1]
    assert pl.read_csv(run("log", "--db", db, "--format", "csv", "--limit", "1").stdout.encode()).height == 1
    d = [json.loads(x) for x in run("diff", "2", "4", "--db", db, "--format", "json").stdout.splitlines()]
    assert {(r["id"], r["change"], r["field"]) for r in d} == {("old-2014", "removed", None), ("trade-2023", "changed", "title"),
                                                               ("trade-2023", "changed", "confidence")}
    b = {r["field"]: r for r in map(json.loads, run("blame", "trade-2023", "--db", db, "--format", "json").stdout.splitlines())}
    assert b["title"]["author"] == "bo" and b["date"]["author"] == "ana"


def test_revert(db: str) -> None:
    assert run("revert", "3", "--author", "rev", "--db", db).stdout.strip() == "changeset 5 reverts changeset 3"
    with eventlog.open(db) as s:
        assert s.get("trade-2023").title == "Trade in 2023"
        with s.change(author="a", message="m") as cs:
            cs.put(s.get("trade-2023").model_copy(update={"title": "Mine"}))
    r = CliRunner().invoke(main, ["revert", "3", "--author", "rev", "--db", db])
    one_line_error(r, "cannot revert changeset 3", "title")
    r = CliRunner().invoke(main, ["revert", "4", "--db", db], env={"EVENTLOG_AUTHOR": "from-env"})
    assert r.exit_code == 0, r.output  # the author defaults to $EVENTLOG_AUTHOR (then git, then $USER)
    with eventlog.open(db) as s:
        assert s.log()["author"][0] == "from-env"


def test_export(db: str, tmp_path: Path) -> None:
    out = run("export", "--db", db, "--events", tmp_path / "ev").stdout
    assert "file(s) written" in out
    assert sorted(p.stem for p in (tmp_path / "ev" / "events").glob("*.yaml")) == ["bank-2024", "sanction-2022", "trade-2023",
                                                                                  "visit-2024"]
    run("export", "--db", db, "--format", "parquet", "--out", tmp_path / "e.parquet", "--type", "trade")
    assert pl.read_parquet(tmp_path / "e.parquet")["id"].to_list() == ["trade-2023"]
    run("export", "--db", db, "--format", "jsonl", "--out", tmp_path / "e.jsonl")
    assert pl.read_ndjson(tmp_path / "e.jsonl").height == 4
    run("export", "--db", db, "--format", "csv", "--out", tmp_path / "e.csv")
    assert pl.read_csv(tmp_path / "e.csv").height == 4
    assert "--out" in run("export", "--db", db, "--format", "csv", code=2).output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["query", "--as-of", "99"], ["no changeset 99"]),
        (["query", "--as-of", "1999-01-01"], ["before the first changeset"]),
        (["query", "--start", "sometime"], ["not an EDTF date"]),
        (["show", "ghost"], ["no event 'ghost'"]),
        (["history", "ghost"], ["no event 'ghost'"]),
        (["blame", "old-2014"], ["deleted"]),
        (["diff", "1", "42"], ["no changeset 42"]),
        (["revert", "42", "--author", "x"], ["no changeset 42"]),
    ],
)
def test_user_errors_are_one_line(db: str, args: list[str], words: list[str]) -> None:
    one_line_error(CliRunner().invoke(main, [*args, "--db", db]), *words)


def test_missing_store_is_one_line(tmp_path: Path) -> None:
    for cmd in (["query"], ["log"], ["stats"], ["show", "x"], ["history", "x"], ["export", "--events", str(tmp_path / "e")]):
        one_line_error(CliRunner().invoke(main, [*cmd, "--db", str(tmp_path / "none.duckdb")]), "no store at", "eventlog build")


def test_help_lists_core_commands() -> None:
    out = run("--help").stdout
    for name in ("build", "query", "show", "history", "log", "diff", "blame", "revert", "export", "validate", "stats"):
        assert re.search(rf"^\s+{name}\s", out, re.M), name


# -- the real console script --------------------------------------------------------------------
def console_script() -> str:
    exe = Path(sys.executable).with_name("eventlog")
    return str(exe) if exe.exists() else (shutil.which("eventlog") or pytest.skip("eventlog script not installed"))


def test_console_script_end_to_end(tiny_events: Path, tmp_path: Path) -> None:
    exe, db = console_script(), tmp_path / "proc.duckdb"
    env = {"PATH": "/usr/bin:/bin", "EVENTLOG_CORPUS": str(tmp_path / "none"), "HOME": str(tmp_path)}
    ok = subprocess.run([exe, "build", "--events", str(tiny_events), "--db", str(db), "--author", "ana", "--quiet"],
                        capture_output=True, text=True, env=env, timeout=120)
    assert ok.returncode == 0 and "changeset 1" in ok.stdout, ok.stderr
    q = subprocess.run([exe, "query", "--db", str(db), "--format", "json"], capture_output=True, text=True, env=env, timeout=120)
    assert [json.loads(x)["id"] for x in q.stdout.splitlines()] == ["e1", "e2"]
    bad = subprocess.run([exe, "show", "ghost", "--db", str(db)], capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode == 1 and bad.stdout == ""
    assert bad.stderr.strip().splitlines() == ["error: no event 'ghost'"]
    missing = subprocess.run([exe, "query"], capture_output=True, text=True, env={**env, "EVENTLOG_DB": str(tmp_path / "no.duckdb")},
                             timeout=120)
    assert missing.returncode == 1 and len(missing.stderr.strip().splitlines()) == 1
    assert "no store at" in missing.stderr and "eventlog build" in missing.stderr


# -- README --------------------------------------------------------------------------------------
def test_the_cli_reference_is_current() -> None:
    """docs/cli.md is generated from the commands; a change to a command without regenerating fails here."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("gen_cli_docs", ROOT / "tools" / "gen_cli_docs.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    assert gen.main(["--check"]) == 0, "run: python tools/gen_cli_docs.py"
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert all(f"## eventlog {name}" in text for name in main.commands)


def test_validate_warns_about_look_alike_events(tiny_events: Path, monkeypatch) -> None:
    monkeypatch.setenv("EVENTLOG_CORPUS", str(tiny_events / "no-corpus"))
    (tiny_events / "events" / "e3.yaml").write_text(
        "id: e3\ntype: treaty\ntitle: The same treaty again\ndate: '2001-07'\nactors: [russia, china]\n")
    r = CliRunner().invoke(main, ["validate", "--events", str(tiny_events)])
    assert r.exit_code == 0 and "warning: " in r.output and "e3 and e1 look alike" in r.output
    (tiny_events / "events" / "e3.yaml").write_text(
        "id: e3\ntype: treaty\ntitle: Another treaty\ndate: '2001-07'\nactors: [russia, china]\ndistinct_from: [e1]\n")
    assert "look alike" not in CliRunner().invoke(main, ["validate", "--events", str(tiny_events)]).output


def test_store_text_is_never_markup_or_terminal_codes(db: str) -> None:
    """An author, title or tag holding rich markup or an escape sequence is printed as text."""
    with eventlog.open(db) as s, s.change(author="[/bold]", message="\x1b[31mred[/red]") as cs:
        cs.put(s.get("trade-2023").model_copy(update={"title": "[bold]x[/bold] \x1b[2J"}))
    r = CliRunner().invoke(main, ["show", "trade-2023", "--db", db])
    assert r.exit_code == 0, r.output
    assert "[bold]x[/bold]" in r.output and "[/bold]" in r.output and "\x1b" not in r.output
    r = CliRunner(env={"COLUMNS": "250"}).invoke(main, ["query", "--db", db, "--columns", "id,title,author"])
    assert r.exit_code == 0 and "\x1b" not in r.output and "\\x1b[2J" in r.output, r.output


def test_a_store_of_a_newer_eventlog_is_refused(db: str) -> None:
    import duckdb

    con = duckdb.connect(db)
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.close()
    one_line_error(CliRunner().invoke(main, ["query", "--db", db]), "newer eventlog")
    one_line_error(CliRunner().invoke(main, ["tag", "--add", "x", "--all", "--db", db]), "newer eventlog")


def test_another_programs_database_is_left_alone(tiny_events: Path, tmp_path: Path, monkeypatch) -> None:
    import duckdb

    monkeypatch.setenv("EVENTLOG_CORPUS", str(tmp_path / "none"))
    foreign = tmp_path / "theirs.duckdb"
    con = duckdb.connect(str(foreign))
    con.execute("CREATE TABLE invoices (id INTEGER)")
    con.close()
    before = foreign.read_bytes()
    one_line_error(CliRunner().invoke(main, ["build", "--events", str(tiny_events), "--db", str(foreign)]),
                   "database of something else")
    con = duckdb.connect(str(foreign), read_only=True)
    assert [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()] == ["invoices"]
    con.close()
    assert len(foreign.read_bytes()) == len(before)


def test_query_table_is_bounded_and_csv_json_stream_every_row(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from eventlog._cli import common

    every = run("query", "--db", db, "--format", "csv", "--columns", "all").stdout
    n = every.count("\n") - 1
    assert n == 4
    monkeypatch.setattr(common, "TABLE_ROWS", 2)
    out = run("query", "--db", db).stdout
    assert "first 2 of 4 rows" in out and out.count("│ 20") == 2  # two rows, each with its date
    out = run("query", "--db", db, "--all").stdout
    assert "first" not in out and out.count("│ 20") == 4
    assert run("query", "--db", db, "--limit", "3").stdout.count("│ 20") == 3
    # csv and json ignore the table's bound but keep --limit; chunks make the same text as one piece.
    monkeypatch.setattr(common, "_CHUNK", 1)
    assert run("query", "--db", db, "--format", "csv", "--columns", "all").stdout == every
    lines = run("query", "--db", db, "--format", "json").stdout.splitlines()
    assert len(lines) == 4 and all(json.loads(x)["id"] for x in lines)
    limited = run("query", "--db", db, "--format", "csv", "--limit", "1").stdout.splitlines()
    assert limited == every.splitlines()[:2]
    assert run("query", "--db", db, "--format", "csv", "--type", "election").stdout.count("\n") == 1  # the header
    res = run("query", "--db", db, "--limit", "-1", code=2)
    assert "--limit" in res.output
