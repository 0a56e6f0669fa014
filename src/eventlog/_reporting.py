"""The reporting clock and the grades: when sources published, which repeat which, how far to trust them.

An event has three clocks: when it happened (its EDTF ``date``), when it was reported (the
publication dates of its sources) and when the store recorded it (changesets). This module
holds what the second one needs and that queries, checks and displays share:

- a source's *lineage*: the source it derives from, followed to the end (a reprint of a wire
  copy of a report has the report as its root). Two citations are independent when their
  roots differ;
- the Admiralty grade of a citation, written as a person reads it: ``B2`` (source usually
  reliable, claim probably true), with ``?`` for a part not graded yet.

>>> from eventlog._models import Source
>>> def src(i, d=None): return Source(id=i, file=f"{i}.txt", title=i, publisher="p", language="en",
...                                    published="2024", sha256="0" * 64, derived_from=d)
>>> lineage({"wire": src("wire"), "copy": src("copy", "wire"), "reprint": src("reprint", "copy")})
{'wire': 'wire', 'copy': 'wire', 'reprint': 'wire'}
>>> grade("B", 2), grade(None, 3), grade("F", None)
('B2', '?3', 'F?')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._errors import ValidationError

__all__ = ["grade", "grade_words", "lineage", "reliability_rank"]


def lineage(sources: Mapping[str, Any], *, file: str | None = None) -> dict[str, str]:
    """Each source id -> the root of its ``derived_from`` chain (itself when it derives from none).

    Raises one ValidationError naming the source and field for a chain that names an unknown
    source or comes back on itself.
    """
    roots: dict[str, str] = {}
    for sid in sources:
        seen = [sid]
        cur = sid
        while (parent := sources[cur].derived_from) is not None:
            if parent not in sources:
                raise ValidationError(f"unknown source {parent!r}", file=file, record=cur, field="derived_from")
            if parent in seen:
                loop = " -> ".join([*seen[seen.index(parent):], parent])
                raise ValidationError(f"derived_from goes round in a circle: {loop}", file=file, record=cur,
                                      field="derived_from")
            if parent in roots:
                cur = roots[parent]
                break
            seen.append(parent)
            cur = parent
        for s in seen:
            roots[s] = cur
    return roots


def grade(reliability: str | None, credibility: int | None) -> str:
    """The two-character Admiralty code of a citation ('?' for a part not graded yet)."""
    return f"{reliability or '?'}{credibility if credibility is not None else '?'}"


def grade_words(reliability: str | None, credibility: int | None) -> str:
    """A citation's grade in words.

    >>> grade_words("B", None)
    'source usually reliable; claim not graded'
    """
    from ._taxonomy import CREDIBILITY, RELIABILITY

    source = f"source {RELIABILITY[reliability]}" if reliability else "source not graded"
    claim = f"claim {CREDIBILITY[credibility]}" if credibility is not None else "claim not graded"
    return f"{source}; {claim}"


def reliability_rank(letter: str) -> int:
    """A→1 ... F→6, for "at least as reliable as" (F, cannot be judged, meets no threshold below it)."""
    from ._taxonomy import RELIABILITY

    if not isinstance(letter, str) or letter.upper() not in RELIABILITY:
        raise ValidationError(f"min_reliability takes a letter A-F, not {letter!r}"[:120], field="min_reliability")
    return "ABCDEF".index(letter.upper()) + 1
