"""The schedule script ``generate`` writes for a spec with ``schedule:``: anonymous Apex
that names no generated class, only escaped literals."""

from __future__ import annotations

import pytest

from stepforce.errors import SpecError
from stepforce.generator.plan_document import schedule_input_values
from stepforce.generator.schedule_script import schedule_script
from stepforce.generator.spec import load_spec_text

SPEC = (
    "orchestration: Exact_Schedule\ninputs:\n  amount: Number\n  at: DateTime\n"
    "steps:\n  - name: Only\n    apex: OnlyStep\n    inputs: {amount: $input.amount}\n"
    'schedule:\n  cron: "0 0 2 * * ?"\n'
    "  inputs: {amount: 12345678901234567.89, at: 2026-11-25T10:00:00.660Z}\n"
)


def _script(spec: str = SPEC) -> str | None:
    orch = load_spec_text(spec, "spec.yaml")
    inputs, problems = schedule_input_values(orch)
    assert problems == []
    return schedule_script(orch, inputs)


def test_schedule_inputs_keep_every_digit_of_a_number() -> None:
    script = _script()
    assert script is not None
    assert '{"amount":12345678901234567.89,"at":"2026-11-25T10:00:00.660Z"}' in script


def test_the_script_passes_literals_and_names_no_plan_class() -> None:
    script = _script()
    assert script is not None
    assert (
        "StepforceScheduledStart.schedule('Stepforce Exact_Schedule', '0 0 2 * * ?', "
        "'Exact_Schedule', '{\"amount\":12345678901234567.89,"
        '"at":"2026-11-25T10:00:00.660Z"}\');'
    ) in script
    assert "SfPlan_" not in script
    assert "--file scripts/apex/schedule_Exact_Schedule.apex" in script


def test_no_schedule_means_no_script() -> None:
    spec = SPEC[: SPEC.index("schedule:")]
    assert _script(spec) is None


def test_a_cron_that_cannot_be_an_apex_literal_is_a_spec_error() -> None:
    orch = load_spec_text(SPEC, "spec.yaml")
    assert orch.schedule is not None
    bad = orch.schedule.__class__(**{**orch.schedule.__dict__, "cron": "0 0 2 * * ?\x00"})
    with pytest.raises(SpecError, match="cannot be written into Apex"):
        schedule_script(orch.__class__(**{**orch.__dict__, "schedule": bad}), {})
