"""The store in numbers, for a summary (``make store``, ``eventlog stats``).

One statement reads them all: on the team store every statement costs catalog round trips
(one per table it scans, several per statement), so the summary scans each table once.
"""

from __future__ import annotations

import json
from typing import Any

import duckdb

from .schema import KINDS, LIVE

__all__ = ["stats"]


def _statement() -> str:
    kinds = ",\n".join(
        f"(SELECT {{'live': count(*) FILTER (WHERE {LIVE}), 'all': count(*)}} FROM {spec.table}) AS \"{name}\""
        for name, spec in KINDS.items())
    return f"""
WITH live AS MATERIALIZED (SELECT type, sources, status FROM event_versions WHERE {LIVE}),
     by_type AS (SELECT type AS k, count(*) AS n FROM live GROUP BY type),
     by_source AS (SELECT s AS k, count(*) AS n FROM (SELECT unnest(sources) AS s FROM live) GROUP BY s)
SELECT
  (SELECT list({{'k': k, 'n': n}} ORDER BY n DESC, k) FROM by_type) AS by_type,
  (SELECT list({{'k': k, 'n': n}} ORDER BY n DESC, k) FROM by_source) AS by_source,
  (SELECT {{'multi': count(*) FILTER (WHERE len(sources) > 1), 'disputed': count(*) FILTER (WHERE status = 'disputed')}}
     FROM live) AS events,
  (SELECT {{'n': count(*), 'info': arg_max(info, id) FILTER (WHERE info LIKE '%evidence_checked%')}}
     FROM changesets) AS changesets,
  (SELECT count(*) FROM evidence) AS quotes,
  {kinds}
"""  # noqa: S608 - table names and the LIVE condition come from the schema


_STATEMENT = _statement()


def stats(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Counts for a summary: events by type, records per kind, changesets, evidence."""
    row = con.execute(_STATEMENT).fetchall()[0]
    by_type, by_source, events, changesets, quotes, *kinds = row
    info = changesets["info"]
    return {
        "events_by_type": {d["k"]: d["n"] for d in by_type or []},
        "events_by_source": {d["k"]: d["n"] for d in by_source or []},
        "records": {name: k["live"] for name, k in zip(KINDS, kinds, strict=True)},
        "versions": sum(k["all"] for k in kinds),
        "changesets": changesets["n"],
        "evidence_checked": json.loads(info).get("evidence_checked") if info else None,
        "quotes": quotes,
        "multi_source_events": events["multi"],
        "disputed_events": events["disputed"],
    }
