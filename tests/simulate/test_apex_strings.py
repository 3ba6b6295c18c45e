"""The org's text rules the simulator copies: String.valueOf, UTF-16 lengths, abbreviate."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from stepforce.generator.simulate.apex_scenarios import error_is_exact
from stepforce.generator.simulate.apex_strings import (
    apex_abbreviate,
    apex_left,
    apex_length,
    serialized_length,
    string_value_of,
    uncatchable_text,
)
from stepforce.generator.simulate.coerce import CoercionError, coerce, describe
from stepforce.generator.simulate.engine import InputsTooLargeError, simulate
from stepforce.generator.simulate.fixtures import Fixtures, Outcome, OutcomeKind
from stepforce.generator.spec.model import InputDecl
from tests.simulate.conftest import fixtures_from, make_orch, make_step, vtype


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1.50"), "Number 1.50"),
        (Decimal("12345678901234567.89"), "Number 12345678901234567.89"),
        (True, "Boolean true"),
        ("it's\nhere", "Text 'it's\nhere'"),
        (dt.date(2026, 2, 3), "Date 2026-02-03"),
        (
            dt.datetime(2026, 11, 20, 12, 0, 5, 250000, tzinfo=dt.timezone(dt.timedelta(hours=2))),
            "Datetime 2026-11-20 10:00:05",
        ),
        ([Decimal("1"), "a"], "List (1, a)"),
        ("x" * 61, "Text '" + "x" * 56 + "..."),
    ],
)
def test_a_coercion_error_shows_the_value_as_string_value_of_does(
    value: object, shown: str
) -> None:
    assert describe(value) == shown


def test_the_shown_value_is_cut_in_utf16_units() -> None:
    text = "😀" * 40  # 80 UTF-16 units
    assert apex_length(text) == 80
    # "'" and 28 emoji are exactly 57 units.
    assert describe(text) == "Text '" + "😀" * 28 + "..."
    # "'a" and 28 emoji would be 58: Apex keeps half of the 28th emoji, Python drops it, and
    # the emitted test then compares the message only up to the kind.
    split = describe("a" + text)
    assert split == "Text 'a" + "😀" * 27 + "..."
    assert not error_is_exact("f: expected Number, got " + split)
    assert error_is_exact("f: expected Number, got " + describe(text))
    assert apex_left("ab😀c", 3) == "ab"
    assert apex_abbreviate("abcdef", 5) == "ab..."
    assert apex_abbreviate("abcde", 5) == "abcde"


def test_a_limit_text_gets_the_type_the_finalizer_writes_unless_it_names_one() -> None:
    assert uncatchable_text("Too many SOQL queries: 201") == (
        "System.LimitException: Too many SOQL queries: 201"
    )
    same = "System.LimitException: Apex CPU time limit exceeded"
    assert uncatchable_text(same) == same
    assert uncatchable_text("System.UnexpectedException: x") == "System.UnexpectedException: x"


def test_a_long_error_is_abbreviated_to_the_field_and_the_run_error_built_from_the_whole() -> None:
    orch = make_orch(make_step("Only", outputs={"n": "Number"}))
    long_error = "e" * 40000
    trace = simulate(orch, fixtures_from(f"steps:\n  Only: [{{error: {long_error}}}]\n"))
    (attempt,) = trace.attempts
    assert attempt.error == "e" * 32765 + "..."
    assert trace.error == "Step Only failed: " + "e" * (32765 - 18) + "..."


def test_serialized_length_is_the_length_of_the_compact_json() -> None:
    value = {"a": [Decimal("1.50"), None, True], "t": 'q"\\\n\x01😀', "d": {}}
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    text = text.replace('"1.50"', "1.50")
    assert serialized_length(value) == len(text) + 1  # + 1: the emoji is 2 UTF-16 units
    assert string_value_of(None) == "null"


def test_coercion_errors_start_with_the_field() -> None:
    with pytest.raises(CoercionError, match=r"^f: expected Number, got Text 'x'$"):
        coerce("x", vtype("Number"), "f")


def _sized(units: int) -> str:
    """A text input whose start context {"inputs":{"note":"..."},"steps":{}} has ``units``."""
    frame = len('{"inputs":{"note":""},"steps":{}}')
    return "😀" + "x" * (units - frame - 2)  # the emoji is 2 UTF-16 units


def test_a_start_context_of_exactly_the_field_size_runs_and_one_more_is_refused() -> None:
    orch = make_orch(
        make_step("Only", inputs={"note": ("$input.note", "Text")}),
        inputs=(InputDecl("note", vtype("Text")),),
    )
    fits = Fixtures(
        inputs={"note": _sized(131072)}, steps={"Only": (Outcome(OutcomeKind.OUTPUTS),)}
    )
    assert simulate(orch, fits).status.value == "Succeeded"
    over = Fixtures(inputs={"note": _sized(131073)})
    with pytest.raises(InputsTooLargeError) as refused:
        simulate(orch, over)
    assert refused.value.diagnostics[0].message == "inputs are too large: 131073 characters of JSON"
    assert refused.value.apex_exception == "StepforceService.BadRequestException"
