"""Issue 18 items 3, 4 and 7: text the org refuses is refused here too; decimals and
datetimes keep their exact value in the trace, in --json and in emitted Apex."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from stepforce import exact_json
from stepforce.cli.main import main
from stepforce.generator.literals import apex_literal, epoch_millis
from stepforce.generator.simulate.apex_scenarios import apex_value
from stepforce.generator.simulate.coerce import CoercionError, coerce, to_json
from stepforce.generator.simulate.engine import simulate
from stepforce.generator.simulate.trace import show
from stepforce.generator.spec.cron import cron_problems
from tests.simulate.conftest import fixtures_from, make_orch, make_step, vtype


@pytest.mark.parametrize(
    ("type_text", "text"),
    [
        ("Number", "42\n"),
        ("Number", "１２"),
        ("Number", "4٢"),
        ("Date", "2026-11-01\n"),
        ("Date", "２026-11-01"),
        ("DateTime", "2026-11-25T10:00:00Z\n"),
        ("DateTime", "2026-11-25T1٠:00:00Z"),
        ("DateTime", "2026-11-25\n"),
        ("Id", "001000000000001\n"),
    ],
)
def test_text_apex_does_not_match_whole_with_ascii_digits_is_refused(
    type_text: str, text: str
) -> None:
    with pytest.raises(CoercionError, match=r"^x: expected "):
        coerce(text, vtype(type_text), "x")


def test_a_salesforce_cron_takes_ascii_digits_only() -> None:
    assert cron_problems("0 0 2 * * ?") == []
    assert cron_problems("0 ٣ 2 * * ?")  # Arabic-Indic three
    assert cron_problems("0 0 2 ²W * ?")


def test_exact_json_keeps_every_digit_of_a_decimal() -> None:
    value = {"big": Decimal("12345678901234567.89"), "cents": Decimal("0.10"), "e": Decimal("1E+5")}
    text = exact_json.dumps(value, indent=2)
    assert "12345678901234567.89" in text
    assert '"cents": 0.10' in text
    assert json.loads(text, parse_float=Decimal) == {
        "big": Decimal("12345678901234567.89"),
        "cents": Decimal("0.10"),
        "e": Decimal("1E+5"),
    }
    assert show([Decimal("0.10")]) == "[0.10]"


def test_simulate_json_and_trace_keep_exact_decimals(
    write: Callable[[str, str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write(
        "spec.yaml",
        "orchestration: Exact\nsteps:\n  - name: Total\n    apex: TotalStep\n"
        "    inputs: {amount: $input.amount}\n    outputs: {sum: Number}\n"
        "inputs:\n  amount: Number\n",
    )
    fixtures = write(
        "f.yaml",
        'inputs: {amount: "0.10"}\nsteps:\n  Total:\n    - outputs: {sum: 12345678901234567.89}\n',
    )
    for extra in ([], ["--json"]):
        with pytest.raises(SystemExit) as done:
            main(["simulate", str(spec), "--steps", str(fixtures), *extra])
        assert done.value.code == 0
        out = capsys.readouterr().out
        assert "12345678901234567.89" in out
        assert "1.2345678901234568e+16" not in out
        if extra:
            data = json.loads(out, parse_float=Decimal)
            assert data["context"]["inputs"] == {"amount": Decimal("0.10")}
            assert str(data["context"]["inputs"]["amount"]) == "0.10"
            assert data["context"]["steps"]["Total"]["sum"] == Decimal("12345678901234567.89")
        else:
            assert '{"amount": 0.10}' in out


# 2109-04-04T15:21:42.952Z: a float timestamp * 1000 gives ...951.
SLIPPERY = dt.datetime(2109, 4, 4, 15, 21, 42, 952000, tzinfo=dt.UTC)


def test_epoch_millis_is_exact_where_a_float_timestamp_is_not() -> None:
    assert int(SLIPPERY.timestamp() * 1000) != 4394532102952  # the bug this replaces
    assert epoch_millis(SLIPPERY) == 4394532102952
    before_1970 = dt.datetime(1969, 12, 31, 23, 59, 59, 340000, tzinfo=dt.UTC)
    assert epoch_millis(before_1970) == -660
    offset = dt.datetime(2026, 11, 25, 12, 0, 0, 660000, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert epoch_millis(offset) == epoch_millis(dt.datetime(2026, 11, 25, 10, 0, 0, 660000, dt.UTC))


def test_emitted_datetimes_carry_the_exact_milliseconds() -> None:
    assert apex_value(SLIPPERY) == "Datetime.newInstance(4394532102952L)"
    assert apex_literal(SLIPPERY, vtype("DateTime")) == "Datetime.newInstance(4394532102952L)"


def test_a_datetime_before_year_1000_keeps_a_four_digit_year() -> None:
    # Found by the parity test: strftime("%Y") writes year 1 as "1" on glibc.
    early = dt.datetime(1, 1, 1, 0, 0, 0, 5000, tzinfo=dt.UTC)
    assert coerce(early, vtype("DateTime"), "x") == early
    assert to_json(early) == "0001-01-01T00:00:00.005Z"
    assert show(to_json(dt.date(987, 6, 5))) == '"0987-06-05"'


def test_a_fixture_number_in_exponent_form_is_the_decimal_the_emitted_test_writes() -> None:
    orch = make_orch(make_step("Only", outputs={"label": "Text"}))
    trace = simulate(orch, fixtures_from("steps:\n  Only: [{outputs: {label: 1.5e+3}}]\n"))
    assert trace.attempts[0].error == "Only.outputs.label: expected Text, got Number 1500"
    assert apex_value(Decimal("1.5E+3")) == "Decimal.valueOf('1500')"


def test_an_impossible_day_for_a_datetime_names_datetime() -> None:
    # Found by the parity test: StepforceCoerce.toDatetime falls back to parseIso and fails
    # with 'DateTime', not with the Date message of the date-shaped text.
    with pytest.raises(CoercionError, match=r"^x: expected DateTime, got Text '2026-02-30'$"):
        coerce("2026-02-30", vtype("DateTime"), "x")
