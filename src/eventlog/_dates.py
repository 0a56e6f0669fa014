"""Uncertain dates as EDTF (ISO 8601-2) strings, with the bounds they allow.

Events are rarely known to the day. An event's ``date`` is the EDTF string and
``start``/``end`` are the inclusive bounds of where it can fall, so a year-only
event spans 1 January to 31 December and never looks like a 1 January event.

Supported (a documented subset of EDTF levels 0-2):

====================  ===========================  =================================
EDTF                  meaning                      start .. end, precision
====================  ===========================  =================================
``2024-05-16``        a day                        2024-05-16 .. 2024-05-16, day
``2022-02``           a month                      2022-02-01 .. 2022-02-28, month
``2014``              a year                       2014-01-01 .. 2014-12-31, year
``201X``              a decade                     2010-01-01 .. 2019-12-31, decade
``2023-21``..``-24``  spring, summer, autumn,      Mar-May, Jun-Aug, Sep-Nov,
                      winter                       Dec-Feb (next year), season
``2023-33``..``-36``  quarter 1-4                  Jan-Mar .. Oct-Dec, quarter
``2023-40``/``-41``   first / second half          Jan-Jun / Jul-Dec, half
``A/B``               an interval (A, B above)     A.start .. B.end, coarser of both
``A/..``, ``../B``    open interval                one bound is None
====================  ===========================  =================================

A trailing ``?`` (uncertain), ``~`` (approximate) or ``%`` (both) qualifies a
date. Qualified dates can fall a little outside their nominal period: the bounds
widen by one unit of the date's precision on each side (``2023-12~`` is
2023-11-01 .. 2024-01-31). The ``edtf`` package is the reference implementation;
this module parses the subset with one regular expression (about a thousand times
faster) and a property test checks the two agree.

>>> d = parse_edtf("2014")
>>> (d.start.isoformat(), d.end.isoformat(), d.precision)
('2014-01-01', '2014-12-31', 'year')
>>> parse_edtf("2024-05-16/2024-05-17").end.isoformat()
'2024-05-17'
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from ._errors import ValidationError

__all__ = ["EDTF_PATTERN", "PRECISIONS", "EDTFDate", "add_months", "format_edtf_words", "parse_day", "parse_edtf", "parse_timestamp"]

#: From finest to coarsest; an interval takes the coarser precision of its ends.
PRECISIONS = ("day", "month", "season", "quarter", "half", "year", "decade")

_SEASONS = {21: (3, 5), 22: (6, 8), 23: (9, 11), 24: (12, 14)}  # month 13, 14 = next year
_QUARTERS = {33: (1, 3), 34: (4, 6), 35: (7, 9), 36: (10, 12)}
_HALVES = {40: (1, 6), 41: (7, 12)}
_SEASON_WORDS = {21: "spring", 22: "summer", 23: "autumn", 24: "winter"}

_SINGLE_TEXT = r"(?:(?P<decade>\d{3})X|(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?)(?P<qual>[?~%])?"
_SINGLE = re.compile(f"^{_SINGLE_TEXT}$")
_UNNAMED = re.sub(r"\(\?P<\w+>", "(?:", _SINGLE_TEXT)
#: The subset this module parses as one regular expression (a date or an interval of two), for
#: JSON Schema and editors: the same text the parser is built from.
EDTF_PATTERN = rf"^{_UNNAMED}(?:/{_UNNAMED})?$"


@dataclass(frozen=True, slots=True)
class EDTFDate:
    """A parsed EDTF date: the string, its inclusive bounds and its precision."""

    edtf: str
    start: date | None
    end: date | None
    precision: str
    qualifier: str | None = None  # "uncertain", "approximate", "uncertain+approximate"

    @property
    def is_point(self) -> bool:
        """True when the date is one known day (drawn as a point, not a bar)."""
        return self.start is not None and self.start == self.end


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(d: date, months: int) -> date:
    """The first day of the month ``months`` after ``d``'s (the one month arithmetic).

    >>> add_months(date(2023, 11, 30), 3)
    datetime.date(2024, 2, 1)
    """
    m = d.month - 1 + months
    return date(d.year + m // 12, m % 12 + 1, 1)


def _widen(start: date, end: date, precision: str) -> tuple[date, date]:
    """Bounds of a qualified date: one unit of its precision either side, clipped to the
    calendar (years 1 to 9999): "about 9999" ends on 9999-12-31.

    >>> _widen(date(9999, 12, 31), date(9999, 12, 31), "day")
    (datetime.date(9999, 12, 30), datetime.date(9999, 12, 31))
    """
    if precision == "day":
        lo = start - timedelta(days=1) if start > date.min else start
        hi = end + timedelta(days=1) if end < date.max else end
        return lo, hi
    if precision in ("month", "season", "quarter", "half"):
        months = {"month": 1, "season": 3, "quarter": 3, "half": 6}[precision]
        first = (start.year - 1) * 12 + start.month - 1  # months since 0001-01
        lo = add_months(start, -months) if first >= months else date.min
        last = (end.year - 1) * 12 + end.month - 1
        if last + months > 9999 * 12 - 1:
            return lo, date.max
        new_end = add_months(end.replace(day=1), months)
        return lo, _month_end(new_end.year, new_end.month)
    years = 10 if precision == "decade" else 1
    return date(max(start.year - years, 1), 1, 1), date(min(end.year + years, 9999), 12, 31)


_QUALIFIERS = {"?": "uncertain", "~": "approximate", "%": "uncertain+approximate"}


def _parse_single(text: str) -> EDTFDate:
    m = _SINGLE.match(text)
    if not m:
        raise ValueError(f"not an EDTF date: {text!r}")
    qual = m.group("qual")
    if m.group("decade"):
        y0 = int(m.group("decade")) * 10
        start, end, precision = date(y0, 1, 1), date(y0 + 9, 12, 31), "decade"
    else:
        year = int(m.group("year"))
        month, day = m.group("month"), m.group("day")
        if month is None:
            start, end, precision = date(year, 1, 1), date(year, 12, 31), "year"
        else:
            mm = int(month)
            if day is not None:
                try:
                    start = end = date(year, mm, int(day))
                except ValueError as exc:
                    raise ValueError(f"no such day: {text!r}") from exc
                precision = "day"
            elif 1 <= mm <= 12:
                start, end, precision = date(year, mm, 1), _month_end(year, mm), "month"
            elif mm in _SEASONS:
                a, b = _SEASONS[mm]
                start = date(year, a, 1)
                end = _month_end(year + (b - 1) // 12, (b - 1) % 12 + 1)
                precision = "season"
            elif mm in _QUARTERS:
                a, b = _QUARTERS[mm]
                start, end, precision = date(year, a, 1), _month_end(year, b), "quarter"
            elif mm in _HALVES:
                a, b = _HALVES[mm]
                start, end, precision = date(year, a, 1), _month_end(year, b), "half"
            else:
                raise ValueError(f"no such month, season or quarter: {text!r}")
    if qual:
        start, end = _widen(start, end, precision)
    return EDTFDate(text, start, end, precision, _QUALIFIERS.get(qual) if qual else None)


@lru_cache(maxsize=65536)
def parse_edtf(text: str) -> EDTFDate:
    """Parse an EDTF string into bounds and precision; raise ValidationError if it is not one.

    >>> parse_edtf("2023-21").precision
    'season'
    >>> parse_edtf("sometime")
    Traceback (most recent call last):
    ...
    eventlog._errors.ValidationError: not an EDTF date: 'sometime' (examples: 2014, 2022-02, 2024-05-16/2024-05-17, 2023-12~)
    """
    if not isinstance(text, str):
        raise ValidationError(f"a date must be an EDTF string, not {type(text).__name__} {text!r}")
    s = text.strip()
    try:
        if "/" not in s:
            return _parse_single(s)
        left, _, right = s.partition("/")
        if "/" in right:
            raise ValueError(f"an interval has one '/': {s!r}")
        a = None if left in ("..", "") else _parse_single(left)
        b = None if right in ("..", "") else _parse_single(right)
        if a is None and b is None:
            raise ValueError(f"an interval needs at least one bound: {s!r}")
        if a is not None and b is not None and b.end < a.start:
            raise ValueError(f"interval ends before it starts: {s!r}")
        precs = [x.precision for x in (a, b) if x is not None]
        precision = max(precs, key=PRECISIONS.index)
        quals = {x.qualifier for x in (a, b) if x is not None and x.qualifier}
        return EDTFDate(
            s,
            a.start if a else None,
            b.end if b else None,
            precision,
            "+".join(sorted(quals)) or None,
        )
    except ValueError as exc:
        msg = str(exc)
        if msg.startswith("not an EDTF date"):
            msg += " (examples: 2014, 2022-02, 2024-05-16/2024-05-17, 2023-12~)"
        raise ValidationError(msg) from None


def format_edtf_words(text: str) -> str:
    """The date in plain words, for tooltips and reports.

    >>> format_edtf_words("2014")
    'sometime in 2014'
    >>> format_edtf_words("2024-05-16/2024-05-17")
    '16 May 2024 to 17 May 2024'
    """
    d = parse_edtf(text)
    if "/" in d.edtf:
        left, right = d.edtf.split("/")
        lw = "an open start" if left in ("..", "") else _words_single(left)
        rw = "an open end" if right in ("..", "") else _words_single(right)
        return f"{lw} to {rw}"
    return {
        "year": "sometime in ",
        "decade": "sometime in the ",
        "month": "sometime in ",
        "season": "",
        "quarter": "",
        "half": "",
    }.get(d.precision, "") + _words_single(d.edtf)


def _words_single(text: str) -> str:
    d = _parse_single(text)
    qual = {"uncertain": " (uncertain)", "approximate": " (approximately)"}.get(d.qualifier or "", "")
    if d.qualifier == "uncertain+approximate":
        qual = " (approximately, uncertain)"
    base = text.rstrip("?~%")
    if d.precision == "decade":
        return f"{base[:3]}0s{qual}"
    year = int(base[:4])
    if d.precision == "year":
        return f"{year}{qual}"
    mm = int(base[5:7])
    if d.precision == "day":
        return f"{int(base[8:10])} {calendar.month_name[mm]} {year}{qual}"
    if d.precision == "month":
        return f"{calendar.month_name[mm]} {year}{qual}"
    if d.precision == "season":
        return f"{_SEASON_WORDS[mm]} {year}{qual}"
    if d.precision == "quarter":
        return f"Q{mm - 32} {year}{qual}"
    return f"{'first' if mm == 40 else 'second'} half of {year}{qual}"


def parse_timestamp(value: Any) -> dt.datetime:
    """An ``as_of`` timestamp (aware, UTC when no zone is given); a bare date means the end of that day."""
    if isinstance(value, dt.datetime):
        ts = value
    elif isinstance(value, dt.date):
        ts = dt.datetime(value.year, value.month, value.day, 23, 59, 59, 999999)
    elif isinstance(value, str):
        try:
            ts = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError(
                f"as_of {value!r} is neither a changeset id nor an ISO timestamp (e.g. 2024-05-16T12:00:00Z)", field="as_of"
            ) from None
        if len(value.strip()) == 10:  # a bare date means the end of that day
            ts = ts.replace(hour=23, minute=59, second=59, microsecond=999999)
    else:
        raise ValidationError(f"as_of must be a changeset id or a timestamp, not {value!r}", field="as_of")
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=dt.UTC)
    return ts


def parse_day(value: Any, field: str) -> dt.date:
    """The first (``field="start"``) or last day of a date filter given as a date or EDTF."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        d = parse_edtf(str(value))
    except ValidationError as exc:
        raise ValidationError(exc.message, field=field) from None
    # A filter "start=2023" means from the first day of 2023; "end=2023" to its last day.
    bound = d.start if field == "start" else d.end
    if bound is None:
        raise ValidationError(f"{value!r} has no {field} bound", field=field)
    return bound
