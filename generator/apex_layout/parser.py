"""A recursive-descent parser for the expressions of generated Apex (statements and headers:
``units``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from stepforce.generator.apex_layout import nodes as n
from stepforce.generator.apex_layout.lexer import LayoutUnsupported, is_name

# Java precedence, which jorje parses with (the printer groups some tiers differently).
_PRECEDENCE = {
    "||": 1,
    "&&": 2,
    "|": 3,
    "^": 4,
    "&": 5,
    "==": 6,
    "!=": 6,
    "<": 7,
    ">": 7,
    "<=": 7,
    ">=": 7,
    "instanceof": 7,
    "+": 9,
    "-": 9,
    "*": 10,
    "/": 10,
    "%": 10,
}
_PREFIX = frozenset(("!", "-", "+", "++", "--"))
_END = ""  # after the last token
T = TypeVar("T")
_COLLECTIONS = frozenset(("List", "Set", "Map"))


class Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = [*tokens, _END, _END]
        self.end = len(tokens)
        self.at = 0

    # Token helpers. A string literal keeps its quotes, so it never equals a keyword or an
    # operator.
    def peek(self, offset: int = 0) -> str:
        return self.tokens[min(self.at + offset, self.end)]

    def is_(self, text: str, offset: int = 0) -> bool:
        return self.tokens[self.at + offset] == text

    def take(self, text: str | None = None) -> str:
        word = self.tokens[self.at]
        if self.at >= self.end or (text is not None and word != text):
            raise LayoutUnsupported(f"expected {text or 'more'} at word {self.at}")
        self.at += 1
        return word

    def name(self) -> str:
        word = self.take()
        if not is_name(word):
            raise LayoutUnsupported(f"expected a name, got {word!r}")
        return word

    def done(self) -> bool:
        return self.at == self.end

    def comma_list(self, item: Callable[[], T]) -> list[T]:
        """One or more ``item`` separated by commas."""
        items = [item()]
        while self.is_(","):
            self.take(",")
            items.append(item())
        return items

    # Types.
    def type_ref(self) -> n.TypeRef:
        names = [self.name()]
        while self.is_(".") and is_name(self.peek(1)):
            self.at += 1
            names.append(self.name())
        args: list[n.TypeRef] = []
        if self.is_("<"):
            self.take("<")
            args = self.comma_list(self.type_ref)
            self.take(">")
        array = 0
        while self.is_("[") and self.is_("]", 1):
            self.at += 2
            array += 1
        return n.TypeRef(names, args, array)

    # Expressions.
    def expression(self) -> n.Expr:
        condition = self.binary(1)
        if self.is_("?"):
            self.take("?")
            when_true = self.expression()
            self.take(":")
            return n.Ternary(condition, when_true, self.expression())
        return condition

    def binary(self, minimum: int) -> n.Expr:
        left = self.unary()
        while True:
            word = self.tokens[self.at]
            precedence = _PRECEDENCE.get(word)
            if precedence is None or precedence < minimum:
                return left
            self.at += 1
            if word == "instanceof":
                left = n.InstanceOf(left, self.type_ref())
                continue
            left = n.Binary(left, word, self.binary(precedence + 1))

    def unary(self) -> n.Expr:
        word = self.tokens[self.at]
        if word in _PREFIX:
            self.at += 1
            return n.Prefix(word, self.unary())
        return self.postfix()

    def postfix(self) -> n.Expr:
        expr = self.primary()
        while True:
            if self.is_("."):
                self.take(".")
                names = [self.name()]
                while self.is_(".") and is_name(self.peek(1)):
                    self.at += 1
                    names.append(self.name())
                if self.is_("("):
                    expr = n.Call(expr, names, self.arguments())
                else:
                    expr = n.Variable(expr, names)
            elif self.is_("["):
                self.take("[")
                index = self.expression()
                self.take("]")
                expr = n.Index(expr, index)
            elif self.is_("++") or self.is_("--"):
                expr = n.Postfix(expr, self.take())
            else:
                return expr

    def arguments(self) -> list[n.Expr]:
        self.take("(")
        args = [] if self.is_(")") else self.comma_list(self.expression)
        self.take(")")
        return args

    def primary(self) -> n.Expr:
        word = self.peek()
        if word == _END:
            raise LayoutUnsupported("the statement ends early")
        first = word[0]
        if first == "'" or first.isdigit():
            self.at += 1
            return n.Literal(word)
        if is_name(word):
            if word == "new":
                self.at += 1
                return self.creator()
            if word == "this" and self.is_(".", 1):
                self.at += 1
                return n.This()
            if word in _COLLECTIONS and self.is_("<", 1):
                type_ref = self.type_ref()
                self.take(".")
                self.take("class")
                return n.ClassRef(type_ref)
            if word.lower() in ("this", "super", "select", "find"):
                raise LayoutUnsupported(f"{word} is not modelled")
            if word in ("true", "false", "null"):
                self.at += 1
                return n.Literal(word)
            names = [self.name()]
            while self.is_(".") and is_name(nxt := self.peek(1)):
                if nxt == "class":
                    self.at += 2
                    return n.ClassRef(n.TypeRef(names))
                self.at += 1
                names.append(self.name())
            if self.is_("("):
                return n.Call(None, names, self.arguments())
            return n.Variable(None, names)
        if word == "(":
            cast = self.try_cast()
            if cast is not None:
                return cast
            self.take("(")
            inner = self.expression()
            self.take(")")
            return n.Nested(inner)
        raise LayoutUnsupported(f"unexpected {word!r}")

    def try_cast(self) -> n.Expr | None:
        start = self.at
        try:
            self.take("(")
            type_ref = self.type_ref()
            self.take(")")
            following = self.peek()
            if following in ("(", "!") or (
                following != _END
                and (following[0] in "'_" or following[0].isalnum())
                and following != "instanceof"
            ):
                return n.Cast(type_ref, self.unary())
        except LayoutUnsupported:
            pass
        self.at = start
        return None

    def creator(self) -> n.Expr:
        type_ref = self.type_ref()
        kind = type_ref.names[0] if len(type_ref.names) == 1 else ""
        if kind in _COLLECTIONS and type_ref.args and not type_ref.array:
            if self.is_("{"):
                return self.collection(kind, type_ref.args)
            self.take("(")
            expr = None if self.is_(")") else self.expression()
            self.take(")")
            return n.NewInit(kind, type_ref.args, expr)
        if type_ref.array or not self.is_("("):
            raise LayoutUnsupported("array creation is not modelled")
        return n.NewStandard(type_ref, self.arguments())

    def collection(self, kind: str, types: list[n.TypeRef]) -> n.Expr:
        self.take("{")
        values: list[n.Expr] = []
        pairs: list[tuple[n.Expr, n.Expr]] = []
        while not self.is_("}"):
            if values or pairs:
                self.take(",")
            item = self.expression()
            if kind == "Map":
                self.take("=>")
                pairs.append((item, self.expression()))
            else:
                values.append(item)
        self.take("}")
        return n.NewCollection(kind, types, values, pairs)
