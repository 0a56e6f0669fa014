"""Reference entries (footnotes that cite a report) and web addresses in a text.

Policy briefs end their paragraphs with footnotes such as
``²⁸ See: Chips export ban announced // Some Agency. 13.12.2023. URL: <https://...>``:
a title, ``//``, the publisher, the report's date and its address. Such an entry is read
as one sentence (its inner full stops do not split it) and only its title is searched for
events. An event in the title with no date of its own is dated by the report: the month
of the report's date, because a report names something that happened on or just before
the day it appeared, and the month is as precise as that allows. A title that names an
official document itself ("Joint Statement of ...", "Decree of ...") is dated to the day
it was published, approximately (``2024-05-16~``): issuers publish such texts on the day
they are adopted or within days. A "dated 28.08.2003" in the title (a decree, an order)
is the date of the act itself, to the day.

Dates inside web addresses ("/news/2024/04/17/") are never dates of events.

>>> text = "Trade grew.¹\\n\\n¹ Exports rose in 2023 // Daily. 13.12.2023. URL: <https://x.org/2024/01/>"
>>> [(r.title_text(text), str(r.published)) for r in find_references(text)]
[('Exports rose in 2023', '2023-12-13')]
>>> [text[s:e] for s, e in find_addresses(text)]
['https://x.org/2024/01/']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

__all__ = ["Reference", "find_addresses", "find_references"]

_NUMERIC = r"(?P<{p}d>[0-3]?\d)\.(?P<{p}m>[01]?\d)\.(?P<{p}y>(?:19|20)\d\d)"
# A footnote line: its mark, a title, " // ", the publisher and, optionally, the report's date.
_ENTRY = re.compile(
    r"^[ \t]*(?P<mark>[¹²³⁰⁴⁵⁶⁷⁸⁹]+)[ \t]*(?P<title>[^\n]*?)[ \t]+//[ \t]*(?P<rest>[^\n]*)$",
    re.MULTILINE,
)
_PUBLISHED = re.compile(r"(?<![\d.])" + _NUMERIC.format(p="") + r"(?!\d)")
_DATED = re.compile(r"\b(?:dated|of|van)\s+" + _NUMERIC.format(p=""), re.IGNORECASE)
_SEE = re.compile(r"(?:see|zie)\s*:\s*", re.IGNORECASE)
# A title that names an official document itself ("Joint Statement of ...", "Decree of ..."),
# not a news report about something.
_ACT = re.compile(
    r"(?:[\w-]+\s+){0,2}?(?:joint\s+(?:statement|declaration|communiqu[eé])|declaration|decree|order|federal\s+law|law|"
    r"resolution|communiqu[eé]|gezamenlijke\s+verklaring|verklaring|decreet|besluit|wet)\b",
    re.IGNORECASE,
)
_ADDRESS = re.compile(r"https?://[^\s<>]+|\bwww\.[^\s<>]+")


@dataclass(frozen=True, slots=True)
class Reference:
    """One reference entry: the whole line, its title, the report's date and a "dated" act date."""

    span: tuple[int, int]
    title: tuple[int, int]
    published: date | None
    #: the date of the act the title names ("Order ... dated 28.08.2003") and where it is written
    dated: tuple[date, tuple[int, int]] | None = None
    #: the title names an official document, so the date it was published on is (about) its own
    official: bool = False

    def title_text(self, text: str) -> str:
        return text[self.title[0] : self.title[1]]


def _date(m: re.Match[str]) -> date | None:
    try:
        return date(int(m["y"]), int(m["m"]), int(m["d"]))
    except ValueError:
        return None


def find_references(text: str) -> list[Reference]:
    """The reference entries of ``text``, in order."""
    out = []
    for m in _ENTRY.finditer(text):
        ts, te = m.span("title")
        see = _SEE.match(text, ts, te)
        ts = see.end() if see else ts
        rest = _ADDRESS.sub(lambda a: " " * len(a[0]), m["rest"])  # a date inside the address is not the report's
        pub = _PUBLISHED.search(rest)
        dated = _DATED.search(text, ts, te)
        act = None
        if dated is not None and (d := _date(dated)) is not None:
            act = (d, (dated.start("d"), dated.end("y")))
        official = _ACT.match(text, ts, te) is not None
        out.append(Reference((m.start("mark"), m.end()), (ts, te), _date(pub) if pub else None, act, official))
    return out


def find_addresses(text: str) -> list[tuple[int, int]]:
    """Spans of the web addresses in ``text``."""
    return [m.span() for m in _ADDRESS.finditer(text)]
