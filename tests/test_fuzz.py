"""Fuzzing the three ways in: the events folder, the command line and the API.

Every case is accepted or refused with one ``EventlogError`` line; a refused case leaves the
store byte-identical; an accepted case stays readable (query, get, export). The counts add up to
over 10,000 cases a run; ``EVENTLOG_FUZZ_SCALE`` multiplies them (0.1 for a quick look).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import eventlog
from eventlog import EventlogError
from eventlog._cli import main

SCALE = float(os.environ.get("EVENTLOG_FUZZ_SCALE", "1"))
def fuzz(n: int) -> settings:
    """``n`` cases (times EVENTLOG_FUZZ_SCALE), no deadline: a case may build a store."""
    return settings(max_examples=max(10, int(n * SCALE)), deadline=None, suppress_health_check=list(HealthCheck),
                    database=None)


# -- a small world, built once per module -------------------------------------------------------
TINY = {
    "actors.yaml": "- {id: russia, name: Russia, category: state, aliases: {en: [Russia]}}\n"
                   "- {id: china, name: China, category: state}\n",
    "sources.yaml": f"- {{id: doc, file: doc.txt, title: Doc, publisher: us, language: en, published: '2024', "
                    f"sha256: '{'a' * 64}'}}\n",
    "links.yaml": "- {cause: e1, effect: e2, relation: enables, sources: [{source: doc, span: [0, 4]}]}\n",
    "events/e1.yaml": textwrap.dedent("""\
        id: e1
        type: treaty
        title: A treaty
        date: '2001-07-16'
        actors: [russia, china]
        amounts: [{value: 3.5, unit: USD, measure: a figure}]
        sources: [{source: doc, span: [0, 5]}]
        """),
    "events/e2.yaml": textwrap.dedent("""\
        id: e2
        type: trade
        title: Trade in 2023
        date: '2023~'
        actors: [russia]
        tags: [trade]
        sources: [{source: doc, span: [5, 9]}]
        """),
}


def write_world(root: Path) -> Path:
    for name, text in TINY.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """The tiny folder and a store built from it (read-only cases share them)."""
    env = pytest.MonkeyPatch()  # module-wide, undone after the module: later modules may need the corpus
    env.setenv("EVENTLOG_CORPUS", str(tmp_path_factory.mktemp("no-corpus") / "none"))
    root = tmp_path_factory.mktemp("fuzz")
    folder = write_world(root / "events")
    db = root / "built.duckdb"
    eventlog.build(folder, store=eventlog.open(db, create=True))
    yield {"folder": folder, "db": db, "root": root}
    env.undo()


def one_line(exc: BaseException) -> None:
    assert isinstance(exc, EventlogError), f"{type(exc).__name__}: {exc}"
    assert "\n" not in str(exc).strip(), str(exc)


# -- 1. the events folder -----------------------------------------------------------------------
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**30, 10**30), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30), st.sampled_from(["", "visit", "russia", "doc", "2024", "9999-12-31~", "0001-01-01?",
                                           "2024-13-01", "e1", "../../x", "[/bold]", "\x1b[31mred", "1e400",
                                           ".inf", ".nan", "x" * 400]),
)
VALUES = st.recursive(SCALARS, lambda kids: st.lists(kids, max_size=3) | st.dictionaries(
    st.sampled_from(["source", "span", "value", "unit", "measure", "id", "x"]), kids, max_size=3), max_leaves=6)
RAW = st.sampled_from([
    "a: &a [1]\nb: *a\n", "title: A\ntitle: B\n", "!!float x\n", "date: [2014]\n", "{", "- - -\n", "\t\x00",
    "id: !!python/object:os.system ls\n", "date: 9999-12-31~\n", "? [a, b]\n: c\n",
])


@st.composite
def folder_mutations(draw: st.DrawFn) -> tuple[str, str, Any]:
    name = draw(st.sampled_from(sorted(TINY)))
    how = draw(st.sampled_from(["set", "drop", "add", "raw", "bytes", "truncate"]))
    if how in ("set", "drop"):
        fields = ["id", "type", "title", "date", "actors", "sources", "amounts", "tags", "confidence", "status",
                  "name", "category", "cause", "effect", "relation", "file", "sha256", "published"]
        return name, how, (draw(st.sampled_from(fields)), draw(VALUES))
    if how == "add":
        return name, how, (draw(st.text("abcdefghij_", min_size=1, max_size=8)), draw(VALUES))
    if how == "raw":
        return name, how, draw(RAW)
    if how == "bytes":
        return name, how, draw(st.binary(max_size=40))
    return name, how, draw(st.integers(0, 200))


def mutate(root: Path, name: str, how: str, arg: Any) -> None:
    path = root / name
    raw = path.read_bytes()
    if how in ("set", "drop", "add"):
        try:
            data = yaml.safe_load(raw.decode("utf-8"))
        except (UnicodeDecodeError, yaml.YAMLError):
            return  # an earlier mutation broke it already
        target = data[0] if isinstance(data, list) and data else data
        if not isinstance(target, dict):
            return
        key, value = arg
        if how == "drop":
            target.pop(key, None)
        else:
            target[key] = value
        try:
            path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        except (ValueError, yaml.YAMLError):
            return  # a value YAML itself cannot write is not a file anyone has
    elif how == "raw":
        path.write_bytes(raw + arg.encode())
    elif how == "bytes":
        path.write_bytes(raw + arg)
    else:
        path.write_bytes(raw[:arg])


def readable(store: eventlog.Store, out: Path) -> None:
    """What an accepted case must still allow."""
    frame = store.query()
    for eid in frame["id"].to_list():
        store.get(eid)
        store.evidence(eid)
    store.links()
    store.records("actor")
    eventlog.export(store, out)
    eventlog.load_dataset(out)  # what export wrote builds again


@fuzz(2500)
@given(st.lists(folder_mutations(), min_size=1, max_size=3))
def test_folder_mutations_are_built_or_refused_in_one_line(world: dict[str, Path], mutations) -> None:
    case = world["root"] / "case"
    shutil.rmtree(case, ignore_errors=True)
    folder = case / "events"
    shutil.copytree(world["folder"], folder)
    for m in mutations:
        mutate(folder, *m)
    try:
        ds = eventlog.load_dataset(folder)
    except Exception as exc:  # noqa: BLE001 - the point: which exceptions come out
        one_line(exc)
        return
    db = case / "s.duckdb"
    shutil.copy(world["db"], db)
    before = db.read_bytes()
    store = eventlog.open(db)
    try:
        eventlog.build(folder, store=store, allow_delete=True)
    except Exception as exc:  # noqa: BLE001
        one_line(exc)
        assert db.read_bytes() == before, "a refused build changed the store"
        return
    assert len(store.query()) == len(ds.events)
    readable(store, case / "exported")


# -- 2. the command line ------------------------------------------------------------------------
GARBAGE = st.one_of(
    st.sampled_from(["", "-1", "0", "99999999999999999999", "1e400", "nan", "visit", "vistt", "e1", "e1,e1",
                     "id,id", "id,nothing", "2024", "9999-12-31~", "0001-01-01?", "not-a-date", "[/bold]",
                     "\x1b[2J", "doc:0-4", "nowhere:1-2", "doc:9-3", "../x", "/dev/zero", "all", "x" * 300]),
    st.text(max_size=12),
)
COMMANDS = {
    "query": ["--type", "--actor", "--start", "--end", "--text", "--tag", "--source", "--status", "--as-of",
              "--format", "--columns"],
    "show": ["--as-of"], "history": ["--kind"], "blame": ["--kind"], "log": ["--limit", "--format"],
    "diff": ["--kind"], "stats": ["--format"], "links": ["--event", "--relation", "--basis", "--as-of"],
    "causes": ["--depth", "--as-of"], "effects": ["--depth"], "paths": ["--max-depth"],
    "status": ["--events"], "validate": ["--events"],
    "revert": ["--author", "--message"], "tag": ["--add", "--remove", "--type", "--message", "--dry-run"],
    "link": ["--relation", "--confidence", "--note", "--source", "--basis"],
    "unlink": ["--relation", "--reason"],
    "export": ["--out", "--format", "--type"], "timeline": ["--out", "--lanes", "--type", "--start"],
    "build": ["--events", "--prefer"], "extract": ["--lang", "--doc-date", "--min-confidence", "--format"],
}
READ_ONLY = {"query", "show", "history", "blame", "log", "diff", "stats", "links", "causes", "effects", "paths",
             "status", "validate", "export", "timeline", "extract"}


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    name = draw(st.sampled_from(sorted(COMMANDS)))
    args = [name, *draw(st.lists(GARBAGE, max_size=2))]
    for opt in draw(st.lists(st.sampled_from(COMMANDS[name]), max_size=3)):
        args.append(opt)
        if opt != "--dry-run":
            args.append(draw(GARBAGE))
    return args


def _cli(argv: list[str]) -> Any:
    return CliRunner(env={"COLUMNS": "200", "EVENTLOG_AUTHOR": "fuzz"}).invoke(main, argv, catch_exceptions=True)


@fuzz(4000)
@given(command_lines())
def test_garbage_arguments_get_one_line(world: dict[str, Path], monkeypatch, argv: list[str]) -> None:
    monkeypatch.chdir(world["root"] / "cwd")  # what a relative --out writes lands here, not in the repo
    db = world["db"]
    before = db.read_bytes()
    argv = [*argv, "--db", str(db)] if argv[0] not in ("validate", "extract") else argv
    result = _cli(argv)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{argv}: {type(result.exception).__name__}: {result.exception}")
    assert "Traceback" not in result.output and "internal error" not in result.output, (argv, result.output)
    if result.exit_code == 1:
        lines = result.stderr.strip().splitlines()
        errors = [ln for ln in lines if ln.startswith("error: ")]
        if argv[0] == "validate":  # validate lists every problem, one line each
            assert errors and len(errors) == len([ln for ln in lines if not ln.startswith("warning: ")]), lines
        else:
            assert len(errors) == 1, (argv, result.stderr)
    if argv[0] in READ_ONLY or result.exit_code != 0:
        assert db.read_bytes() == before, f"{argv} changed the store"
    else:  # a write that was accepted: restore the shared store for the next case
        shutil.copy(world["root"] / "pristine.duckdb", db)


@pytest.fixture(scope="module", autouse=True)
def _pristine(world: dict[str, Path]) -> None:
    shutil.copy(world["db"], world["root"] / "pristine.duckdb")
    (world["root"] / "cwd").mkdir(exist_ok=True)


# -- 3. the API ---------------------------------------------------------------------------------
ARGS = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True), st.text(max_size=10),
    st.sampled_from(["e1", "e2", "visit", "vistt", "russia", "doc", "1", "2024", "9999-12-31~", "enables",
                     dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 1, tzinfo=dt.UTC), dt.date(2024, 1, 1)]),
    st.lists(st.one_of(st.text(max_size=5), st.integers(), st.none()), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
READS = {
    "query": ["type", "actor", "start", "end", "text", "tag", "source", "status", "id", "as_of"],
    "get": ["event_id", "as_of"], "evidence": ["event_id", "as_of"], "history": ["key", "kind"],
    "blame": ["key", "kind"], "diff": ["a", "b", "kind"], "records": ["kind", "as_of"],
    "links": ["event", "relation", "basis", "as_of"], "causes": ["event_id", "depth", "as_of"],
    "effects": ["event_id", "depth"], "paths": ["cause_id", "effect_id", "max_depth"],
    "resolve_as_of": ["as_of"], "revert_plan": ["changeset"], "changeset": ["changeset"], "sql": ["query", "params"],
    "actors": ["as_of"], "sources": ["as_of"],
}
POSITIONAL = {"get", "evidence", "history", "blame", "diff", "records", "causes", "effects", "paths",
              "resolve_as_of", "revert_plan", "changeset", "sql"}


@st.composite
def api_calls(draw: st.DrawFn) -> tuple[str, list[Any], dict[str, Any]]:
    name = draw(st.sampled_from(sorted(READS)))
    params = READS[name]
    chosen = draw(st.lists(st.sampled_from(params), unique=True, max_size=len(params)))
    if name in POSITIONAL:
        n = {"paths": 2, "diff": 1}.get(name, 1)
        args = [draw(ARGS) for _ in range(n)]
        kwargs = {p: draw(ARGS) for p in chosen if p not in params[:n]}
        return name, args, kwargs
    return name, [], {p: draw(ARGS) for p in chosen}


@pytest.fixture(scope="module")
def reader(world: dict[str, Path]):
    """A read-only copy of the store with one connection held for every API case (fast)."""
    db = world["root"] / "api.duckdb"
    shutil.copy(world["db"], db)
    store = eventlog.open(db, read_only=True)
    with store.reading():
        yield store


@fuzz(3000)
@given(api_calls())
def test_api_misuse_raises_eventlog_errors(reader: eventlog.Store, call) -> None:
    name, args, kwargs = call
    store = reader
    try:
        getattr(store, name)(*args, **kwargs)
    except TypeError as exc:
        if "argument" in str(exc) and ("unexpected" in str(exc) or "positional" in str(exc) or "missing" in str(exc)):
            return  # a wrong signature is Python's to report, as for any function
        raise
    except Exception as exc:  # noqa: BLE001
        one_line(exc)


@st.composite
def writes(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    kind = draw(st.sampled_from(["put_update", "put_dict", "delete", "link", "tag", "change_args"]))
    return kind, {"field": draw(st.sampled_from(["title", "type", "confidence", "id", "date", "tags", "amounts",
                                                "status", "actors", "sources"])),
                  "value": draw(VALUES), "arg": draw(ARGS)}


@pytest.fixture(scope="module")
def writer(world: dict[str, Path]) -> eventlog.Store:
    """One store the write cases share: accepted writes accumulate, as in a notebook session."""
    db = world["root"] / "writes.duckdb"
    shutil.copy(world["db"], db)
    return eventlog.open(db)


@fuzz(1000)
@given(writes())
def test_bad_writes_are_refused_and_change_nothing(writer: eventlog.Store, tmp_path_factory, case) -> None:
    kind, d = case
    store = writer
    db = Path(store.location)
    before = db.read_bytes()
    try:
        if kind == "change_args":
            with store.change(author=d["arg"], message="m", at=d["arg"] if isinstance(d["arg"], dt.datetime) else None) as cs:
                cs.put(store.get("e1").model_copy(update={"title": "changed"}))
        else:
            with store.change(author="fuzz", message="m") as cs:
                if kind == "put_update":
                    cs.put(store.get("e1").model_copy(update={d["field"]: d["value"]}))
                elif kind == "put_dict":
                    cs.put({**store.get("e2").model_dump(), d["field"]: d["value"]})
                elif kind == "delete":
                    cs.delete(d["arg"] if d["arg"] not in ("e1", "e2") else "gone", reason="r", expected_version=d["value"] if not isinstance(d["value"], str) else None)
                elif kind == "link":
                    cs.link("e2", "e1", relation=d["arg"] if isinstance(d["arg"], str) else "enables",
                            confidence=d["value"] if isinstance(d["value"], float) else 0.5)
                else:
                    cs.tag(["e1"], add=[d["arg"]] if d["arg"] is not None else [])
    except Exception as exc:  # noqa: BLE001
        one_line(exc)
        assert db.read_bytes() == before, f"a refused {kind} changed the store"
        return
    readable(store, tmp_path_factory.mktemp("x") / "exported")
