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
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ._dates import EDTFDate, parse_edtf
from ._errors import ValidationError
from ._taxonomy import ACTOR_KINDS, EVENT_TYPES, RELATIONS, STATUSES

__all__ = ["Actor", "Amount", "Event", "Link", "Record", "Source", "SourceRef", "model_for_kind", "validated"]

Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$", max_length=120)]
Tag = Annotated[str, Field(pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$", max_length=60)]


class BaseRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    def to_data(self) -> dict[str, Any]:
        """The record as plain JSON-able data, without defaults, in field order."""
        return self.model_dump(mode="json", exclude_defaults=True)


class Amount(BaseRecord):
    """A figure stated for an event: 240e9 USD of trade, 38 bcm of gas, 33 percent of trade."""

    value: float
    unit: str = Field(min_length=1, max_length=20, description="USD, EUR, CNY, RUB, tonnes, bcm, barrels_per_day, percent, km, ...")
    measure: str = Field(min_length=1, max_length=200, description="What the figure measures, in our words.")
    source: Slug | None = Field(None, description="The source id that states this figure, when sources disagree.")


class SourceRef(BaseRecord):
    """Where a document states something: its source id and the character span [start, end)."""

    source: Slug
    span: tuple[int, int]
    note: str | None = None

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
    sources: list[SourceRef] = Field(default_factory=list)
    confidence: float = Field(0.8, ge=0.0, le=1.0)
    status: Literal[STATUSES] = "confirmed"  # type: ignore[valid-type]
    notes: str = ""
    distinct_from: list[Slug] = Field(
        default_factory=list, description="Ids of look-alike events (same type, dates, actors) that are different occurrences."
    )

    @field_validator("type")
    @classmethod
    def _known_type(cls, v: str) -> str:
        if v not in EVENT_TYPES:
            raise ValueError(f"unknown type {v!r}; known: {', '.join(EVENT_TYPES)}")
        return v

    @field_validator("date", mode="before")
    @classmethod
    def _edtf(cls, v: Any) -> str:
        if isinstance(v, (dt.date, int)):  # YAML turns 2014 and 2024-05-16 into int/date
            v = v.isoformat() if isinstance(v, dt.date) else str(v)
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
    kind: Literal[ACTOR_KINDS]  # type: ignore[valid-type]
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

    @field_validator("published", mode="before")
    @classmethod
    def _edtf(cls, v: Any) -> str:
        return Event._edtf(v)


class Link(BaseRecord):
    """A cause-effect link between two events."""

    cause: Slug
    effect: Slug
    relation: str
    confidence: float = Field(0.7, ge=0.0, le=1.0)
    note: str = ""
    evidence: list[SourceRef] = Field(default_factory=list)
    asserted_by: str = Field("analyst", min_length=1)
    basis: Literal["source", "analyst"] = "analyst"

    @field_validator("relation")
    @classmethod
    def _known_relation(cls, v: str) -> str:
        if v not in RELATIONS:
            raise ValueError(f"unknown relation {v!r}; known: {', '.join(RELATIONS)}")
        return v

    @model_validator(mode="after")
    def _grounded(self) -> Link:
        if self.basis == "source" and not self.evidence:
            raise ValueError("a link with basis 'source' needs evidence (a document span)")
        return self

    @property
    def id(self) -> str:
        """The link's key: one link per cause, effect and relation."""
        return f"{self.cause}|{self.effect}|{self.relation}"


Record = Event | Actor | Source | Link

_KINDS: dict[str, type[BaseRecord]] = {"event": Event, "actor": Actor, "source": Source, "link": Link}


def model_for_kind(kind: str) -> type[BaseRecord]:
    """The pydantic model for a record kind ('event', 'actor', 'source', 'link')."""
    return _KINDS[kind]


def validated(model: type[BaseRecord], data: Any, *, file: str | None = None, record: str | None = None,
              line_of: Any = None) -> Any:
    """``model`` built from ``data``, or one :class:`ValidationError` line naming the file,
    record, field and value of the first problem (the one place pydantic's errors are read).

    ``line_of(field)`` gives the line of a field in ``file`` when it is known.

    >>> validated(Actor, {"id": "ru", "name": "Russia", "kind": "planet"}).kind
    Traceback (most recent call last):
    ...
    eventlog._errors.ValidationError: ru: kind: Input should be 'state', ...
    """
    from pydantic import ValidationError as PydanticError

    if not isinstance(data, dict):
        raise ValidationError(f"expected a mapping of fields, got {type(data).__name__}", file=file, record=record)
    try:
        return model.model_validate(data)
    except PydanticError as exc:
        err = exc.errors()[0]
        loc = [str(x) for x in err["loc"]]
        value = err.get("input")
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = f"unknown field (allowed: {', '.join(model.model_fields)})"
        elif loc and not msg.endswith(repr(value)) and not isinstance(value, (dict, list)):
            msg = f"{msg} (got {value!r})"
        if record is None:
            key = data.get("id") or (f"{data.get('cause')} -> {data.get('effect')}" if "cause" in data else "")
            record = str(key) if key else None
        line = line_of(loc[0] if loc else "") if line_of is not None else None
        raise ValidationError(msg, file=file, record=record, field=".".join(loc) or None, line=line) from None
