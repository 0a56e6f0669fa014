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


def as_one_table_per_kind(con: object) -> None:
    """Give a DuckDB file store, on the connection ``con``, the layout of schema 4 and before:
    one indexed table of versions per kind, named as the kind's view is now."""
    from eventlog._store.schema import KINDS

    for kind in KINDS.values():
        con.execute(f"DROP VIEW {kind.table}")  # type: ignore[attr-defined]
        con.execute(f"CREATE TABLE {kind.table} AS SELECT * FROM {kind.main} UNION ALL "  # type: ignore[attr-defined]
                    f"SELECT * FROM {kind.recent} ORDER BY changeset, key")
        con.execute(f"DROP TABLE {kind.main}")  # type: ignore[attr-defined]
        con.execute(f"DROP TABLE {kind.recent}")  # type: ignore[attr-defined]
        con.execute(f"CREATE INDEX {kind.table}_key ON {kind.table} (key)")  # type: ignore[attr-defined]
    con.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")  # type: ignore[attr-defined]
