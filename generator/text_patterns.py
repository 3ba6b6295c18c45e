"""The text forms StepforceCoerce accepts, as Python patterns that match exactly what Apex does.

Apex checks text with ``Pattern.matcher(text).matches()``: the whole string must match, and
``\\d`` means the ASCII digits 0-9 only. Python's ``re.match`` with ``$`` accepts a trailing
newline and its ``\\d`` accepts any Unicode digit (``"１２"``), so these patterns spell digits
as ``[0-9]`` and are only ever used through :func:`whole`.
"""

from __future__ import annotations

import re

DECIMAL_TEXT = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
DATE_TEXT = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
DATETIME_TEXT = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})"
    r"(?:\.([0-9]{1,3}))?(Z|[+-][0-9]{2}:?[0-9]{2})"
)
ID_TEXT = re.compile(r"[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?")
ASCII_DIGITS = re.compile(r"[0-9]+")


def whole(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """``pattern`` matched against all of ``text``, as Apex's ``matcher(text).matches()``."""
    return pattern.fullmatch(text)
