"""Safe YAML parsing that keeps every node's position and refuses hostile input quickly.

We compose nodes from the safe parser's events (never construct), so no Python object is ever
built from tags, and every value keeps its line and column for diagnostics. Plain scalars are
typed by the YAML 1.2 core schema (only true/false are booleans, no octal, no sexagesimal): under
YAML 1.1 ``NO`` becomes ``false`` and ``00501`` becomes 321. See docs/spec.md, *YAML dialect*.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from stepforce.diagnostics import Diagnostic, Location
from stepforce.errors import SpecError

#: A spec is a few kilobytes; anything past this is a mistake or an attack.
MAX_BYTES = 1_000_000
#: Aliases are rarely useful in a spec and are the lever of "billion laughs" bombs.
MAX_ALIASES = 100
#: Nodes visited, counting each alias expansion again.
MAX_NODES = 200_000
MAX_DEPTH = 40

BOOL_TAG = "tag:yaml.org,2002:bool"
STR_TAG = "tag:yaml.org,2002:str"
MERGE_TAG = "tag:yaml.org,2002:merge"


class SpecResolver(yaml.resolver.BaseResolver):
    """Implicit tags of the YAML 1.2 core schema, plus ISO dates and date-times.

    YAML 1.1 (PyYAML's default) reads ``00501`` as octal 321, ``1:30`` as 90 and ``no`` as
    false; the 1.2 core schema does none of this. On top of it, ``2026-11-01`` and
    ``2026-11-01T10:00:00Z`` are dates (YAML 1.1's timestamp form): the spec language has Date
    and DateTime literals. The numbers the core schema reads with a different value than
    written (``00501``, ``0x1F``, ``0o17``) are refused unless a declared type settles them
    (values.py).
    """


def _implicit(tag: str, pattern: str, first: str | list[str]) -> None:
    SpecResolver.add_implicit_resolver(tag, re.compile(pattern, re.X), list(first))


# Assigned before adding: add_implicit_resolver copies the base class's table on first use,
# so yaml.SafeLoader's YAML 1.1 table stays untouched. Order matters: the first match wins.
SpecResolver.yaml_implicit_resolvers = {}
_implicit(BOOL_TAG, r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF")
_implicit("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""])
_implicit("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789")
_implicit(
    "tag:yaml.org,2002:float",
    r"""^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$""",
    "-+0123456789.",
)
_implicit(
    "tag:yaml.org,2002:timestamp",
    r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
    |[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?
    (?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?
    (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""",
    "0123456789",
)
# Not in YAML 1.2, but resolved so that a '<<' key is refused by name instead of silently
# becoming a key called '<<'.
_implicit(MERGE_TAG, r"^(?:<<)$", "<")
_RESOLVER = SpecResolver()
#: libyaml when available: the pure-Python scanner is ~10x slower on large specs.
_PARSER_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _ComposeError(Exception):
    def __init__(self, message: str, mark: Any) -> None:
        super().__init__(message)
        self.mark = mark


def _events(text: str) -> Iterator[yaml.Event]:
    loader = _PARSER_LOADER(text)
    try:
        while loader.check_event():
            yield loader.get_event()  # type: ignore[no-untyped-call]
    finally:
        loader.dispose()


class _Composer:
    """Nodes from parser events, iteratively: depth and aliases are bounded while reading, so
    neither deep nesting nor an alias bomb costs more than a quick refusal."""

    def __init__(self) -> None:
        self.anchors: dict[str, Node] = {}
        self.stack: list[Node] = []  # open collections
        self.keys: list[Node | None] = []  # per open mapping: a key waiting for its value
        self.root: Node | None = None
        self.aliases = 0
        self.documents = 0

    def compose(self, events: Iterator[yaml.Event]) -> Node | None:
        for event in events:
            if isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                finished = self.stack.pop()
                finished.end_mark = event.end_mark
                if isinstance(finished, MappingNode):
                    self.keys.pop()
                continue
            node = self._node(event)
            if node is not None:
                self._attach(node)
                if isinstance(node, SequenceNode | MappingNode) and not isinstance(
                    event, yaml.AliasEvent
                ):
                    self._open(node, event)
        return self.root

    def _node(self, event: yaml.Event) -> Node | None:
        start: Any = event.start_mark
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise _ComposeError("expected one document, found another ('---')", start)
            return None
        if isinstance(event, yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                message = f"more than {MAX_ALIASES} aliases (*name); refusing to expand them"
                raise _ComposeError(message, start)
            if event.anchor not in self.anchors:
                raise _ComposeError(f"alias *{event.anchor} has no anchor &{event.anchor}", start)
            return self.anchors[event.anchor]
        node: Node
        if isinstance(event, yaml.ScalarEvent):
            tag = event.tag
            if tag is None or tag == "!":
                tag = _RESOLVER.resolve(ScalarNode, event.value, event.implicit)  # type: ignore[no-untyped-call]
            end: Any = event.end_mark
            node = ScalarNode(tag, event.value, start, end, event.style)
        elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            kind = SequenceNode if isinstance(event, yaml.SequenceStartEvent) else MappingNode
            tag = event.tag
            if tag is None or tag == "!":
                tag = _RESOLVER.resolve(kind, None, event.implicit)  # type: ignore[no-untyped-call]
            node = kind(tag, [], start, None, flow_style=event.flow_style)
        else:
            return None  # stream start/end, document end
        if event.anchor is not None:
            self.anchors[event.anchor] = node
        return node

    def _attach(self, node: Node) -> None:
        if not self.stack:
            self.root = node
        elif isinstance(self.stack[-1], MappingNode):
            key = self.keys[-1]
            if key is None:
                self.keys[-1] = node
            else:
                self.stack[-1].value.append((key, node))
                self.keys[-1] = None
        else:
            self.stack[-1].value.append(node)

    def _open(self, node: Node, event: yaml.Event) -> None:
        if len(self.stack) >= MAX_DEPTH:
            message = f"the YAML is nested more than {MAX_DEPTH} levels deep"
            raise _ComposeError(message, event.start_mark)
        self.stack.append(node)
        if isinstance(node, MappingNode):
            self.keys.append(None)


def location(filename: str, node: Node) -> Location:
    mark = node.start_mark
    return Location(filename, mark.line + 1, mark.column + 1)


def _tab_at(source: str, mark: Any) -> bool:
    if mark is None:
        return False
    lines = source.splitlines()
    return mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]


def _yaml_problem(filename: str, source: str, error: yaml.YAMLError) -> Diagnostic:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
    problem = getattr(error, "problem", None)
    context = getattr(error, "context", None)
    if problem:
        text = f"{context}: {problem}" if context else str(problem)
    else:
        text = str(error).splitlines()[0]
    if "\\t" in text or "\t" in text or _tab_at(source, mark):
        text += " (indent with spaces, not tabs)"
    return Diagnostic(Location(filename, line, col), f"invalid YAML: {text}")


def _refuse(filename: str, message: str, line: int = 0, col: int = 0) -> SpecError:
    return SpecError([Diagnostic(Location(filename, line, col), message)])


def _reader_position(text: str, position: int) -> tuple[int, int]:
    """1-based line and column of a reader error (libyaml counts bytes, PyYAML characters)."""
    if _PARSER_LOADER is not yaml.SafeLoader:
        position = len(text.encode("utf-8", "surrogatepass")[:position].decode("utf-8", "ignore"))
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


def compose(text: str, filename: str) -> Node:
    """Parse ``text`` into a YAML node tree, or raise SpecError saying where and why."""
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise _refuse(filename, f"the file is larger than {MAX_BYTES:,} bytes; a spec is small")
    try:
        node = _Composer().compose(_events(text))
    except _ComposeError as error:
        mark = error.mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise _refuse(filename, str(error), line, col) from None
    except yaml.reader.ReaderError as error:
        line, col = _reader_position(text, error.position)
        message = f"invalid YAML: character {error.character!r} is not allowed in YAML text"
        raise _refuse(filename, message, line, col) from None
    except yaml.YAMLError as error:
        raise SpecError([_yaml_problem(filename, text, error)]) from None
    except UnicodeError:  # lone surrogates in a str that never came from a file
        raise _refuse(filename, "the text is not valid Unicode") from None
    if node is None:
        raise _refuse(filename, "the file is empty; a spec starts with 'orchestration: Name'")
    problems = list(_structure_problems(filename, node))
    if problems:
        raise SpecError(problems)
    return node


def _structure_problems(filename: str, root: Node) -> Iterator[Diagnostic]:
    """Duplicate keys, non-text keys, merge keys; and a bound on depth and expanded size."""
    budget = MAX_NODES
    stack: list[tuple[Node, int]] = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        budget -= 1
        if budget < 0:
            yield Diagnostic(
                location(filename, root),
                f"the YAML expands to more than {MAX_NODES:,} values (alias bomb?); refusing it",
            )
            return
        if depth > MAX_DEPTH:
            yield Diagnostic(
                location(filename, node),
                f"the YAML is nested more than {MAX_DEPTH} levels deep (or an alias refers to "
                "itself)",
            )
            return
        if isinstance(node, MappingNode):
            yield from _mapping_key_problems(filename, node)
            stack.extend((value, depth + 1) for _, value in reversed(node.value))
        elif isinstance(node, SequenceNode):
            stack.extend((item, depth + 1) for item in reversed(node.value))


def _mapping_key_problems(filename: str, node: MappingNode) -> Iterator[Diagnostic]:
    seen: dict[str, Node] = {}
    for key, _ in node.value:
        if key.tag == MERGE_TAG:
            yield Diagnostic(location(filename, key), "merge keys (<<) are not supported")
            continue
        if not isinstance(key, ScalarNode) or key.tag != STR_TAG:
            yield Diagnostic(
                location(filename, key),
                "keys must be plain names; this key is a "
                + ("list or mapping" if not isinstance(key, ScalarNode) else "number/bool/null"),
            )
            continue
        first = seen.get(key.value)
        if first is not None:
            yield Diagnostic(
                location(filename, key),
                f"duplicate key '{key.value}' (first given on line {first.start_mark.line + 1})",
                related=(location(filename, first),),
            )
        else:
            seen[key.value] = key
