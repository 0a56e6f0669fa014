"""Interactive Altair timelines of events: lanes, uncertain dates as bars, causal links.

A day-precise event is a point; anything vaguer (a month, a year, an interval) is a
bar across its [start, end] bounds, so an event known only as "2014" covers the whole
year instead of sitting on 1 January. Colours come from the taxonomy
(``EVENT_TYPES[type].colour``), so a type looks the same in every chart.

A compact overview under the main view carries a brush (selection ``brush``) that
zooms the main view; clicking an event selects it (selections ``pick`` for bars and
``pick_day`` for points, on ``id``).
Above :data:`MAX_ROWS` rows the chart shows counts per lane per period instead of
single events, so the spec stays bounded (see :data:`MAX_ROWS` and the README).

>>> import eventlog, tempfile, os
>>> store = eventlog.open(os.path.join(tempfile.mkdtemp(), "t.duckdb"), create=True)
>>> with store.change(author="ana", message="seed") as cs:
...     cs.put(eventlog.Event(id="e1", type="visit", title="A visit", date="2024-05-16"))
...     cs.put(eventlog.Event(id="e2", type="trade", title="Trade", date="2023"))
>>> chart = timeline(store.query(), store=store)
>>> sorted(r["id"] for r in chart.to_dict()["datasets"]["events"])
['e1', 'e2']
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from .._dates import add_months, format_edtf_words
from .._errors import ValidationError
from .._taxonomy import EVENT_TYPES

if TYPE_CHECKING:
    import altair as alt

    from .._store.store import Store

__all__ = ["LANES", "MAX_LANES", "MAX_LINKS", "MAX_ROWS", "PICKS", "SPEC_BOUND", "aggregate_rows", "chart_rows", "save", "spec_size", "timeline", "to_html"]

#: Above this many rows (events, or event x lane rows for actor/tag lanes) the chart aggregates.
MAX_ROWS = 2000
#: Lanes beyond this many (the rarest actors or tags) are merged into one "(other)" lane.
MAX_LANES = 24
#: Causal links drawn at most (the most confident first).
MAX_LINKS = 500
#: Sub-rows inside a lane, so overlapping events stay visible; more overlap shares a sub-row.
MAX_TRACKS = 6
#: Longest text kept per field in the chart data (titles, actors, amounts, quotes).
MAX_TEXT = {"title": 160, "actors": 160, "amounts": 200, "quote": 300, "tags": 120, "lane": 60}
#: What the README promises: the JSON spec of any timeline stays under this many bytes
#: (2,000 rows and 500 links with every text at its limit in 2-byte UTF-8 measure 4.7 MB;
#: the real dataset's chart is about 0.2 MB).
SPEC_BOUND = 5_000_000

LANES = ("type", "actor", "tag")
#: Point selections on ``id``: clicks on bars (imprecise events) and on points (day events).
PICKS = ("pick", "pick_day")
_PERIODS = ("month", "quarter", "year", "decade", "century")
_OTHER = "(other)"
_NONE = {"actor": "(no actor)", "tag": "(no tag)"}


#: Control characters become U+FFFD: SVG/PNG/PDF renderers refuse them (not XML) and a terminal
#: would obey them. Whitespace controls (newline, tab) are folded into spaces by _clip first.
_CONTROLS = {c: "\ufffd" for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)]}


def _clip(text: str | None, limit: int) -> str:
    text = " ".join((text or "").split()).translate(_CONTROLS)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _words(edtf: str) -> str:
    try:
        return format_edtf_words(edtf)
    except ValidationError:  # a malformed date in a hand-made frame: show it as written
        return edtf


def _quotes(store: Store | None, frame: pl.DataFrame) -> dict[str, str]:
    """The first evidence quote of each event version in ``frame`` (when the store kept quotes)."""
    if store is None or frame.is_empty() or "version" not in frame.columns:
        return {}
    return store.first_quotes(zip(frame["id"], frame["version"], strict=True))


def _lane_values(frame: pl.DataFrame, lanes: str) -> list[list[str]]:
    if lanes == "type":
        return [[t] for t in frame["type"].to_list()]
    col = "actors" if lanes == "actor" else "tags"
    return [[_clip(x, MAX_TEXT["lane"]) for x in v] if v else [_NONE[lanes]] for v in frame[col].to_list()]


def _lane_order(values: list[list[str]], lanes: str) -> list[str]:
    counts = Counter(x for vs in values for x in vs)
    if lanes == "type":
        return [t for t in EVENT_TYPES if t in counts] + sorted(t for t in counts if t not in EVENT_TYPES)
    ranked = sorted(counts, key=lambda x: (-counts[x], x))
    if len(ranked) > MAX_LANES:
        ranked = [*ranked[: MAX_LANES - 1], _OTHER]
    return ranked


def chart_rows(frame: pl.DataFrame, *, lanes: str = "type", store: Store | None = None,
               width: int = 760) -> tuple[list[dict[str, Any]], list[str]]:
    """The rows a timeline draws (one per event and lane) and the lane order.

    Each row has the event's id, type, lane, title, date as written (``date``) and in
    words (``when``), ``start``/``stop`` (ISO days; ``stop`` is the day after the end, so a
    bar covers its last day), ``point`` (day-precise), ``track`` (sub-row), actors,
    amounts, number of sources and the first evidence quote.

    >>> import polars as pl, datetime as dt
    >>> f = pl.DataFrame({"id": ["y"], "type": ["trade"], "title": ["T"], "date": ["2014"],
    ...                   "start": [dt.date(2014, 1, 1)], "end": [dt.date(2014, 12, 31)]})
    >>> rows, order = chart_rows(f)
    >>> (rows[0]["start"], rows[0]["stop"], rows[0]["point"], rows[0]["when"])
    ('2014-01-01', '2015-01-01', False, 'sometime in 2014')
    """
    if lanes not in LANES:
        raise ValidationError(f"lanes must be one of {', '.join(LANES)}, not {lanes!r}", field="lanes")
    values = _lane_values(frame, lanes)
    order = _lane_order(values, lanes)
    known = set(order)
    quotes = _quotes(store, frame)
    cols = frame.columns
    starts, ends = frame["start"].to_list(), frame["end"].to_list()
    span_days = max(1, (max(ends) - min(starts)).days) if frame.height else 1
    # Events closer than ~6 pixels go to different sub-rows so none hides another.
    gap = dt.timedelta(days=span_days * 6 / max(width, 100))
    rows: list[dict[str, Any]] = []
    for i, rec in enumerate(frame.iter_rows(named=True)):
        start, end = starts[i], ends[i]
        if start is None or end is None:
            continue
        base = {
            "id": rec["id"],
            "type": rec["type"],
            "title": _clip(rec["title"], MAX_TEXT["title"]),
            "date": rec.get("date") or start.isoformat(),
            "when": _words(rec["date"]) if rec.get("date") else start.isoformat(),
            "start": start.isoformat(),
            "stop": (end + dt.timedelta(days=1)).isoformat(),
            "mid": (start + (end - start) / 2).isoformat(),
            "point": start == end,
            "actors": _clip(", ".join(rec.get("actors") or []), MAX_TEXT["actors"]) if "actors" in cols else "",
            "amounts": _clip("; ".join(rec.get("amounts") or []), MAX_TEXT["amounts"]) if "amounts" in cols else "",
            "tags": _clip(", ".join(rec.get("tags") or []), MAX_TEXT["tags"]) if "tags" in cols else "",
            "n_sources": int(rec.get("n_sources") or 0),
            "status": rec.get("status") or "",
            "quote": _clip(quotes.get(rec["id"]), MAX_TEXT["quote"]) or None,
        }
        seen: set[str] = set()
        for lane in values[i]:
            lane = lane if lane in known else _OTHER
            if lane in seen:
                continue
            seen.add(lane)
            rows.append({**base, "lane": lane, "_s": start, "_e": end})
    # Greedy interval packing per lane: the first sub-row free by the event's start.
    free: dict[str, list[dt.date]] = {}
    for row in sorted(rows, key=lambda r: (r["_s"], r["_e"], r["id"])):
        tracks = free.setdefault(row["lane"], [])
        slot = next((k for k, last in enumerate(tracks) if last + gap < row["_s"]), None)
        if slot is None and len(tracks) < MAX_TRACKS:
            tracks.append(row["_e"])
            slot = len(tracks) - 1
        elif slot is None:
            slot = min(range(len(tracks)), key=tracks.__getitem__)
        tracks[slot] = max(tracks[slot], row["_e"])
        row["track"] = slot
    for row in rows:
        del row["_s"], row["_e"]
    return rows, order


def _period_start(d: dt.date, period: str) -> dt.date:
    if period == "month":
        return d.replace(day=1)
    if period == "quarter":
        return dt.date(d.year, (d.month - 1) // 3 * 3 + 1, 1)
    if period == "year":
        return dt.date(d.year, 1, 1)
    size = 10 if period == "decade" else 100
    return dt.date(max(1, d.year // size * size), 1, 1)


def _period_stop(d: dt.date, period: str) -> dt.date:
    if period in ("month", "quarter"):
        return add_months(d, 1 if period == "month" else 3)
    years = {"year": 1, "decade": 10, "century": 100}[period]
    return dt.date(d.year + years, 1, 1)


def _period_label(d: dt.date, period: str) -> str:
    if period == "month":
        return f"{calendar.month_name[d.month]} {d.year}"
    if period == "quarter":
        return f"Q{(d.month - 1) // 3 + 1} {d.year}"
    if period == "year":
        return str(d.year)
    return f"the {d.year}s"


def aggregate_rows(frame: pl.DataFrame, *, lanes: str = "type", max_rows: int = MAX_ROWS,
                   period: str | None = None, width: int = 760) -> tuple[list[dict[str, Any]], list[str], str]:
    """Counts of events per lane per period: the finest period that fits in ``max_rows``
    rows and leaves each period at least 3 pixels of ``width``.

    An event counts in the period where its [start, end] is centred, so a year-only
    event lands in its year (or the month of 1 July when counting months).
    """
    values = _lane_values(frame, lanes)
    order = _lane_order(values, lanes)
    known = set(order)
    mids = [s + (e - s) / 2 for s, e in zip(frame["start"].to_list(), frame["end"].to_list(), strict=True)]
    types = frame["type"].to_list()
    chosen = None
    valid = [m for m in mids if m is not None]
    years = (max(valid).year - min(valid).year + 1) if valid else 1
    per_year = {"month": 12, "quarter": 4, "year": 1, "decade": 0.1, "century": 0.01}
    for p in ([period] if period else _PERIODS):
        if not period and p != "century" and years * per_year[p] > width / 3:
            continue
        cells: dict[tuple[str, dt.date], Counter] = {}
        for mid, lanes_i, typ in zip(mids, values, types, strict=True):
            if mid is None:
                continue
            for lane in {v if v in known else _OTHER for v in lanes_i}:
                cells.setdefault((lane, _period_start(mid, p)), Counter())[typ] += 1
        chosen = p
        if len(cells) <= max_rows:
            break
    assert chosen is not None
    rows = [
        {"lane": lane, "start": start.isoformat(), "stop": _period_stop(start, chosen).isoformat(),
         "period": _period_label(start, chosen), "count": sum(c.values()), "type": c.most_common(1)[0][0],
         "types": ", ".join(f"{t} {n}" for t, n in c.most_common(5))}
        for (lane, start), c in sorted(cells.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]
    return rows, order, chosen


def _link_rows(store: Store | None, rows: list[dict[str, Any]], as_of: Any = None) -> list[dict[str, Any]]:
    """One row per causal link between two drawn events: cause and effect positions and bands."""
    if store is None or not rows:
        return []
    first: dict[str, dict[str, Any]] = {}
    for r in rows:
        first.setdefault(r["id"], r)
    links = store.links(event=sorted(first), as_of=as_of)
    if links.is_empty():
        return []
    if "confidence" in links.columns:
        links = links.sort("confidence", descending=True, nulls_last=True)
    out = []
    for lk in links.iter_rows(named=True):
        c, e = first.get(lk["cause"]), first.get(lk["effect"])
        if c is None or e is None:
            continue
        out.append({
            "cause": lk["cause"], "effect": lk["effect"], "relation": lk["relation"],
            "cause_title": c["title"], "effect_title": e["title"],
            "x": c["mid"], "x2": e["mid"], "band": c["band"], "band2": e["band"],
            # The arrow head sits on the effect and points the way time runs between them.
            "head": "triangle-right" if e["mid"] >= c["mid"] else "triangle-left",
        })
        if len(out) >= MAX_LINKS:
            break
    return out


def _initial_window(rows: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """A first zoom for the main view when a few old events would squeeze the rest into a sliver.

    The brush starts on the range from the 5th percentile of starts to the last end when
    that range is under half of the whole; the overview still shows everything.
    """
    if len(rows) < 20:
        return None
    starts = sorted(dt.date.fromisoformat(r["start"]) for r in rows)
    first, last = starts[0], max(dt.date.fromisoformat(r["stop"]) for r in rows)
    lo = starts[len(starts) // 20]
    if (last - lo).days * 2 >= (last - first).days:
        return None
    lo = max(first, lo - (last - lo) / 20)
    return [{"year": d.year, "month": d.month, "date": d.day, "utc": True} for d in (lo, last)]


def _colour_scale(types: Sequence[str]) -> Any:
    import altair as alt

    present = [t for t in EVENT_TYPES if t in set(types)] + sorted(set(types) - set(EVENT_TYPES))
    colours = [EVENT_TYPES[t].colour if t in EVENT_TYPES else "#bdbdbd" for t in present]
    return alt.Scale(domain=present, range=colours)


def timeline(
    data: Any = None,
    *,
    lanes: str = "type",
    links: bool = True,
    store: Store | None = None,
    overview: bool = True,
    max_rows: int = MAX_ROWS,
    aggregate: bool | None = None,
    width: int = 760,
    title: str | None = None,
    **filters: Any,
) -> alt.TopLevelMixin:
    """An Altair chart of events: one lane per type (or ``"actor"``, or ``"tag"``).

    ``data`` is a :meth:`Store.query` frame, a :class:`Store` (queried with ``filters``)
    or None (the default store, ``$EVENTLOG_DB``, queried with ``filters``). Links,
    and evidence quotes in tooltips, need the store: pass ``store=`` with a frame (and
    ``as_of=`` to draw the links as they were at that changeset).
    ``aggregate`` forces (True) or forbids (False) counts per period; by default the
    chart aggregates above ``max_rows`` rows.

    Example: ``eventlog.timeline(type=["sanction", "bank_withdrawal"], lanes="actor").save("t.html", inline=True)``
    """
    title = _clip(title, 200) if title is not None else None  # store or user text: no controls
    import altair as alt

    from .._store.store import Store

    as_of = filters.get("as_of")
    if isinstance(data, Store):
        store = store or data
        frame = data.query(**filters)
    elif data is None:
        from .._store.opener import default_store

        store = store or default_store()
        frame = store.query(**filters)
    else:
        filters.pop("as_of", None)  # with a frame, as_of only says which links to draw
        if filters:
            raise ValidationError(f"filters ({', '.join(filters)}) apply when timeline() runs the query, not to a frame")
        if not isinstance(data, (pl.DataFrame, list, dict)):
            raise ValidationError(f"timeline() takes a store, a query() frame or rows, not {type(data).__name__}",
                                  field="data")
        try:
            frame = data if isinstance(data, pl.DataFrame) else pl.DataFrame(data)
        except (TypeError, ValueError, pl.exceptions.PolarsError) as exc:
            raise ValidationError(f"timeline() could not read the rows: {str(exc).splitlines()[0]}", field="data") from None
    if "date" in frame.columns and ("start" not in frame.columns or "end" not in frame.columns):
        raise ValidationError("the frame needs start and end columns (use Store.query())")
    if max_rows < 1:
        raise ValidationError("max_rows must be positive", field="max_rows")
    n_rows = frame.height if lanes == "type" else sum(max(1, len(v or [])) for v in
                                                      frame["actors" if lanes == "actor" else "tags"].to_list())
    if aggregate is None:
        aggregate = n_rows > max_rows
    if aggregate:
        return _aggregated_chart(frame, lanes=lanes, max_rows=max_rows, width=width, title=title, overview=overview)
    rows, order = chart_rows(frame, lanes=lanes, store=store, width=width)

    # One band per (lane, sub-row): busy lanes get taller, quiet ones stay one row high.
    tracks_per_lane = Counter()
    for r in rows:
        tracks_per_lane[r["lane"]] = max(tracks_per_lane[r["lane"]], r["track"] + 1)
    band_domain = [f"{lane}|{k}" for lane in order for k in range(max(1, tracks_per_lane[lane]))]
    for r in rows:
        r["band"] = f"{r['lane']}|{r['track']}"
    step = 11
    height = int(min(1400, max(120, step * len(band_domain))))
    window = _initial_window(rows)
    brush = alt.selection_interval(encodings=["x"], name="brush", value={"x": window} if window else alt.Undefined)
    x_scale = alt.Scale(type="utc", domain=brush) if overview else alt.Scale(type="utc")
    colour = alt.Color("type:N", scale=_colour_scale([r["type"] for r in rows]), title="type",
                       legend=alt.Legend(orient="right", symbolLimit=40))
    # Label a lane once, on its first sub-row; the band value is "<lane>|<sub-row>".
    label = ("slice(datum.value, lastindexof(datum.value, '|') + 1) == '0' ? "
             "substring(datum.value, 0, lastindexof(datum.value, '|')) : ''")
    y = alt.Y("band:N", sort=band_domain, title=None, scale=alt.Scale(domain=band_domain, paddingInner=0.15),
              axis=alt.Axis(labelExpr=label, labelLimit=180, ticks=False, grid=False, labelBaseline="top",
                            labelAlign="right"))
    tooltip = [
        alt.Tooltip("title:N", title="title"),
        alt.Tooltip("date:N", title="date (EDTF)"),
        alt.Tooltip("when:N", title="when"),
        alt.Tooltip("actors:N", title="actors"),
        alt.Tooltip("amounts:N", title="amounts"),
        alt.Tooltip("n_sources:Q", title="sources"),
        alt.Tooltip("quote:N", title="evidence"),
    ]
    # Vega-Lite cannot share one point selection between two layers (duplicate signals), so
    # bars carry ``pick`` and points ``pick_day``; an event is highlighted when it is in every
    # non-empty one of them, and Python reads their union.
    picked = " && ".join(f"(!length(data('{n}_store')) || vlSelectionTest('{n}_store', datum))" for n in PICKS)
    opacity = alt.condition(picked, alt.value(0.95), alt.value(0.25))
    events = alt.Data(name="events")
    base = alt.Chart(events)
    bars = base.mark_bar(cornerRadius=2, stroke="#333", strokeWidth=0.3, clip=True).encode(
        x=alt.X("start:T", scale=x_scale, title=None, axis=alt.Axis(format="%Y", labelOverlap=True)),
        x2="stop:T", y=y, color=colour, opacity=opacity, tooltip=tooltip,
    ).transform_filter("!datum.point").properties(name="event_bars")
    points = base.mark_point(filled=True, size=55, stroke="#222", strokeWidth=0.6, clip=True).encode(
        x=alt.X("start:T", scale=x_scale), y=y, color=colour, opacity=opacity, tooltip=tooltip,
    ).transform_filter("datum.point").properties(name="event_points")
    layers = [bars, points]
    link_rows = _link_rows(store, rows, as_of) if links else []
    params: list[Any] = []
    if link_rows:
        show = alt.param(name="show_links", value=True, bind=alt.binding_checkbox(name="causal links "))
        params.append(show.param)
        ldata = alt.Data(name="links")
        link_tip = [alt.Tooltip("cause_title:N", title="cause"), alt.Tooltip("relation:N", title="relation"),
                    alt.Tooltip("effect_title:N", title="effect")]
        rule = alt.Chart(ldata).mark_rule(color="#444", strokeWidth=1, strokeDash=[4, 2], opacity=0.55, clip=True).encode(
            x=alt.X("x:T", scale=x_scale), x2="x2:T", y=alt.Y("band:N", sort=band_domain), y2="band2:N",
            tooltip=link_tip,
        ).transform_filter("show_links")
        head = alt.Chart(ldata).mark_point(filled=True, size=60, color="#444", clip=True).encode(
            x=alt.X("x2:T", scale=x_scale), y=alt.Y("band2:N", sort=band_domain),
            shape=alt.Shape("head:N", scale=None), tooltip=link_tip,
        ).transform_filter("show_links")
        layers += [rule, head]
    main = alt.layer(*layers).properties(width=width, height=height)
    parts: list[Any] = [main]
    if overview:
        ov = alt.Chart(events).mark_tick(thickness=1.5, size=28, opacity=0.8).encode(
            x=alt.X("start:T", scale=alt.Scale(type="utc"), title=None, axis=alt.Axis(format="%Y", labelOverlap=True)),
            color=alt.Color("type:N", scale=_colour_scale([r["type"] for r in rows]), legend=None),
        ).properties(width=width, height=36, name="overview", title=alt.TitleParams(
            "drag to zoom the view above", fontSize=10, fontWeight="normal", anchor="start", color="#666"))
        params.append(alt.TopLevelSelectionParameter(**brush.param.to_dict(), views=["overview"]))
        parts.append(ov)
    chart = alt.vconcat(*parts, spacing=8) if len(parts) > 1 else main
    # A top-level parameter with explicit views, so a click on a bar or on a point selects;
    # the views are named after concatenation, which renames layers by position.
    layer_names = [c.name for c in (chart.vconcat[0] if len(parts) > 1 else chart).layer[:2]]
    for name, view in zip(PICKS, layer_names, strict=True):
        params.append(alt.TopLevelSelectionParameter(
            name=name, select=alt.PointSelectionConfig(type="point", fields=["id"], on="click", clear="dblclick"),
            views=[view]))
    datasets = {"events": rows, "links": link_rows}
    n_events = len({r["id"] for r in rows})
    head_title = title if title is not None else f"{n_events} events by {lanes}"
    return chart.properties(params=params, datasets=datasets, title=alt.TitleParams(head_title, anchor="start")
                            ).configure_view(stroke=None).configure_axis(labelFontSize=11)


def _aggregated_chart(frame: pl.DataFrame, *, lanes: str, max_rows: int, width: int, title: str | None,
                      overview: bool) -> Any:
    import altair as alt

    rows, order, period = aggregate_rows(frame, lanes=lanes, max_rows=max_rows, width=width)
    window = _initial_window(rows)
    brush = alt.selection_interval(encodings=["x"], name="brush", value={"x": window} if window else alt.Undefined)
    x_scale = alt.Scale(type="utc", domain=brush) if overview else alt.Scale(type="utc")
    data = alt.Data(name="counts")
    cells = alt.Chart(data).mark_rect(stroke="white", strokeWidth=0.2, clip=True).encode(
        x=alt.X("start:T", scale=x_scale, title=None, axis=alt.Axis(format="%Y", labelOverlap=True)),
        x2="stop:T",
        y=alt.Y("lane:N", sort=order, title=None, scale=alt.Scale(domain=order), axis=alt.Axis(labelLimit=180)),
        color=alt.Color("type:N", scale=_colour_scale([r["type"] for r in rows]), title="most frequent type"),
        opacity=alt.Opacity("count:Q", scale=alt.Scale(type="sqrt", range=[0.3, 1]), title="events"),
        tooltip=[alt.Tooltip("lane:N"), alt.Tooltip("period:N"), alt.Tooltip("count:Q", title="events"),
                 alt.Tooltip("types:N", title="types")],
    ).properties(width=width, height=int(min(900, max(140, 22 * len(order)))), name="counts")
    params: list[Any] = []
    parts: list[Any] = [cells]
    if overview:
        ov = alt.Chart(data).mark_bar(color="#777").encode(
            x=alt.X("start:T", scale=alt.Scale(type="utc"), title=None, axis=alt.Axis(format="%Y")),
            x2="stop:T", y=alt.Y("sum(count):Q", title=None, axis=None),
        ).properties(width=width, height=36, name="overview")
        params.append(alt.TopLevelSelectionParameter(**brush.param.to_dict(), views=["overview"]))
        parts.append(ov)
    chart = alt.vconcat(*parts, spacing=8) if len(parts) > 1 else cells
    n = frame.height
    head = title if title is not None else f"{n} events by {lanes}: counts per {period}"
    return chart.properties(params=params, datasets={"counts": rows}, title=alt.TitleParams(head, anchor="start")
                            ).configure_view(stroke=None)


def _safe_json(spec: dict[str, Any]) -> str:
    """JSON for inside a <script> element: no record text can close the element or open markup."""
    text = json.dumps(spec, ensure_ascii=False)
    # In JSON these characters only occur inside strings, where \\uXXXX means the same character.
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


_HTML = """<!DOCTYPE html>
<html>
<head>
<meta charset="UTF-8">
<title>{title}</title>
<style>body {{ font-family: sans-serif; margin: 16px; }} #vis.vega-embed {{ width: 100%; }}</style>
<script type="text/javascript">
{bundle}
</script>
</head>
<body>
<div id="vis"></div>
<script type="text/javascript">
  const spec = {spec};
  vegaEmbed("#vis", spec, {{"mode": "vega-lite", "renderer": "svg", "actions": false}}).catch(console.error);
