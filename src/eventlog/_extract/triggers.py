"""Event types from trigger words and patterns (English and Dutch), and the modality of a mention.

A trigger is a word or pattern that names an event of one type: "visited", "bracht een
bezoek", "sanctions", "verdrag". Each has a weight: *strong* triggers name the event
itself (a verb of doing, "imposed sanctions", "state visit"); *weak* ones mention it in
passing ("Western sanctions"). Generic agreement words ("agreement", "overeenkomst",
"deal") become ``contract`` when the sentence names a company or bank or a commercial
object (gas, oil, supply, worth ...), else ``treaty``.

Modality says whether the event is said to have happened: ``asserted``, ``planned``
("will visit", "zal bezoeken"), ``threatened`` ("warned it could impose sanctions"),
``negated`` ("did not sign", "has yet to agree") or ``hypothetical`` ("could", "mogelijke").

>>> [(t.type, t.text) for t in find_triggers("Putin visited Beijing and signed a treaty.")]
[('visit', 'visited'), ('treaty', 'treaty')]
>>> modality("Washington warned that it could impose sanctions on banks.", 38)
'threatened'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .keywords import KeywordIndex, KeywordSet, fold

__all__ = ["TriggerMatch", "find_triggers", "keyword_index", "modality", "resolve_agreement", "resolve_documents"]


@dataclass(frozen=True, slots=True)
class TriggerMatch:
    """A trigger found in a text: the type it names, its weight (0-1), the text and where."""

    type: str
    weight: float
    text: str
    span: tuple[int, int]

    @property
    def strong(self) -> bool:
        return self.weight >= 0.8


# (type, weight, pattern). "agreement" is a pseudo-type resolved by resolve_agreement().
_TRIGGERS_SRC: list[tuple[str, float, str] | tuple[str, float, str, str]] = [
    # bank_withdrawal: a bank (subject) stops, refuses or restricts payments or accounts
    ("bank_withdrawal", 0.95,
     r"\b(?:\w*banks?|lenders?)\b[^.;:]{0,80}?\b(?:stop(?:ped|s)?|terminat(?:ed|es|ing)|suspend(?:ed|s)?|halt(?:ed|s)?|refus(?:ed|es|e|ing)|reject(?:ed|s|ing)?|"
     r"restrict(?:ed|s)?|tighten(?:ed|s)?|clos(?:ed|es|ing)|froze|freez(?:es|ing)|curb(?:ed|s)?|ceas(?:ed|es)|declin(?:ed|es)|"
     r"cut\s+(?:off|ties)|pull(?:ed)?\s+out|withdr[ea]w)\b"),
    ("bank_withdrawal", 0.95,
     r"\b(?:payments?|transactions?|transfers?|accounts?)\b[^.;:]{0,40}?\b(?:were|are|is|was|have\s+been|has\s+been|had\s+been|"
     r"got|(?:are|is|were|was)\s+(?:\w+\s+)?being)\s+(?:rejected|refused|blocked|returned|frozen|closed|suspended|halted|hampered|"
     r"delayed|restricted)\b"),
    ("bank_withdrawal", 0.95,
     r"\b\w*banken?\b[^.;:]{0,80}?\b(?:weiger(?:en|den|de|t)|stop(?:pen|ten|te|t)|schort(?:en|ten|te)|blokke(?:ren|erden|erde|ert)|"
     r"beperk(?:en|ten|te|t)|sluit(?:en)?|sloten|bevr(?:oren|oor|iezen)|trokken\s+zich\s+terug|verbr(?:aken|eken)|"
     r"gestopt|geweigerd|opgeschort|geblokkeerd|beperkt)\b"),
    # Dutch inversion after a fronted phrase: "In juni 2024 weigerden Chinese banken ..."
    ("bank_withdrawal", 0.95,
     r"\b(?:weigerden|weigeren|stopten|blokkeerden|schortten|beperkten|sloten|bevroren)\s+(?:\w+\s+){0,3}banken\b"),
    ("bank_withdrawal", 0.95,
     r"\b(?:betalingen|transacties|overschrijvingen|rekeningen)\b[^.;:]{0,40}?\b(?:werden|worden|zijn)\s+(?:\w+\s+){0,3}"
     r"(?:geweigerd|geblokkeerd|teruggestuurd|bevroren|gesloten|opgeschort)\b"),
    # sanction
    ("sanction", 0.9,
     r"\b(?:impos(?:ed|es|e|ing)|introduc(?:ed|es|e)|adopt(?:ed|s)?|announc(?:ed|es)|extend(?:ed|s)?|expand(?:ed|s)?|"
     r"tighten(?:ed|s)?|slap(?:ped)?|levied|placed)\b[^.;:]{0,40}?\b(?:sanctions?|tariffs?|export\s+controls?|embargo(?:es)?|"
     r"restrictions|duties|price\s+cap)\b"),
    # (after "the", "a", "'s" or a hyphen it is an adjective: "a sanctioned LNG plant" names no act)
    ("sanction", 0.9,
     r"(?<!\bthe\s)(?<!\ba\s)(?<!\ban\s)(?<!'s\s)(?<!’s\s)(?<!-)(?<!\bto\s)(?<!\bof\s)(?<!\bfrom\s)(?<!\bwith\s)(?<!\bfor\s)"
     r"(?<!\bon\s)(?<![”\"]\s)\b(?:sanctioned|blacklisted|embargoed)\b"),
    ("sanction", 0.9,
     r"\b(?:took|taken|take|takes|taking)\s+action\s+against\b|\bentity\s+list\b|\badded\s+(?:[\w.-]+\s+){0,6}?to\s+(?:its|the|a)\s+"
     r"(?:[\w-]+\s+){0,2}list\b|\bzwarte\s+lijst\b|\bop\s+de\s+(?:\w+\s+)?lijst\s+(?:gezet|geplaatst)\b"),
    ("sanction", 0.85, r"\b(?:banned|bans|ban\s+on|prohibited|verbood|verboden|verbod\s+op|exportverbod\w*|invoerverbod\w*)\b"),
    ("sanction", 0.9, r"\bsanctions?\s+package\b|\b\d+(?:st|nd|rd|th)\s+package\b|\bsanctiepakket\w*|\bsanctieronde\w*"),
    ("sanction", 0.9,
     r"\b(?:cut\s+off|disconnected|excluded|removed|banned)\s+from\s+SWIFT\b|\buitsluiting\s+uit\s+(?:het\s+)?SWIFT\w*|"
     r"\basset\s+freeze\b|\bfroze\b[^.;]{0,30}\bassets\b|\btegoeden\b[^.;]{0,30}\bbevroren\b"),
    ("sanction", 0.9,
     r"\b(?:legde|legden|leggen|stelde|stelden|voerde|voerden)\b[^.;:]{0,40}?\b(?:sancties|heffingen|invoerrechten|embargo|exportbeperkingen)\b"),
    ("sanction", 0.5,
     r"\b(?:sanctions?|sanctioned|sanctie\w*|export\s+controls?|embargo(?:es)?|tariffs?|exportbeperkingen|exportcontroles|invoerheffingen|heffingen)\b"),
    # treaty
    ("treaty", 0.9, r"\b(?:treaty(?!\s+Organi[sz]ation)|treaties|accord|pact|verdrag\w*|vriendschapsverdrag|vrijhandelsovereenkomst\w*|free[-\s]trade\s+agreement)\b"),
    ("treaty", 0.9, r"\bjoint\s+(?:statements?|declarations?|communiqu[eé]s?)\b|\bgezamenlijke\s+verklaring(?:en)?\b"),
    ("treaty", 0.85,
     r"\b(?:declared|proclaimed|verklaarden|verklaarde|riepen)\b[^.;]{0,60}?\b(?:partnership|friendship|partnerschap|vriendschap)\b|"
     r"\b(?:no|without)\s+limits\b|\bzonder\s+grenzen\b"),
    ("agreement", 0.85,
     r"\b(?:agreements?|memorand(?:um|a)|MoUs?|deals?|\w*overeenkomst(?:en)?|\w*akkoord(?:en)?|afspraken)\b"),
    # a deal said to be sealed ("de pijpleiding werd toen beklonken")
    ("agreement", 0.85, r"\b(?:was|were|werd|werden)\s+(?:[\w-]+\s+){0,3}?(?:sealed|clinched|beklonken)\b"),
    # signed documents: a package between states (a treaty) unless a company or bank signs ("documents" below)
    ("documents", 0.85,
     r"\bsign(?:ed|ing|s)?\b[^.;]{0,50}?\bdocuments\b|\bdocuments\b[^.;]{0,20}?\bsigned\b|"
     r"\b(?:ondertekend|getekend|ondertekenden|tekenden)\b[^.;]{0,40}?\b\w*documenten\b|"
     r"\b\w*documenten\b[^.;]{0,30}?\b(?:ondertekend|getekend)\b"),
    # contract
    ("contract", 0.9,
     r"(?<!\bto\s)\b(?:contracts?|supply\s+(?:deal|agreement)|purchase\s+agreement|gas\s+deal|offtake|"
     r"\w*contract(?:en)?|gasovereenkomst\w*|leveringsovereenkomst\w*|gascontract\w*)\b"),
    # a supply named by its yearly volume ("30 bcm of gas a year", "vijf miljard kubieke meter per jaar")
    ("contract", 0.85,
     r"\b(?:(?:billion|bn|miljard|million|miljoen)\s+(?:cubic\s+met(?:er|re)s?|kubieke\s+meter|tonnes|tons|ton|barrels|vaten)|"
     r"\d+\s*bcm)\b[^.;]{0,30}?\b(?:annually|per\s+jaar|a\s+year|per\s+year|per\s+annum|jaarlijks)\b"),
    # visit
    ("visit", 0.95,
     r"\b(?:state\s+visit|official\s+visit|working\s+visit|visit(?:ed|s|ing)?|trip\s+to|travel(?:l?ed|s)\s+to|flew\s+to|"
     r"arrived\s+in|came\s+to\s+(?-i:[A-Z])\w*|(?<!-)host(?:ed|s|ing)|(?:staats|werk)?bezoek\w*|bezocht\w*|reisde\s+naar|vloog\s+naar|kwam\s+aan\s+in)\b"),
    # Dutch splits the particle verb: "de premier kwam gisteren in Tokio aan".
    ("visit", 0.95, r"\b(?:kwam|kwamen|komt|arriveerde\w*)\b[^.;:]{0,50}?\b(?:in|op|te)\s+\w+(?:\s+\w+)?\s+aan\b", "nl"),
    # meeting ("met" and "top" are ordinary words in the other language: one pattern each)
    ("meeting", 0.8, r"\b(?:met\s+with|met|meetings?|summit|talks|held\s+talks|negotiations|forum|conference|discussed)\b", "en"),
    ("meeting", 0.8,
     r"\b(?:ontmoet\w*|topontmoeting|top|\w+-top|gesprekken|onderhandelingen|bijeenkomst|conferentie|forum|"
     r"kwam\w*\s+[^.;]{0,40}bijeen|overleg|gesproken\s+met|besprak(?:en)?|sprak(?:en)?\s+(?:\w+\s+){0,3}?met)\b", "nl"),
    # trade (weak unless the sentence states a figure; see extract)
    ("trade", 0.6,
     r"\b(?:trade|turnover|export(?:s|ed|ing)?|import(?:s|ed|ing)?|handel\w*|uitvoer|invoer|export(?:eerde|eerden)?|"
     r"import(?:eerde|eerden)?|omzet|cargo|freight|shipments|supplies|deliveries|vracht\w*|goederenvervoer|leveringen)\b"),
    # investment
    ("investment", 0.7, r"\b(?:invest(?:ed|ment|ments|s)?|stake|investering\w*|investeerde\w*|\w*fonds|fund)\b"),
    # finance
    ("finance", 0.85,
     r"\b(?:swap\s+line|currency\s+swap|swaplijn|national\s+currenc(?:y|ies)|nationale\s+valuta|payment\s+system|"
     r"betalingssysteem|SPFS|CIPS|settle(?:ment)?s?\s+in\s+(?:yuan|rubles|roubles)|de-?dollari[sz]ation|"
     r"verrekenen\s+van\s+betalingen)\b"),
    ("finance", 0.6, r"\b(?:yuan|renminbi)\b"),
    # military
    ("military", 0.8,
     r"\b(?:military\s+exercises?|joint\s+exercises?|drills|naval\s+exercises?|joint\s+patrols?|arms\s+(?:exports|sales|deliveries)|"
     r"weapons?|militaire\s+oefening\w*|gezamenlijke\s+oefening\w*|wapen\w*)\b"),
    # conflict
    ("conflict", 0.8,
     r"\b(?:invasion|invaded|invade|annex(?:ed|ation)|seized|occupied|captured|bezet(?:te|ten)|veroverde\w*|(?<!cold\s)war|attack(?:ed)?|inval|invasie|binnenviel|viel\b[^.;]{0,40}\bbinnen|"
     r"aanhechting|annexatie|(?<!koude\s)oorlog)\b|\w+-aanhechting\b"),
    # infrastructure
    ("infrastructure", 0.7,
     r"\b(?:pipelines?|bridge|railway|rail\s+link|power\s+(?:plant|units?)|nuclear\s+power|port|terminal|"
     r"pijplijn\w*|pijpleiding\w*|brug|spoorlijn\w*|kerncentrale\w*|haven\w*|LNG-installatie|Power\s+of\s+Siberia)\b"),
    # policy. Lifting a ban or sanctions is a policy change, not a sanction: this pattern spans
    # the "ban" it governs, and being heavier it wins over the sanction trigger inside it.
    ("policy", 0.9,
     r"\b(?:lift(?:ed|s|ing)?|eas(?:ed|es|ing)|remov(?:ed|es|ing)|scrap(?:ped|s)?|ended)\s+(?:of\s+)?(?:[\w-]+\s+){0,3}?"
     r"(?:ban|bans|sanctions|restrictions|embargo|curbs)\b|\bopheffing\s+van\s+(?:\w+\s+){0,3}?"
     r"(?:verbod|invoerverbod|sancties|beperkingen|embargo)\b|\b(?:verbod|invoerverbod|sancties|beperkingen|embargo)\b"
     r"[^.;:]{0,40}?\b(?:opgeheven|ingetrokken|versoepeld)\b|\bhief\b[^.;:]{0,40}?\b(?:verbod|invoerverbod|sancties|beperkingen)\s+op\b"),
    ("policy", 0.6,
     r"\b(?:polic(?:y|ies)|strategy|programme|program|law|decree|pivot\s+to\s+the\s+east|beleid|strategie|programma|wet|"
     r"decreet|draai\s+naar\s+het\s+oosten)\b"),
    # election
    ("election", 0.9, r"\b(?:elections?|re-?elected|elected|referendum|inaugurat\w+|verkiezing\w*|herverkozen|verkozen|ingehuldigd)\b"),
    # corporate
    ("corporate", 0.7,
     r"\b(?:exodus|left\s+the\s+(?:\w+\s+)?market|exit(?:ed|s)?\s+(?:from\s+)?(?:the\s+)?(?:[\w-]+\s+)?(?:market|country|business)|withdrew\s+from|pulled\s+out\s+of|shift\s+(?:a\s+portion\s+of\s+)?"
     r"(?:its\s+)?\w*\s*operations|uittocht|vertrek|trokken\s+zich\s+terug|verlieten)\b"),
    # statement
    ("statement", 0.5,
     r"\b(?:warned|accused|condemned|criticised|criticized|announced|declared|stated|said|says|told|hinted|"
     r"zei|zegt|verklaarde|waarschuwde\w*|beschuldigde\w*|"
     r"veroordeelde\w*|kondigde\w*|uitte\s+(?:ook\s+)?kritiek|noemde|feliciteerde)\b"),
]

#: (type, weight, compiled pattern, language or "*")
TRIGGERS: tuple[tuple[str, float, re.Pattern[str], str], ...] = tuple(
    (e[0], e[1], re.compile(e[2], re.IGNORECASE), e[3] if len(e) > 3 else "*") for e in _TRIGGERS_SRC  # type: ignore[misc]
)
#: Pattern sources, for benchmarks.
PATTERNS: tuple[str, ...] = tuple(e[2] for e in _TRIGGERS_SRC)

#: Pre-filter: words of which every match of the trigger pattern at the same index contains at
#: least one (case-insensitive). A pattern only runs on a sentence that has one of its words.
#: tests/test_extract.py checks this on text and that results equal running every pattern.
KEYWORDS: tuple[tuple[str, ...], ...] = (
    ("bank", "lender"),
    ("payment", "transaction", "transfer", "account"),
    ("bank",),
    ("bank",),
    ("betaling", "transactie", "overschrijving", "rekening"),
    ("sanction", "tariff", "export", "embargo", "restrictions", "duties", "price"),
    ("sanction", "blacklist", "embargo"),
    ("action", "entity", "list", "lijst"),
    ("ban", "prohibit", "verbo"),
    ("package", "sanctie"),
    ("swift", "asset", "froze", "tegoeden"),
    ("sancties", "heffingen", "invoerrechten", "embargo", "exportbeperkingen"),
    ("sanction", "sanctie", "export", "embargo", "tariff", "heffingen"),
    ("treat", "accord", "pact", "verdrag", "vrijhandelsovereenkomst", "free"),
    ("joint", "gezamenlijke"),
    ("partner", "friendship", "vriendschap", "limits", "grenzen"),
    ("agreement", "memorand", "mou", "deal", "overeenkomst", "akkoord", "afspraken"),
    ("sealed", "clinched", "beklonken"),
    ("document",),
    ("contract", "supply", "purchase", "deal", "offtake", "overeenkomst"),
    ("billion", "bn", "miljard", "million", "miljoen", "bcm"),
    ("visit", "trip", "travel", "flew", "arrived", "came", "host", "bezoek", "bezocht", "reisde", "vloog", "kwam"),
    ("kwam", "komt", "arriveerde"),
    ("met", "meeting", "summit", "talks", "negotiations", "forum", "conference", "discussed"),
    ("ontmoet", "top", "gesprekken", "onderhandelingen", "bijeenkomst", "conferentie", "forum", "bijeen", "overleg",
     "gesproken", "besprak", "sprak"),
    ("trade", "turnover", "export", "import", "handel", "uitvoer", "invoer", "omzet", "cargo", "freight", "shipments",
     "supplies", "deliveries", "vracht", "goederenvervoer", "leveringen"),
    ("invest", "stake", "fonds", "fund"),
    ("swap", "currenc", "valuta", "payment", "betalingssysteem", "spfs", "cips", "settle", "dollari", "yuan", "renminbi",
     "verrekenen"),
    ("yuan", "renminbi"),
    ("exercise", "drills", "patrol", "arms", "weapon", "oefening", "wapen"),
    ("inva", "annex", "seized", "occupied", "captured", "war", "attack", "binnen", "aanhechting", "oorlog", "bezet", "verover"),
    ("pipeline", "bridge", "rail", "power", "port", "terminal", "pijp", "brug", "spoorlijn", "kerncentrale", "haven",
     "lng-installatie"),
    ("lift", "eas", "remov", "scrap", "ended", "opheffing", "opgeheven", "ingetrokken", "versoepeld", "hief"),
    ("polic", "strateg", "program", "law", "decree", "pivot", "beleid", "wet", "decreet", "draai"),
    ("elect", "referendum", "inaugurat", "verkiezing", "verkozen", "ingehuldigd"),
    ("exodus", "left", "exit", "withdrew", "pulled", "shift", "uittocht", "vertrek", "trokken", "verlieten"),
    ("warned", "accused", "condemned", "critici", "announced", "declared", "stated", "said", "says", "told", "hinted",
     "zei", "zegt", "verklaarde", "waarschuwde", "beschuldigde", "veroordeelde", "kondigde", "kritiek", "noemde", "feliciteerde"),
)


_KW = KeywordSet(w for ws in KEYWORDS for w in ws)
_KW_KEYS: tuple[frozenset[str], ...] = tuple(frozenset(_KW.key(w) for w in ws) for ws in KEYWORDS)
assert len(_KW_KEYS) == len(TRIGGERS)


def keyword_index(text: str) -> KeywordIndex:
    """The trigger keywords of a whole text, for :func:`find_triggers` on its sentences."""
    return _KW.index(fold(text))


def find_triggers(
    text: str, start: int = 0, end: int | None = None, lang: str | None = None, prefilter: bool = True,
    keywords: KeywordIndex | None = None,
) -> list[TriggerMatch]:
    """Trigger matches in ``text[start:end]`` (offsets into ``text``), in order.

    Where matches of different types overlap, the heavier one wins. ``prefilter=False``
    runs every pattern (same result, slower); ``keywords`` is :func:`keyword_index` of
    ``text``, to save finding them sentence by sentence.

    >>> [t.type for t in find_triggers("Op 4 februari 2022 bracht Poetin een bezoek aan China.")]
    ['visit']
    """
    end = len(text) if end is None else end
    if not prefilter:
        present = None
    elif keywords is not None:
        present = keywords.find(start, end)
    else:
        present = _KW.find(fold(text[start:end]))
    found = [
        TriggerMatch(t, w, m[0], m.span())
        for (t, w, rx, tl), keys in zip(TRIGGERS, _KW_KEYS, strict=True)
        if (lang is None or tl in ("*", lang)) and (present is None or not keys.isdisjoint(present))
        for m in rx.finditer(text, start, end)
    ]
    found.sort(key=lambda t: (-t.weight, t.span[0]))
    kept: list[TriggerMatch] = []
    for t in found:
        if all(t.span[1] <= k.span[0] or t.span[0] >= k.span[1] for k in kept):
            kept.append(t)
    return sorted(kept, key=lambda t: t.span[0])


_COMMERCIAL = re.compile(
    r"\b(?:gas|oil|LNG|coal|supply|supplies|deliver\w*|purchase|worth|valued|contract\w*|commercial|company|companies|"
    r"olie|aardgas|steenkool|levering\w*|ter\s+waarde\s+van|bedrijf|bedrijven|onderneming\w*|"
    r"pipelines?|pijplijn\w*|pijpleiding\w*|Power\s+of\s+Siberia)\b",
    re.IGNORECASE,
)


def resolve_documents(actor_categories: set[str]) -> str:
    """Signed documents are a ``contract`` when a company or bank is named, else a ``treaty``: the
    package of documents signed on a state visit is between the states, whatever it covers.

    >>> resolve_documents({"state", "person"})
    'treaty'
    """
    return "contract" if actor_categories & {"company", "bank"} else "treaty"


def resolve_agreement(sentence: str, actor_categories: set[str]) -> str:
    """``contract`` for a commercial agreement (a company or bank is a party, or the sentence
    is about gas, oil, supply or worth), else ``treaty``.

    >>> resolve_agreement("Gazprom and CNPC signed an agreement.", {"company"})
    'contract'
    >>> resolve_agreement("Russia and China signed an agreement on cooperation.", {"state"})
    'treaty'
    """
    if actor_categories & {"company", "bank"} or _COMMERCIAL.search(sentence):
        return "contract"
    return "treaty"


# --- modality -----------------------------------------------------------------------------

_CLAUSE = re.compile(r"[;:]|\s[–—]\s|,\s+(?:but|while|whereas|although|though|maar|terwijl|hoewel|ofschoon)\b|\b(?:but|maar)\b")
_FIXED = re.compile(r"\b(?:no|without)\s+limits\b|\bnot\s+only\b|\bniet\s+(?:alleen|enkel|slechts)\b|\bzonder\s+grenzen\b|\bno\s+[\"“]?forbidden\b|\bno\s+longer\b", re.IGNORECASE)

def _cues(en: str, nl: str, both: str = "") -> dict[str | None, re.Pattern[str]]:
    """One regex per language (None: both), so that Dutch "plant" (plans) leaves an English power plant alone."""
    def rx(words: str) -> re.Pattern[str]:
        return re.compile(rf"\b(?:{words})\b", re.IGNORECASE)

    joined = "|".join(x for x in (en, nl, both) if x)
    return {"en": rx("|".join(x for x in (en, both) if x)), "nl": rx("|".join(x for x in (nl, both) if x)), None: rx(joined)}


_NEG = _cues(
    r"not|never|no|neither|nor|yet\s+to|failed\s+to|refused\s+to|declined\s+to|\w+n't",
    r"niet|geen|nooit|nog\s+niet|weigerde\s+te",
)
_THREAT = _cues(
    r"threat\w*|warn(?:ed|s|ing)?\s+(?:\w+\s+){0,3}(?:that|of|it\s+could)|could\s+take\s+action|ultimatum",
    r"dreig\w*|dreiging\w*|waarschuwde\w*\s+(?:\w+\s+){0,3}(?:dat|voor)",
)
_HYPO = _cues(
    r"could|might|would|if|possibl[ey]|potential(?!\s+(?:of|for)\b)|potentially|unless|whether|anticipat\w*|(?-i:may)",
    r"zou|zouden|kan|kunnen|kon|konden|mogelijk\w*|eventueel|eventuele|indien|anticipeerde\w*",
)
_PLAN = _cues(
    r"will|shall|plans?\s+to|planned|planning|set\s+to|scheduled|intends?\s+to|is\s+to|are\s+to|due\s+to|expected\s+to|upcoming",
    r"zal|zullen|plant|plannen|van\s+plan|gepland\w*|voornemens|verwacht\s+\w+\s+te",
)
#: Modality values, from the strongest cue to none.


_PAST = re.compile(
    r"^(?:\w+ed|met|flew|came|went|signed|sold|froze|withdrew|bezocht\w*|ontmoette\w*|sloten|tekende\w*|kwam|kwamen|"
    r"reisde\w*|vloog|legde\w*|stelde\w*|voerde\w*|weigerden?|stopten?|blokkeerden?|beperkten?|"
    r"bevroren|sprak(?:en)?|besprak(?:en)?)\b", re.IGNORECASE)


#: A past-tense verb just before a noun trigger ("issued a joint declaration", "signed a credit agreement").
_PAST_BEFORE = re.compile(
    r"\b(?!(?:planned|expected|proposed|scheduled|intended|rumou?red|alleged|anticipated|hoped|wanted)\b)"
    r"(?:\w+ed|signed|sealed|struck|made|held|gave|took|sloten|tekenden|ondertekenden|hielden)\s+(?:[\w-]+\s+){0,3}$",
    re.IGNORECASE)


def _clause(text: str, pos: int) -> tuple[int, int]:
    start, end = 0, len(text)
    for m in _CLAUSE.finditer(text):
        if m.end() <= pos:
            start = m.end()
        elif m.start() > pos:
            end = m.start()
            break
    return start, end


def modality(sentence: str, trigger_pos: int, trigger_end: int | None = None, lang: str | None = None) -> str:
    """The modality of the event whose trigger starts at ``trigger_pos`` in ``sentence``.

    Cues count inside the trigger's clause. A negation counts only within eight words
    before the trigger or four words after it (Dutch puts "niet" after the verb's object);
    set phrases such as "no limits" and "zonder grenzen" are not negations.

    >>> modality("Beijing has yet to agree on the pipeline.", 32)
    'negated'
    >>> modality("Putin will visit Harbin.", 11)
    'planned'
    """
    trigger_end = trigger_pos if trigger_end is None else trigger_end
    cs, ce = _clause(sentence, trigger_pos)
    clause = _FIXED.sub(lambda m: " " * len(m[0]), sentence[cs:ce])
    rel, rel_end = trigger_pos - cs, trigger_end - cs
    before_words = list(re.finditer(r"\S+", clause[:rel]))[-8:]
    after_words = list(re.finditer(r"\S+", clause[rel_end:]))[:4]
    near = (clause[before_words[0].start() : rel] if before_words else "") + " " + " ".join(w[0] for w in after_words)
    if _NEG[lang].search(near):
        return "negated"
    if _THREAT[lang].search(clause):
        return "threatened"
    # A verb in the past tense says it happened: a modal after it governs another verb ("hosted the
    # Russian leader while both sides said they would cooperate"); one before it still counts ("could have met").
    past = _PAST.search(sentence[trigger_pos:max(trigger_end, trigger_pos + 1)]) or _PAST_BEFORE.search(clause[:rel])
    scope = clause[:rel] if past else clause
    if _HYPO[lang].search(scope):
        return "hypothetical"
    if _PLAN[lang].search(scope):
        return "planned"
    return "asserted"
