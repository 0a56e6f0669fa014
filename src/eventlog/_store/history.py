"""Reading the past: history, log, diff, blame, and undoing a changeset (revert).

All of it works for every kind of record (events, links, actors, sources), because
every kind is kept in the same shape of version table.

>>> _changed_fields({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4})
['b', 'c']
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Any

import polars as pl

from .._errors import NotFound, ValidationError, VersionConflict
from .._frames import frame_of
from .._models import model_for_kind
from .schema import KINDS, visible

if TYPE_CHECKING:
    from .store import AsOf, Store

__all__ = ["blame", "diff", "history", "log", "revert"]


def _kind(kind: str) -> str:
    if not isinstance(kind, str) or kind not in KINDS:
        raise ValidationError(f"unknown record kind {kind!r}; known: {', '.join(KINDS)}", field="kind")
    return KINDS[kind].table


def _changed_fields(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[str]:
    old, new = old or {}, new or {}
    return sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))


def with_fields(record: dict[str, Any], source: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """``record`` with ``fields`` as ``source`` has them (a field ``source`` lacks is dropped).

    >>> with_fields({"a": 1, "b": 2}, {"a": 9}, ["a", "b"])
    {'a': 9}
    """
    out = dict(record)
    for f in fields:
        if f in source:
            out[f] = source[f]
        else:
            out.pop(f, None)
    return out


def _full(kind: str, data: str) -> dict[str, Any]:
    """A stored record (kept without its defaults) with every field, so a value reset to its
    default still shows up in diff and blame."""
    return {**_defaults(kind), **json.loads(data)}


@cache
def _defaults(kind: str) -> dict[str, Any]:
    # cached: get_default() inspects the factory's signature on every call (about 0.1 ms each)
    model = model_for_kind(kind)
    return {n: f.get_default(call_default_factory=True) for n, f in model.model_fields.items() if not f.is_required()}


def _versions(store: Store, key: str, kind: str) -> list[tuple]:
    table = _kind(kind)
    rows = store._con.execute(
        # The key filter runs first, alone: joined directly, DuckDB scanned the whole version
        # table (15 ms at 500k versions instead of about 1 ms).
        f"""WITH v AS MATERIALIZED (SELECT version, changeset, op, reason, data FROM {table} WHERE key = ?)
            SELECT v.version, v.changeset, c.author, c.committed_at, c.message, v.op, v.reason, v.data
            FROM v JOIN changesets c ON c.id = v.changeset ORDER BY v.version""",
        [key],
    ).fetchall()
    if not rows:
        raise NotFound(f"no {kind} {key!r} in the store")
    return rows


def history(store: Store, key: str, kind: str = "event") -> pl.DataFrame:
    """One row per version of a record, oldest first."""
    out = []
    prev: dict[str, Any] | None = None
    prev_op = None
    for version, cs, author, at, message, op, reason, data in _versions(store, key, kind):
        cur = json.loads(data) if data else None
        if op == "delete":
            operation, fields = "delete", []
        elif prev_op is None:
            operation, fields = "create", sorted(cur or {})
        elif prev_op == "delete":
            operation, fields = "restore", _changed_fields(prev, cur)
        else:
            operation, fields = "update", _changed_fields(prev, cur)
        out.append(
            {"version": version, "changeset": cs, "author": author, "changed_at": at, "message": message,
             "operation": operation, "fields": fields, "reason": reason}
        )
        if cur is not None:
            prev = cur
        prev_op = op
    return pl.DataFrame(out, schema={
        "version": pl.Int32, "changeset": pl.Int64, "author": pl.String, "changed_at": pl.Datetime("us", "UTC"),
        "message": pl.String, "operation": pl.String, "fields": pl.List(pl.String), "reason": pl.String,
    })


def log(store: Store) -> pl.DataFrame:
    """Changesets, newest first, with the number of versions each added per kind."""
    per_kind = " ".join(
        f", (SELECT count(*) FROM {spec.table} v WHERE v.changeset = c.id) AS {name}s" for name, spec in KINDS.items()
    )
    return frame_of(store._con.execute(
        f"""SELECT c.id AS changeset, c.committed_at AS changed_at, c.author, c.message, c.created, c.updated, c.deleted {per_kind}
            FROM changesets c ORDER BY c.id DESC"""
    ))


def changeset(store: Store, cs: int) -> dict[str, Any]:
    """One changeset's row: changeset, changed_at, author, message, created, updated, deleted, info (a dict)."""
    rows = store._con.execute(
        "SELECT id, committed_at, author, message, created, updated, deleted, info FROM changesets WHERE id = ?", [cs]
    ).fetchall()
    if not rows:
        raise NotFound(f"no changeset {cs} (the newest is {store.last_changeset()})")
    keys = ("changeset", "changed_at", "author", "message", "created", "updated", "deleted", "info")
    out = dict(zip(keys, rows[0], strict=True))
    out["info"] = json.loads(out["info"]) if out["info"] else {}
    return out


