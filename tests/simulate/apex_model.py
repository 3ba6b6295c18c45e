"""An independent model of the Apex side, for the parity test: it reads the Apex values an
emitted scenario test scripts, and computes what the runtime would record for them, written
from StepforceCoerce.cls, StepforceAttempt/StepforceFinalizer (error texts, abbreviate) and the
Apex documentation (String.valueOf, JSON.serialize, BigDecimal.toString). It shares no code
with the simulator on purpose: if both drift the same way, this model still disagrees.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

# -- Apex values ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ADecimal:
    """A Decimal (java.math.BigDecimal): unscaled digits and scale, kept as written."""

    unscaled: int
    scale: int

    @staticmethod
    def value_of(text: str) -> ADecimal:
        """Decimal.valueOf(String) = new BigDecimal(String)."""
        match = re.fullmatch(r"([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?", text)
        assert match is not None, text
        assert match.group(2) or match.group(3), text
        sign, whole, fraction, exponent = match.groups()
        fraction = fraction or ""
        unscaled = int((whole or "0") + fraction) * (-1 if sign == "-" else 1)
        return ADecimal(unscaled, len(fraction) - int(exponent or 0))

    def to_string(self) -> str:
        """BigDecimal.toString (the Java API's algorithm, with adjusted exponent)."""
        digits = str(abs(self.unscaled))
        sign = "-" if self.unscaled < 0 else ""
        adjusted = -self.scale + (len(digits) - 1)
        if self.scale >= 0 and adjusted >= -6:
            if self.scale == 0:
                return sign + digits
            padded = digits.rjust(self.scale + 1, "0")
            return f"{sign}{padded[: -self.scale]}.{padded[-self.scale :]}"
        mantissa = digits if len(digits) == 1 else f"{digits[0]}.{digits[1:]}"
        return f"{sign}{mantissa}E{'+' if adjusted >= 0 else ''}{adjusted}"

    def numeric(self) -> Decimal:
        return Decimal(self.unscaled).scaleb(-self.scale)


@dataclass(frozen=True)
class ADate:
    year: int
    month: int
    day: int


@dataclass(frozen=True)
class ADatetime:
    millis: int  # Datetime.getTime()


ApexValue = Any  # None | bool | str | ADecimal | ADate | ADatetime | list | dict

_DAY_MS = 86_400_000


def _gmt_parts(millis: int) -> tuple[dt.date, int, int, int, int]:
    days, rest = divmod(millis, _DAY_MS)
    day = dt.date(1970, 1, 1) + dt.timedelta(days=days)
    hours, rest = divmod(rest, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, ms = divmod(rest, 1000)
    return day, hours, minutes, seconds, ms


def string_value_of(value: ApexValue) -> str:
    """String.valueOf, as a user whose time zone is GMT sees it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, ADecimal):
        return value.to_string()
    if isinstance(value, ADate):
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    if isinstance(value, ADatetime):
        day, h, m, s, _ = _gmt_parts(value.millis)
        return f"{day.isoformat()} {h:02d}:{m:02d}:{s:02d}"
    if isinstance(value, list):
        return "(" + ", ".join(string_value_of(v) for v in value) + ")"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={string_value_of(v)}" for k, v in value.items()) + "}"
    return str(value)


def json_form(value: ApexValue) -> Any:
    """What JSON.serialize writes, as a Python JSON value (numbers as Decimal)."""
    if isinstance(value, ADecimal):
        return Decimal(value.to_string())
    if isinstance(value, ADate):
        return string_value_of(value)
    if isinstance(value, ADatetime):
        day, h, m, s, ms = _gmt_parts(value.millis)
        return f"{day.isoformat()}T{h:02d}:{m:02d}:{s:02d}.{ms:03d}Z"
    if isinstance(value, list):
        return [json_form(v) for v in value]
    if isinstance(value, dict):
        return {k: json_form(v) for k, v in value.items()}
    return value


def canonical(value: Any) -> Any:
    """SfScn_Driver.assertSameJson's comparison: numbers by value (trailing zeros ignored)."""
    if isinstance(value, Decimal):
        return ("number", value.normalize() if value else Decimal(0))
    if isinstance(value, list):
        return [canonical(v) for v in value]
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    return value


def from_json_text(text: str) -> Any:
    return json.loads(text, parse_float=Decimal, parse_int=Decimal)


# -- StepforceCoerce -------------------------------------------------------------------------


class Refused(Exception):
    pass


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _left(text: str, units: int) -> str:
    data = text.encode("utf-16-le")[: units * 2]
    return data.decode("utf-16-le", errors="ignore")  # a cut pair: Python drops the half


def describe(value: ApexValue) -> str:
    kinds = [
        (bool, "Boolean"),
        (ADecimal, "Number"),
        (ADatetime, "Datetime"),
        (ADate, "Date"),
        (str, "Text"),
        (list, "List"),
        (dict, "Map"),
    ]
    kind = next(name for cls, name in kinds if isinstance(value, cls))
    shown = string_value_of(value)
    if isinstance(value, str):
        shown = "'" + shown + "'"
    if _units(shown) > 60:
        shown = _left(shown, 57) + "..."
    return f"{kind} {shown}"


def _fail(value: ApexValue, target: str, field: str) -> Refused:
    return Refused(f"{field}: expected {target}, got {describe(value)}")


_DEC = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$", re.ASCII)
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)
_STAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(Z|[+-]\d{2}:?\d{2})$",
    re.ASCII,
)
_ID = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$", re.ASCII)


