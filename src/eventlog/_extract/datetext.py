"""Date expressions in English and Dutch text, normalised to EDTF with inclusive bounds.

Each rule is one regular expression compiled once at import and a resolver that turns
its match into an EDTF string. Resolvers use two reference points:

* the document date (``doc_date``) for expressions such as "last year", "vorige maand",
  "this week", "on Monday";
* the *anchor*, the last date resolved earlier in the same text, for expressions such as
  "the same year", "het jaar daarop", "a year earlier" (falling back to the document date
  when nothing came before).

Bounds come from :func:`eventlog._dates.parse_edtf`, so every result is a valid EDTF
string the models accept. Conventions for vague expressions (documented in the README):
"late/end of Y" -> ``Y-36`` (the fourth quarter), "early/begin Y" -> ``Y-33`` (the first
quarter), "mid/halverwege Y" -> ``Y-06~``; of a decade, early/mid/late -> its years 0-3,
4-6, 7-9 ("the mid-1990s" -> ``1994/1996``); "since X" -> ``<start of X>/<document date>``
(``X/..`` without a document date). "End of May" stays ``May``.

Speed: every match of a rule contains certain keywords (a digit and a month name, "year",
"vorig" ...). One pass finds the keywords of the whole text, and each rule scans only the
runs of sentences that have its keywords. The result is the same as scanning the whole
text (``prefilter=False``); tests check that on the corpus and on random texts.

>>> [m.edtf for m in find_dates("Op 4 februari 2022 en eind vorig jaar.", doc_date="2024-05-15")]
['2022-02-04', '2023-36']
>>> normalise_date("May 16-17, 2024").edtf
'2024-05-16/2024-05-17'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from .._dates import EDTFDate, add_months, parse_edtf
from .._errors import ValidationError
from .keywords import KeywordIndex, KeywordSet, fold
from .sentences import split_sentences

__all__ = ["DateMatch", "coerce_doc_date", "find_dates", "normalise_date"]


@dataclass(frozen=True, slots=True)
class DateMatch:
    """One date expression found in a text.

    ``kind`` says what it was resolved against: ``absolute`` (nothing), ``document``
    (the document date), ``anchor`` (an earlier date in the text) or ``vague``.
    """

    edtf: str
    start: date | None
    end: date | None
    precision: str
    text: str
    span: tuple[int, int]
    kind: str
    how: str
    rule: str = ""  # the name of the rule that matched


# ---------------------------------------------------------------------------
# Vocabulary

_MONTHS: dict[str, int] = {}
for _i, (_en, _nl) in enumerate(
    zip(
        "january february march april may june july august september october november december".split(),
        "januari februari maart april mei juni juli augustus september oktober november december".split(),
        strict=True,
    ),
    start=1,
):
    _MONTHS[_en] = _MONTHS[_nl] = _i
_MONTHS.update(
    {"jan": 1, "feb": 2, "mar": 3, "mrt": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
     "oct": 10, "okt": 10, "nov": 11, "dec": 12}
)
_WEEKDAYS = {
    w: i
    for i, names in enumerate(
        [("monday", "maandag"), ("tuesday", "dinsdag"), ("wednesday", "woensdag"), ("thursday", "donderdag"),
         ("friday", "vrijdag"), ("saturday", "zaterdag"), ("sunday", "zondag")]
    )
    for w in names
}
_NUMBERS = {
    w: n
    for n, names in enumerate(
        [(), ("one", "a", "an", "een", "één"), ("two", "twee"), ("three", "drie"), ("four", "vier"), ("five", "vijf"),
         ("six", "zes"), ("seven", "zeven"), ("eight", "eight", "acht"), ("nine", "negen"), ("ten", "tien"),
         ("eleven", "elf"), ("twelve", "twaalf")]
    )
    for w in names
}
_ORDINALS = {
    "first": 1, "1st": 1, "eerste": 1, "second": 2, "2nd": 2, "tweede": 2, "third": 3, "3rd": 3, "derde": 3,
    "fourth": 4, "4th": 4, "vierde": 4, "last": -1, "laatste": -1, "final": -1,
}
_SEASONS = {"spring": 21, "lente": 21, "voorjaar": 21, "summer": 22, "zomer": 22, "autumn": 23, "fall": 23,
            "herfst": 23, "najaar": 23, "winter": 24}
_DECADE_WORDS = {"twintig": 2, "twenties": 2, "dertig": 3, "thirties": 3, "veertig": 4, "forties": 4, "vijftig": 5,
                 "fifties": 5, "zestig": 6, "sixties": 6, "zeventig": 7, "seventies": 7, "tachtig": 8,
                 "eighties": 8, "negentig": 9, "nineties": 9}

# (only an abbreviation takes a full stop: "in July. Last year ..." is two sentences, not July of last year)
_MONTH_RE = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december|"
    r"januari|februari|maart|mei|juni|juli|augustus|oktober|"
    r"(?:jan|feb|mar|mrt|apr|jun|jul|aug|sept|sep|oct|okt|nov|dec)\.?)"
)
_YEAR = r"(?:19\d{2}|20\d{2})"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th|e|ste|de)?"
_DASH = r"\s*(?:[-–—]|\b(?:to|until|till|tot|t/m|through|and|en)\b)\s*"
_PREP = r"(?:\b(?:on|in|op|during|tijdens)\s+)?"
# A year given in words or relative to the document date ("last year", "vorig jaar").
_REL_YEAR = (
    r"(?:last|this|next|the\s+previous|the\s+past|vorig|vorige|afgelopen|dit|volgend|volgende|het\s+afgelopen)\s+(?:year|jaar)"
)
_YEARISH = rf"(?:(?P<y>{_YEAR})(?!\d)|(?P<rely>{_REL_YEAR}))"
_NUM = r"(?:an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|een|één|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|\d{1,2})"
_B = r"(?<![\w])"
#: A decade: "the 1990s", "the '90s", "the nineties", "de jaren negentig", "de jaren '90".
_DECADE = (
    r"(?:(?:the\s+)?(?P<dy>(?:19|20)\d0)'?s|(?:the\s+)?'?(?P<dd>\d0)s|(?:the\s+)?(?P<dw>twenties|thirties|forties|fifties|"
    r"sixties|seventies|eighties|nineties)|(?:de\s+)?jaren\s+(?:'?(?P<dd2>\d0)|(?P<dw2>twintig|dertig|veertig|vijftig|"
    r"zestig|zeventig|tachtig|negentig)))(?!\w)"
)  # start at a word boundary that also works before digits and after punctuation
_E = r"(?!(?![¹²³⁰⁴⁵⁶⁷⁸⁹])\w)"  # a word ends here; footnote marks such as "2023²" may follow


# ---------------------------------------------------------------------------
# Context


@dataclass(slots=True)
class _Ctx:
    doc: EDTFDate | None
    anchor: EDTFDate | None = None
    text: str = ""

    @property
    def doc_year(self) -> int | None:
        d = self.doc
        if d is None or d.start is None or d.end is None or d.start.year != d.end.year:
            return None
        return d.start.year

    @property
    def doc_month(self) -> tuple[int, int] | None:
        d = self.doc
        if d is None or d.start is None or d.end is None or (d.start.year, d.start.month) != (d.end.year, d.end.month):
            return None
        return d.start.year, d.start.month

    @property
    def doc_day(self) -> date | None:
        d = self.doc
        return d.start if d is not None and d.start is not None and d.start == d.end else None


def coerce_doc_date(value: str | date | EDTFDate | None) -> EDTFDate | None:
    """A document date as an :class:`EDTFDate` (accepts EDTF strings and ``datetime.date``).

    >>> coerce_doc_date("2024-05").precision
    'month'
    """
    if value is None or isinstance(value, EDTFDate):
        return value
    if isinstance(value, date):
        return parse_edtf(value.isoformat()[:10])
    try:
        return parse_edtf(str(value))
    except ValidationError as exc:
        raise ValidationError(f"doc_date: {exc.message}") from None


def _month(y: int, m: int) -> str:
    return f"{y:04d}-{m:02d}"


def _day(d: date) -> str:
    return d.isoformat()


def _iv(a: str, b: str) -> str:
    return a if a == b else f"{a}/{b}"


def _add_months(y: int, m: int, k: int) -> tuple[int, int]:
    d = add_months(date(y, m, 1), k)
    return d.year, d.month


def _num(word: str) -> int:
    w = word.lower()
    return int(w) if w.isascii() and w.isdigit() else _NUMBERS[w]


def _rel_year(phrase: str, ctx: _Ctx) -> int | None:
    """The year meant by "last year", "dit jaar", ... relative to the document date."""
    y = ctx.doc_year
    if y is None:
        return None
    p = phrase.lower()
    if p.startswith(("last", "the previous", "the past", "vorig", "afgelopen", "het afgelopen")):
        return y - 1
    if p.startswith(("next", "volgend")):
        return y + 1
    return y


def _year_of(m: re.Match[str], ctx: _Ctx) -> int | None:
    if m.group("y"):
        return int(m.group("y"))
    return _rel_year(m.group("rely"), ctx)


def _default_year(month: int, ctx: _Ctx, pos: int) -> int | None:
    """Year of a month named without one: the document's year, or the year before when the month
    lies after the document's month and nothing in the text points to the future."""
    y = ctx.doc_year
    if y is None:
        return None
    dm = ctx.doc_month
    if dm is not None and month > dm[1] and not _future_cue(ctx.text, pos):
        return y - 1
    return y


