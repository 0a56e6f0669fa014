"""A rebuild is a merge: store work survives `build`, conflicts stop it, `export` mirrors it into events/."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import polars as pl
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import eventlog
from eventlog import MergeConflict, ValidationError
from eventlog._cli import main
from eventlog._store.merge import merge_record, unexported

EVENTLOG = str(Path(sys.executable).with_name("eventlog"))


@pytest.fixture(autouse=True)
def _no_corpus(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The tiny folder cites a made-up document: build without the corpus."""
    monkeypatch.setenv("EVENTLOG_CORPUS", str(tmp_path / "no-corpus"))


def edit_file(folder: Path, event_id: str, **fields: object) -> None:
    path = folder / "events" / f"{event_id}.yaml"
    data = yaml.safe_load(path.read_text())
    data.update(fields)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def edit_store(store: eventlog.Store, event_id: str, author: str = "ana", **fields: object) -> int | None:
    with store.change(author=author, message=f"edit {event_id}") as cs:
        cs.put(store.get(event_id).model_copy(update=fields))
    return cs.id


@pytest.fixture
def built(tiny_events: Path, tmp_path: Path) -> tuple[Path, eventlog.Store]:
    db = tmp_path / "m.duckdb"
    eventlog.build(tiny_events, db, author="build", message="first build")
    store = eventlog.open(db)
    eventlog.export(store, tiny_events)  # the files in the writer's own layout, as git would hold them
    return tiny_events, store


def test_a_file_change_and_a_store_change_to_other_fields_merge(built) -> None:
    folder, store = built
    edit_file(folder, "e1", title="A treaty, retitled in the file")
    edit_store(store, "e1", summary="Written in a notebook")
    r = eventlog.build(folder, store=store)
    ev = store.get("e1")
    assert (ev.title, ev.summary) == ("A treaty, retitled in the file", "Written in a notebook")
    assert r.updated == 1


def test_store_work_survives_a_rebuild(built) -> None:
    folder, store = built
    with store.change(author="ana", message="notebook work") as cs:
        cs.tag(["e1"], add=["watch"])
        cs.link("e1", "e2", relation="contributes_to")
        cs.put(eventlog.Event(id="e3", type="visit", title="Added in a notebook", date="2024"))
    assert eventlog.build(folder, store=store).changeset is None  # nothing to do, nothing undone
    assert "watch" in store.get("e1").tags and store.links().height == 1 and store.get("e3")


def test_a_conflict_refuses_the_build_and_names_both_sides(built) -> None:
    folder, store = built
    cs = edit_store(store, "e2", author="bo", title="Title from the store")
    edit_file(folder, "e2", title="Title from the file")
    before = store.log().height
    with pytest.raises(MergeConflict) as info:
        eventlog.build(folder, store=store)
    [c] = info.value.conflicts
    assert (c.key, c.field, c.base, c.files, c.store) == ("e2", "title", "Trade in 2023", "Title from the file",
                                                           "Title from the store")
    assert (c.changeset, c.author) == (cs, "bo") and c.file.endswith("e2.yaml")
    line = str(info.value).splitlines()[1]
    assert all(s in line for s in ("e2.yaml", "title", "Trade in 2023", "Title from the file", "Title from the store",
                                   f"changeset {cs}", "bo"))
    assert store.log().height == before  # nothing written


@pytest.mark.parametrize(("prefer", "title"), [(["files"], "file"), (["store"], "store"), (["files:e2"], "file"),
                                               (["store:e2"], "store")])
def test_prefer_resolves_conflicts(built, prefer: list[str], title: str) -> None:
    folder, store = built
    edit_store(store, "e2", title="store")
    edit_file(folder, "e2", title="file")
    eventlog.build(folder, store=store, prefer=prefer)
    assert store.get("e2").title == title


def test_prefer_for_one_record_leaves_the_others_in_conflict(built) -> None:
    folder, store = built
    for eid in ("e1", "e2"):
        edit_store(store, eid, title=f"store {eid}")
        edit_file(folder, eid, title=f"file {eid}")
    with pytest.raises(MergeConflict) as info:
        eventlog.build(folder, store=store, prefer=["files:e1"])
    assert [c.key for c in info.value.conflicts] == ["e2"]
    with pytest.raises(ValidationError, match="--prefer"):
        eventlog.build(folder, store=store, prefer=["theirs"])


