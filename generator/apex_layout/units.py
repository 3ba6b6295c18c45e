"""Statements and block headers of generated Apex: what the line scanner hands the layout.

A unit is one statement (``return``, ``throw``, a declaration, an expression or assignment,
each ending with ``;``) or one block header ending with ``{`` (class, method, ``if``,
``else if``, ``for``, ``while``, ``switch on``, ``when``). Expressions come from
:class:`~stepforce.generator.apex_layout.parser.Parser`.
"""

from __future__ import annotations

from stepforce.generator.apex_layout import nodes as n
from stepforce.generator.apex_layout.lexer import LayoutUnsupported, is_name, tokenize
from stepforce.generator.apex_layout.parser import Parser

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
_ASSIGN = frozenset(("=", "+=", "-=", "*=", "/="))


class UnitParser(Parser):
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
    """The statement or block header ``text``; LayoutUnsupported for anything else."""
    parser = UnitParser(tokenize(text))
    unit = parser.unit()
    if not parser.done():
        raise LayoutUnsupported("text after the statement")
    return unit