_FUTURE = re.compile(r"\b(?:will|shall|set to|to begin|is due|are due|scheduled|next|coming|upcoming|zal|zullen|gaat|komende|volgende)\b", re.I)


def _future_cue(text: str, pos: int) -> bool:
    """A future marker ("will", "set to", "zal") earlier in the same clause, close to ``pos``."""
    lo = max(0, pos - 40)
    cut = max(text.rfind(c, lo, pos) for c in ",;.")
    return bool(_FUTURE.search(text, max(lo, cut + 1), pos))


# ---------------------------------------------------------------------------
# Resolvers: match -> EDTF (or None when the context lacks what the expression needs)

Resolver = Callable[[re.Match[str], _Ctx], str | None]


def _r_iso(m: re.Match[str], ctx: _Ctx) -> str | None:
    return _day(date(int(m["y"]), int(m["m"]), int(m["d"])))


def _r_dmy(m: re.Match[str], ctx: _Ctx) -> str | None:
    mon = _MONTHS[m["mon"].lower().rstrip(".")]
    y = int(m["y"]) if m["y"] else _default_year(mon, ctx, m.start())
    return None if y is None else _day(date(y, mon, int(re.sub(r"\D", "", m["d"]))))


def _r_day_range(m: re.Match[str], ctx: _Ctx) -> str | None:
    mon = _MONTHS[m["mon"].lower().rstrip(".")]
    mon1 = _MONTHS[m["mon1"].lower().rstrip(".")] if m.groupdict().get("mon1") else mon
    y = int(m["y"]) if m["y"] else _default_year(mon, ctx, m.start())
    if y is None:
        return None
    d1 = date(y if mon1 <= mon else y - 1, mon1, int(re.sub(r"\D", "", m["d1"])))
    d2 = date(y, mon, int(re.sub(r"\D", "", m["d2"])))
    return _iv(_day(d1), _day(d2)) if d2 >= d1 else None


