"""``eventlog extract`` and ``eventlog review``: click commands the main CLI group registers.

>>> extract_cmd.name, review_cmd.name
('extract', 'review')
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from .._errors import EventlogError
from .._files.yamlfile import read_text

__all__ = ["eval_cmd", "extract_cmd", "review_cmd", "source_cmd"]


def _dataset_or_none(events_dir: Path) -> Any:
    """The events folder's dataset, or None when there is no such folder."""
    from .._files.folder import load_dataset

    if not (events_dir / "actors.yaml").is_file():
        return None
    return load_dataset(events_dir)


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def register_document(path: Path, events_dir: Path, *, source_id: str | None, title: str, published: str,
                      publisher: str, language: str | None, url: str | None, notes: str = "") -> Any:
    """Add the document at ``path`` to ``events_dir/sources.yaml`` (sha256 of its bytes, its
    language detected when not given); returns the Source."""
    import hashlib

    from .._files.folder import add_source
    from .._models import Source
    from .candidates import slug
    from .language import detect_language

    data = path.read_bytes()
    text = read_text(path, what="document")
    src = Source(id=source_id or slug(path.stem), file=path.name, title=title, publisher=publisher,
                 language=language or detect_language(text), published=published, url=url,
                 sha256=hashlib.sha256(data).hexdigest(), notes=notes)
    add_source(events_dir, src)
    return src


@click.group("source")
def source_cmd() -> None:
    """The documents events cite (events/sources.yaml)."""


@source_cmd.command("add")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--title", required=True, help="The document's title, as published.")
@click.option("--published", required=True, help="Publication date (EDTF: 2024-05-15, 2024-05, 2024).")
@click.option("--publisher", default="unknown", show_default=True, help="Outlet or author.")
@click.option("--id", "source_id", default=None, help="Source id (default: the file name as a slug).")
@click.option("--lang", type=click.Choice(["en", "nl"]), default=None, help="Language; default: detected.")
@click.option("--url", default=None)
@click.option("--notes", default="", help="How the date or publisher was established, in your words.")
@click.option("--events", "events_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("events"),
              show_default=True)
def source_add(file: Path, title: str, published: str, publisher: str, source_id: str | None, lang: str | None,
               url: str | None, notes: str, events_dir: Path) -> None:
    """Register FILE in the events folder's sources.yaml (its sha256 computed here), before extracting
    and reviewing it, so that review can save each decision at once. Put FILE in the corpus folder too:
    builds check every span against it."""
    from .._files.corpus import find_corpus

    src = register_document(file, events_dir, source_id=source_id, title=title, published=published,
                            publisher=publisher, language=lang, url=url, notes=notes)
    click.echo(f"source {src.id} added to {events_dir / 'sources.yaml'} ({src.language}, published {src.published}, "
               f"sha256 {src.sha256[:12]}...)")
    corpus = find_corpus()
    if corpus is None or not (corpus / file.name).is_file():
        click.echo(f"note: {file.name} is not in the corpus folder ({corpus or 'none found'}); copy it there so that "
                   "builds can check and quote its spans", err=True)


def _offer_registration(path: Path, events_dir: Path) -> Any:
    """On a terminal, register an unknown document now; elsewhere say how. Returns the Source or None."""
    click.echo(f"{path.name} is not in {events_dir / 'sources.yaml'}: its candidates could not be reviewed into "
               "events/ until it is registered", err=True)
    if not sys.stdin.isatty() or not click.confirm("register it now?", default=True, err=True):
        click.echo(f"  register it with: eventlog source add {path} --title ... --published ... --events {events_dir}",
                   err=True)
        return None
    return register_document(path, events_dir, source_id=None, title=click.prompt("title", err=True),
                             published=click.prompt("published (EDTF)", err=True),
                             publisher=click.prompt("publisher", default="unknown", err=True), language=None, url=None)


