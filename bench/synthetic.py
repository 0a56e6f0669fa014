"""Realistic synthetic events for benchmarks and large-store tests (deterministic per seed).

Types come from the taxonomy, dates are EDTF strings of mixed precision (days, months,
years, seasons, quarters, intervals, qualified dates), actors come from a registry of
about 200, and every event cites one to three sources by character span::

    from bench.synthetic import Synthetic
    syn = Synthetic(seed=1)
    actors, sources = syn.actors(), syn.sources()
    events = syn.events(10_000)          # list[eventlog.Event]
    later = [syn.revise(e, 2) for e in events]
    syn.write_events_dir(path, 10_000)   # an events/ folder that `eventlog build` accepts
"""

from __future__ import annotations

import calendar
import hashlib
import random
from collections.abc import Iterator
from pathlib import Path

from eventlog import EVENT_TYPES, Actor, Event, Source
from eventlog._files.folder import dump_yaml

__all__ = ["Synthetic"]

_COUNTRIES = [
    "russia", "china", "united-states", "ukraine", "european-union", "germany", "france", "india", "iran", "turkey",
    "kazakhstan", "mongolia", "japan", "south-korea", "north-korea", "belarus", "uzbekistan", "brazil", "south-africa",
    "saudi-arabia", "united-kingdom", "netherlands", "poland", "finland", "norway", "vietnam", "pakistan", "serbia",
]
_KINDS = ["state", "bloc", "organisation", "company", "bank", "person"]
_TAGS = ["energy", "gas", "oil", "pipeline", "finance", "payments", "sanctions", "trade", "arctic", "nuclear", "grain",
         "arms", "diplomacy", "summit", "yuan", "rouble", "swift", "technology", "semiconductors", "railway",
         "shipping", "port", "lng", "coal", "agriculture", "loans", "investment", "border", "military", "security"]
_VERBS = ["signs", "announces", "suspends", "expands", "completes", "plans", "rejects", "approves", "opens", "halts"]
_OBJECTS = ["a gas supply deal", "new payment channels", "a border crossing", "joint exercises", "an oil contract",
            "export controls", "a rail bridge", "correspondent accounts", "a trade target", "a state visit",
            "an investment fund", "grain shipments", "a nuclear plant", "a currency swap", "an LNG terminal"]
_UNITS = [("USD", "trade value"), ("EUR", "investment"), ("CNY", "loan"), ("RUB", "payment volume"),
          ("bcm", "gas per year"), ("tonnes", "grain exported"), ("percent", "share of trade"), ("km", "pipeline length")]


