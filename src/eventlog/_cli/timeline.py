"""``eventlog timeline``: a timeline of the events a query returns, as a still for a report
(PNG, SVG, PDF) or a page (HTML), with a caption saying what it shows.

Registered on the ``eventlog`` group by :mod:`eventlog._cli` when this module exists.

>>> timeline.name
'timeline'
"""

from __future__ import annotations

import re
from typing import Any

import click

from .common import db_option, filters_from, open_store, query_options, warn_unmatched

__all__ = ["timeline"]


def _size(_ctx: Any, _param: Any, value: str | None) -> tuple[int, int | None] | None:
    if value is None:
        return None
    m = re.fullmatch(r"\s*(\d{3,5})\s*(?:[xX]\s*(\d{3,5}))?\s*", value)
    if not m:
        raise click.BadParameter(f"{value!r} is not WIDTH or WIDTHxHEIGHT in pixels, e.g. 1200x800")
    return int(m[1]), int(m[2]) if m[2] else None


def caption_lines(store: Any, frame: Any, filters: dict[str, Any], window: tuple[str | None, str | None]) -> list[str]:
    """What a reader of the report needs to trust it: the query, the store's changeset, the sources."""
    shown = "; ".join(f"{k}={','.join(map(str, v)) if isinstance(v, list) else v}" for k, v in filters.items())
    lo, hi = window
    if lo or hi:
        shown = (shown + "; " if shown else "") + f"range {lo or '...'} to {hi or '...'}"
    head = store.last_changeset()
    when = ""
    if head is not None:
        info = store.changeset(head)
        when = f" ({info['changed_at']:%Y-%m-%d %H:%M} UTC, {info['author']})" if info else ""
    counts: dict[str, int] = {}
    for sources in frame["sources"].to_list() if "sources" in frame.columns else []:
        for s in sources or []:
            counts[s] = counts.get(s, 0) + 1
    cited = ", ".join(f"{s} ({n})" for s, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return [f"Query: {shown or 'all events'}. {frame.height} events.",
            f"Store: {store.location} at changeset #{head}{when}.",
            f"Sources cited (events): {cited or 'none'}."]


@click.command()
@db_option
@query_options
@click.option("--out", required=True, help="Output file: .png, .svg, .pdf, .html (standalone, works offline) or .json.")
@click.option("--lanes", type=click.Choice(["type", "actor", "tag"]), default="type", show_default=True,
              help="One lane per event type, actor or tag.")
@click.option("--links/--no-links", default=True, show_default=True, help="Draw causal links from cause to effect.")
@click.option("--aggregate/--no-aggregate", default=None,
              help="Counts per lane and period instead of single events (default: only above the row limit).")
@click.option("--title", default=None, help="Chart title (default: the number of events and the lanes).")
@click.option("--from", "from_", default=None, help="Show the range from this EDTF date (and events in it).")
@click.option("--to", default=None, help="Show the range up to the end of this EDTF date.")
@click.option("--size", callback=_size, default=None, metavar="WxH",
              help="Width, or width x height, in pixels (default 1000; the height follows the rows).")
@click.option("--overview/--no-overview", default=False, show_default=True, help="Add the density strip under the chart.")
@click.option("--interactive", is_flag=True, help="HTML only: keep zoom, selection and hints (a page, not a still).")
def timeline(db: str | None, out: str, lanes: str, links: bool, aggregate: bool | None, title: str | None,
             from_: str | None, to: str | None, size: tuple[int, int | None] | None, overview: bool,
             interactive: bool, **kwargs: Any) -> None:
    """Draw the events matching the filters as a timeline for a report: the whole chosen range in
    view, no interaction hints, a caption with the query, the store's changeset and the sources
    (images via vl-convert, no browser needed)."""
    from .._charts.timeline import save
    from .._charts.timeline import timeline as make
    from .._errors import ValidationError

    filters = filters_from(kwargs)
    # The range is also a filter, so the caption counts what the chart shows.
    if from_:
        filters["start"] = from_
    if to:
        filters["end"] = to
    if interactive and not out.lower().endswith(".html"):
        raise ValidationError("--interactive only applies to .html output", field="interactive")
    width, height = size or (1000, None)
    store = open_store(db, read_only=True)
    try:
        frame = store.query(**filters)
        if frame.is_empty():
            warn_unmatched(store, filters)
        view = None
        if from_ or to:
            lo = from_ or frame["start"].min() or "1970"
            hi = to or frame["end"].max() or "2100"
            view = (lo, hi)
        chart = make(frame, store=store, lanes=lanes, links=links, aggregate=aggregate, title=title, width=width,
                     height=height, view=view, report=not interactive, overview=overview or interactive,
                     caption=caption_lines(store, frame, filters, (from_, to)), as_of=filters.get("as_of"))
        path = save(chart, out)
    finally:
        store.close()
    click.echo(f"wrote {frame.height} events to {path}")