@click.command("extract")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--doc-date", default=None, help="Document date (EDTF) for relative dates; default: the source registry's.")
@click.option("--lang", type=click.Choice(["en", "nl"]), default=None, help="Language; default: detected.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "yaml"]), default="table", show_default=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write one candidate file per event here (events/ form, status: candidate).")
@click.option("--events", "events_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("events"),
              show_default=True, help="Events folder: actor registry, source registry, events to match.")
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=0.0, show_default=True)
@click.option("--all-modalities", is_flag=True, help="Also write negated and hypothetical mentions (as statements).")
def extract_cmd(
    files: tuple[Path, ...], doc_date: str | None, lang: str | None, fmt: str, out_dir: Path | None,
    events_dir: Path, min_confidence: float, all_modalities: bool,
) -> None:
    """Extract candidate events from text FILES (English or Dutch).

    Without --out, prints the candidates. With --out, writes DIR/<id>.yaml per candidate;
    a candidate matching an existing event (type, overlapping dates, shared actor) gets
    `merge_into: <event id>`, a proposal to add it as an extra source.
    """
    import polars as pl
    from rich.console import Console
    from rich.progress import track

    from .actors import matcher_for
    from .candidates import candidate_records, document_info, write_candidates
    from .pipeline import extract

    ds = _dataset_or_none(events_dir)
    registry = matcher_for(ds) if ds is not None else None  # built once for all files
    sources = ds.sources if ds is not None else {}
    events = ds.events if ds is not None else {}
    frames = []
    records: list[dict[str, Any]] = []
    known = 0
    err = Console(stderr=True)
    if out_dir is not None and ds is not None:
        for path in files:
            if document_info(path, sources)[1] is None and _offer_registration(path, events_dir) is not None:
                ds = _dataset_or_none(events_dir)
                sources = ds.sources
    for path in track(files, description="extracting", console=err, disable=len(files) < 2, transient=True):
        doc_id, published, src_lang = document_info(path, sources)
        text = read_text(path, what="document")  # refuses FIFOs, devices, huge and non-UTF-8 files
        dd = doc_date or published
        if dd is None and (out_dir is not None or fmt == "table"):  # json and yaml stay parseable
            err.print(f"no document date for {path.name}: dates relative to it ('on Friday', 'last month', 'since "
                      "2019' to now) are left unresolved and their events not proposed; give --doc-date or register "
                      "the document (eventlog source add)", markup=False, highlight=False)
        df = extract(text, doc_date=dd, lang=lang or src_lang, doc_id=doc_id, registry=registry,
                     min_confidence=min_confidence)
        frames.append(df)
        if out_dir is not None:
            recs, k = candidate_records(df.iter_rows(named=True), doc_id=doc_id, doc_date=dd, events=events,
                                        include_all=all_modalities)
            records += recs
            known += k
    df = pl.concat(frames) if frames else pl.DataFrame()
    if out_dir is not None:
        paths = write_candidates(records, out_dir)
        merges = sum(1 for r in records if "merge_into" in r)
        click.echo(f"{len(paths)} candidate(s) written to {out_dir} ({merges} proposed as an extra source of an "
                   f"existing event; {known} already cited there, skipped). Next: eventlog review {out_dir}")
        return
    _print(df, fmt)


def _print(df: Any, fmt: str) -> None:
    rows = [_plain(r) for r in df.iter_rows(named=True)]
    if fmt == "json":  # one JSON object per line, as `eventlog query --format json` prints
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
    elif fmt == "yaml":
        from .._files.folder import dump_yaml

        click.echo(dump_yaml(rows), nl=False)
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table("doc", "type", "date", "as written", "actors", "modality", "conf", "title")
        for r in rows:
            table.add_row(str(r["doc_id"] or ""), r["type"], r["date"], r["date_text"], ", ".join(r["actors"]),
                          r["modality"], f"{r['confidence']:.2f}", r["title"])
        Console().print(table)
        click.echo(f"{len(rows)} candidate(s)")


