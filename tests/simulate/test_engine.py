"""Engine rules the scenario files cannot show: errors in fixtures/controls, purity, edges."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stepforce.errors import SpecError
from stepforce.generator.simulate.engine import (
    Action,
    Control,
    InputsRejectedError,
    Moment,
    simulate,
)
from stepforce.generator.simulate.fixtures import Fixtures
from stepforce.generator.simulate.trace import ControlEvent, RunStatus, StepRunStatus, render_lines
from stepforce.generator.spec.model import InputDecl, OnFailure, Repeat, Retry
from tests.simulate.conftest import fixtures_from, make_orch, make_step, vtype

PAGER = make_step(
    "Fetch",
    {"since": ("$input.since", "Date"), "cursor": ("$self.cursor", "Text")},
    {"cursor": "Text", "n": "Number", "done": "Boolean"},
    repeat=Repeat("done", 3),
    retry=Retry(2, (3,)),
)
POST = make_step("Post", {"total": ("$steps.Fetch.n", "Number")})
ORCH = make_orch(PAGER, POST, inputs=(InputDecl("since", vtype("Date"), required=True),))
DONE = "[{outputs: {done: true}}]"


def _fx(fetch: str) -> Fixtures:
    """Fixtures for ORCH: Fetch's results as a YAML flow list; Post returns nothing."""
    return fixtures_from(
        f"inputs: {{since: 2026-11-01}}\nsteps:\n  Fetch: {fetch}\n  Post: [{{outputs: {{}}}}]\n"
    )


def test_an_exhausted_fixture_list_names_the_step_and_its_line() -> None:
    fixtures = fixtures_from(
        "inputs: {since: 2026-11-01}\nsteps:\n  Fetch:\n    - outputs: {done: false}\n"
    )
    with pytest.raises(SpecError) as error:
        simulate(ORCH, fixtures)
    message = str(error.value.diagnostics[0])
    assert message.startswith("fixtures.yaml:3:3: simulate: steps.Fetch: fixtures for step 'Fetch'")
    assert "1 result(s) given, the engine needs one more for iteration 2 attempt 1" in message


def test_a_step_without_fixtures_is_exhausted_at_once() -> None:
    fixtures = fixtures_from(
        "inputs: {since: 2026-11-01}\nsteps:\n  Fetch:\n    - outputs: {done: true}\n"
    )
    with pytest.raises(SpecError, match="fixtures for step 'Post' are exhausted: 0 result"):
        simulate(ORCH, fixtures)


def test_a_result_marked_for_another_position_is_refused() -> None:
    fixtures = fixtures_from(
        "inputs: {since: 2026-11-01}\nsteps:\n  Fetch:\n    - {attempt: 2, outputs: {done: true}}\n"
    )
    with pytest.raises(
        SpecError,
        match=r"marked for iteration \* attempt 2, but the engine used it for iteration 1 att",
    ):
        simulate(ORCH, fixtures)


def test_run_inputs_go_through_prepare_inputs() -> None:
    fixtures = fixtures_from("inputs: {since: 'soon', extra: 1}\nsteps: {}\n")
    with pytest.raises(InputsRejectedError) as error:
        simulate(ORCH, fixtures)
    lines = sorted(str(d) for d in error.value.diagnostics)
    assert lines == [
        "fixtures.yaml:1:10: simulate: inputs.since: expected Date, got Text 'soon'",
        "fixtures.yaml:1:25: simulate: inputs.extra: unknown input of Demo",
    ]
    assert error.value.exit_code == 2


def test_an_input_that_cannot_be_coerced_fails_the_attempt_without_running_the_step() -> None:
    # A Number input fed from a Text run input that is not numeric (the validator would
    # refuse this spec; the engine still has to fail the attempt, not crash).
    step = make_step("Sum", {"amount": ("$input.amount", "Number")}, retry=Retry(2, (1,)))
    orch = make_orch(step, inputs=(InputDecl("amount", vtype("Text")),))
    fixtures = fixtures_from("inputs: {amount: lots}\nsteps:\n  Sum:\n    - outputs: {}\n")
    trace = simulate(orch, fixtures)
    assert [(a.status, a.inputs) for a in trace.attempts] == [(StepRunStatus.FAILED, None)] * 2
    assert trace.attempts[0].error == "Sum.inputs.amount: expected Number, got Text 'lots'"
    assert trace.status is RunStatus.FAILED  # the one fixture entry was never consumed


def test_a_resume_of_a_succeeded_run_is_an_illegal_transition() -> None:
    fixtures = _fx(DONE)
    with pytest.raises(SpecError, match="illegal transition: resume a Succeeded run"):
        simulate(ORCH, fixtures, [Control(Action.RESUME)])


def test_a_control_that_never_finds_its_attempt_is_reported() -> None:
    fixtures = _fx(DONE)
    with pytest.raises(SpecError, match="'pause after Fetch iteration 2' never applied"):
        simulate(ORCH, fixtures, [Control(Action.PAUSE, step="Fetch", iteration=2)])