def _r_month_year(m: re.Match[str], ctx: _Ctx) -> str | None:
    y = _year_of(m, ctx)
    return None if y is None else _month(y, _MONTHS[m["mon"].lower().rstrip(".")])


def _r_month_only(m: re.Match[str], ctx: _Ctx) -> str | None:
    mon = _MONTHS[m["mon"].lower().rstrip(".")]
    if m["mod"] and m["mod"].strip().lower() in ("this", "deze"):  # "this July": the document's year
        return None if ctx.doc_year is None else _month(ctx.doc_year, mon)
    if m["mod"] and m["mod"].strip().lower() in ("last", "vorige", "afgelopen"):
        dm = ctx.doc_month
        if dm is None:
            return None
        return _month(dm[0] if mon < dm[1] else dm[0] - 1, mon)
    y = _default_year(mon, ctx, m.start())
    return None if y is None else _month(y, mon)


def _r_month_range(m: re.Match[str], ctx: _Ctx) -> str | None:
    y = _year_of(m, ctx)
    if y is None:
        return None
    a, b = _MONTHS[m["mon1"].lower().rstrip(".")], _MONTHS[m["mon2"].lower().rstrip(".")]
    return _iv(_month(y if a <= b else y - 1, a), _month(y, b))


def _r_month_range_only(m: re.Match[str], ctx: _Ctx) -> str | None:
    """"January-August" without a year: the year a month named alone would get (its end month decides)."""
    names = (m["mon1"], m["mon2"])
    if any(len(n.rstrip(".")) < 3 or (n[0].islower() and n.lower().rstrip(".") in _EN_LOWER_AMBIGUOUS) for n in names):
        return None
    a, b = (_MONTHS[n.lower().rstrip(".")] for n in names)
    y = _default_year(b, ctx, m.start())
    if y is None:
        return None
    return _iv(_month(y if a <= b else y - 1, a), _month(y, b))


def _r_year(m: re.Match[str], ctx: _Ctx) -> str | None:
    return m["y"]


def _r_year_range(m: re.Match[str], ctx: _Ctx) -> str | None:
    a, b = int(m["y1"] or m["y1b"]), m["y2"] or m["y2b"] or m["y2s"]
    end = int(b) if len(b) == 4 else a // 100 * 100 + int(b)
    return f"{a}/{end}" if end > a else None


def _r_decade(m: re.Match[str], ctx: _Ctx) -> str | None:
    if m["dy"]:
        return m["dy"][:3] + "X"
    digits = m["dd"] or m["dd2"]
    tens = int(digits) // 10 if digits else _DECADE_WORDS[(m["dw"] or m["dw2"]).lower()]
    return f"19{tens}X"


def _r_season(m: re.Match[str], ctx: _Ctx) -> str | None:
    y = _year_of(m, ctx)
    return None if y is None else f"{y:04d}-{_SEASONS[m['season'].lower()]}"


def _r_quarter(m: re.Match[str], ctx: _Ctx) -> str | None:
    y = _year_of(m, ctx)
    if y is None:
        return None
    q = int(m["qn"]) if m["qn"] else _ORDINALS[m["qo"].lower()]
    return f"{y:04d}-{32 + (4 if q == -1 else q)}"


def _r_half(m: re.Match[str], ctx: _Ctx) -> str | None:
    y = _year_of(m, ctx)
    if y is None:
        return None
    h = int(m["hn"]) if m["hn"] else _ORDINALS[m["ho"].lower()]
    return f"{y:04d}-{40 if h == 1 else 41}" if h in (1, 2, -1) else None


def _r_months_of(m: re.Match[str], ctx: _Ctx) -> str | None:
    y = _year_of(m, ctx)
    n = _num(m["n"])
    if y is None or not 1 <= n <= 12:
        return None
    first = m["which"].lower() in ("first", "eerste")
    return _iv(_month(y, 1), _month(y, n)) if first else _iv(_month(y, 13 - n), _month(y, 12))


def _r_vague(m: re.Match[str], ctx: _Ctx) -> str | None:
    y = _year_of(m, ctx)
    if y is None:
        return None
    part = _vague_part(m["vague"])
    if part == "late":
        return f"{y:04d}-36"  # the fourth quarter: no more precise than "end of 2023" allows
    if part == "mid":
        return f"{y:04d}-06~"
    return f"{y:04d}-33"


def _vague_part(word: str) -> str:
    """'early', 'mid' or 'late' for the modifiers of vague expressions (both languages)."""
    w = word.lower()
    if w.startswith(("late", "end", "eind", "the end", "het eind", "laat", "the late")):
        return "late"
    if w.startswith(("mid", "halverwege", "medio", "midden", "the middle", "the mid", "het midden")):
        return "mid"
    return "early"


def _r_vague_decade(m: re.Match[str], ctx: _Ctx) -> str | None:
    """"the mid-1990s" -> 1994/1996: early = years 0-3, mid = 4-6, late = 7-9 of the decade."""
    decade = _r_decade(m, ctx)
    if decade is None:
        return None
    d0 = int(decade[:3]) * 10
    a, b = {"early": (0, 3), "mid": (4, 6), "late": (7, 9)}[_vague_part(m["vague"])]
    return f"{d0 + a}/{d0 + b}"


