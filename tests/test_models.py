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
from eventlog import EVENT_TYPES, STATUSES, Actor, Amount, Citation, Event, Link, Source

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
    assert e.sources[0] == Citation(source="doc", span=(3, 9))
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
        ({"status": "maybe"}, "status", "unknown status 'maybe'; known: confirmed, candidate, disputed"),
        ({"status": "confimed"}, "status", "did you mean 'confirmed'?"),
        ({"type": "vistt"}, "type", "unknown type 'vistt'; did you mean 'visit'?"),
        ({"actors": ["russia", "russia"]}, "actors", "listed twice"),
        ({"tags": ["Has Space"]}, "tags.0", "pattern"),
        ({"sources": [{"source": "doc", "span": [9, 3]}]}, "sources.0.span", "span must be"),
        ({"sources": [{"source": "doc", "span": [-1, 3]}]}, "sources.0.span", "span must be"),
        ({"colour": "red"}, "colour", "unknown field 'colour'"),
        ({"amounts": [{"value": float("inf"), "unit": "USD", "measure": "m"}]}, "amounts.0.value", "finite"),
        ({"amounts": [{"value": float("nan"), "unit": "USD", "measure": "m"}]}, "amounts.0.value", "finite"),
    ],
)
def test_invalid_events_are_refused(fields: dict, field: str, words: str) -> None:
    with pytest.raises(eventlog.ValidationError) as info:  # ours, never pydantic's; also a ValueError
        ev(**fields)
    assert isinstance(info.value, ValueError) and not isinstance(info.value, pydantic.ValidationError)
    assert info.value.field == field
    assert words in info.value.message


def test_records_are_frozen() -> None:
    with pytest.raises(eventlog.ValidationError, match="model_copy"):
        ev().title = "changed"  # type: ignore[misc]


def test_every_core_type_is_known() -> None:
    for t in eventlog.CORE_TYPES:
        assert ev(type=t).type == t
    assert set(STATUSES) == {"confirmed", "candidate", "disputed"}


# -- other records ----------------------------------------------------------------------------
def test_actor_source_link_amount() -> None:
    a = Actor(id="sberbank", name="Sberbank", category="bank", affiliation="russia", aliases={"nl": ["Sberbank"]})
    assert a.to_data()["affiliation"] == "russia"
    with pytest.raises(eventlog.ValidationError):
        Actor(id="x", name="X", kind="planet")
    s = Source(id="doc", file="d.txt", title="T", publisher="P", language="en", published=2024, sha256="a" * 64)
    assert s.published == "2024"
    with pytest.raises(eventlog.ValidationError):
        Source(id="doc", file="d.txt", title="T", publisher="P", language="en", published="2024", sha256="xyz")
    lk = Link(cause="a", effect="b", relation="causes")
    assert lk.id == "a|b|causes" and lk.basis == "analyst"
    with pytest.raises(eventlog.ValidationError, match="unknown relation"):
        Link(cause="a", effect="b", relation="loves")
    with pytest.raises(eventlog.ValidationError, match="needs sources"):
        Link(cause="a", effect="b", relation="causes", basis="source")
    with pytest.raises(eventlog.ValidationError):
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


def test_old_field_names_are_still_read() -> None:
    """Files and stored versions written before 0.2 say kind (actor) and evidence (link)."""
    actor = eventlog.Actor.model_validate({"id": "ru", "name": "Russia", "kind": "state"})
    assert actor.category == "state" and actor.to_data() == {"id": "ru", "name": "Russia", "category": "state"}
    link = eventlog.Link.model_validate({"cause": "a", "effect": "b", "relation": "enables", "basis": "source",
                                         "evidence": [{"source": "doc", "span": [0, 4]}]})
    assert link.sources == [eventlog.Citation(source="doc", span=(0, 4))] and "sources" in link.to_data()
    assert eventlog.SourceRef is eventlog.Citation
