"""The coercion table of docs/engine.md, in Python.

The simulator must convert values exactly as the generated plan's ``StepforceCoerce`` calls
do in Apex: run inputs, step inputs (to the binding's effective type) and step outputs (to
the declared output type). Values in a run's context are JSON (Apex serialises the context),
so :func:`to_json` gives the form Apex's ``JSON.serialize`` would store.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from stepforce.generator.literals import gmt_text
from stepforce.generator.simulate.apex_strings import (
    SHOWN_LIMIT,
    apex_left,
    apex_length,
    string_value_of,
)
from stepforce.generator.spec.model import Scalar, ValueType
from stepforce.generator.text_patterns import DATE_TEXT, DATETIME_TEXT, DECIMAL_TEXT, ID_TEXT, whole

_ID_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


class CoercionError(ValueError):
    """A value that the declared type does not accept; the message starts with the field."""


def describe(value: Any) -> str:
    """How a coercion error shows the offending value, as StepforceCoerce.describe does."""
    if isinstance(value, bool):
        kind = "Boolean"
    elif isinstance(value, int | float | Decimal):
        kind = "Number"
    elif isinstance(value, dt.datetime):
        kind = "Datetime"
    elif isinstance(value, dt.date):
        kind = "Date"
    elif isinstance(value, str):
        kind = "Text"
    elif isinstance(value, list | tuple):
        kind = "List"
    elif isinstance(value, dict):
        kind = "Map"
    else:
        kind = type(value).__name__
    # StepforceCoerce.describe: String.valueOf, a Text in quotes, cut to 60 UTF-16 units.
    shown = string_value_of(value)
    if isinstance(value, str):
        shown = f"'{shown}'"
    if apex_length(shown) > SHOWN_LIMIT:
        shown = apex_left(shown, SHOWN_LIMIT - 3) + "..."
    return f"{kind} {shown}"


def _fail(value: Any, target: str, field: str) -> CoercionError:
    return CoercionError(f"{field}: expected {target}, got {describe(value)}")


def to_text(value: Any, field: str) -> str:
    if isinstance(value, str):
        return value
    raise _fail(value, "Text", field)


def to_number(value: Any, field: str) -> Decimal:
    # bool is an int in Python but never a number in Apex.
    if isinstance(value, bool):
        raise _fail(value, "Number", field)
    if isinstance(value, Decimal):
        if value.is_finite():
            return value
        raise _fail(value, "Number", field)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # str() keeps the shortest repr, so 1.1 stays 1.1 and not its binary expansion.
        return to_number(Decimal(str(value)), field)
    if isinstance(value, str) and whole(DECIMAL_TEXT, value):
        try:
            return Decimal(value)
        except InvalidOperation as error:  # pragma: no cover - the regex already ruled it out
            raise _fail(value, "Number", field) from error
    raise _fail(value, "Number", field)


def to_boolean(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise _fail(value, "Boolean", field)


def to_date(value: Any, field: str) -> dt.date:
    # A Datetime is not a Date in Apex (no implicit narrowing).
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        match = whole(DATE_TEXT, value)
        if match:
            try:
                return dt.date(*(int(part) for part in match.groups()))
            except ValueError:
                pass
    raise _fail(value, "Date", field)


def _millis(value: dt.datetime) -> dt.datetime:
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def to_datetime(value: Any, field: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:  # a Datetime always has an instant; naive means unknown zone
            raise _fail(value, "DateTime", field)
        return _millis(value.astimezone(dt.UTC))
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if isinstance(value, str):
        if whole(DATE_TEXT, value):
            # An impossible day (2026-02-30) is no DateTime either: the error names DateTime.
            try:
                return to_datetime(to_date(value, field), field)
            except CoercionError:
                raise _fail(value, "DateTime", field) from None
        parsed = _parse_iso(value)
        if parsed is not None:
            return parsed
    raise _fail(value, "DateTime", field)


def _parse_iso(text: str) -> dt.datetime | None:
    match = whole(DATETIME_TEXT, text)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        tz = dt.UTC if zone == "Z" else _offset(zone)
        value = dt.datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second),
            int((fraction or "0").ljust(3, "0")) * 1000,
            tzinfo=tz,
        )
    except ValueError:
        return None
    return value.astimezone(dt.UTC)


def _offset(zone: str) -> dt.timezone:
    digits = zone[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:])
    if minutes > 18 * 60:
        raise ValueError(zone)
    return dt.timezone(dt.timedelta(minutes=-minutes if zone[0] == "-" else minutes))


def id_suffix(id15: str) -> str:
    """The 3-character case checksum Salesforce appends to a 15-character id."""
    suffix = ""
    for chunk in range(3):
        bits = 0
        for position, char in enumerate(id15[chunk * 5 : chunk * 5 + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << position
        suffix += _ID_SUFFIX_ALPHABET[bits]
    return suffix


def to_id(value: Any, field: str) -> str:
    if isinstance(value, str) and whole(ID_TEXT, value):
        suffix = id_suffix(value[:15])
        if len(value) == 15 or value[15:].upper() == suffix:
            return value[:15] + suffix
    raise _fail(value, "Id", field)


_SCALARS = {
    Scalar.TEXT: to_text,
    Scalar.NUMBER: to_number,
    Scalar.BOOLEAN: to_boolean,
    Scalar.DATE: to_date,
    Scalar.DATETIME: to_datetime,
    Scalar.ID: to_id,
}


def coerce(value: Any, vtype: ValueType | None, field: str) -> Any:
    """``value`` converted to ``vtype`` by the table; ``None`` stays ``None``.

    ``vtype`` is ``None`` only for an untyped null literal, whose value passes through.
    """
    if value is None or vtype is None:
        return value
    convert = _SCALARS[vtype.scalar]
    if not vtype.is_list:
        return convert(value, field)
    if not isinstance(value, list | tuple):
        raise _fail(value, str(vtype), field)
    return [
        None if item is None else convert(item, f"{field}[{i}]") for i, item in enumerate(value)
    ]


def to_json(value: Any) -> Any:
    """The JSON form Apex's ``JSON.serialize`` gives a coerced value (how the context stores it).

    Numbers stay :class:`~decimal.Decimal` so no precision is lost; printing turns them into
    JSON numbers.
    """
    if isinstance(value, dt.datetime):
        utc = value.astimezone(dt.UTC)
        return f"{gmt_text(utc, 'T')}.{utc.microsecond // 1000:03d}Z"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    return value
