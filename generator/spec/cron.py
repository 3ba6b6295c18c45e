"""Salesforce cron expressions, as ``System.schedule`` accepts them.

``Seconds Minutes Hours Day_of_month Month Day_of_week [Year]``. Salesforce is stricter than
Quartz: seconds and minutes must be plain numbers, and exactly one of day-of-month and
day-of-week must be ``?``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stepforce.generator.text_patterns import ASCII_DIGITS, whole

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


def _digits(text: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also accepts ``"٣"`` or ``"²"``, Salesforce does not."""
    return whole(ASCII_DIGITS, text) is not None


@dataclass(frozen=True)
class _Field:
    label: str
    low: int
    high: int
    names: tuple[str, ...] = ()
    plain_only: bool = False  # seconds and minutes: one integer, no * , - /

    def number(self, token: str) -> int | None:
        upper = token.upper()
        if upper in self.names:
            return self.names.index(upper) + self.low
        if _digits(token) and len(token) <= 4:
            value = int(token)
            return value if self.low <= value <= self.high else None
        return None


_FIELDS = (
    _Field("seconds", 0, 59, plain_only=True),
    _Field("minutes", 0, 59, plain_only=True),
    _Field("hours", 0, 23),
    _Field("day-of-month", 1, 31),
    _Field("month", 1, 12, _MONTHS),
    _Field("day-of-week", 1, 7, _DAYS),
    _Field("year", 1970, 2099),
)

_DOM_SPECIAL = re.compile(r"(L|LW|[0-9]{1,2}W)\Z")
_DOW_SPECIAL = re.compile(r"(L|[A-Za-z0-9]{1,3}L|[A-Za-z0-9]{1,3}#[1-5])\Z", re.IGNORECASE)


def _range_problem(field: _Field, item: str) -> str | None:
    """A problem with one comma-separated item (``5``, ``1-5``, ``*/2``, ``MON-FRI/2``)."""
    base, _, step = item.partition("/")
    if "/" in item and (not _digits(step) or not 1 <= int(step) <= field.high):
        return f"{field.label}: increment '/{step}' must be a number from 1 to {field.high}"
    if base == "*":
        return None
    low_text, dash, high_text = base.partition("-")
    ends = [low_text, high_text] if dash else [low_text]
    values = [field.number(end) for end in ends]
    for end, value in zip(ends, values, strict=True):
        if value is None:
            allowed = f"{field.low}-{field.high}"
            if field.names:
                allowed += f" or {field.names[0]}-{field.names[-1]}"
            return f"{field.label}: '{end}' is not a value ({allowed})"
    return None


def _dom_special_problem(item: str) -> str | None:
    if item.endswith("W") and item not in ("LW",):
        day = int(item[:-1])
        if not 1 <= day <= 31:
            return f"day-of-month: '{item}' needs a day from 1 to 31 before W"
    return None


def _dow_special_problem(field: _Field, item: str) -> str | None:
    if item.upper() == "L":
        return None
    day = item.upper().rstrip("L").split("#")[0]
    if field.number(day) is None:
        return f"day-of-week: '{item}' needs a day 1-7 or SUN-SAT"
    return None


def _field_problem(field: _Field, text: str) -> str | None:
    if field.plain_only:
        if not _digits(text) or field.number(text) is None:
            return (
                f"{field.label} must be a single number from {field.low} to {field.high} "
                f"(Salesforce allows no '*', ',', '-' or '/' here), not '{text}'"
            )
        return None
    if text == "?":
        if field.label not in ("day-of-month", "day-of-week"):
            return f"{field.label}: '?' is only allowed in day-of-month or day-of-week"
        return None
    for item in text.split(","):
        if not item:
            return f"{field.label}: empty item in '{text}'"
        if field.label == "day-of-month" and _DOM_SPECIAL.match(item):
            problem = _dom_special_problem(item)
        elif field.label == "day-of-week" and _DOW_SPECIAL.match(item):
            problem = _dow_special_problem(field, item)
        else:
            problem = _range_problem(field, item)
        if problem:
            return problem
    return None


def cron_problems(cron: str) -> list[str]:
    """Every reason ``cron`` is not a Salesforce cron expression (empty when it is one)."""
    parts = cron.split()
    if not 6 <= len(parts) <= 7:
        return [
            f"a Salesforce cron expression has 6 or 7 fields (seconds minutes hours "
            f"day-of-month month day-of-week [year]); '{cron}' has {len(parts)}"
        ]
    problems = [
        problem
        for field, text in zip(_FIELDS, parts, strict=False)
        if (problem := _field_problem(field, text)) is not None
    ]
    if (parts[3] == "?") == (parts[5] == "?"):
        problems.append(
            "exactly one of day-of-month and day-of-week must be '?' "
            "(e.g. '0 0 2 * * ?' for every day at 02:00)"
        )
    return problems
