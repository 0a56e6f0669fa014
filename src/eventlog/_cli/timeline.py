"""``eventlog timeline``: write a timeline of the events a query returns to HTML, PNG or SVG.

Registered on the ``eventlog`` group by :mod:`eventlog._cli` when this module exists.

>>> timeline.name
'timeline'
"""

from __future__ import annotations

from typing import Any

import click

from .common import db_option, filters_from, open_store, query_options, warn_unmatched

__all__ = ["timeline"]


@click.command()
@db_option
@query_options
@click.option("--out", required=True, help="Output file: .html (standalone, works offline), .png, .svg, .pdf or .json.")
@click.option("--lanes", type=click.Choice(["type", "actor", "tag"]), default="type", show_default=True,
              help="One lane per event type, actor or tag.")
@click.option("--links/--no-links", default=True, show_default=True, help="Draw causal links from cause to effect.")
@click.option("--aggregate/--no-aggregate", default=None,
              help="Counts per lane and period instead of single events (default: only above the row limit).")
@click.option("--title", default=None, help="Chart title (default: the number of events and the lanes).")
def timeline(db: str | None, out: str, lanes: str, links: bool, aggregate: bool | None, title: str | None,
             **kwargs: Any) -> None:
    """Draw the events matching the filters as a timeline (images via vl-convert, no browser needed)."""
    from .._charts.timeline import save
    from .._charts.timeline import timeline as make

    filters = filters_from(kwargs)
    store = open_store(db, read_only=True)
    try:
        frame = store.query(**filters)
        if frame.is_empty():
            warn_unmatched(store, filters)
        chart = make(frame, store=store, lanes=lanes, links=links, aggregate=aggregate, title=title)
        path = save(chart, out)
    finally:
        store.close()
    click.echo(f"wrote {frame.height} events to {path}")
