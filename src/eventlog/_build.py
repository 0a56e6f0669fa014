"""Sync a store with the curated ``events/`` folder, replay its git history, export it back.

"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from ._config import default_author, default_path
from ._errors import EventlogError, MergeConflict, NotFound, ValidationError
from ._files.corpus import find_corpus
from ._files.folder import Dataset, fingerprint, load_dataset, write_dataset
from ._frames import flat, registered
from ._models import model_for_kind, validated
from ._store.merge import dataset_records, plan_merge, record_differing
from ._store.opener import open_store
from ._store.schema import KINDS, PUT_ORDER
from ._store.store import Store

__all__ = ["BuildReport", "ExportReport", "build", "build_from_git", "export", "export_table", "status"]


@dataclass(frozen=True)
class BuildReport:
    """What a build did."""

    changeset: int | None
    created: int
    updated: int
    deleted: int
    unchanged: int
    evidence_checked: bool
    corpus: str | None
    quotes_added: int

    def summary(self) -> str:
        if self.changeset is None:
            what = f"nothing changed ({self.unchanged} records already current)"
        else:
            what = (
                f"changeset {self.changeset}: {self.created} created, {self.updated} updated, "
                f"{self.deleted} deleted, {self.unchanged} unchanged"
            )
        ev = f"evidence checked against {self.corpus}" if self.evidence_checked else "evidence NOT checked (no corpus found)"
        return f"{what}; {ev}"


def sync(store: Store, ds: Dataset, *, author: str, message: str, at: dt.datetime | None = None,
         info: dict | None = None, prefer: Iterable[str] = (), allow_delete: bool = False,
         events_dir: str | os.PathLike[str] | None = None) -> Any:
    """One changeset that merges the dataset into the store (see :mod:`eventlog._store.merge`):
    the files' changes since the last build are applied, the store's own changes kept.

    Conflicts raise :class:`MergeConflict` and a build that would delete more than a tenth
    of a kind's records raises :class:`ValidationError` (unless ``allow_delete``); both
    before anything is written. The store's own checks (link order, duplicates, cycles)
    name a record; their errors get the file that record is in."""
    plan = plan_merge(store, ds, prefer=prefer)
    if plan.conflicts:
        raise MergeConflict(plan.conflicts)
    if not allow_delete and (too_many := plan.too_many_deletes()):
        raise ValidationError(f"the build would delete {', '.join(too_many)} (an empty or wrong events folder?); "
                              "nothing written: pass --allow-delete (allow_delete=True) if that is what you want",
                              file=str(events_dir) if events_dir else None)
    info = {**(info or {}), "evidence_checked": ds.evidence_checked}
    folder = str(Path(events_dir).resolve()) if events_dir is not None else None
    try:
        with store.change(author=author, message=message, at=at, info=info) as cs:
            for name in PUT_ORDER:
                model = model_for_kind(name)
                for data in plan.puts.get(name, []):
                    cs._put_valid(_validate_merged(model, data, name, ds))
            for name in reversed(PUT_ORDER):
                for key in plan.deletes.get(name, []):
                    cs.delete(key, reason="removed from events/", kind=name)
            cs._after_write = lambda cs_id: _write_base(store, plan, cs_id, folder)
    except ValidationError as exc:
        raise _with_file(exc, ds) from None
    assert cs.result is not None
    in_files = ds.count()
    return dataclasses.replace(cs.result, unchanged=max(in_files - cs.result.created - cs.result.updated, 0))


def _validate_merged(model: Any, data: dict[str, Any], kind: str, ds: Dataset) -> Any:
    """The merged record, or the reason the merge of the files and the store is not valid."""
    key = data.get("id") or "|".join(str(data.get(k)) for k in ("cause", "effect", "relation"))
    try:
        return validated(model, data, file=ds.files.get(f"{kind}:{key}"), record=str(key))
    except ValidationError as exc:
        raise ValidationError(f"the merge of the files and the store is not a valid {kind}: {exc.message}",
                              file=exc.file, record=exc.record, field=exc.field) from None


def _write_base(store: Store, plan: Any, cs_id: int, folder: str | None) -> bool:
    """Record the files as this build saw them: the next build's merge base (same transaction)."""
    con = store._con
    recorded = con.execute("SELECT count(*) FROM meta WHERE key = 'base_recorded'").fetchall()[0][0]
    same_folder = folder is None or con.execute(
        "SELECT count(*) FROM meta WHERE key = 'base_events' AND value = ?", [folder]).fetchall()[0][0]
    if recorded and same_folder and not plan.base_changed:
        return False
    # A new base: the fingerprint of the files it came from is recorded after the build (see build()).
    con.execute("DELETE FROM meta WHERE key = 'build_fingerprint'")
    rows = pl.DataFrame(
        [(k, key, data, cs_id) for (k, key), data in plan.new_base.items()],
        schema={"kind": pl.String, "key": pl.String, "data": pl.String, "changeset": pl.Int64}, orient="row")
    con.execute("DELETE FROM base")
    if rows.height:
        with registered(con, _new_base=rows):
            con.execute("INSERT INTO base SELECT kind, key, data, changeset FROM _new_base")
    con.execute("DELETE FROM meta WHERE key IN ('base_recorded', 'base_events')")
    con.execute("INSERT INTO meta VALUES ('base_recorded', ?)", [str(cs_id)])
    if folder is not None:
        con.execute("INSERT INTO meta VALUES ('base_events', ?)", [folder])
    record_differing(con)
    return True