def test_deletions(built) -> None:
    folder, store = built
    with store.change(author="a", message="more") as cs:
        for i in range(20):
            cs.put(eventlog.Event(id=f"x{i}", type="visit", title=f"X {i}", date="2024"))
    eventlog.export(store, folder)
    eventlog.build(folder, store=store)
    (folder / "events" / "x0.yaml").unlink()  # deleted in the files, unchanged in the store: applied
    eventlog.build(folder, store=store)
    assert "x0" not in store.query()["id"].to_list()
    (folder / "events" / "x1.yaml").unlink()  # deleted in the files, changed in the store: a conflict
    edit_store(store, "x1", title="kept by someone")
    with pytest.raises(MergeConflict, match="deleted in the files"):
        eventlog.build(folder, store=store)
    with store.change(author="a", message="drop") as cs:  # deleted in the store, unchanged file: stays deleted
        cs.delete("x2", reason="duplicate")
    eventlog.build(folder, store=store, prefer=["files:x1"])
    ids = store.query()["id"].to_list()
    assert "x1" not in ids and "x2" not in ids


def test_the_deletion_guard(built, tmp_path: Path) -> None:
    folder, store = built
    with store.change(author="a", message="links") as cs:
        cs.put(eventlog.Event(id="e3", type="visit", title="Later", date="2025"))
        cs.link("e1", "e2", relation="contributes_to")
        cs.link("e1", "e3", relation="enables")
    eventlog.export(store, folder)
    eventlog.build(folder, store=store)
    (folder / "links.yaml").write_text("[]\n")  # an emptied links.yaml
    with pytest.raises(ValidationError, match=r"2 of 2 links.*--allow-delete"):
        eventlog.build(folder, store=store)
    assert store.links().height == 2
    r = CliRunner().invoke(main, ["build", "--events", str(folder), "--db", store.location, "--allow-delete", "--quiet"])
    assert r.exit_code == 0, r.output
    assert store.links().height == 0


def test_status_lists_both_sides(built) -> None:
    folder, store = built
    cs = edit_store(store, "e1", author="ana", summary="from a notebook")
    edit_file(folder, "e2", title="changed in the file")
    r = CliRunner().invoke(main, ["status", "--events", str(folder), "--db", store.location])
    assert r.exit_code == 0, r.output
    out = r.output
    assert f"event e1: summary (changeset {cs} by ana)" in out
    assert "event e2: title" in out.split("not in the store")[1]
    assert "conflicts (a build stops at them): 0" in out
    assert store.unexported()["id"].to_list() == ["e1"]


def test_export_writes_store_changes_and_never_deletes_unbuilt_files(built) -> None:
    folder, store = built
    edit_store(store, "e1", summary="from a notebook")
    (folder / "events" / "e9.yaml").write_text("id: e9\ntype: visit\ntitle: Not built yet\ndate: '2024'\n")
    report = eventlog.export(store, folder)
    assert [Path(p).name for what, p in report.files] == ["e1.yaml"] and report.removed == 0
    assert (folder / "events" / "e9.yaml").exists()
    assert yaml.safe_load((folder / "events" / "e1.yaml").read_text())["summary"] == "from a notebook"
    r = eventlog.build(folder, store=store)
    assert (r.created, r.updated, r.deleted) == (1, 0, 0)  # only the unbuilt file
    assert eventlog.build(folder, store=store).changeset is None


def test_export_reports_a_conflict_and_leaves_that_file(built) -> None:
    folder, store = built
    edit_store(store, "e2", title="store")
    edit_file(folder, "e2", title="file")
    r = CliRunner().invoke(main, ["export", "--events", str(folder), "--db", store.location])
    assert r.exit_code == 1 and "conflict: " in r.output
    assert yaml.safe_load((folder / "events" / "e2.yaml").read_text())["title"] == "file"


def test_an_old_store_without_a_base_merges_from_its_last_build(built) -> None:
    folder, store = built
    with store.reading() as con:  # as a store written before the base was recorded
        pass
    import duckdb

    con = duckdb.connect(store.location)
    con.execute("DROP TABLE base")
    con.execute("DELETE FROM meta WHERE key IN ('base_recorded', 'base_events')")
    con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    con.close()
    old = eventlog.open(store.location)  # upgraded on open
    edit_store(old, "e1", summary="notebook")
    edit_file(folder, "e2", title="file")
    eventlog.build(folder, store=old)
    assert (old.get("e1").summary, old.get("e2").title) == ("notebook", "file")


# -- the property -----------------------------------------------------------------------------------
FIELDS = {"title": st.text("abcxyz", min_size=1, max_size=12), "summary": st.text("abcxyz", max_size=12),
          "location": st.sampled_from([None, "Moscow", "Beijing"]), "confidence": st.sampled_from([0.1, 0.5, 0.9]),
          "tags": st.lists(st.sampled_from(["a", "b", "c"]), unique=True, max_size=3)}


