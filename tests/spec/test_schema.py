"""The JSON Schema: generated from the key table, and the examples validate against it.

``jsonschema`` is not a dependency, so a small walker checks the keywords the schema uses;
a test makes sure the schema uses no other keyword.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from stepforce.cli.main import cli
from stepforce.generator.spec.keys import TABLES
from stepforce.generator.spec.schema import json_schema
from tests.conftest import EXAMPLES, REPO

KNOWN = {
    "$schema",
    "$id",
    "$defs",
    "$ref",
    "title",
    "description",
    "default",
    "type",
    "enum",
    "pattern",
    "maxLength",
    "minimum",
    "maximum",
    "properties",
    "additionalProperties",
    "required",
    "items",
    "anyOf",
    "oneOf",
    "propertyNames",
}
_TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "null": type(None),
    "object": dict,
    "array": list,
}


def _is_type(value: Any, name: str) -> bool:
    if isinstance(value, bool) and name in ("integer", "number"):
        return False
    return isinstance(value, _TYPES[name])


def violations(value: Any, schema: dict[str, Any], root: dict[str, Any], at: str = "") -> list[str]:
    if "$ref" in schema:
        return violations(value, root["$defs"][schema["$ref"].split("/")[-1]], root, at)
    found: list[str] = []
    if "type" in schema and not _is_type(value, schema["type"]):
        return [f"{at}: not {schema['type']}"]
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{at}: {value!r} not in enum")
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            found.append(f"{at}: {value!r} does not match")
        if len(value) > schema.get("maxLength", len(value)):
            found.append(f"{at}: too long")
    is_int = isinstance(value, int) and not isinstance(value, bool)
    if is_int and not schema.get("minimum", value) <= value <= schema.get("maximum", value):
        found.append(f"{at}: out of range")
    for keyword in ("anyOf", "oneOf"):
        if keyword in schema:
            matches = sum(not violations(value, option, root, at) for option in schema[keyword])
            if matches == 0 or (keyword == "oneOf" and matches > 1):
                found.append(f"{at}: {keyword} matched {matches}")
    if isinstance(value, dict):
        found += _object_violations(value, schema, root, at)
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            found += violations(item, schema["items"], root, f"{at}[{i}]")
    return found


def _object_violations(
    value: dict[str, Any], schema: dict[str, Any], root: dict[str, Any], at: str
) -> list[str]:
    found = [f"{at}: missing {k}" for k in schema.get("required", []) if k not in value]
    properties = schema.get("properties", {})
    for key, item in value.items():
        if "propertyNames" in schema:
            found += violations(key, schema["propertyNames"], root, f"{at}.{key}(name)")
        if key in properties:
            found += violations(item, properties[key], root, f"{at}.{key}")
        elif schema.get("additionalProperties") is False:
            found.append(f"{at}: unexpected {key}")
        elif isinstance(schema.get("additionalProperties"), dict):
            found += violations(item, schema["additionalProperties"], root, f"{at}.{key}")
    return found


def _as_json_data(value: Any) -> Any:
    """What an editor sees: YAML dates are plain strings in JSON Schema terms."""
    if isinstance(value, dict):
        return {k: _as_json_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json_data(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _keywords(node: Any) -> set[str]:
    if isinstance(node, list):
        return set().union(*(_keywords(n) for n in node)) if node else set()
    if not isinstance(node, dict):
        return set()
    keys = set(node)
    for key, child in node.items():
        if key in ("properties", "$defs"):
            keys |= set().union(*(_keywords(c) for c in child.values()))
        elif key not in ("enum", "default", "required"):
            keys |= _keywords(child)
    return keys


SCHEMA = json_schema()
SPECS = [*sorted(EXAMPLES.glob("*.yaml")), REPO / "templates/project/orchestrations/example.yaml"]


def test_schema_is_draft_2020_12_and_json_serialisable() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert json.loads(json.dumps(SCHEMA)) == SCHEMA


def test_schema_uses_only_keywords_the_walker_checks() -> None:
    assert _keywords(SCHEMA) <= KNOWN


def test_schema_keys_come_from_the_loader_table() -> None:
    assert set(SCHEMA["properties"]) == {k.name for k in TABLES["orchestration"]}
    for name, keys in TABLES.items():
        if name != "orchestration":
            assert set(SCHEMA["$defs"][name]["properties"]) == {k.name for k in keys}


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
def test_examples_validate_against_the_schema(path: Path) -> None:
    data = _as_json_data(yaml.safe_load(path.read_text()))
    assert violations(data, SCHEMA, SCHEMA) == []


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d.update(stpes=[]), ": unexpected stpes"),
        (
            lambda d: d["steps"][0].update(apex="My Class"),
            ".steps[0].apex: 'My Class' does not match",
        ),
        (
            lambda d: d["steps"][0]["retry"].update(attempts=7),
            ".steps[0].retry.attempts: out of range",
        ),
        (
            lambda d: d["steps"][0]["outputs"].update(x="Txt"),
            ".steps[0].outputs.x: 'Txt' not in enum",
        ),
        (lambda d: d["steps"][0].update(flow="Also"), ".steps[0]: oneOf matched 2"),
    ],
)
def test_schema_rejects_what_the_loader_rejects(mutate: Any, expected: str) -> None:
    data = _as_json_data(yaml.safe_load((EXAMPLES / "invoice_sync.yaml").read_text()))
    mutate(data)
    assert expected in violations(data, SCHEMA, SCHEMA)


def test_committed_schema_file_matches_the_generator() -> None:
    """The examples point editors at ./stepforce.schema.json; it must not drift."""
    committed = (REPO / "stepforce.schema.json").read_text(encoding="utf-8")
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0
    assert committed == result.output, "run `stepforce schema > stepforce.schema.json`"
