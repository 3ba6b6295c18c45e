"""Every validation rule, each with a spec that passes and one that fails."""

from __future__ import annotations

import pytest

from stepforce.generator.spec.model import MAX_ATTEMPTS, MAX_ITERATIONS, OnFailure, StepKind
from stepforce.generator.spec.names import name_problem
from tests.spec.support import MINIMAL, errors, load, problems, with_step


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("Invoice_Sync", None),
        ("A1", None),
        ("1Invoice", "must start with a letter"),
        ("_Invoice", "must start with a letter"),
        ("Invoice-Sync", "may only contain letters, digits and underscores"),
        ("Invoice__Sync", "two underscores"),
        ("Invoice_", "ends with an underscore"),
        ("Select", "Apex reserved word"),
        ("TRIGGER", "Apex reserved word"),
        ("A" * 41, "the limit is 40"),
        ("Ünicode", "must start with a letter"),
    ],
)
def test_name_rules(name: str, problem: str | None) -> None:
    found = name_problem(name, "step name")
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert problem in found


def test_orchestration_name_limit_is_80() -> None:
    # the Run's Orchestration__c holds 80; the job "Stepforce <name>" fits CronJobDetail.Name
    assert load(MINIMAL.replace("Demo", "A" * 80)).name == "A" * 80
    assert errors(MINIMAL.replace("Demo", "A" * 81)) == [
        f"orchestration: orchestration name '{'A' * 81}' is 81 characters long; the limit is 80"
    ]


def test_namespace_limit_is_15() -> None:
    ok = load(with_step("name: Third\napex: Pkg\nnamespace: abcdefghijklmno"))
    assert ok.steps[2].namespace == "abcdefghijklmno"
    assert errors(with_step("name: Third\napex: Pkg\nnamespace: abcdefghijklmnop")) == [
        "steps[2].namespace: namespace 'abcdefghijklmnop' is 16 characters long; the limit is 15"
    ]


def test_flow_and_apex_names_are_checked() -> None:
    assert errors(with_step("name: Third\nflow: My Flow")) == [
        "steps[2].flow: Flow API name 'My Flow' may only contain letters, digits and underscores"
    ]
    assert errors(with_step("name: Third\napex: class")) == [
        "steps[2].apex: Apex class name 'class' is an Apex reserved word"
    ]


def test_exactly_one_of_flow_and_apex() -> None:
    assert errors(with_step("name: Third")) == [
        "steps[2]: a step needs 'flow' or 'apex': give exactly one (what the step runs)"
    ]
    assert errors(with_step("name: Third\nflow: F\napex: A")) == [
        "steps[2]: a step has both 'flow' and 'apex': give exactly one (what the step runs)"
    ]


def test_step_kinds_and_defaults() -> None:
    spec = load(MINIMAL)
    first, second = spec.steps
    assert (first.kind, first.target) == (StepKind.APEX, "FirstStep")
    assert (second.kind, second.target) == (StepKind.FLOW, "Second_Flow")
    assert second.retry.attempts == 1
    assert second.on_failure is OnFailure.FAIL
    assert second.callouts is False
    assert second.repeat is None


def test_step_names_are_unique_ignoring_case() -> None:
    assert errors(with_step("name: first\napex: X")) == [
        "steps[2].name: step name 'first' is already used by an earlier step "
        "(names must differ in more than case)"
    ]


def test_at_least_one_step() -> None:
    assert errors("orchestration: A\nsteps: []\n") == [
        "steps: an orchestration needs at least one step"
    ]


def test_repeat_until_must_be_a_boolean_output() -> None:
    ok = load(with_step("name: Third\napex: X\noutputs: {more: Boolean}\nrepeat: {until: more}"))
    assert ok.steps[2].repeat is not None
    assert ok.steps[2].repeat.max_iterations == 100
    assert errors(with_step("name: Third\napex: X\noutputs: {n: Number}\nrepeat: {until: n}")) == [
        "steps[2].repeat.until: 'n' is a Number output; repeat.until needs a Boolean output"
    ]
    assert errors(
        with_step("name: Third\napex: X\noutputs: {done: Boolean}\nrepeat: {until: don}")
    ) == ["steps[2].repeat.until: 'don' is not an output of step 'Third' (did you mean 'done'?)"]
    assert errors(with_step("name: Third\napex: X\nrepeat: {max_iterations: 5}")) == [
        "steps[2].repeat: missing required key 'until'"
    ]


@pytest.mark.parametrize(
    ("value", "ok"), [(1, True), (MAX_ITERATIONS, True), (0, False), (MAX_ITERATIONS + 1, False)]
)
def test_max_iterations_bounds(value: int, ok: bool) -> None:
    text = with_step(
        f"name: T\napex: X\noutputs: {{d: Boolean}}\nrepeat: {{until: d, max_iterations: {value}}}"
    )
    if ok:
        assert load(text).steps[2].repeat.max_iterations == value  # type: ignore[union-attr]
    else:
        assert errors(text) == [
            f"steps[2].repeat.max_iterations: must be from 1 to {MAX_ITERATIONS}, not {value}"
        ]


@pytest.mark.parametrize(
    ("attempts", "ok"), [(1, True), (MAX_ATTEMPTS, True), (0, False), (7, False)]
)
def test_retry_attempt_bounds(attempts: int, ok: bool) -> None:
    text = with_step(f"name: T\napex: X\nretry: {{attempts: {attempts}, delay_minutes: 0}}")
    if ok:
        assert load(text).steps[2].retry.attempts == attempts
    else:
        assert errors(text) == [f"steps[2].retry.attempts: must be from 1 to 6, not {attempts}"]


