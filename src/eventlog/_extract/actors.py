"""Find actors in text by the English and Dutch aliases of an actor registry.

One regular expression holds every alias, longest first, so "Bank of Russia" wins over
"Russia" at the same place. Aliases match case-insensitively on word bounds, except short
all-capital acronyms ("US", "EU", "VS", "SCO"), which must be written in capitals so that
the English pronoun "us" is not the United States. An alias directly followed by "$"
is part of a currency ("US$65.8 billion") and not a mention. Both languages' aliases are used for
every text: Dutch articles quote English names and the reverse.

>>> from eventlog._models import Actor
>>> m = ActorMatcher([Actor(id="russia", name="Russia", category="state", aliases={"en": ["Russia"], "nl": ["Rusland"]})])
>>> [(a.actor_id, a.text) for a in m.find("Rusland en Russia")]
[('russia', 'Rusland'), ('russia', 'Russia')]
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .._models import Actor

__all__ = ["ActorMatch", "ActorMatcher", "default_events_dir", "load_actors", "matcher_for"]


@dataclass(frozen=True, slots=True)
class ActorMatch:
    """One mention of an actor: its id, display name, category, the text and where."""

    actor_id: str
    name: str
    category: str
    text: str
    span: tuple[int, int]


def _alias_pattern(alias: str) -> str:
    """The alias as a regex: apostrophes of either kind, any run of spaces."""
    parts = []
    for ch in alias:
        if ch in "'’":
            parts.append("['’]")
        elif ch.isspace():
            parts.append(r"\s+")
        else:
            parts.append(re.escape(ch))
    return "".join(parts)


def _is_acronym(alias: str) -> bool:
    letters = alias.replace(".", "")
    return len(letters) <= 4 and letters.isupper()


class ActorMatcher:
    """Matches the aliases of a set of actors.

    >>> ActorMatcher([]).find("anything")
    []
    """

    def __init__(self, actors: Iterable[Actor] | Mapping[str, Actor]) -> None:
        items = list(actors.values()) if isinstance(actors, Mapping) else list(actors)
        self.actors: dict[str, Actor] = {a.id: a for a in items}
        self._by_alias: dict[str, str] = {}  # normalised alias -> actor id
        pieces: list[tuple[int, str]] = []
        for a in items:
            names = {a.name, *(x for lang in ("en", "nl") for x in a.aliases.get(lang, []))}
            for alias in names:
                key = self._key(alias)
                # first actor to claim an alias keeps it (the registry's order decides)
                self._by_alias.setdefault(key, a.id)
                pat = _alias_pattern(alias)
                pieces.append((len(alias), pat if _is_acronym(alias) else f"(?i:{pat})"))
        pieces.sort(key=lambda p: -p[0])
        alternation = "|".join(dict.fromkeys(p for _n, p in pieces)) or r"(?!x)x"
        # "US$" is a currency, not the United States: an alias followed by "$" is no mention.
        self.regex = re.compile(rf"(?<![\w])(?:{alternation})(?![\w$])")
        self.aliases = sorted(self._by_alias)
        # Pre-filter: a match starts a word, and that word is the alias's first word. Only words
        # equal to some alias's first word (ignoring case; any word with a non-ASCII letter, to
        # stay on the safe side of re.IGNORECASE) are tried. None: some alias starts otherwise.
        firsts = [_FIRST_WORD.match(alias) for alias in _names(items)]
        self._firsts: frozenset[str] | None = (
            frozenset(m[0].lower() for m in firsts if m is not None) if all(firsts) else None
        )

    def _matches(self, text: str, start: int, end: int) -> Iterator[re.Match[str]]:
        """What ``self.regex.finditer(text, start, end)`` yields, trying only at candidate words."""
        if self._firsts is None:
            yield from self.regex.finditer(text, start, end)
            return
        firsts, match, pos = self._firsts, self.regex.match, start
        for w in _WORD.finditer(text, start, end):
            p = w.start()
            if p < pos:
                continue
            word = w[0]
            if word.lower() in firsts or not word.isascii():
                m = match(text, p, end)
                if m is not None and m.end() > p:
                    yield m
                    pos = m.end()

    @staticmethod
    def _key(alias: str) -> str:
        return re.sub(r"\s+", " ", alias.replace("’", "'")).lower()

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[ActorMatch]:
        """Mentions in ``text[start:end]`` with offsets into ``text``."""
        out = []
        end = len(text) if end is None else end
        for m in self._matches(text, start, end):
            aid = self._by_alias.get(self._key(m[0]))
            if aid is None:
                continue
            a = self.actors[aid]
            out.append(ActorMatch(aid, a.name, a.category, m[0], m.span()))
        return out


_WORD = re.compile(r"\w+")
_FIRST_WORD = re.compile(r"\w+")


def _names(items: Iterable[Actor]) -> list[str]:
    """Every name and English or Dutch alias of the actors."""
    return [alias for a in items for alias in {a.name, *(x for lang in ("en", "nl") for x in a.aliases.get(lang, []))}]


def default_events_dir() -> Path:
    """The events folder: ``$EVENTLOG_EVENTS``, ``./events``, or the repository's ``events``."""
    env = os.environ.get("EVENTLOG_EVENTS")
    if env:
        return Path(env)
    here = Path.cwd() / "events"
    if (here / "actors.yaml").is_file():
        return here
    for parent in Path(__file__).resolve().parents:
        if (parent / "events" / "actors.yaml").is_file():
            return parent / "events"
    return here


def load_actors(events_dir: str | os.PathLike[str] | None = None) -> dict[str, Actor]:
    """The actors of an events folder's ``actors.yaml`` (validated, without loading events)."""
    from .._files.folder import read_registry

    path = Path(events_dir or default_events_dir()) / "actors.yaml"
    return {rec.id: rec for rec, _i in read_registry(path, Actor, True)}  # type: ignore[misc]


@lru_cache(maxsize=8)
def _cached_matcher(path: str, mtime: float) -> ActorMatcher:
    return ActorMatcher(load_actors(path))


def matcher_for(registry: Any = None) -> ActorMatcher:
    """An :class:`ActorMatcher` for a registry given as a matcher, actors, a mapping of
    actors, a Dataset, or a folder path (None: the default events folder, cached by mtime)."""
    if isinstance(registry, ActorMatcher):
        return registry
    if registry is None or isinstance(registry, (str, os.PathLike)):
        folder = Path(registry or default_events_dir())
        path = folder / "actors.yaml"
        mtime = path.stat().st_mtime if path.exists() else 0.0
        return _cached_matcher(str(folder), mtime)
    if hasattr(registry, "actors") and isinstance(registry.actors, Mapping):
        return ActorMatcher(registry.actors)
    return ActorMatcher(registry)
