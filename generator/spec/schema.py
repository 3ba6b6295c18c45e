"""The spec's JSON Schema (draft 2020-12), generated from the loader's key table.

Editors use it for completion and early errors (``# yaml-language-server: $schema=...``).
The validator stays the authority: the schema cannot express cross-references or cron.
"""

from __future__ import annotations

import json
from typing import Any

from stepforce.generator.spec.keys import (
    TABLES,
    TYPE_NAMES,
    BindingValue,
    Choice,
    Flag,
    Integer,
    Key,
    Kind,
    ListOf,
    LiteralValue,
    MapOf,
    Name,
    Obj,
    OneOf,
    Text,
    TypeName,
)

# A URN, not a URL: nothing is served; editors find the schema by the path users give.
SCHEMA_ID = "urn:stepforce:schema:orchestration:1"
_NAME_PATTERN = r"^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*(?<!_)$"
_REF_PATTERN = r"^\$(input\.[A-Za-z]\w*|self\.[A-Za-z]\w*|steps\.[A-Za-z]\w*\.[A-Za-z]\w*)$"
_SCALAR: list[dict[str, Any]] = [
    {"type": "string"},
    {"type": "number"},
    {"type": "boolean"},
    {"type": "null"},
]


def _literal() -> dict[str, Any]:
    return {
        "anyOf": [*_SCALAR, {"type": "array", "items": {"anyOf": _SCALAR}}],
        "description": "A literal. Text starting with $ is a reference; $$ writes a literal $.",
    }


def _kind_schema(kind: Kind) -> dict[str, Any]:
    if isinstance(kind, Text):
        return {"type": "string"}
    if isinstance(kind, Name):
        return {"type": "string", "pattern": _NAME_PATTERN, "maxLength": kind.max_length}
    if isinstance(kind, TypeName):
        return {"enum": list(TYPE_NAMES)}
    if isinstance(kind, Flag):
        return {"type": "boolean"}
    if isinstance(kind, Integer):
        return {"type": "integer", "minimum": kind.low, "maximum": kind.high}
    if isinstance(kind, Choice):
        return {"enum": list(kind.values)}
    if isinstance(kind, ListOf):
        return {"type": "array", "items": _kind_schema(kind.item)}
    if isinstance(kind, OneOf):
        return {"anyOf": [_kind_schema(option) for option in kind.options]}
    if isinstance(kind, Obj):
        return {"$ref": f"#/$defs/{kind.table}"}
    if isinstance(kind, MapOf):
        return {
            "type": "object",
            "propertyNames": _kind_schema(kind.key),
            "additionalProperties": _kind_schema(kind.value),
        }
    if isinstance(kind, LiteralValue):
        return _literal()
    assert isinstance(kind, BindingValue)
    return {
        "anyOf": [
            {"type": "string", "pattern": _REF_PATTERN},
            _literal(),
            {"$ref": "#/$defs/binding"},
        ]
    }


def _key_schema(key: Key) -> dict[str, Any]:
    schema = {**_kind_schema(key.kind), "description": key.description}
    if key.default is not None:
        schema["default"] = key.default
    return schema


def _object_schema(keys: tuple[Key, ...]) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {key.name: _key_schema(key) for key in keys},
        "additionalProperties": False,
    }
    required = [key.name for key in keys if key.required]
    if required:
        schema["required"] = required
    return schema


def json_schema() -> dict[str, Any]:
    """The JSON Schema of an orchestration spec file."""
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "stepforce orchestration spec",
        **_object_schema(TABLES["orchestration"]),
        "$defs": {
            name: _object_schema(keys) for name, keys in TABLES.items() if name != "orchestration"
        },
    }
    # A step runs exactly one thing: a Flow or an Apex class.
    schema["$defs"]["step"]["oneOf"] = [{"required": ["flow"]}, {"required": ["apex"]}]
    return schema


def schema_text() -> str:
    """The schema as the text ``stepforce schema`` prints and ``init`` writes."""
    return json.dumps(json_schema(), indent=2) + "\n"