def _r_vague_month(m: re.Match[str], ctx: _Ctx) -> str | None:
    mon = _MONTHS[m["mon"].lower().rstrip(".")]
    y = int(m["y"]) if m["y"] else _default_year(mon, ctx, m.start())
    return None if y is None else _month(y, mon)


def _r_rel_year(m: re.Match[str], ctx: _Ctx) -> str | None:
    y = _rel_year(m["rely"], ctx)
    return None if y is None else f"{y:04d}"


def _r_rel_month(m: re.Match[str], ctx: _Ctx) -> str | None:
    dm = ctx.doc_month
    if dm is None:
        return None
    w = m["which"].lower()
    k = -1 if w in ("last", "vorige", "afgelopen", "the previous") else 1 if w in ("next", "volgende") else 0
    return _month(*_add_months(dm[0], dm[1], k))


def _r_rel_week(m: re.Match[str], ctx: _Ctx) -> str | None:
    d = ctx.doc_day
    if d is None:
        return None
    w = m["which"].lower()
    k = -1 if w in ("last", "vorige", "afgelopen", "the previous") else 1 if w in ("next", "volgende") else 0
    monday = d - timedelta(days=d.weekday()) + timedelta(weeks=k)
    return _iv(_day(monday), _day(monday + timedelta(days=6)))


def _r_rel_day(m: re.Match[str], ctx: _Ctx) -> str | None:
    d = ctx.doc_day
    if d is None:
        return None
    w = m["rd"].lower()
    k = {"yesterday": -1, "gisteren": -1, "today": 0, "vandaag": 0, "tomorrow": 1, "morgen": 1, "eergisteren": -2}.get(w, 0)
    return _day(d + timedelta(days=k))


def _r_weekday(m: re.Match[str], ctx: _Ctx) -> str | None:
    d = ctx.doc_day
    if d is None:
        return None
    wd = _WEEKDAYS[m["wd"].lower()]
    mod = (m["mod"] or "").lower()
    if mod in ("next", "volgende", "komende") or (not mod and _future_cue(ctx.text, m.start())):
        delta = (wd - d.weekday()) % 7 or 7
        return _day(d + timedelta(days=delta))
    back = (d.weekday() - wd) % 7
    if mod in ("last", "vorige", "afgelopen") and back == 0:
        back = 7
    return _day(d - timedelta(days=back))


def _r_years_ago(m: re.Match[str], ctx: _Ctx) -> str | None:
    y = ctx.doc_year
    return None if y is None else f"{y - _num(m['n']):04d}"


def _r_past_years(m: re.Match[str], ctx: _Ctx) -> str | None:
    y = ctx.doc_year
    if y is None or ctx.doc is None:
        return None
    n = _num(m["n"]) if m["n"] else 1
    doc = ctx.doc.edtf.rstrip("?~%")
    return f"{y - n:04d}{doc[4:]}/{doc}"


def _anchor_year(ctx: _Ctx) -> int | None:
    a = ctx.anchor if ctx.anchor is not None else ctx.doc
    if a is None or a.start is None:
        return None
    ref = a.end if a.end is not None and a.start.year != a.end.year else a.start
    return ref.year


def _r_anchor_shift(m: re.Match[str], ctx: _Ctx) -> str | None:
    y = _anchor_year(ctx)
    if y is None:
        return None
    n = _num(m["n"]) if m["n"] else 1
    sign = -1 if m["dir"].lower() in ("earlier", "eerder", "before", "ervoor", "previously") else 1
    return f"{y + sign * n:04d}"


def _r_anchor_named(m: re.Match[str], ctx: _Ctx) -> str | None:
    y = _anchor_year(ctx)
    if y is None:
        return None
    w = m[0].lower()
    if any(k in w for k in ("following", "daarop", "erna", "volgende jaar", "next year", "year after")):
        return f"{y + 1:04d}"
    if any(k in w for k in ("previous", "ervoor", "voorgaande", "year before", "vorige jaar")):
        return f"{y - 1:04d}"
    return f"{y:04d}"


# ---------------------------------------------------------------------------
# Rules: (name, kind, priority, pattern, resolver). Longer matches win; on equal length the
# lower priority number wins.