@st.composite
def disjoint_edits(draw: st.DrawFn) -> tuple[dict, dict]:
    """Edits per event, each field changed on one side at most."""
    files: dict[str, dict] = {}
    store: dict[str, dict] = {}
    for eid in ("e1", "e2"):
        chosen = draw(st.lists(st.sampled_from(sorted(FIELDS)), unique=True, max_size=len(FIELDS)))
        split = draw(st.integers(0, len(chosen)))
        files[eid] = {f: draw(FIELDS[f]) for f in chosen[:split]}
        store[eid] = {f: draw(FIELDS[f]) for f in chosen[split:]}
    return files, store


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=disjoint_edits())
def test_disjoint_edits_always_merge_and_nothing_is_lost(tiny_events: Path, tmp_path: Path, edits) -> None:
    run = tmp_path / uuid.uuid4().hex
    folder = run / "events"
    import shutil

    shutil.copytree(tiny_events, folder)
    store = eventlog.open(run / "s.duckdb", create=True)
    eventlog.build(folder, store=store)
    files, in_store = edits
    for eid, fields in files.items():
        if fields:
            edit_file(folder, eid, **fields)
    for eid, fields in in_store.items():
        if fields:
            edit_store(store, eid, **fields)
    eventlog.build(folder, store=store)
    eventlog.export(store, folder)
    assert eventlog.build(folder, store=store).changeset is None  # files and store agree
    on_disk = eventlog.load_dataset(folder)
    for eid in ("e1", "e2"):
        ev = store.get(eid)
        assert ev == on_disk.events[eid]
        for f, v in {**files[eid], **in_store[eid]}.items():
            assert getattr(ev, f) == v, (eid, f)


@given(st.dictionaries(st.sampled_from("abc"), st.integers(0, 2)), st.dictionaries(st.sampled_from("abc"), st.integers(0, 2)))
def test_merging_with_an_unchanged_side_gives_the_other(base: dict, other: dict) -> None:
    assert merge_record(base, other, base) == (other, [])
    assert merge_record(base, base, other) == (other, [])


# -- end to end, with git and real processes --------------------------------------------------------
def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@x"}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env).stdout


def git_repo(events: Path, repo: Path) -> Path:
    """A git repository holding a copy of ``events`` as events/, committed."""
    import shutil

    repo.mkdir()
    git(repo, "init", "-q")
    shutil.copytree(events, repo / "events")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "events")
    return repo


@pytest.mark.slow
def test_notebook_work_reaches_events_as_a_git_diff(tiny_events: Path, tmp_path: Path) -> None:
    repo = git_repo(tiny_events, tmp_path / "repo")
    db = str(tmp_path / "e2e.duckdb")
    env = {**os.environ, "EVENTLOG_DB": db, "EVENTLOG_AUTHOR": "analyst", "EVENTLOG_CORPUS": str(tmp_path / "none")}

    def cli(*args: str) -> str:
        r = subprocess.run([EVENTLOG, *args], capture_output=True, text=True, env=env, cwd=repo, timeout=120)
        assert r.returncode == 0, (args, r.stderr)
        return r.stdout

    cli("build", "--quiet")
    cli("export")  # the files in the writer's layout, committed: the next diff is the notebook's alone
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "layout")
    notebook = ("import eventlog\ns = eventlog.open()\n"
                "with s.change(author='analyst', message='notebook: tag and link') as cs:\n"
                "    cs.tag(['e1'], add=['watch'])\n    cs.link('e1', 'e2', relation='contributes_to')\n")
    subprocess.run([sys.executable, "-c", notebook], check=True, env=env, cwd=repo)
    cli("build", "--quiet")  # as `make store` runs it
    store = eventlog.open(db)
    assert "watch" in store.get("e1").tags and store.links().height == 1
    status = cli("status")
    assert "event e1: tags" in status and "link e1|e2|contributes_to: (new)" in status
    out = cli("export")
    assert "written" in out and "links.yaml" in out
    changed = git(repo, "status", "--porcelain", "--untracked-files=all").split()
    assert sorted(p for p in changed if p.startswith("events")) == ["events/events/e1.yaml", "events/links.yaml"]
    assert "+tags: [watch]" in git(repo, "diff", "--", "events/events/e1.yaml")
    assert "contributes_to" in (repo / "events" / "links.yaml").read_text()
    before = store.log().height
    cli("build", "--quiet")
    assert store.log().height == before  # after an export a build writes no changeset


