"""The generated output of every example, and of a 200-step spec, passes `stepforce check`."""

from __future__ import annotations

from pathlib import Path

import pytest

from stepforce.diagnostics import Severity
from stepforce.generator.check import CheckStatus, run_checks
from stepforce.generator.generate import generate
from tests.generate.conftest import spec_with_steps, write_spec

REPO = Path(__file__).resolve().parents[2]


def _errors(out: Path) -> list[str]:
    """Every error `stepforce check` finds in the generated project (runtime included: the
    generated project is what gets deployed)."""
    report = run_checks(out)  # installs the tools when they are missing (once, needs npm)
    ran = {c.name for c in report.checks if c.status is not CheckStatus.SKIPPED}
    assert ran == {"schema", "syntax", "semantics", "pmd", "format", "rules"}
    return [str(problem) for problem in report.errors]


@pytest.mark.slow
def test_examples_generate_to_a_clean_project(tmp_path: Path) -> None:
    specs = sorted((REPO / "examples").glob("*.yaml"))
    assert specs, "the repository ships example specs"
    generate(specs, tmp_path / "out")
    assert _errors(tmp_path / "out") == []


@pytest.mark.slow
def test_a_200_step_spec_generates_to_a_clean_project(tmp_path: Path) -> None:
    spec = write_spec(tmp_path / "specs", "chain.yaml", spec_with_steps("Long_Chain", 200))
    step = write_spec(
        tmp_path / "specs/force-app/main/default/classes",
        "ChainStep.cls",
        "public with sharing class ChainStep implements StepforceStep {\n"
        "  public Map<String, Object> execute(StepforceStepContext context) {\n"
        "    return new Map<String, Object>{ 'value' => context.inputs.get('value') };\n"
        "  }\n}\n",
    )
    write_spec(step.parent, "ChainStep.cls-meta.xml", _class_meta())
    result = generate([spec], tmp_path / "out")
    assert result.diagnostics == []  # ChainStep was found and implements StepforceStep
    assert _errors(tmp_path / "out") == []


def _class_meta() -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">\n'
        "    <apiVersion>62.0</apiVersion>\n    <status>Active</status>\n</ApexClass>\n"
    )


@pytest.mark.slow
def test_random_specs_generate_to_a_project_without_errors_or_warnings(tmp_path: Path) -> None:
    """Specs of every shape (no outputs, no inputs, lists, repeats, long and unicode texts):
    the generated code draws not even a PMD warning. This found an unused local variable in
    plans whose steps have no outputs."""
    from tests.layout.random_specs import random_spec

    specs = [
        write_spec(tmp_path / "specs", f"random{seed}.yaml", random_spec(seed))
        for seed in range(3000, 3030)
    ]
    specs.append(write_spec(tmp_path / "specs", "bare.yaml", NO_OUTPUTS))
    generate(specs, tmp_path / "out")
    report = run_checks(tmp_path / "out")
    # The random steps' classes and flows are not in the project (no sources were given):
    # the plan rules say so as warnings, and nothing else is said.
    absent = [
        d
        for d in report.diagnostics
        if d.source == "rules/PLAN-TARGET" and "is not in this project" in d.message
    ]
    assert absent, "random targets are not in the project"
    assert {d.severity for d in absent} == {Severity.WARNING}
    others = [str(d) for d in report.diagnostics if d not in absent]
    assert others == []  # errors and warnings


NO_OUTPUTS = """\
orchestration: No_Outputs
steps:
  - name: A
    apex: DoA
  - name: B
    flow: Do_B
"""


def test_a_plan_whose_steps_have_no_outputs_stores_empty_outputs() -> None:
    from stepforce.generator.plan_document import plan_document
    from stepforce.generator.spec import load_spec_text

    document = plan_document(load_spec_text(NO_OUTPUTS, "n.yaml"))
    assert [step["outputs"] for step in document["steps"]] == [[], []]