_RULES_SRC: list[tuple[str, str, int, str, Resolver]] = [
    ("iso_day", "absolute", 0, rf"{_B}(?P<y>{_YEAR})-(?P<m>0?[1-9]|1[0-2])-(?P<d>[12]\d|3[01]|0?[1-9]){_E}", _r_iso),
    (
        "range_dm_dmy", "absolute", 1,
        rf"{_PREP}{_B}(?P<d1>{_DAY})\s+(?:of\s+)?(?P<mon1>{_MONTH_RE})(?:\s+{_YEAR})?{_DASH}(?P<d2>{_DAY})\s+(?:of\s+)?(?P<mon>{_MONTH_RE})(?:,?\s+(?P<y>{_YEAR}))?{_E}",
        _r_day_range,
    ),
    (
        "range_dd_my", "absolute", 1,
        rf"{_PREP}{_B}(?P<d1>{_DAY})\s*(?:[-–—]|to|tot|t/m|and|en)\s*(?P<d2>{_DAY})\s+(?:of\s+)?(?P<mon>{_MONTH_RE})(?:,?\s+(?P<y>{_YEAR}))?{_E}",
        _r_day_range,
    ),
    (
        "range_m_dd_y", "absolute", 1,
        rf"{_PREP}{_B}(?P<mon>{_MONTH_RE})\s+(?P<d1>{_DAY})\s*(?:[-–—]|to|and)\s*(?P<d2>{_DAY})(?:,?\s+(?P<y>{_YEAR}))?{_E}",
        _r_day_range,
    ),
    ("dmy", "absolute", 2, rf"{_PREP}{_B}(?:the\s+)?(?P<d>{_DAY})\s+(?:of\s+)?(?P<mon>{_MONTH_RE})(?:,?\s+(?P<y>{_YEAR}))?{_E}", _r_dmy),
    ("mdy", "absolute", 2, rf"{_PREP}{_B}(?P<mon>{_MONTH_RE})\s+(?P<d>{_DAY})(?!\d)(?:,?\s+(?P<y>{_YEAR}))?{_E}", _r_dmy),
    (
        "month_range", "absolute", 2,
        rf"{_PREP}{_B}(?:between\s+|tussen\s+|from\s+|van\s+)?(?P<mon1>{_MONTH_RE}){_DASH}(?P<mon2>{_MONTH_RE})(?:\s+(?:of|van|in))?,?\s+{_YEARISH}{_E}",
        _r_month_range,
    ),
    (
        "month_range_only", "document", 5,
        rf"{_PREP}{_B}(?:between\s+|tussen\s+|from\s+|van\s+)?(?P<mon1>{_MONTH_RE})\s*(?:[-–—]|\b(?:to|until|till|tot|t/m|through)\b)\s*(?P<mon2>{_MONTH_RE}){_E}",
        _r_month_range_only,
    ),
    ("month_year", "absolute", 3, rf"{_PREP}{_B}(?P<mon>{_MONTH_RE})(?:\s+(?:of|van))?,?\s+{_YEARISH}{_E}", _r_month_year),
    ("month_only", "document", 6, rf"(?:\b(?:in|op)\s+|(?P<mod>\b(?:last|vorige|afgelopen|this|deze)\s+))(?P<mon>{_MONTH_RE}){_E}", _r_month_only),
    (
        "year_range", "absolute", 3,
        rf"{_PREP}{_B}(?:(?:between|tussen)\s+(?P<y1b>{_YEAR})\s+(?:and|en)\s+(?P<y2b>{_YEAR})|(?:from\s+|van\s+)?(?P<y1>{_YEAR})(?:\s*(?:[-–—/]|to|until|till|tot|through)\s*(?P<y2>{_YEAR})|[-–/](?P<y2s>1[3-9]|[2-9]\d)(?!\d))){_E}",
        _r_year_range,
    ),
    ("decade", "absolute", 3, rf"{_PREP}{_B}{_DECADE}", _r_decade),
    (
        "vague_decade", "vague", 2,
        rf"(?:\b(?:in|during|tijdens)\s+)?{_B}(?P<vague>(?:the\s+)?(?:early|mid|late)|(?:het\s+)?(?:begin|midden|eind|halverwege)(?:\s+van)?)(?:\s+|-){_DECADE}",
        _r_vague_decade,
    ),
    (
        "season", "absolute", 3,
        rf"{_PREP}{_B}(?:the\s+|de\s+)?(?P<season>spring|summer|autumn|fall|winter|lente|voorjaar|zomer|herfst|najaar)(?:\s+(?:of|van))?(?:\s+|-){_YEARISH}{_E}",
        _r_season,
    ),
    (
        "quarter", "absolute", 3,
        rf"{_PREP}{_B}(?:(?:the\s+|het\s+)?(?P<qo>first|second|third|fourth|last|final|1st|2nd|3rd|4th|eerste|tweede|derde|vierde|laatste)\s+(?:quarter|kwartaal)(?:\s+(?:of|van))?|Q(?P<qn>[1-4]))\s+{_YEARISH}{_E}",
        _r_quarter,
    ),
    (
        "half", "absolute", 3,
        rf"{_PREP}{_B}(?:(?:the\s+|de\s+|het\s+)?(?P<ho>first|second|last|1st|2nd|eerste|tweede|laatste)\s+(?:half|helft)(?:\s+(?:of|van))?|H(?P<hn>[12]))\s+{_YEARISH}{_E}",
        _r_half,
    ),
    (
        "months_of", "absolute", 3,
        rf"{_PREP}{_B}(?:the\s+|de\s+)?(?P<which>first|last|eerste|laatste)\s+(?P<n>{_NUM})\s+(?:months|maanden)\s+(?:of|van)\s+{_YEARISH}{_E}",
        _r_months_of,
    ),
    (
        "vague_year", "vague", 3,
        rf"(?:\b(?:in|at|by|aan|tegen)\s+)?{_B}(?P<vague>(?:the\s+)?(?:late|early|mid|end\s+of|beginning\s+of|start\s+of|middle\s+of)|(?:het\s+)?(?:eind|einde|begin|halverwege|midden|medio|laat\s+in|vroeg\s+in)(?:\s+van)?)(?:\s+|-)(?:the\s+)?{_YEARISH}{_E}",
        _r_vague,
    ),
    (
        "vague_month", "vague", 2,
        rf"(?:\b(?:in|at|by|aan|tegen)\s+)?{_B}(?P<vague>(?:late|early|mid|the\s+end\s+of|end\s+of|eind|einde|begin|halverwege|midden|medio)(?:\s+van)?)(?:\s+|-)(?P<mon>{_MONTH_RE})(?:\s+(?P<y>{_YEAR}))?{_E}",
        _r_vague_month,
    ),
    ("rel_year", "document", 4, rf"(?:\b(?:earlier|later|eerder|later)\s+)?{_B}(?P<rely>{_REL_YEAR}){_E}", _r_rel_year),
    (
        "rel_month", "document", 4,
        rf"(?:\b(?:earlier|later|eerder|later)\s+)?{_B}(?P<which>last|this|next|the\s+previous|vorige|afgelopen|deze|volgende)\s+(?:month|maand){_E}",
        _r_rel_month,
    ),
    (
        "rel_week", "document", 4,
        rf"(?:\b(?:earlier|later|eerder|later)\s+)?{_B}(?P<which>last|this|next|the\s+previous|vorige|afgelopen|deze|volgende)\s+(?:week){_E}",
        _r_rel_week,
    ),
    ("rel_day", "document", 5, rf"{_B}(?P<rd>yesterday|today|tomorrow|gisteren|eergisteren|vandaag|morgen|this\s+(?:morning|afternoon|evening)|tonight|vanochtend|vanmorgen|vanmiddag|vanavond){_E}", _r_rel_day),
    (
        "weekday", "document", 5,
        rf"(?:\b(?:on|op)\s+)?{_B}(?:(?P<mod>last|next|this|vorige|volgende|komende|afgelopen)\s+)?(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag)(?:avond|ochtend|middag|morgen|nacht)?{_E}",
        _r_weekday,
    ),
    ("years_ago", "document", 4, rf"{_B}(?P<n>{_NUM})\s+(?:years?|jaar|jaren)\s+(?:ago|geleden){_E}", _r_years_ago),
    (
        "past_years", "document", 4,
        rf"(?:\b(?:over|in|during|tijdens)\s+)?{_B}(?:the\s+past|the\s+last|de\s+afgelopen|de\s+voorbije|de\s+laatste)\s+(?:(?P<n>{_NUM})\s+)?(?:years|jaar|jaren){_E}",
        _r_past_years,
    ),
    (
        "anchor_shift", "anchor", 4,
        rf"{_B}(?P<n>{_NUM})\s+(?:years?|jaar)\s+(?P<dir>earlier|later|eerder|before|after|nadien){_E}",
        _r_anchor_shift,
    ),
    (
        "anchor_named", "anchor", 4,
        rf"(?:\b(?:in|that|in\s+that)\s+)?{_B}(?:the\s+following\s+year|the\s+next\s+year|the\s+year\s+after|the\s+previous\s+year|the\s+year\s+before|the\s+same\s+year|that\s+same\s+year|that\s+year|het\s+jaar\s+daarop|het\s+jaar\s+erna|het\s+jaar\s+ervoor|het\s+voorgaande\s+jaar|het\s+volgende\s+jaar|hetzelfde\s+jaar|datzelfde\s+jaar|dat\s+jaar){_E}",
        _r_anchor_named,
    ),
    ("year", "absolute", 9, rf"{_PREP}(?<![\w$€£.,/-])(?P<y>{_YEAR})(?!(?![¹²³⁰⁴⁵⁶⁷⁸⁹])[\w%$€]|[.,]\d|\s*(?:%|procent|percent|km|ton|tonnes|bcm|miljard|miljoen|billion|million|dollars?|\$))", _r_year),
]


