"""The first, row-by-row aggregation of a timeline, kept as the definition the column-wise
:func:`eventlog._charts.timeline.aggregate_rows` must agree with (see test_timeline.py)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import polars as pl

from eventlog._charts.timeline import (
    _OTHER,
    _PERIODS,
    MAX_ROWS,
    _lane_order,
    _lane_values,
    _period_label,
    _period_start,
    _period_stop,
)

__all__ = ["aggregate_rows_by_row"]


def aggregate_rows_by_row(frame: pl.DataFrame, *, lanes: str = "type", max_rows: int = MAX_ROWS,
                          period: str | None = None, width: int = 760) -> tuple[list[dict[str, Any]], list[str], str]:
    values = _lane_values(frame, lanes)
    order = _lane_order(values, lanes)
    known = set(order)
    mids = [s + (e - s) / 2 if s is not None and e is not None else None
            for s, e in zip(frame["start"].to_list(), frame["end"].to_list(), strict=True)]
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
