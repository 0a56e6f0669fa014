"""The records (pydantic models) and their published JSON Schema."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from pathlib import Path

import jsonschema
import pydantic
import pytest
import yaml

import eventlog
from eventlog import EVENT_TYPES, STATUSES, Actor, Amount, Event, Link, Source, SourceRef

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_DIR = ROOT / "schema"


def _generator():
    spec = importlib.util.spec_from_file_location("schema_generate", SCHEMA_DIR / "generate.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def ev(**fields: object) -> Event:
    data = {"id": "e1", "type": "visit", "title": "A visit", "date": "2024-05-16"}
    data.update(fields)
    return Event(**data)


# -- Event --------------------------------------------------------------------------------------
def test_event_fields_and_derived_bounds() -> None:
    e = ev(date="2014", actors=["russia"], tags=["gas"], sources=[{"source": "doc", "span": [3, 9]}],
           amounts=[{"value": 38e9, "unit": "bcm", "measure": "gas per year"}], location="Shanghai",
           confidence=0.6, status="disputed", notes="n", summary="s")
    assert (e.start, e.end, e.precision) == (dt.date(2014, 1, 1), dt.date(2014, 12, 31), "year")
    assert e.sources[0] == SourceRef(source="doc", span=(3, 9))
    assert e.amounts[0].unit == "bcm"
    assert set(Event.model_fields) >= {"id", "type", "title", "summary", "date", "actors", "location", "amounts", "tags",
                                        "sources", "confidence", "status", "notes"}


def test_defaults_and_to_data_drops_them() -> None:
    e = ev()
    assert (e.status, e.confidence, e.actors, e.summary) == ("confirmed", 0.8, [], "")
    assert e.to_data() == {"id": "e1", "type": "visit", "title": "A visit", "date": "2024-05-16"}
    assert Event.model_validate(e.to_data()) == e


@pytest.mark.parametrize("value", [2014, dt.date(2024, 5, 16)])
def test_yaml_scalars_become_edtf_strings(value: object) -> None:
    """YAML reads 2014 as int and 2024-05-16 as a date: both become the EDTF string."""
    assert ev(date=value).date == (value.isoformat() if isinstance(value, dt.date) else str(value))


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"type": "party"}, "type", "unknown type 'party'"),
        ({"id": "Not A Slug"}, "id", "pattern"),
        ({"title": ""}, "title", "at least 1"),
        ({"date": "2024-13-01"}, "date", "no such day"),
        ({"date": "sometime"}, "date", "not an EDTF date"),
        ({"date": "2024/2023"}, "date", "ends before it starts"),
        ({"date": "2020/.."}, "date", "open interval"),
        ({"confidence": 1.5}, "confidence", "less than or equal"),
        ({"status": "maybe"}, "status", "confirmed"),
        ({"actors": ["russia", "russia"]}, "actors", "listed twice"),
        ({"tags": ["Has Space"]}, "tags", "pattern"),
        ({"sources": [{"source": "doc", "span": [9, 3]}]}, "sources", "span must be"),
        ({"sources": [{"source": "doc", "span": [-1, 3]}]}, "sources", "span must be"),
        ({"colour": "red"}, "colour", "Extra inputs"),
    ],
)
def test_invalid_events_are_refused(fields: dict, field: str, words: str) -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        ev(**fields)
    err = info.value.errors()[0]
    assert str(err["loc"][0]) == field
    assert words in err["msg"]


def test_records_are_frozen() -> None:
    with pytest.raises(pydantic.ValidationError):
        ev().title = "changed"  # type: ignore[misc]


def test_every_core_type_is_known() -> None:
    for t in eventlog.CORE_TYPES:
        assert ev(type=t).type == t
    assert set(STATUSES) == {"confirmed", "candidate", "disputed"}


# -- other records ----------------------------------------------------------------------------
def test_actor_source_link_amount() -> None:
    a = Actor(id="sberbank", name="Sberbank", kind="bank", affiliation="russia", aliases={"nl": ["Sberbank"]})
    assert a.to_data()["affiliation"] == "russia"
    with pytest.raises(pydantic.ValidationError):
        Actor(id="x", name="X", kind="planet")
    s = Source(id="doc", file="d.txt", title="T", publisher="P", language="en", published=2024, sha256="a" * 64)
    assert s.published == "2024"
    with pytest.raises(pydantic.ValidationError):
        Source(id="doc", file="d.txt", title="T", publisher="P", language="en", published="2024", sha256="xyz")
    lk = Link(cause="a", effect="b", relation="causes")
    assert lk.id == "a|b|causes" and lk.basis == "analyst"
    with pytest.raises(pydantic.ValidationError, match="unknown relation"):
        Link(cause="a", effect="b", relation="loves")
    with pytest.raises(pydantic.ValidationError, match="needs evidence"):
        Link(cause="a", effect="b", relation="causes", basis="source")
    with pytest.raises(pydantic.ValidationError):
        Amount(value=1, unit="", measure="m")


# -- JSON Schema ---------------------------------------------------------------------------------
def test_committed_schema_equals_generated() -> None:
    gen = _generator()
    generated = gen.generate()
    assert set(generated) == {p.name for p in SCHEMA_DIR.glob("*.schema.json")}
    for name, schema in generated.items():
        committed = (SCHEMA_DIR / name).read_text(encoding="utf-8")
        assert committed == gen.render(schema), f"schema/{name} is out of date: run python schema/generate.py"


def _validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_every_events_file_validates_against_schema() -> None:
    events = ROOT / "events"
    files = sorted((events / "events").glob("*.yaml"))
    if not files:
        pytest.skip("events/ has no event files yet")
    v = _validator("event.schema.json")
    problems = []
    for path in files:
        problems += [f"{path.name}: {e.json_path}: {e.message}" for e in v.iter_errors(yaml.safe_load(path.read_text("utf-8")))]
    for name in ("actors", "sources", "links"):
        path = events / f"{name}.yaml"
        if path.exists():
            data = yaml.safe_load(path.read_text("utf-8")) or []
            problems += [f"{path.name}: {e.json_path}: {e.message}" for e in _validator(f"{name}.schema.json").iter_errors(data)]
    assert not problems, "\n".join(problems[:20])


def test_schema_rejects_what_the_model_rejects() -> None:
    v = _validator("event.schema.json")
    good = ev(actors=["russia"], sources=[{"source": "doc", "span": [0, 4]}]).to_data()
    assert not list(v.iter_errors(good))
    for bad in ({"type": "party"}, {"date": "sometime"}, {"id": "Bad Id"}, {"colour": "red"}, {"status": "maybe"},
                {"sources": [{"source": "doc", "span": [1]}]}):
        assert list(v.iter_errors({**good, **bad})), bad
    assert v.schema["properties"]["type"]["enum"] == list(EVENT_TYPES)
