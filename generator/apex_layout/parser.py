"""A recursive-descent parser for one statement or block header of generated Apex."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from stepforce.generator.apex_layout import nodes as n
from stepforce.generator.apex_layout.lexer import LayoutUnsupported, is_name, tokenize

MODIFIERS = frozenset(
    (
        "global",
        "public",
        "private",
        "protected",
        "static",
        "final",
        "override",
        "virtual",
        "abstract",
        "transient",
        "testmethod",
        "webservice",
    )
)
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
_ASSIGN = frozenset(("=", "+=", "-=", "*=", "/="))
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

    # Units.
    def unit(self) -> n.Unit:
        if self.end == 0:
            raise LayoutUnsupported("an empty statement")
        last = self.tokens[self.end - 1]
        if last == "{":
            return self.header()
        if last != ";":
            raise LayoutUnsupported("a statement that does not end with ';'")
        if self.is_("return"):
            self.take("return")
            value = None if self.is_(";") else self.expression()
            self.take(";")
            return n.Return(value)
        if self.is_("throw"):
            self.take("throw")
            thrown = self.expression()
            self.take(";")
            return n.Throw(thrown)
        declaration = self.try_declaration()
        if declaration is not None:
            return declaration
        expr = self.expression()
        word = self.peek()
        if word in _ASSIGN:
            self.at += 1
            expr = n.Assign(expr, word, self.expression())
        self.take(";")
        return n.ExprStatement(expr)

    def modifiers(self) -> list[str]:
        found: list[str] = []
        while is_name(word := self.peek()):
            if word.lower() in MODIFIERS:
                found.append(word)
                self.at += 1
            elif word.lower() in ("with", "without", "inherited") and self.is_("sharing", 1):
                found.append(f"{word} sharing")
                self.at += 2
            else:
                break
        return found

    def try_declaration(self) -> n.VarDecl | None:
        start = self.at
        try:
            modifiers = self.modifiers()
            type_ref = self.type_ref()
            name = self.name()
            if self.is_(";"):
                self.take(";")
                return n.VarDecl(modifiers, type_ref, name, None)
            self.take("=")
        except LayoutUnsupported:
            self.at = start
            return None
        value = self.expression()
        self.take(";")
        return n.VarDecl(modifiers, type_ref, name, value)

    def header(self) -> n.Unit:
        prefix = ""
        if self.is_("}"):
            self.take("}")
            prefix = "} "
        if self.is_("else") and self.is_("if", 1):
            self.at += 2
            return n.IfHeader(prefix + "else ", self.parenthesized())
        if prefix:
            raise LayoutUnsupported("a closing brace before a header")
        if self.is_("if"):
            self.take("if")
            return n.IfHeader("", self.parenthesized())
        if self.is_("while"):
            self.take("while")
            return n.WhileHeader(self.parenthesized())
        if self.is_("for"):
            self.take("for")
            self.take("(")
            type_ref = self.type_ref()
            name = self.name()
            self.take(":")
            expr = self.expression()
            self.take(")")
            self.take("{")
            return n.ForEachHeader(type_ref, name, expr)
        if self.is_("switch") and self.is_("on", 1):
            self.at += 2
            subject = self.expression()
            self.take("{")
            return n.SwitchHeader(subject)
        if self.is_("when"):
            self.take("when")
            values = self.comma_list(self.expression)
            self.take("{")
            return n.WhenHeader(values)
        return self.method_header()

    def parenthesized(self) -> n.Expr:
        self.take("(")
        condition = self.expression()
        self.take(")")
        self.take("{")
        return condition

    def class_header(self, modifiers: list[str]) -> n.ClassHeader:
        self.take("class")
        name = self.name()
        extends = None
        if self.is_("extends"):
            self.take("extends")
            extends = self.type_ref()
        implements: list[n.TypeRef] = []
        if self.is_("implements"):
            self.take("implements")
            implements = self.comma_list(self.type_ref)
        self.take("{")
        return n.ClassHeader(modifiers, name, extends, implements)

    def method_header(self) -> n.MethodHeader | n.ClassHeader:
        modifiers = self.modifiers()
        if self.is_("class"):
            return self.class_header(modifiers)
        if self.is_("interface") or self.is_("enum"):
            raise LayoutUnsupported("interfaces and enums are not modelled")
        type_ref: n.TypeRef | None = self.type_ref()
        if self.is_("("):
            assert type_ref is not None
            if len(type_ref.names) != 1 or type_ref.args:
                raise LayoutUnsupported("not a constructor")
            name, type_ref = type_ref.names[0], None
        else:
            name = self.name()
        self.take("(")
        params: list[n.Param] = []
        while not self.is_(")"):
            if params:
                self.take(",")
            param_modifiers = self.modifiers()
            param_type = self.type_ref()
            params.append(n.Param(param_modifiers, param_type, self.name()))
        self.take(")")
        self.take("{")
        return n.MethodHeader(modifiers, type_ref, name, params)


def parse_unit(text: str) -> n.Unit:
    parser = Parser(tokenize(text))
    unit = parser.unit()
    if not parser.done():
        raise LayoutUnsupported("text after the statement")
    return unit
