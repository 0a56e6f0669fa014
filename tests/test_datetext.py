"""Date expressions (English and Dutch) to EDTF: examples for every kind, and properties."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventlog._dates import parse_edtf
from eventlog._extract.datetext import find_dates, normalise_date

DOC = "2024-05-15"  # a Wednesday

EXAMPLES = [
    # absolute
    ("4 February 2022", None, "2022-02-04"),
    ("op 4 februari 2022", None, "2022-02-04"),
    ("February 2, 2010", None, "2010-02-02"),
    ("May 16-17, 2024", None, "2024-05-16/2024-05-17"),
    ("May 16–17, 2024", None, "2024-05-16/2024-05-17"),
    ("16-17 mei 2024", None, "2024-05-16/2024-05-17"),
    ("30 May - 2 June 2024", None, "2024-05-30/2024-06-02"),
    ("in juni 2024", None, "2024-06"),
    ("June of 2024", None, "2024-06"),
    ("in 2014", None, "2014"),
    ("2001-2008", None, "2001/2008"),
    ("tussen 2001 en 2008", None, "2001/2008"),
    ("between 2001 and 2008", None, "2001/2008"),
    ("januari-april 2024", None, "2024-01/2024-04"),
    ("the 1990s", None, "199X"),
    ("de jaren negentig", None, "199X"),
    ("Q1 2023", None, "2023-33"),
    ("het derde kwartaal van 2023", None, "2023-35"),
    ("the second half of 2023", None, "2023-41"),
    ("2024-5-15", None, "2024-05-15"),
    # relative to the document date
    ("last year", DOC, "2023"),
    ("vorig jaar", DOC, "2023"),
    ("dit jaar", DOC, "2024"),
    ("this week", DOC, "2024-05-13/2024-05-19"),
    ("deze week", DOC, "2024-05-13/2024-05-19"),
    ("last week", DOC, "2024-05-06/2024-05-12"),
    ("earlier this month", DOC, "2024-05"),
    ("eerder deze maand", DOC, "2024-05"),
    ("last month", DOC, "2024-04"),
    ("vorige maand", DOC, "2024-04"),
    ("on Monday", DOC, "2024-05-13"),
    ("maandag", DOC, "2024-05-13"),
    ("yesterday", DOC, "2024-05-14"),
    ("gisteren", DOC, "2024-05-14"),
    ("a year earlier", DOC, "2023"),
    ("een jaar eerder", DOC, "2023"),
    ("two years ago", DOC, "2022"),
    ("in March", DOC, "2024-03"),
    ("in maart vorig jaar", DOC, "2023-03"),
    ("in March last year", DOC, "2023-03"),
    ("in June", DOC, "2023-06"),  # a month after the document's month, in the past tense: last year
    # vague
    ("late 2023", None, "2023-36"),
    ("eind 2023", None, "2023-36"),
    ("at the end of last year", DOC, "2023-36"),
    ("begin vorig jaar", DOC, "2023-33"),
    ("early 2022", None, "2022-33"),
    ("halverwege 2019", None, "2019-06~"),
    ("mid-2019", None, "2019-06~"),
    ("summer 2023", None, "2023-22"),
    ("in de zomer van 2023", None, "2023-22"),
    ("najaar 2021", None, "2021-23"),
    ("since 2019", DOC, "2019/2024-05-15"),
    ("sinds 2019", DOC, "2019/2024-05-15"),
    ("sinds eind 2023", "2025", "2023-36/2025"),
    ("the first five months of 2022", None, "2022-01/2022-05"),
    ("de eerste vijf maanden van 2022", None, "2022-01/2022-05"),
    ("the last three months of 2023", None, "2023-10/2023-12"),
    ("end of May 2024", None, "2024-05"),  # the end of a month stays that month
    # vague decades: early = years 0-3, mid = 4-6, late = 7-9
    ("the mid-1990s", None, "1994/1996"),
    ("in the early 2000s", None, "2000/2003"),
    ("late 1980s", None, "1987/1989"),
    ("eind jaren negentig", None, "1997/1999"),
    ("halverwege de jaren tachtig", None, "1984/1986"),
    ("since the mid-1990s", DOC, "1994/2024-05-15"),
    # month ranges with the year after "in", or with no year
    ("from January to November in 2024", None, "2024-01/2024-11"),
    ("van januari tot november in 2024", None, "2024-01/2024-11"),
    ("in January-April", DOC, "2024-01/2024-04"),
    ("januari-augustus", DOC, "2023-01/2023-08"),  # ends after the document's month: last year
]


@pytest.mark.parametrize(("expr", "doc", "want"), EXAMPLES)
def test_expression(expr: str, doc: str | None, want: str) -> None:
    m = normalise_date(expr, doc_date=doc)
    assert m is not None, expr
    assert m.edtf == want
    bounds = parse_edtf(want)
    assert (m.start, m.end) == (bounds.start, bounds.end)
    assert m.text == expr


def test_relative_needs_a_document_date() -> None:
    assert normalise_date("last year") is None
    assert normalise_date("vorige maand") is None
    assert find_dates("on Monday they met") == []


def test_since_without_document_date_is_open() -> None:
    m = normalise_date("since 2019")
    assert m is not None and m.edtf == "2019/.." and m.end is None


def test_anchor_follows_the_text() -> None:
    text = "In 2014 they signed a deal. In hetzelfde jaar kwam er een tweede. Het jaar daarop een derde."
    got = [(m.text, m.edtf, m.kind) for m in find_dates(text)]
    assert got == [("In 2014", "2014", "absolute"), ("In hetzelfde jaar", "2014", "anchor"), ("Het jaar daarop", "2015", "anchor")]


def test_weekday_future_and_date_of_saying() -> None:
    text = "The visit is set to begin Thursday, the Kremlin said Tuesday."
    assert [m.edtf for m in find_dates(text, doc_date=DOC)] == ["2024-05-16", "2024-05-14"]


def test_offsets_point_at_the_expression() -> None:
    text = "Na veel overleg, op 4 februari 2022, en eind vorig jaar opnieuw."
    for m in find_dates(text, doc_date=DOC):
        assert text[m.span[0] : m.span[1]] == m.text
    assert [m.text for m in find_dates(text, doc_date=DOC)] == ["op 4 februari 2022", "eind vorig jaar"]


def test_a_month_ending_a_sentence_does_not_take_the_next_sentences_year() -> None:
    doc = "2024-10-22"
    got = [(m.text, m.edtf) for m in find_dates("They last met in July.\n\nLast year trade grew.", doc_date=doc)]
    assert got == [("in July", "2024-07"), ("Last year", "2023")]
    assert [m.edtf for m in find_dates("They met in Sept. 2023.", doc_date=doc)] == ["2023-09"]  # an abbreviation's stop


def test_non_dates_are_left_alone() -> None:
    assert find_dates("It exported 3000 ton and 2000 km of cable, 1,000 staff, $2024 in cash.") == []
    assert find_dates("They may visit us.", doc_date=DOC) == []


def test_footnote_mark_after_a_year() -> None:
    assert [m.edtf for m in find_dates("the Joint Statement of March 21, 2023² and more")] == ["2023-03-21"]


# --- properties ---------------------------------------------------------------------------------------

EN_MONTHS = list(calendar.month_name)[1:]
NL_MONTHS = "januari februari maart april mei juni juli augustus september oktober november december".split()
NL_DAYS = "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag".split()
days = st.dates(min_value=date(1950, 1, 1), max_value=date(2099, 12, 31))


@given(days, st.sampled_from(["en-dmy", "en-mdy", "nl"]))
def test_written_day_round_trips(d: date, style: str) -> None:
    if style == "en-dmy":
        text = f"{d.day} {EN_MONTHS[d.month - 1]} {d.year}"
    elif style == "en-mdy":
        text = f"{EN_MONTHS[d.month - 1]} {d.day}, {d.year}"
    else:
        text = f"op {d.day} {NL_MONTHS[d.month - 1]} {d.year}"
    m = normalise_date(text)
    assert m is not None and m.edtf == d.isoformat() and m.start == m.end == d


@given(st.integers(1950, 2099), st.integers(1, 12), st.booleans())
def test_month_bounds_are_the_whole_month(y: int, mo: int, dutch: bool) -> None:
    name = NL_MONTHS[mo - 1] if dutch else EN_MONTHS[mo - 1]
    m = normalise_date(f"in {name} {y}")
    assert m is not None
    assert m.start == date(y, mo, 1)
    assert m.end == date(y, mo, calendar.monthrange(y, mo)[1])
    assert m.precision == "month"


@given(days, st.integers(1, 27))
def test_day_ranges_cover_both_days(d: date, span: int) -> None:
    last = calendar.monthrange(d.year, d.month)[1]
    first = min(d.day, last - 1)
    second = min(first + span, last)
    m = normalise_date(f"{EN_MONTHS[d.month - 1]} {first}-{second}, {d.year}")
    assert m is not None
    assert m.start == date(d.year, d.month, first) and m.end == date(d.year, d.month, second)


@given(days)
def test_relative_expressions_against_any_document_date(doc: date) -> None:
    iso = doc.isoformat()
    for expr in ("last year", "vorig jaar"):
        m = normalise_date(expr, doc_date=iso)
        assert m is not None and m.start == date(doc.year - 1, 1, 1) and m.end == date(doc.year - 1, 12, 31)
    week = normalise_date("this week", doc_date=iso)
    assert week is not None and week.start <= doc <= week.end
    assert week.start.weekday() == 0 and (week.end - week.start) == timedelta(days=6)
    month = normalise_date("vorige maand", doc_date=iso)
    assert month is not None and month.end == doc.replace(day=1) - timedelta(days=1)
    since = normalise_date("sinds 2001", doc_date=iso)
    if doc.year >= 2001:
        assert since is not None and since.start == date(2001, 1, 1) and since.end == doc


@given(days, st.integers(0, 6), st.booleans())
def test_weekdays_fall_in_the_week_before_the_document(doc: date, wd: int, dutch: bool) -> None:
    name = NL_DAYS[wd] if dutch else calendar.day_name[wd]
    m = normalise_date(f"op {name}" if dutch else f"on {name}", doc_date=doc.isoformat())
    assert m is not None and m.start is not None
    assert m.start.weekday() == wd
    assert timedelta(0) <= doc - m.start <= timedelta(days=6)


@given(st.integers(1950, 2099), st.sampled_from(["late", "eind", "early", "begin", "mid", "halverwege", "summer", "zomer"]))
def test_vague_expressions_stay_near_their_year(y: int, word: str) -> None:
    sep = "-" if word == "mid" else " "
    m = normalise_date(f"{word}{sep}{y}")
    assert m is not None and m.start is not None and m.end is not None
    assert m.start <= date(y, 12, 31) and m.end >= date(y, 1, 1)
    assert (m.end - m.start).days < 200  # narrower than the whole year


TOKENS = st.sampled_from(
    ["in", "op", "2014", "2023", "mei", "May", "16", "-", "17,", "last", "vorig", "jaar", "year", "eind", "late", "sinds",
     "since", "the", "first", "five", "months", "of", "maandag", "week", "this", "deze", "Het", "jaar", "daarop", "Q3",
     "zomer", "1990s", "and", "en", "tussen", "2008", "31", "February", "februari", "$", "%", "."]
)


@settings(max_examples=300)
@given(st.lists(TOKENS, max_size=14), st.one_of(st.none(), days.map(date.isoformat)))
def test_every_match_is_valid_edtf_with_ordered_bounds(words: list[str], doc: str | None) -> None:
    text = " ".join(words)
    last_end = -1
    for m in find_dates(text, doc_date=doc):
        parsed = parse_edtf(m.edtf) if not m.edtf.endswith("/..") else None
        if parsed is not None:
            assert parsed.start == m.start and parsed.end == m.end
            assert m.start <= m.end
        assert text[m.span[0] : m.span[1]] == m.text
        assert m.span[0] >= last_end  # in order, never overlapping
        last_end = m.span[1]


# --- the keyword pre-filter changes no result -------------------------------------------------------


def test_every_rule_has_keywords() -> None:
    from eventlog._extract.datetext import _NEEDS, RULES

    assert {r.name for r in RULES} == set(_NEEDS)


PREFILTER_TEXTS = [
    "Op 4 februari 2022 en eind vorig jaar. In 2014 they met; het jaar daarop niet.\nIn June\n2024 the deal.",
    "Between 2001 and 2008 trade grew 30%, from January to November in 2024, since the mid-1990s, Q3 2023.",
    "The market may march on: Mayday, marine, decade, novel, separate. May 16-17, 2024 and 30 May - 2 June 2024.",
    "Last week, this month, two years ago, over the past two years, vorige maand, gisteren, on Monday.",
    "In the early 2000s and de jaren negentig; 2024-05-15; halverwege 2019; the first five months of 2022.",
]


@pytest.mark.parametrize("text", PREFILTER_TEXTS)
def test_prefilter_gives_the_same_dates(text: str) -> None:
    for doc in (None, DOC, "2025"):
        assert find_dates(text, doc_date=doc) == find_dates(text, doc_date=doc, prefilter=False)


@settings(max_examples=300)
@given(st.lists(TOKENS, max_size=14), st.one_of(st.none(), days.map(date.isoformat)),
       st.sampled_from([" ", "\n", ". ", ", "]))
def test_prefilter_gives_the_same_dates_on_any_text(words: list[str], doc: str | None, sep: str) -> None:
    text = sep.join(words)
    assert find_dates(text, doc_date=doc) == find_dates(text, doc_date=doc, prefilter=False)


def test_prefilter_on_the_corpus() -> None:
    from eventlog._files.corpus import find_corpus

    folder = find_corpus(None)
    if folder is None:
        pytest.skip("no corpus")
    for path in sorted(folder.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        assert find_dates(text, doc_date="2024-05-15") == find_dates(text, doc_date="2024-05-15", prefilter=False)


@pytest.mark.parametrize(("text", "expected"), [
    ("They met in Moscow in July.", "2023-07"),  # the full stop after the month name
    ("Jiang will visit Russia this July.", "2024-07"),
    ("Putin arrived this morning.", "2024-05-15"),
    ("Poetin kwam vanochtend aan.", "2024-05-15"),
    ("Vanavond is er een diner.", "2024-05-15"),
    ("Zij is sinds maandagavond in Tokio.", "2024-05-13/2024-05-15"),  # a weekday with a part of the day
    ("Poetin kwam dinsdagochtend aan.", "2024-05-14"),
])
def test_document_relative_parts_of_the_day_and_months(text: str, expected: str) -> None:
    assert [m.edtf for m in find_dates(text, doc_date="2024-05-15")] == [expected]
    assert find_dates(text) == []  # no document date: nothing guessed


def test_dutch_split_particle_verbs_and_talks_are_found() -> None:
    from eventlog import extract

    visit = extract("Poetin kwam vanochtend met de trein in Harbin aan.", doc_date="2022-02-04", lang="nl")
    assert visit.select("type", "date").rows() == [("visit", "2022-02-04")]
    talks = extract("Op 4 februari 2022 heeft Poetin in Peking gesproken met Xi Jinping.", lang="nl")
    assert talks["type"].to_list() == ["meeting"]