def test_a_pause_loses_to_a_run_that_ends_at_that_boundary() -> None:
    fixtures = _fx(DONE)
    trace = simulate(ORCH, fixtures, [Control(Action.PAUSE, step="Post")])
    assert trace.status is RunStatus.SUCCEEDED
    assert any(
        "pause at Post" in line and "ignored: the run ended Succeeded" in line
        for line in render_lines(trace)
    )


def test_a_paused_run_can_be_cancelled_and_then_retried() -> None:
    fixtures = _fx("[{outputs: {n: 4, done: true}}]")
    controls = [
        Control(Action.PAUSE, step="Post", moment=Moment.BEFORE),
        Control(Action.CANCEL),
        Control(Action.RETRY),
    ]
    trace = simulate(ORCH, fixtures, controls)
    notes = [(e.action, e.status) for e in trace.events if isinstance(e, ControlEvent)]
    assert notes == [
        ("start", RunStatus.QUEUED),
        ("pause", RunStatus.PAUSED),
        ("cancel", RunStatus.CANCELLED),
        ("retry", RunStatus.QUEUED),
    ]
    assert trace.status is RunStatus.SUCCEEDED
    assert trace.attempts[-1].inputs == {"total": 4}


def test_a_retry_delay_waits_on_the_simulated_clock_and_resume_does_not_wait_again() -> None:
    fixtures = _fx("[{error: slow}, {outputs: {done: true}}]")
    plain = simulate(ORCH, fixtures)
    assert (plain.clock_minutes, plain.delays) == (3, [3])
    paused = simulate(
        ORCH, fixtures, [Control(Action.PAUSE, step="Fetch", attempt=1), Control(Action.RESUME)]
    )
    assert (paused.clock_minutes, paused.delays) == (0, [])


def test_max_iterations_failure_continues_when_the_step_says_so() -> None:
    pager = make_step(
        "Fetch",
        outputs={"done": "Boolean"},
        repeat=Repeat("done", 2),
        on_failure=OnFailure.CONTINUE,
    )
    orch = make_orch(pager, POST)
    fixtures = fixtures_from(
        "steps:\n  Fetch: [{outputs: {done: false}, times: 2}]\n  Post: [{outputs: {}}]\n"
    )
    trace = simulate(orch, fixtures)
    assert [a.status for a in trace.attempts] == [
        StepRunStatus.SUCCEEDED,
        StepRunStatus.FAILED,
        StepRunStatus.SUCCEEDED,
    ]
    assert trace.status is RunStatus.SUCCEEDED
    assert trace.outputs["Fetch"] == {"done": False}


def test_missing_outputs_are_null_and_flagged_in_the_trace() -> None:
    fixtures = _fx(DONE)
    trace = simulate(ORCH, fixtures)
    first = trace.attempts[0]
    assert first.outputs == {"cursor": None, "n": None, "done": True}
    assert first.missing_outputs == ("cursor", "n")
    assert "    warning: not returned (null): cursor, n" in render_lines(trace)


def test_simulate_is_pure() -> None:
    fixtures = _fx("[{error: x}, {outputs: {n: 1, done: true}}]")
    before = copy.deepcopy(fixtures)
    first = simulate(ORCH, fixtures)
    assert simulate(ORCH, fixtures) == first
    assert fixtures == before


@given(
    outcomes=st.lists(st.booleans(), min_size=1, max_size=12),
    attempts=st.integers(min_value=1, max_value=6),
    delays=st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=3),
)
def test_retry_follows_the_policy_for_any_sequence_of_failures(
    outcomes: list[bool], attempts: int, delays: list[int]
) -> None:
    """True = the attempt succeeds. The step repeats until three successes; every failure
    is retried with Retry.delay_before until `attempts` tries of one iteration failed."""
    retry = Retry(attempts, tuple(delays))
    step = make_step("S", outputs={"done": "Boolean"}, repeat=Repeat("done", 3), retry=retry)
    # Successes count iterations, so only the third success says done.
    successes = 0
    rendered = []
    for ok in outcomes:
        successes += ok
        rendered.append(
            f"{{outputs: {{done: {str(successes == 3).lower()}}}}}" if ok else "{error: e}"
        )
    # Trailing failures end any story: at most `attempts` of them fail the run.
    rendered += ["{error: e}"] * attempts
    trace = simulate(make_orch(step), fixtures_from("steps:\n  S: [" + ", ".join(rendered) + "]\n"))
    run_of_failures = 0
    for event in trace.attempts:
        failed = event.status is StepRunStatus.FAILED
        assert event.delay_minutes == (
            retry.delay_before(event.attempt) if event.attempt > 1 else 0
        )
        assert event.attempt == run_of_failures + 1
        run_of_failures = run_of_failures + 1 if failed else 0
    last = trace.attempts[-1]
    if trace.status is RunStatus.FAILED:
        assert last.attempt == attempts
        assert last.status is StepRunStatus.FAILED
    else:
        assert trace.status is RunStatus.SUCCEEDED
        assert last.iteration == 3
    assert trace.clock_minutes == sum(a.delay_minutes for a in trace.attempts)
