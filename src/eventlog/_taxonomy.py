"""The words eventlog files things under: event types, statuses, actor categories and link relations.

Each event type has a one-line definition and, where one exists, its counterpart in
PLOVER (the Political Language Ontology for Verifiable Event Records). The five core
types ``treaty``, ``sanction``, ``bank_withdrawal``, ``contract`` and ``visit`` are fixed
identifiers; the rest cover what the documents date around them.

>>> EVENT_TYPES["bank_withdrawal"].plover
'SANCTION'
>>> "causes" in RELATIONS
True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "ACTOR_CATEGORIES",
    "BASES",
    "CAUSAL_RELATIONS",
    "CORE_TYPES",
    "CREDIBILITY",
    "EVENT_TYPES",
    "HYPOTHESIS_STATUSES",
    "RATINGS",
    "RELATIONS",
    "RELIABILITY",
    "STATUSES",
    "EventType",
    "Relation",
    "unknown",
]


@dataclass(frozen=True, slots=True)
class EventType:
    """One entry of the taxonomy."""

    id: str
    definition: str
    plover: str | None
    colour: str  # one colour per type, used by every chart


EVENT_TYPES: dict[str, EventType] = {
    t.id: t
    for t in [
        EventType("treaty", "A formal agreement, treaty, joint declaration or joint statement between states or blocs.", "AGREE", "#1f77b4"),
        EventType("sanction", "A sanction, export control, embargo, tariff or asset freeze imposed by any party.", "SANCTION", "#d62728"),
        EventType("bank_withdrawal", "A bank stops, suspends, refuses or restricts transactions, accounts or correspondent relations.", "SANCTION", "#8c564b"),
        EventType("contract", "A commercial contract, supply deal or corporate agreement between named parties.", "COOPERATE", "#2ca02c"),
        EventType("visit", "A leader or official travels to another country (state, official or working visit).", "CONSULT", "#9467bd"),
        EventType("meeting", "A summit, talks or ministerial meeting without a state visit, including forums and conferences.", "CONSULT", "#c5b0d5"),
        EventType("statement", "A public position, announcement, warning or accusation by an actor.", None, "#7f7f7f"),
        EventType("trade", "A trade figure or trade flow for a stated period (volume, share, growth).", None, "#17becf"),
        EventType("investment", "An investment, investment figure or stake for a stated period or project.", "COOPERATE", "#bcbd22"),
        EventType("finance", "A payment-system, currency, settlement or banking-infrastructure move (not a bank withdrawal).", "COOPERATE", "#e377c2"),
        EventType("military", "A military exercise, arms transfer, deployment or defence-industrial cooperation.", "MOBILIZE", "#393b79"),
        EventType("conflict", "An armed conflict, invasion, annexation or use of force.", "ASSAULT", "#ff7f0e"),
        EventType("infrastructure", "The opening, construction or planning of a pipeline, bridge, railway, plant or route.", "COOPERATE", "#637939"),
        EventType("policy", "A government policy, programme, law or strategy announced or adopted.", None, "#8c6d31"),
        EventType("election", "An election, referendum or inauguration.", None, "#843c39"),
        EventType("corporate", "A company enters, leaves, expands or restructures in a market.", None, "#7b4173"),
        EventType("other", "A dated occurrence that fits no type above.", None, "#bdbdbd"),
    ]
}

#: The five identifiers every analysis relies on; never rename them.
CORE_TYPES = ("treaty", "sanction", "bank_withdrawal", "contract", "visit")

#: How much an analyst trusts a record. ``candidate`` comes from extraction and awaits review.
STATUSES = ("confirmed", "candidate", "disputed")

#: What an actor is (``Actor.category``; called ``kind`` before 0.2, still accepted on input).
ACTOR_CATEGORIES = ("state", "bloc", "organisation", "company", "bank", "person")


@dataclass(frozen=True, slots=True)
class Relation:
    """A kind of cause-effect link from a cause event to an effect event."""

    id: str
    definition: str
    causal: bool  # causal relations may not form cycles


RELATIONS: dict[str, Relation] = {
    r.id: r
    for r in [
        Relation("causes", "The cause was sufficient to bring the effect about; without it the effect would not have happened.", True),
        Relation("contributes_to", "The cause was one of several factors that made the effect more likely or larger.", True),
        Relation("enables", "The cause made the effect possible (a precondition) without itself prompting it.", True),
        Relation("triggers", "The cause was the immediate occasion for an effect that was already likely.", True),
        Relation("responds_to", "The effect is a deliberate reaction by an actor to the cause.", True),
        Relation("prevents", "The cause stopped or delayed the effect (the effect is what did not happen, or happened later).", True),
    ]
}

CAUSAL_RELATIONS = tuple(r for r, v in RELATIONS.items() if v.causal)


#: Link bases: a document states the link, or it is an analyst's judgement.
BASES = ("source", "analyst")

#: How reliable a source is, apart from any one claim (the NATO / Admiralty code's letter).
#: F is not a worse E: it says the source cannot be judged, so no threshold admits it.
RELIABILITY = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}

#: How credible one citation's claim is (the code's digit). 6, like F, cannot be judged.
CREDIBILITY = {
    1: "confirmed by other sources",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "truth cannot be judged",
}


#: How an event bears on a hypothesis (analysis of competing hypotheses, after Heuer), and what
#: it adds to the hypothesis's inconsistency score: only inconsistency counts against a hypothesis.
RATINGS = {
    "CC": ("very consistent", 0),
    "C": ("consistent", 0),
    "N": ("neutral or not applicable", 0),
    "I": ("inconsistent", 1),
    "II": ("very inconsistent", 2),
}

#: Where a hypothesis stands.
HYPOTHESIS_STATUSES = ("open", "rejected", "accepted")


def unknown(what: str, value: object, known: Iterable[str]) -> str:
    """The one message for a value outside a closed set, with the closest known one.

    >>> unknown("type", "vistt", EVENT_TYPES)
    "unknown type 'vistt'; did you mean 'visit'? (known: treaty, sanction, ...)"
    """
    import difflib

    options = list(known)
    shown = repr(value)[:80]
    close = difflib.get_close_matches(str(value).lower(), options, n=1, cutoff=0.6) if isinstance(value, str) else []
    hint = f"; did you mean {close[0]!r}?" if close else ";"
    listing = ", ".join(options[:2]) + ", ..." if close and len(options) > 3 else ", ".join(options)
    return f"unknown {what} {shown}{hint} (known: {listing})" if close else f"unknown {what} {shown}; known: {listing}"
