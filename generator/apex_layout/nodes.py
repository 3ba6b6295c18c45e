"""The syntax tree the layout prints: shaped like jorje's (the parser prettier-plugin-apex
uses), because the plugin's line breaking depends on that shape (``a.b.c()`` is one call
with three names; ``a.b().c()`` is a call whose ``dotted`` part is another call)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class TypeRef:
    names: list[str]
    args: list[TypeRef] = field(default_factory=list)
    array: int = 0

    def text(self) -> str:
        out = ".".join(self.names)
        if self.args:
            out += "<" + ", ".join(arg.text() for arg in self.args) + ">"
        return out + "[]" * self.array


@dataclass(slots=True)
class Literal:
    text: str


@dataclass(slots=True)
class This:
    """``this`` before a dot: never followed by a line break (the plugin's #98)."""


@dataclass(slots=True)
class Variable:
    dotted: Expr | None
    names: list[str]


@dataclass(slots=True)
class Call:
    dotted: Expr | None
    names: list[str]
    args: list[Expr]


@dataclass(slots=True)
class Index:
    expr: Expr
    index: Expr


@dataclass(slots=True)
class NewStandard:
    type: TypeRef
    args: list[Expr]


@dataclass(slots=True)
class NewCollection:
    """``new List<T>{...}`` / ``Set`` (values) or ``new Map<K, V>{k => v}`` (pairs)."""

    kind: str  # "List", "Set", "Map"
    types: list[TypeRef]
    values: list[Expr]
    pairs: list[tuple[Expr, Expr]]


@dataclass(slots=True)
class NewInit:
    """``new List<T>()``, ``new Set<T>(expr)``, ``new Map<K, V>()``."""

    kind: str
    types: list[TypeRef]
    expr: Expr | None


@dataclass(slots=True)
class Binary:
    left: Expr
    op: str
    right: Expr


@dataclass(slots=True)
class Ternary:
    condition: Expr
    when_true: Expr
    when_false: Expr


@dataclass(slots=True)
class Cast:
    type: TypeRef
    expr: Expr


@dataclass(slots=True)
class Nested:
    expr: Expr


@dataclass(slots=True)
class Prefix:
    op: str
    expr: Expr


@dataclass(slots=True)
class Postfix:
    expr: Expr
    op: str


@dataclass(slots=True)
class InstanceOf:
    expr: Expr
    type: TypeRef


@dataclass(slots=True)
class ClassRef:
    type: TypeRef


@dataclass(slots=True)
class Assign:
    left: Expr
    op: str
    right: Expr


Expr = (
    Literal
    | This
    | Variable
    | Call
    | Index
    | NewStandard
    | NewCollection
    | NewInit
    | Binary
    | Ternary
    | Cast
    | Nested
    | Prefix
    | Postfix
    | InstanceOf
    | ClassRef
    | Assign
)


def is_binaryish(node: object) -> bool:
    return isinstance(node, Binary)


# Statements and block headers (one "unit" of the line scanner each).


@dataclass(slots=True)
class ExprStatement:
    expr: Expr


@dataclass(slots=True)
class Return:
    expr: Expr | None


@dataclass(slots=True)
class Throw:
    expr: Expr


@dataclass(slots=True)
class VarDecl:
    modifiers: list[str]
    type: TypeRef
    name: str
    value: Expr | None


@dataclass(slots=True)
class Param:
    modifiers: list[str]
    type: TypeRef
    name: str


@dataclass(slots=True)
class MethodHeader:
    modifiers: list[str]
    type: TypeRef | None
    name: str
    params: list[Param]


@dataclass(slots=True)
class IfHeader:
    prefix: str  # "", "} else " (else-if after a block)
    condition: Expr


@dataclass(slots=True)
class ForEachHeader:
    type: TypeRef
    name: str
    expr: Expr


@dataclass(slots=True)
class WhileHeader:
    condition: Expr


@dataclass(slots=True)
class SwitchHeader:
    expr: Expr


@dataclass(slots=True)
class WhenHeader:
    values: list[Expr]


@dataclass(slots=True)
class ClassHeader:
    modifiers: list[str]
    name: str
    extends: TypeRef | None
    implements: list[TypeRef]


Unit = (
    ClassHeader
    | ExprStatement
    | Return
    | Throw
    | VarDecl
    | MethodHeader
    | IfHeader
    | ForEachHeader
    | WhileHeader
    | SwitchHeader
    | WhenHeader
)
