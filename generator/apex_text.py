"""Safe Apex text: string literals, identifiers and the marker type for generated code.

Nothing a spec says may become Apex code. Every spec value reaches a generated class either
as a string literal made by :func:`apex_string` (which escapes everything the Apex lexer
treats specially and refuses characters no literal should carry) or as an identifier that
matched :data:`IDENTIFIER`. Code fragments built in Python are wrapped in :class:`Apex`; the
renderer refuses to print any plain ``str`` (see ``render._finalize``), so an unescaped value
cannot slip into a template by accident.
"""

from __future__ import annotations

import re

#: An Apex identifier we are willing to splice into code: starts with a letter, letters,
#: digits and single underscores, not ending in an underscore (Salesforce's API-name rule).
IDENTIFIER = re.compile(r"^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*(?<!_)$")

_NAMED_ESCAPES = {
    "\\": "\\\\",
    "'": "\\'",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}
# Characters that are invisible, reorder text (Trojan Source bidi controls) or end a line in
# some editors and lexers: written as \uXXXX so the literal stays on one visible line.
_UNICODE_ESCAPED = frozenset(
    (0x7F, 0xAD, 0x2028, 0x2029, 0xFEFF, *range(0x80, 0xA0), *range(0x200B, 0x2010))
) | frozenset((*range(0x202A, 0x202F), *range(0x2060, 0x2070), *range(0xFFF9, 0xFFFC)))


_ESCAPES = str.maketrans(
    {**_NAMED_ESCAPES, **{chr(code): f"\\u{code:04x}" for code in _UNICODE_ESCAPED}}
)
_CONTROL = re.compile(r"[\x00-\x1f]")


class UnsafeTextError(ValueError):
    """A value cannot be written into Apex safely (a control character, a bad identifier)."""


class Apex(str):
    """Apex source text that was built only from escaped literals and validated parts."""

    __slots__ = ()


def unsafe_character(text: str) -> str | None:
    """The first character :func:`apex_string` refuses, as ``U+XXXX``; ``None`` if all is well."""
    for char in text:
        if char in _NAMED_ESCAPES:
            continue
        if ord(char) < 0x20:
            return f"U+{ord(char):04X}"
    return None


def apex_string(text: str) -> Apex:
    """``text`` as a single-quoted Apex string literal.

    Raises :class:`UnsafeTextError` for NUL and the other C0 control characters that have no
    named escape: Apex has no way to write them that every tool reads the same.
    """
    if not isinstance(text, str):
        raise UnsafeTextError(f"expected text, got {type(text).__name__}")
    bad = unsafe_character(text) if _CONTROL.search(text) else None
    if bad:
        raise UnsafeTextError(f"the text contains the control character {bad}")
    return Apex("'" + text.translate(_ESCAPES) + "'")


def identifier(name: str) -> Apex:
    """``name`` as an Apex identifier, or :class:`UnsafeTextError` when it is not one."""
    if not IDENTIFIER.match(name) or len(name) > 255:
        raise UnsafeTextError(f"{name!r} is not a valid Apex identifier")
    return Apex(name)


def join(parts: list[Apex], separator: str = ", ") -> Apex:
    """Join already-safe fragments (the separator is ours, never spec text)."""
    return Apex(separator.join(parts))