def _matches(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """Java's matcher().matches(): the whole input, so no newline may follow the end."""
    return pattern.match(text) if "\n" not in text[-1:] else None


def _parse_day(text: str) -> ADate | None:
    match = _matches(_DAY, text)
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    if year < 1 or not 1 <= month <= 12 or day < 1:
        return None
    try:
        dt.date(year, month, day)
    except ValueError:
        return None
    return ADate(year, month, day)


def _millis_of(day: ADate, h: int = 0, m: int = 0, s: int = 0) -> int:
    days = (dt.date(day.year, day.month, day.day) - dt.date(1970, 1, 1)).days
    return days * _DAY_MS + ((h * 60 + m) * 60 + s) * 1000


def to_number(value: ApexValue, field: str) -> ADecimal:
    if isinstance(value, ADecimal):
        return value
    if isinstance(value, str) and _matches(_DEC, value):
        return ADecimal.value_of(value)
    raise _fail(value, "Number", field)


def to_date(value: ApexValue, field: str) -> ADate:
    if isinstance(value, ADate):
        return value
    if isinstance(value, str) and (day := _parse_day(value)) is not None:
        return day
    raise _fail(value, "Date", field)


def to_datetime(value: ApexValue, field: str) -> ADatetime:
    if isinstance(value, ADatetime):
        return value
    if isinstance(value, ADate):
        return ADatetime(_millis_of(value))
    if isinstance(value, str):
        day = _parse_day(value)
        if day is not None:
            return ADatetime(_millis_of(day))
        match = _matches(_STAMP, value)
        if match:
            y, mo, d, h, mi, s, fraction, zone = match.groups()
            date = _parse_day(f"{y}-{mo}-{d}")
            offset = 0
            if zone != "Z":
                digits = zone[1:].replace(":", "")
                offset = int(digits[:2]) * 60 + int(digits[2:])
                offset = None if offset > 18 * 60 else (-offset if zone[0] == "-" else offset)  # type: ignore[assignment]
            if date and int(h) <= 23 and int(mi) <= 59 and int(s) <= 59 and offset is not None:
                base = _millis_of(date, int(h), int(mi), int(s))
                return ADatetime(base + int((fraction or "0").ljust(3, "0")) - offset * 60_000)
    raise _fail(value, "DateTime", field)


def to_boolean(value: ApexValue, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise _fail(value, "Boolean", field)


def to_text(value: ApexValue, field: str) -> str:
    if isinstance(value, str):
        return value
    raise _fail(value, "Text", field)


def to_id(value: ApexValue, field: str) -> str:
    if isinstance(value, str) and _matches(_ID, value):
        suffix = ""
        for chunk in range(3):
            bits = sum(
                1 << i for i, c in enumerate(value[chunk * 5 : chunk * 5 + 5]) if "A" <= c <= "Z"
            )
            suffix += "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"[bits]
        if len(value) == 15 or value[15:].upper() == suffix:
            return value[:15] + suffix
    raise _fail(value, "Id", field)


_SCALAR = {
    "Text": to_text,
    "Number": to_number,
    "Boolean": to_boolean,
    "Date": to_date,
    "DateTime": to_datetime,
    "Id": to_id,
}


def coerce(value: ApexValue, type_text: str, field: str) -> ApexValue:
    if value is None:
        return None
    if type_text.startswith("List<"):
        scalar = type_text[5:-1]
        if not isinstance(value, list):
            raise _fail(value, type_text, field)
        return [
            None if item is None else _SCALAR[scalar](item, f"{field}[{i}]")
            for i, item in enumerate(value)
        ]
    return _SCALAR[type_text](value, field)


def abbreviate(text: str, width: int) -> str:
    return text if _units(text) <= width else _left(text, width - 3) + "..."