def info_values(store: Store, key: str) -> list[Any]:
    """``info[key]`` of every changeset whose info has it, oldest first."""
    rows = store._con.execute("SELECT info FROM changesets WHERE info IS NOT NULL AND contains(info, ?) ORDER BY id",
                              [f'"{key}"']).fetchall()
    return [info[key] for (text,) in rows if key in (info := json.loads(text))]


def _state(table: str, cs: int) -> tuple[str, list[Any]]:
    where, params = visible(None, cs)
    return f"SELECT key, data FROM {table} WHERE {where}", params


def diff(store: Store, a: AsOf, b: AsOf = None, kind: str | None = None) -> pl.DataFrame:
    """Records added, removed and changed (field by field) between two points in time."""
    cs_a = store.resolve_as_of(a)
    cs_b = store.resolve_as_of(b) if b is not None else store.last_changeset()
    assert cs_a is not None
    kinds = [kind] if kind else list(KINDS)
    # Only a key with a version written between the two points can differ: the states are read
    # for those keys alone, so one changeset's diff costs what it wrote, not what the store holds.
    lo, hi = min(cs_a, cs_b), max(cs_a, cs_b)
    # One statement for every kind: on the team store each statement costs catalog round trips.
    parts, params = [], []
    for order, name in enumerate(kinds):
        table = _kind(name)
        (sql_a, params_a), (sql_b, params_b) = _state(table, cs_a), _state(table, cs_b)
        touched = f"SELECT DISTINCT key FROM {table} WHERE changeset > ? AND changeset <= ?"
        parts.append(f"""SELECT {order} AS k, coalesce(x.key, y.key) AS key, x.data AS old, y.data AS new
                FROM ({sql_a} AND key IN ({touched})) x FULL OUTER JOIN ({sql_b} AND key IN ({touched})) y
                  ON x.key = y.key
                WHERE x.data IS DISTINCT FROM y.data""")
        params += [*params_a, lo, hi, *params_b, lo, hi]
    # Field by field in SQL: a record's fields are the keys of its stored JSON, and a field
    # missing from it has its default (records are kept without defaults). Values come out as
    # DuckDB writes JSON (compact), compared as such; added and removed records carry their data.
    defaults = " ".join(f"WHEN {order} THEN ?::JSON" for order in range(len(kinds)))
    params += [json.dumps(_defaults(name), default=str) for name in kinds]
    names = " ".join(f"WHEN {order} THEN '{name}'" for order, name in enumerate(kinds))
    sql = f"""
        WITH pairs AS ({" UNION ALL ".join(parts)}),
        fields AS (
            SELECT k, key, f, coalesce(old::JSON -> f, d -> f) AS o, coalesce(new::JSON -> f, d -> f) AS n
            FROM (SELECT k, key, old, new, CASE k {defaults} END AS d,
                         unnest(list_distinct(list_concat(json_keys(old), json_keys(new)))) AS f
                  FROM pairs WHERE old IS NOT NULL AND new IS NOT NULL))
        SELECT CASE k {names} END AS kind, key AS id, change, field, old, new FROM (
            SELECT k, key, CASE WHEN old IS NULL THEN 'added' ELSE 'removed' END AS change, NULL AS field,
                   old, new FROM pairs WHERE old IS NULL OR new IS NULL
            UNION ALL
            SELECT k, key, 'changed', f, o::VARCHAR, n::VARCHAR FROM fields WHERE o IS DISTINCT FROM n)
        ORDER BY k, key, field NULLS FIRST"""
    frame = frame_of(store._con.execute(sql, params))
    schema = {"kind": pl.String, "id": pl.String, "change": pl.String, "field": pl.String, "old": pl.String, "new": pl.String}
    return frame.cast(schema) if frame.height else pl.DataFrame(schema=schema)


