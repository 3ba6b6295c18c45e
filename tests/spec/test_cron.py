from __future__ import annotations

import pytest

from stepforce.generator.spec.cron import cron_problems


@pytest.mark.parametrize(
    "cron",
    [
        "0 0 2 * * ?",
        "0 30 1 ? * MON-SAT",
        "0 0 13 * * ? 2026",
        "0 0 8 ? * 2-6",
        "0 0 0,6,12,18 * * ?",
        "0 0 */4 * * ?",
        "59 59 23 L * ?",
        "0 0 9 LW * ?",
        "0 0 9 15W * ?",
        "0 0 9 ? * 6L",
        "0 0 9 ? * MON#2",
        "0 0 9 1-15/2 JAN-MAR ?",
        "0 0 9 ? 1,6,12 SUN 2025-2030",
        "0 0 10 ? * L",
    ],
)
def test_valid_salesforce_cron(cron: str) -> None:
    assert cron_problems(cron) == []


@pytest.mark.parametrize(
    ("cron", "problem"),
    [
        ("0 0 2 * *", "has 6 or 7 fields"),
        ("0 0 2 * * ? 2026 x", "has 6 or 7 fields"),
        ("60 0 2 * * ?", "seconds must be a single number from 0 to 59"),
        ("0 */5 * * * ?", "minutes must be a single number"),
        ("* 0 2 * * ?", "seconds must be a single number"),
        ("0 0 24 * * ?", "hours: '24' is not a value (0-23)"),
        ("0 0 2 0 * ?", "day-of-month: '0' is not a value (1-31)"),
        ("0 0 2 32W * ?", "needs a day from 1 to 31 before W"),
        ("0 0 2 * 13 ?", "month: '13' is not a value (1-12 or JAN-DEC)"),
        ("0 0 2 * FOO ?", "month: 'FOO' is not a value"),
        ("0 0 2 ? * 8", "day-of-week: '8' is not a value (1-7 or SUN-SAT)"),
        ("0 0 2 ? * MON#6", "day-of-week: 'MON#6' is not a value"),
        ("0 0 2 ? * XL", "day-of-week: 'XL' needs a day"),
        ("0 0 2 * * *", "exactly one of day-of-month and day-of-week must be '?'"),
        ("0 0 2 ? * ?", "exactly one of day-of-month and day-of-week must be '?'"),
        ("0 0 ? * * MON", "hours: '?' is only allowed"),
        ("0 0 2 * * ? 1969", "year: '1969' is not a value (1970-2099)"),
        ("0 0 */0 * * ?", "increment '/0' must be a number from 1 to 23"),
        ("0 0 1,,2 * * ?", "empty item"),
    ],
)
def test_invalid_cron(cron: str, problem: str) -> None:
    found = cron_problems(cron)
    assert any(problem in p for p in found), found
