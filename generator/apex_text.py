"""Safe Apex text for generated code (schedule scripts, scenario tests): joins and (from
:mod:`stepforce.apex_text`) string literals and the marker type.

Nothing a spec says may become Apex code. Every spec value reaches generated Apex only as a
string literal made by :func:`apex_string` (the one escaping function, shared with the
client); code fragments built in Python are wrapped in :class:`Apex`.
"""

from __future__ import annotations

from stepforce.apex_text import IDENTIFIER, Apex, UnsafeTextError, apex_string, unsafe_character

__all__ = [
    "IDENTIFIER",
    "Apex",
    "UnsafeTextError",
    "apex_string",
    "join",
    "unsafe_character",
]


def join(parts: list[Apex], separator: str = ", ") -> Apex:
    """Join already-safe fragments (the separator is ours, never spec text)."""
    return Apex(separator.join(parts))
