"""Amounts in English and Dutch text: money, gas volumes, tonnes, percentages.

Values are scaled to plain numbers (``$240 billion`` -> 240e9 USD) except gas volumes,
which the events folder keeps in ``bcm`` (``38 billion m3`` -> 38 bcm). Dutch uses a
decimal comma and "miljard" (1e9) / "biljoen" (1e12); English the reverse.

>>> [(a.value, a.unit) for a in find_amounts("240 miljard $ en 0,7 %", lang="nl")]
[(240000000000.0, 'USD'), (0.7, 'percent')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["AmountMatch", "find_amounts", "parse_number"]


@dataclass(frozen=True, slots=True)
class AmountMatch:
    """A figure found in a text, with its unit and where it was written."""

    value: float
    unit: str
    text: str
    span: tuple[int, int]


_SCALES = {
    "thousand": 1e3, "duizend": 1e3, "k": 1e3,
    "million": 1e6, "millions": 1e6, "mln": 1e6, "mn": 1e6, "m": 1e6, "miljoen": 1e6,
    "billion": 1e9, "billions": 1e9, "bn": 1e9, "bln": 1e9, "miljard": 1e9, "mld": 1e9, "mrd": 1e9,
    "trillion": 1e12, "tn": 1e12, "biljoen": 1e12,
}
_UNITS = {
    "$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD", "us dollars": "USD",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "yuan": "CNY", "renminbi": "CNY", "rmb": "CNY", "cny": "CNY", "¥": "CNY",
    "rub": "RUB", "rouble": "RUB", "roubles": "RUB", "ruble": "RUB", "rubles": "RUB", "roebel": "RUB", "roebels": "RUB",
    "bcm": "bcm", "m3": "m3", "m³": "m3", "cubic metres": "m3", "cubic meters": "m3", "kubieke meter": "m3",
    "tonnes": "tonnes", "tons": "tonnes", "ton": "tonnes", "tonne": "tonnes", "metric tons": "tonnes",
    "barrels per day": "barrels_per_day", "bpd": "barrels_per_day", "vaten per dag": "barrels_per_day",
    "barrels": "barrels", "vaten": "barrels",
    "%": "percent", "percent": "percent", "per cent": "percent", "procent": "percent",
    "km": "km", "kilometres": "km", "kilometers": "km", "kilometer": "km",
}
_NUMBER = r"\d{1,3}(?:[.,\u00a0\u202f]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
_SCALE = r"thousand|duizend|millions?|mln|mn|miljoen|billions?|bn|bln|miljard|mld|mrd|trillion|tn|biljoen"
_PREFIX_CUR = r"US\$|\$|€|¥|USD|EUR|CNY|RMB|RUB"
_SUFFIX_UNIT = (
    r"US\$|\$|€|USD|EUR|CNY|RMB|RUB|(?:US\s+)?dollars?|euros?|yuan|renminbi|roubles?|rubles?|roebels?|"
    r"bcm|m3|m³|cubic\s+met(?:re|er)s|kubieke\s+meter|metric\s+tons|tonnes?|tons?|barrels\s+per\s+day|bpd|vaten\s+per\s+dag|"
    r"barrels|vaten|%|per\s*cent|procent|km|kilomet(?:re|er)s?"
)
_PREFIXED = re.compile(
    rf"(?<![\w$€])(?P<cur>{_PREFIX_CUR})\s?(?P<num>{_NUMBER})(?:\s*(?P<scale>{_SCALE})\b)?", re.IGNORECASE
)
_SUFFIXED = re.compile(
    rf"(?<![\w.,])(?P<num>{_NUMBER})(?:\s*(?P<scale>{_SCALE})\b)?\s*(?P<unit>{_SUFFIX_UNIT})(?![\w$])", re.IGNORECASE
)
#: Pattern sources, for benchmarks.
PATTERNS: tuple[str, ...] = (_PREFIXED.pattern, _SUFFIXED.pattern)


def parse_number(text: str, lang: str = "en") -> float:
    """A written number as a float, reading separators the way ``lang`` writes them.

    >>> parse_number("12,8", "nl"), parse_number("1,000", "en"), parse_number("13.000", "nl")
    (12.8, 1000.0, 13000.0)
    """
    s = re.sub(r"[\u00a0\u202f ]", "", text)
    if "." in s and "," in s:
        dec = "." if s.rfind(".") > s.rfind(",") else ","
        return float(s.replace("," if dec == "." else ".", "").replace(",", "."))
    for sep in ".,":
        if sep in s:
            parts = s.split(sep)
            thousands_sep = "," if lang != "nl" else "."
            if len(parts) > 2 or (len(parts[-1]) == 3 and sep == thousands_sep):
                return float(s.replace(sep, ""))
            return float(s.replace(",", "."))
    return float(s)


def _unit(word: str) -> str:
    key = re.sub(r"\s+", " ", word.strip().lower())
    if key.startswith("cubic"):
        return "m3"
    if key.startswith("kilomet"):
        return "km"
    return _UNITS.get(key, _UNITS.get(key.replace(" ", ""), key))


def _make(value: float, scale: str | None, unit: str, text: str, span: tuple[int, int]) -> AmountMatch:
    value *= _SCALES.get((scale or "").lower(), 1.0)
    if unit == "m3" and value >= 1e9:  # gas volumes are kept in billion cubic metres
        value, unit = value / 1e9, "bcm"
    return AmountMatch(round(value, 6), unit, text, span)


def find_amounts(text: str, lang: str = "en") -> list[AmountMatch]:
    """Every amount in ``text``, in order; where two readings overlap the longer wins.

    >>> [(a.value, a.unit, a.text) for a in find_amounts("USD 3 billion and 10 bcm")]
    [(3000000000.0, 'USD', 'USD 3 billion'), (10.0, 'bcm', '10 bcm')]
    """
    found: list[AmountMatch] = []
    for m in _PREFIXED.finditer(text):
        found.append(_make(parse_number(m["num"], lang), m["scale"], _unit(m["cur"]), m[0], m.span()))
    for m in _SUFFIXED.finditer(text):
        found.append(_make(parse_number(m["num"], lang), m["scale"], _unit(m["unit"]), m[0], m.span()))
    found.sort(key=lambda a: (-(a.span[1] - a.span[0]), a.span[0]))
    kept: list[AmountMatch] = []
    for a in found:
        if all(a.span[1] <= k.span[0] or a.span[0] >= k.span[1] for k in kept):
            kept.append(a)
    return sorted(kept, key=lambda a: a.span[0])
