"""Commands for the analysts' records: hypotheses, assess, ach, comment, comments, star, views.

Registered on the ``eventlog`` group by :mod:`eventlog._cli`. Each write is one changeset whose
author is ``--author`` or ``$EVENTLOG_AUTHOR``.

>>> comment.name, views.name
('comment', 'views')
"""

from __future__ import annotations

from typing import Any

import click
import polars as pl

from .._errors import ValidationError
from .common import db_option, open_store, plain, print_frame

__all__ = ["ach", "assess", "comment", "comments", "hypotheses", "star", "views"]

_FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
_AS_OF = click.option("--as-of", default=None, help="A changeset id or an ISO timestamp.")
_AUTHOR = click.option("--author", default=None, help="Changeset author (default: $EVENTLOG_AUTHOR, git or $USER).")


def _author(author: str | None) -> str:
    from .._config import default_author

    return default_author(author)


def _target(target: str) -> dict[str, str]:
    """What a comment or star is on: an event id, a link id (``cause|effect|relation``) or ``view:NAME``."""
    if target.startswith("view:"):
        return {"view": target.removeprefix("view:")}
    if "|" in target:
        return {"link": target}
    return {"event": target}


@click.command()
@db_option
@_AS_OF
@_FORMAT
def hypotheses(db: str | None, as_of: str | None, fmt: str) -> None:
    """The competing hypotheses, least inconsistent first, with their scores."""
    store = open_store(db, read_only=True)
    try:
        frame = store.hypotheses(as_of=as_of)
    finally:
        store.close()
    print_frame(frame, fmt, None if fmt != "table" else
                ["rank", "id", "status", "inconsistency", "inconsistent", "consistent", "assessed"],
                title=f"{frame.height} hypotheses")


@click.command()
@db_option
@click.argument("hypothesis_id")
@click.argument("event_id")
@click.argument("rating", type=click.Choice(["CC", "C", "N", "I", "II"], case_sensitive=False))
@click.option("--note", default="", help="Why this rating, in your words.")
@click.option("--remove", is_flag=True, help="Take the rating back instead (needs --note as the reason).")
@_AUTHOR
@click.option("--message", "-m", default=None, help="Changeset message (default: 'Assess: H EVENT RATING').")
def assess(db: str | None, hypothesis_id: str, event_id: str, rating: str, note: str, remove: bool,
           author: str | None, message: str | None) -> None:
    """Rate how EVENT_ID bears on HYPOTHESIS_ID: CC, C, N, I or II (very consistent ... very inconsistent)."""
    store = open_store(db)
    rating = rating.upper()
    try:
        with store.change(author=_author(author), message=message or f"Assess: {hypothesis_id} {event_id} {rating}") as cs:
            if remove:
                if not note.strip():
                    raise ValidationError("--remove needs --note saying why", field="note")
                cs.unassess(hypothesis_id, event_id, reason=note)
            else:
                cs.assess(hypothesis_id, event_id, rating=rating, note=note)
        leader = store.hypotheses().head(1)
    finally:
        store.close()
    what = "removed" if remove else rating
    lead = f"; leading: {plain(leader['id'][0])} ({leader['inconsistency'][0]:g})" if leader.height else ""
    click.echo(f"changeset {cs.id}: {plain(hypothesis_id)} x {plain(event_id)} {what}{lead}")


@click.command()
@db_option
@_AS_OF
@_FORMAT
@click.option("--diagnostic", is_flag=True, help="Only the events whose ratings differ across hypotheses.")
def ach(db: str | None, as_of: str | None, fmt: str, diagnostic: bool) -> None:
    """The matrix of competing hypotheses: one row per assessed event, one column per hypothesis."""
    store = open_store(db, read_only=True)
    try:
        frame = store.ach(as_of=as_of)
    finally:
        store.close()
    if diagnostic:
        frame = frame.filter(frame["diagnostic"])
    print_frame(frame, fmt, None if fmt != "table" else [c for c in frame.columns if c not in ("title", "weight")],
                title=f"{frame.height} assessed events")


@click.command()
@db_option
@click.argument("target")
@click.argument("text")
@click.option("--reply-to", default=None, help="The id of the comment this answers.")
@_AUTHOR
def comment(db: str | None, target: str, text: str, reply_to: str | None, author: str | None) -> None:
    """Comment on TARGET: an event id, a link (CAUSE|EFFECT|RELATION) or view:NAME."""
    store = open_store(db)
    who = _author(author)
    try:
        with store.change(author=who, message=f"Comment on {target}"[:200]) as cs:
            made = cs.comment(text, reply_to=reply_to, author=who, **_target(target))
    finally:
        store.close()
    click.echo(f"changeset {cs.id}: comment {made.id} on {plain(target)}")


