"""A build is a three-way merge, field by field, as git merges text.

Three versions of every record meet:

- **base**: the record as the ``events/`` folder had it at the last build (kept in the
  store's ``base`` table, one canonical JSON per record);
- **files**: the record in ``events/`` now;
- **store**: the record in the store now (edited since, maybe, in a notebook or a script).

Per field: changed only in the files, the files' value is taken; changed only in the
store, the store's value is kept; changed on both sides to the same value, fine; to
different values, a :class:`Conflict`. A record new on one side is kept; a deletion on
one side is applied when the other side did not change the record, else it conflicts.

>>> merge_record({"t": "a", "s": "x"}, {"t": "b", "s": "x"}, {"t": "a", "s": "y"})
({'t': 'b', 's': 'y'}, [])
>>> merge_record({"t": "a"}, {"t": "b"}, {"t": "c"})
({'t': 'c'}, ['t'])
>>> merge_record({"t": "a"}, None, {"t": "a"})
(None, [])
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl

from .._errors import ValidationError
from .._frames import frame_of, registered
from .schema import KINDS, canonical_json, existing_tables

if TYPE_CHECKING:
    from .._files.folder import Dataset
    from .._models import BaseRecord
    from .store import Store

__all__ = ["Conflict", "Merge", "merge_record", "plan_merge", "unexported"]

_MISSING: Any = object()
#: The "field" of a conflict about a whole record.
DELETED_IN_FILES = "(deleted in the files)"
DELETED_IN_STORE = "(deleted in the store)"
#: A build refuses to delete more than this share of a kind's records without allow_delete.
DELETE_GUARD = 0.10

Full = dict[str, Any]


def merge_record(base: Full | None, files: Full | None, store: Full | None) -> tuple[Full | None, list[str]]:
    """The merged record (None: deleted) and the fields that conflict (the store's value is
    kept for them in the merged record, until a preference or an edit resolves them)."""
    if files == store:
        return files, []
    if base is None:
        if files is None:
            return store, []  # new in the store
        if store is None:
            return files, []  # new in the files
        base = {}  # new on both sides: every differing field conflicts
    elif files is None:
        return (None, []) if store == base else (store, [DELETED_IN_FILES])
    elif store is None:
        return (None, []) if files == base else (None, [DELETED_IN_STORE])
    assert files is not None and store is not None
    merged: Full = {}
    conflicts: list[str] = []
    for f in dict.fromkeys([*store, *files, *base]):
        b, t, o = base.get(f, _MISSING), files.get(f, _MISSING), store.get(f, _MISSING)
        if t == o or t == b:
            v = o
        elif o == b:
            v = t
        else:
            conflicts.append(f)
            v = o
        if v is not _MISSING:
            merged[f] = v
    return merged, conflicts


@dataclass(frozen=True)
class Conflict:
    """One field (or a whole record) changed differently in the files and in the store."""

    kind: str
    key: str
    field: str
    base: Any
    files: Any
    store: Any
    file: str | None = None
    changeset: int | None = None
    author: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}: " if self.file else ""
        who = f" (store side: changeset {self.changeset} by {self.author})" if self.changeset else ""
        return (f"{where}{self.kind} {self.key}: {self.field}: base {_show(self.base)}, files {_show(self.files)}, "
                f"store {_show(self.store)}{who}")


def _show(value: Any) -> str:
    if value is _MISSING:
        return "(none)"
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


@dataclass
class Change:
    """A record the store and the files see differently: which side changed which fields."""

    kind: str
    key: str
    side: str  # 'store' | 'files' | 'both'
    fields: list[str]
    file: str | None = None
    changeset: int | None = None
    author: str | None = None

    def __str__(self) -> str:
        who = f" (changeset {self.changeset} by {self.author})" if self.changeset else ""
        where = f"{self.file}: " if self.file else ""
        return f"{where}{self.kind} {self.key}: {', '.join(self.fields)}{who}"


@dataclass
class Merge:
    """What a build would do: the merged records, the conflicts, and each side's changes."""

    puts: dict[str, list[Full]] = field(default_factory=dict)  # kind -> merged records to put
    deletes: dict[str, list[str]] = field(default_factory=dict)  # kind -> keys to delete
    conflicts: list[Conflict] = field(default_factory=list)
    store_changes: list[Change] = field(default_factory=list)  # in the store, not in the files
    file_changes: list[Change] = field(default_factory=list)  # in the files, not in the store
    new_base: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, key) -> files' canonical JSON
    base_changed: bool = False
    live: dict[str, int] = field(default_factory=dict)  # kind -> live records in the store now

    def too_many_deletes(self) -> list[str]:
        """Kinds where the merge would delete more than DELETE_GUARD of the store's records."""
        out = []
        for kind, keys in self.deletes.items():
            n = self.live.get(kind, 0)
            if len(keys) > 1 and n and len(keys) > DELETE_GUARD * n:
                out.append(f"{len(keys)} of {n} {kind}s")
        return out


