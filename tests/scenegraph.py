"""Vega's own scenegraph of a chart (vl-convert, no browser): the marks as drawn, in pixels.

Used to check what an analyst sees: marks that hide one another, labels, the axis.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any


@dataclass
class Item:
    mark: str  # the mark's name without the ``_<n>_marks`` suffix
    x0: float
    y0: float
    x1: float
    y1: float
    props: dict[str, Any]

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2

    def contains(self, x: float, y: float) -> bool:
        return self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1

    def overlaps(self, other: Item, pad: float = 0.0) -> bool:
        return (self.x0 < other.x1 - pad and other.x0 < self.x1 - pad
                and self.y0 < other.y1 - pad and other.y0 < self.y1 - pad)

    @property
    def event_id(self) -> str | None:
        m = re.search(r"(?:^|; )id: (.*)$", self.props.get("description") or "")
        return m.group(1) if m else None

    @property
    def title(self) -> str | None:
        m = re.search(r"(?:^|; )title: (.*?); date \(EDTF\)", self.props.get("description") or "")
        return m.group(1) if m else None


def scenegraph(chart: Any) -> dict[str, Any]:
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    return vlc.vegalite_to_scenegraph(chart.to_dict(), vl_version=vl_version_for_vl_convert())


def _bounds(marktype: str, item: dict[str, Any], ox: float, oy: float) -> tuple[float, float, float, float]:
    x, y = ox + item.get("x", 0), oy + item.get("y", 0)
    if marktype in ("rect", "group"):
        return x, y, x + item.get("width", 0), y + item.get("height", 0)
    if marktype == "symbol":
        r = math.sqrt(item.get("size", 64) / math.pi) + item.get("strokeWidth", 1) / 2
        return x - r, y - r, x + r, y + r
    if marktype == "text":
        text = item.get("text") or ""
        text = " ".join(text) if isinstance(text, list) else str(text)
        width = len(text) * 5.6
        if item.get("limit"):
            width = min(width, item["limit"])
        x += item.get("dx", 0)
        if item.get("align") == "right":
            x0, x1 = x - width, x
        elif item.get("align") == "center":
            x0, x1 = x - width / 2, x + width / 2
        else:
            x0, x1 = x, x + width
        size = item.get("fontSize", 10)
        return x0, y - size / 2, x1, y + size / 2
    return x, y, x, y


def items(sg: dict[str, Any], prefix: str = "") -> list[Item]:
    """Every drawn item whose mark name starts with ``prefix``, with absolute bounds."""
    out: list[Item] = []

    def walk(mark: dict[str, Any], ox: float, oy: float) -> None:
        name = re.sub(r"(_\d+)?_marks$", "", mark.get("name") or "")
        for item in mark.get("items", []):
            if not isinstance(item, dict):
                continue
            if mark.get("marktype") == "group":
                gx, gy = ox + item.get("x", 0), oy + item.get("y", 0)
                if name.startswith(prefix) and mark.get("name"):
                    out.append(Item(name, gx, gy, gx + item.get("width", 0), gy + item.get("height", 0), item))
                for child in item.get("items", []):
                    walk(child, gx, gy)
            elif name.startswith(prefix) and mark.get("name"):
                out.append(Item(name, *_bounds(mark["marktype"], item, ox, oy), item))
            for child in item.get("items", []) if mark.get("marktype") != "group" else []:
                walk(child, ox, oy)

    walk(sg["scenegraph"], 0, 0)
    return out


def axis_labels(sg: dict[str, Any]) -> list[list[str]]:
    """The label texts of each axis (a two-line label joined by a newline), the empty ones
    (ticks not labelled at this zoom) left out."""
    out: list[list[str]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("role") == "axis-label":
                texts = ["\n".join(t) if isinstance(t, list) else str(t or "") for t in
                         (i.get("text") for i in node.get("items", []))]
                out.append([t for t in texts if t.strip()])
                return
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(sg["scenegraph"])
    return out


def plot_width(sg: dict[str, Any]) -> float:
    """The width of the first view (the main timeline)."""
    def first(node: Any) -> float | None:
        if isinstance(node, dict):
            if node.get("marktype") == "group" and node.get("name") != "root" and node.get("items"):
                return node["items"][0].get("width")
            for v in node.get("items", []) if isinstance(node.get("items"), list) else []:
                found = first(v)
                if found:
                    return found
        return None
    return first(sg["scenegraph"]) or sg["width"]


def read_axis(labels: list[str]) -> list[str]:
    """Axis labels as a reader takes them: a month under the last year written above it
    ("2023\\nJan", "\\nFeb" reads as "Jan 2023", "Feb 2023"); a label alone stays as it is.
    Two ticks that read the same are a repeated label."""
    out, year = [], ""
    for label in labels:
        upper, _, lower = label.rpartition("\n")
        if not _:
            out.append(label)
            continue
        year = upper or year
        out.append(f"{lower} {year}".strip())
    return out