_EN_LOWER_AMBIGUOUS = frozenset(("may", "march", "jan", "mar", "dec", "aug", "sep", "nov", "oct", "jun", "jul", "apr", "feb"))


def _r_month_only_checked(m: re.Match[str], ctx: _Ctx) -> str | None:
    # A sentence's full stop may follow the name ("in July."): the name is what comes before it.
    if m["mon"].lower().rstrip(".") not in _MONTHS or len(m["mon"].rstrip(".")) < 3:
        return None
    # English month names are capitalised; "in may" or "in march" are verbs, not months.
    if m["mon"][0].islower() and m["mon"].lower().rstrip(".") in _EN_LOWER_AMBIGUOUS:
        return None
    return _r_month_only(m, ctx)


_RESOLVER_FIX: dict[str, Resolver] = {"month_only": _r_month_only_checked}


@dataclass(frozen=True, slots=True)
class _Rule:
    name: str
    kind: str
    priority: int
    regex: re.Pattern[str]
    resolve: Resolver


RULES: tuple[_Rule, ...] = tuple(
    _Rule(name, kind, prio, re.compile(src, re.IGNORECASE), _RESOLVER_FIX.get(name, res))
    for name, kind, prio, src, res in _RULES_SRC
)
#: Pattern sources, for benchmarks that compare against re-compiling per sentence.
PATTERNS: tuple[str, ...] = tuple(src for _n, _k, _p, src, _r in _RULES_SRC)

_SINCE = re.compile(r"\b(?:ever\s+since|since|sinds|sedert|vanaf)\s+$", re.IGNORECASE)

# ---------------------------------------------------------------------------
# Pre-filter. Every match of a rule contains certain words ("last year" contains "year",
# "4 February 2022" a digit and a month). One pass of one keyword regex per sentence says
# which of these are there, and a rule only scans the sentences that have what it needs.
# This changes no result (tests/test_datetext.py checks that every match of every rule
# contains its keywords, and that the output equals a scan of the whole text).