def full(kind: str, data: str) -> Full:
    """A stored record with every field (defaults filled in): what the merge compares."""
    from .history import _full

    return _full(kind, data)


def dataset_records(ds: Dataset) -> dict[str, dict[str, BaseRecord]]:
    return ds.records()


def read_base(store: Store) -> dict[tuple[str, str], str]:
    """The merge base: each record as the files had it at the last build.

    A store built before the base was recorded (schema 1) takes the records as they were
    at its last build: that build made the store equal to the files.
    """
    with store.reading() as con:
        if _base_recorded(con):
            return {(k, key): data for k, key, data in con.execute("SELECT kind, key, data FROM base").fetchall()}
        last_build = con.execute(
            "SELECT max(id) FROM changesets WHERE info LIKE '%evidence_checked%'").fetchall()[0][0]
        if last_build is None:
            return {}
        return {(kind, key): data for kind in KINDS for key, data in store._record_rows(kind, None, int(last_build))}


def plan_merge(store: Store, ds: Dataset, *, prefer: Iterable[str] = (), sides: bool = False) -> Merge:
    """Merge the files (``ds``) into the store's current records against the base.

    ``prefer`` resolves conflicts: ``"files"`` or ``"store"`` for all of them, or
    ``"files:ID"`` / ``"store:ID"`` for one record. ``sides=True`` also names who changed
    the store side (for status and conflict messages; costs a history read per record).
    """
    overall, per_record = _preferences(prefer)
    base = read_base(store)
    theirs = dataset_records(ds)
    plan = Merge()
    with store.reading():
        for kind in KINDS:
            ours_rows = dict(store._record_rows(kind, None, None))
            plan.live[kind] = len(ours_rows)
            files_json = {key: canonical_json(rec) for key, rec in theirs[kind].items()}
            keys = sorted(set(ours_rows) | set(files_json) | {k for (kd, k) in base if kd == kind})
            for key in keys:
                b_json, t_json, o_json = base.get((kind, key)), files_json.get(key), ours_rows.get(key)
                if t_json is not None:
                    plan.new_base[(kind, key)] = t_json
                if t_json == o_json:
                    continue
                b, t, o = (full(kind, j) if j is not None else None for j in (b_json, t_json, o_json))
                merged, fields = merge_record(b, t, o)
                file = ds.files.get(f"{kind}:{key}")
                if sides:
                    _note_sides(plan, store, kind, key, b, t, o, file)
                pref = per_record.get(key, overall)
                if fields and pref is not None:
                    merged = _resolve(merged, fields, t, o, pref)
                    fields = []
                for f in fields:
                    plan.conflicts.append(_conflict(store, kind, key, f, b, t, o, file))
                if fields:
                    continue
                if merged is None:
                    if o is not None:
                        plan.deletes.setdefault(kind, []).append(key)
                elif merged != o:
                    plan.puts.setdefault(kind, []).append(merged)
        plan.base_changed = plan.new_base != base
    return plan


def _preferences(prefer: Iterable[str]) -> tuple[str | None, dict[str, str]]:
    overall: str | None = None
    per_record: dict[str, str] = {}
    for p in prefer:
        side, _, key = str(p).partition(":")
        if side not in ("files", "store") or (_ and not key):
            raise ValidationError(f"--prefer takes files, store, files:ID or store:ID, not {p!r}", field="prefer")
        if key:
            per_record[key] = side
        else:
            overall = side
    return overall, per_record


def _resolve(merged: Full | None, fields: list[str], t: Full | None, o: Full | None, side: str) -> Full | None:
    if DELETED_IN_FILES in fields or DELETED_IN_STORE in fields:
        return t if side == "files" else o
    from .history import with_fields

    chosen = t if side == "files" else o
    assert merged is not None and chosen is not None
    return with_fields(merged, chosen, fields)


def _store_side(store: Store, kind: str, key: str, f: str | None) -> tuple[int | None, str | None]:
    """The changeset and author that gave the store side its value of field ``f`` (or its deletion)."""
    from .._errors import NotFound

    try:
        if f is None or f == DELETED_IN_STORE:
            last = store.history(key, kind=kind).row(-1, named=True)
            return last["changeset"], last["author"]
        blame = store.blame(key, kind=kind)
    except NotFound:
        return None, None
    row = blame.filter(blame["field"] == f)
    if row.height:
        return int(row["changeset"][0]), row["author"][0]
    last = store.history(key, kind=kind).row(-1, named=True)
    return last["changeset"], last["author"]


def _conflict(store: Store, kind: str, key: str, f: str, b: Full | None, t: Full | None, o: Full | None,
              file: str | None) -> Conflict:
    def side(rec: Full | None) -> Any:
        if f in (DELETED_IN_FILES, DELETED_IN_STORE):
            return "(record)" if rec is not None else "(deleted)"
        return rec.get(f, _MISSING) if rec is not None else _MISSING

    cs, author = _store_side(store, kind, key, f if f != DELETED_IN_FILES else None)
    return Conflict(kind, key, f, side(b), side(t), side(o), file, cs, author)


