"""Interactive Altair timelines of events that can be read without hovering.

The layout is done here, in Python, at the chart's nominal ``width`` in pixels, because
Vega-Lite cannot pack marks or labels:

* a day-precise event is a point, anything vaguer (a month, a year, an interval) a bar
  across its [start, end] bounds; every event gets a sub-row (a *track*) of its lane where
  neither its mark nor its label touches another, so lanes grow taller instead of
  stacking events on one another;
* each event's title is written inside its bar when the bar is wide enough, else beside
  it, clipped with an ellipsis to the free space before the next mark;
* when a few old events would squeeze the rest into a sliver, the years before the busy
  period get a compressed stretch at the left (shaded and labelled), so every event stays
  in view on open;
* approximate (``~``) and uncertain (``?``) dates are drawn with faded ends and the
  qualifier before the label, disputed events with a dashed outline, confidence as
  opacity; the subtitle and the legends explain every encoding.

Wheel zoom and drag pan work on the main view (double-click resets); the overview under
it shows how many events each period holds (square-root scale) and a drag there draws a
brush (selection ``brush``) that sets the main view's range. Clicking an event selects it
(selections ``pick`` for bars and ``pick_day`` for points, on ``id``) and shows its causal
links; hovering shows them too; "all causal links" shows every one. A wider container
only adds room: the chart's width follows it (``width="container"``) from the nominal
width up. Above :data:`MAX_ROWS` rows the chart shows counts per lane per period.

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

import bisect
import calendar
import contextlib
import dataclasses
import datetime as dt
import functools
import json
import math
import os
import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import polars as pl

from .._dates import add_months, format_edtf_words, parse_day, parse_edtf
from .._errors import ValidationError
from .._taxonomy import EVENT_TYPES, RELATIONS

if TYPE_CHECKING:
    import altair as alt

    from .._store.store import Store

__all__ = ["LANES", "MAX_LANES", "MAX_LINKS", "MAX_ROWS", "PICKS", "SPEC_BOUND", "TimeScale", "aggregate_rows", "chart_rows",
           "nominal_width", "responsive", "save", "spec_size", "timeline", "to_html"]

#: Above this many rows (events, or event x lane rows for actor/tag lanes) the chart aggregates.
MAX_ROWS = 2000
#: Lanes beyond this many (the rarest actors or tags) are merged into one "(other)" lane.
MAX_LANES = 24
#: Causal links drawn at most (the most confident first).
MAX_LINKS = 500
#: The colour of the hindsight marks (events reported only after the chosen day).
_HINDSIGHT = "#e6550d"

#: Longest text kept per field in the chart data (titles, actors, amounts, quotes).
MAX_TEXT = {"title": 160, "actors": 160, "amounts": 200, "quote": 300, "tags": 120, "lane": 60, "grades": 200}
#: What the docs promise: the JSON spec of any timeline stays under this many bytes
#: (2,000 rows and 500 links with every text at its limit in 2-byte UTF-8 measure about 5.0 MB;
#: the real dataset's default chart is about 0.3 MB).
SPEC_BOUND = 5_500_000

LANES = ("type", "actor", "tag")
#: Point selections on ``id``: clicks on bars (imprecise events) and on points (day events).
PICKS = ("pick", "pick_day")
#: Hover selections, named like PICKS; they only decide which links are drawn.
_HOVERS = ("hover", "hover_day")
_PERIODS = ("month", "quarter", "year", "decade", "century")
_OTHER = "(other)"
_NONE = {"actor": "(no actor)", "tag": "(no tag)"}

#: Pixels of one sub-row, and of the text in it (Vega's default sans-serif at 10 px is about
#: 5.6 px per character on average; Vega's own ``limit`` cuts whatever this misjudges).
_STEP = 17
_FONT = 10
_CHAR_PX = 5.6
#: A point's drawn half-width in pixels (symbol size 70 is about 9.4 px across, plus its outline).
_POINT_R = 5.5
#: Room kept for a label beside its mark when packing; the label may take more if the row is free.
_LABEL_ROOM = 120
_MIN_LABEL_PX = 26
#: Longest label written in the chart (the tooltip has the whole title).
_MAX_LABEL = 90
#: Link colours, one per relation (ColorBrewer Dark2, readable on white).
_RELATION_COLOURS = dict(zip(RELATIONS, ["#d95f02", "#7570b3", "#1b9e77", "#e7298a", "#66a61e", "#a6761d"],
                             strict=False))
_EPOCH = dt.date(1970, 1, 1)
_DAY_MS = 86_400_000


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


def _ms(d: dt.date) -> int:
    return (d - _EPOCH).days * _DAY_MS


def _iso(d: dt.date) -> str:
    return d.isoformat()


@dataclass(frozen=True)
class TimeScale:
    """The main view's x scale: piecewise linear from days to shares of the width.

    ``stops`` are the domain's break days and ``shares`` where they fall (0 to 1). Two stops
    are a plain linear scale; more compress the sparse years into small shares. The chart
    draws on :meth:`warp` positions with a linear scale, so the layout computed here with
    :meth:`px` is the one drawn.
    """

    stops: tuple[dt.date, ...]
    shares: tuple[float, ...]
    #: Pixels at the left kept for the lane labels, inside the view (so the view is as wide as
    #: its container, and nothing is drawn outside it).
    gutter: float = 0.0

    @property
    def compressed(self) -> bool:
        return len(self.stops) > 2

    def px(self, d: dt.date, width: float) -> float:
        """Where day ``d`` is drawn, in pixels of a view ``width`` wide (before any zoom)."""
        lo, hi = self.domain()
        return self.gutter + (self.warp(d) - lo) / max(1e-9, hi - lo) * (width - self.gutter)

    def squeezed(self) -> list[dict[str, str]]:
        """The stretches drawn at under half the pixels per year of the roomiest one."""
        if not self.compressed:
            return []
        pairs = list(zip(self.stops, self.stops[1:], strict=False))
        density = [(s1 - s0) / max(1, (b - a).days) for (a, b), s0, s1 in zip(pairs, self.shares, self.shares[1:], strict=False)]
        out = []
        for (a, b), d in zip(pairs, density, strict=False):
            if d < max(density) / 2:
                k = max(density) / max(d, 1e-12)
                out.append({"start": _iso(a), "stop": _iso(b), "w_start": self.warp(a), "w_stop": self.warp(b),
                            "note": f"{a.year}-{b.year}: {k:.0f}x compressed", "short": f"{k:.0f}x compressed"})
        return out

    # -- the warped time axis ------------------------------------------------------------------
    # Vega-Lite's wheel zoom and pan are linear, and a piecewise scale breaks under them. So the
    # chart draws on a linear scale of *warped* milliseconds: real milliseconds in the roomiest
    # stretch, fewer per real millisecond in a compressed one (the chart's numbers are warped
    # days, which keeps its JSON small). Zoom and pan are then plain
    # linear moves, the compressed years stay compressed, and the axis converts back.

    # Cached: warp() runs for every row, and these depend on the (frozen) stops and shares only.
    @functools.cached_property
    def _pieces(self) -> list[tuple[int, int, float, float]]:
        return [(_ms(a), _ms(b), s0, s1) for a, b, s0, s1 in
                zip(self.stops, self.stops[1:], self.shares, self.shares[1:], strict=False)]

    @functools.cached_property
    def _focus(self) -> tuple[float, float]:
        """(warped ms per share, warped origin): the roomiest stretch keeps real milliseconds."""
        a, b, s0, s1 = max(self._pieces, key=lambda p: (p[3] - p[2]) / max(1, p[1] - p[0]))
        k = (b - a) / max(1e-9, s1 - s0)
        return k, a - s0 * k

    def warp(self, d: dt.date) -> float:
        """The warped day (a number) at which day ``d`` is drawn."""
        k, origin = self._focus
        ms = _ms(d)
        pieces = self._pieces
        a, b, s0, s1 = next((p for p in pieces if ms < p[1]), pieces[-1])
        share = s0 + (s1 - s0) * (ms - a) / max(1, b - a)
        return round((origin + share * k) / _DAY_MS, 4)

    def unwarp(self, w: float) -> dt.date:
        """The day drawn at warped day ``w`` (a brush's bounds, read back in Python)."""
        k, origin = self._focus
        share = (w * _DAY_MS - origin) / k
        pieces = self._pieces
        a, b, s0, s1 = next((p for p in pieces if share < p[3]), pieces[-1])
        ms = a + (share - s0) / max(1e-12, s1 - s0) * (b - a)
        days = max(-719_162, min(2_932_896, math.floor((ms + 1000) / _DAY_MS)))  # inside 0001-01-01 .. 9999-12-31
        return _EPOCH + dt.timedelta(days=days)

    def _by_piece(self, w: str, value: Any) -> str:
        """A Vega expression choosing ``value(piece)`` by the stretch warped ``w`` falls in."""
        k, origin = self._focus
        pieces = self._pieces
        expr = value(pieces[-1])
        for p in reversed(pieces[:-1]):
            expr = f"(({w}) < {(origin + p[3] * k) / _DAY_MS:.4f} ? {value(p)} : {expr})"
        return expr

    def unwarp_expr(self, w: str) -> str:
        """A Vega expression for the real millisecond drawn at warped day ``w``."""
        k, origin = self._focus
        return self._by_piece(w, lambda p: f"({p[0]} + (({w}) * {_DAY_MS} - {origin + p[2] * k:.1f}) * "
                                           f"{(p[1] - p[0]) / max(1e-9, (p[3] - p[2]) * k):.9g})")

    def rate_expr(self, w: str) -> str:
        """A Vega expression for warped milliseconds per real millisecond at warped ``w``."""
        k, _origin = self._focus
        return self._by_piece(w, lambda p: f"{(p[3] - p[2]) * k / max(1, p[1] - p[0]):.9g}")

    def domain(self) -> list[float]:
        return [self.warp(self.stops[0]), self.warp(self.stops[-1])]

    def tick_values(self) -> list[float]:
        """Warped positions of every year start, and of every month start in the stretches drawn
        at a quarter or more of the roomiest one's pixels per year (the axis shows what fits)."""
        pieces = self._pieces
        k, origin = self._focus
        rates = [(s1 - s0) * k / max(1, b - a) for a, b, s0, s1 in pieces]
        roomy = max(rates) / 4
        ends = [p[1] for p in pieces]
        lo, hi = self.stops[0], self.stops[-1]
        out: list[float] = []
        for year in range(max(1, lo.year), min(9999, hi.year) + 1):
            for month in range(1, 13):
                d = dt.date(year, month, 1)
                if not lo <= d <= hi:
                    continue
                ms = _ms(d)
                i = min(bisect.bisect_right(ends, ms), len(pieces) - 1)  # the piece warp() uses
                if month == 1 or rates[i] >= roomy:
                    a, b, s0, s1 = pieces[i]
                    out.append(round((origin + (s0 + (s1 - s0) * (ms - a) / max(1, b - a)) * k) / _DAY_MS, 4))
        return out

    def to_meta(self) -> dict[str, Any]:
        return {"stops": [_iso(x) for x in self.stops], "shares": list(self.shares), "gutter": self.gutter}

    @classmethod
    def from_meta(cls, meta: dict[str, Any]) -> TimeScale:
        return cls(tuple(dt.date.fromisoformat(x) for x in meta["stops"]), tuple(meta["shares"]), meta["gutter"])

    @classmethod
    def fit(cls, starts: Sequence[dt.date], stops: Sequence[dt.date], *,
            view: tuple[dt.date, dt.date] | None = None) -> TimeScale:
        """A scale showing every [start, stop] with a small margin, or exactly ``view``.

        With at least 20 events spread unevenly, the range is cut at the year before the
        5th and 25th percentiles of the starts, and each stretch gets a share of the width
        that follows its events more than its years (``n^0.8 * years^0.2``): a few events
        from 1840 take a sliver at the left, the busy years most of the width.
        """
        if view is not None:
            lo, hi = view
            return cls((lo, max(hi, lo + dt.timedelta(days=1))), (0.0, 1.0))
        if not starts:
            return cls._fitted(None)
        ordered = sorted(starts)
        return cls._fitted((ordered[0], max(stops), len(ordered), lambda q: ordered[int(len(ordered) * q)],
                            lambda a, b: bisect.bisect_left(ordered, b) - bisect.bisect_left(ordered, a)))

    @classmethod
    def fit_columns(cls, starts: pl.Series, stops: pl.Series) -> TimeScale:
        """:meth:`fit` of two date columns (nulls left out in pairs), in columns: a million
        events take a few milliseconds, not the seconds their Python dates would."""
        pairs = pl.DataFrame({"s": starts, "e": stops}).drop_nulls()
        if pairs.is_empty():
            return cls._fitted(None)
        ordered = pairs["s"].sort()
        n = ordered.len()
        return cls._fitted((ordered[0], pairs["e"].max(), n, lambda q: ordered[int(n * q)],
                            lambda a, b: int(ordered.search_sorted(b, "left")) - int(ordered.search_sorted(a, "left"))))

    @classmethod
    def _fitted(cls, summary: tuple[Any, ...] | None) -> TimeScale:
        """The scale of :meth:`fit` from what it needs of the starts: (first start, last stop,
        how many, the start at a quantile, how many starts fall in [a, b))."""
        if summary is None:
            today = dt.date.today()
            return cls((dt.date(today.year, 1, 1), dt.date(today.year + 1, 1, 1)), (0.0, 1.0))
        first, last, n_starts, at, between = summary
        if (last - first).days < 56:  # a few days: show two months around them, not hours
            pad = dt.timedelta(days=(56 - (last - first).days) // 2)
            first, last = _safe_minus(first, pad), _safe_plus(last, pad)
        margin = dt.timedelta(days=max(2, (last - first).days // 80))
        lo, hi = _safe_minus(first, margin), _safe_plus(last, margin)
        cuts = sorted({dt.date(max(1, at(q).year - 1), 1, 1) for q in (0.05, 0.25)})
        cuts = [c for c in cuts if lo < c < hi]
        if n_starts < 20 or not cuts:
            return cls((lo, hi), (0.0, 1.0))
        stops_ = [lo, *cuts, hi]
        weights = []
        for a, b in zip(stops_, stops_[1:], strict=False):
            n = max(1, between(a, b))
            weights.append(n ** 0.8 * max(1.0, (b - a).days / 365.25) ** 0.2)
        linear = [(b - a).days for a, b in zip(stops_, stops_[1:], strict=False)]
        shares_w = [w / sum(weights) for w in weights]
        shares_l = [d / sum(linear) for d in linear]
        if max(abs(x - y) for x, y in zip(shares_w, shares_l, strict=False)) < 0.15:  # nearly even already: stay linear
            return cls((lo, hi), (0.0, 1.0))
        acc, shares = 0.0, [0.0]
        for w in shares_w[:-1]:
            acc += w
            shares.append(round(acc, 4))
        return cls(tuple(stops_), (*shares, 1.0))


def _safe_minus(d: dt.date, delta: dt.timedelta) -> dt.date:
    try:
        return d - delta
    except OverflowError:
        return dt.date.min


def _safe_plus(d: dt.date, delta: dt.timedelta) -> dt.date:
    try:
        return d + delta
    except OverflowError:
        return dt.date.max


def _qualifier(edtf: str) -> str:
    """The marker written before a label: ``~`` approximate, ``?`` uncertain, ``~?`` both."""
    approx = "~" in edtf or "%" in edtf
    unsure = "?" in edtf or "%" in edtf
    return ("~" if approx else "") + ("?" if unsure else "")


def _text_colour(hex_colour: str) -> str:
    """Dark or white text, whichever reads better on the colour (WCAG relative luminance)."""
    try:
        r, g, b = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    except (ValueError, IndexError):
        return "#222222"
    lum = sum(c * w for c, w in zip((r, g, b), (0.2126, 0.7152, 0.0722), strict=True))
    return "#222222" if lum > 0.42 else "#ffffff"


def _fit_text(text: str, room_px: float) -> str:
    """``text`` cut with an ellipsis to about ``room_px`` pixels."""
    chars = int(room_px // _CHAR_PX)
    if len(text) <= chars:
        return text
    return text[: max(1, chars - 1)].rstrip() + "\u2026"


def _pack(rows: list[dict[str, Any]], scale: TimeScale, width: float) -> None:
    """Give each row a track and a label place: no mark or label touches another in its lane.

    Greedy interval packing by start (first free track, as many tracks as the overlaps
    need), on pixel extents at ``width``: a bar's [start, stop], a point padded to its drawn
    size, and beside either the room its label needs (up to :data:`_LABEL_ROOM`).
    """
    for r in rows:
        s, e = r.pop("_s"), r.pop("_e")
        x0 = scale.px(s, width)
        x1 = scale.px(e + dt.timedelta(days=1), width)
        if r["point"]:
            x0, x1 = x0 - _POINT_R, x0 + _POINT_R
        text_px = len(r["label"]) * _CHAR_PX
        r["_x0"], r["_x1"], r["_text_px"] = x0, x1, text_px
        if not r["point"] and x1 - x0 - 8 >= min(text_px, 80):  # written inside its bar
            r["label_pos"] = "inside"
            r["_lo"], r["_hi"] = x0, x1
        elif x1 + 3 + min(text_px, _LABEL_ROOM) <= width:
            r["label_pos"] = "right"
            r["_lo"], r["_hi"] = x0, x1 + 3 + min(text_px, _LABEL_ROOM)
        else:  # no room before the right edge: the label goes to the left of the mark
            r["label_pos"] = "left"
            r["_lo"], r["_hi"] = x0 - 3 - min(text_px, _LABEL_ROOM), x1
    tracks: dict[str, list[list[dict[str, Any]]]] = {}
    for r in sorted(rows, key=lambda r: (r["_lo"], r["_hi"], r["id"])):
        lane = tracks.setdefault(r["lane"], [])
        for k, track in enumerate(lane):
            if track[-1]["_hi"] + 2 <= r["_lo"]:
                track.append(r)
                r["track"] = k
                break
        else:
            lane.append([r])
            r["track"] = len(lane) - 1
    # Each label takes the free space on its track, up to its whole text.
    for lane in tracks.values():
        for track in lane:
            used = 0.0  # the right end of what the previous item on the track really drew
            for k, r in enumerate(track):
                nxt = track[k + 1]["_lo"] - 4 if k + 1 < len(track) else width
                if r["label_pos"] == "inside":
                    room = r["_x1"] - r["_x0"] - 8
                    gap = r["_x1"] - r["_x0"]
                elif r["label_pos"] == "right":
                    room = nxt - (r["_x1"] + 3)
                    gap = (track[k + 1]["_x0"] if k + 1 < len(track) else width) - r["_x1"]
                else:
                    room = r["_x0"] - 3 - (used + 4 if k else scale.gutter)
                    gap = r["_x0"] - (track[k - 1]["_x1"] if k else scale.gutter)
                r["label_full"] = int(r["_text_px"] + _CHAR_PX)
                room = min(room, r["label_full"])
                # Zoomed in, the marks move apart and the label may take the gap's growth.
                r["label_limit"] = int(room) if room >= _MIN_LABEL_PX else 0
                r["label_gap"] = max(0, int(gap))
                used = r["_x1"] + 3 + r["label_limit"] if r["label_pos"] == "right" else r["_x1"]
    for r in rows:
        pos = r.pop("label_pos")
        r["w_label_at"] = r["w_stop"] if pos == "right" and not r["point"] else r["w_start"]
        r["label_dx"] = {"inside": 4, "right": 3, "left": -3}[pos] + (_POINT_R if r["point"] and pos == "right" else 0) \
            - (_POINT_R if r["point"] and pos == "left" else 0)
        r["label_colour"] = _text_colour(EVENT_TYPES[r["type"]].colour if r["type"] in EVENT_TYPES else "#bdbdbd") \
            if pos == "inside" else "#222222"
        for key in ("_x0", "_x1", "_lo", "_hi", "_text_px"):
            del r[key]


def _check_lanes(lanes: str) -> None:
    if lanes not in LANES:
        raise ValidationError(f"lanes must be one of {', '.join(LANES)}, not {lanes!r}", field="lanes")


def _lane_values(frame: pl.DataFrame, lanes: str) -> list[list[str]]:
    if lanes == "type":
        return [[t] for t in frame["type"].to_list()]
    col = "actors" if lanes == "actor" else "tags"
    return [[_clip(x, MAX_TEXT["lane"]) for x in v] if v else [_NONE[lanes]] for v in frame[col].to_list()]


def _lane_order(values: list[list[str]], lanes: str) -> list[str]:
    return _ranked_lanes(Counter(x for vs in values for x in vs), lanes)


def _lane_order_counts(counts: pl.DataFrame, lanes: str) -> list[str]:
    """:func:`_lane_order` from a frame of lane values and their counts (``lane``, ``len``)."""
    return _ranked_lanes(dict(zip(counts["lane"].to_list(), counts["len"].to_list(), strict=True)), lanes)


def _ranked_lanes(counts: dict[str, int], lanes: str) -> list[str]:
    if lanes == "type":
        return [t for t in EVENT_TYPES if t in counts] + sorted(t for t in counts if t not in EVENT_TYPES)
    ranked = sorted(counts, key=lambda x: (-counts[x], x))
    if len(ranked) > MAX_LANES:
        ranked = [*ranked[: MAX_LANES - 1], _OTHER]
    return ranked


def _scale_for(frame: pl.DataFrame, view: tuple[dt.date, dt.date] | None, gutter: float = 0.0) -> TimeScale:
    if view is not None:
        fitted = TimeScale.fit([], [], view=view)
    else:
        end = pl.col("end")
        # The day after each end (the last representable day stays itself, as _safe_plus keeps it).
        stops = frame.select(pl.when(end >= dt.date.max).then(end).otherwise(end + pl.duration(days=1)))["end"]
        fitted = TimeScale.fit_columns(frame["start"], stops)
    return dataclasses.replace(fitted, gutter=gutter)


def _gutter(order: Sequence[str]) -> float:
    """Room for the longest lane label (bold 11 px, about 6.6 px a character), 60 to 160 px."""
    return float(min(160, max(60, 16 + 6.6 * max((len(x) for x in order), default=0))))


def _grades(store: Store | None, frame: pl.DataFrame, as_of: Any) -> dict[str, str]:
    """Each event's citation grades as one line (``wsj-2024-05-15 B1, chinasquare-2025 C1``): from
    the frame's ``grades`` column, or looked up for the versions in view."""
    if "grades" in frame.columns:
        return {k: ", ".join(g) for k, g in zip(frame["id"], frame["grades"], strict=True) if g}
    if store is None or frame.is_empty() or "version" not in frame.columns:
        return {}
    return {k: ", ".join(g) for k, g in store.grades(zip(frame["id"], frame["version"], strict=True), as_of=as_of).items()}


def _first_reported(store: Store | None, frame: pl.DataFrame, as_of: Any, needed: bool) -> dict[str, str]:
    """Each event's first report (EDTF): from the frame, or, when hindsight needs it, the store."""
    if "first_reported" in frame.columns:
        return {k: r for k, r in zip(frame["id"], frame["first_reported"], strict=True) if r}
    if store is None or frame.is_empty() or not needed:
        return {}
    found = store.query(id=frame["id"].to_list(), as_of=as_of, columns=["id", "first_reported"])
    return {k: r for k, r in found.iter_rows() if r}


def _reported_after(first_reported: str | None, day: dt.date) -> bool:
    """Whether no source had certainly published the event by ``day`` (hindsight)."""
    if not first_reported:
        return True
    try:
        end = parse_edtf(first_reported).end
    except ValidationError:
        return True
    return end is None or end > day


def chart_rows(frame: pl.DataFrame, *, lanes: str = "type", store: Store | None = None, width: int = 760,
               scale: TimeScale | None = None, as_of: Any = None,
               hindsight: dt.date | None = None) -> tuple[list[dict[str, Any]], list[str]]:
    """The rows a timeline draws (one per event and lane) and the lane order.

    Each row has the event's id, type, lane, title, date as written (``date``) and in
    words (``when``), ``start``/``stop`` (ISO days; ``stop`` is the day after the end, so a
    bar covers its last day), ``point`` (day-precise), ``track`` (sub-row) and ``band``
    (lane and sub-row), the label as drawn (``label``, its anchor ``label_at``, offset,
    pixel limit), ``qualifier`` (``~``, ``?``), the warped positions the chart draws at
    (``w_start``, ``w_stop``, ``w_core_start``/``w_core_stop`` for the unfaded middle of a
    qualified bar; see :class:`TimeScale`), actors, amounts, status, confidence, number of
    sources, the citation grades (``grades``), the first report in words (``reported``), the first
    evidence quote, and ``hindsight`` (True, present only then) when ``hindsight=DAY`` is given and
    no source had certainly published the event by that day.

    >>> import polars as pl, datetime as dt
    >>> f = pl.DataFrame({"id": ["y"], "type": ["trade"], "title": ["T"], "date": ["2014"],
    ...                   "start": [dt.date(2014, 1, 1)], "end": [dt.date(2014, 12, 31)]})
    >>> rows, order = chart_rows(f)
    >>> (rows[0]["start"], rows[0]["stop"], rows[0]["point"], rows[0]["when"], rows[0]["label"])
    ('2014-01-01', '2015-01-01', False, 'sometime in 2014', 'T')
    """
    _check_lanes(lanes)
    values = _lane_values(frame, lanes)
    order = _lane_order(values, lanes)
    known = set(order)
    quotes = _quotes(store, frame)
    grades = _grades(store, frame, as_of)
    reported = _first_reported(store, frame, as_of, needed=hindsight is not None)
    cols = frame.columns
    scale = scale or _scale_for(frame, None, _gutter(order))
    starts, ends = frame["start"].to_list(), frame["end"].to_list()
    rows: list[dict[str, Any]] = []
    for i, rec in enumerate(frame.iter_rows(named=True)):
        start, end = starts[i], ends[i]
        if start is None or end is None:
            continue
        stop = _safe_plus(end, dt.timedelta(days=1))
        date = rec.get("date") or start.isoformat()
        qualifier = _qualifier(date)
        title = _clip(rec["title"], MAX_TEXT["title"])
        confidence = rec.get("confidence")
        fade = (stop - start) / 5 if qualifier and start != end else dt.timedelta(0)
        base = {
            "id": rec["id"],
            "type": rec["type"],
            "title": title,
            "label": _clip(f"{qualifier} {title}" if qualifier else title, _MAX_LABEL),
            "date": date,
            "when": _words(rec["date"]) if rec.get("date") else start.isoformat(),
            "start": _iso(start),
            "stop": _iso(stop),
            "point": start == end,
            "qualifier": qualifier,
            "actors": _clip(", ".join(rec.get("actors") or []), MAX_TEXT["actors"]) if "actors" in cols else "",
            "amounts": _clip("; ".join(rec.get("amounts") or []), MAX_TEXT["amounts"]) if "amounts" in cols else "",
            "tags": _clip(", ".join(rec.get("tags") or []), MAX_TEXT["tags"]) if "tags" in cols else "",
            "n_sources": int(rec.get("n_sources") or 0),
            "status": rec.get("status") or "confirmed",
            "confidence": 1.0 if confidence is None or not math.isfinite(confidence) else round(float(confidence), 3),
            "quote": _clip(quotes.get(rec["id"]), MAX_TEXT["quote"]) or None,
            "grades": _clip(grades.get(rec["id"]), MAX_TEXT["grades"]) or None,
            "reported": _words(reported[rec["id"]]) if rec["id"] in reported else None,
        }
        if hindsight is not None and _reported_after(reported.get(rec["id"]), hindsight):
            base["hindsight"] = True  # only where true: 2,000 rows of "false" would be bytes in every spec
        base["w_start"], base["w_stop"] = scale.warp(start), scale.warp(stop)
        if fade:
            base["w_core_start"], base["w_core_stop"] = scale.warp(start + fade), scale.warp(stop - fade)
        seen: set[str] = set()
        for lane in values[i]:
            lane = lane if lane in known else _OTHER
            if lane in seen:
                continue
            seen.add(lane)
            rows.append({**base, "lane": lane, "_s": start, "_e": end})
    _pack(rows, scale, width)
    for r in rows:
        r["band"] = f"{r['lane']}|{r['track']}"
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
    event lands in its year (or the month of 1 July when counting months). Column
    operations throughout (a million events take a fraction of a second); only the
    cells, at most ``max_rows``, become Python rows.
    """
    cells = _lane_cells(frame, lanes)
    order = _lane_order_counts(cells.group_by("lane").len(), lanes)
    known = set(order)
    if lanes == "type":  # one lane per event, every type a lane of its own: nothing to merge
        cells = cells.drop_nulls("mid")
    else:  # an event with two actors in "(other)" counts there once
        cells = cells.with_columns(lane=pl.when(pl.col("lane").is_in(list(known))).then("lane").otherwise(pl.lit(_OTHER)))
        cells = cells.unique(["row", "lane"], maintain_order=True).drop_nulls("mid")
    years = 1
    if cells.height:
        years = int(cells["mid"].max().year - cells["mid"].min().year + 1)  # type: ignore[union-attr]
    per_year = {"month": 12, "quarter": 4, "year": 1, "decade": 0.1, "century": 0.01}
    chosen, grouped = None, cells
    for p in ([period] if period else _PERIODS):
        if not period and p != "century" and years * per_year[p] > width / 3:
            continue
        chosen = p
        grouped = cells.with_columns(start=_period_start_expr(pl.col("mid"), p))
        if grouped.select(pl.struct("lane", "start").n_unique()).item() <= max_rows:
            break
    assert chosen is not None
    if not grouped.height:
        return [], order, chosen
    # Counter.most_common's order: by count, then by the first row of each type in the cell.
    by_type = (grouped.group_by("lane", "start", "type")
               .agg(n=pl.len(), first=pl.col("row").min())
               .sort(["start", "lane", "n", "first"], descending=[False, False, True, False]))
    rows = []
    for (lane, start), part in by_type.group_by(["lane", "start"], maintain_order=True):
        types, counts = part["type"].to_list(), part["n"].to_list()
        rows.append({"lane": lane, "start": start.isoformat(), "stop": _period_stop(start, chosen).isoformat(),
                     "period": _period_label(start, chosen), "count": sum(counts), "type": types[0],
                     "types": ", ".join(f"{t} {n}" for t, n in zip(types[:5], counts[:5], strict=True))})
    return rows, order, chosen


def _lane_cells(frame: pl.DataFrame, lanes: str) -> pl.DataFrame:
    """One row per (event, lane value): the event's row number, lane, type and centre date."""
    if lanes == "type":
        lane = pl.col("type")
    else:
        col = "actors" if lanes == "actor" else "tags"
        lane = pl.when(pl.col(col).list.len() > 0).then(pl.col(col)).otherwise(pl.lit([_NONE[lanes]]))
    mid = pl.col("start") + pl.duration(days=(pl.col("end") - pl.col("start")).dt.total_days() // 2)
    out = frame.select(row=pl.int_range(pl.len()), lane=lane, type=pl.col("type"), mid=mid)
    if lanes != "type":
        out = out.explode("lane")
        names = out["lane"].unique().to_list()
        out = out.with_columns(lane=pl.col("lane").replace_strict(
            names, [_clip(x, MAX_TEXT["lane"]) for x in names], return_dtype=pl.String))
    return out


def _period_start_expr(d: pl.Expr, period: str) -> pl.Expr:
    """:func:`_period_start` on a column."""
    year, month = d.dt.year(), d.dt.month()
    if period == "month":
        return pl.date(year, month, 1)
    if period == "quarter":
        return pl.date(year, (month - 1) // 3 * 3 + 1, 1)
    if period == "year":
        return pl.date(year, 1, 1)
    size = 10 if period == "decade" else 100
    return pl.date(pl.max_horizontal(pl.lit(1), year // size * size), 1, 1)


def _link_rows(store: Store | None, rows: list[dict[str, Any]], scale: TimeScale,
               as_of: Any = None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The causal links between drawn events: one row per link (its ends, relation and titles)
    and four points per link for a curve from the cause's end to the effect's start: out along
    the cause's row, across, and into the effect's row. The points carry only the link's
    number; the chart looks the rest up (titles from the events), so no text is repeated."""
    if store is None or not rows:
        return [], []
    first: dict[str, dict[str, Any]] = {}
    for r in rows:
        first.setdefault(r["id"], r)
    links = store.link_ends(sorted(first), as_of=as_of)
    if links.is_empty():
        return [], []
    if "confidence" in links.columns:
        links = links.sort("confidence", descending=True, nulls_last=True)
    ends: list[dict[str, Any]] = []
    points: list[dict[str, Any]] = []
    for lk in links.iter_rows(named=True):
        c, e = first.get(lk["cause"]), first.get(lk["effect"])
        if c is None or e is None:
            continue
        n = len(ends)
        ends.append({"link": n, "cause": lk["cause"], "effect": lk["effect"], "relation": lk["relation"]})
        x0 = c["start"] if c["point"] else c["stop"]
        x1 = e["start"]
        d0, d1 = dt.date.fromisoformat(x0), dt.date.fromisoformat(x1)
        xm = _iso(d0 + (d1 - d0) / 2)
        for k, (x, band) in enumerate(((x0, c["band"]), (xm, c["band"]), (xm, e["band"]), (x1, e["band"]))):
            points.append({"link": n, "k": k, "w_x": scale.warp(dt.date.fromisoformat(x)), "band": band})
        # The head sits on the effect and points the way the last stretch runs.
        points[-1]["head"] = "triangle-right" if d1 >= d0 else "triangle-left"
        if len(ends) >= MAX_LINKS:
            break
    return ends, points


def _density_rows(rows: list[dict[str, Any]], scale: TimeScale) -> list[dict[str, Any]]:
    """Events per year (per month when the whole range is under five years) for the overview."""
    days = (scale.stops[-1] - scale.stops[0]).days
    period = "month" if days < 5 * 366 else "year"
    counts: Counter[dt.date] = Counter()
    seen: set[str] = set()
    for r in rows:
        if r["id"] in seen:
            continue
        seen.add(r["id"])
        s, e = dt.date.fromisoformat(r["start"]), dt.date.fromisoformat(r["stop"])
        counts[_period_start(s + (e - s) / 2, period)] += 1
    return [{"start": _iso(d), "stop": _iso(_period_stop(d, period)), "w_start": scale.warp(d),
             "w_stop": scale.warp(_period_stop(d, period)), "count": n, "period": _period_label(d, period)}
            for d, n in sorted(counts.items())]


def _x_axis(scale_name: str, scale: TimeScale) -> Any:
    """Labels by how many pixels a year gets where the tick is (so compressed years get fewer):
    years (or decades) every 1, 2, 5, 10, 25, 50 or 100 years; from 150 px a year, quarters
    (Q1..Q4), and from 420 px, months, with the year written above the first of the year and
    above the first tick in view; two ticks never read the same. Ticks are the warped positions of year and month starts; the ones not labelled at
    the current zoom are not drawn."""
    import altair as alt

    u = "datum.value"
    t = f"({scale.unwarp_expr(u)} + 43200000)"  # half a day in: rounding never lands on the day before
    ppy = f"({scale.rate_expr(u)} * 365.25 * span(range('{scale_name}')) / span(domain('{scale_name}')))"
    months = f"({ppy} >= 420)"
    quarters = f"({ppy} >= 150)"
    step = (f"({ppy} >= 50 ? 1 : {ppy} >= 22 ? 2 : {ppy} >= 9 ? 5 : {ppy} >= 4.5 ? 10 : {ppy} >= 2 ? 25 : "
            f"{ppy} >= 0.9 ? 50 : 100)")
    jan = f"(utcmonth({t}) == 0)"
    shown = f"({jan} ? ({quarters} || utcyear({t}) % {step} == 0) : ({months} || ({quarters} && utcmonth({t}) % 3 == 0)))"
    first = f"(({u}) - domain('{scale_name}')[0] < {scale.rate_expr(u)} * 31)"
    minor = f"({months} ? utcFormat({t}, '%b') : 'Q' + (floor(utcmonth({t}) / 3) + 1))"
    label = (f"!{shown} ? '' : {jan} ? ({quarters} ? [utcFormat({t}, '%Y'), {minor}] : utcFormat({t}, '%Y'))"
             f" : [{first} ? utcFormat({t}, '%Y') : '', {minor}]")
    visible = {"condition": {"test": shown, "value": 1}, "value": 0}
    return alt.Axis(title=None, values=_Verbatim(scale.tick_values()), labelExpr=label, grid=True, gridColor="#e6e6e6",
                    gridOpacity=visible, tickOpacity=visible, labelFontSize=10, labelOverlap="greedy",
                    domainColor="#999", tickColor="#999")


def _x_scale(scale: TimeScale, width: int, *, brush: bool) -> Any:
    """The linear scale of warped time: the brush's range once one is drawn, else everything."""
    import altair as alt

    whole = json.dumps(scale.domain())
    domain = {"expr": f"(brush && brush.w_start) ? brush.w_start : {whole}"} if brush else {"expr": whole}
    # A number, not the "width" signal: in a concatenation that signal is not the view's width
    # everywhere (JupyterChart sets it to its own); responsive() swaps it for the container's.
    return alt.Scale(type="linear", domain=domain, rangeMin=round(scale.gutter, 1), rangeMax=width, zero=False,
                     nice=False)


def _colour_scale(types: Sequence[str]) -> Any:
    import altair as alt

    present = [t for t in EVENT_TYPES if t in set(types)] + sorted(set(types) - set(EVENT_TYPES))
    colours = [EVENT_TYPES[t].colour if t in EVENT_TYPES else "#bdbdbd" for t in present]
    return alt.Scale(domain=present, range=colours)


def _in_selection(names: Sequence[str], field: str) -> str:
    return " || ".join(f"(length(data('{n}_store')) && vlSelectionTest('{n}_store', {{id: datum.{field}}}))"
                       for n in names)


def _parse_view(view: Any) -> tuple[dt.date, dt.date] | None:
    if view is None:
        return None
    try:
        lo, hi = view
    except (TypeError, ValueError):
        raise ValidationError(f"view must be a (from, to) pair of dates, not {view!r}", field="view") from None
    out = []
    for which, value in (("from", lo), ("to", hi)):
        if isinstance(value, dt.date):  # a day: "to" includes it
            out.append(value if which == "from" else _safe_plus(value, dt.timedelta(days=1)))
            continue
        try:
            parsed = parse_edtf(str(value))
        except ValidationError:
            raise ValidationError(f"view {which} {value!r} is not an EDTF date", field="view") from None
        day = parsed.start if which == "from" else parsed.end
        if day is None:
            raise ValidationError(f"view {which} {value!r} has an open bound", field="view")
        out.append(day if which == "from" else _safe_plus(day, dt.timedelta(days=1)))
    if out[1] <= out[0]:
        raise ValidationError(f"the range from {lo} is not before its end {hi}", field="view")
    return out[0], out[1]


def _frame_from(data: Any, store: Store | None, filters: dict[str, Any]) -> tuple[pl.DataFrame, Store | None]:
    from .._store.store import Store

    if isinstance(data, Store):
        return data.query(**filters), store or data
    if data is None:
        from .._store.opener import default_store

        store = store or default_store()
        return store.query(**filters), store
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
    return frame, store


def timeline(
    data: Any = None,
    *,
    lanes: str = "type",
    links: bool | str = True,
    store: Store | None = None,
    overview: bool | None = None,
    max_rows: int = MAX_ROWS,
    aggregate: bool | None = None,
    width: int = 760,
    title: str | None = None,
    view: tuple[Any, Any] | None = None,
    report: bool = False,
    caption: Sequence[str] = (),
    controls: bool = True,
    height: int | None = None,
    hindsight: Any = None,
    highlight: Sequence[str] = (),
    **filters: Any,
) -> alt.TopLevelMixin:
    """An Altair chart of events: one lane per type (or ``"actor"``, or ``"tag"``).

    ``data`` is a :meth:`Store.query` frame, a :class:`Store` (queried with ``filters``)
    or None (the default store, ``$EVENTLOG_DB``, queried with ``filters``). Links,
    and evidence quotes in tooltips, need the store: pass ``store=`` with a frame (and
    ``as_of=`` to draw the links as they were at that changeset).

    ``links``: True draws the causal links of the selected or hovered event (a checkbox,
    "all causal links", shows every one), ``"all"`` starts with every link shown, False
    draws none. ``width`` is the nominal width the layout is computed for; interactive
    charts grow with their container from there. ``view=(from, to)`` (EDTF dates) shows
    exactly that range. ``report=True`` makes a still for a brief: no interaction, no
    hints, no overview unless ``overview=True``, every link drawn, ``caption`` lines
    written under the chart. ``height`` (pixels) sets the row height so the lanes fill about
    that much, between 12 and 24 px a row (more rows than fit make it taller). ``controls=False`` leaves out the chart's own checkbox (the
    Explorer has its own switch). ``aggregate`` forces (True) or forbids (False) counts
    per period; by default the chart aggregates above ``max_rows`` rows. ``hindsight=DATE`` marks
    (with an orange triangle above the bar) every event no source had certainly published by
    DATE: what the timeline shows only with hindsight (``known_by=DATE`` leaves them out instead).
    ``highlight`` rings the events whose ids it lists (an event chosen in another panel).

    Example: ``eventlog.timeline(type=["sanction", "bank_withdrawal"], lanes="actor").save("t.html", inline=True)``
    """
    title = _clip(title, 200) if title is not None else None  # store or user text: no controls
    if links not in (True, False, "all", "selected"):
        raise ValidationError(f"links must be True, False, 'all' or 'selected', not {links!r}", field="links")
    for name, value in (("width", width), ("height", height)):
        if value is None and name == "height":
            continue
        if not isinstance(value, int) or isinstance(value, bool) or not 200 <= value <= 20_000:
            raise ValidationError(f"{name} must be a number of pixels from 200 to 20000, not {value!r}", field=name)
    as_of = filters.get("as_of")
    frame, store = _frame_from(data, store, filters)
    # one connection for everything it reads (a stand-in store without reading() reads as it will)
    reading = getattr(store, "reading", None)
    # Altair checks each schema object against Vega-Lite as it is made (its "debug mode"): the
    # timeline's objects are ours, and the whole spec is checked by to_dict() in the tests.
    # (the switch is Altair's global: the lock keeps two threads from leaving it off)
    from altair.utils.schemapi import debug_mode

    with reading() if callable(reading) else contextlib.nullcontext(), _UNCHECKED, debug_mode(False):
        return _draw(frame, store, as_of, lanes=lanes, links=links, overview=overview, max_rows=max_rows,
                     aggregate=aggregate, width=width, title=title, view=view, report=report, caption=caption,
                     controls=controls, height=height, hindsight=hindsight, highlight=highlight)


def _draw(
    frame: pl.DataFrame, store: Store | None, as_of: Any, *, lanes: str, links: bool | str, overview: bool | None,
    max_rows: int, aggregate: bool | None, width: int, title: str | None, view: tuple[Any, Any] | None,
    report: bool, caption: Sequence[str], controls: bool, height: int | None, hindsight: Any,
    highlight: Sequence[str],
) -> alt.TopLevelMixin:
    """The body of :func:`timeline`, once the frame and the store are known."""
    if "date" in frame.columns and ("start" not in frame.columns or "end" not in frame.columns):
        raise ValidationError("the frame needs start and end columns (use Store.query())")
    if max_rows < 1:
        raise ValidationError("max_rows must be positive", field="max_rows")
    window = _parse_view(view)
    if window is not None and frame.height:
        frame = frame.filter((pl.col("end") >= window[0]) & (pl.col("start") < window[1]))
    overview = (not report) if overview is None else overview
    n_rows = frame.height if lanes == "type" else sum(max(1, len(v or [])) for v in
                                                      frame["actors" if lanes == "actor" else "tags"].to_list())
    if aggregate is None:
        aggregate = n_rows > max_rows
    if aggregate:
        return _aggregated_chart(frame, lanes=lanes, max_rows=max_rows, width=width, title=title, overview=overview,
                                 window=window, report=report, caption=caption)
    import altair as alt

    _check_lanes(lanes)
    scale = _scale_for(frame, window, _gutter(_lane_order(_lane_values(frame, lanes), lanes)))
    hindsight_day = None if hindsight is None else parse_day(hindsight, "hindsight")
    rows, order = chart_rows(frame, lanes=lanes, store=store, width=width, scale=scale, as_of=as_of,
                             hindsight=hindsight_day)
    ringed = set(highlight or ())
    for r in rows:
        if r["id"] in ringed:
            r["highlight"] = True
    interactive = not report

    # One band per (lane, sub-row): busy lanes get taller, quiet ones stay one row high.
    tracks_per_lane: Counter[str] = Counter()
    for r in rows:
        tracks_per_lane[r["lane"]] = max(tracks_per_lane[r["lane"]], r["track"] + 1)
    band_domain = [f"{lane}|{k}" for lane in order for k in range(max(1, tracks_per_lane[lane]))]
    per_lane = Counter(r["lane"] for r in rows)
    lane_rows = [{"lane": lane, "band": f"{lane}|0", "last": f"{lane}|{max(1, tracks_per_lane[lane]) - 1}",
                  "short": _fit_text(lane, (scale.gutter - 10) * 0.85), "shade": k % 2, "n": per_lane[lane]}
                 for k, lane in enumerate(order)]
    step = _STEP if height is None else max(12, min(24, height // max(3, len(band_domain))))
    height = step * max(3, len(band_domain))
    name = "concat_0_x" if overview or caption else "x"  # Vega's name for the main view's x scale
    x_scale = _x_scale(scale, width, brush=overview and interactive)
    axis = _x_axis(name, scale)
    bands = alt.Scale(domain=_Verbatim(band_domain), paddingInner=0.22, paddingOuter=0.1)
    y = alt.Y("band:N", title=None, axis=None, scale=bands)
    band_top = alt.Y("band:N", title=None, axis=None, bandPosition=0, scale=bands)  # rects from a band's top
    legend_orient = "right" if width >= 1000 else "bottom"
    colour = alt.Color("type:N", scale=_colour_scale([r["type"] for r in rows]), title="event type",
                       legend=alt.Legend(orient=legend_orient, symbolLimit=40, labelLimit=220, symbolOpacity=1,
                                         **({} if legend_orient == "right" else {"columns": max(1, min(6, width // 170))})))
    tooltip = [
        alt.Tooltip("title:N", title="title"),
        alt.Tooltip("date:N", title="date (EDTF)"),
        alt.Tooltip("when:N", title="when"),
        alt.Tooltip("status:N", title="status"),
        alt.Tooltip("confidence:Q", title="confidence"),
        alt.Tooltip("actors:N", title="actors"),
        alt.Tooltip("amounts:N", title="amounts"),
        alt.Tooltip("n_sources:Q", title="sources"),
        alt.Tooltip("grades:N", title="grades (source, claim)"),
        alt.Tooltip("reported:N", title="first reported"),
        alt.Tooltip("quote:N", title="evidence"),
        alt.Tooltip("id:N", title="id"),
    ]
    # Vega-Lite cannot share one point selection between two layers (duplicate signals), so
    # bars carry ``pick`` and points ``pick_day``; an event is highlighted when it is in every
    # non-empty one of them, and Python reads their union.
    picked = " && ".join(f"(!length(data('{n}_store')) || vlSelectionTest('{n}_store', datum))" for n in PICKS)
    confidence = alt.Opacity("confidence:Q", title="confidence", scale=alt.Scale(domain=[0, 1], range=[0.3, 1]),
                             legend=alt.Legend(orient=legend_orient, values=[0.25, 0.5, 0.75, 1.0]))
    opacity = confidence

    def fill_opacity(chosen: Any) -> Any:
        # Selection dims the other events' fill (opacity already says confidence).
        # Channel objects, not alt.condition()/alt.value() dicts, which Altair resolves against
        # the schema on every encode() (a fifth of drawing a small timeline).
        if interactive:
            return alt.FillOpacityValue(value=0.08, condition={"test": picked, "value": chosen})
        return alt.FillOpacityValue(value=chosen)

    dash = alt.StrokeDash("status:N", title="status", scale=alt.Scale(domain=["confirmed", "candidate", "disputed"],
                          range=[[1, 0], [2, 2], [5, 2.5]]), legend=alt.Legend(orient=legend_orient, symbolType="square",
                          symbolFillColor="#e0e0e0", symbolStrokeColor="#222", symbolSize=220, symbolOpacity=1))
    outline = alt.StrokeWidth("status:N", scale=alt.Scale(domain=["confirmed", "candidate", "disputed"],
                              range=[0.5, 1.2, 1.8]), legend=None)
    x = alt.X("w_start:Q", scale=x_scale, title=None, axis=axis)
    events = alt.Data(name="events")
    base = alt.Chart(events)
    layers: list[Any] = []
    shade = alt.Chart(alt.Data(name="lanes")).mark_rect(clip=True).encode(
        x=alt.XValue(0), x2=alt.X2Value(width), y=band_top, y2=alt.Y2("last:N", bandPosition=1),
        color=alt.ColorValue(value="#ffffff", condition={"test": "datum.shade == 1", "value": "#f5f5f5"}),
    ).properties(name="lane_shade")
    layers.append(shade)
    squeezed = scale.squeezed()
    if squeezed:
        context = alt.Chart(alt.Data(values=squeezed)).mark_rect(color="#9e9e9e", opacity=0.13, clip=True).encode(
            x=alt.X("w_start:Q", scale=x_scale, axis=axis), x2=alt.X2("w_stop"),
            tooltip=alt.Tooltip("note:N", title="scale")).properties(name="compressed")
        layers.append(context)
    cores = base.mark_bar(clip=True).encode(
        x=alt.X("w_core_start:Q", scale=x_scale, axis=axis), x2=alt.X2("w_core_stop"), y=y, color=colour, opacity=opacity,
        fillOpacity=fill_opacity(1.0),
    ).transform_filter("!datum.point && datum.qualifier").properties(name="event_cores")
    bars = base.mark_bar(cornerRadius=2, stroke="#333", clip=True).encode(
        x=x, x2=alt.X2("w_stop"), y=y, color=colour, opacity=opacity, tooltip=tooltip, strokeDash=dash,
        strokeWidth=outline,
        fillOpacity=fill_opacity({"expr": "datum.qualifier ? 0.35 : 1"}),
    ).transform_filter("!datum.point").properties(name="event_bars")
    points = base.mark_point(filled=True, size=70, stroke="#222", clip=True).encode(
        x=x, y=y, color=colour, opacity=opacity, tooltip=tooltip, strokeDash=dash, strokeWidth=outline,
        fillOpacity=fill_opacity(1.0),
    ).transform_filter("datum.point").properties(name="event_points")
    # How much wider than at the nominal width a warped day is drawn now (1 until zoomed).
    zoom = (f"max(1, span(range('{name}')) / span(domain('{name}')) / "
            f"{(width - scale.gutter) / max(1e-9, scale.domain()[1] - scale.domain()[0]):.9g})")
    label_room = (f"max(1, min(datum.label_full, datum.label_limit > 0 ? datum.label_limit + datum.label_gap * ({zoom} - 1)"
                  f" : datum.label_gap * ({zoom} - 1) - 12))")
    labels = base.mark_text(align={"expr": "datum.label_dx < 0 ? 'right' : 'left'"}, dx={"expr": "datum.label_dx"}, baseline="middle",
                            fontSize=_FONT, limit={"expr": label_room}, opacity={"expr": f"{label_room} >= {_MIN_LABEL_PX} ? 1 : 0"},
                            clip=True).encode(
        x=alt.X("w_label_at:Q", scale=x_scale, axis=axis), y=y, text=alt.Text("label:N"),
        fill=alt.Fill("label_colour:N", scale=None), tooltip=tooltip,
    ).properties(name="event_labels")
    layers += [cores, bars, points, labels]
    if ringed & {r["id"] for r in rows}:
        layers.append(base.mark_point(shape="circle", filled=False, size=420, strokeWidth=2.5, color=_HINDSIGHT,
                                      clip=True).encode(x=x, y=y, tooltip=tooltip)
                      .transform_filter("datum.highlight").properties(name="event_highlight"))
    if hindsight_day is not None and any(r.get("hindsight") for r in rows):
        # Above the bar's start, so it reads with the event and never hides a label.
        layers.append(base.mark_point(shape="triangle-down", filled=True, size=36, color=_HINDSIGHT, yOffset=-7,
                                      clip=True).encode(
            x=x, y=y, tooltip=[alt.Tooltip("title:N", title="title"),
                               alt.Tooltip("reported:N", title=f"reported only after {hindsight_day.isoformat()}; first")],
        ).transform_filter("datum.hindsight").properties(name="event_hindsight"))
    lane_labels = alt.Chart(alt.Data(name="lanes")).mark_text(
        align="right", baseline="middle", fontSize=11, fontWeight="bold", color="#333", limit=scale.gutter - 10,
    ).encode(x=alt.XValue(scale.gutter - 8), y=y, text=alt.Text("short:N"),
             tooltip=[alt.Tooltip("lane:N", title="lane"), alt.Tooltip("n:Q", title="events")]
             ).properties(name="lane_labels")
    # Zoomed or panned, marks slide under the lane labels: the gutter is painted over them.
    gutter = alt.Chart(alt.Data(name="lanes")).mark_rect().encode(
        x=alt.XValue(0), x2=alt.X2Value(round(scale.gutter, 1)), y=band_top, y2=alt.Y2("last:N", bandPosition=1),
        color=alt.ColorValue(value="#ffffff", condition={"test": "datum.shade == 1", "value": "#f5f5f5"}),
    ).properties(name="lane_gutter")
    layers += [gutter, lane_labels]
    link_ends, link_rows = _link_rows(store, rows, scale, as_of) if links else ([], [])
    params: list[Any] = []
    if link_rows:
        start_all = links == "all" or report
        if interactive and controls:
            show_all = alt.param(name="all_links", value=start_all, bind=alt.binding_checkbox(name="all causal links "))
        else:
            show_all = alt.param(name="all_links", value=start_all)
        params.append(show_all.param)
        shown = (f"all_links || {_in_selection([*PICKS, *_HOVERS], 'cause')} || "
                 f"{_in_selection([*PICKS, *_HOVERS], 'effect')}") if interactive else "all_links"
        ldata = alt.Data(name="links")
        def looked_up(chart: Any) -> Any:
            chart = chart.transform_lookup(lookup="link", from_=alt.LookupData(
                data=alt.Data(name="link_ends"), key="link", fields=["cause", "effect", "relation"]))
            for end in ("cause", "effect"):
                chart = chart.transform_lookup(lookup=end, from_=alt.LookupData(
                    data=alt.Data(name="events"), key="id", fields=["title"]), as_=[f"{end}_title"])
            return chart
        relations = [r for r in RELATIONS if any(lk["relation"] == r for lk in link_ends)] or list(RELATIONS)
        link_colour = alt.Stroke("relation:N", title="causal link", scale=alt.Scale(
            domain=relations, range=[_RELATION_COLOURS.get(r, "#555") for r in relations]),
            legend=alt.Legend(orient=legend_orient, symbolType="stroke", symbolStrokeWidth=2))
        link_tip = [alt.Tooltip("cause_title:N", title="cause"), alt.Tooltip("relation:N", title="relation"),
                    alt.Tooltip("effect_title:N", title="effect")]
        curve = alt.Chart(ldata).mark_line(interpolate="basis", strokeWidth=1.6, opacity=0.85, clip=True).encode(
            x=alt.X("w_x:Q", scale=x_scale, axis=axis), y=y, detail=alt.Detail("link:N"), order=alt.Order("k:Q"), stroke=link_colour,
            tooltip=link_tip,
        )
        curve = looked_up(curve).transform_filter(shown).properties(name="link_curves")
        head = alt.Chart(ldata).mark_point(filled=False, size=50, strokeWidth=2.2, opacity=0.95, clip=True).encode(
            x=alt.X("w_x:Q", scale=x_scale, axis=axis), y=y, shape=alt.Shape("head:N", scale=None),
            stroke=link_colour, tooltip=link_tip,
        )
        head = looked_up(head.transform_filter("datum.k == 3")).transform_filter(shown).properties(name="link_heads")
        layers += [curve, head]
    main = alt.layer(*layers).properties(width=width, height=height)
    parts: list[Any] = [main]
    if overview:
        density = _density_rows(rows, scale)
        ov_axis = _x_axis("overview_x", scale)
        ov = alt.Chart(alt.Data(name="density")).mark_bar(color="#607d8b", clip=True).encode(
            x=alt.X("w_start:Q", scale=_x_scale(scale, width, brush=False), title=None, axis=ov_axis),
            x2=alt.X2("w_stop"), y=alt.Y("count:Q", scale=alt.Scale(type="sqrt"), title=None, axis=None), y2=alt.Y2Value(44),
            tooltip=[alt.Tooltip("period:N", title="period"), alt.Tooltip("count:Q", title="events")],
        ).properties(width=width, height=44, name="overview")
        if interactive:
            params.append(alt.TopLevelSelectionParameter(name="brush", select=alt.IntervalSelectionConfig(
                type="interval", encodings=["x"]), views=["overview"]))
        parts.append(ov)
    if caption:
        parts.append(_caption_chart(caption, width))
    chart = alt.vconcat(*parts, spacing=6) if len(parts) > 1 else main
    # Top-level parameters with explicit views, so a click on a bar or on a point selects;
    # the views are named after concatenation, which renames layers by position.
    main_layers = (chart.vconcat[0] if len(parts) > 1 else chart).layer
    named = {re.sub(r"_\d+$", "", str(getattr(layer, "name", ""))): layer.name for layer in main_layers}
    if interactive:
        for pick, hover, view in zip(PICKS, _HOVERS, ("event_bars", "event_points"), strict=True):
            view_name = named[view]
            params.append(alt.TopLevelSelectionParameter(
                name=pick, select=alt.PointSelectionConfig(type="point", fields=["id"], on="click", clear="dblclick"),
                views=[view_name]))
            params.append(alt.TopLevelSelectionParameter(
                name=hover, select=alt.PointSelectionConfig(type="point", fields=["id"], on="pointerover",
                                                            clear="pointerout"), views=[view_name]))
        params.append(alt.TopLevelSelectionParameter(
            name="zoom", select=alt.IntervalSelectionConfig(type="interval", encodings=["x"], zoom="wheel!",
                                                            translate="[pointerdown, window:pointerup] > window:pointermove!"),
            bind="scales", views=[named["event_bars"]]))
    datasets = {"events": rows, "links": link_rows, "link_ends": link_ends, "lanes": lane_rows}
    if overview:
        datasets["density"] = density
    n_events = len({r["id"] for r in rows})
    head_title = title if title is not None else f"{n_events} events by {lanes}"
    key = ["Bars: dates known to a month, year or range; points: a day. Faded ends and ~ or ?: approximate or uncertain "
           "date. Dashed outline: disputed. Opacity: confidence."]
    if hindsight_day is not None:
        n_late = len({r["id"] for r in rows if r.get("hindsight")})
        key.append(f"Orange triangle: reported only after {hindsight_day.isoformat()} ({n_late} of {n_events}): "
                   "known then only with hindsight.")
    if squeezed:
        key.append("Shaded: " + ", ".join(f"{z['start'][:4]}-{z['stop'][:4]}" for z in squeezed)
                   + " on a compressed scale (the busy years get the room).")
    if interactive:
        key.append("Scroll to zoom, drag to pan, double-click to reset; drag in the strip below to pick a range; "
                   "click or hover an event for its causal links." if overview else
                   "Scroll to zoom, drag to pan, double-click to reset; click or hover an event for its causal links.")
    title_params = alt.TitleParams(head_title, anchor="start", subtitle=key, subtitleColor="#555", subtitleFontSize=10)
    config = alt.Config(view=alt.ViewConfig(stroke=None), axis=alt.AxisConfig(labelFontSize=10),
                        legend=alt.LegendConfig(labelFontSize=10, titleFontSize=10))
    return _finish(chart, params=params, usermeta={"eventlog": {"scale": scale.to_meta()}}, title=title_params,
                   config=config, datasets=datasets)


def _caption_chart(lines: Sequence[str], width: int) -> Any:
    import altair as alt

    rows = [{"i": k, "line": _clip(line, 400)} for k, line in enumerate(lines)]
    return alt.Chart(alt.Data(values=rows)).mark_text(align="left", baseline="top", fontSize=10, color="#444",
                                                      limit=width).encode(
        x=alt.XValue(0), y=alt.Y("i:O", axis=None, title=None), text=alt.Text("line:N"),
    ).properties(width=width, height=14 * len(rows), name="caption")


def _aggregated_chart(frame: pl.DataFrame, *, lanes: str, max_rows: int, width: int, title: str | None,
                      overview: bool, window: tuple[dt.date, dt.date] | None, report: bool,
                      caption: Sequence[str]) -> Any:
    import altair as alt

    rows, order, period = aggregate_rows(frame, lanes=lanes, max_rows=max_rows, width=width)
    scale = TimeScale.fit([dt.date.fromisoformat(r["start"]) for r in rows],
                          [dt.date.fromisoformat(r["stop"]) for r in rows], view=window)
    interactive = not report
    name = "concat_0_x" if overview or caption else "x"  # Vega's name for the main view's x scale
    for r in rows:
        r["w_start"], r["w_stop"] = scale.warp(dt.date.fromisoformat(r["start"])), scale.warp(dt.date.fromisoformat(r["stop"]))
    x_scale = _x_scale(scale, width, brush=overview and interactive)
    data = alt.Data(name="counts")
    cells = alt.Chart(data).mark_rect(stroke="white", strokeWidth=0.2, clip=True).encode(
        x=alt.X("w_start:Q", scale=x_scale, title=None, axis=_x_axis(name, scale)),
        x2=alt.X2("w_stop"),
        y=alt.Y("lane:N", sort=order, title=None, scale=alt.Scale(domain=order), axis=alt.Axis(labelLimit=180)),
        color=alt.Color("type:N", scale=_colour_scale([r["type"] for r in rows]), title="most frequent type",
                        legend=alt.Legend(orient="right" if width >= 1000 else "bottom")),
        opacity=alt.Opacity("count:Q", scale=alt.Scale(type="sqrt", range=[0.3, 1]), title="events"),
        tooltip=[alt.Tooltip("lane:N"), alt.Tooltip("period:N"), alt.Tooltip("count:Q", title="events"),
                 alt.Tooltip("types:N", title="types")],
    ).properties(width=width, height=int(max(140, 22 * len(order))), name="counts")
    params: list[Any] = []
    if interactive:
        params.append(alt.TopLevelSelectionParameter(
            name="zoom", select=alt.IntervalSelectionConfig(type="interval", encodings=["x"]), bind="scales",
            views=["counts"]))
    parts: list[Any] = [cells]
    if overview:
        ov = alt.Chart(data).mark_bar(color="#607d8b").encode(
            x=alt.X("w_start:Q", scale=_x_scale(scale, width, brush=False), title=None, axis=_x_axis("overview_x", scale)),
            x2=alt.X2("w_stop"), y=alt.Y("sum(count):Q", scale=alt.Scale(type="sqrt"), title=None, axis=None), y2=alt.Y2Value(44),
        ).properties(width=width, height=44, name="overview")
        if interactive:
            params.append(alt.TopLevelSelectionParameter(name="brush", select=alt.IntervalSelectionConfig(
                type="interval", encodings=["x"]), views=["overview"]))
        parts.append(ov)
    if caption:
        parts.append(_caption_chart(caption, width))
    chart = alt.vconcat(*parts, spacing=8) if len(parts) > 1 else cells
    n = frame.height
    head = title if title is not None else f"{n} events by {lanes}: counts per {period}"
    return _finish(chart, params=params, usermeta={"eventlog": {"scale": scale.to_meta()}},
                   title=alt.TitleParams(head, anchor="start"), config=alt.Config(view=alt.ViewConfig(stroke=None)),
                   datasets={"counts": rows})


_UNCHECKED = threading.Lock()


class _Verbatim:
    """A long list (a dataset's rows, a scale's domain) handed to the spec as it is. Altair
    walks a plain list value by value on every copy, check and ``to_dict`` (most of a
    2,000-event chart's time); this is one object to it, turned back into the list when
    the spec is written."""

    _schema: ClassVar[dict[str, str]] = {"type": "array"}  # what Altair's SchemaLike asks for
    __slots__ = ("rows",)

    def __init__(self, rows: list[Any]) -> None:
        self.rows = rows

    def to_dict(self, *_args: Any, **_kwds: Any) -> list[Any]:
        return self.rows


def _finish(chart: Any, *, datasets: dict[str, list[dict[str, Any]]], **top: Any) -> Any:
    """The top level of a chart we have just made: set directly, where .properties() and each
    .configure_*() copy the whole chart and check it again (a third of drawing a small
    timeline); the spec is checked whole when it is written."""
    for name, value in top.items():
        setattr(chart, name, value)
    chart.datasets = {name: _Verbatim(rows) for name, rows in datasets.items()}
    return chart


def responsive(spec: dict[str, Any], width: int) -> dict[str, Any]:
    """A chart's spec whose views take the width of their container (``width="container"``).

    Every place the chart drew at its nominal ``width`` (view widths, the x scales' far
    end, the lane shading) follows the container instead. The layout was computed at
    ``width``, so the container should be at least that wide (:func:`to_html` sets that
    minimum): a wider one only adds room between marks.
    """
    def walk(node: Any, key: str | None = None) -> Any:
        if isinstance(node, dict):
            out = {k: walk(v, k) for k, v in node.items()}
            if out.get("width") == width and key != "encoding":
                out["width"] = "container"
            if out.get("rangeMax") == width:
                out["rangeMax"] = {"expr": "width"}
            if key == "x2" and out.get("value") == width:
                out["value"] = "width"
            return out
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    out = walk(spec)
    out["autosize"] = {"type": "pad", "contains": "padding"}
    return out


def nominal_width(chart: Any) -> int | None:
    """The width in pixels the chart's layout was computed for (its first view's width)."""
    views = getattr(chart, "vconcat", None)
    width = (views[0] if views else chart).width
    return width if isinstance(width, int) else None


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
<style>body {{ font-family: sans-serif; margin: 16px; }} #vis {{ width: calc(100% - 260px); min-width: {min_width}px; }}
#vis.vega-embed {{ display: block; }}</style>
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

    The chart's width follows the page from its nominal width up. Record text stays text: the spec is embedded as JSON with ``<``, ``>`` and ``&``
    escaped, and vega-tooltip escapes tooltip values.
    """
    import html

    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    bundle = vlc.javascript_bundle(vl_version=vl_version_for_vl_convert())
    width = nominal_width(chart) or 600
    return _HTML.format(title=html.escape(title), bundle=bundle, spec=_safe_json(responsive(chart.to_dict(), width)),
                        min_width=width)


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

