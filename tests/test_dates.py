"""EDTF dates: bounds and precision, checked against the ``edtf`` reference package."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import edtf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventlog import EventlogError, ValidationError, format_edtf_words, parse_edtf
from eventlog._dates import PRECISIONS

SETTINGS = settings(max_examples=150, deadline=None)


def ref_bounds(text: str) -> tuple[date, date]:
    """Strict bounds according to the reference implementation."""
    d = edtf.parse_edtf(text)
    return edtf.struct_time_to_date(d.lower_strict()), edtf.struct_time_to_date(d.upper_strict())


# -- generators ---------------------------------------------------------------------------------
years = st.integers(1000, 2999)


@st.composite
def day_strings(draw: st.DrawFn) -> str:
    y, m = draw(years), draw(st.integers(1, 12))
    d = draw(st.integers(1, calendar.monthrange(y, m)[1]))
    return f"{y:04d}-{m:02d}-{d:02d}"


month_strings = st.builds(lambda y, m: f"{y:04d}-{m:02d}", years, st.integers(1, 12))
year_strings = st.builds(lambda y: f"{y:04d}", years)
decade_strings = st.builds(lambda d: f"{d:03d}X", st.integers(100, 299))
# spring, summer, autumn (not winter), quarters, halves
sub_year_strings = st.builds(lambda y, c: f"{y:04d}-{c}", years, st.sampled_from([21, 22, 23, 33, 34, 35, 36, 40, 41]))
plain_single = st.one_of(day_strings(), month_strings, year_strings, decade_strings, sub_year_strings)
# the reference package parses these inside intervals
interval_part = st.one_of(day_strings(), month_strings, year_strings)


@st.composite
def intervals(draw: st.DrawFn) -> str:
    a, b = draw(interval_part), draw(interval_part)
    pa, pb = parse_edtf(a), parse_edtf(b)
    if pb.end < pa.start:
        a, b = b, a
    return f"{a}/{b}"


# -- agreement with the reference implementation -------------------------------------------------
@SETTINGS
@given(plain_single)
def test_single_dates_match_reference(text: str) -> None:
    d = parse_edtf(text)
    assert (d.start, d.end) == ref_bounds(text)
    assert d.edtf == text
    assert d.qualifier is None


@SETTINGS
@given(intervals())
def test_intervals_match_reference(text: str) -> None:
    d = parse_edtf(text)
    assert (d.start, d.end) == ref_bounds(text)
    left, right = text.split("/")
    assert d.precision == max(parse_edtf(left).precision, parse_edtf(right).precision, key=PRECISIONS.index)


@SETTINGS
@given(st.one_of(day_strings(), month_strings, year_strings, decade_strings), st.sampled_from("?~%"))
def test_qualified_dates_widen_by_one_unit(base: str, q: str) -> None:
    """Intentional difference: the reference widens ``~``/``?`` by a fixed amount; we widen by one unit
    of the date's own precision. The nominal (strict) period is the reference's."""
    plain, qual = parse_edtf(base), parse_edtf(base + q)
    assert ref_bounds(base + q) == (plain.start, plain.end)
    assert qual.precision == plain.precision
    assert qual.qualifier == {"?": "uncertain", "~": "approximate", "%": "uncertain+approximate"}[q]
    assert qual.start < plain.start and qual.end > plain.end
    if plain.precision == "day":
        assert (qual.start, qual.end) == (plain.start - timedelta(days=1), plain.end + timedelta(days=1))
    elif plain.precision == "month":
        assert qual.start.day == 1 and (qual.start.month - plain.start.month) % 12 == 11
        nxt = date(plain.end.year + plain.end.month // 12, plain.end.month % 12 + 1, 1)
        assert qual.end == date(nxt.year, nxt.month, calendar.monthrange(nxt.year, nxt.month)[1])
    elif plain.precision == "year":
        assert (qual.start, qual.end) == (date(plain.start.year - 1, 1, 1), date(plain.end.year + 1, 12, 31))
    else:
        assert (qual.start, qual.end) == (date(plain.start.year - 10, 1, 1), date(plain.end.year + 10, 12, 31))


def test_qualified_examples() -> None:
    d = parse_edtf("2023-12~")
    assert (d.start, d.end, d.precision, d.qualifier) == (date(2023, 11, 1), date(2024, 1, 31), "month", "approximate")
    d = parse_edtf("2023?")
    assert (d.start, d.end) == (date(2022, 1, 1), date(2024, 12, 31))
    d = parse_edtf("2023-21~")  # the reference cannot parse a qualified season at all
    assert (d.start, d.end, d.precision) == (date(2022, 12, 1), date(2023, 8, 31), "season")


def test_winter_runs_into_next_year() -> None:
    """Intentional difference: the reference reads winter (-24) as December only."""
    d = parse_edtf("2023-24")
    assert (d.start, d.end, d.precision) == (date(2023, 12, 1), date(2024, 2, 29), "season")
    assert parse_edtf("2022-24").end == date(2023, 2, 28)
    assert ref_bounds("2023-24") == (date(2023, 12, 1), date(2023, 12, 31))


# -- the table in the module docstring ---------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "start", "end", "precision"),
    [
        ("2024-05-16", "2024-05-16", "2024-05-16", "day"),
        ("2022-02", "2022-02-01", "2022-02-28", "month"),
        ("2024-02", "2024-02-01", "2024-02-29", "month"),
        ("2014", "2014-01-01", "2014-12-31", "year"),
        ("201X", "2010-01-01", "2019-12-31", "decade"),
        ("2023-21", "2023-03-01", "2023-05-31", "season"),
        ("2023-22", "2023-06-01", "2023-08-31", "season"),
        ("2023-23", "2023-09-01", "2023-11-30", "season"),
        ("2023-33", "2023-01-01", "2023-03-31", "quarter"),
        ("2023-36", "2023-10-01", "2023-12-31", "quarter"),
        ("2023-40", "2023-01-01", "2023-06-30", "half"),
        ("2023-41", "2023-07-01", "2023-12-31", "half"),
        ("2014/2016-05", "2014-01-01", "2016-05-31", "year"),
        ("2024-05-16/2024-05-17", "2024-05-16", "2024-05-17", "day"),
    ],
)
def test_bounds_table(text: str, start: str, end: str, precision: str) -> None:
    d = parse_edtf(text)
    assert (d.start.isoformat(), d.end.isoformat(), d.precision) == (start, end, precision)


def test_year_only_is_not_january_first() -> None:
    d = parse_edtf("2014")
    assert d.start == date(2014, 1, 1) and d.end == date(2014, 12, 31)
    assert not d.is_point
    assert parse_edtf("2014-03-02").is_point


def test_open_intervals_have_one_bound() -> None:
    assert parse_edtf("2020/..").end is None and parse_edtf("2020/..").start == date(2020, 1, 1)
    assert parse_edtf("../2020").start is None and parse_edtf("../2020").end == date(2020, 12, 31)


def test_whitespace_is_stripped() -> None:
    assert parse_edtf(" 2014 ").edtf == "2014"


@pytest.mark.parametrize(
    "bad",
    ["2024-13-01", "2023-02-29", "2024-13", "2024-00", "2023-25", "sometime", "", "2024/2023", "2024-05-17/2024-05-16",
     "../..", "2020/2021/2022", "20245", "2024-5-1", "May 2024", "2024-05-16T10:00"],
)
def test_invalid_dates_raise_validation_error(bad: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_edtf(bad)
    assert isinstance(info.value, EventlogError)
    assert repr(bad.strip()) in str(info.value) or "interval" in str(info.value)


def test_error_messages_say_what_is_wrong() -> None:
    with pytest.raises(ValidationError, match="ends before it starts"):
        parse_edtf("2024-05-17/2024-05-16")
    with pytest.raises(ValidationError, match="examples: 2014"):
        parse_edtf("sometime")
    with pytest.raises(ValidationError, match="no such day"):
        parse_edtf("2024-13-01")
    with pytest.raises(ValidationError, match="EDTF string"):
        parse_edtf(2014)  # type: ignore[arg-type]


# -- round trips -----------------------------------------------------------------------------
@SETTINGS
@given(st.one_of(plain_single, intervals()), st.sampled_from(["", "?", "~", "%"]))
def test_format_then_parse_round_trip(text: str, q: str) -> None:
    """The stored string is the EDTF text itself: parsing its own ``edtf`` gives the same date."""
    if "/" not in text and not text.endswith("X") and text[5:7] not in ("21", "22", "23", "24", "33", "34", "35", "36", "40", "41"):
        text += q
    d = parse_edtf(text)
    again = parse_edtf(d.edtf)
    assert again == d
    words = format_edtf_words(d.edtf)
    assert words and "None" not in words


@SETTINGS
@given(st.dates(date(1000, 1, 1), date(2999, 12, 31)), st.sampled_from(["day", "month", "year"]))
def test_date_to_edtf_round_trip(day: date, precision: str) -> None:
    """Format a date at a precision, parse it: the bounds contain the date and match the period."""
    text = {"day": day.isoformat(), "month": day.isoformat()[:7], "year": day.isoformat()[:4]}[precision]
    d = parse_edtf(text)
    assert d.precision == precision
    assert d.start <= day <= d.end
    if precision == "day":
        assert d.start == d.end == day


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2014", "sometime in 2014"),
        ("201X", "sometime in the 2010s"),
        ("2022-02", "sometime in February 2022"),
        ("2024-05-16", "16 May 2024"),
        ("2023-21", "spring 2023"),
        ("2023-34", "Q2 2023"),
        ("2023-41", "second half of 2023"),
        ("2023-12~", "sometime in December 2023 (approximately)"),
        ("2023?", "sometime in 2023 (uncertain)"),
        ("2024-05-16/2024-05-17", "16 May 2024 to 17 May 2024"),
        ("2020/..", "2020 to an open end"),
    ],
)
def test_words(text: str, words: str) -> None:
    assert format_edtf_words(text) == words


@settings(max_examples=2000, deadline=None)
@given(year=st.integers(1, 9999), month=st.integers(1, 12), day=st.integers(1, 31),
       season=st.integers(21, 41), shape=st.sampled_from(["y", "ym", "ymd", "season", "decade", "interval"]),
       qual=st.sampled_from(["", "~", "?", "%"]))
def test_every_date_of_the_calendar_parses_or_is_one_refusal(year, month, day, season, shape, qual) -> None:
    """Years 1 to 9999 with any qualifier: a date with bounds inside the calendar, or one ValidationError."""
    text = {"y": f"{year:04d}", "ym": f"{year:04d}-{month:02d}", "ymd": f"{year:04d}-{month:02d}-{day:02d}",
            "season": f"{year:04d}-{season}", "decade": f"{year // 10:03d}X",
            "interval": f"{year:04d}/{min(year + 1, 9999):04d}"}[shape] + qual
    try:
        d = parse_edtf(text)
    except ValidationError as exc:
        assert "\n" not in str(exc)
        return
    assert date.min <= d.start <= d.end <= date.max
