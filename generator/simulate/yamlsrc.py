"""Line-keeping YAML values for fixtures and scenario files, on the spec's own YAML reader.

Parsing reuses the spec loader's hardened composer (alias and size limits, YAML 1.2 booleans,
duplicate keys refused) and its scalar typing, so a fixture value is typed exactly like a spec
literal: text, ``Decimal`` (never ``float``), ``bool`` (only true/false), ``date``, aware
``datetime``, ``None``; plus lists and mappings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from stepforce.diagnostics import Diagnostic, Location
from stepforce.errors import SpecError
from stepforce.generator.spec.values import ValueProblem, scalar_value
from stepforce.generator.spec.yaml_source import compose, location


@dataclass(frozen=True)
class Node:
    """One YAML value: ``value`` is a ``dict[str, Node]``, a ``list[Node]`` or a plain scalar."""

    value: Any
    location: Location
    key_locations: dict[str, Location] = field(default_factory=dict, compare=False)

    @property
    def is_map(self) -> bool:
        return isinstance(self.value, dict)

    @property
    def is_list(self) -> bool:
        return isinstance(self.value, list)

    def plain(self) -> Any:
        """The value with every nested :class:`Node` unwrapped."""
        if isinstance(self.value, dict):
            return {key: node.plain() for key, node in self.value.items()}
        if isinstance(self.value, list):
            return [node.plain() for node in self.value]
        return self.value

    def key_location(self, key: str) -> Location:
        """Where ``key`` is written (for "unknown key" errors); the mapping's place if absent."""
        return self.key_locations.get(key, self.location)

    def get(self, key: str) -> Node | None:
        return self.value.get(key) if isinstance(self.value, dict) else None


def problem(location: Location, message: str, path: str = "") -> SpecError:
    return SpecError([Diagnostic(location, message, path=path, source="simulate")])


def _build(file: str, node: yaml.Node) -> Node:
    where = location(file, node)
    if isinstance(node, yaml.MappingNode):
        # compose() already refused duplicate and non-text keys.
        values = {key.value: _build(file, value) for key, value in node.value}
        keys = {key.value: location(file, key) for key, _ in node.value}
        return Node(values, where, keys)
    if isinstance(node, yaml.SequenceNode):
        return Node([_build(file, item) for item in node.value], where)
    assert isinstance(node, yaml.ScalarNode)
    try:
        return Node(scalar_value(node), where)
    except ValueProblem as error:
        raise problem(where, str(error)) from None


def load_yaml(text: str, file: str) -> Node:
    """Parse ``text`` with the spec's hardened composer; SpecError (file:line) when invalid."""
    if not text.strip():
        return Node({}, Location(file, 1, 1))
    return _build(file, compose(text, file))


def load_yaml_file(path: Path) -> Node:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise problem(Location(str(path)), f"cannot read: {error.strerror}") from None
    return load_yaml(text, str(path))
