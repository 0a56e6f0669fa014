"""From text to candidate events: sentences, triggers, dates, actors, amounts, modality.

Steps, all rule-based and in pure Python:

1. find every date expression in the whole text (so that "het jaar daarop" can lean on
   the date before it), every actor alias and every amount;
2. per sentence, find triggers; give each trigger the nearest date in its sentence
   (crossing a ";" or "and/en" costs extra distance). A strong trigger of a core type in a
   sentence without a date takes the last date of the previous ~400 characters, at lower
   confidence;
3. per sentence and date keep every core type triggered there, or else the single best
   other type (``trade`` and ``investment`` need a stated figure);
4. drop repeats in the same document (same type, date and modality, a shared actor).

>>> df = extract("On 4 February 2022 Putin visited Beijing.", registry=[])
>>> df.select("type", "date", "modality").row(0)
('visit', '2022-02-04', 'asserted')
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from .._taxonomy import CORE_TYPES
from .actors import ActorMatch, matcher_for
from .amounts import AmountMatch, find_amounts
from .datetext import DateMatch, coerce_doc_date, find_dates
from .language import detect_language
from .sentences import split_sentences
from .triggers import TriggerMatch, find_triggers, modality, resolve_agreement

if TYPE_CHECKING:
    import polars as pl

__all__ = ["COLUMNS", "Candidate", "extract", "extract_candidates"]

#: Output columns, in order. The first fourteen are the documented interface.
COLUMNS = (
    "type", "title", "date", "start", "end", "precision", "date_text", "actors", "amounts",
    "span_start", "span_end", "evidence", "confidence", "modality",
    "doc_id", "lang", "actor_ids", "date_how", "trigger",
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

    @property
    def actor_ids(self) -> list[str]:
        return list(dict.fromkeys(a.actor_id for a in self.actors))

    @property
    def actor_names(self) -> list[str]:
        return list(dict.fromkeys(a.name for a in self.actors))

    @property
    def title(self) -> str:
        label = self.type.replace("_", " ").capitalize()
        who = " / ".join(self.actor_names[:3]) or "unnamed parties"
        figure = f", {self.amounts[0].text}" if self.amounts else ""
        return f"{label}: {who}{figure} ({self.date.text})"


_BOUNDARY = re.compile(r";|\band\b|\ben\b|\bwhile\b|\bterwijl\b|\bbut\b|\bmaar\b", re.IGNORECASE)
_INHERIT_WINDOW = 400  # characters back to look for a date for a dateless strong core trigger


_SAID = re.compile(r"\b(?:said|says|told|announced|reported|zei|zegt|meldde|verklaarde|kondigde\s+\w+\s+aan)\s*(?:on\s+|op\s+)?$", re.IGNORECASE)


def _distance(text: str, trig: TriggerMatch, d: DateMatch) -> int:
    """Characters between a trigger and a date, plus 60 per clause boundary in between,
    plus 100 when the date is the date of saying ("the Kremlin said Tuesday") and the
    trigger is not itself a statement."""
    a, b = sorted((trig.span, d.span))
    gap = max(0, b[0] - a[1])
    said = trig.type != "statement" and _SAID.search(text, max(0, d.span[0] - 30), d.span[0]) is not None
    return gap + 60 * len(_BOUNDARY.findall(text, a[1], b[0])) + (100 if said else 0)


def _in(items: list[Any], starts: list[int], s: int, e: int) -> list[Any]:
    """Items whose span starts inside [s, e), using their sorted start offsets."""
    return items[bisect_left(starts, s) : bisect_left(starts, e)]


def _confidence(trig: TriggerMatch, actors: int, d: DateMatch, inherited: bool, mod: str) -> float:
    c = 0.3 + 0.35 * trig.weight + (0.1 if actors else 0.0) + (0.05 if actors > 1 else 0.0)
    c += 0.05 if d.precision in ("day", "month") else 0.0
    c -= 0.2 if inherited else 0.0
    c -= 0.1 if mod != "asserted" else 0.0
    return round(min(0.95, max(0.05, c)), 2)


def _sentence_candidates(
    text: str, s: int, e: int, lang: str, dates: list[DateMatch], before: list[DateMatch],
    actors: list[ActorMatch], amounts: list[AmountMatch],
) -> list[Candidate]:
    sentence = text[s:e]
    kinds = {a.kind for a in actors}
    trigs = []
    for t in find_triggers(text, s, e, lang):
        if t.type in ("trade", "investment") and not amounts:
            continue  # "trade" is everywhere; a trade event states a figure
        if t.type == "agreement":
            t = TriggerMatch(resolve_agreement(sentence, kinds), t.weight, t.text, t.span)
        trigs.append(t)
    if not trigs:
        return []
    # trigger -> (date, inherited)
    assigned: dict[int, list[tuple[TriggerMatch, int]]] = {}
    inherited: DateMatch | None = None
    for t in trigs:
        if dates:
            dists = [_distance(text, t, d) for d in dates]
            i = min(range(len(dates)), key=dists.__getitem__)
            if t.type in CORE_TYPES and not t.strong and dists[i] > 80:
                continue  # a passing mention of "sanctions" far from the date is background
            assigned.setdefault(i, []).append((t, dists[i]))
        elif t.type in CORE_TYPES and t.strong and before and before[-1].span[1] >= s - _INHERIT_WINDOW:
            inherited = before[-1]
            assigned.setdefault(-1, []).append((t, 0))
    out = []
    for i, group in assigned.items():
        d = inherited if i == -1 else dates[i]
        assert d is not None
        best: dict[str, TriggerMatch] = {}
        for t, _dist in sorted(group, key=lambda x: (-x[0].weight, x[1])):
            best.setdefault(t.type, t)
        core = [t for ty, t in best.items() if ty in CORE_TYPES]
        if core:
            chosen = core
        else:
            others = [t for t in best.values() if t.type != "statement"] or list(best.values())
            chosen = others[:1]
        for t in chosen:
            mod = modality(sentence, t.span[0] - s, t.span[1] - s, lang)
            conf = _confidence(t, len({a.actor_id for a in actors}), d, i == -1, mod)
            out.append(Candidate(t.type, d, t, (s, e), sentence, actors, amounts, mod, conf, i == -1))
    return out


def _overlap(a: DateMatch, b: DateMatch) -> bool:
    if a.start is None or b.start is None:
        return a.edtf == b.edtf
    return a.start <= (b.end or b.start) and b.start <= (a.end or a.start)


def _width(d: DateMatch) -> int:
    return ((d.end or d.start) - d.start).days if d.start else 10**6


def _different_figures(a: Candidate, b: Candidate) -> bool:
    """Two mentions stating different figures are different events (two trade totals of 2023)."""
    fa = {(m.value, m.unit) for m in a.amounts}
    fb = {(m.value, m.unit) for m in b.amounts}
    return bool(fa and fb and not fa & fb)


def _dedup(cands: list[Candidate]) -> list[Candidate]:
    """One candidate per type and modality among those with a shared actor and the same date,
    or overlapping dates when one is relative to the document date ("this week" and
    "Thursday" in a news item are its one event); the surest, then the most precise date, wins."""
    kept: list[Candidate] = []
    for c in sorted(cands, key=lambda c: (-c.confidence, _width(c.date))):
        ids = set(c.actor_ids)
        dup = any(
            k.type == c.type and k.modality == c.modality
            and (k.date.edtf == c.date.edtf or ("document" in (k.date.kind, c.date.kind) and _overlap(k.date, c.date)))
            and (ids & set(k.actor_ids) or not (ids or k.actor_ids))
            and not _different_figures(k, c)
            for k in kept
        )
        if not dup:
            kept.append(c)
    return sorted(kept, key=lambda c: (c.sentence[0], c.trigger.span[0]))


def extract_candidates(
    text: str, *, doc_date: str | date | None = None, lang: str | None = None, registry: Any = None,
) -> tuple[str, list[Candidate]]:
    """The language used and the candidates of one text (see :func:`extract`)."""
    lang = lang or detect_language(text)
    doc = coerce_doc_date(doc_date)
    matcher = matcher_for(registry)
    dates = find_dates(text, doc_date=doc, lang=lang)
    actors = matcher.find(text)
    amounts = find_amounts(text, lang)
    d_starts = [d.span[0] for d in dates]
    a_starts = [a.span[0] for a in actors]
    m_starts = [m.span[0] for m in amounts]
    cands: list[Candidate] = []
    for s, e in split_sentences(text):
        cands += _sentence_candidates(
            text, s, e, lang,
            _in(dates, d_starts, s, e), dates[: bisect_left(d_starts, s)],
            _in(actors, a_starts, s, e), _in(amounts, m_starts, s, e),
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
        "date_how": pl.String, "trigger": pl.String,
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
            "trigger": c.trigger.text,
        }
        for c in cands
        if c.confidence >= min_confidence
    ]
    return pl.DataFrame(rows, schema=_schema(), orient="row") if rows else pl.DataFrame(schema=_schema())