def build(
    events_dir: str | os.PathLike[str] = "events",
    db: str | os.PathLike[str] | None = None,
    *,
    author: str | None = None,
    message: str | None = None,
    corpus: str | os.PathLike[str] | None = None,
    store: Store | None = None,
    prefer: Iterable[str] = (),
    allow_delete: bool = False,
) -> BuildReport:
    """Validate the events folder, then merge it into the store in one changeset.

    What changed in the files since the last build is applied; what changed in the store
    (a notebook, a script, a widget) is kept; a field changed on both sides differently is
    a :class:`MergeConflict` (resolve by editing the file, or with ``prefer``: ``"files"``,
    ``"store"``, ``"files:ID"``, ``"store:ID"``). Unchanged records get no new version; two
    builds in a row create nothing the second time. Nothing is written when any file is
    invalid, on a conflict, or when more than a tenth of a kind's records would be deleted
    (unless ``allow_delete``).
    """
    corpus_dir = find_corpus(corpus)
    if corpus is not None and corpus_dir is None:
        raise ValidationError(f"no corpus folder at {corpus}", field="corpus")
    own = store is None
    fp = fingerprint(events_dir, corpus_dir)
    if fp is not None and (st := store or _existing(db)) is not None:
        try:
            unchanged = _unchanged_since_last_build(st, fp)
        finally:
            if own:
                st.close()
        if unchanged is not None:
            return BuildReport(None, 0, 0, 0, unchanged["records"], unchanged["evidence_checked"],
                               str(corpus_dir) if corpus_dir else None, 0)
    ds = load_dataset(events_dir, corpus_dir)
    st = store or open_store(db or default_path(), create=True)
    try:
        result = sync(
            st, ds, author=default_author(author), message=message or f"Build from {events_dir}",
            info={"corpus": str(corpus_dir) if corpus_dir else None}, prefer=prefer, allow_delete=allow_delete,
            events_dir=events_dir,
        )
        quotes = st.add_evidence({(s, a, b): q for (_e, s, a, b), q in ds.quotes.items()})
        if fp is not None:  # only once everything of the build is in: the next one may skip
            records = ds.count()
            _record_fingerprint(st, json.dumps({"fingerprint": fp, "records": records,
                                                "evidence_checked": ds.evidence_checked}, sort_keys=True))
    finally:
        if own:
            st.close()
    return BuildReport(result.changeset, result.created, result.updated, result.deleted, result.unchanged,
                       ds.evidence_checked, str(corpus_dir) if corpus_dir else None, quotes)


def _existing(db: str | os.PathLike[str] | None) -> Store | None:
    """The store a build writes to, when it exists already (a new one has no last build)."""
    try:
        return open_store(db or default_path(), read_only=True)
    except NotFound:
        return None


def _unchanged_since_last_build(store: Store, fp: str) -> dict[str, Any] | None:
    """The last build's record count and evidence flag when its files had this fingerprint."""
    recorded = store.meta("build_fingerprint")
    if recorded is None:
        return None
    value = json.loads(recorded)
    return value if value.get("fingerprint") == fp else None


def _record_fingerprint(store: Store, value: str) -> None:
    """Keep the fingerprint of the files the base came from (no changeset: bookkeeping)."""
    if store.meta("build_fingerprint") == value:
        return

    def work() -> tuple[None, bool]:
        con = store._con
        # Touching the head row makes two team-store builds recording at once conflict (one retries).
        con.execute("UPDATE head SET last_changeset = last_changeset")
        con.execute("DELETE FROM meta WHERE key = 'build_fingerprint'")
        con.execute("INSERT INTO meta VALUES ('build_fingerprint', ?)", [value])
        store._backend.label(con, "eventlog", "Record the files of the last build", {"build_fingerprint": True})
        return None, True

    with store._writing() as con:
        store._backend.transaction(con, work)


