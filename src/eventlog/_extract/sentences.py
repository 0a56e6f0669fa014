"""Split text into sentences with their character offsets (Python code points).

Paragraph breaks always end a sentence; ``.``, ``!`` and ``?`` end one (with any closing
quotes and footnote marks such as ``²⁴`` after them) when followed by space and an
upper-case letter, digit or quote, unless the word before is a known
abbreviation ("U.S.", "Dr.", "bv.").

>>> [text[s:e] for text in ["Putin came. Xi met him in the U.S. Embassy."] for s, e in split_sentences(text)]
['Putin came.', 'Xi met him in the U.S. Embassy.']
"""

from __future__ import annotations

import re

__all__ = ["split_sentences"]

_ABBREV = frozenset(
    "u.s u.k u.n e.u mr mrs ms dr prof st gen sen rep corp inc ltd co no vs etc e.g i.e jan feb mar apr jun jul aug "
    "sep sept oct nov dec bv dhr mevr ca resp nr o.a m.b.t i.p.v z.g.a.n".split()
)
_END = re.compile(r"[.!?…]+[\"'”’)\]]*[¹²³⁰⁴⁵⁶⁷⁸⁹]*(?=\s+[\"'“‘(\[]?[A-Z0-9À-ÖØ-Þ])|\n\s*\n|\n(?=\s*(?:[•*-]|\d+\.)\s)|\n")


def _is_abbrev(text: str, dot: int) -> bool:
    start = dot
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    word = text[start:dot].lower().strip(".")
    return word in _ABBREV or (len(word) == 1 and word.isalpha())


def split_sentences(text: str) -> list[tuple[int, int]]:
    """[start, end) offsets of each non-empty sentence, whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _END.finditer(text):
        if text[m.start()] == "." and _is_abbrev(text, m.start()):
            continue
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out
