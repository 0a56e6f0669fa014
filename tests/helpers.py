"""What tests share besides fixtures: paths and a maker of events. Imported, never from conftest."""

from __future__ import annotations

from pathlib import Path

import eventlog
from eventlog._files.corpus import find_corpus

__all__ = ["CORPUS", "EVENTS", "ROOT", "make_event"]

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "events"
CORPUS = find_corpus()


def make_event(id: str, **fields: object) -> eventlog.Event:  # noqa: A002
    """An event with sensible defaults for tests."""
    data = {"type": "visit", "title": f"Event {id}", "date": "2024-05-16", "actors": ["russia", "china"],
            "sources": [{"source": "doc", "span": [0, 10]}]}
    data.update(fields)
    return eventlog.Event(id=id, **data)