def test_delay_minutes_int_or_list_within_0_to_10() -> None:
    spec = load(with_step("name: T\napex: X\nretry: {attempts: 3, delay_minutes: [0, 10]}"))
    assert spec.steps[2].retry.delay_minutes == (0, 10)
    spec = load(with_step("name: T\napex: X\nretry: {attempts: 3, delay_minutes: 4}"))
    assert spec.steps[2].retry.delay_minutes == (4,)
    assert errors(with_step("name: T\napex: X\nretry: {attempts: 3, delay_minutes: [1, 11]}")) == [
        "steps[2].retry.delay_minutes[1]: must be from 0 to 10, not 11"
    ]
    assert errors(with_step("name: T\napex: X\nretry: {attempts: 3, delay_minutes: []}")) == [
        "steps[2].retry.delay_minutes: give at least one delay (minutes, 0 to 10)"
    ]
    assert errors(with_step("name: T\napex: X\nretry: {attempts: 3, delay_minutes: 1.5}")) == [
        "steps[2].retry.delay_minutes: expected a whole number, found a number"
    ]


def test_unused_delays_are_a_warning_only() -> None:
    text = with_step("name: T\napex: X\nretry: {attempts: 2, delay_minutes: [1, 2, 3]}")
    assert load(text).steps[2].retry.attempts == 2
    (warning,) = problems(text)
    assert not warning.is_error
    assert "only 1 retries happen" in warning.message


def test_on_failure_and_callouts() -> None:
    spec = load(with_step("name: T\napex: X\non_failure: continue\ncallouts: true"))
    assert spec.steps[2].on_failure is OnFailure.CONTINUE
    assert spec.steps[2].callouts is True
    assert errors(with_step("name: T\napex: X\non_failure: contine")) == [
        "steps[2].on_failure: must be fail or continue, not 'contine' (did you mean 'continue'?)"
    ]
    assert errors(with_step("name: T\napex: X\ncallouts: yes")) == [
        "steps[2].callouts: expected true or false, found text ('yes' is text here: write "
        "true or false)"
    ]


def test_inputs_short_and_long_form_with_defaults() -> None:
    spec = load(MINIMAL.replace("  size: {type: Number, default: 10}", "  size: Number"))
    assert str(spec.input("size").type) == "Number"  # type: ignore[union-attr]
    assert errors(MINIMAL.replace("default: 10", "default: ten")) == [
        "inputs.size.default: 'ten' is not a Number"
    ]
    assert errors(MINIMAL.replace("type: Number", "type: Numbr")) == [
        "inputs.size.type: unknown type 'Numbr' (did you mean 'Number'?)"
    ]


def test_required_with_default_is_a_warning() -> None:
    text = MINIMAL.replace(
        "{type: Number, default: 10}", "{type: Number, default: 10, required: true}"
    )
    (warning,) = problems(text)
    assert not warning.is_error
    assert "never missing" in warning.message


def test_schedule_requires_required_inputs_and_known_names() -> None:
    good = load(MINIMAL + "schedule:\n  cron: '0 0 2 * * ?'\n  inputs: {since: 2026-01-01}\n")
    assert good.schedule is not None
    assert good.schedule.inputs[0].value.value.isoformat() == "2026-01-01"  # type: ignore[union-attr]
    assert errors(MINIMAL + "schedule: {cron: '0 0 2 * * ?'}\n") == [
        "schedule.inputs: scheduled runs need the required input 'since': add it under "
        "schedule.inputs"
    ]
    assert errors(
        MINIMAL + "schedule: {cron: '0 0 2 * * ?', inputs: {since: 2026-01-01, sinse: 1}}\n"
    ) == [
        "schedule.inputs.sinse: 'sinse' is not an input of this orchestration "
        "(did you mean 'since'?)"
    ]


def test_schedule_inputs_are_typed_against_the_orchestration_inputs() -> None:
    assert errors(
        MINIMAL + "schedule: {cron: '0 0 2 * * ?', inputs: {since: 2026-01-01, size: big}}\n"
    ) == ["schedule.inputs.size: input 'size' is Number: 'big' is not a Number"]
    assert errors(MINIMAL + "schedule: {cron: '0 0 2 * * ?', inputs: {since: $input.since}}\n") == [
        "schedule.inputs.since: input 'since' is Date: references are not allowed here; a "
        "reference is $input.X, $steps.Step.X or $self.X; start with '$$' for a literal '$'"
    ]


def test_bad_cron_is_reported_on_the_cron_line() -> None:
    (problem,) = [
        d
        for d in problems(
            MINIMAL + "schedule:\n  cron: '0 0 25 * * ?'\n  inputs: {since: 2026-01-01}\n"
        )
        if d.is_error
    ]
    assert problem.path == "schedule.cron"
    assert problem.location.line == MINIMAL.count("\n") + 2
    assert "hours" in problem.message


def test_names_differing_only_in_case_collide() -> None:
    text = MINIMAL.replace("  size: {type: Number, default: 10}", "  Since: Date")
    assert errors(text) == [
        "inputs.Since: 'Since' differs from 'since' only in case; use one spelling"
    ]
    text = MINIMAL.replace("done: Boolean", "Count: Boolean")
    assert errors(text) == [
        "steps[0].outputs.Count: 'Count' differs from 'count' only in case; use one spelling"
    ]


def test_an_invalid_repeat_still_allows_self_and_checks_until() -> None:
    text = with_step(
        "name: T\napex: X\ninputs: {c: $self.n}\noutputs: {n: Number}\n"
        "repeat: {until: n, max_iterations: 0}"
    )
    assert errors(text) == [
        "steps[2].repeat.until: 'n' is a Number output; repeat.until needs a Boolean output",
        "steps[2].repeat.max_iterations: must be from 1 to 10000, not 0",
    ]
