"""build, build --from-git and export: syncing a store with an events folder."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import polars as pl
import pytest
from bench.synthetic import Synthetic
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import eventlog
from eventlog import Actor, Event, Source, ValidationError
from eventlog._files.folder import Dataset, load_dataset, write_dataset
from eventlog._taxonomy import EVENT_TYPES

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _no_corpus(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """These folders cite documents that are not in the shared corpus (see test_corpus.py for those)."""
    monkeypatch.setenv("EVENTLOG_CORPUS", str(tmp_path / "no-corpus"))


def state(db: Path) -> dict:
    with eventlog.open(db, read_only=True) as s:
        return {"log": s.log().to_dicts(), "query": s.query().to_dicts(),
                "versions": s.sql("SELECT * FROM event_versions ORDER BY key, version").to_dicts()}


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text().replace(old, new))


# -- build ------------------------------------------------------------------------------------------
def test_build_then_build_again_is_a_no_op(tiny_events: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    r1 = eventlog.build(tiny_events, db, author="ana", message="first")
    assert (r1.changeset, r1.created, r1.updated, r1.deleted) == (1, 5, 0, 0)  # 2 actors, 1 source, 2 events
    assert not r1.evidence_checked and "evidence NOT checked" in r1.summary()
    r2 = eventlog.build(tiny_events, db)
    assert r2.changeset is None and (r2.created, r2.updated, r2.deleted, r2.unchanged) == (0, 0, 0, 5)
    assert "nothing changed" in r2.summary()
    with eventlog.open(db) as s:
        assert s.log().height == 1
        assert s.log()["author"].to_list() == ["ana"] and s.log()["message"].to_list() == ["first"]
        assert s.query()["id"].to_list() == ["e1", "e2"]


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A build that reads the files from here on fails loudly."""
    from eventlog import _build

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the build parsed the files")

    monkeypatch.setattr(_build, "load_dataset", refuse)


def test_an_unchanged_rebuild_only_hashes_the_files(tiny_events: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "s.duckdb"
    eventlog.build(tiny_events, db, author="ana", message="first")
    with eventlog.open(db) as s:  # the store's own change since: the merge would keep it anyway
        with s.change(author="bo", message="in a notebook") as cs:
            cs.put(s.get("e1").model_copy(update={"title": "Retitled in the store"}))
    before = state(db)
    with monkeypatch.context() as m:
        _no_parsing(m)
        again = eventlog.build(tiny_events, db)
    assert again.changeset is None and again.unchanged == 5 and "nothing changed" in again.summary()
    assert state(db) == before
    # Any change of content is seen and merged: the file's, with the store's kept.
    edit(tiny_events / "events" / "e2.yaml", "title: ", "title: Edited ")
    r = eventlog.build(tiny_events, db)
    assert r.changeset is not None and r.updated == 1
    with eventlog.open(db) as s:
        assert s.get("e1").title == "Retitled in the store" and s.get("e2").title.startswith("Edited ")


def test_the_fingerprint_follows_what_a_build_reads(tiny_events: Path, tmp_path: Path) -> None:
    from eventlog._files.folder import fingerprint

    first = fingerprint(tiny_events, None)
    assert first == fingerprint(tiny_events, None) and first is not None
    copy = tmp_path / "copy"
    import shutil

    shutil.copytree(tiny_events, copy)
    assert fingerprint(copy, None) != first  # another folder: another base
    (tiny_events / "notes.txt").write_text("not read by a build")
    assert fingerprint(tiny_events, None) == first
    for path, text in [(tiny_events / "events" / "e3.yaml", "id: e3\n"), (tiny_events / "links.yaml", "[]\n")]:
        path.write_text(text)
        assert fingerprint(tiny_events, None) != first
        path.unlink()
        assert fingerprint(tiny_events, None) == first  # content, not history
    e1 = tiny_events / "events" / "e1.yaml"
    e1.write_text(e1.read_text() + "\n")
    assert fingerprint(tiny_events, None) != first  # one byte
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "doc.txt").write_text("words")
    with_corpus = fingerprint(tiny_events, corpus)
    assert with_corpus != first
    os.utime(corpus / "doc.txt", ns=(1, 1))
    assert fingerprint(tiny_events, corpus) != with_corpus  # a document touched
    assert fingerprint(tmp_path / "missing", None) is None


