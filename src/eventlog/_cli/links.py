"""Commands for causal links and tags: link, unlink, links, causes, effects, paths, tag.

Registered on the ``eventlog`` group by :mod:`eventlog._cli`. Each write is one
changeset whose author is ``--author`` or ``$EVENTLOG_AUTHOR``.

>>> link.name, tag.name
('link', 'tag')
"""

from __future__ import annotations

import re
from typing import Any

import click
import polars as pl

from .._errors import NotFound, ValidationError
from .common import db_option, filters_from, open_store, print_frame, query_options, warn_unmatched

__all__ = ["causes", "effects", "link", "links", "paths", "tag", "unlink"]

_FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
_AS_OF = click.option("--as-of", default=None, help="A changeset id or an ISO timestamp: the graph as it was known then.")
_SPAN = re.compile(r"^(?P<source>[a-z0-9]+(?:[-_][a-z0-9]+)*):(?P<start>\d+)-(?P<end>\d+)$")


def _author(author: str | None) -> str:
    from .._config import default_author

    return default_author(author)


_AUTHOR = click.option("--author", default=None, help="Changeset author (default: $EVENTLOG_AUTHOR, git or $USER).")


def _citations(values: tuple[str, ...]) -> list[dict[str, Any]]:
    out = []
    for v in values:
        m = _SPAN.match(v.strip())
        if not m:
            raise ValidationError(f"source {v!r} must look like SOURCE:START-END (e.g. wsj-2024-05-15:1200-1340)",
                                  field="sources")
        out.append({"source": m["source"], "span": [int(m["start"]), int(m["end"])]})
    return out


@click.command()
@db_option
@click.argument("cause")
@click.argument("effect")
@click.option("--relation", "-r", required=True, help="causes, contributes_to, enables, triggers, responds_to or prevents.")
@click.option("--confidence", "-c", type=click.FloatRange(0, 1), default=0.7, show_default=True, help="0 to 1.")
@click.option("--note", "-n", default="", help="Why, in your own words.")
@click.option("--source", "--evidence", "-e", "sources", multiple=True, metavar="SOURCE:START-END",
              help="A document span stating the link (repeatable; --evidence is the old name).")
@click.option("--basis", type=click.Choice(["source", "analyst"]), default=None,
              help="source (a document states it) or analyst (your judgement); default: source when --source is given.")
@_AUTHOR
@click.option("--message", "-m", default=None, help="Changeset message (default: 'Link CAUSE -RELATION-> EFFECT').")
def link(db: str | None, cause: str, effect: str, relation: str, confidence: float, note: str, sources: tuple[str, ...],
         basis: str | None, author: str | None, message: str | None) -> None:
    """Add (or update) the link CAUSE -RELATION-> EFFECT in one changeset.

    \b
    eventlog link 2014-russia-annexes-crimea 2014-western-sanctions-after-crimea -r triggers -c 0.9 \\
        -n "Sanctions answered the annexation" -e riac-2024-51:1020-1180
    """
    who = _author(author)
    with open_store(db) as store, store.change(author=who, message=message or f"Link {cause} -{relation}-> {effect}") as cs:
        cs.link(cause, effect, relation=relation, confidence=confidence, note=note, sources=_citations(sources), basis=basis)
    _report(cs, f"{cause} -{relation}-> {effect}")


@click.command()
@db_option
@click.argument("cause")
@click.argument("effect")
@click.option("--relation", "-r", default=None, help="The link's relation (default: the one link between the two events).")
@click.option("--reason", required=True, help="Why the link goes (kept in its history).")
@_AUTHOR
@click.option("--message", "-m", default=None, help="Changeset message (default: 'Unlink CAUSE -RELATION-> EFFECT').")
def unlink(db: str | None, cause: str, effect: str, relation: str | None, reason: str, author: str | None,
           message: str | None) -> None:
    """Remove the link CAUSE -> EFFECT (a tombstone with a reason; history keeps it)."""
    who = _author(author)
    with open_store(db) as store:
        if relation is None:
            found = store.links(event=cause).filter(effect=effect)
            if found.is_empty():
                raise NotFound(f"no link from {cause!r} to {effect!r}")
            relation = found["relation"][0]
        with store.change(author=who, message=message or f"Unlink {cause} -{relation}-> {effect}") as cs:
            cs.unlink(cause, effect, relation=relation, reason=reason)
    _report(cs, f"removed {cause} -{relation}-> {effect}")


def _report(cs: Any, what: str) -> None:
    if cs.id is None:
        click.echo(f"nothing changed: {what} is already so")
    else:
        click.echo(f"changeset {cs.id}: {what}")


@click.command()
@db_option
@click.option("--event", multiple=True, help="Links touching this event id (repeatable).")
@click.option("--relation", "-r", multiple=True, help="Relation (repeatable).")
@click.option("--basis", multiple=True, type=click.Choice(["source", "analyst"]), help="source or analyst.")
@_AS_OF
@_FORMAT
@click.option("--columns", default="cause,relation,effect,confidence,basis,note", show_default=True,
              help="Comma-separated columns for the table ('all' for every column).")
