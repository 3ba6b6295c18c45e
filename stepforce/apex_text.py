"""The one way text becomes an Apex string literal, for generated classes and for the
anonymous Apex the client sends.

Nothing a user writes may become Apex code. A value reaches Apex as a single-quoted literal
made by :func:`apex_string`, which escapes everything the Apex lexer treats specially (quote,
backslash, the named escapes), writes characters that are invisible or reorder text (line and
paragraph separators, zero-width and bidi controls, BOM, C1 controls) as ``\\uXXXX`` so the
literal stays on one visible line, and refuses the other C0 control characters (NUL and the
like): Apex has no way to write them that every tool reads the same, and no legitimate name,
label or cron expression holds one. JSON text never holds them raw (``json.dumps`` escapes
them), so refusing costs nothing.

:class:`Apex` marks text built only from such literals and validated parts; the generator's
renderer refuses to print anything else.
"""

from __future__ import annotations

import re

#: A Salesforce API name (class, orchestration, permission set): starts with a letter, then
#: letters, digits and single underscores, not ending in an underscore. Length limits differ
#: by kind and are checked by the caller.
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
        if char not in _NAMED_ESCAPES and ord(char) < 0x20:
            return f"U+{ord(char):04X}"
    return None


def apex_string(text: str) -> Apex:
    """``text`` as a single-quoted Apex string literal that Apex reads back as ``text``.

    Raises :class:`UnsafeTextError` for NUL and the other C0 control characters that have no
    named escape.
    """
    if not isinstance(text, str):
        raise UnsafeTextError(f"expected text, got {type(text).__name__}")
    bad = unsafe_character(text) if _CONTROL.search(text) else None
    if bad:
        raise UnsafeTextError(f"the text contains the control character {bad}")
    return Apex("'" + text.translate(_ESCAPES) + "'")
