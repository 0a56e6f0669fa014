"""Keyword pre-filters: which of a set of words occur in a piece of text, in one regex pass.

Rules are only run on sentences that contain one of the words every match of the rule
contains ("last year" contains "year"; a visit trigger contains "visit", "trip", "bezoek" ...).
The words are ASCII and matched case-insensitively, the way the rules' ``re.IGNORECASE``
matches them: :func:`fold` lower-cases the text and maps the three non-ASCII letters that
``re.IGNORECASE`` equates with ASCII letters ("İ", "ı" -> "i", "ſ" -> "s"), keeping offsets.

>>> KeywordSet(["visit", "bezoek", "vis"]).find(fold("Putin VISITED Harbin"))
{'vis'}
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable

__all__ = ["KeywordIndex", "KeywordSet", "fold"]

_FOLD = str.maketrans({"İ": "i", "ı": "i", "ſ": "s"})


def fold(text: str) -> str:
    """``text`` in lower case, as long as ``text``, with "İ", "ı", "ſ" read as "i", "i", "s"."""
    if "İ" in text or "ı" in text or "ſ" in text:
        text = text.translate(_FOLD)
    return text.lower()


class KeywordSet:
    """Finds which words of a fixed set occur in folded text.

    A word that starts with a shorter word of the set is represented by that shorter word
    (:meth:`key`): two words then never start at the same place, so one leftmost search per
    occurrence finds them all. It only makes the filter let more through.
    """

    def __init__(self, words: Iterable[str]) -> None:
        ws = sorted({w.lower() for w in words}, key=len)
        self._key = {w: next((v for v in ws if len(v) < len(w) and w.startswith(v)), w) for w in ws}
        keys = sorted(set(self._key.values()), key=len, reverse=True)
        self.keys = tuple(keys)
        self.regex = re.compile("|".join(re.escape(k) for k in keys)) if keys else re.compile(r"(?!x)x")

    def key(self, word: str) -> str:
        """The word that stands for ``word`` in :meth:`find` results."""
        return self._key[word.lower()]

    def find(self, folded: str, start: int = 0, end: int | None = None) -> set[str]:
        """The keys of the words occurring in ``folded[start:end]`` (text passed through :func:`fold`)."""
        end = len(folded) if end is None else end
        out: set[str] = set()
        pos = start
        search = self.regex.search
        while (m := search(folded, pos, end)) is not None:
            out.add(m[0])
            pos = m.start() + 1
        return out

    def occurrences(self, folded: str) -> list[tuple[int, str]]:
        """(position, key) of every occurrence in ``folded``, in order."""
        found: list[tuple[int, str]] = []
        for k in self.keys:
            i = folded.find(k)
            while i != -1:
                found.append((i, k))
                i = folded.find(k, i + 1)
        found.sort()
        return found

    def index(self, folded: str) -> KeywordIndex:
        """Every occurrence in ``folded``, for many :meth:`KeywordIndex.find` calls on parts of it
        (one ``str.find`` scan per key: faster than the regex over a whole text)."""
        found = self.occurrences(folded)
        return KeywordIndex([p for p, _k in found], [k for _p, k in found])


class KeywordIndex:
    """The occurrences of a :class:`KeywordSet` in one text (see :meth:`KeywordSet.index`).

    >>> KeywordSet(["trade", "visit"]).index(fold("Trade. A visit.")).find(0, 6)
    {'trade'}
    """

    __slots__ = ("keys", "starts")

    def __init__(self, starts: list[int], keys: list[str]) -> None:
        self.starts, self.keys = starts, keys

    def find(self, start: int, end: int) -> set[str]:
        """The keys of the words lying wholly inside ``[start, end)``."""
        lo, hi = bisect_left(self.starts, start), bisect_left(self.starts, end)
        return {k for p, k in zip(self.starts[lo:hi], self.keys[lo:hi], strict=True) if p + len(k) <= end}

    def occurrences(self, start: int, end: int) -> list[tuple[int, str]]:
        """(position, key) of the words lying wholly inside ``[start, end)``."""
        lo, hi = bisect_left(self.starts, start), bisect_left(self.starts, end)
        return [(p, k) for p, k in zip(self.starts[lo:hi], self.keys[lo:hi], strict=True) if p + len(k) <= end]