class Synthetic:
    """A deterministic generator of registries and events."""

    def __init__(self, seed: int = 0, n_actors: int = 200, n_sources: int = 60) -> None:
        self.rng = random.Random(seed)
        self.n_actors = n_actors
        self.n_sources = n_sources
        self._actor_ids = self._make_actor_ids()
        self._source_ids = [f"source-{i:03d}" for i in range(n_sources)]
        self._types = list(EVENT_TYPES)
        self._type_weights = [6 if t in ("treaty", "sanction", "bank_withdrawal", "contract", "visit") else 2 for t in self._types]

    # -- registries --------------------------------------------------------------------------
    def _make_actor_ids(self) -> list[str]:
        ids = list(_COUNTRIES)
        i = 0
        while len(ids) < self.n_actors:
            ids.append(f"{_KINDS[i % len(_KINDS)]}-{i:03d}")
            i += 1
        return ids[: self.n_actors]

    def actors(self) -> list[Actor]:
        out = []
        for i, aid in enumerate(self._actor_ids):
            kind = "state" if aid in _COUNTRIES else aid.split("-")[0]
            affiliation = _COUNTRIES[i % len(_COUNTRIES)] if kind in ("bank", "company", "person") else None
            out.append(Actor(id=aid, name=aid.replace("-", " ").title(), kind=kind, affiliation=affiliation,
                             aliases={"en": [aid.replace("-", " ").title()], "nl": [aid.upper()]}))
        return out

    def sources(self) -> list[Source]:
        return [
            Source(id=sid, file=f"{sid}.txt", title=f"Report {i}", publisher=f"Publisher {i % 7}",
                   language="en" if i % 3 else "nl", published=f"{2010 + i % 15}",
                   sha256=hashlib.sha256(sid.encode()).hexdigest())
            for i, sid in enumerate(self._source_ids)
        ]

    # -- events --------------------------------------------------------------------------------
    def date(self) -> str:
        """An EDTF date: mostly days and months, some years, seasons, quarters, intervals, qualified."""
        r = self.rng
        y = r.randint(1995, 2025)
        m = r.randint(1, 12)
        d = r.randint(1, calendar.monthrange(y, m)[1])
        p = r.random()
        if p < 0.40:
            return f"{y}-{m:02d}-{d:02d}"
        if p < 0.62:
            return f"{y}-{m:02d}"
        if p < 0.74:
            return f"{y}"
        if p < 0.78:
            return f"{y}-{r.choice([21, 22, 23, 24])}"
        if p < 0.82:
            return f"{y}-{r.choice([33, 34, 35, 36, 40, 41])}"
        if p < 0.92:
            y2 = min(2025, y + r.randint(0, 3))
            return f"{y}-{m:02d}-{d:02d}/{y2}-{r.randint(1, 12):02d}" if y2 > y else f"{y}-{m:02d}/{y}-12"
        if p < 0.98:
            return f"{y}-{m:02d}{r.choice('~?')}" if p < 0.95 else f"{y}~"
        return f"{str(y)[:3]}X"

    def event(self, i: int) -> Event:
        r = self.rng
        typ = r.choices(self._types, self._type_weights)[0]
        actors = r.sample(self._actor_ids[:40] if r.random() < 0.7 else self._actor_ids, r.randint(1, 4))
        who = actors[0].replace("-", " ").title()
        sources = []
        for sid in r.sample(self._source_ids, r.choices([1, 2, 3], [6, 3, 1])[0]):
            start = r.randint(0, 40_000)
            sources.append({"source": sid, "span": [start, start + r.randint(40, 600)]})
        amounts = []
        if r.random() < 0.3:
            unit, measure = r.choice(_UNITS)
            amounts.append({"value": round(r.uniform(1, 500), 1) * (1e9 if unit in ("USD", "EUR", "CNY", "RUB") else 1),
                            "unit": unit, "measure": measure})
        return Event(
            id=f"ev-{i:07d}",
            type=typ,
            title=f"{who} {r.choice(_VERBS)} {r.choice(_OBJECTS)}",
            summary=f"Synthetic event {i}: {r.choice(_OBJECTS)} involving {', '.join(actors)}.",
            date=self.date(),
            actors=actors,
            location=r.choice([None, None, "Moscow", "Beijing", "Vladivostok", "Harbin", "Astana"]),
            amounts=amounts,
            tags=r.sample(_TAGS, r.randint(0, 3)),
            sources=sources,
            confidence=round(r.uniform(0.4, 1.0), 2),
            status=r.choices(["confirmed", "candidate", "disputed"], [8, 1, 1])[0],
        )

    def events(self, n: int, start: int = 0) -> list[Event]:
        return [self.event(i) for i in range(start, start + n)]

    def revise(self, ev: Event, version: int) -> Event:
        """A later version of an event: an analyst edits one or two fields."""
        r = self.rng
        what = r.choice(["title", "summary", "confidence", "tags", "status"])
        update: dict = {}
        if what == "title":
            update["title"] = f"{ev.title.split(' (rev')[0]} (rev {version})"
        elif what == "summary":
            update["summary"] = f"{ev.summary} Revised in version {version}."
        elif what == "confidence":
            update["confidence"] = round(r.uniform(0.3, 1.0), 2)
        elif what == "tags":
            update["tags"] = sorted(set(ev.tags) ^ {r.choice(_TAGS)})
        else:
            update["status"] = r.choice(["confirmed", "candidate", "disputed"])
        update["notes"] = f"revision {version}"
        return ev.model_copy(update=update)

    # -- an events folder ------------------------------------------------------------------------
    def write_events_dir(self, root: Path, n: int) -> Path:
        """An events/ folder with the registries and ``n`` event files."""
        root = Path(root)
        (root / "events").mkdir(parents=True, exist_ok=True)
        (root / "actors.yaml").write_text(dump_yaml([a.to_data() for a in self.actors()]), encoding="utf-8")
        (root / "sources.yaml").write_text(dump_yaml([s.to_data() for s in self.sources()]), encoding="utf-8")
        for ev in self.iter_events(n):
            (root / "events" / f"{ev.id}.yaml").write_text(dump_yaml(ev.to_data()), encoding="utf-8")
        return root

    def iter_events(self, n: int) -> Iterator[Event]:
        for i in range(n):
            yield self.event(i)
