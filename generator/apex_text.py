"""Safe Apex text for generated code: identifiers, joins and (from :mod:`stepforce.apex_text`)
string literals and the marker type.

Nothing a spec says may become Apex code. Every spec value reaches a generated class either
as a string literal made by :func:`apex_string` (the one escaping function, shared with the
client) or as an identifier that matched :data:`IDENTIFIER`. Code fragments built in Python
are wrapped in :class:`Apex`; the renderer refuses to print any plain ``str`` (see
``render._finalize``), so an unescaped value cannot slip into a template by accident.
"""

from __future__ import annotations

from stepforce.apex_text import IDENTIFIER, Apex, UnsafeTextError, apex_string, unsafe_character

__all__ = [
    "IDENTIFIER",
    "Apex",
    "UnsafeTextError",
    "apex_string",
    "identifier",
    "join",
    "unsafe_character",
]


def identifier(name: str) -> Apex:
    """``name`` as an Apex identifier, or :class:`UnsafeTextError` when it is not one."""
    if not IDENTIFIER.match(name) or len(name) > 255:
        raise UnsafeTextError(f"{name!r} is not a valid Apex identifier")
    return Apex(name)


def join(parts: list[Apex], separator: str = ", ") -> Apex:
    """Join already-safe fragments (the separator is ours, never spec text)."""
    return Apex(separator.join(parts))
