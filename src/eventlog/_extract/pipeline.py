"""From text to candidate events: sentences, triggers, dates, actors, amounts, modality.

Steps, all rule-based and in pure Python:

1. find every date expression in the whole text (so that "het jaar daarop" can lean on
   the date before it), every actor alias and every amount;
2. per sentence, find triggers; give each trigger the nearest date in its sentence
   (crossing a ";" or "and/en" costs extra distance). A strong trigger of a core type in a
   sentence without a date takes the last date of the previous ~400 characters, at lower
   confidence;
   - the date of saying ("the Kremlin said Tuesday", "zei het Kremlin dinsdag") is never the
     date of a planned event, nor is a past date inherited by one;
   - a horizon ("up to 2020", "by 2024", "tegen 2027") is never the date of an asserted event;
   - "a two-day visit set to begin Thursday" spans two days (ending that day when it "ended");
   - a trade total at "the end of 2022" is the year 2022's total, not its fourth quarter's;
   - the baseline of a comparison ("from 9% in 2022 to 56.7%") dates nothing when another
     date is at hand;
   - infrastructure is an event only when built, opened, finished ... ("power plants
     produced 60%" is not one); the war as a point in time ("before the war") is no conflict;
   - a trade figure still to be reached is a target: a ``policy`` event, not dated by the
     year it aims at;
3. per sentence and date keep every core type triggered there, or else the single best
   other type (``trade`` and ``investment`` need a stated figure);
4. drop repeats in the same document (same type, date and modality, a shared actor).

Sentences with no date in or close before them are not searched for triggers (they could
not give a candidate), and trigger patterns only run on sentences holding one of their
keywords: both change no result.

>>> df = extract("On 4 February 2022 Putin visited Beijing.", registry=[])
>>> df.select("type", "date", "modality").row(0)
('visit', '2022-02-04', 'asserted')
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from .._dates import parse_edtf
from .._taxonomy import CORE_TYPES
from .actors import ActorMatch, matcher_for
from .amounts import AmountMatch, find_amounts
from .datetext import DateMatch, coerce_doc_date, find_dates
from .keywords import KeywordIndex
from .language import detect_language
from .references import Reference, find_addresses, find_references
from .sentences import split_sentences
from .triggers import (
    TriggerMatch,
    find_triggers,
    keyword_index,
    modality,
    resolve_agreement,
    resolve_documents,
)

if TYPE_CHECKING:
    import polars as pl

__all__ = ["COLUMNS", "Candidate", "extract", "extract_candidates"]

#: Output columns, in order. The first fourteen are the documented interface.
COLUMNS = (
    "type", "title", "date", "start", "end", "precision", "date_text", "actors", "amounts",
    "span_start", "span_end", "evidence", "confidence", "modality",
    "doc_id", "lang", "actor_ids", "date_how", "trigger", "found_by",
)


@dataclass(slots=True)
class Candidate:
    """One candidate event, before it becomes a DataFrame row."""

    type: str
    date: DateMatch
    trigger: TriggerMatch
    sentence: tuple[int, int]
    evidence: str
    actors: list[ActorMatch] = field(default_factory=list)
    amounts: list[AmountMatch] = field(default_factory=list)
    modality: str = "asserted"
    confidence: float = 0.5
    inherited_date: bool = False
    #: how the rules found it: the trigger's strength and type, why it was chosen, what dated it
    found_by: str = ""

    @property
    def actor_ids(self) -> list[str]:
        return list(dict.fromkeys(a.actor_id for a in self.actors))

    @property
    def actor_names(self) -> list[str]:
        return list(dict.fromkeys(a.name for a in self.actors))

    @property
    def title(self) -> str:
        """A title in the curated style, made of the event's parts: who did what to whom,
        with the figure where there is one (the date is the event's own field)."""
        return make_title(self.type, [(a.name, a.category) for a in self.actors],
                          self.amounts[0].text if self.amounts else None)


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


#: type -> (title with one party or several, title with a doer and an other party); {a} the doer(s), {b} the other.
_TITLES = {
    "treaty": ("{a} sign an agreement", "{a} and {b} sign an agreement"),
    "contract": ("{a} sign a contract", "{a} and {b} sign a contract"),
    "sanction": ("{a} imposes sanctions", "{a} imposes sanctions on {b}"),
    "bank_withdrawal": ("{a} restricts payments", "{a} restricts payments with {b}"),
    "visit": ("{a} makes a visit", "{a} visits {b}"),
    "meeting": ("{a} hold talks", "{a} and {b} hold talks"),
    "statement": ("{a} makes a statement", "{a} makes a statement on {b}"),
    "trade": ("{a} trade", "{a}-{b} trade"),
    "investment": ("{a} invests", "{a} invests in {b}"),
    "finance": ("{a}: a payments or currency step", "{a} and {b}: a payments or currency step"),
    "military": ("{a}: military cooperation", "{a} and {b}: military cooperation"),
    "conflict": ("{a}: armed conflict", "{a} and {b}: armed conflict"),
    "infrastructure": ("{a}: an infrastructure project", "{a} and {b}: an infrastructure project"),
    "policy": ("{a} adopts a policy", "{a} adopts a policy on {b}"),
    "election": ("{a}: an election", "{a}: an election"),
    "corporate": ("{a}: a company move", "{a} and {b}: a company move"),
}


def make_title(type_: str, actors: list[tuple[str, str]], figure: str | None = None) -> str:
    """A candidate's title from its type, its actors (name, category) in text order and its figure.

    >>> make_title("visit", [("Xi Jinping", "person"), ("Russia", "state")])
    'Xi Jinping visits Russia'
    >>> make_title("trade", [("Russia", "state"), ("China", "state")], "240 billion dollars")
    'Russia-China trade: 240 billion dollars'
    >>> make_title("treaty", [])
    'An agreement between unnamed parties'
    """
    names = list(dict.fromkeys(n for n, _c in actors))
    if not names:
        base = {"treaty": "An agreement", "contract": "A contract", "sanction": "Sanctions", "visit": "A visit",
                "meeting": "Talks", "trade": "A trade figure"}.get(type_, type_.replace("_", " ").capitalize())
        return f"{base} between unnamed parties" + (f": {figure}" if figure else "")
    one, two = _TITLES.get(type_, ("{a}: " + type_.replace("_", " "), "{a} and {b}: " + type_.replace("_", " ")))
    if type_ == "visit":
        people = [n for n, c in actors if c == "person"]
        doer = people[0] if people else names[0]
        others = [n for n in names if n != doer and n not in people]
        text = two.format(a=doer, b=_and(others[:2])) if others else one.format(a=doer)
    elif type_ in ("sanction", "bank_withdrawal", "statement", "investment", "policy") and len(names) > 1:
        text = two.format(a=names[0], b=_and(names[1:3]))
    elif len(names) > 1:
        text = two.format(a=names[0], b=names[1]) if type_ == "trade" else two.format(a=_and(names[:-1][:2]), b=names[-1])
    else:
        text = one.format(a=names[0])
    return text + (f": {figure}" if figure else "")


_BOUNDARY = re.compile(r";|\band\b|\ben\b|\bwhile\b|\bterwijl\b|\bbut\b|\bmaar\b", re.IGNORECASE)
_INHERIT_WINDOW = 400  # characters back to look for a date for a dateless strong core trigger


# "the Kremlin said Tuesday"; Dutch puts the subject between verb and date: "zei het Kremlin dinsdag".
_SAID = re.compile(
    r"(?:\b(?:said|says|told|announced|reported|kondigde\s+\w+\s+aan)\s*(?:on\s+|op\s+)?"
    r"|\b(?:zei|zegt|meldde|verklaarde)\s+(?:\w+\s+){0,3}(?:op\s+)?|\b(?:zei|zegt|meldde|verklaarde)\s*)$",
    re.IGNORECASE,
)
# A deadline, horizon or target: "the strategy for the period up to 2020", "by 2024", "tegen 2027",
# "the turnover planned for 2024", "the goal for 2022".
_HORIZON = re.compile(
    r"\b(?:up\s+to|until|till|by|before|no\s+later\s+than|tegen|uiterlijk|tot(?:\s+en\s+met)?|"
    r"(?:planned|targeted|set|scheduled|gepland|beoogd|voorzien)\s+for|(?:goal|target|aim|doel|streefdoel)\s+(?:for|voor)|voor\s+het\s+jaar)\s+$",
    re.IGNORECASE,
)


# The baseline of a comparison: "rose from 9% in 2022 to 56.7%", "compared with 2021", "dan in 2019".
_BASELINE = re.compile(
    r"\b(?:from|van)\s+(?:[^\s,;]+\s+){1,4}?(?:(?:in|op)\s+)?$|\b(?:compared\s+(?:with|to)|than\s+in|versus|vergeleken\s+met|"
    r"ten\s+opzichte\s+van|dan\s+in)\s+(?:the\s+same\s+period\s+(?:of|in)\s+|dezelfde\s+periode\s+(?:van|in)\s+)?$|"
    r"\b(?:lowest|highest|biggest|largest|smallest|weakest|strongest|laagste|hoogste|grootste|kleinste)\s+(?:level\s+|niveau\s+)?$",
    re.IGNORECASE,
)
# A project, not a mention of one: an infrastructure event is something built, opened or finished.
_PROJECT = re.compile(
    r"\b(?:buil[dt]\w*|construct\w*|open(?:ed|s|ing)|launch\w*|commission\w*|complet\w*|inaugurat\w*|new|laid|lay|"
    r"start(?:ed)?\s+(?:operat|work|construct)\w*|began\s+\w+ing|extended|bouw\w*|gebouwd|aanleg\w*|aangelegd|geopend|"
    r"opening|ingebruikname|in\s+gebruik|afwerking|afgewerkt|voltooi\w*|gelanceerd|nieuwe?|opgeleverd)\b",
    re.IGNORECASE,
)
# The war as a point in time ("before the war", "sinds het begin van de inval"), not an event.
#: Meetings and visits named as a point in time ("trade rose after the leaders' talks in March").
_TALK_NOUN = re.compile(r"(?:meetings?|talks|summit|visit|trip|state\s+visit|bezoek|staatsbezoek|ontmoeting|top)", re.IGNORECASE)
#: ("voor een bezoek" is "for a visit": only a definite or possessive meeting is a point in time)
_AS_TIME_TALK = re.compile(
    r"\b(?:before|after|since|prior\s+to|voor|vóór|na|sinds|sedert)\s+(?:the|his|her|their|its|de|het|zijn|haar|hun|[\w-]+[’']s)\s+"
    r"(?:[\w’'-]+\s+)?$", re.IGNORECASE)
_WAR_NOUN = re.compile(r"(?:war|invasion|invasie|inval|oorlog|conflict|annexation|annexatie|aanhechting)", re.IGNORECASE)
_AS_TIME = re.compile(
    r"\b(?:before|after|since|prior\s+to|voor|vóór|na|sinds|sedert)\s+(?:the\s+(?:start|beginning|outbreak)\s+of\s+|"
    r"het\s+(?:begin|uitbreken)\s+van\s+|de\s+start\s+van\s+)?(?:the\s+|de\s+|het\s+)?(?:[\w’'-]+\s+){0,2}$",
    re.IGNORECASE,
)


# Between a war noun and its own date: "aanhechting| van de Krim |in 2014", "invasion| of Ukraine |in 2022".
#: "the war", "Russia's war": the war named as a known thing, not an event told here.
_THE_WAR = re.compile(r"(?:\b(?:the|its|this|that|de|het|deze|die)\s+|[’']s\s+)(?:[\w-]+\s+)?$", re.IGNORECASE)
_OWN_DATE = re.compile(r"\s*(?:(?:van|of|in|op|tegen|against|on|by|door|de|het|the|[A-ZÀ-Ý][\w’'-]*)\s+){0,4}")


def _baseline(text: str, d: DateMatch, lo: int = 0) -> bool:
    """The date is the baseline of a comparison ("from 9% in 2022 to 56.7%"), not the figure's
    (looking back no further than ``lo``, the start of its sentence)."""
    return _BASELINE.search(text, max(lo, d.span[0] - 40), d.span[0]) is not None


def _as_time(text: str, t: TriggerMatch, dates: list[DateMatch]) -> TriggerMatch | None:
    """The trigger, weakened or dropped when the war or the talks only name a time or a known
    thing: "before the war", "na de inval", "helping Moscow in the war", "after the leaders'
    talks" is no event of its own (None); with its own date ("na de aanhechting van de Krim
    in 2014") it is one, but any other event of the sentence is the likelier report."""
    if _WAR_NOUN.fullmatch(t.text) is not None:
        named = t.text.lower() in ("war", "oorlog") and _THE_WAR.search(text, max(0, t.span[0] - 30), t.span[0]) is not None
        if not named and _AS_TIME.search(text, max(0, t.span[0] - 50), t.span[0]) is None:
            return t
    elif _TALK_NOUN.fullmatch(t.text) is None or _AS_TIME_TALK.search(text, max(0, t.span[0] - 40), t.span[0]) is None:
        return t
    if any(d.span[0] >= t.span[1] and _OWN_DATE.fullmatch(text, t.span[1], d.span[0]) for d in dates):
        return replace(t, weight=0.5)
    return None


def _said(text: str, d: DateMatch) -> bool:
    """The date is the date of saying: "the Kremlin said Tuesday", "zei maandag"."""
    return _SAID.search(text, max(0, d.span[0] - 30), d.span[0]) is not None


# The period a plan covers: "the Strategy for the Development of ... for 2035", "programma voor 2030".
_PLAN_FOR = re.compile(
    r"\b(?:strateg\w*|programm?e?s?|programma|plans?|concepts?|doctrines?|agenda|vision|visie)\b[^.;:]{0,100}?\b(?:for|voor)\s+$",
    re.IGNORECASE,
)


def _horizon(text: str, d: DateMatch) -> bool:
    """The date is a deadline, horizon or target ("up to 2020", "by 2024", "a strategy for
    2035"), not when something happened."""
    return (_HORIZON.search(text, max(0, d.span[0] - 30), d.span[0]) is not None
            or _PLAN_FOR.search(text, max(0, d.span[0] - 130), d.span[0]) is not None)


_SETTING = re.compile(r"\b(?:at|during|on\s+the\s+sidelines\s+of|op|tijdens|bij)\s+(?:the\s+|a\s+|de\s+|het\s+|een\s+)?(?:[\w-]+\s+)?$", re.IGNORECASE)
_SINCE = re.compile(r"\b(?:since|sinds|sedert)\b", re.IGNORECASE)


def _since_between(text: str, t: TriggerMatch, d: DateMatch) -> bool:
    """A "since" stands between the trigger and a later date: "her first trip abroad since she
    was re-elected last year" dates the re-election, not the trip."""
    return t.span[1] <= d.span[0] and _SINCE.search(text, t.span[1], d.span[0]) is not None


def _distance(text: str, trig: TriggerMatch, d: DateMatch) -> int:
    """Characters between a trigger and a date, plus 60 per clause boundary in between,
    plus 100 when the date is the date of saying ("the Kremlin said Tuesday") and the
    trigger is not itself a statement."""
    a, b = sorted((trig.span, d.span))
    gap = max(0, b[0] - a[1])
    said = trig.type != "statement" and _said(text, d)
    return gap + 60 * len(_BOUNDARY.findall(text, a[1], b[0])) + (100 if said else 0)


_N_DAYS = {"two": 2, "three": 3, "four": 4, "five": 5, "twee": 2, "drie": 3, "vier": 4, "vijf": 5}
_MULTI_DAY = re.compile(
    r"\b(?P<n>[2-5]|two|three|four|five)[-\s]day\s+(?:\w+\s+){0,2}$|\b(?P<nl>twee|drie|vier|vijf)daags\w*\s+(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)
_ENDED = re.compile(r"\b(?:end(?:s|ed)?|clos(?:es|ed)|conclud(?:es|ed)|eindig\w*|sloot|afgesloten)\b", re.IGNORECASE)


def _multi_day(text: str, trig: TriggerMatch, d: DateMatch) -> DateMatch:
    """"a two-day visit set to begin Thursday" -> Thursday and Friday: an event said to last
    N days whose date is one day spans N days from it (to it, when the sentence says it ended)."""
    if d.precision != "day" or d.start is None or d.start != d.end:
        return d
    m = _MULTI_DAY.search(text, max(0, trig.span[0] - 40), trig.span[0])
    if m is None:
        return d
    n = int(m["n"]) if m["n"] and m["n"].isascii() and m["n"].isdigit() else _N_DAYS[(m["n"] or m["nl"]).lower()]
    lo, hi = sorted((trig.span[1], d.span[0]))
    if _ENDED.search(text, lo, hi):
        first, last = d.start - timedelta(days=n - 1), d.start
    else:
        first, last = d.start, d.start + timedelta(days=n - 1)
    edtf = f"{first.isoformat()}/{last.isoformat()}"
    return replace(d, edtf=edtf, start=first, end=last, how=f"{d.how}; a {n}-day event from that day" if first == d.start
                   else f"{d.how}; a {n}-day event ending that day")


_FLOW_UNITS = frozenset(("USD", "EUR", "CNY", "RUB", "bcm", "tonnes", "barrels"))


def _year_total(d: DateMatch, amounts: list[AmountMatch]) -> DateMatch:
    """"trade reached $190 billion at the end of 2022" is the total of 2022: a trade figure
    (a flow, not a share) dated at the end of a year is that year's, not its fourth quarter's."""
    if d.rule != "vague_year" or not d.edtf.endswith("-36") or not any(a.unit in _FLOW_UNITS for a in amounts):
        return d
    y = d.start.year if d.start else None
    if y is None:
        return d
    return replace(d, edtf=f"{y:04d}", start=date(y, 1, 1), end=date(y, 12, 31), precision="year",
                   how=f"{d.how}; a trade total at the end of a year is the year's total")


def _in(items: list[Any], starts: list[int], s: int, e: int) -> list[Any]:
    """Items whose span starts inside [s, e), using their sorted start offsets."""
    return items[bisect_left(starts, s) : bisect_left(starts, e)]


def _confidence(trig: TriggerMatch, actors: int, d: DateMatch, inherited: bool, mod: str) -> float:
    c = 0.3 + 0.35 * trig.weight + (0.1 if actors else 0.0) + (0.05 if actors > 1 else 0.0)
    c += 0.05 if d.precision in ("day", "month") else 0.0
    c -= 0.2 if inherited else 0.0
    c -= 0.1 if mod != "asserted" else 0.0
    return round(min(0.95, max(0.05, c)), 2)


def _inheritable(text: str, before: list[DateMatch], s: int, mod: str, doc_start: date | None) -> DateMatch | None:
    """The date a dateless strong core trigger at ``s`` takes: the last one of the previous
    ~400 characters. A planned event does not take a date that ended before the document
    date ("Putin will visit Beijing" after "... since winning an election in March"): it
    takes the last date in that window that has not ended, or none. A horizon ("by 2030")
    dates nothing that happened, so an asserted event passes over it."""
    for d in reversed(before):
        if d.span[1] < s - _INHERIT_WINDOW:
            return None
        if mod == "asserted" and (_horizon(text, d) or (doc_start is not None and d.start is not None and d.start > doc_start)):
            continue  # what happened is not dated by a horizon, nor by a time after the report
        if mod != "planned" or doc_start is None or d.end is None or d.end >= doc_start:
            return d
    return None


#: What the day a news report is about (:func:`_news_date`) dates when its sentence has no date and
#: no date comes shortly before: talks and statements said of a named person, and any strong core
#: trigger that is asserted and not a reference back ("the visit"). Measured on the evaluation set:
#: talks and statements alone, on the report's own day, P / R 0.69 / 0.62; the core triggers too,
#: once no date near comes first, 0.66 / 0.67 (0.67 / 0.65 if they take it before any date near);
#: without the references back, 0.68 / 0.67; the lead's day instead of the report's, 0.70 / 0.69.
_REPORTED = frozenset(("meeting", "statement"))

_FIGURED = frozenset(("trade", "investment"))
#: A figure said to have been reached, right after the trigger.
_ATTAINED = re.compile(
    r"\s*(?:,\s*)?(?:\w+\s+){0,3}?(?:that|which|die|dat)?\s*(?:hit|reached|totall?ed|amounted|stood|bereikte|bedroeg|kwam\s+uit)\b",
    re.IGNORECASE)
#: How a trade level moved, said without a figure ("rose to a record", "liep in maart terug").
_LEVEL = re.compile(
    r"\b(?:record\w*|surged?|soared|rose|grew|fell|dropped|declined|plunged|jumped|climbed|doubled|tripled|slumped|"
    r"dipped|slipped|shrank|expanded|recovered|"
    r"steeg|stegen|groeide\w*|daalde\w*|liep\s+(?:\w+\s+){0,4}?terug|verdubbel\w*|nam\s+(?:\w+\s+){0,3}?(?:toe|af)|recordhoogte)\b",
    re.IGNORECASE)
_CLAUSE_END = re.compile(r"[,;:]|\b(?:waarbij|whereby|while|whereas|terwijl|which|die|dat)\b", re.IGNORECASE)


def _level_after(text: str, t: TriggerMatch, e: int, *, same_clause: bool = True) -> bool:
    """A word for how the level moved follows the trade trigger ("trade surged"): within 80
    characters of its sentence, and in its clause unless ``same_clause`` is false."""
    end = min(e, t.span[1] + 80)
    stop = _CLAUSE_END.search(text, t.span[1], end) if same_clause else None
    return _LEVEL.search(text, t.span[1], stop.start() if stop else end) is not None


_REPORT = -(10**9)  # the assigned key of the day the report is about (negative: not a date of the sentence)
_REPORT_PLANNED = _REPORT - 1  # the same day, as the earliest day of a planned event
#: A noun trigger after a determiner or possessive refers back ("the visit", "zijn bezoek", "Xi's
#: Moscow visit"): with no date of its own in the sentence it is no new event.
_ANAPHORA = re.compile(
    r"(?:\b(?:the|his|her|their|its|this|that|zijn|haar|hun|het|de|dit|deze|die)\s+|[’']s\s+)(?:[\w-]+\s+)?$", re.IGNORECASE)


def _refers_back(text: str, s: int, t: TriggerMatch) -> bool:
    """The trigger is a noun phrase naming an event already known (see _ANAPHORA)."""
    return not t.text.lower().startswith("sign") and _ANAPHORA.search(text, max(s, t.span[0] - 24), t.span[0]) is not None


def _sentence_candidates(
    text: str, s: int, e: int, lang: str, dates: list[DateMatch], before: list[DateMatch],
    actors: list[ActorMatch], amounts: list[AmountMatch], doc_start: date | None = None,
    keywords: KeywordIndex | None = None, news: DateMatch | None = None,
) -> list[Candidate]:
    if not dates and not (before and before[-1].span[1] >= s - _INHERIT_WINDOW) and news is None:
        return []  # no date here or close before: nothing can be dated (saves the trigger search)
    sentence = text[s:e]
    categories = {a.category for a in actors}
    trigs = []
    for t in find_triggers(text, s, e, lang, keywords=keywords):
        if t.type in _FIGURED and not amounts and not (t.type == "trade" and _level_after(text, t, e, same_clause=False)):
            continue  # "trade" is everywhere; a trade event states a figure, or how the level moved
        if t.type == "agreement":
            t = TriggerMatch(resolve_agreement(sentence, categories), t.weight, t.text, t.span)
        elif t.type == "documents":
            t = TriggerMatch(resolve_documents(categories), t.weight, t.text, t.span)
        if t.type == "conflict" or (t.type in ("meeting", "visit") and _TALK_NOUN.fullmatch(t.text)):
            t = _as_time(text, t, dates)
        if t is None or (t.type == "infrastructure" and not _PROJECT.search(sentence)):
            continue
        trigs.append(t)
    # A figure is stated of the trade word nearest it: "de handel verbeterde en de uitvoer steeg
    # met 30%" is one figure, of the exports.
    figured = [t for t in trigs if t.type in _FIGURED]
    if len(figured) > 1 and amounts:
        owners = {min(figured, key=lambda t: abs(t.span[0] - m.span[0])).span for m in amounts}
        trigs = [t for t in trigs if t.type not in _FIGURED or t.span in owners or _level_after(text, t, e)]
    if not trigs:
        return []
    # date index (negative: an inherited date) -> triggers and distances
    assigned: dict[int, list[tuple[TriggerMatch, int]]] = {}
    inherited: dict[int, DateMatch] = {}
    mods = {t.span: modality(sentence, t.span[0] - s, t.span[1] - s, lang) for t in trigs}
    # A trade figure still to be reached ("plans to raise trade to $300 billion by 2030") is a
    # target: setting it is the event (a policy), and the year it aims at is not its date.
    for k, t in enumerate(trigs):
        if t.type == "trade" and mods[t.span] == "planned" and _ATTAINED.match(text, t.span[1]):
            mods[t.span] = "asserted"  # "hoped to deepen trade, which reached $50 billion in 2010": the figure was reached
        elif t.type == "trade" and mods[t.span] == "planned":
            trigs[k], mods[t.span] = replace(t, type="policy"), "asserted"
    said = [_said(text, d) for d in dates]
    horizon = [_horizon(text, d) for d in dates]
    baseline = [_baseline(text, d, s) for d in dates]
    for t in trigs:
        mod = mods[t.span]
        # The date of saying is never the date of a future event ("Putin will visit Beijing,
        # the Kremlin said Tuesday"), and a horizon never the date of something that happened
        # ("the Energy Strategy for the period up to 2020"): such a trigger does not use them.
        usable = [
            i for i in range(len(dates))
            if not (said[i] and mod == "planned" and t.type != "statement") and not (horizon[i] and mod == "asserted")
            and not _since_between(text, t, dates[i])
        ]
        # the baseline of a comparison dates the event only when nothing else can
        # (a level said without a figure has no date of its own to fall back on)
        usable = [i for i in usable if not baseline[i]] or ([] if t.type in _FIGURED and not amounts else usable)
        if usable:
            dists = {i: _distance(text, t, dates[i]) for i in usable}
            i = min(usable, key=dists.__getitem__)
            if t.type in CORE_TYPES and not t.strong and dists[i] > 80:
                continue  # a passing mention of "sanctions" far from the date is background
            assigned.setdefault(i, []).append((t, dists[i]))
        elif _refers_back(text, s, t):
            continue  # "the three-day visit", "Xi's Moscow visit": told before, or the news itself
        elif t.type in CORE_TYPES and t.strong and (d := _inheritable(text, before, s, mod, doc_start)) is not None:
            k = -1 - before.index(d)
            inherited[k] = d
            assigned.setdefault(k, []).append((t, 0))
        elif (news is not None and t.type in CORE_TYPES and t.strong and mod in ("asserted", "planned")
              and not (mod == "planned" and doc_start is not None and news.end is not None and news.end < doc_start)):
            # A news report tells its news without repeating the day ("The leaders issued a joint
            # declaration"): a strong core trigger with no date near takes the day the report is about;
            # a planned one ("Putin will also visit Harbin") that day at the earliest, never a day before the report.
            key = _REPORT if mod == "asserted" else _REPORT_PLANNED
            inherited[key] = news if mod == "asserted" else replace(
                news, how=f"{news.how}; planned, so that day at the earliest")
            assigned.setdefault(key, []).append((t, 0))
        elif (news is not None and mod == "asserted" and t.type in _REPORTED and (t.strong or t.type == "statement")
              and "person" in categories):
            # A news report's own day dates what it tells without a date ("Putin arrived in Beijing").
            inherited[_REPORT] = news
            assigned.setdefault(_REPORT, []).append((t, 0))
    out = []
    for i, group in assigned.items():
        d = inherited[i] if i < 0 else dates[i]
        dated = "dated by the day the report is about" if i in (_REPORT, _REPORT_PLANNED) else (
            "dated by an earlier sentence" if i < 0 else "dated in its sentence")
        best: dict[str, TriggerMatch] = {}
        for t, _dist in sorted(group, key=lambda x: (-x[0].weight, x[1])):
            best.setdefault(t.type, t)
        core = [t for ty, t in best.items() if ty in CORE_TYPES]
        chosen: list[tuple[TriggerMatch, str]]
        setting: TriggerMatch | None = None
        if core:
            # a figure is its own event beside a core one ("trade hit a record as sanctions were imposed")
            chosen = [(t, dated) for t in core] + [(t, f"a figure beside a core event, {dated}")
                                                   for ty, t in best.items() if ty in _FIGURED]
        else:
            # words inside a quotation are what was said, not another event of the sentence
            quoted = _quotations(text, s, e) if "statement" in best else []
            others = ([t for t in best.values() if t.type != "statement" and not _inside(t.span, quoted)]
                      or [best.get("statement") or next(iter(best.values()))])
            # "announced at the APEC summit": the summit is where the other event happened
            if len(others) > 1 and others[0].type == "meeting" and _SETTING.search(text, max(s, others[0].span[0] - 30), others[0].span[0]):
                setting, others = others[0], others[1:]
            chosen = [(others[0], dated)]
            # what a person says is a statement of its own, unless it is said in the talks the sentence tells
            if ("statement" in best and others[0].type != "statement" and "person" in categories
                    and "meeting" not in best and "visit" not in best):
                chosen.append((best["statement"], f"said by a named person, {dated}"))
        # the date belongs first to the trigger written next to it ("visits ... since the invasion in
        # February"): that one is an event of its own whatever else the sentence names
        near, _gap = min(group, key=lambda x: x[1])
        if (near.type != "statement" and near is not setting and not (near.type in ("conflict", "meeting", "visit") and not near.strong)
                and all(c.type != near.type for c, _how in chosen)):
            chosen.append((near, f"the trigger nearest the date, {dated}"))
        for t, how in chosen:
            mod = mods[t.span]
            conf = _confidence(t, len({a.actor_id for a in actors}), d, i < 0, mod)
            td = _multi_day(text, t, d) if i >= 0 else d
            td = _year_total(td, amounts) if t.type == "trade" else td
            found = f"{'strong' if t.strong else 'weak'} {t.type} trigger, {how}"
            out.append(Candidate(t.type, td, t, (s, e), sentence, actors, amounts, mod, conf, i < 0, found))
    return out


_QUOTE = re.compile(r"[“«„][^”»“]*[”»“]|\"[^\"]*\"")


def _quotations(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """The quoted stretches of ``text[s:e]``, sorted; an opening mark with no close runs to the end
    (a quotation in a sentence of its own, its closing mark in a later one)."""
    out = [m.span() for m in _QUOTE.finditer(text, s, e)]
    first = text[s:e].lstrip()
    if not out and first[:1] in "“\"«„":
        out = [(s, e)]
    return out


def _overlap(a: DateMatch, b: DateMatch, slack: int = 0) -> bool:
    """The bounds overlap, or come within ``slack`` days of each other."""
    if a.start is None or b.start is None:
        return a.edtf == b.edtf
    gap = timedelta(days=slack)
    return a.start <= (b.end or b.start) + gap and b.start <= (a.end or a.start) + gap


_ABOUT_DAYS = 3  # an approximate day ("2023-03-23~", a document's publication) is this close to the day it names


def _same_time(a: DateMatch, b: DateMatch) -> bool:
    """Two mentions' dates name the same time: equal; overlapping when one is relative to the
    document date ("this week" and "Thursday" in a news item); within a few days when one is
    an approximate day (an official text published two days after it was adopted)."""
    if a.edtf == b.edtf:
        return True
    if "document" in (a.kind, b.kind):
        # ("this year" holds many events: only spans of a month or less are one time)
        return _overlap(a, b) and max(_width(a), _width(b)) <= 31
    about = (a.edtf.endswith("~") or b.edtf.endswith("~")) and a.precision == b.precision == "day"
    return about and _overlap(a, b, _ABOUT_DAYS)


def _width(d: DateMatch) -> int:
    return ((d.end or d.start) - d.start).days if d.start else 10**6


def _different_figures(a: Candidate, b: Candidate) -> bool:
    """Two mentions stating different figures are different events (two trade totals of 2023), and
    so are a trade figure and a trade level said without one ("trade dipped in December" and
    "exports fell 10% in December" are two facts)."""
    fa = {(m.value, m.unit) for m in a.amounts}
    fb = {(m.value, m.unit) for m in b.amounts}
    if a.type in _FIGURED and bool(fa) != bool(fb):
        return True
    return bool(fa and fb and not fa & fb)


def _dedup(cands: list[Candidate]) -> list[Candidate]:
    """One candidate per type and modality among those with a shared actor and dates naming
    the same time (:func:`_same_time`); the surest, then the most precise date, wins."""
    kept: list[Candidate] = []
    for c in sorted(cands, key=lambda c: (-c.confidence, _width(c.date))):
        ids = set(c.actor_ids)
        dup = any(
            k.type == c.type and k.modality == c.modality
            and _same_time(k.date, c.date)
            and (ids & set(k.actor_ids) or not (ids or k.actor_ids))
            and not _different_figures(k, c)
            for k in kept
        )
        if not dup:
            kept.append(c)
    return sorted(kept, key=lambda c: (c.sentence[0], c.trigger.span[0]))


def _inside(span: tuple[int, int], regions: list[tuple[int, int]]) -> bool:
    """``span`` lies within one of the sorted, disjoint ``regions``."""
    i = bisect_left(regions, (span[0] + 1,)) - 1
    return i >= 0 and regions[i][0] <= span[0] and span[1] <= regions[i][1]


def _reference_dates(text: str, ref: Reference, in_title: list[DateMatch]) -> list[DateMatch]:
    """The dates an event named in a reference entry's title can take: the act's own date
    ("Order ... dated 28.08.2003"); else the title's dates, and the report's date when the
    title only has horizons ("will reach $200 billion before 2024"); the report's date is
    that day (about) for an official document, else its month (see :mod:`.references`)."""
    if ref.dated is not None:
        d, span = ref.dated
        return [DateMatch(d.isoformat(), d, d, "day", f"{d:%d.%m.%Y}", span, "absolute",
                          "the date of the act the reference entry names", "reference_dated")]
    p = ref.published
    if p is None or any(not _horizon(text, d) for d in in_title):
        return in_title
    span, written = (ref.title[1], ref.span[1]), f"{p:%d.%m.%Y}"
    if ref.official:
        report = DateMatch(f"{p.isoformat()}~", p, p, "day", written, span, "absolute",
                           f"published on {written}: an official document's own date, about", "reference_published")
    else:
        month = parse_edtf(f"{p:%Y-%m}")
        report = DateMatch(month.edtf, month.start, month.end, "month", written, span, "absolute",
                           f"the month of the report of {written} the reference entry cites", "reference_published")
    return [*in_title, report]


def _units(text: str, sentences: list[tuple[int, int]], refs: list[Reference]) -> list[tuple[int, int, Reference | None]]:
    """The sentences to search, in order: each reference entry is one unit (its title only)
    in place of the sentences its line was split into."""
    spans = [r.span for r in refs]
    out: list[tuple[int, int, Reference | None]] = [(s, e, None) for s, e in sentences if not _inside((s, e), spans)]
    out += [(r.span[0], r.title[1], r) for r in refs]
    return sorted(out, key=lambda u: u[0])


_LEAD = 2  # sentences
_NEWS_DAYS = 7


def _news_date(dates: list[DateMatch], sentences: list[tuple[int, int]], doc: Any) -> DateMatch | None:
    """The day a news report is about: the first date of its lead (first sentences) that ends within
    a week before the report and spans at most a week; else the report's own day."""
    if doc is None or doc.start is None:
        return None
    if sentences:
        lead_end = sentences[min(_LEAD, len(sentences)) - 1][1]
        for d in dates:
            if d.span[0] >= lead_end:
                break
            if (d.start is not None and d.end is not None and (d.end - d.start).days <= _NEWS_DAYS
                    and doc.start - timedelta(days=_NEWS_DAYS) <= d.end <= doc.end):
                return replace(d, how=f"no date in the sentence: the day the report is about ({d.edtf}, from its lead)",
                               rule="news_date")
    if doc.precision != "day":
        return None
    return DateMatch(doc.edtf, doc.start, doc.end, "day", "(the report's date)", (0, 0), "document",
                     f"no date in the sentence: the report's date {doc.edtf}", "report_date")


def extract_candidates(
    text: str, *, doc_date: str | date | None = None, lang: str | None = None, registry: Any = None,
    report_dates: bool = True,
) -> tuple[str, list[Candidate]]:
    """The language used and the candidates of one text (see :func:`extract`)."""
    lang = lang or detect_language(text)
    doc = coerce_doc_date(doc_date)
    matcher = matcher_for(registry)
    sentences = split_sentences(text)
    addresses = find_addresses(text)
    refs = find_references(text)
    ref_lines = [r.span for r in refs]
    # a date inside a web address is no date; one in a reference entry dates only that entry
    dates = [d for d in find_dates(text, doc_date=doc, lang=lang, sentences=sentences) if not _inside(d.span, addresses)]
    text_dates = [d for d in dates if not _inside(d.span, ref_lines)] if refs else dates
    keywords = keyword_index(text)
    actors = matcher.find(text)
    amounts = find_amounts(text, lang)
    d_starts = [d.span[0] for d in dates]
    t_starts = [d.span[0] for d in text_dates]
    a_starts = [a.span[0] for a in actors]
    m_starts = [m.span[0] for m in amounts]
    doc_start = doc.start if doc is not None else None
    # The day a news report is about dates what it tells without a date, as a last resort (_news_date).
    news = _news_date(text_dates, sentences, doc) if report_dates else None
    cands: list[Candidate] = []
    for s, e, ref in _units(text, sentences, refs):
        if ref is None:
            here, before = _in(text_dates, t_starts, s, e), text_dates[: bisect_left(t_starts, s)]
        else:
            here, before = _reference_dates(text, ref, _in(dates, d_starts, ref.title[0], ref.title[1])), []
        cands += _sentence_candidates(
            text, s, e, lang, here, before,
            _in(actors, a_starts, s, e), _in(amounts, m_starts, s, e), doc_start, keywords,
            news if ref is None else None,
        )
    return lang, _dedup(cands)


def _schema() -> dict[str, Any]:
    import polars as pl

    return {
        "type": pl.String, "title": pl.String, "date": pl.String, "start": pl.Date, "end": pl.Date,
        "precision": pl.String, "date_text": pl.String, "actors": pl.List(pl.String),
        "amounts": pl.List(pl.Struct({"value": pl.Float64, "unit": pl.String, "text": pl.String})),
        "span_start": pl.Int64, "span_end": pl.Int64, "evidence": pl.String, "confidence": pl.Float64,
        "modality": pl.String, "doc_id": pl.String, "lang": pl.String, "actor_ids": pl.List(pl.String),
        "date_how": pl.String, "trigger": pl.String, "found_by": pl.String,
    }


def extract(
    text: str,
    *,
    doc_date: str | date | None = None,
    lang: str | None = None,
    doc_id: str | None = None,
    registry: Any = None,
    min_confidence: float = 0.0,
) -> pl.DataFrame:
    """Candidate events in ``text``, one row each (columns: :data:`COLUMNS`).

    ``doc_date`` (EDTF string or date) resolves relative dates such as "last year";
    ``lang`` is ``"en"``, ``"nl"`` or None to detect; ``registry`` is the actor registry
    (an events folder, a Dataset, actors, or None for the project's ``events/actors.yaml``).
    ``start``/``end`` are the inclusive bounds of ``date``; an open "since X" without a
    document date has ``end`` null. ``span_start``/``span_end`` are code-point offsets of
    the evidence sentence.

    >>> extract("Gazprom and CNPC signed a gas contract in 2014.", registry=[]).select("type", "date").row(0)
    ('contract', '2014')
    """
    import polars as pl

    used_lang, cands = extract_candidates(text, doc_date=doc_date, lang=lang, registry=registry)
    rows = [
        {
            "type": c.type, "title": c.title, "date": c.date.edtf, "start": c.date.start, "end": c.date.end,
            "precision": c.date.precision, "date_text": c.date.text, "actors": c.actor_names,
            "amounts": [{"value": a.value, "unit": a.unit, "text": a.text} for a in c.amounts],
            "span_start": c.sentence[0], "span_end": c.sentence[1], "evidence": c.evidence,
            "confidence": c.confidence, "modality": c.modality, "doc_id": doc_id, "lang": used_lang,
            "actor_ids": c.actor_ids,
            "date_how": ("inherited from an earlier sentence; " if c.inherited_date else "") + c.date.how,
            "trigger": c.trigger.text, "found_by": c.found_by,
        }
        for c in cands
        if c.confidence >= min_confidence
    ]
    return pl.DataFrame(rows, schema=_schema(), orient="row") if rows else pl.DataFrame(schema=_schema())
