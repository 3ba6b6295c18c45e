"""Prettier's document printer, for the documents the layout builds.

A document is a string, a list (concatenation) or one of the commands below. ``render`` is
prettier's ``printDocToString`` restricted to them, with its ``fits`` rule: a group is printed
flat when its flat text and what follows it up to the next possible line break fit the
remaining width (80 columns, prettier-plugin-apex's default).

Speed: every command carries its flat text and width, computed once when it is built, so a
group that fits is written in one piece instead of being walked again.
"""

from __future__ import annotations

import unicodedata
from typing import Union

from stepforce.generator.apex_layout.lexer import LayoutUnsupported


class Command:
    """A group, indent, alignment or line break, with its flat text and width cached."""

    __slots__ = ("amount", "contents", "tag", "text", "width")

    def __init__(self, tag: str, contents: Doc, amount: int = 0, text: str | None = None) -> None:
        self.tag = tag
        self.contents = contents
        self.amount = amount
        self.text = flat_text(contents) if text is None else text
        self.width = text_width(self.text)


Doc = Union[str, list["Doc"], Command]  # noqa: UP007 (a recursive alias)

WIDTH = 80
_FLAT = 0
_BREAK = 1


def flat_text(doc: Doc) -> str:
    if type(doc) is str:
        return doc
    if type(doc) is list:
        return "".join([flat_text(part) for part in doc])
    assert isinstance(doc, Command)
    return doc.text


def group(contents: Doc) -> Doc:
    return Command("g", contents)


def indent(contents: Doc) -> Doc:
    return Command("i", contents)


def align(width: int, contents: Doc) -> Doc:
    return Command("a", contents, width)


def dedent(contents: Doc) -> Doc:
    return Command("a", contents, -1)


def join(separator: Doc, docs: list[Doc]) -> list[Doc]:
    out: list[Doc] = []
    for number, doc in enumerate(docs):
        if number:
            out.append(separator)
        out.append(doc)
    return out


def text_width(text: str) -> int:
    """Columns ``text`` takes as prettier counts them (``getStringWidth``)."""
    if text.isascii():
        return len(text)
    width = 0
    for char in text:
        code = ord(char)
        if code < 0x80:
            width += 0 if code < 0x20 or code == 0x7F else 1
            continue
        if code <= 0x9F:
            continue
        if code >= 0x1F000 or 0x2600 <= code <= 0x27BF or code in (0x200D, 0xFE0F, 0x20E3):
            # Emoji: prettier measures them with a regex of its own; let prettier do it.
            raise LayoutUnsupported("an emoji in a literal")
        if unicodedata.category(char) in ("Mn", "Me"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


LINE = Command("l", "", text=" ")
SOFTLINE = Command("s", "", text="")
_Item = tuple[int, int, Doc]  # (indentation, mode, doc)


def render(doc: Doc, start: int) -> str:
    """``doc`` printed from column ``start`` (the statement's indentation, already written)."""
    out: list[str] = []
    position = start
    items: list[_Item] = [(start, _BREAK, doc)]
    while items:
        ind, mode, current = items.pop()
        if type(current) is str:
            out.append(current)
            position += text_width(current)
        elif type(current) is list:
            items.extend([(ind, mode, part) for part in reversed(current)])
        else:
            assert isinstance(current, Command)
            tag = current.tag
            if mode == _FLAT or (tag == "g" and _fits(current, items, WIDTH - position)):
                out.append(current.text)
                position += current.width
            elif tag == "g":
                items.append((ind, _BREAK, current.contents))
            elif tag == "i":
                items.append((ind + 2, mode, current.contents))
            elif tag == "a":
                # dedent: back to the enclosing indentation (alignments here are all 2 wide).
                amount = current.amount
                items.append((ind - 2 if amount < 0 else ind + amount, mode, current.contents))
            else:
                while out and out[-1].endswith(" "):
                    out[-1] = out[-1].rstrip(" ")
                position = ind
                out.append("\n" + " " * ind)
    return "".join(out)


def _fits(next_group: Command, rest: list[_Item], width: int) -> bool:
    """Whether the group, flat, and what follows it up to a possible line break fit."""
    width -= next_group.width
    if width < 0:
        return False
    stack: list[tuple[int, Doc]] = []
    rest_index = len(rest)
    while width >= 0:
        if not stack:
            if rest_index == 0:
                return True
            rest_index -= 1
            stack.append((rest[rest_index][1], rest[rest_index][2]))
            continue
        mode, current = stack.pop()
        if type(current) is str:
            width -= text_width(current)
        elif type(current) is list:
            stack.extend([(mode, part) for part in reversed(current)])
        else:
            assert isinstance(current, Command)
            if mode == _FLAT:
                width -= current.width
            elif current.tag in ("l", "s"):
                return True
            else:
                stack.append((mode, current.contents))
    return False
