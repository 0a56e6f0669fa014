"""Write the JSON Schemas of the events/ files from the pydantic models.

    python schema/generate.py          # rewrite schema/*.schema.json
    python schema/generate.py --check  # exit 1 if a committed file is out of date

Editors validate a file when its first line names the schema, e.g. in events/events/<id>.yaml::

    # yaml-language-server: $schema=../../schema/event.schema.json

(and ``../schema/actors.schema.json`` in events/actors.yaml). tests/test_models.py checks
that the committed files equal what this script generates and that every events/ file
validates against them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from eventlog._dates import EDTF_PATTERN
from eventlog._models import Actor, Event, Link, Source
from eventlog._taxonomy import EVENT_TYPES, RELATIONS

HERE = Path(__file__).resolve().parent
BASE = "https://eventlog.invalid/schema/"



def _schema(model: type, title: str, description: str) -> dict[str, Any]:
    s = model.model_json_schema()
    s.pop("title", None)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, "description": description, **s}


def _date(prop: dict[str, Any]) -> None:
    prop["pattern"] = EDTF_PATTERN


def generate() -> dict[str, dict[str, Any]]:
    """File name -> schema, for every file kind in an events folder."""
    event = _schema(Event, "eventlog event", "One file in events/events/<id>.yaml.")
    event["properties"]["type"]["enum"] = list(EVENT_TYPES)
    event["properties"]["type"]["description"] = "; ".join(f"{t.id}: {t.definition}" for t in EVENT_TYPES.values())
    _date(event["properties"]["date"])

    source = Source.model_json_schema()
    _date(source["properties"]["published"])
    link = Link.model_json_schema()
    link["properties"]["relation"]["enum"] = list(RELATIONS)

    def registry(item: dict[str, Any], title: str, description: str) -> dict[str, Any]:
        defs = item.pop("$defs", None)
        item.pop("title", None)
        out: dict[str, Any] = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title,
                               "description": description, "type": "array", "items": item}
        if defs:
            out["$defs"] = defs
        return out

    schemas = {
        "event.schema.json": event,
        "actors.schema.json": registry(Actor.model_json_schema(), "eventlog actors", "events/actors.yaml: a list of actors."),
        "sources.schema.json": registry(source, "eventlog sources", "events/sources.yaml: a list of source documents."),
        "links.schema.json": registry(link, "eventlog links", "events/links.yaml: a list of causal links."),
    }
    for name, s in schemas.items():
        s["$id"] = BASE + name
    return schemas


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def main(argv: list[str]) -> int:
    stale = []
    for name, schema in generate().items():
        path = HERE / name
        text = render(schema)
        if "--check" in argv:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print(f"out of date: {', '.join(stale)} (run python schema/generate.py)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