def _with_file(exc: ValidationError, ds: Dataset) -> ValidationError:
    """The store's checks (link order, duplicates, cycles) name the record; add the file it is in."""
    if exc.file or not exc.record:
        return exc
    file = next((ds.files[k] for k in (f"link:{exc.record}", f"event:{exc.record}") if k in ds.files), None)
    if file is None:
        return exc
    return type(exc)(exc.message, file=file, record=exc.record, field=exc.field, line=exc.line)


def validate(events_dir: str | os.PathLike[str] = "events", corpus: str | os.PathLike[str] | None = None) -> Dataset:
    """Check an events folder completely without touching any store: every file (the first
    problem is raised), then the checks a build runs on the whole graph; returns the dataset.

    >>> validate("no-such-folder")
    Traceback (most recent call last):
    ...
    eventlog._errors.ValidationError: no-such-folder: no such events folder
    """
    ds = load_dataset(events_dir, find_corpus(corpus))
    check_graph(ds)
    return ds


def check_graph(ds: Dataset) -> None:
    """The checks a build runs on the whole link graph (a cause dated after its effect,
    duplicate links, cycles), run by syncing ``ds`` into a throwaway store."""
    with tempfile.TemporaryDirectory(prefix="eventlog-validate-") as tmp, open_store(Path(tmp) / "check.duckdb", create=True) as st:
        sync(st, ds, author="validate", message="validate")


def _git(repo: Path, *args: str) -> str:
    try:
        return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout
    except FileNotFoundError:
        raise EventlogError("git is not installed") from None
    except subprocess.CalledProcessError as exc:
        raise EventlogError(f"git {' '.join(args[:2])} failed in {repo}: {exc.stderr.strip()}") from None


def build_from_git(
    events_dir: str | os.PathLike[str] = "events",
    db: str | os.PathLike[str] | None = None,
    *,
    corpus: str | os.PathLike[str] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    prefer: Iterable[str] = (),
    allow_delete: bool = False,
) -> list[BuildReport]:
    """Replay the git history of the events folder: one changeset per commit that touched it,
    with that commit's author, date and message. Commits already replayed are skipped. Each
    commit is merged like a build (see :func:`build`) and moves the merge base."""
    events_path = Path(events_dir).resolve()
    repo = Path(_git(events_path, "rev-parse", "--show-toplevel").strip())
    rel = events_path.relative_to(repo).as_posix()
    lines = _git(repo, "log", "--reverse", "--format=%H%x1f%an%x1f%aI%x1f%s", "--", rel).strip().splitlines()
    corpus_dir = find_corpus(corpus)
    reports = []
    with open_store(db or default_path(), create=True) as st:
        done = set(st.info_values("git_commit"))
        for i, line in enumerate(lines, 1):
            sha, author, date, subject = line.split("\x1f", 3)
            if progress:
                progress(i, len(lines), subject)
            if sha in done:
                continue
            with tempfile.TemporaryDirectory() as tmp:
                tree = Path(tmp) / "events"
                _export_tree(repo, sha, rel, tree)
                try:
                    ds = load_dataset(tree, corpus_dir)
                except ValidationError as exc:
                    raise ValidationError(f"commit {sha[:10]} ({subject}): {exc}") from None
                try:
                    result = sync(st, ds, author=author, message=subject, at=dt.datetime.fromisoformat(date),
                                  info={"git_commit": sha, "corpus": str(corpus_dir) if corpus_dir else None},
                                  prefer=prefer, allow_delete=allow_delete, events_dir=events_path)
                except MergeConflict:
                    raise
                except ValidationError as exc:
                    raise ValidationError(f"commit {sha[:10]} ({subject}): {exc}") from None
                quotes = st.add_evidence({(s, a, b): q for (_e, s, a, b), q in ds.quotes.items()})
            reports.append(BuildReport(result.changeset, result.created, result.updated, result.deleted,
                                       result.unchanged, ds.evidence_checked, str(corpus_dir) if corpus_dir else None, quotes))
    return reports


def _export_tree(repo: Path, sha: str, rel: str, target: Path) -> None:
    """Write the events folder as it was at a commit into ``target``."""
    target.mkdir(parents=True)
    names = _git(repo, "ls-tree", "-r", "--name-only", sha, "--", rel).splitlines()
    for name in names:
        content = subprocess.run(["git", "-C", str(repo), "show", f"{sha}:{name}"], check=True, capture_output=True).stdout
        out = target / Path(name).relative_to(rel)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(content)


