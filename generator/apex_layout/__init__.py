"""Generated Apex laid out exactly as prettier-plugin-apex prints it, in Python.

Why: prettier was most of the time of ``stepforce generate`` (a Node process, a parser
process per file, ~1 MB of Apex a second), and it made Node a requirement of generating. The
templates already print the plugin's layout for everything but line breaking, which depends
on the spec's text (names, labels, literals). This package does that part: it splits a
rendered class into statements and block headers the way the templates write them (one a
line, or one spread over several lines for long collection literals), leaves each that fits
in 80 columns as it is, and prints the others with the plugin's rules (``rules``) and
prettier's document printer (``doc``).

It models only the Apex the generator writes. Anything else raises
:class:`LayoutUnsupported`, and the caller formats that file with prettier instead. Tests
compare the result with prettier's for the examples, the hostile specs, every scenario and
large synthetic specs, and ``stepforce check`` verifies the layout of every generated file.
"""

from __future__ import annotations

import re

from stepforce.generator.apex_layout.doc import WIDTH, render, text_width
from stepforce.generator.apex_layout.lexer import STRING, LayoutUnsupported
from stepforce.generator.apex_layout.rules import unit_doc
from stepforce.generator.apex_layout.units import parse_unit

__all__ = ["LayoutUnsupported", "layout_apex", "layout_unit"]

_STRING = re.compile(STRING)
_BRACES = re.compile(r"[{}]")
_BLOCK = "b"
_INITIALIZER = "i"


def layout_unit(text: str, indent: int) -> str:
    """One statement or block header, ``text`` on one line, printed from column ``indent``."""
    return " " * indent + render(unit_doc(parse_unit(text)), indent)


class _Scanner:
    """Walks the lines of a class, keeping the kind of every open brace."""

    def __init__(self) -> None:
        self.braces: list[str] = []
        self.parens = 0

    def block_depth(self) -> int:
        return sum(1 for kind in self.braces if kind == _BLOCK)

    def scan(self, code: str) -> None:
        self.parens += code.count("(") + code.count("[") - code.count(")") - code.count("]")
        if "{" not in code and "}" not in code:
            return
        for match in _BRACES.finditer(code):
            if match.group() == "{":
                before = code[: match.start()].rstrip()[-1:]
                self.braces.append(_INITIALIZER if before in (">", "]") else _BLOCK)
            elif self.braces:
                self.braces.pop()
            else:
                raise LayoutUnsupported("unbalanced braces")

    def open_initializer(self) -> bool:
        return bool(self.braces) and self.braces[-1] == _INITIALIZER


def layout_apex(text: str) -> str:
    """``text`` (a rendered class or anonymous Apex) as prettier-plugin-apex prints it.

    Raises :class:`LayoutUnsupported` for Apex this layout does not model.
    """
    out = _Lines()
    scanner = _Scanner()
    pending: list[str] = []
    level = 0
    in_comment = False
    for raw in text.split("\n"):
        line = raw.strip()
        if in_comment:
            out.comment(raw.rstrip())
            in_comment = "*/" not in line
            continue
        if not pending:
            if not line:
                out.blank()
                continue
            if line.startswith(("//", "@")):
                out.comment(" " * (2 * scanner.block_depth()) + line)
                continue
            if line.startswith("/*"):
                out.comment(raw.rstrip())
                in_comment = "*/" not in line
                continue
            level = scanner.block_depth()
            if line.startswith("}") and scanner.braces and scanner.braces[-1] == _BLOCK:
                level -= 1
        elif not line or line.startswith(("//", "/*")):
            raise LayoutUnsupported("a comment or blank line inside a statement")
        code = _STRING.sub("''", line)
        if "//" in code or "/*" in code or "'" in code.replace("''", ""):
            raise LayoutUnsupported("a comment after code, or an unclosed string")
        scanner.scan(code)
        pending.append(line)
        if scanner.parens or scanner.open_initializer() or code[-1] not in ";{}":
            continue
        indent = 2 * level
        if len(pending) == 1 and indent + text_width(line) <= WIDTH:
            out.code(" " * indent + line)
        else:
            out.code(layout_unit(" ".join(pending), indent))
        pending = []
    if pending or in_comment or scanner.braces or scanner.parens:
        raise LayoutUnsupported("the text ends inside a statement")
    return out.text()


class _Lines:
    """Output lines, with prettier's rules for blank lines: at most one in a row, none at the
    start or end of a block, none at the end of the file."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.opened_block = True  # the last line was code ending with "{" (or nothing yet)

    def blank(self) -> None:
        if not self.opened_block and self.lines and self.lines[-1] != "":
            self.lines.append("")

    def comment(self, line: str) -> None:
        self.lines.append(line)
        self.opened_block = False

    def code(self, text: str) -> None:
        if text.lstrip().startswith("}") and self.lines and self.lines[-1] == "":
            self.lines.pop()
        self.lines.append(text)
        self.opened_block = text.endswith("{")

    def text(self) -> str:
        while self.lines and self.lines[-1] == "":
            self.lines.pop()
        return "\n".join(self.lines) + "\n"
