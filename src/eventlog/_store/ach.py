"""Analysis of competing hypotheses (after Heuer) over the store's assessments.

Every assessment rates how one event bears on one hypothesis: CC, C, N, I or II. A
hypothesis is judged by the evidence *against* it: its inconsistency score sums 1 for
each I and 2 for each II, each weighted by how credible the event is (the best credibility
among its citations: 1 -> 1.0, 2 -> 0.8, 3 -> 0.6, 4 -> 0.4, 5 -> 0.2; 6 or not graded ->
0.5). The hypothesis with the lowest score ranks first. An event is diagnostic when at
least two hypotheses rate it and their ratings differ: evidence consistent with every
hypothesis helps choose none of them.

Everything is read as of one changeset, like the events, so the matrix and the scores of
any moment can be seen again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from .._frames import frame_of
from .._taxonomy import RATINGS
from .schema import visible

if TYPE_CHECKING:
    import duckdb

__all__ = ["CREDIBILITY_WEIGHT", "UNGRADED_WEIGHT", "ach_history", "hypothesis_scores", "matrix"]

#: How much an event's best citation credibility lets its rating count.
CREDIBILITY_WEIGHT = {1: 1.0, 2: 0.8, 3: 0.6, 4: 0.4, 5: 0.2}
#: The weight of an event whose claims cannot be judged (6) or are not graded.
UNGRADED_WEIGHT = 0.5

_RATING_ORDER = list(RATINGS)


def _hypotheses(con: duckdb.DuckDBPyConnection, cs: int | None) -> pl.DataFrame:
    where, params = visible("h", cs)
    return frame_of(con.execute(
        f"SELECT key AS id, statement, status, data->>'notes' AS notes FROM hypothesis_versions h WHERE {where} ORDER BY key",
        params)).with_columns(pl.col("notes").fill_null(""))


def _assessments(con: duckdb.DuckDBPyConnection, cs: int | None) -> pl.DataFrame:
    """Live assessments with the event's title, date, start and best credibility (as of ``cs``)."""
    wa, pa = visible("a", cs)
    we, pe = visible("e", cs)
    return frame_of(con.execute(f"""
        WITH a AS (SELECT hypothesis, event, rating, data->>'note' AS note FROM assessment_versions a WHERE {wa})
        SELECT a.hypothesis, a.event, a.rating, coalesce(a.note, '') AS note, e.title, e.date, e.start,
               list_min(list_transform(from_json(json_extract(e.data, '$.sources'), '[{{"credibility": "INTEGER"}}]'),
                                       c -> c.credibility)) AS credibility
        FROM a JOIN event_versions e ON e.key = a.event AND {we}
        ORDER BY e.start, a.event, a.hypothesis""", [*pa, *pe]))


def _weights() -> pl.Expr:
    return (pl.col("credibility").replace_strict(CREDIBILITY_WEIGHT, default=UNGRADED_WEIGHT, return_dtype=pl.Float64)
            .fill_null(UNGRADED_WEIGHT))


def hypothesis_scores(con: duckdb.DuckDBPyConnection, cs: int | None) -> pl.DataFrame:
    """One row per hypothesis: id, statement, status, notes, assessed, consistent, inconsistent,
    inconsistency (the weighted score), rank (1 = least inconsistent; ties share a rank)."""
    hyps = _hypotheses(con, cs)
    ratings = _assessments(con, cs)
    points = {r: p for r, (_words, p) in RATINGS.items()}
    scored = (ratings.with_columns(weight=_weights(),
                                   points=pl.col("rating").replace_strict(points, return_dtype=pl.Float64))
              .group_by("hypothesis")
              .agg(assessed=pl.len(),
                   consistent=pl.col("rating").is_in(["CC", "C"]).sum(),
                   inconsistent=pl.col("rating").is_in(["I", "II"]).sum(),
                   inconsistency=(pl.col("points") * pl.col("weight")).sum()))
    out = (hyps.join(scored, left_on="id", right_on="hypothesis", how="left")
           .with_columns(pl.col("assessed", "consistent", "inconsistent").fill_null(0).cast(pl.Int64),
                         pl.col("inconsistency").fill_null(0.0).round(6)))
    return (out.with_columns(rank=pl.col("inconsistency").rank("min").cast(pl.Int64))
            .sort("rank", "id")
            .select("id", "statement", "status", "notes", "assessed", "consistent", "inconsistent", "inconsistency", "rank"))


def matrix(con: duckdb.DuckDBPyConnection, cs: int | None) -> pl.DataFrame:
    """The ACH matrix: one row per assessed event (event, title, date, credibility, weight), one
    column per hypothesis holding its rating (null: not rated), and ``diagnostic``."""
    hyps = _hypotheses(con, cs)["id"].to_list()
    ratings = _assessments(con, cs)
    base = (ratings.select("event", "title", "date", "start", "credibility").unique("event", keep="first")
            .with_columns(weight=_weights()))
    if ratings.is_empty():
        wide = base.select("event")
    else:
        wide = ratings.pivot(on="hypothesis", index="event", values="rating", aggregate_function="first")
    for h in hyps:
        if h not in wide.columns:
            wide = wide.with_columns(pl.lit(None, pl.String).alias(h))
    diagnostic = (ratings.group_by("event")
                  .agg(diagnostic=(pl.col("rating").n_unique() > 1) & (pl.len() > 1)))
    out = (base.join(wide.select("event", *hyps), on="event", how="left")
           .join(diagnostic, on="event", how="left")
           .with_columns(pl.col("diagnostic").fill_null(False))
           .sort("start", "event"))
    return out.select("event", "title", "date", "credibility", "weight", *hyps, "diagnostic")


def ach_history(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """When the leading hypothesis changed: changeset, changed_at, author, message, leader,
    previous (rank-1 ids, comma-joined), and the assessments that changeset wrote (as
    ``hypothesis|event: rating``, or ``... deleted``). Follows the changesets that wrote
    hypotheses or assessments."""
    rows = con.execute("""
        SELECT c.id, c.committed_at, c.author, c.message FROM changesets c
        WHERE c.id IN (SELECT changeset FROM assessment_versions UNION SELECT changeset FROM hypothesis_versions)
        ORDER BY c.id""").fetchall()
    written = con.execute("""
        SELECT changeset, list(key || ': ' || coalesce(rating, 'deleted') ORDER BY key)
        FROM assessment_versions GROUP BY changeset""").fetchall()
    by_cs = dict(written)
    out = []
    previous = ""
    for cs_id, at, author, message in rows:
        scores = hypothesis_scores(con, int(cs_id))
        leader = ", ".join(scores.filter(pl.col("rank") == 1)["id"].to_list()) if scores["assessed"].sum() else ""
        if leader != previous:
            out.append((int(cs_id), at, author, message, leader, previous, by_cs.get(cs_id, [])))
            previous = leader
    return pl.DataFrame(out, schema={"changeset": pl.Int64, "changed_at": pl.Datetime("us", "UTC"), "author": pl.String,
                                     "message": pl.String, "leader": pl.String, "previous": pl.String,
                                     "assessments": pl.List(pl.String)}, orient="row")