</script>
</body>
</html>
"""


def to_html(chart: Any, *, title: str = "eventlog timeline") -> str:
    """A standalone HTML page for a chart that works offline (Vega bundled by vl-convert).

    Record text stays text: the spec is embedded as JSON with ``<``, ``>`` and ``&``
    escaped, and vega-tooltip escapes tooltip values.
    """
    import html

    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    bundle = vlc.javascript_bundle(vl_version=vl_version_for_vl_convert())
    return _HTML.format(title=html.escape(title), bundle=bundle, spec=_safe_json(chart.to_dict()))


def save(chart: Any, path: str | os.PathLike[str], *, scale: float = 2.0) -> Path:
    """Write a chart to ``.html`` (standalone, offline), ``.png``, ``.svg``, ``.pdf`` or ``.json``."""
    out = Path(path)
    suffix = out.suffix.lower()
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".html":
        out.write_text(to_html(chart), encoding="utf-8")
    elif suffix == ".json":
        out.write_text(json.dumps(chart.to_dict(), indent=1, ensure_ascii=False), encoding="utf-8")
    elif suffix in (".png", ".svg", ".pdf"):
        import vl_convert as vlc
        from altair.utils._importers import vl_version_for_vl_convert

        spec = chart.to_dict()
        ver = vl_version_for_vl_convert()
        if suffix == ".png":
            out.write_bytes(vlc.vegalite_to_png(spec, vl_version=ver, scale=scale))
        elif suffix == ".svg":
            out.write_text(vlc.vegalite_to_svg(spec, vl_version=ver), encoding="utf-8")
        else:
            out.write_bytes(vlc.vegalite_to_pdf(spec, vl_version=ver))
    else:
        raise ValidationError(f"cannot write {out.name}: use .html, .png, .svg, .pdf or .json", field="out")
    return out


def spec_size(chart: Any) -> int:
    """Bytes of the chart's JSON spec (what a notebook or HTML page carries)."""
    return len(json.dumps(chart.to_dict(), ensure_ascii=False).encode())

