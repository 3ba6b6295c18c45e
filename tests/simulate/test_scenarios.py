"""One semantics, two engines: every scenario file runs through the simulator here; the same
files become Apex tests (test_apex_scenarios.py) that hold the Apex engine to the same trace."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from stepforce.errors import SpecError
from stepforce.generator.simulate.scenarios import load_scenario
from tests.conftest import REPO

SCENARIOS = sorted((REPO / "tests" / "scenarios").glob("*.yaml"))
SPEC = REPO / "tests" / "scenarios" / "specs" / "invoice_sync.yaml"


def test_there_are_at_least_15_scenarios() -> None:
    assert len(SCENARIOS) >= 15


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_the_simulator_produces_the_expected_trace(path: Path) -> None:
    assert load_scenario(path).check() == []


def test_a_differing_trace_is_reported_field_by_field(write: Callable[..., Path]) -> None:
    scenario = write(
        "wrong.yaml",
        f"""
spec: {SPEC}
fixtures:
  inputs: {{since: 2026-11-01}}
  steps:
    Fetch_Page: [{{error: boom}}, {{outputs: {{fetched: 3, isDone: true}}}}]
    Post_Summary: [{{outputs: {{posted: true}}}}]
expect:
  status: Succeeded
  delays: [5]
  attempts:
    - {{step: Fetch_Page, status: Failed, error: "kaboom"}}
    - {{step: Fetch_Page, outputs: {{cursor: null, fetched: 4, isDone: true}}}}
  context: {{inputs: {{since: 2026-11-02, pageSize: 200}}}}
""",
    )
    assert load_scenario(scenario).check() == [
        "delays: expected [5], got [1]",
        "attempts: expected 2, got 3: ['Fetch_Page#1.1:Failed', 'Fetch_Page#1.2:Succeeded', "
        "'Post_Summary#1.1:Succeeded']",
        "attempt 1 (Fetch_Page) error: expected 'kaboom', got 'boom'",
        "attempt 2 (Fetch_Page) outputs: expected {'cursor': None, 'fetched': Decimal('4'), "
        "'isDone': True}, got {'cursor': None, 'fetched': Decimal('3'), 'isDone': True}",
        "context.inputs: expected {'since': '2026-11-02', 'pageSize': Decimal('200')}, got "
        "{'since': '2026-11-01', 'pageSize': Decimal('200')}",
    ]


def test_an_inline_spec_and_a_fixtures_path_are_accepted(write: Callable[..., Path]) -> None:
    write("fx.yaml", "steps:\n  Only: [{outputs: {n: '7'}}]\n")
    scenario = write(
        "inline.yaml",
        """
spec: |
  orchestration: Inline_Demo
  steps:
    - name: Only
      apex: OnlyStep
      outputs: {n: Number}
fixtures: fx.yaml
expect:
  status: Succeeded
  context: {steps: {Only: {n: 7}}}
""",
    )
    loaded = load_scenario(scenario)
    assert loaded.orchestration.name == "Inline_Demo"
    assert loaded.check() == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("spec: x.yaml\nfixtures: {}\n", "a scenario needs 'expect'"),
        (
            "spec: x.yaml\nfixtures: {}\nexpect: {}\nextra: 1\n",
            "4:1: simulate: unknown key 'extra'",
        ),
        (f"spec: {SPEC}\nfixtures: {{}}\nexpect: {{}}\n", "expect needs 'status' or 'rejected'"),
        (f"spec: {SPEC}\nfixtures: {{}}\ncontrols: [jump]\nexpect: {{status: Failed}}\n", "3:12:"),
        (
            f"spec: {SPEC}\nfixtures: {{}}\ncontrols: [{{pause: {{after: A, before: B}}}}]\n"
            "expect: {status: Failed}\n",
            "give 'after' or 'before', not both",
        ),
    ],
)
def test_malformed_scenarios_are_spec_errors(
    write: Callable[..., Path], body: str, message: str
) -> None:
    with pytest.raises(SpecError) as error:
        load_scenario(write("bad.yaml", body))
    assert message in str(error.value)
