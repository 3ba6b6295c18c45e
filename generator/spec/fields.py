"""Reading mappings and scalars against the key table (keys.py), reporting every mistake."""

from __future__ import annotations

from functools import lru_cache

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from stepforce.generator.spec.keys import (
    TYPE_NAMES,
    Choice,
    Flag,
    Integer,
    Kind,
    Name,
    Text,
    TypeName,
    table,
)
from stepforce.generator.spec.model import Scalar, ValueType
from stepforce.generator.spec.names import name_problem
from stepforce.generator.spec.report import Reporter, did_you_mean

_T = "tag:yaml.org,2002:"
_FOUND = {
    _T + "str": "text",
    _T + "int": "a number",
    _T + "float": "a number",
    _T + "bool": "true/false",
    _T + "null": "nothing (null)",
    _T + "timestamp": "a date",
}

Fields = dict[str, tuple[ScalarNode, Node]]
#: Type names from Apex, Flow and JSON Schema, lower-cased, and the spec type meant.
_TYPE_ALIASES = {
    **dict.fromkeys(
        ("integer", "int", "long", "decimal", "double", "float", "currency", "percent"),
        Scalar.NUMBER,
    ),
    **dict.fromkeys(("string", "str", "picklist", "textarea", "email", "url"), Scalar.TEXT),
    **dict.fromkeys(("bool", "checkbox"), Scalar.BOOLEAN),
    **dict.fromkeys(("timestamp", "datetimegmt"), Scalar.DATETIME),
    **dict.fromkeys(("reference", "lookup"), Scalar.ID),
}
_YAML11_BOOLS = {"yes", "no", "on", "off", "y", "n"}
#: Type spellings repeat on every step; parsing each once keeps large specs fast.
parse_type = lru_cache(maxsize=256)(ValueType.parse)


def found(node: Node) -> str:
    """What ``node`` is, in the user's words."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return _FOUND.get(node.tag, f"a value tagged {node.tag}")


def join_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def read_fields(rep: Reporter, node: Node, table_name: str, path: str) -> Fields | None:
    """The keys of a fixed-key mapping, reporting unknown and missing ones."""
    keys = table(table_name)
    if not isinstance(node, MappingNode):
        wanted = ", ".join(k for k, key in keys.items() if key.required) or ", ".join(keys)
        rep.error(node, path, f"expected a mapping (with {wanted}), found {found(node)}")
        return None
    result: Fields = {}
    for key_node, value_node in node.value:
        name = str(key_node.value)
        if not isinstance(key_node, ScalarNode) or name in result:
            continue  # reported by the YAML layer (non-text or duplicate key)
        if name not in keys:
            hint = did_you_mean(name, keys) or f" (known keys: {', '.join(keys)})"
            rep.error(key_node, join_path(path, name), f"unknown key '{name}'{hint}")
            continue
        result[name] = (key_node, value_node)
    for name, key in keys.items():
        if key.required and name not in result:
            rep.error(node, path or name, f"missing required key '{name}'")
    return result


def read_mapping(rep: Reporter, node: Node, path: str, what: str) -> list[tuple[str, Node, Node]]:
    """The entries of a user-named mapping (inputs, outputs), text keys only."""
    if isinstance(node, ScalarNode) and node.tag == _T + "null":
        return []
    if not isinstance(node, MappingNode):
        rep.error(node, path, f"expected a mapping of {what}, found {found(node)}")
        return []
    seen: dict[str, str] = {}  # lower-cased -> as written
    entries: list[tuple[str, Node, Node]] = []
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode) or key_node.tag != _T + "str":
            continue  # reported by the YAML layer
        name = str(key_node.value)
        first = seen.get(name.lower())
        if first is None:
            seen[name.lower()] = name
            entries.append((name, key_node, value_node))
        elif first != name:  # exact duplicates are reported by the YAML layer
            # Apex and Flow compare these names without case: they would collide.
            rep.error(
                key_node,
                join_path(path, name),
                f"'{name}' differs from '{first}' only in case; use one spelling",
            )
    return entries


def field_value(rep: Reporter, fields: Fields, table_name: str, key: str, path: str) -> object:
    """The checked scalar value of ``key`` in ``fields``; ``None`` when absent or invalid."""
    if key not in fields:
        return None
    return read_scalar(rep, fields[key][1], join_path(path, key), table(table_name)[key].kind)


def read_scalar(rep: Reporter, node: Node, path: str, kind: Kind) -> object | None:
    """The value of a scalar key checked against its kind, or ``None`` after reporting."""
    if isinstance(kind, Text | Name | TypeName | Choice):
        if not isinstance(node, ScalarNode) or node.tag != _T + "str":
            hint = " (put it in quotes)" if isinstance(node, ScalarNode) else ""
            rep.error(node, path, f"expected text, found {found(node)}{hint}")
            return None
        return _read_text_kind(rep, node, path, kind)
    if isinstance(kind, Flag):
        if node.tag != _T + "bool" or not isinstance(node, ScalarNode):
            yaml11 = isinstance(node, ScalarNode) and str(node.value).lower() in _YAML11_BOOLS
            hint = f" ('{node.value}' is text here: write true or false)" if yaml11 else ""
            rep.error(node, path, f"expected true or false, found {found(node)}{hint}")
            return None
        return str(node.value).lower() == "true"
    if isinstance(kind, Integer):
        return read_integer(rep, node, path, kind)
    raise TypeError(f"not a scalar kind: {kind!r}")


def read_integer(rep: Reporter, node: Node, path: str, kind: Integer) -> int | None:
    text = str(node.value) if isinstance(node, ScalarNode) else ""
    if not isinstance(node, ScalarNode) or node.tag != _T + "int" or not text.lstrip("-").isdigit():
        rep.error(node, path, f"expected a whole number, found {found(node)}")
        return None
    value = int(text)
    if not kind.low <= value <= kind.high:
        rep.error(node, path, f"must be from {kind.low} to {kind.high}, not {value}")
        return None
    return value


def _type_alias_hint(text: str) -> str:
    """`` (did you mean 'Number'?)`` for an Apex, Flow or JSON Schema spelling of a type."""
    inner, is_list = text.strip(), False
    if inner.startswith("List<") and inner.endswith(">"):
        inner, is_list = inner[5:-1].strip(), True
    scalar = _TYPE_ALIASES.get(inner.lower())
    if scalar is None:
        return ""
    return f" (did you mean '{ValueType(scalar, is_list)}'?)"


def _read_text_kind(rep: Reporter, node: ScalarNode, path: str, kind: Kind) -> object | None:
    text = str(node.value)
    if isinstance(kind, Name):
        problem = name_problem(text, kind.what, kind.max_length)
        if problem:
            rep.error(node, path, problem)
            return None
    elif isinstance(kind, TypeName):
        parsed = parse_type(text)
        if parsed is None:
            hint = (
                _type_alias_hint(text)
                or did_you_mean(text, TYPE_NAMES)
                or f" (types: {', '.join(TYPE_NAMES)})"
            )
            rep.error(node, path, f"unknown type '{text}'{hint}")
        return parsed
    elif isinstance(kind, Choice) and text not in kind.values:
        choices = " or ".join(kind.values)
        rep.error(node, path, f"must be {choices}, not '{text}'{did_you_mean(text, kind.values)}")
        return None
    return text
