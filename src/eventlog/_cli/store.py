"""The commands of the store itself: build, validate, status, export, query, show, history,
log, diff, blame, revert, stats."""

from __future__ import annotations

import json
from typing import Any

import click

from .._store.schema import KINDS
from .common import (
    db_option,
    filters_from,
    limit_options,
    one_line,
    open_store,
    plain,
    print_frame,
    query_options,
    row_limit,
    warn_unmatched,
)


# -- building -----------------------------------------------------------------------------------
@click.command()
@click.option("--events", "events_dir", default="events", show_default=True, help="The curated events folder.")
@db_option
@click.option("--author", default=None, help="Changeset author (default: $EVENTLOG_AUTHOR, git or $USER).")
@click.option("--message", default=None, help="Changeset message.")
@click.option("--corpus", default=None, help="Source documents folder (default $EVENTLOG_CORPUS or ../shared/corpus).")
@click.option("--from-git", is_flag=True, help="Replay the git history of the events folder, one changeset per commit.")
@click.option("--prefer", multiple=True, metavar="SIDE[:ID]",
              help="Resolve conflicts: files or store (all of them), files:ID or store:ID (one record). Repeatable.")
@click.option("--allow-delete", is_flag=True, help="Allow a build that deletes more than a tenth of a kind's records.")
@click.option("--quiet", is_flag=True, help="Print only the one-line result.")
def build(events_dir: str, db: str | None, author: str | None, message: str | None, corpus: str | None,
          from_git: bool, prefer: tuple[str, ...], allow_delete: bool, quiet: bool) -> None:
    """Merge the events folder into the store in one changeset (validates everything first).

    Changes made in the store since the last build (notebooks, scripts, widgets) are kept;
    a field changed differently on both sides is a conflict: nothing is written and each
    conflict is listed. 'eventlog status' shows both sides; 'eventlog export' writes the
    store's changes into the folder.
    """
    from .. import _build as builds  # the build module, not the facade

    if from_git:
        from rich.progress import Progress

        with Progress(transient=True) as progress:
            task = progress.add_task("replaying commits", total=None)

            def tick(i: int, n: int, subject: str) -> None:
                progress.update(task, completed=i, total=n, description=f"commit {i}/{n}: {subject[:40]}")

            reports = builds.build_from_git(events_dir, db, corpus=corpus, progress=tick, prefer=prefer,
                                              allow_delete=allow_delete)
        made = [r for r in reports if r.changeset is not None]
        click.echo(f"replayed {len(reports)} commit(s) into {len(made)} changeset(s)")
        if reports and not reports[-1].evidence_checked:
            click.echo("evidence NOT checked (no corpus found)")
        return
    report = builds.build(events_dir, db, author=author, message=message, corpus=corpus, prefer=prefer,
                            allow_delete=allow_delete)
    click.echo(report.summary())
    if not quiet:
        _print_stats(open_store(db, read_only=False))


def _print_stats(store: Any) -> None:
    s = store.stats()
    click.echo(f"store {store.location}: {s['records']['event']} events, {s['records']['link']} links, "
               f"{s['records']['actor']} actors, {s['records']['source']} sources; {s['changesets']} changesets, "
               f"{s['versions']} versions")
    click.echo(f"multi-source events: {s['multi_source_events']}; disputed: {s['disputed_events']}; "
               f"evidence quotes: {s['quotes']} ({'checked against the corpus' if s['evidence_checked'] else 'not checked: no corpus'})")
    click.echo("events by type: " + ", ".join(f"{t} {n}" for t, n in s["events_by_type"].items()))
    plural = {"hypothesis": "hypotheses", "assessment": "assessments", "comment": "comments", "star": "stars",
              "view": "views"}
    judged = [f"{s['records'][k]} {word}" for k, word in plural.items() if s["records"].get(k)]
    if judged:
        click.echo("analysts' records: " + ", ".join(judged))
    store.close()


