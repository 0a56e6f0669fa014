"""Review candidate files: accept into events/, merge into an existing event, edit, reject.

All changes of one review run are applied together: the new and changed event files are
first written into a temporary copy of the events folder and the whole copy is loaded
with :func:`eventlog._files.folder.load_dataset`; only when that succeeds are the files
written to the real folder. An invalid result writes nothing.

After a successful run, accepted and merged candidate files move to ``<dir>/done/``,
rejected ones to ``<dir>/rejected/`` (kept, so a rejection is visible and reversible).

>>> plan = ReviewPlan(accept=["c1"], reject=["c2"])
>>> plan.is_empty()
False
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._dates import parse_edtf
from .._errors import NotFound, ValidationError
from .._files.folder import dump_yaml, load_dataset
from .._files.yamlfile import read_yaml
from .._models import Event, validated
from .._taxonomy import EVENT_TYPES
from .candidates import REVIEW_KEYS

__all__ = ["EDITABLE", "ReviewPlan", "ReviewResult", "apply_review", "edit_candidate", "load_candidates",
           "unknown_sources"]

#: Fields ``edit_candidate`` may set; list fields take comma-separated values.
EDITABLE = ("id", "type", "title", "summary", "date", "actors", "location", "tags", "confidence", "notes", "merge_into")


@dataclass
class ReviewPlan:
    """What to do with which candidates: ids to accept and reject, and candidate -> event merges."""

    accept: list[str] = field(default_factory=list)
    reject: list[str] = field(default_factory=list)
    merge: dict[str, str] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not (self.accept or self.reject or self.merge)


@dataclass
class ReviewResult:
    """What a review run did: new event ids, (candidate, event) merges, rejected candidate ids."""

    accepted: list[str] = field(default_factory=list)
    merged: list[tuple[str, str]] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)


def load_candidates(folder: str | Path, order: str = "file") -> dict[str, tuple[Path, dict[str, Any]]]:
    """Pending candidates of a folder: id -> (file, content), in file-name order, or with
    ``order="confidence"`` the surest first (ties in file-name order)."""
    root = Path(folder)
    if not root.is_dir():
        raise NotFound(f"no candidate folder {str(root)!r}")
    out: dict[str, tuple[Path, dict[str, Any]]] = {}
    for path in sorted(root.glob("*.yaml")):
        data = read_yaml(path)
        if not isinstance(data, dict) or "id" not in data:
            raise ValidationError("expected a candidate event (a mapping with an id)", file=str(path))
        out[str(data["id"])] = (path, data)
    if order == "confidence":
        def surety(item: tuple[str, tuple[Path, dict[str, Any]]]) -> float:
            try:
                return -float(item[1][1].get("confidence", 0.0))
            except (TypeError, ValueError):
                return 0.0  # an edited, unreadable confidence sorts with the unsure ones, not as an error
        out = dict(sorted(out.items(), key=surety))
    return out


def unknown_sources(cands: dict[str, tuple[Path, dict[str, Any]]], events_dir: str | Path) -> dict[str, list[str]]:
    """Source ids the candidates cite that ``events_dir/sources.yaml`` does not have: id -> candidate ids.
    Checked before any question is asked, so no decision is made that could not be saved."""
    from .._files.folder import read_registry
    from .._models import Source

    path = Path(events_dir) / "sources.yaml"
    known = {rec.id for rec, _i in read_registry(path, Source, False)} if path.exists() else set()  # type: ignore[attr-defined]
    out: dict[str, list[str]] = {}
    for cid, (_p, data) in cands.items():
        for ref in data.get("sources") or []:
            if isinstance(ref, dict) and ref.get("source") not in known:
                out.setdefault(str(ref.get("source")), []).append(cid)
    return out


def _get(cands: dict[str, tuple[Path, dict[str, Any]]], cid: str, folder: Path) -> tuple[Path, dict[str, Any]]:
    if cid not in cands:
        raise NotFound(f"no candidate {cid!r} in {folder}")
    return cands[cid]


def edit_candidate(folder: str | Path, cid: str, field_name: str, value: str) -> dict[str, Any]:
    """Set one field of a candidate file (checked at once for type, date, confidence) and save it.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()); _ = (d / "c.yaml").write_text("id: c\\ntype: visit\\n")
    >>> edit_candidate(d, "c", "type", "treaty")["type"]
    'treaty'
    """
    root = Path(folder)
    path, data = _get(load_candidates(root), cid, root)
    if field_name not in EDITABLE:
        raise ValidationError(f"cannot edit field {field_name!r} (editable: {', '.join(EDITABLE)})", file=str(path), record=cid)
    new: Any = value.strip()
    if field_name == "type" and new not in EVENT_TYPES:
        raise ValidationError(f"unknown type {new!r}", file=str(path), record=cid, field="type")
    if field_name == "date":
        parse_edtf(new)
    if field_name in ("actors", "tags"):
        new = [x.strip() for x in new.split(",") if x.strip()]
    if field_name == "confidence":
        try:
            new = float(new)
        except ValueError:
            raise ValidationError(f"not a number: {value!r}", file=str(path), record=cid, field="confidence") from None
    if field_name == "id" and not re.fullmatch(r"[a-z0-9]+(?:[-_][a-z0-9]+)*", new):
        raise ValidationError(f"not an id (lower-case words joined by - or _): {new!r}", file=str(path), record=cid, field="id")
    if field_name == "merge_into" and new in ("", "none", "-"):
        data.pop("merge_into", None)
        data.pop("merge_why", None)
    else:
        old = data.get(field_name)
        data[field_name] = new
        if field_name in ("date", "type") and old != new and data.get("notes"):
            data["notes"] = _note_edit(str(data["notes"]), field_name, old, new)
    target = path if field_name != "id" else path.with_name(f"{new}.yaml")
    target.write_text(dump_yaml(data), encoding="utf-8")
    if target != path:
        path.unlink()
    return data


def _note_edit(notes: str, field_name: str, old: Any, new: Any) -> str:
    """The extraction notes after a reviewer's edit: the old reading named as such, never left as
    if it were the event's.

    >>> _note_edit("Extracted: date written as 'on Friday', resolved to 2023-04 (weekday); modality asserted.",
    ...            "date", "2023-04", "2024-05-17")
    "Extracted: date written as 'on Friday', read by extraction as 2023-04 (weekday), set to 2024-05-17 in review; modality asserted."
    """
    if field_name == "date":
        notes = re.sub(r"; its end is open because the document date is unknown: set the date \(X/<publication date>\)",
                       "", notes)
        changed = re.sub(r"resolved to (\S+?)( \([^)]*\))?(?=[;.]|$)",
                         lambda m: f"read by extraction as {m[1]}{m[2] or ''}, set to {new} in review", notes, count=1)
        return changed if changed != notes else f"{notes} Date set to {new} in review (extraction read {old})."
    return f"{notes} Type set to {new} in review (extraction read {old})."


def _event_data(cand: dict[str, Any]) -> dict[str, Any]:
    data = {k: v for k, v in cand.items() if k not in REVIEW_KEYS}
    data["status"] = "confirmed"
    return data


def _base_id(cid: str) -> str:
    """The candidate id without its six-character hash suffix."""
    return re.sub(r"-[0-9a-f]{6}$", "", cid)


def _free_id(cid: str, taken: set[str]) -> str:
    base = _base_id(cid)
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def apply_review(candidates_dir: str | Path, events_dir: str | Path, plan: ReviewPlan) -> ReviewResult:
    """Apply a review plan: all of it, or (on any validation problem) nothing.

    Accepting writes ``events/events/<id>.yaml`` with ``status: confirmed`` (the id loses
    the candidate's hash suffix when that name is free). Merging adds the candidate's
    source reference to the existing event (its other fields stay as curated).
    """
    cdir, edir = Path(candidates_dir), Path(events_dir)
    cands = load_candidates(cdir)
    for cid in [*plan.accept, *plan.reject, *plan.merge]:
        _get(cands, cid, cdir)
    ds = load_dataset(edir)
    taken = set(ds.events)
    changed: dict[str, dict[str, Any]] = {}  # event id -> new file content
    result = ReviewResult()
    for cid in plan.accept:
        data = _event_data(cands[cid][1])
        data["id"] = _free_id(cid, taken)
        taken.add(data["id"])
        changed[data["id"]] = data
        result.accepted.append(data["id"])
    for cid, eid in plan.merge.items():
        if eid not in ds.events and eid not in changed:
            raise NotFound(f"no event {eid!r} to merge candidate {cid!r} into (in {edir / 'events'})")
        current = changed.get(eid) or ds.events[eid].to_data()
        cand = cands[cid][1]
        sources = list(current.get("sources", []))
        for ref in cand.get("sources", []):
            if not any(s["source"] == ref["source"] and list(s["span"]) == list(ref["span"]) for s in sources):
                sources.append(ref)
        current = {**current, "sources": sources}
        changed[eid] = current
        result.merged.append((cid, eid))
    result.rejected = list(plan.reject)
    _validate_and_write(edir, changed)
    _file_away(cdir, cands, [*plan.accept, *plan.merge], "done")
    _file_away(cdir, cands, plan.reject, "rejected")
    return result


def _validated(eid: str, data: dict[str, Any]) -> Event:
    """The event, or a one-line ValidationError naming the record and field."""
    return validated(Event, data, record=eid)


def _validate_and_write(edir: Path, changed: dict[str, dict[str, Any]]) -> None:
    if not changed:
        return
    texts = {}
    for eid, data in changed.items():
        texts[eid] = dump_yaml(_validated(eid, data).to_data())
    with tempfile.TemporaryDirectory(prefix="eventlog-review-") as tmp:
        copy = Path(tmp) / "events"
        shutil.copytree(edir, copy)
        for eid, text in texts.items():
            (copy / "events" / f"{eid}.yaml").write_text(text, encoding="utf-8")
        try:
            load_dataset(copy)
        except ValidationError as exc:  # name the real folder, not the temporary copy
            real = str(exc.file).replace(str(copy), str(edir)) if exc.file else None
            raise ValidationError(exc.message, file=real, record=exc.record, field=exc.field, line=exc.line) from None
    (edir / "events").mkdir(parents=True, exist_ok=True)
    for eid, text in texts.items():
        path = edir / "events" / f"{eid}.yaml"
        part = path.with_suffix(".yaml.tmp")
        part.write_text(text, encoding="utf-8")
        part.replace(path)


def _file_away(cdir: Path, cands: dict[str, tuple[Path, dict[str, Any]]], ids: list[str], sub: str) -> None:
    if not ids:
        return
    (cdir / sub).mkdir(exist_ok=True)
    for cid in ids:
        path = cands[cid][0]
        if path.exists():
            path.replace(cdir / sub / path.name)


def describe(cand: dict[str, Any]) -> str:
    """A candidate in a few plain lines, for prompts and listings."""
    lines = [
        f"{cand.get('id')}  [{cand.get('type')}]  {cand.get('date')}  confidence {cand.get('confidence')}",
        f"  title:    {cand.get('title')}",
        f"  actors:   {', '.join(cand.get('actors', [])) or '-'}",
        f"  modality: {cand.get('modality', 'asserted')}   date as written: {cand.get('date_text', '?')}",
    ]
    if cand.get("found_by"):
        lines.append(f"  found by: {cand['found_by']}")
    if cand.get("merge_into"):
        lines.append(f"  may be another source of {cand['merge_into']} (merge adds this source to it)")
        if cand.get("merge_why"):
            lines.append(f"    because: {cand['merge_why']}")
    if cand.get("evidence"):
        lines.append(f"  evidence: {cand['evidence']}")
    return "\n".join(lines)
