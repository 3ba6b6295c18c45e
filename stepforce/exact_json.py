"""JSON text in which a :class:`~decimal.Decimal` is written as a JSON number with its exact
digits (``12345678901234567.89``, ``0.10``), never through a float.

The standard library's encoder only writes Decimals through ``default``, whose result it then
encodes again (a float loses digits, a string becomes a JSON string), so this module writes
the containers itself and leaves strings, floats, ints and the layout to :func:`json.dumps`.
A Decimal is written as ``str(value)`` (``1E+5`` stays exponent form, as Java's
``BigDecimal.toString`` and so Apex's ``JSON.serialize`` write it). Read such text back
exactly with ``json.loads(text, parse_float=Decimal, parse_int=Decimal)``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

Default = Callable[[Any], Any]


def dumps(
    value: Any,
    *,
    indent: int | None = None,
    separators: tuple[str, str] | None = None,
    default: Default | None = None,
) -> str:
    """``json.dumps(value, indent=..., separators=..., ensure_ascii=False)`` with exact
    Decimals; ``default`` converts any other unknown object (as in :func:`json.dumps`)."""
    item_sep, key_sep = separators or ((",", ": ") if indent is not None else (", ", ": "))
    return _Writer(indent, item_sep, key_sep, default).write(value, 0)


class _Writer:
    def __init__(self, indent: int | None, item_sep: str, key_sep: str, default: Default | None):
        self.indent = indent
        self.item_sep = item_sep
        self.key_sep = key_sep
        self.default = default

    def write(self, value: Any, level: int) -> str:
        if isinstance(value, Decimal):
            if value.is_finite():
                return str(value)
            raise ValueError(f"{value} is not a JSON number")
        if value is None or isinstance(value, str | bool | int | float):
            return json.dumps(value, ensure_ascii=False)
        if isinstance(value, Mapping):
            pairs = [
                f"{json.dumps(_key(k), ensure_ascii=False)}{self.key_sep}{self.write(v, level + 1)}"
                for k, v in value.items()
            ]
            return self._wrap("{", pairs, "}", level)
        if isinstance(value, list | tuple):
            return self._wrap("[", [self.write(v, level + 1) for v in value], "]", level)
        if self.default is None:
            raise TypeError(f"not JSON serialisable: {type(value).__name__}")
        return self.write(self.default(value), level)

    def _wrap(self, start: str, items: list[str], end: str, level: int) -> str:
        if not items:
            return start + end
        if self.indent is None:
            return start + self.item_sep.join(items) + end
        inner = "\n" + " " * (self.indent * (level + 1))
        outer = "\n" + " " * (self.indent * level)
        return start + inner + (self.item_sep + inner).join(items) + outer + end


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, Decimal):
        return str(key)
    return json.dumps(key)  # as json.dumps turns an int, float, bool or None key into text