def blame(store: Store, key: str, kind: str = "event") -> pl.DataFrame:
    """Per field of the current version: who set the value it has now, when and why."""
    versions = _versions(store, key, kind)
    if versions[-1][5] == "delete":
        raise NotFound(f"{kind} {key!r} is deleted (changeset {versions[-1][1]}: {versions[-1][6]}); see its history")
    current = _full(kind, versions[-1][7])
    model = model_for_kind(kind)
    fields = [f for f in model.model_fields if f in current] + sorted(set(current) - set(model.model_fields))
    older = [(row, _full(kind, row[7]) if row[5] == "put" else None) for row in versions[:-1]]
    out = []
    for f in fields:
        origin = versions[-1]
        # Walk back while the field had the same value: the oldest such version set it.
        for row, data in reversed(older):
            if data is None or data.get(f) != current[f]:
                break
            origin = row
        version, cs, author, at, message = origin[:5]
        out.append({"field": f, "value": json.dumps(current[f], ensure_ascii=False), "version": version,
                    "changeset": cs, "author": author, "changed_at": at, "message": message})
    return pl.DataFrame(out, schema={
        "field": pl.String, "value": pl.String, "version": pl.Int32, "changeset": pl.Int64,
        "author": pl.String, "changed_at": pl.Datetime("us", "UTC"), "message": pl.String,
    })


def revert_plan(store: Store, changeset: int) -> tuple[int, str, list[tuple[str, str, dict | None, int]]]:
    """What reverting ``changeset`` would write: (changeset, its message, one (kind, key,
    data or None for a delete, expected version) per record), or VersionConflict naming
    the later changesets that touched the same fields."""
    with store.reading() as con:
        cs = store.resolve_as_of(int(changeset))
        assert cs is not None
        row = con.execute("SELECT message FROM changesets WHERE id = ?", [cs]).fetchall()
        conflicts: list[str] = []
        plan: list[tuple[str, str, dict | None, int]] = []
        # Every version from the one before the changeset's onwards, of every record it touched,
        # in one statement per kind: the plan costs what the changeset wrote, not a query per record.
        for name, spec in KINDS.items():
            rows = con.execute(
                f"""WITH t AS MATERIALIZED (SELECT key, version FROM {spec.table} WHERE changeset = ?)
                    SELECT v.key, v.version, v.changeset, v.op, v.data, t.version
                    FROM {spec.table} v JOIN t ON v.key = t.key AND v.version >= t.version - 1
                    ORDER BY v.key, v.version""", [cs]
            ).fetchall()
            for key, group in itertools.groupby(rows, key=lambda r: r[0]):
                versions = list(group)
                version = versions[0][5]
                by_version = {r[1]: r for r in versions}
                _k, _v, _c, op, data, _t = by_version[version]
                prior = by_version.get(version - 1)
                before = json.loads(prior[4]) if prior is not None and prior[3] == "put" else None
                after = json.loads(data) if op == "put" else None
                later = [(r[1], r[2], r[3], r[4]) for r in versions if r[1] > version]
                head_version = later[-1][0] if later else version
                head = (json.loads(later[-1][3]) if later[-1][2] == "put" else None) if later else after
                touched_fields = set(_changed_fields(before, after))
                if before is None or after is None:
                    # Creation or deletion: only safe to undo when nothing happened since.
                    if later:
                        conflicts.append(f"{name} {key!r} (changed again in changeset(s) {', '.join(str(r[1]) for r in later)})")
                        continue
                    plan.append((name, key, before, head_version))
                    continue
                if head is None:
                    conflicts.append(f"{name} {key!r} (deleted in changeset {later[-1][1]})")
                    continue
                prev = after
                clash = set()
                for _v, later_cs, _op, later_data in later:
                    ld = json.loads(later_data) if later_data else None
                    hit = touched_fields & set(_changed_fields(prev, ld))
                    if hit:
                        clash |= {(f, later_cs) for f in hit}
                    prev = ld
                if clash:
                    desc = ", ".join(f"{f} (changeset {c})" for f, c in sorted(clash))
                    conflicts.append(f"{name} {key!r} fields {desc}")
                    continue
                plan.append((name, key, with_fields(head, before, touched_fields), head_version))
    if conflicts:
        raise VersionConflict(f"cannot revert changeset {cs}: later changesets changed the same things: " + "; ".join(conflicts))
    return cs, row[0][0], plan


def revert(store: Store, changeset: int, *, author: str, message: str | None = None) -> int | None:
    """Undo one changeset with a new one. Later changesets that touched the same fields of
    the same records make it a VersionConflict that names them; other later edits are kept."""
    cs, old_message, plan = revert_plan(store, changeset)
    msg = message or f"Revert changeset {cs}: {old_message}"
    with store.change(author=author, message=msg, info={"reverts": cs}) as new:
        for name, key, data, expected in plan:
            if data is None:
                new.delete(key, reason=f"revert of changeset {cs}", expected_version=expected, kind=name)
            else:
                new.put(model_for_kind(name).model_validate(data), expected_version=expected)
    return new.id