@click.command()
@db_option
@click.argument("target", required=False)
@_AS_OF
@_FORMAT
def comments(db: str | None, target: str | None, as_of: str | None, fmt: str) -> None:
    """Comments in threads (all, or those on TARGET: an event id, a link or view:NAME)."""
    store = open_store(db, read_only=True)
    try:
        frame = store.comments(as_of=as_of, **(_target(target) if target else {}))
    finally:
        store.close()
    if fmt == "table":
        indented = ["  " * d + t for d, t in zip(frame["depth"], frame["text"], strict=True)]
        frame = frame.with_columns(text=pl.Series(indented, dtype=pl.String))
    print_frame(frame, fmt, None if fmt != "table" else ["posted", "author", "text", "event", "link", "view", "id"],
                title=f"{frame.height} comments")


@click.command()
@db_option
@click.argument("target")
@click.option("--remove", is_flag=True, help="Take the star away.")
@click.option("--note", default="", help="Why it is starred.")
@_AUTHOR
def star(db: str | None, target: str, remove: bool, note: str, author: str | None) -> None:
    """Star TARGET (an event id or a link) for yourself; --remove takes the star away."""
    store = open_store(db)
    who = _author(author)
    where = _target(target)
    if "view" in where:
        raise ValidationError("stars go on events and links, not views", field="target")
    try:
        with store.change(author=who, message=f"{'Unstar' if remove else 'Star'} {target}"[:200]) as cs:
            if remove:
                cs.unstar(analyst=who, **where)
            else:
                cs.star(analyst=who, note=note, **where)
    finally:
        store.close()
    click.echo(f"changeset {cs.id}: {'unstarred' if remove else 'starred'} {plain(target)} for {plain(who)}")


@click.command()
@db_option
@click.option("--save", "save", default=None, metavar="NAME", help="Save a view under NAME from the options below.")
@click.option("--title", default="", help="With --save: a title.")
@click.option("--filter", "filters", multiple=True, metavar="KEY=VALUE",
              help="With --save: a query filter (repeatable; a key given twice makes a list), e.g. type=sanction.")
@click.option("--lanes", type=click.Choice(["type", "actor", "tag"]), default="type", help="With --save: the lanes.")
@click.option("--range", "range_", nargs=2, default=None, metavar="FROM TO", help="With --save: the timeline's range.")
@click.option("--delete", "delete", default=None, metavar="NAME", help="Delete the view NAME.")
@_AS_OF
@_FORMAT
@_AUTHOR
def views(db: str | None, save: str | None, title: str, filters: tuple[str, ...], lanes: str,
          range_: tuple[str, str] | None, delete: str | None, as_of: str | None, fmt: str, author: str | None) -> None:
    """Saved views: list them, save one (--save NAME --filter type=sanction ...) or delete one.
    Open one with 'eventlog query --view NAME' or in the Explorer."""
    from .._models import View

    if save or delete:
        store = open_store(db)
        who = _author(author)
        try:
            with store.change(author=who, message=f"{'Save' if save else 'Delete'} view {save or delete}") as cs:
                if delete:
                    cs.delete(delete, reason="view deleted", kind="view")
                else:
                    parsed: dict[str, Any] = {}
                    for item in filters:
                        key, sep, value = item.partition("=")
                        if not sep:
                            raise ValidationError(f"--filter takes KEY=VALUE, not {item!r}"[:120], field="filter")
                        key = key.strip()
                        parsed[key] = [*([parsed[key]] if isinstance(parsed[key], str) else parsed[key]), value] \
                            if key in parsed else value
                    cs.put(View(id=save, title=title, author=who, filters=parsed, lanes=lanes,
                                range=tuple(range_) if range_ else None))
        finally:
            store.close()
        click.echo(f"changeset {cs.id}: view {plain(save or delete)} {'saved' if save else 'deleted'}")
        return
    store = open_store(db, read_only=True)
    try:
        frame = store.views(as_of=as_of)
    finally:
        store.close()
    print_frame(frame, fmt, None if fmt != "table" else ["id", "title", "author", "filters", "lanes", "comments"],
                title=f"{frame.height} views")
