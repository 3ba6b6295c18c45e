"""How the org renders and cuts text, so the simulator prints what the org prints.

- ``String.valueOf`` of the value a coercion error shows (:func:`string_value_of`);
- ``String.length()``/``left()``/``abbreviate()`` count UTF-16 code units, not code points
  (:func:`apex_length`, :func:`apex_left`, :func:`apex_abbreviate`);
- the size rules of the runtime (:data:`ERROR_LIMIT`, :data:`CONTEXT_LIMIT`) and the length of
  the JSON text ``JSON.serialize`` writes (:func:`serialized_length`).

Sources: StepforceCoerce.describe, StepforceFinalizer.stepRun/apply (``abbreviate``),
StepforceStarter.prepare (the context length check).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

from stepforce.generator.literals import gmt_text

#: Step Run and run ``Error__c``: ``abbreviate(ERROR_LIMIT)`` (StepforceFinalizer).
ERROR_LIMIT = 32768
#: A new run's context JSON must fit ``Context__c`` (StepforceStarter.prepare; 400 otherwise).
CONTEXT_LIMIT = 131072
#: Step Run ``Inputs__c``: ``abbreviate(LONG_TEXT_LIMIT)`` of the JSON (StepforceFinalizer).
LONG_TEXT_LIMIT = 131072
#: A coercion error shows at most this much of the value (StepforceCoerce.describe).
SHOWN_LIMIT = 60
#: How an uncatchable failure's text reads when the fixture gives only the message.
LIMIT_PREFIX = "System.LimitException: "
_TYPED = re.compile(r"System\.[A-Za-z]+Exception: ")


def apex_length(text: str) -> int:
    """``String.length()``: UTF-16 code units (an emoji counts 2)."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def apex_left(text: str, units: int) -> str:
    """``String.left(units)``. Cutting a surrogate pair in half keeps half a character in
    Apex; Python cannot print that half, so it is dropped (the text is one unit shorter)."""
    kept: list[str] = []
    used = 0
    for char in text:
        size = 2 if ord(char) > 0xFFFF else 1
        if used + size > units:
            break
        kept.append(char)
        used += size
    return "".join(kept)


def apex_abbreviate(text: str, width: int) -> str:
    """``String.abbreviate(width)``: the text, or its first ``width - 3`` units and ``...``."""
    if apex_length(text) <= width:
        return text
    return apex_left(text, width - 3) + "..."


def string_value_of(value: Any) -> str:
    """``String.valueOf(value)`` as the org's running user sees it (a Datetime in GMT: the
    emitted scenario tests run as a user whose time zone is GMT). Lists and maps follow
    Apex's ``(a, b)`` / ``{k=v}`` form, but their elements' rendering is not documented, so
    emitted tests compare those messages only up to the value's kind."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return str(value)  # BigDecimal.toString: 1.50 stays 1.50, 1E+5 stays 1E+5
    if isinstance(value, int | float):
        return str(Decimal(str(value)))
    if isinstance(value, dt.datetime):
        return gmt_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "(" + ", ".join(string_value_of(item) for item in value) + ")"
    if isinstance(value, dict):
        pairs = (f"{key}={string_value_of(item)}" for key, item in value.items())
        return "{" + ", ".join(pairs) + "}"
    return str(value)


def uncatchable_text(message: str) -> str:
    """An uncatchable failure as the finalizer records it: ``<type>: <message>``
    (StepforceAttempt.describe). A fixture's ``limit:`` text is the LimitException's message
    unless it already names its type (``System.LimitException: Too many ...``)."""
    return message if _TYPED.match(message) else LIMIT_PREFIX + message


def serialized_length(value: Any) -> int:
    """The length (UTF-16 units) of ``JSON.serialize(value)`` for a JSON-form value: no
    spaces, strings escaped as Jackson does (``\\"``, ``\\\\``, ``\\n``-style and ``\\u00XX``
    control escapes, everything else as is), a Decimal as its ``toString``."""
    if isinstance(value, dict):
        inner = sum(serialized_length(str(k)) + 1 + serialized_length(v) for k, v in value.items())
        return 2 + inner + max(len(value) - 1, 0)
    if isinstance(value, list | tuple):
        return 2 + sum(serialized_length(v) for v in value) + max(len(value) - 1, 0)
    if isinstance(value, Decimal):
        return len(str(value))
    return apex_length(json.dumps(value, ensure_ascii=False))