def _changed(a: Full | None, b: Full | None) -> list[str]:
    if a is None or b is None:
        return ["(new)" if b is not None else "(deleted)"] if a != b else []
    return [f for f in dict.fromkeys([*a, *b]) if a.get(f, _MISSING) != b.get(f, _MISSING)]


def _note_sides(plan: Merge, store: Store, kind: str, key: str, b: Full | None, t: Full | None, o: Full | None,
                file: str | None) -> None:
    store_fields = [f for f in _changed(b, o) if t is None or o is None or f.startswith("(")
                    or t.get(f, _MISSING) != o.get(f, _MISSING)]
    file_fields = [f for f in _changed(b, t) if t is None or o is None or f.startswith("(")
                   or t.get(f, _MISSING) != o.get(f, _MISSING)]
    if store_fields:
        cs, author = _store_side(store, kind, key, None if o is None or store_fields[0].startswith("(") else store_fields[0])
        plan.store_changes.append(Change(kind, key, "store", store_fields, file, cs, author))
    if file_fields:
        plan.file_changes.append(Change(kind, key, "files", file_fields, file))


def differing(con: Any, candidates: list[tuple[str, str]] | None = None, *,
              at: int | None = None, count: bool = False) -> Any:
    """Kind and id of the live records that differ from the base, sorted: all of them, or
    among ``candidates``. The base is the recorded one, or (``at``) the store as it was at
    that changeset; one statement either way. ``count``: only how many."""
    from .schema import LIVE, visible

    if candidates is not None and not candidates:
        return 0 if count else pl.DataFrame(schema={"kind": pl.String, "id": pl.String})
    parts, params = [], []
    for kind, spec in KINDS.items():
        if at is None:
            base = f"SELECT key, data FROM base WHERE kind = '{kind}'{_among(kind, candidates)}"
        else:
            where, ps = visible(None, at)
            base = f"SELECT key, data FROM {spec.table} WHERE {where}{_among(kind, candidates)}"
            params += ps
        parts.append(f"SELECT '{kind}' AS kind, coalesce(c.key, b.key) AS id FROM "
                     f"(SELECT key, data FROM {spec.table} WHERE {LIVE}{_among(kind, candidates)}) c FULL OUTER JOIN "
                     f"({base}) b ON c.key = b.key WHERE c.data IS DISTINCT FROM b.data")
    union = " UNION ALL ".join(parts)
    sql = f"SELECT count(*) FROM ({union})" if count else f"SELECT * FROM ({union}) ORDER BY 1, 2"

    def run() -> Any:
        result = con.execute(sql, params)
        return int(result.fetchall()[0][0]) if count else frame_of(result)

    if candidates is None:
        return run()
    with registered(con, _candidates=pl.DataFrame(candidates, schema={"kind": pl.String, "key": pl.String}, orient="row")):
        return run()


def _among(kind: str, candidates: list[tuple[str, str]] | None) -> str:
    return "" if candidates is None else f" AND key IN (SELECT key FROM _candidates WHERE kind = '{kind}')"


def record_differing(con: Any) -> None:
    """Remember, with the base, which records differ from it (kept in the store, not in the
    files): unexported() then compares only those and what later changesets wrote."""
    con.execute("DELETE FROM meta WHERE key = 'base_differs'")
    con.execute("INSERT INTO meta VALUES ('base_differs', ?)", [json.dumps(differing(con).rows())])


def unexported(store: Store, *, count: bool = False) -> Any:
    """Kind and id of every record the store changed since the last build (not in events/ yet);
    ``count``: only how many."""
    with store.reading() as con:
        if _base_recorded(con):
            rows = dict(con.execute(
                "SELECT key, value FROM meta WHERE key IN ('base_recorded', 'base_differs')").fetchall())
            if "base_differs" not in rows:  # a base recorded before eventlog kept the list
                return differing(con, count=count)
            # What differed when the base was recorded, and what changed since: only these can differ now.
            candidates = {tuple(x) for x in json.loads(rows["base_differs"])}
            later = " UNION ALL ".join(f"SELECT DISTINCT '{kind}', key FROM {spec.table} WHERE changeset > ?"
                                       for kind, spec in KINDS.items())
            candidates |= set(con.execute(later, [int(rows["base_recorded"])] * len(KINDS)).fetchall())
            return differing(con, sorted(candidates), count=count)  # type: ignore[arg-type]
        # A store built before bases were recorded: against the last build's changeset (0: none).
        last_build = con.execute("SELECT max(id) FROM changesets WHERE info LIKE '%evidence_checked%'").fetchall()[0][0]
        return differing(con, at=int(last_build or 0), count=count)


def _base_recorded(con: Any) -> bool:
    return "base" in existing_tables(con) and bool(con.execute("SELECT count(*) FROM meta WHERE key = 'base_recorded'").fetchall()[0][0])