def test_build_from_git_merges_each_commit_and_keeps_store_work(tiny_events: Path, tmp_path: Path) -> None:
    repo = git_repo(tiny_events, tmp_path / "gitrepo")
    db = tmp_path / "git.duckdb"
    eventlog.build_from_git(repo / "events", db)
    store = eventlog.open(db)
    edit_store(store, "e1", summary="from a notebook")
    edit_file(repo / "events", "e1", title="A treaty, retitled in a commit")
    git(repo, "commit", "-qam", "retitle e1")
    edit_file(repo / "events", "e2", title="Trade, second commit")
    git(repo, "commit", "-qam", "retitle e2")
    reports = eventlog.build_from_git(repo / "events", db)
    assert [r.updated for r in reports] == [1, 1]  # one changeset per new commit
    ev = store.get("e1")
    assert (ev.title, ev.summary) == ("A treaty, retitled in a commit", "from a notebook")
    assert store.get("e2").title == "Trade, second commit"
    edit_store(store, "e2", title="store side")
    edit_file(repo / "events", "e2", title="file side")
    git(repo, "commit", "-qam", "conflict")
    with pytest.raises(MergeConflict):
        eventlog.build_from_git(repo / "events", db)
    eventlog.build_from_git(repo / "events", db, prefer=["files:e2"])
    assert store.get("e2").title == "file side"


def test_a_store_of_the_old_field_names_merges_in_one_rewrite(tmp_path: Path) -> None:
    """A schema 2 store (actors' "kind", links' "evidence") and the current folder: the first
    build rewrites those records once, with no conflict; the next build has nothing to do."""
    import duckdb

    from tests.helpers import EVENTS, as_one_table_per_kind

    db = tmp_path / "old.duckdb"
    eventlog.build(EVENTS, store=eventlog.open(db, create=True))
    con = duckdb.connect(str(db))
    as_one_table_per_kind(con)
    con.execute("DROP INDEX actor_versions_key")
    con.execute("ALTER TABLE actor_versions RENAME COLUMN category TO kind")
    con.execute("CREATE INDEX actor_versions_key ON actor_versions (key)")
    con.execute("""UPDATE actor_versions SET data = replace(data, '"category":', '"kind":')""")
    con.execute("""UPDATE link_versions SET data = replace(data, '"sources":', '"evidence":')""")
    con.execute("""UPDATE base SET data = replace(replace(data, '"category":', '"kind":'), '"sources":', '"evidence":')""")
    con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    con.close()
    old = eventlog.open(db)
    n_links, n_actors = old.links().height, old.actors().height
    first = eventlog.build(EVENTS, store=old)
    assert first.updated == n_actors + old.links().filter(pl.col("sources").list.len() > 0).height
    assert first.created == first.deleted == 0
    assert eventlog.build(EVENTS, store=old).changeset is None
    assert (old.links().height, old.actors().height) == (n_links, n_actors)


_STEPS = st.lists(st.tuples(st.sampled_from(["store", "file", "build", "export", "delete"]), st.sampled_from(["e1", "e2"]),
                            st.sampled_from(["one", "two", "three"])), min_size=1, max_size=7)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=_STEPS)
def test_unexported_compares_only_what_can_differ_and_agrees_with_every_record(tiny_events, tmp_path_factory, steps) -> None:
    """Edits in the store and in the files, builds (which keep store work) and exports, in any
    order: the unexported records, found from the base's list and later changesets, are the
    records whose current version differs from the base, compared one by one."""
    from eventlog._store.merge import differing

    folder = tmp_path_factory.mktemp("unexported") / "events"
    shutil.copytree(tiny_events, folder)
    store = eventlog.open(folder.parent / "s.duckdb", create=True)
    eventlog.build(folder, store=store)
    for step, key, value in steps:
        live = set(store.query()["id"])
        if step == "store" and key in live:
            edit_store(store, key, summary=value)
        elif step == "delete" and key in live:
            with store.change(author="ana", message="gone") as cs:
                cs.delete(key, reason="a test")
        elif step == "file" and (folder / "events" / f"{key}.yaml").exists():
            edit_file(folder, key, title=value)
        elif step == "export":
            eventlog.export(store, folder)
        elif step == "build":
            with contextlib.suppress(MergeConflict, ValidationError):
                eventlog.build(folder, store=store, allow_delete=True)
        with store.reading() as con:
            want = differing(con).rows()
        assert store.unexported().rows() == want
        assert unexported(store, count=True) == len(want)
    store.close()