def test_a_failed_build_or_a_new_base_leaves_no_stale_fingerprint(tiny_events: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "s.duckdb"
    eventlog.build(tiny_events, db, author="ana", message="first")
    good = (tiny_events / "events" / "e2.yaml").read_text()
    (tiny_events / "events" / "e2.yaml").write_text(good.replace("type: ", "type: nonsense-"))
    with pytest.raises(ValidationError):
        eventlog.build(tiny_events, db)
    (tiny_events / "events" / "e2.yaml").write_text(good)  # back as the last build saw it: nothing to do
    with monkeypatch.context() as m:
        _no_parsing(m)
        assert eventlog.build(tiny_events, db).changeset is None
    # A base written by another path (sync of other files) drops the fingerprint: the next build parses.
    from eventlog._build import sync

    ds = load_dataset(tiny_events)
    ds.events["e2"] = ds.events["e2"].model_copy(update={"title": "From elsewhere"})
    with eventlog.open(db) as s:
        sync(s, ds, author="cy", message="another copy of the folder")
        assert s.meta("build_fingerprint") is None
    r = eventlog.build(tiny_events, db)
    assert r.changeset is not None and r.updated == 1  # the files win back their title
    with eventlog.open(db) as s:
        assert s.get("e2").title != "From elsewhere" and s.meta("build_fingerprint") is not None


def test_build_syncs_changes_removals_and_additions(tiny_events: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    eventlog.build(tiny_events, db)
    edit(tiny_events / "events" / "e2.yaml", "Trade in 2023", "Trade grows in 2023")
    (tiny_events / "events" / "e1.yaml").unlink()
    (tiny_events / "events" / "e3.yaml").write_text("id: e3\ntype: visit\ntitle: New\ndate: '2024-05'\n")
    r = eventlog.build(tiny_events, db, author="bo", message="edit")
    assert (r.created, r.updated, r.deleted, r.unchanged) == (1, 1, 1, 3)
    with eventlog.open(db) as s:
        assert s.query()["id"].to_list() == ["e2", "e3"]
        assert s.history("e1").select("operation", "reason").rows()[-1] == ("delete", "removed from events/")
        assert s.history("e2")["version"].to_list() == [1, 2]
        assert s.history("russia", kind="actor").height == 1  # unchanged: no new version
        assert s.get("e1", as_of=1).title == "A treaty"
    assert eventlog.build(tiny_events, db).changeset is None


def test_invalid_folder_writes_nothing(tiny_events: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    (tiny_events / "events" / "bad.yaml").write_text("id: bad\ntype: visit\ntitle: T\ndate: '2024-13-01'\n")
    with pytest.raises(ValidationError, match="bad.yaml"):
        eventlog.build(tiny_events, db)
    assert not db.exists()  # not even an empty store
    (tiny_events / "events" / "bad.yaml").unlink()
    eventlog.build(tiny_events, db)
    before = state(db)
    edit(tiny_events / "events" / "e2.yaml", "Trade in 2023", "Changed")  # a valid change ...
    (tiny_events / "events" / "bad.yaml").write_text("id: bad\ntype: visit\nactors: [mars]\ntitle: T\ndate: '2024'\n")
    with pytest.raises(ValidationError, match="unknown actor 'mars'"):
        eventlog.build(tiny_events, db)
    assert state(db) == before  # ... is not written either


def test_build_the_real_events_folder(tmp_path: Path) -> None:
    events = ROOT / "events"
    if not (events / "actors.yaml").exists() or not list((events / "events").glob("*.yaml")):
        pytest.skip("events/ is empty")
    db = tmp_path / "real.duckdb"
    r = eventlog.build(events, db)
    n = len(list((events / "events").glob("*.yaml")))
    with eventlog.open(db) as s:
        assert s.query().height == n
        assert s.stats()["records"]["event"] == n
    assert r.created >= n
    assert eventlog.build(events, db).changeset is None


# -- export ----------------------------------------------------------------------------------------
def test_export_then_build_is_a_no_op(tiny_events: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    eventlog.build(tiny_events, db)
    out = tmp_path / "exported"
    with eventlog.open(db) as s:
        counts = eventlog.export(s, out)
        assert counts == {"written": 4, "removed": 0}
        assert eventlog.export(s, out) == {"written": 0, "removed": 0}
    assert eventlog.build(out, db).changeset is None
    assert load_dataset(out).events == load_dataset(tiny_events).events
    # and over the folder it came from: the build after it is still a no-op
    with eventlog.open(db) as s:
        eventlog.export(s, tiny_events)
    assert eventlog.build(tiny_events, db).changeset is None


def test_export_removes_deleted_events(tiny_events: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    eventlog.build(tiny_events, db)
    with eventlog.open(db) as s:
        with s.change(author="a", message="drop") as cs:
            cs.delete("e1", reason="test")
        assert eventlog.export(s, tiny_events)["removed"] == 1
    assert not (tiny_events / "events" / "e1.yaml").exists()
    assert eventlog.build(tiny_events, db).changeset is None


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_export_table(populated_store: eventlog.Store, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"events.{fmt}"
    n = eventlog.export_table(populated_store, out, type=["trade", "visit"])
    assert n == 2
    frame = {"parquet": pl.read_parquet, "csv": pl.read_csv, "jsonl": pl.read_ndjson}[fmt](out)
    assert frame["id"].to_list() == ["trade-2023", "visit-2024"]
    assert {"title", "start", "end", "actors", "author"} <= set(frame.columns)
    if fmt == "csv":
        assert frame["actors"].to_list()[0] == "Russia; China"
    with pytest.raises(ValidationError, match="unknown export format"):
        eventlog.export_table(populated_store, tmp_path / "x.xlsx")


# -- lossless round trip, property-tested -------------------------------------------------------
slug = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,6}){0,2}", fullmatch=True)
text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40).map(str.strip)
multiline = st.lists(text, max_size=3).map("\n".join)
edtf = st.sampled_from(["2014", "2022-02", "2024-05-16", "201X", "2023-21", "2023-24", "2023-34", "2023-41",
                        "2023-12~", "2023?", "2020-02-29%", "2024-05-16/2024-05-17", "2014/2016-05", "1999~/2001"])
ACTORS = ["russia", "china", "india"]


@st.composite
def events(draw: st.DrawFn) -> Event:
    n_src = draw(st.integers(0, 2))
    spans = [sorted(draw(st.lists(st.integers(0, 10_000), min_size=2, max_size=2, unique=True))) for _ in range(n_src)]
    return Event(
        id=draw(slug),
        type=draw(st.sampled_from(list(EVENT_TYPES))),
        title=draw(text.filter(bool)),
        summary=draw(multiline),
        date=draw(edtf),
        actors=draw(st.lists(st.sampled_from(ACTORS), unique=True, max_size=3)),
        location=draw(st.none() | text.filter(bool)),
        amounts=draw(st.lists(st.builds(
            dict, value=st.floats(-1e15, 1e15, allow_nan=False), unit=st.sampled_from(["USD", "bcm", "percent"]),
            measure=text.filter(bool), source=st.none() | st.just("doc")), max_size=2)),
        tags=draw(st.lists(slug, unique=True, max_size=3)),
        sources=[{"source": "doc", "span": s, "note": draw(st.none() | text)} for s in spans],
        confidence=draw(st.floats(0, 1)),
        status=draw(st.sampled_from(["confirmed", "candidate", "disputed"])),
        notes=draw(multiline),
    )


REGISTRY = Dataset(
    actors={a: Actor(id=a, name=a.title(), category="state") for a in ACTORS},
    sources={"doc": Source(id="doc", file="doc.txt", title="Doc", publisher="P", language="en", published="2024",
                           sha256="b" * 64)},
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(events(), min_size=1, max_size=6, unique_by=lambda e: e.id))
def test_export_build_round_trip_is_lossless(tmp_path: Path, generated: list[Event]) -> None:
    run = tmp_path / f"run-{uuid.uuid4().hex}"  # not random: hypothesis seeds it the same each example
    src, out, db = run / "src", run / "out", run / "round.duckdb"
    write_dataset(Dataset(events={e.id: e for e in generated}, actors=REGISTRY.actors, sources=REGISTRY.sources), src)
    eventlog.build(src, db)
    with eventlog.open(db) as s:
        assert sorted(s.query()["id"].to_list()) == sorted(e.id for e in generated)
        for e in generated:
            assert s.get(e.id) == e
        eventlog.export(s, out)
    assert eventlog.build(out, db).changeset is None
    assert load_dataset(out).events == {e.id: e for e in generated}


# -- replaying git history ------------------------------------------------------------------------
def git(repo: Path, *args: str, date: str | None = None, author: str = "Ana Analyst") -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": "a@example.org", "GIT_COMMITTER_NAME": author,
           "GIT_COMMITTER_EMAIL": "a@example.org"}
    if date:
        env |= {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


@pytest.fixture
def repo(tmp_path: Path, tiny_events: Path) -> Path:
    """A git repository whose events/ folder has a history of four commits (and one elsewhere)."""
    import shutil

    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    ev = repo / "events"
    shutil.copytree(tiny_events, ev)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "Add the first two events", date="2024-01-10T09:00:00+00:00")
    edit(ev / "events" / "e1.yaml", "A treaty", "The treaty of friendship")
    (ev / "events" / "e3.yaml").write_text("id: e3\ntype: visit\ntitle: A visit\ndate: '2024-05-16'\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "Retitle e1, add e3", date="2024-02-10T09:00:00+00:00", author="Bo Editor")
    (repo / "README").write_text("not an event\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "Unrelated commit", date="2024-02-11T09:00:00+00:00")
    (ev / "events" / "e2.yaml").unlink()
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Remove e2", date="2024-03-10T09:00:00+00:00")
    return repo


def test_build_from_git_replays_each_commit(repo: Path, tmp_path: Path) -> None:
    db = tmp_path / "git.duckdb"
    reports = eventlog.build_from_git(repo / "events", db)
    assert [(r.created, r.updated, r.deleted) for r in reports] == [(5, 0, 0), (1, 1, 0), (0, 0, 1)]
    with eventlog.open(db) as s:
        log = s.log().sort("changeset")
        assert log["message"].to_list() == ["Add the first two events", "Retitle e1, add e3", "Remove e2"]
        assert log["author"].to_list() == ["Ana Analyst", "Bo Editor", "Ana Analyst"]
        assert [t.strftime("%Y-%m-%d %H:%M") for t in log["changed_at"]] == ["2024-01-10 09:00", "2024-02-10 09:00", "2024-03-10 09:00"]
        assert s.query()["id"].to_list() == ["e1", "e3"]
        assert s.get("e1", as_of="2024-01-31").title == "A treaty"
        assert s.get("e1").title == "The treaty of friendship"
        assert s.get("e2", as_of="2024-02-28").title == "Trade in 2023"
        assert [row["operation"] for row in s.history("e1").iter_rows(named=True)] == ["create", "update"]
    # a second replay finds every commit done
    assert eventlog.build_from_git(repo / "events", db) == []
    # a new commit: only it is replayed
    edit(repo / "events" / "events" / "e3.yaml", "A visit", "A state visit")
    git(repo, "commit", "-q", "-am", "Retitle e3", date="2024-04-10T09:00:00+00:00")
    reports = eventlog.build_from_git(repo / "events", db)
    assert [(r.changeset, r.updated) for r in reports] == [(4, 1)]


def test_build_from_git_invalid_commit_names_it(repo: Path, tmp_path: Path) -> None:
    (repo / "events" / "events" / "e9.yaml").write_text("id: e9\ntype: party\ntitle: T\ndate: '2024'\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "Break it", date="2024-05-10T09:00:00+00:00")
    db = tmp_path / "git.duckdb"
    with pytest.raises(ValidationError, match=r"Break it.*unknown type 'party'"):
        eventlog.build_from_git(repo / "events", db)
    with eventlog.open(db) as s:  # the commits before it were replayed
        assert s.log().height == 3


def test_build_from_git_outside_a_repository(tiny_events: Path, tmp_path: Path) -> None:
    with pytest.raises(eventlog.EventlogError, match="git"):
        eventlog.build_from_git(tiny_events, tmp_path / "x.duckdb")


# -- a build killed half-way -------------------------------------------------------------------
KILLED_BUILD = textwrap.dedent("""
    import sys, time
    import eventlog
    from eventlog._store.store import Store

    def stall(self, cs_id, cs):
        # every version row is written inside the transaction; the commit has not happened yet
        print("writing", cs_id, flush=True)
        time.sleep(600)

    if sys.argv[3] == "stall":
        Store._before_commit = stall
    else:
        print("writing", 0, flush=True)
    eventlog.build(sys.argv[1], sys.argv[2], author="killed", message="never lands")
    print("done", flush=True)
""")


@pytest.fixture
def big_events(tmp_path: Path) -> tuple[Path, Path]:
    """A store built from a small folder, and a large generated folder (that also changes the small one's events)."""
    syn = Synthetic(seed=7)
    small = syn.write_events_dir(tmp_path / "small", 200)
    big = Synthetic(seed=8).write_events_dir(tmp_path / "big", 4000)
    db = tmp_path / "kill.duckdb"
    eventlog.build(small, db, author="ana", message="previous state")
    return db, big


@pytest.mark.slow
def test_killed_build_leaves_the_previous_state(big_events: tuple[Path, Path]) -> None:
    db, big = big_events
    before = state(db)
    proc = subprocess.Popen([sys.executable, "-c", KILLED_BUILD, str(big), str(db), "stall"], stdout=subprocess.PIPE,
                            text=True, env={**os.environ})
    line = proc.stdout.readline()
    assert line.startswith("writing 2"), line
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert state(db) == before
    with eventlog.open(db) as s:  # and the store still takes writes
        r = eventlog.build(big, store=s)
        assert r.changeset == 2 and s.query().height == 4000


@pytest.mark.slow
def test_build_killed_at_a_random_moment_is_all_or_nothing(big_events: tuple[Path, Path]) -> None:
    db, big = big_events
    before = state(db)
    proc = subprocess.Popen([sys.executable, "-c", KILLED_BUILD, str(big), str(db), "real"], stdout=subprocess.PIPE,
                            text=True, env={**os.environ})
    assert proc.stdout.readline().startswith("writing")
    time.sleep(random.uniform(0.5, 4.0))
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    after = state(db)
    if after != before:  # it finished before the kill: then all of it landed
        assert [r["message"] for r in after["log"]] == ["never lands", "previous state"]
        assert len(after["query"]) == 4000