@click.command()
@click.option("--events", "events_dir", default="events", show_default=True)
@click.option("--corpus", default=None, help="Source documents folder (default $EVENTLOG_CORPUS or ../shared/corpus).")
def validate(events_dir: str, corpus: str | None) -> None:
    """Check the events folder and list every problem (nothing is written).

    Every file's problems are listed; when there are none, the checks a build runs on the
    whole link graph (order, duplicates, cycles) run on a throwaway store.
    """
    from .._build import check_graph
    from .._files.corpus import find_corpus
    from .._files.folder import check_dataset

    corpus_dir = find_corpus(corpus)
    ds, problems = check_dataset(events_dir, corpus_dir)
    for p in problems:
        click.echo(f"error: {one_line(str(p))}", err=True)
    if problems:
        raise SystemExit(1)
    assert ds is not None
    check_graph(ds)
    from .._files.folder import find_lookalikes

    for a, b in find_lookalikes(ds.events):
        click.echo(f"warning: {ds.files.get(f'event:{a}', a)}: {a} and {b} look alike (same type and actors, "
                   "overlapping dates): merge them, or name each other in distinct_from", err=True)
    checked = "evidence checked" if ds.evidence_checked else "evidence NOT checked (no corpus found)"
    click.echo(f"ok: {len(ds.events)} events, {len(ds.links)} links, {len(ds.actors)} actors, "
               f"{len(ds.sources)} sources; {checked}")


@click.command()
@db_option
@click.option("--events", "events_dir", default=None, help="Write the store back to this events folder.")
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv", "jsonl"]), default=None)
@click.option("--out", default=None, help="File for --format.")
@query_options
def export(db: str | None, events_dir: str | None, fmt: str | None, out: str | None, **kwargs: Any) -> None:
    """Write the store's changes into events/ (a reviewable git diff), or a table to parquet/csv/jsonl.

    Into the folder last built this is the mirror of build: a three-way merge that writes the
    store's changes, keeps changes made in the files since, reports conflicts (exit 1) and never
    removes a file not built yet. Every file written or removed is named.
    """
    from .. import _build as builds  # the build module, not the facade

    filters = filters_from(kwargs)
    store = open_store(db, read_only=True)
    try:
        if fmt or out:
            if not out:
                raise click.UsageError("--format needs --out FILE")
            n = builds.export_table(store, out, fmt, **filters)
            click.echo(f"wrote {n} events to {out}")
        else:
            report = builds.export(store, events_dir or "events")
            for what, path in report.files:
                click.echo(f"{what} {path}")
            for c in report.conflicts:
                click.echo(f"conflict: {plain(str(c))}", err=True)
            click.echo(report.summary() + ("; review with: git diff -- " + (events_dir or "events") if report.files else ""))
            if report.conflicts:
                raise SystemExit(1)
    finally:
        store.close()


@click.command()
@db_option
@click.option("--events", "events_dir", default="events", show_default=True, help="The curated events folder.")
@click.option("--corpus", default=None, help="Source documents folder (default $EVENTLOG_CORPUS or ../shared/corpus).")
def status(db: str | None, events_dir: str, corpus: str | None) -> None:
    """What the store has that events/ doesn't, what events/ has that the store doesn't, and conflicts.

    Store changes reach events/ with 'eventlog export'; file changes reach the store with
    'eventlog build'; conflicts stop a build until a file edit or --prefer resolves them.
    """
    from .. import _build as builds  # the build module, not the facade

    with open_store(db, read_only=True) as store:
        plan = builds.status(store, events_dir, corpus)
    click.echo(f"in the store, not in {events_dir} (eventlog export writes them): {len(plan.store_changes)}")
    for ch in plan.store_changes:
        click.echo(f"  {plain(str(ch))}")
    click.echo(f"in {events_dir}, not in the store (eventlog build applies them): {len(plan.file_changes)}")
    for ch in plan.file_changes:
        click.echo(f"  {plain(str(ch))}")
    click.echo(f"conflicts (a build stops at them): {len(plan.conflicts)}")
    for c in plan.conflicts:
        click.echo(f"  {plain(str(c))}")


