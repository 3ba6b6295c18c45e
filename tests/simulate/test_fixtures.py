from __future__ import annotations

from decimal import Decimal

import pytest

from stepforce.errors import SpecError
from stepforce.generator.simulate.fixtures import OutcomeKind, check_fixtures
from tests.simulate.conftest import fixtures_from, make_orch, make_step


def _problem(text: str) -> str:
    with pytest.raises(SpecError) as error:
        fixtures_from(text)
    return str(error.value.diagnostics[0])


def test_entries_are_typed_and_times_expands_them() -> None:
    fixtures = fixtures_from(
        """
inputs: {since: 2026-11-01, flag: no}
steps:
  Fetch:
    - {outputs: {n: 1.10, done: false}, times: 2}
    - error: "Callout timed out"
    - limit: "System.LimitException: Too many SOQL queries: 201"
    - {iteration: 2, attempt: 1, outputs: {}}
"""
    )
    assert str(fixtures.inputs["since"]) == "2026-11-01"
    assert fixtures.inputs["flag"] == "no"  # YAML 1.2: 'no' is text, not false
    kinds = [o.kind for o in fixtures.steps["Fetch"]]
    assert kinds == [OutcomeKind.OUTPUTS] * 2 + [
        OutcomeKind.ERROR,
        OutcomeKind.LIMIT,
        OutcomeKind.OUTPUTS,
    ]
    assert fixtures.steps["Fetch"][0].outputs["n"] == Decimal("1.10")
    assert fixtures.steps["Fetch"][4].iteration == 2
    assert fixtures.step_locations["Fetch"].line == 4


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "steps:\n  A:\n    - {outputs: {}, error: x}\n",
            "fixtures.yaml:3:7: simulate: steps.A[0]: give exactly one",
        ),
        (
            "steps:\n  A:\n    - {output: {}}\n",
            "fixtures.yaml:3:8: simulate: steps.A[0]: unknown key 'output'",
        ),
        ("steps:\n  A: {outputs: {}}\n", "fixtures.yaml:2:6: simulate: A: step 'A' needs a list"),
        ("steps:\n  A:\n    - {error: x, times: 2, attempt: 1}\n", "'times' cannot be combined"),
        ("steps:\n  A:\n    - {error: x, times: 0}\n", "steps.A[0].times: must be a whole number"),
        ("steps:\n  A:\n    - {error: ''}\n", "error must be the exception's text"),
        ("stepz: {}\n", "fixtures.yaml:1:1: simulate: unknown key 'stepz'"),
        ("steps:\n  A: [\n", "fixtures.yaml:3:1: spec: invalid YAML"),
    ],
)
def test_malformed_fixtures_are_reported_at_their_line(text: str, expected: str) -> None:
    assert expected in _problem(text)


def test_unknown_steps_and_undeclared_outputs_are_errors_with_lines() -> None:
    orch = make_orch(make_step("Fetch", outputs={"cursor": "Text"}))
    fixtures = fixtures_from(
        "steps:\n  Fetch:\n    - outputs: {cursr: a}\n  Post:\n    - outputs: {}\n"
    )
    with pytest.raises(SpecError) as error:
        check_fixtures(fixtures, orch)
    lines = [str(d) for d in error.value.diagnostics]
    assert lines == [
        "fixtures.yaml:3:17: simulate: step 'Fetch' declares no output 'cursr'",
        "fixtures.yaml:4:3: simulate: no step 'Post' in Demo (Fetch)",
    ]
