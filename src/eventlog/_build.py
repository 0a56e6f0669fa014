"""Sync a store with the curated ``events/`` folder, replay its git history, export it back.

>>> build.__name__
'build'
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from ._corpus import find_corpus
from ._dataset import Dataset, load_dataset, write_dataset
from ._errors import EventlogError, ValidationError
from ._schema import KINDS
from ._store import Store, default_path, open_store

__all__ = ["BuildReport", "build", "build_from_git", "export", "export_table"]


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


def sync(store: Store, ds: Dataset, *, author: str, message: str, at: dt.datetime | None = None, info: dict | None = None) -> Any:
    """One changeset that makes the store's live records equal to the dataset's.

    The store's own checks (link order, duplicates, cycles) name a record; their errors
    get the file that record is in."""
    wanted = {"actor": ds.actors, "source": ds.sources, "event": ds.events, "link": ds.links}
    live = {name: {k for k, _ in store._record_rows(name, None, None)} for name in KINDS}
    info = {**(info or {}), "evidence_checked": ds.evidence_checked}
    try:
        with store.change(author=author, message=message, at=at, info=info) as cs:
            for name in ("actor", "source", "event", "link"):
                for rec in wanted[name].values():
                    cs.put(rec)
            for name in ("link", "event", "source", "actor"):
                for key in sorted(live[name] - set(wanted[name])):
                    cs.delete(key, reason="removed from events/", kind=name)
    except ValidationError as exc:
        raise _with_file(exc, ds) from None
    return cs.result


def build(
    events_dir: str | os.PathLike[str] = "events",
    db: str | os.PathLike[str] | None = None,
    *,
    author: str | None = None,
    message: str | None = None,
    corpus: str | os.PathLike[str] | None = None,
    store: Store | None = None,
) -> BuildReport:
    """Validate the events folder, then sync the store to it in one changeset.

    Unchanged records get no new version; two builds in a row create nothing the second time.
    Nothing is written when any file is invalid.
    """
    corpus_dir = find_corpus(corpus)
    if corpus is not None and corpus_dir is None:
        raise ValidationError(f"no corpus folder at {corpus}", field="corpus")
    ds = load_dataset(events_dir, corpus_dir)
    own = store is None
    st = store or open_store(db or default_path(), create=True)
    try:
        result = sync(
            st, ds, author=author or _default_author(), message=message or f"Build from {events_dir}",
            info={"corpus": str(corpus_dir) if corpus_dir else None},
        )
        quotes = st.add_evidence({(s, a, b): q for (_e, s, a, b), q in ds.quotes.items()})
    finally:
        if own:
            st.close()
    return BuildReport(result.changeset, result.created, result.updated, result.deleted, result.unchanged,
                       ds.evidence_checked, str(corpus_dir) if corpus_dir else None, quotes)


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


def _default_author() -> str:
    for var in ("EVENTLOG_AUTHOR", "GIT_AUTHOR_NAME", "USER"):
        if os.environ.get(var):
            return os.environ[var]
    return "eventlog"


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
) -> list[BuildReport]:
    """Replay the git history of the events folder: one changeset per commit that touched it,
    with that commit's author, date and message. Commits already replayed are skipped."""
    events_path = Path(events_dir).resolve()
    repo = Path(_git(events_path, "rev-parse", "--show-toplevel").strip())
    rel = events_path.relative_to(repo).as_posix()
    lines = _git(repo, "log", "--reverse", "--format=%H%x1f%an%x1f%aI%x1f%s", "--", rel).strip().splitlines()
    corpus_dir = find_corpus(corpus)
    reports = []
    with open_store(db or default_path(), create=True) as st:
        done = {
            r[0] for r in st._con.execute(
                "SELECT json_extract_string(info, '$.git_commit') FROM changesets WHERE info LIKE '%git_commit%'"
            ).fetchall()
        }
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
                result = sync(st, ds, author=author, message=subject, at=dt.datetime.fromisoformat(date),
                              info={"git_commit": sha, "corpus": str(corpus_dir) if corpus_dir else None})
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


def export(store: Store, events_dir: str | os.PathLike[str] = "events") -> dict[str, int]:
    """Write the store's current records to an events folder (lossless: a build after it is a no-op)."""
    ds = Dataset(
        events={r.id: r for r in store.records("event")},  # type: ignore[misc]
        actors={r.id: r for r in store.records("actor")},  # type: ignore[misc]
        sources={r.id: r for r in store.records("source")},  # type: ignore[misc]
        links={r.id: r for r in store.records("link")},  # type: ignore[misc]
    )
    target = Path(events_dir)
    if target.exists() and not target.is_dir():
        raise ValidationError("not a folder", file=str(target))
    return write_dataset(ds, target)


def export_table(store: Store, out: str | os.PathLike[str], fmt: str | None = None, **filters: Any) -> int:
    """Write a query result to parquet, csv or jsonl for analysis elsewhere; returns the row count."""
    path = Path(out)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    frame: pl.DataFrame = store.query(**filters)
    if fmt == "parquet":
        frame.write_parquet(path)
    elif fmt in ("csv", "jsonl", "ndjson"):
        flat = frame.with_columns(
            [pl.col(c).list.join("; ") for c, t in frame.schema.items() if isinstance(t, pl.List)]
        ) if fmt == "csv" else frame
        if fmt == "csv":
            flat.write_csv(path)
        else:
            flat.write_ndjson(path)
    else:
        raise ValidationError(f"unknown export format {fmt!r} (parquet, csv, jsonl)", field="format")
    return frame.height