_KEYWORDS: dict[str, tuple[str, ...]] = {
    "D": (),  # a digit, tested with \d
    "M": ("jan", "feb", "mar", "maa", "mrt", "apr", "may", "mei", "jun", "jul", "aug", "sep", "oct", "okt", "nov", "dec"),
    "Y": ("year", "jaar", "jaren"),
    "Y4": (),  # a year in digits (19xx, 20xx), tested with a regex
    "YR": (),  # a year range ("2001-2008", "between 2001 and 2008"), tested with a regex
    "ISO": (),  # 2024-05-15, tested with a regex
    "DEC": ("0s", "0's", "twenties", "thirties", "forties", "fifties", "sixties", "seventies", "eighties", "nineties",
            "jaren"),  # 1990s, '90s, the nineties, de jaren negentig
    "V": ("late", "early", "mid", "end", "begin", "start", "eind", "halverwege", "medio", "laat", "vroeg"),
    "S": ("spring", "summer", "autumn", "fall", "winter", "lente", "voorjaar", "zomer", "herfst", "najaar"),
    "Q": ("quarter", "kwartaal", "q1", "q2", "q3", "q4"),
    "H": ("half", "helft", "h1", "h2"),
    "MO": ("month", "maand"),
    "W": ("week",),
    "RD": ("yesterday", "today", "tomorrow", "gisteren", "vandaag", "morgen", "morning", "afternoon", "evening", "tonight",
           "vanochtend", "vanmorgen", "vanmiddag", "vanavond"),
    "WD": ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
           "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "AGO": ("ago", "geleden"),
}
#: What each rule's matches contain: any one of these sets of keyword classes, in full.
_NEEDS: dict[str, tuple[set[str], ...]] = {
    "iso_day": ({"ISO"},), "range_dm_dmy": ({"D", "M"},), "range_dd_my": ({"D", "M"},), "range_m_dd_y": ({"D", "M"},),
    "dmy": ({"D", "M"},), "mdy": ({"D", "M"},), "month_range": ({"M", "Y4"}, {"M", "Y"}), "month_range_only": ({"M"},),
    "month_year": ({"M", "Y4"}, {"M", "Y"}), "month_only": ({"M"},), "year_range": ({"YR"},), "decade": ({"DEC"},),
    "vague_decade": ({"V", "DEC"},), "season": ({"S", "Y4"}, {"S", "Y"}), "quarter": ({"Q", "Y4"}, {"Q", "Y"}),
    "half": ({"H", "Y4"}, {"H", "Y"}), "months_of": ({"MO", "Y4"}, {"MO", "Y"}), "vague_year": ({"V", "Y4"}, {"V", "Y"}),
    "vague_month": ({"V", "M"},), "rel_year": ({"Y"},), "rel_month": ({"MO"},), "rel_week": ({"W"},), "rel_day": ({"RD"},),
    "weekday": ({"WD"},), "years_ago": ({"AGO"},), "past_years": ({"Y"},), "anchor_shift": ({"Y"},),
    "anchor_named": ({"Y"},), "year": ({"Y4"},),
}


_KW = KeywordSet(w for ws in _KEYWORDS.values() for w in ws)
_KW_CLASSES: dict[str, frozenset[str]] = {
    k: frozenset(c for c, ws in _KEYWORDS.items() if any(_KW.key(w) == k for w in ws))
    for k in {_KW.key(w) for ws in _KEYWORDS.values() for w in ws}
}
_DIGIT = re.compile(r"\d")
_YEAR4 = re.compile(r"(?:19|20)\d\d")
_YEAR_RANGE = re.compile(
    r"(?:19|20)\d\d\s*(?:[-–—/]|to|until|till|tot|through)\s*\d|(?:between|tussen)\s+(?:19|20)\d\d", re.IGNORECASE
)
_ISO = re.compile(r"(?:19|20)\d\d-\d")


# In every rule a month name is a whole word: no word character before it, and none after
# it but a footnote mark (the rules' ranges need a word boundary around "to", "tot" ...).
_MONTH_WORD = re.compile(rf"(?:{_MONTH_RE[3:-4]})(?![^\W¹²³⁰⁴⁵⁶⁷⁸⁹])", re.IGNORECASE)


def _month_word(text: str, pos: int) -> bool:
    return (pos == 0 or not (text[pos - 1].isalnum() or text[pos - 1] == "_")) and _MONTH_WORD.match(text, pos) is not None


def _classes(text: str, s: int, e: int, index: KeywordIndex | None = None) -> set[str]:
    """The keyword classes present in ``text[s:e]`` (``index``: the keywords of all of ``text``).
    Class ``M`` counts only a month name written as a word."""
    out: set[str] = set()
    if _DIGIT.search(text, s, e):
        out.add("D")
        if _YEAR4.search(text, s, e):
            out.add("Y4")
            if _YEAR_RANGE.search(text, s, e):
                out.add("YR")
            if _ISO.search(text, s, e):
                out.add("ISO")
    found = index.occurrences(s, e) if index is not None else [(s + i, k) for i, k in _KW.occurrences(fold(text[s:e]))]
    for pos, k in found:
        cls = _KW_CLASSES[k]
        if "M" in cls and not _month_word(text, pos):
            cls = cls - {"M"}
        out |= cls
    return out


_APPLIES: dict[frozenset[str], tuple[bool, ...]] = {}


def _applicable(present: frozenset[str]) -> tuple[bool, ...]:
    """For each rule, whether a text with these keyword classes can hold a match of it."""
    got = _APPLIES.get(present)
    if got is None:
        got = _APPLIES[present] = tuple(any(need <= present for need in _NEEDS[r.name]) for r in RULES)
    return got


_REACH = 40  # characters a match (lookaheads included) may run past the end of the sentence it starts in


