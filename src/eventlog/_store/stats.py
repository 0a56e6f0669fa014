"""The store in numbers, for a summary (``make store``, ``eventlog stats``)."""

from __future__ import annotations

import json
from typing import Any

import duckdb

from .schema import KINDS, LIVE

__all__ = ["stats"]


def stats(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Counts for a summary: events by type, records per kind, changesets, evidence."""
    by_type = dict(
        con.execute(
            f"SELECT type, count(*) FROM event_versions WHERE {LIVE} GROUP BY type ORDER BY 2 DESC, 1"
        ).fetchall()
    )
    counts = {}
    for name, spec in KINDS.items():
        counts[name] = con.execute(f"SELECT count(*) FROM {spec.table} WHERE {LIVE}").fetchall()[0][0]
    versions = sum(con.execute(f"SELECT count(*) FROM {s.table}").fetchall()[0][0] for s in KINDS.values())
    n_cs = con.execute("SELECT count(*) FROM changesets").fetchall()[0][0]
    info = con.execute("SELECT info FROM changesets WHERE info LIKE '%evidence_checked%' ORDER BY id DESC LIMIT 1").fetchall()
    checked = json.loads(info[0][0]).get("evidence_checked") if info else None
    quotes = con.execute("SELECT count(*) FROM evidence").fetchall()[0][0]
    multi = con.execute(
        f"SELECT count(*) FROM event_versions WHERE {LIVE} AND len(sources) > 1"
    ).fetchall()[0][0]
    by_source = dict(
        con.execute(
            "SELECT s, count(*) FROM (SELECT unnest(sources) AS s FROM event_versions "
            f"WHERE {LIVE}) GROUP BY s ORDER BY 2 DESC, 1"
        ).fetchall()
    )
    disputed = con.execute(
        f"SELECT count(*) FROM event_versions WHERE {LIVE} AND status = 'disputed'"
    ).fetchall()[0][0]
    return {
        "events_by_type": by_type,
        "events_by_source": by_source,
        "records": counts,
        "versions": versions,
        "changesets": n_cs,
        "evidence_checked": checked,
        "quotes": quotes,
        "multi_source_events": multi,
        "disputed_events": disputed,
    }