@dataclass
class ExportReport:
    """What an export wrote: every file written or removed, and the conflicts it left alone."""

    folder: str
    files: list[tuple[str, str]]  # ("written" | "removed", path)
    conflicts: list[Any]

    @property
    def written(self) -> int:
        return sum(1 for what, _ in self.files if what == "written")

    @property
    def removed(self) -> int:
        return sum(1 for what, _ in self.files if what == "removed")

    def __getitem__(self, name: str) -> int:  # counts as before: report["written"]
        return {"written": self.written, "removed": self.removed}[name]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, dict):
            return {"written": self.written, "removed": self.removed} == other
        return NotImplemented

    def summary(self) -> str:
        return (f"{self.folder}: {self.written} file(s) written, {self.removed} removed"
                + (f", {len(self.conflicts)} conflict(s) left for you" if self.conflicts else ""))


def export(store: Store, events_dir: str | os.PathLike[str] = "events") -> ExportReport:
    """Write the store's changes into an events folder, the mirror of :func:`build`.

    Into the folder last built: a three-way merge like the build's. A file changed since
    the last build keeps its change (merged field by field with the store's); a field
    changed on both sides is reported as a conflict and its file left as it is; a file not
    built yet is never removed. Into any other folder: the store's records, all of them.
    Afterwards ``git diff`` shows the changes, and a build of the folder is a no-op.
    """
    if not isinstance(events_dir, (str, os.PathLike)):
        raise ValidationError(f"events_dir is a folder path, not {events_dir!r}"[:120], field="events_dir")
    target = Path(events_dir)
    if target.exists() and not target.is_dir():
        raise ValidationError("not a folder", file=str(target))
    with store.reading():  # one connection for every read of the export
        return _export(store, target)


def _export(store: Store, target: Path) -> ExportReport:
    live = {name: {r.id: r for r in store.records(name)} for name in KINDS}
    files: list[tuple[str, str]] = []
    if not (target / "actors.yaml").exists() or str(target.resolve()) != store.meta("base_events"):
        ds = Dataset.of(live)
        write_dataset(ds, target, remove=set(), files=files)
        return ExportReport(str(target), files, [])
    try:
        on_disk = load_dataset(target)
    except ValidationError as exc:
        raise ValidationError(f"cannot export into a folder that does not load ({exc}); fix it or build first",
                              file=str(target)) from None
    plan = plan_merge(store, on_disk, sides=False)
    merged: dict[str, dict[str, Any]] = {name: dict(recs) for name, recs in live.items()}
    for name, records in plan.puts.items():
        model = model_for_kind(name)
        for data in records:
            rec = _validate_merged(model, data, name, on_disk)
            merged[name][rec.id] = rec
    for name, keys in plan.deletes.items():
        for key in keys:
            merged[name].pop(key, None)
    theirs = dataset_records(on_disk)
    for c in plan.conflicts:  # the file keeps what it says
        if c.key in theirs[c.kind]:
            merged[c.kind][c.key] = theirs[c.kind][c.key]
        else:
            merged[c.kind].pop(c.key, None)
    ds = Dataset.of(merged)
    gone = {key for key in on_disk.events if key not in merged["event"]}
    write_dataset(ds, target, remove=gone, files=files)
    return ExportReport(str(target), files, plan.conflicts)


def status(store: Store, events_dir: str | os.PathLike[str] = "events", corpus: str | os.PathLike[str] | None = None) -> Any:
    """What the store has that the files don't, what the files have that the store doesn't,
    and the conflicts a build would stop at (a :class:`eventlog._store.merge.Merge`)."""
    ds = load_dataset(events_dir, find_corpus(corpus))
    return plan_merge(store, ds, sides=True)


def export_table(store: Store, out: str | os.PathLike[str], fmt: str | None = None, **filters: Any) -> int:
    """Write a query result to parquet, csv or jsonl for analysis elsewhere; returns the row count."""
    if not isinstance(out, (str, os.PathLike)):
        raise ValidationError(f"out is a file path, not {out!r}"[:120], field="out")
    path = Path(out)
    if path.is_dir():
        raise ValidationError(f"{path} is a folder: give a file name ending .parquet, .csv or .jsonl", field="out")
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    frame: pl.DataFrame = store.query(**filters)
    if fmt == "parquet":
        frame.write_parquet(path)
    elif fmt == "csv":
        flat(frame).write_csv(path)
    elif fmt in ("jsonl", "ndjson"):
        frame.write_ndjson(path)
    else:
        raise ValidationError(f"unknown export format {fmt!r} (parquet, csv, jsonl)", field="format")
    return frame.height