def _scan(text: str, regions: list[tuple[int, int]] | None) -> list[tuple[int, int, _Rule, re.Match[str]]]:
    """Every match of every rule, rule by rule in text order, exactly as ``finditer`` over the
    whole text gives them. With ``regions`` (the sentences, which hold every character that is
    not white space) a rule scans only runs of sentences that have its keywords; keywords are
    looked for up to ``_REACH`` characters past a sentence, where a match starting in it may end."""
    if regions is None:
        return [(m.start(), m.end(), r, m) for r in RULES for m in r.regex.finditer(text) if m.end() > m.start()]
    n = len(text)
    index = _KW.index(fold(text))
    ok = [_applicable(frozenset(_classes(text, s, min(n, e + _REACH), index))) for s, e in regions]
    found = []
    for k, r in enumerate(RULES):
        pos = 0  # where finditer over the whole text would resume
        i = 0
        while i < len(regions):
            if not ok[i][k]:
                i += 1
                continue
            j = i
            while j + 1 < len(regions) and ok[j + 1][k]:
                j += 1
            s, e = regions[i][0], regions[j][1]
            i = j + 1
            if e <= pos:
                continue
            for m in r.regex.finditer(text, max(s, pos), min(n, e + _REACH)):
                if m.start() >= e:
                    break
                if m.end() > m.start():
                    found.append((m.start(), m.end(), r, m))
                    pos = m.end()
    return found


def _rule_matches(text: str, regions: list[tuple[int, int]] | None = None) -> list[tuple[int, int, _Rule, re.Match[str]]]:
    """Every rule match, then the longest non-overlapping ones in text order."""
    found = _scan(text, regions)
    found.sort(key=lambda x: (-(x[1] - x[0]), x[2].priority, x[0]))
    taken: list[tuple[int, int, _Rule, re.Match[str]]] = []
    for c in found:
        if all(c[1] <= t[0] or c[0] >= t[1] for t in taken):
            taken.append(c)
    taken.sort(key=lambda x: x[0])
    return taken


def _describe(rule: _Rule, ctx: _Ctx, edtf: str) -> str:
    if rule.kind == "document":
        return f"relative to the document date {ctx.doc.edtf if ctx.doc else '?'}"
    if rule.kind == "anchor":
        ref = ctx.anchor or ctx.doc
        return f"relative to the date before it ({ref.edtf if ref else '?'})"
    if rule.kind == "vague":
        return ("vague expression (convention: late/end -> fourth quarter, early/begin -> first quarter, mid -> -06~; "
                "of a decade: years 0-3, 4-6, 7-9)")
    return "absolute"


def find_dates(
    text: str,
    *,
    doc_date: str | date | EDTFDate | None = None,
    lang: str | None = None,
    anchor: str | None = None,
    prefilter: bool = True,
    sentences: list[tuple[int, int]] | None = None,
) -> list[DateMatch]:
    """All date expressions in ``text``, in order, resolved to EDTF.

    Expressions that need a document date are skipped when there is none. ``lang`` is
    accepted for symmetry; the rules know both languages' words. ``prefilter=False`` scans
    the whole text with every rule (slower, same result; for tests and benchmarks);
    ``sentences`` is :func:`~eventlog._extract.sentences.split_sentences` of ``text`` when the
    caller has it.

    >>> [(m.text, m.edtf) for m in find_dates("since 2019", doc_date="2024-05-15")]
    [('since 2019', '2019/2024-05-15')]
    """
    ctx = _Ctx(coerce_doc_date(doc_date), parse_edtf(anchor) if anchor else None, text)
    out: list[DateMatch] = []
    regions = (sentences if sentences is not None else split_sentences(text)) if prefilter else None
    for s, e, rule, m in _rule_matches(text, regions):
        try:
            edtf = rule.resolve(m, ctx)
        except (ValueError, KeyError):  # an impossible day such as 31 February
            edtf = None
        if edtf is None:
            continue
        kind, how = rule.kind, _describe(rule, ctx, edtf)
        since = _SINCE.search(text, max(0, s - 12), s)
        if since and (rule.name == "vague_decade" or "/" not in edtf):
            s = since.start()
            first = edtf.split("/")[0]
            end = ctx.doc.edtf if ctx.doc is not None else ".."
            edtf = f"{first}/{end}"
            how = f"'since': from {first} to the document date {end}" if end != ".." else f"'since': from {first}, open end"
        try:
            parsed = parse_edtf(edtf)
        except ValidationError:
            if not edtf.endswith("/.."):
                continue
            parsed = EDTFDate(edtf, parse_edtf(edtf[:-3]).start, None, parse_edtf(edtf[:-3]).precision)
        ctx.anchor = parsed if parsed.start is not None and parsed.end is not None else ctx.anchor
        out.append(DateMatch(parsed.edtf, parsed.start, parsed.end, parsed.precision, text[s:e], (s, e), kind, how, rule.name))
    return out


def normalise_date(
    expression: str, *, doc_date: str | date | EDTFDate | None = None, lang: str | None = None
) -> DateMatch | None:
    """The one date expression that makes up ``expression`` (surrounding spaces and
    punctuation allowed), or None when it is not one.

    >>> normalise_date("eind 2023").edtf
    '2023-36'
    >>> normalise_date("vorig jaar", doc_date="2025-02-01").edtf
    '2024'
    """
    stripped = expression.strip(" \t\n.,;:()")
    found = find_dates(stripped, doc_date=doc_date, lang=lang)
    if len(found) != 1 or found[0].span != (0, len(stripped)):
        return None
    return replace(found[0], text=found[0].text)