# -- reading ------------------------------------------------------------------------------------
@click.command()
@db_option
@query_options
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--columns", default="id,date,type,title,actors,n_sources,status", show_default=True,
              help="Comma-separated columns for the table ('all' for every column).")
@click.option("--view", default=None, metavar="NAME", help="A saved view's filters (the options above replace them).")
@limit_options
def query(db: str | None, fmt: str, columns: str, view: str | None, limit: int | None, all_rows: bool, **kwargs: Any) -> None:
    """Events matching the filters, sorted by start date.

    A table shows the first rows and says how many there are; csv and json write every row.
    """
    store = open_store(db, read_only=True)
    filters = filters_from(kwargs)
    try:
        with store.reading():
            frame = store.query(**filters, view=view)
            if frame.is_empty():
                warn_unmatched(store, filters)
    finally:
        store.close()
    cols = None if columns == "all" or fmt != "table" else columns.split(",")
    print_frame(frame, fmt, cols, title=f"{frame.height} events", limit=row_limit(fmt, limit, all_rows))


@click.command()
@db_option
@click.argument("event_id")
@click.option("--as-of", default=None, help="A changeset id or an ISO timestamp.")
def show(db: str | None, event_id: str, as_of: str | None) -> None:
    """One event with its sources and the evidence each one quotes."""
    from rich.console import Console
    from rich.markup import escape as _escape

    def escape(text: str) -> str:  # store text is data: no markup, no terminal escape sequences
        return _escape(plain(str(text)))

    import polars as pl

    from .._dates import format_edtf_words
    from .._reporting import grade_words
    from .._store.schema import format_amount

    store = open_store(db, read_only=True)
    try:
        ev = store.get(event_id, as_of)
        evidence = store.evidence(event_id, as_of)
        names = dict(store.actors()[["id", "name"]].iter_rows())
        hist = store.history(event_id)
        links = _links_of(store, event_id)
        first = store.query(id=event_id, as_of=as_of, columns=["first_reported", "n_independent_sources", "n_sources"]).row(0, named=True)
        reporting = store.sources(as_of=as_of).filter(pl.col("id").is_in([c.source for c in ev.sources])).sort("published")
    finally:
        store.close()
    con = Console(soft_wrap=True)
    con.print(f"[bold]{escape(ev.title)}[/bold]  ({escape(ev.id)}, {ev.type}, {ev.status}, confidence {ev.confidence})")
    con.print(f"date: {ev.date} = {format_edtf_words(ev.date)} [{ev.start} .. {ev.end}, {ev.precision}]")
    if ev.actors:
        con.print("actors: " + escape(", ".join(names.get(a, a) for a in ev.actors)))
    if ev.location:
        con.print(f"location: {escape(ev.location)}")
    for a in ev.amounts:
        who = f" (per {a.source})" if a.source else ""
        con.print("amount: " + escape(format_amount(a.value, a.unit, a.measure)) + who)
    if ev.tags:
        con.print("tags: " + escape(", ".join(ev.tags)))
    if ev.summary:
        con.print(f"\n{escape(ev.summary)}")
    if ev.notes:
        con.print(f"[italic]note: {escape(ev.notes)}[/italic]")
    reported = ", ".join(f"{escape(r['id'])} {r['published']}" for r in reporting.iter_rows(named=True))
    con.print(f"\nreported: first {first['first_reported']}; {first['n_independent_sources']} independent of "
              f"{first['n_sources']} source(s) ({reported})")
    con.print(f"sources ({len(ev.sources)}):")
    for row in evidence.iter_rows(named=True):
        quote = row["quote"]
        con.print(f"  {escape(row['source'])} \\[{row['span_start']}, {row['span_end']})  grade {row['grade']}"
                  f" ({grade_words(row['reliability'], row['credibility'])})")
        if row["credibility_note"]:
            con.print(f"    [italic]{escape(row['credibility_note'])}[/italic]")
        if quote is None:
            con.print("    (no quote: the store was built without the corpus)")
        else:
            con.print("    > " + escape(" ".join(quote.split())))
    if links:
        con.print("\nlinks:")
        for line in links:
            con.print("  " + escape(line))
    last = hist.row(-1, named=True)
    con.print(f"\nversion {last['version']} by {escape(last['author'])} at {last['changed_at']:%Y-%m-%d %H:%M} UTC: {escape(last['message'])}")


