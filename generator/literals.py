"""Spec literals as typed Apex expressions, and the coercion rules of docs/engine.md in Python.

The generator coerces a literal once, here, to the binding's effective type (so a bad literal
is a spec error, not a run-time failure) and writes it as a typed Apex literal:
``12.5``, ``Decimal.valueOf('12')``, ``Date.newInstance(2026, 11, 25)``,
``Datetime.newInstanceGmt(2026, 11, 25, 10, 0, 0)``, ``true``, ``'escaped text'``, lists as
``new List<Date>{ ... }``. The same rules give the expected values in the generated tests.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from stepforce.generator.apex_text import Apex, apex_string, join
from stepforce.generator.spec.model import LiteralValue, Scalar, ValueType
from stepforce.generator.text_patterns import (
    DATE_TEXT,
    DATETIME_TEXT,
    DECIMAL_TEXT,
    ID_TEXT,
    whole,
)

#: The Apex type of each scalar, and the StepforceCoerce method that produces it.
APEX_TYPE = {
    Scalar.TEXT: "String",
    Scalar.NUMBER: "Decimal",
    Scalar.BOOLEAN: "Boolean",
    Scalar.DATE: "Date",
    Scalar.DATETIME: "Datetime",
    Scalar.ID: "Id",
}


class LiteralError(ValueError):
    """A literal that does not convert to the type it must have."""


def apex_type(vtype: ValueType) -> Apex:
    scalar = APEX_TYPE[vtype.scalar]
    return Apex(f"List<{scalar}>" if vtype.is_list else scalar)


def coerce(value: LiteralValue, vtype: ValueType) -> LiteralValue:
    """``value`` converted to ``vtype`` by the engine's coercion table; LiteralError if not."""
    if value is None:
        return None
    if vtype.is_list:
        if not isinstance(value, list):
            raise LiteralError(f"expected a list for {vtype}, got {_kind(value)}")
        return [coerce(item, ValueType(vtype.scalar)) for item in value]
    if isinstance(value, list):
        raise LiteralError(f"expected {vtype}, got a list")
    return _coerce_scalar(value, vtype.scalar)


def _kind(value: object) -> str:
    return type(value).__name__


def _coerce_scalar(value: LiteralValue, scalar: Scalar) -> LiteralValue:
    if scalar is Scalar.TEXT and isinstance(value, str):
        return value
    if scalar is Scalar.ID and isinstance(value, str) and whole(ID_TEXT, value):
        return value
    if scalar is Scalar.BOOLEAN:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
    if scalar is Scalar.NUMBER and not isinstance(value, bool):
        number = _to_decimal(value)
        if number is not None:
            return number
    if scalar is Scalar.DATE:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str) and whole(DATE_TEXT, value):
            return _parse_date(value)
    if scalar is Scalar.DATETIME:
        return _to_datetime(value)
    raise LiteralError(f"{value!r} is not a valid {scalar.value}")


def _to_decimal(value: LiteralValue) -> Decimal | None:
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str) and whole(DECIMAL_TEXT, value):
        try:
            number = Decimal(value)
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def _parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise LiteralError(f"{text!r} is not a valid Date") from error


def _to_datetime(value: LiteralValue) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if isinstance(value, str):
        if whole(DATE_TEXT, value):
            date = _parse_date(value)
            return dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC)
        parsed = None
        if whole(DATETIME_TEXT, value):  # the forms StepforceCoerce.toDatetime accepts
            text = re.sub(r"([+-][0-9]{2})([0-9]{2})$", r"\1:\2", value.replace("Z", "+00:00"))
            try:
                parsed = dt.datetime.fromisoformat(text)
            except ValueError:
                parsed = None
        if parsed is not None and parsed.tzinfo is not None and "T" in value:
            return parsed
    raise LiteralError(f"{value!r} is not a valid DateTime (ISO-8601 with a zone)")


def plain_decimal(number: Decimal) -> str:
    """A Decimal as plain digits (never exponent notation), keeping its scale."""
    return format(number, "f")


def apex_literal(value: LiteralValue, vtype: ValueType) -> Apex:
    """A typed Apex expression for ``value``, already coerced to ``vtype``."""
    if value is None:
        return Apex("null")
    if vtype.is_list:
        assert isinstance(value, list)
        items = [apex_literal(item, ValueType(vtype.scalar)) for item in value]
        if not items:
            return Apex(f"new {apex_type(vtype)}()")
        return Apex(f"new {apex_type(vtype)}{{ {join(items)} }}")
    return _scalar_literal(value, vtype.scalar)


def _scalar_literal(value: LiteralValue, scalar: Scalar) -> Apex:
    if scalar in (Scalar.TEXT, Scalar.ID) and isinstance(value, str):
        return apex_string(value)
    if scalar is Scalar.BOOLEAN and isinstance(value, bool):
        return Apex("true" if value else "false")
    if scalar is Scalar.NUMBER and isinstance(value, Decimal):
        text = plain_decimal(value)
        # A literal with a point is a Decimal in Apex; integral values would be Integer
        # literals (and overflow past 2^31), so they go through Decimal.valueOf.
        return Apex(text) if "." in text else Apex(f"Decimal.valueOf({apex_string(text)})")
    if scalar is Scalar.DATETIME and isinstance(value, dt.datetime):
        return _datetime_literal(value)
    if scalar is Scalar.DATE and isinstance(value, dt.date):
        return Apex(f"Date.newInstance({value.year}, {value.month}, {value.day})")
    raise LiteralError(f"{value!r} is not a {scalar.value}")


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MILLISECOND = dt.timedelta(milliseconds=1)


def epoch_millis(value: dt.datetime) -> int:
    """Milliseconds since 1970-01-01T00:00:00Z, exactly (``Datetime.getTime()`` in Apex).

    Integer arithmetic on the timedelta: ``int(value.timestamp() * 1000)`` goes through a
    float and loses a millisecond for some values (``...:00.660Z`` gives ``...659``). A
    sub-millisecond part is dropped (floor), as a Datetime cannot hold it; naive is UTC.
    """
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return (aware - _EPOCH) // _MILLISECOND


def gmt_text(value: dt.datetime, separator: str = " ") -> str:
    """``YYYY-MM-DD<separator>HH:MM:SS`` in GMT; the year always has 4 digits (``strftime``'s
    ``%Y`` writes year 1 as ``1`` on glibc)."""
    utc = value.astimezone(dt.UTC) if value.tzinfo is not None else value
    day = f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}"
    return f"{day}{separator}{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}"


def sub_millisecond(value: dt.datetime) -> bool:
    """Whether ``value`` has a part a Datetime (millisecond precision) cannot hold."""
    return value.microsecond % 1000 != 0


def _datetime_literal(value: dt.datetime) -> Apex:
    utc = value.astimezone(dt.UTC)
    if utc.microsecond:
        if sub_millisecond(utc):
            raise LiteralError(f"{value.isoformat()} has sub-millisecond precision")
        return Apex(f"Datetime.newInstance({epoch_millis(utc)}L)")
    parts = (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second)
    return Apex("Datetime.newInstanceGmt({})".format(", ".join(str(p) for p in parts)))


def json_value(value: LiteralValue) -> object:
    """A coerced literal the way the engine's JSON context holds it."""
    if isinstance(value, list):
        return [json_value(item) for item in value]
    if isinstance(value, dt.datetime):
        utc = value.astimezone(dt.UTC)
        millis = f".{utc.microsecond // 1000:03d}" if utc.microsecond else ""
        return f"{gmt_text(utc, 'T')}{millis}Z"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return Decimal(plain_decimal(value))  # exact digits: never a float
    return value
