"""The records eventlog keeps: events, actors, sources and causal links (pydantic v2).

A record knows only what it can check on its own (field types, EDTF dates, spans
that start before they end). Checks that need other records, such as whether an
actor id exists, live in :mod:`eventlog._files.folder` and the store.

>>> e = Event(id="2014-gas-deal", type="contract", title="Gas deal", date="2014-05-21")
>>> (e.start.isoformat(), e.precision)
('2014-05-21', 'day')
"""

from __future__ import annotations

import datetime as dt
import re
import reprlib
import weakref
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator, model_validator

from ._dates import EDTFDate, parse_edtf
from ._errors import ValidationError
from ._taxonomy import (
    ACTOR_CATEGORIES,
    EVENT_TYPES,
    HYPOTHESIS_STATUSES,
    RATINGS,
    RELATIONS,
    RELIABILITY,
    STATUSES,
    unknown,
)

__all__ = ["Actor", "Amount", "Assessment", "Citation", "Comment", "Event", "Hypothesis", "Link", "Record", "Source", "SourceRef",
           "REFERENCES", "Star", "View", "VIEW_FILTERS", "model_for_kind", "validated"]

Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$", max_length=120)]
Tag = Annotated[str, Field(pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$", max_length=60)]


class _Seen(weakref.ref):
    __slots__ = ("key",)


#: Records made by validation, by id: put() of one of them need not validate it again. A record
#: made any other way (model_copy, model_construct) is not here and is validated when put.
_VALIDATED: dict[int, _Seen] = {}


def _forget(ref: _Seen) -> None:
    if _VALIDATED.get(ref.key) is ref:
        del _VALIDATED[ref.key]


def _seen(record: Any) -> Any:
    ref = _Seen(record, _forget)
    ref.key = id(record)
    _VALIDATED[ref.key] = ref
    return record


def is_validated(record: BaseModel) -> bool:
    """Whether ``record`` came out of validation as it is (records are frozen, so only a copy
    can differ, and a copy is a new object)."""
    ref = _VALIDATED.get(id(record))
    return ref is not None and ref() is record


class BaseRecord(BaseModel):
    """What every record shares: unknown fields refused, frozen, and bad data raised as one
    :class:`eventlog.ValidationError` (also a ``ValueError``), never a pydantic error."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    def __init__(self, **data: Any) -> None:
        from pydantic import ValidationError as PydanticError

        try:
            super().__init__(**data)
        except PydanticError as exc:
            raise _one_line(type(self), exc, data) from None
        _seen(self)

    # Tell pydantic this __init__ only wraps its own: validation (validate_python, nested records)
    # then builds records without calling it, so an error is converted once, at the outside.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def model_validate(cls, obj: Any, **options: Any) -> Any:  # type: ignore[override]
        from pydantic import ValidationError as PydanticError

        try:
            out = super().model_validate(obj, **options)
        except PydanticError as exc:
            raise _one_line(cls, exc, obj if isinstance(obj, dict) else {}) from None
        # An instance passed in comes back as it is, unvalidated: only what was built here is seen.
        return out if out is obj else _seen(out)

    @classmethod
    def model_validate_json(cls, json_data: Any, **options: Any) -> Any:  # type: ignore[override]
        from pydantic import ValidationError as PydanticError

        try:
            return _seen(super().model_validate_json(json_data, **options))
        except PydanticError as exc:
            raise _one_line(cls, exc, {}) from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise ValidationError(f"records are frozen: use record.model_copy(update={{{name!r}: ...}}) and put the copy",
                              field=name)

    def to_data(self) -> dict[str, Any]:
        """The record as plain JSON-able data, without defaults, in field order."""
        return self.model_dump(mode="json", exclude_defaults=True)


class Amount(BaseRecord):
    """A figure stated for an event: 240e9 USD of trade, 38 bcm of gas, 33 percent of trade."""

    value: float = Field(allow_inf_nan=False)
    unit: str = Field(min_length=1, max_length=20, description="USD, EUR, CNY, RUB, tonnes, bcm, barrels_per_day, percent, km, ...")
    measure: str = Field(min_length=1, max_length=200, description="What the figure measures, in our words.")
    source: Slug | None = Field(None, description="The source id that states this figure, when sources disagree.")


class Citation(BaseRecord):
    """A citation: where a document (a source) states something, as its source id and the
    character span [start, end). An event's and a link's ``sources`` are lists of them."""

    source: Slug
    span: tuple[int, int]
    note: str | None = None
    credibility: int | None = Field(None, ge=1, le=6, strict=True,
                                    description="1 confirmed by other sources ... 5 improbable, 6 cannot be judged")
    credibility_note: str = Field("", description="Why this grade, in our words.")

    @field_validator("span")
    @classmethod
    def _span_order(cls, v: tuple[int, int]) -> tuple[int, int]:
        if v[0] < 0 or v[1] <= v[0]:
            raise ValueError(f"span must be [start, end) with 0 <= start < end, got {list(v)}")
        return v


class Event(BaseRecord):
    """Something that happened (or was stated to happen) at an uncertain date, with its sources."""

    id: Slug
    type: str
    title: str = Field(min_length=1, max_length=300)
    summary: str = ""
    date: str = Field(description="EDTF: 2014, 2022-02, 2024-05-16/2024-05-17, 2023-12~, 2023?, 2023-21 (spring)")
    actors: list[Slug] = Field(default_factory=list, description="Actor ids from actors.yaml")
    location: str | None = None
    amounts: list[Amount] = Field(default_factory=list)
    tags: list[Tag] = Field(default_factory=list)
    sources: list[Citation] = Field(default_factory=list)
    confidence: float = Field(0.8, ge=0.0, le=1.0, allow_inf_nan=False)
    status: Literal[STATUSES] = "confirmed"  # type: ignore[valid-type]
    notes: str = ""
    distinct_from: list[Slug] = Field(
        default_factory=list, description="Ids of look-alike events (same type, dates, actors) that are different occurrences."
    )

    @field_validator("type")
    @classmethod
    def _known_type(cls, v: str) -> str:
        if v not in EVENT_TYPES:
            raise ValueError(unknown("type", v, EVENT_TYPES))
        return v

    @field_validator("date", mode="before")
    @classmethod
    def _edtf(cls, v: Any) -> str:
        if isinstance(v, (dt.date, int)) and not isinstance(v, bool):  # YAML turns 2014 and 2024-05-16 into int/date
            v = v.isoformat() if isinstance(v, dt.date) else str(v)
        if not isinstance(v, str):  # checked before anything is made of it (a list, a mapping, a bool)
            raise ValueError(f"a date is EDTF text such as 2024-05-16 or 2023~, not a {type(v).__name__}")
        try:
            d = parse_edtf(v)
        except ValidationError as exc:
            raise ValueError(exc.message) from None
        if d.start is None or d.end is None:
            raise ValueError(f"open interval {v!r}: give both bounds (for 'since X' use X/<publication date>)")
        return d.edtf

    @field_validator("tags", "actors")
    @classmethod
    def _unique(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError(f"listed twice: {sorted({x for x in v if v.count(x) > 1})}")
        return v

    @property
    def parsed_date(self) -> EDTFDate:
        return parse_edtf(self.date)

    @property
    def start(self) -> dt.date:
        return self.parsed_date.start  # type: ignore[return-value]

    @property
    def end(self) -> dt.date:
        return self.parsed_date.end  # type: ignore[return-value]

    @property
    def precision(self) -> str:
        return self.parsed_date.precision

    def dangling(self, actors: Any, sources: Any) -> Iterator[tuple[str, str, str]]:
        """(field, kind, id) of every actor or source this event names that is not in
        ``actors`` / ``sources`` (anything with ``in``): the one reference check.

        >>> e = Event(id="e", type="visit", title="T", date="2024", actors=["ru", "xx"])
        >>> list(e.dangling({"ru"}, set()))
        [('actors', 'actor', 'xx')]
        """
        for a in self.actors:
            if a not in actors:
                yield "actors", "actor", a
        for ref in self.sources:
            if ref.source not in sources:
                yield "sources", "source", ref.source
        for am in self.amounts:
            if am.source and am.source not in sources:
                yield "amounts.source", "source", am.source


class Actor(BaseRecord):
    """A state, bloc, organisation, company, bank or person that events name by id."""

    id: Slug
    name: str = Field(min_length=1)
    # "kind" is the old name: files and stored versions written before 0.2 use it.
    category: Literal[ACTOR_CATEGORIES] = Field(validation_alias=AliasChoices("category", "kind"))  # type: ignore[valid-type]
    aliases: dict[Literal["en", "nl"], list[str]] = Field(default_factory=dict)
    affiliation: Slug | None = Field(None, description="Actor id this one belongs to (a bank's state, a minister's government).")
    notes: str = ""


class Source(BaseRecord):
    """A document in the corpus that events cite by character span."""

    id: Slug
    file: str = Field(pattern=r"^[^/\\\x00]+$", max_length=255, description="File name in the corpus folder (no folders)")
    title: str
    publisher: str
    language: Literal["en", "nl"]
    published: str = Field(description="EDTF publication date")
    url: str | None = None
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    notes: str = ""
    reliability: Literal[tuple(RELIABILITY)] | None = Field(  # type: ignore[valid-type]
        None, description="A completely reliable ... E unreliable, F cannot be judged (the source, not one claim)")
    reliability_note: str = Field("", description="Why this grade, in our words.")
    derived_from: Slug | None = Field(
        None, description="The source id this one repeats (a reprint, a wire copy, a brief built on a report).")

    @field_validator("published", mode="before")
    @classmethod
    def _edtf(cls, v: Any) -> str:
        return Event._edtf(v)

    @model_validator(mode="after")
    def _not_its_own(self) -> Source:
        if self.derived_from == self.id:
            raise ValueError(f"a source cannot derive from itself ({self.id!r})")
        return self


class Link(BaseRecord):
    """A cause-effect link between two events."""

    cause: Slug
    effect: Slug
    relation: str
    confidence: float = Field(0.7, ge=0.0, le=1.0, allow_inf_nan=False)
    note: str = ""
    # "evidence" is the old name (before 0.2): links.yaml files and stored versions may use it.
    sources: list[Citation] = Field(default_factory=list, validation_alias=AliasChoices("sources", "evidence"),
                                     description="Citations: where documents state this link.")
    asserted_by: str = Field("analyst", min_length=1)
    basis: Literal["source", "analyst"] = "analyst"

    @field_validator("relation")
    @classmethod
    def _known_relation(cls, v: str) -> str:
        if v not in RELATIONS:
            raise ValueError(unknown("relation", v, RELATIONS))
        return v

    @model_validator(mode="after")
    def _grounded(self) -> Link:
        if self.basis == "source" and not self.sources:
            raise ValueError("a link with basis 'source' needs sources (a document span that states it)")
        return self

    @property
    def id(self) -> str:
        """The link's key: one link per cause, effect and relation."""
        return f"{self.cause}|{self.effect}|{self.relation}"


class Hypothesis(BaseRecord):
    """One of the competing explanations an analyst weighs the events against (ACH)."""

    id: Slug
    statement: str = Field(min_length=1, max_length=500, description="The hypothesis, in one or two sentences of our own.")
    status: Literal[HYPOTHESIS_STATUSES] = "open"  # type: ignore[valid-type]
    notes: str = ""

    @field_validator("id")
    @classmethod
    def _not_a_matrix_column(cls, v: str) -> str:
        # Each hypothesis is a column of the ACH matrix, beside these.
        if v in ("event", "title", "date", "credibility", "weight", "diagnostic"):
            raise ValueError(f"{v!r} is a column of the ACH matrix: choose another id")
        return v


class Assessment(BaseRecord):
    """How one event bears on one hypothesis: CC, C, N, I or II (very consistent ... very inconsistent).
    Its author and time are its changeset's; its history is every rating it had."""

    hypothesis: Slug
    event: Slug
    rating: Literal[tuple(RATINGS)]  # type: ignore[valid-type]
    note: str = ""

    @property
    def id(self) -> str:
        """The assessment's key: one rating per hypothesis and event."""
        return f"{self.hypothesis}|{self.event}"


def _one_target(record: Any, allowed: tuple[str, ...]) -> None:
    named = [f for f in allowed if getattr(record, f) is not None]
    if len(named) != 1:
        raise ValueError(f"name exactly one of {', '.join(allowed)} (got {', '.join(named) or 'none'})")


class Comment(BaseRecord):
    """An analyst's remark on an event, a link (its id, ``cause|effect|relation``) or a saved view,
    possibly in reply to another comment."""

    id: Slug
    event: Slug | None = None
    link: str | None = Field(None, pattern=r"^[a-z0-9_-]+\|[a-z0-9_-]+\|[a-z_]+$", max_length=300)
    view: Slug | None = None
    author: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=10_000)
    reply_to: Slug | None = None
    posted: dt.datetime | None = Field(None, description="When it was written (UTC); the changeset also records it.")

    @model_validator(mode="after")
    def _target(self) -> Comment:
        _one_target(self, ("event", "link", "view"))
        if self.reply_to == self.id:
            raise ValueError("a comment cannot reply to itself")
        return self

    @property
    def target(self) -> tuple[str, str]:
        """(kind, key) of what the comment is on."""
        for kind in ("event", "link", "view"):
            if (key := getattr(self, kind)) is not None:
                return kind, key
        raise AssertionError("validated: one target")


class Star(BaseRecord):
    """One analyst's star on an event or a link (a bookmark others can see)."""

    analyst: str = Field(min_length=1, max_length=200, pattern=r"^[^|]+$")
    event: Slug | None = None
    link: str | None = Field(None, pattern=r"^[a-z0-9_-]+\|[a-z0-9_-]+\|[a-z_]+$", max_length=300)
    note: str = ""

    @model_validator(mode="after")
    def _target(self) -> Star:
        _one_target(self, ("event", "link"))
        return self

    @property
    def id(self) -> str:
        """The star's key: one star per analyst and record."""
        return f"{self.analyst}|{self.event or self.link}"


#: What a saved view may hold: the filters of :meth:`Store.query`.
VIEW_FILTERS = ("type", "actor", "start", "end", "text", "tag", "source", "status", "id", "known_by", "min_reliability",
                "min_credibility", "as_of")


class View(BaseRecord):
    """A named query to come back to: filters (as :meth:`Store.query` takes them), lanes, the
    timeline's range and whether later reports are marked rather than hidden."""

    id: Slug
    title: str = ""
    author: str = Field(min_length=1, max_length=200)
    filters: dict[str, str | int | list[str]] = Field(default_factory=dict)
    lanes: Literal["type", "actor", "tag"] = "type"
    range: tuple[str, str] | None = Field(None, description="The timeline's range: two EDTF dates.")
    hindsight: bool = Field(False, description="With filters.known_by: mark later reports instead of hiding them.")
    notes: str = ""

    @field_validator("filters")
    @classmethod
    def _known_filters(cls, v: dict[str, Any]) -> dict[str, Any]:
        for key in v:
            if key not in VIEW_FILTERS:
                raise ValueError(unknown("filter", key, VIEW_FILTERS))
        return v

    @field_validator("range")
    @classmethod
    def _edtf_range(cls, v: tuple[str, str] | None) -> tuple[str, str] | None:
        if v is not None:
            for d in v:
                parse_edtf(d)
        return v


#: What the analysts' records name: (kind, field, the kind it names).
REFERENCES = (("assessment", "hypothesis", "hypothesis"), ("assessment", "event", "event"),
              ("comment", "event", "event"), ("comment", "link", "link"), ("comment", "view", "view"),
              ("comment", "reply_to", "comment"), ("star", "event", "event"), ("star", "link", "link"))


Record = Event | Actor | Source | Link | Hypothesis | Assessment | Comment | Star | View

#: The old name of :class:`Citation` (before 0.2).
SourceRef = Citation

_KINDS: dict[str, type[BaseRecord]] = {"event": Event, "actor": Actor, "source": Source, "link": Link,
                                       "hypothesis": Hypothesis, "assessment": Assessment, "comment": Comment,
                                       "star": Star, "view": View}


def model_for_kind(kind: str) -> type[BaseRecord]:
    """The pydantic model for a record kind ('event', 'actor', 'source', 'link', 'hypothesis',
    'assessment', 'comment', 'star', 'view')."""
    return _KINDS[kind]


def validated(model: type[BaseRecord], data: Any, *, file: str | None = None, record: str | None = None,
              line_of: Any = None) -> Any:
    """``model`` built from ``data``, or one :class:`ValidationError` line naming the file,
    record, field and value of the first problem (the one place pydantic's errors are read).

    ``line_of(field)`` gives the line of a field in ``file`` when it is known.

    >>> validated(Actor, {"id": "ru", "name": "Russia", "category": "planet"}).category
    Traceback (most recent call last):
    ...
    eventlog._errors.ValidationError: ru: category: unknown category 'planet'; known: state, bloc, ...
    """
    from pydantic import ValidationError as PydanticError

    if not isinstance(data, dict):
        raise ValidationError(f"expected a mapping of fields, got {type(data).__name__}", file=file, record=record)
    try:
        return _seen(model.__pydantic_validator__.validate_python(data))
    except PydanticError as exc:
        raise _one_line(model, exc, data, file=file, record=record, line_of=line_of) from None


_SHORT = reprlib.Repr()
_SHORT.maxstring, _SHORT.maxother, _SHORT.maxlist, _SHORT.maxdict, _SHORT.maxlevel = 80, 80, 5, 5, 2


def _one_line(model: type[BaseRecord], exc: Any, data: dict, *, file: str | None = None, record: str | None = None,
              line_of: Any = None) -> ValidationError:
    """The first of pydantic's errors as our one line; values are shown shortened (a 10 MB id stays short)."""
    err = exc.errors()[0]
    loc = [str(x) for x in err["loc"]]
    value = err.get("input")
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        msg = unknown("field", loc[-1] if loc else "", model.model_fields)
    elif err["type"] == "literal_error" and isinstance(value, str):
        msg = unknown(loc[-1] if loc else "value", value, re.findall(r"'([^']*)'", err.get("ctx", {}).get("expected", "")))
    elif loc and repr(value)[:80] not in msg and not isinstance(value, (dict, list)):
        msg = f"{msg} (got {_SHORT.repr(value)})"
    if record is None and isinstance(data, dict):
        key = data.get("id") or (f"{data.get('cause')} -> {data.get('effect')}" if "cause" in data else "")
        record = (key if isinstance(key, str) else _SHORT.repr(key))[:120] if key else None
    line = line_of(loc[0] if loc else "") if line_of is not None else None
    return ValidationError(msg, file=file, record=record, field=".".join(loc) or None, line=line)