def _parse_merge(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for v in values:
        cid, sep, eid = v.partition("=")
        if not sep or not cid or not eid:
            raise click.BadParameter(f"expected CANDIDATE=EVENT, got {v!r}", param_hint="--merge")
        out[cid.strip()] = eid.strip()
    return out


@click.command("review")
@click.argument("candidates_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--events", "events_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("events"),
              show_default=True)
@click.option("--accept", multiple=True, metavar="ID", help="Accept a candidate as a new confirmed event.")
@click.option("--reject", multiple=True, metavar="ID", help="Reject a candidate (moved to DIR/rejected/).")
@click.option("--merge", multiple=True, metavar="ID=EVENT", help="Add the candidate's source to an existing event.")
@click.option("--set", "sets", multiple=True, nargs=2, metavar="ID FIELD=VALUE", help="Edit a candidate field first.")
@click.option("--all-accept", is_flag=True, help="Take every pending proposal: merge where merge_into is set, else accept.")
@click.option("--list", "list_only", is_flag=True, help="List pending candidates and exit.")
@click.option("--interactive/--no-interactive", default=None, help="Ask about each candidate (default: on a terminal).")
@click.option("--order", type=click.Choice(["confidence", "file"]), default="confidence", show_default=True,
              help="Ask and list the surest candidates first, or in file-name order.")
def review_cmd(
    candidates_dir: Path, events_dir: Path, accept: tuple[str, ...], reject: tuple[str, ...], merge: tuple[str, ...],
    sets: tuple[tuple[str, str], ...], all_accept: bool, list_only: bool, interactive: bool | None, order: str,
) -> None:
    """Review candidates in CANDIDATES_DIR: accept into the events folder, merge, edit or reject.

    With no action flags on a terminal, asks about each candidate in turn and writes each decision
    as it is made (quit at any time; run again to go on with the rest); elsewhere lists them.
    Decisions given as flags are applied together after the whole events folder validates.
    """
    from .._errors import ValidationError
    from .review import ReviewPlan, apply_review, describe, edit_candidate, load_candidates, unknown_sources

    for cid, assignment in sets:
        name, sep, value = assignment.partition("=")
        if not sep:
            raise click.BadParameter(f"expected FIELD=VALUE, got {assignment!r}", param_hint="--set")
        edit_candidate(candidates_dir, cid, name.strip(), value)
    cands = load_candidates(candidates_dir, order)
    plan = ReviewPlan(accept=list(accept), reject=list(reject), merge=_parse_merge(merge))
    if all_accept:
        decided = {*plan.accept, *plan.reject, *plan.merge}
        for cid, (_p, data) in cands.items():
            if cid in decided:
                continue
            if data.get("merge_into"):
                plan.merge[cid] = data["merge_into"]
            else:
                plan.accept.append(cid)
    if interactive is None:
        interactive = sys.stdin.isatty()
    if list_only or (plan.is_empty() and not interactive):
        for data in (d for _p, d in cands.values()):
            click.echo(describe(data) + "\n")
        click.echo(f"{len(cands)} pending candidate(s) in {candidates_dir}")
        return
    missing = unknown_sources(cands, events_dir)
    if missing:
        # Said before any question, so that no decision is made that could not be saved.
        sid, cids = next(iter(missing.items()))
        raise ValidationError(f"{len(cids)} candidate(s) cite source {sid!r}, which {events_dir / 'sources.yaml'} does "
                              f"not have: register the document first (eventlog source add FILE --id {sid} --title ... "
                              "--published ...), then review again", file=str(candidates_dir), record=cids[0],
                              field="sources")
    if plan.is_empty():
        result = _interactive(candidates_dir, events_dir, cands, describe, edit_candidate)
    else:
        result = apply_review(candidates_dir, events_dir, plan)
    click.echo(f"accepted {len(result.accepted)}, merged {len(result.merged)}, rejected {len(result.rejected)}"
               + (f": new events {', '.join(result.accepted)}" if result.accepted else "")
               + (f"; {len(load_candidates(candidates_dir))} still pending (run review again to go on)"
                  if load_candidates(candidates_dir) else ""))


def _interactive(folder: Path, events_dir: Path, cands: dict[str, Any], describe: Any, edit: Any) -> Any:
    """Ask about each candidate: accept, edit, merge, reject, skip or quit. Each decision is written
    as it is made (accepted and merged ones into events/, the candidate file moved away), so
    quitting, or an error later on, loses nothing; a skipped candidate stays pending for the next run.
    The default answer is never a merge: for a proposed merge it is skip."""
    from .review import ReviewPlan, ReviewResult, apply_review

    total = ReviewResult()
    for cid in list(cands):
        data = cands[cid][1]
        while True:
            click.echo("\n" + describe(data))
            default = "s" if data.get("merge_into") else "a"
            choice = click.prompt("[a]ccept [e]dit [m]erge [r]eject [s]kip [q]uit", default=default,
                                  type=click.Choice(list("aemrsq")), show_choices=False)
            if choice == "e":
                assignment = click.prompt("field=value")
                name, _sep, value = assignment.partition("=")
                try:
                    data = edit(folder, cid, name.strip(), value)
                except EventlogError as exc:  # a bad edit is said, and the question asked again
                    click.echo(f"not changed: {exc}", err=True)
                    continue
                cid = data["id"]
                continue
            if choice == "q":
                return total
            if choice == "s":
                break
            if choice == "a":
                plan = ReviewPlan(accept=[cid])
            elif choice == "m":
                target = click.prompt("event id", default=data.get("merge_into") or "")
                plan = ReviewPlan(merge={cid: target})
            else:
                plan = ReviewPlan(reject=[cid])
            try:
                done = apply_review(folder, events_dir, plan)
            except EventlogError as exc:  # nothing was written for this one: say why and ask again
                click.echo(f"not saved: {exc}", err=True)
                continue
            total.accepted += done.accepted
            total.merged += done.merged
            total.rejected += done.rejected
            click.echo("saved: " + (f"new event {done.accepted[0]}" if done.accepted else
                                    f"source added to {done.merged[0][1]}" if done.merged else "rejected"))
            break
    return total


@click.command("eval")
@click.option("--events", "events_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("events"),
              show_default=True)
@click.option("--corpus", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Corpus folder; default $EVENTLOG_CORPUS or ../shared/corpus.")
@click.option("--evalset", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Evaluation set (a folder with gold.yaml); default $EVENTLOG_EVALSET or ../shared/evalset.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table", show_default=True)
def eval_cmd(events_dir: Path, corpus: Path | None, evalset: Path | None, fmt: str) -> None:
    """Score extraction on the corpus (against the curated events folder) and on the evaluation set
    (documents the rules were not written from), side by side: P, R, F1, date accuracy, the misses."""
    from .evaluate import main as eval_main

    args = ["--events", str(events_dir), "--format", fmt] + (["--corpus", str(corpus)] if corpus else []) \
        + (["--evalset", str(evalset)] if evalset else [])
    code = eval_main(args)
    if code:
        raise SystemExit(code)