def links(db: str | None, event: tuple[str, ...], relation: tuple[str, ...], basis: tuple[str, ...], as_of: str | None,
          fmt: str, columns: str) -> None:
    """List causal links, optionally only those touching events, of relations or of a basis."""
    with open_store(db, read_only=True) as store:
        frame = store.links(event=list(event) or None, relation=list(relation) or None, basis=list(basis) or None,
                            as_of=as_of)
    if fmt != "table":
        frame = frame.drop("sources") if fmt == "csv" else frame
        print_frame(frame, fmt)
        return
    print_frame(frame, fmt, None if columns == "all" else columns.split(","), title=f"{frame.height} links")


def _walk_command(name: str, upstream: bool) -> click.Command:
    direction = "upstream" if upstream else "downstream"

    @click.command(name=name)
    @db_option
    @click.argument("event_id")
    @click.option("--depth", type=click.IntRange(min=1), default=None, help="At most this many links away (default: all).")
    @_AS_OF
    @_FORMAT
    def command(db: str | None, event_id: str, depth: int | None, as_of: str | None, fmt: str) -> None:
        with open_store(db, read_only=True) as store:
            fn = store.causes if upstream else store.effects
            frame = fn(event_id, depth=depth, as_of=as_of)
        if fmt == "table":
            frame = _with_chain(frame).select("id", "distance", "date", "title", "chain", "confidence")
        print_frame(frame, fmt, title=f"{frame.height} event(s) {direction} of {event_id}")

    command.help = (f"Every event {direction} of EVENT_ID, with its distance, the path and relations that reach it, "
                    "and the path's confidence (product of its links').")
    return command


causes = _walk_command("causes", upstream=True)
effects = _walk_command("effects", upstream=False)


@click.command()
@db_option
@click.argument("cause")
@click.argument("effect")
@click.option("--max-depth", type=click.IntRange(min=1), default=8, show_default=True, help="Longest chain, in links.")
@_AS_OF
@_FORMAT
def paths(db: str | None, cause: str, effect: str, max_depth: int, as_of: str | None, fmt: str) -> None:
    """Every causal chain from CAUSE to EFFECT, shortest and most confident first."""
    with open_store(db, read_only=True) as store:
        frame = store.paths(cause, effect, max_depth=max_depth, as_of=as_of)
    if fmt == "table":
        frame = _with_chain(frame).select("length", "chain", "confidence")
    print_frame(frame, fmt, title=f"{frame.height} chain(s) from {cause} to {effect}")


def _with_chain(frame: Any) -> Any:
    """For tables: the path and its relations as one readable chain 'a -causes-> b -enables-> c'."""
    chains = [
        path[0] + "".join(f" -{rel}-> {node}" for rel, node in zip(rels, path[1:], strict=True))
        for path, rels in zip(frame["path"].to_list(), frame["relations"].to_list(), strict=True)
    ]
    return frame.with_columns(chain=pl.Series(chains, dtype=pl.String), confidence=frame["confidence"].round(3))


@click.command()
@db_option
@click.argument("event_ids", nargs=-1)
@query_options
@click.option("--add", "add", multiple=True, help="Tag to add (repeatable).")
@click.option("--remove", "remove", multiple=True, help="Tag to remove (repeatable).")
@click.option("--all", "all_events", is_flag=True, help="Allow tagging every event when no filter is given.")
@click.option("--dry-run", is_flag=True, help="List the events that would change; write nothing.")
@_AUTHOR
@click.option("--message", "-m", default=None, help="Changeset message (default: 'Tag: +a -b on N events').")
def tag(db: str | None, event_ids: tuple[str, ...], add: tuple[str, ...], remove: tuple[str, ...], all_events: bool,
        dry_run: bool, author: str | None, message: str | None, **kwargs: Any) -> None:
    """Add and remove tags on the given EVENT_IDS and/or every event the filters match, in one changeset.

    \b
    eventlog tag --type sanction --text SWIFT --add finance
    eventlog tag 2014-russia-annexes-crimea --add crimea --remove ukraine
    """
    filters = filters_from(kwargs)
    if "as_of" in filters:
        raise click.UsageError("--as-of cannot be used with tag: tags change the current events")
    if not add and not remove:
        raise click.UsageError("give at least one --add or --remove")
    if event_ids:
        filters["id"] = list(event_ids)
    if not filters and not all_events:
        raise click.UsageError("no event ids or filters: this would tag every event (pass --all if you mean it)")
    with open_store(db, read_only=dry_run) as store:
        if event_ids:
            missing = sorted(set(event_ids) - set(store.query(id=list(event_ids))["id"].to_list()))
            if missing:
                raise NotFound(f"no event {missing[0]!r}" + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""))
        matched = store.query(**filters)
        if matched.is_empty():
            warn_unmatched(store, filters)
        change = ", ".join([*(f"+{t}" for t in add), *(f"-{t}" for t in remove)])
        if dry_run:
            tags = pl.col("tags")
            changes = [~tags.list.contains(t) for t in add] + [tags.list.contains(t) for t in remove]
            todo = matched.filter(pl.any_horizontal(changes))
            print_frame(todo, "table", ["id", "date", "type", "title", "tags"],
                        title=f"dry run: {todo.height} of {matched.height} matching event(s) would change ({change})")
            return
        result = store.tag(add=add, remove=remove, author=_author(author),
                           message=message or f"Tag {change} on {matched.height} event(s)", **filters)
    if result.changeset is None:
        click.echo(f"nothing changed: {matched.height} matching event(s) already have those tags")
    else:
        click.echo(f"changeset {result.changeset}: {change} on {result.updated} of {matched.height} matching event(s)")
