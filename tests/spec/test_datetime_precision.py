"""Issue 18 item 8: `validate` refuses the DateTime literals `generate` cannot write."""

from __future__ import annotations

import pytest

from stepforce.errors import SpecError
from stepforce.generator.plan_document import plan_document, schedule_input_values
from stepforce.generator.schedule_script import schedule_script
from stepforce.generator.spec import load_spec_text

SPEC = """\
orchestration: Precise
inputs:
  at: {{type: DateTime, default: {default}}}
steps:
  - name: Only
    apex: OnlyStep
    inputs: {{at: $input.at, also: {literal}}}
schedule:
  cron: "0 0 2 * * ?"
  inputs: {{at: {scheduled}}}
"""
FINE = "2026-11-25T10:00:00.660Z"
SUB_MS = "2026-11-25T10:00:00.6601Z"


@pytest.mark.parametrize(
    ("where", "line"),
    [("default", 3), ("literal", 7), ("scheduled", 10)],
)
def test_a_sub_millisecond_datetime_literal_is_refused_with_its_line(where: str, line: int) -> None:
    values = {"default": FINE, "literal": FINE, "scheduled": FINE, where: SUB_MS}
    with pytest.raises(SpecError) as raised:
        load_spec_text(SPEC.format(**values), "spec.yaml")
    errors = [d for d in raised.value.diagnostics if d.severity != "warning"]
    assert len(errors) == 1
    assert errors[0].location.line == line
    assert "finer than a millisecond" in errors[0].message


def test_millisecond_literals_validate_and_generate_exactly() -> None:
    spec = load_spec_text(SPEC.format(default=FINE, literal=FINE, scheduled=FINE), "spec.yaml")
    document = plan_document(spec)
    assert document["inputs"][0]["default"] == FINE
    assert document["steps"][0]["inputs"][1]["value"] == FINE
    assert document["schedule"]["inputs"] == {"at": FINE}
    schedule = schedule_script(spec, schedule_input_values(spec)[0])
    assert schedule is not None
    assert FINE in schedule