def _links_of(store: Any, event_id: str) -> list[str]:
    frame = store.links(event=event_id)
    return [f"{c} --{r}--> {e}" for c, r, e in frame.select("cause", "relation", "effect").iter_rows()]


@click.command()
@db_option
@click.argument("key")
@click.option("--kind", default="event", show_default=True, type=click.Choice(list(KINDS)))
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
def history(db: str | None, key: str, kind: str, fmt: str) -> None:
    """Every version of a record: who changed what, when and why."""
    with open_store(db, read_only=True) as store:
        print_frame(store.history(key, kind=kind), fmt, title=f"history of {kind} {key}")


@click.command()
@db_option
@click.option("--limit", type=click.IntRange(0, 10**9, clamp=True), default=20, show_default=True,
              help="Newest changesets to show (0 for all).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
def log(db: str | None, limit: int, fmt: str) -> None:
    """The changesets, newest first."""
    with open_store(db, read_only=True) as store:
        frame = store.log()
    print_frame(frame.head(limit) if limit else frame, fmt, title="changesets")


@click.command()
@db_option
@click.argument("a")
@click.argument("b", required=False)
@click.option("--kind", default=None, type=click.Choice(list(KINDS)))
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
def diff(db: str | None, a: str, b: str | None, kind: str | None, fmt: str) -> None:
    """What changed between two changesets or timestamps (B defaults to now)."""
    with open_store(db, read_only=True) as store:
        print_frame(store.diff(a, b, kind=kind), fmt, title=f"diff {a} .. {b or 'now'}")


@click.command()
@db_option
@click.argument("key")
@click.option("--kind", default="event", show_default=True, type=click.Choice(list(KINDS)))
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
def blame(db: str | None, key: str, kind: str, fmt: str) -> None:
    """Who set each field of a record's current version."""
    with open_store(db, read_only=True) as store:
        print_frame(store.blame(key, kind=kind), fmt, title=f"blame {kind} {key}")


@click.command()
@db_option
@click.argument("changeset", type=int)
@click.option("--author", default=None, help="Who reverts (default: $EVENTLOG_AUTHOR, git or $USER).")
@click.option("--message", default=None, help="Why (default: 'Revert changeset N: ...').")
def revert(db: str | None, changeset: int, author: str | None, message: str | None) -> None:
    """Undo a changeset with a new changeset."""
    from .._config import default_author

    with open_store(db) as store:
        new = store.revert(changeset, author=default_author(author), message=message)
    click.echo(f"changeset {new} reverts changeset {changeset}" if new else f"changeset {changeset} changed nothing to revert")


@click.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              help="markdown prints the dataset tables README shows.")
def stats(db: str | None, fmt: str) -> None:
    """Counts: events by type and by source document, records, changesets, evidence."""
    store = open_store(db, read_only=True)
    if fmt == "json":
        click.echo(json.dumps(store.stats(), indent=2, default=str))
        store.close()
    elif fmt == "markdown":
        click.echo(markdown_stats(store.stats()), nl=False)
        store.close()
    else:
        _print_stats(store)


def markdown_stats(s: dict[str, Any]) -> str:
    """The dataset's counts as the Markdown block README shows (kept current by a test)."""
    lines = ["| type | events |", "|---|---|"]
    lines += [f"| `{t}` | {n} |" for t, n in s["events_by_type"].items()]
    lines += [f"| **total** | **{s['records']['event']}** |", "", "| source document | events citing it |", "|---|---|"]
    lines += [f"| `{src}` | {n} |" for src, n in s["events_by_source"].items()]
    lines += ["", f"Events reported by more than one document: **{s['multi_source_events']}**. "
              f"Disputed events: **{s['disputed_events']}**. Causal links: **{s['records']['link']}**. "
              f"Actors: **{s['records']['actor']}**.", ""]
    return "\n".join(lines)


