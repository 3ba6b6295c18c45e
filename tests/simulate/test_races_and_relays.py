"""Issue 12: the races the service closes, and relays that keep the running user."""

from __future__ import annotations

import pytest

from stepforce.errors import SpecError
from stepforce.generator.simulate import engine
from stepforce.generator.simulate.engine import Action, Control, Moment, simulate
from stepforce.generator.simulate.trace import STARTER, ControlEvent, RunStatus, render_lines
from stepforce.generator.spec.model import OnFailure, Retry
from tests.simulate.conftest import fixtures_from, make_orch, make_step

ORCH = make_orch(
    make_step("Fetch", outputs={"n": "Number"}, retry=Retry(2, (7,))),
    make_step("Post", outputs={"ok": "Boolean"}),
)


def _notes(trace: engine.Trace) -> list[tuple[str, str | None, int | None]]:
    return [(e.action, e.step, e.attempt) for e in trace.events if isinstance(e, ControlEvent)]


def test_a_retry_while_the_cancelled_job_runs_is_refused_and_enqueues_nothing() -> None:
    fixtures = fixtures_from(
        "steps:\n  Fetch: [{outputs: {n: 1}}, {outputs: {n: 2}}]\n  Post: [{outputs: {ok: true}}]\n"
    )
    controls = [
        Control(Action.CANCEL, step="Fetch"),
        Control(Action.RETRY, step="Fetch"),
        Control(Action.RETRY),
    ]
    trace = simulate(ORCH, fixtures, controls)
    assert [n[0] for n in _notes(trace)] == ["start", "retry refused", "cancel", "retry"]
    assert len(trace.refusals) == 1
    assert "409: the job of its step Fetch is still running" in trace.refusals[0].detail
    # one attempt before the finalizer ran; the later retry ran Fetch again
    assert [(a.step, a.outputs) for a in trace.attempts] == [
        ("Fetch", {"n": 1}),
        ("Fetch", {"n": 2}),
        ("Post", {"ok": True}),
    ]
    assert trace.status is RunStatus.SUCCEEDED


def test_a_refused_retry_leaves_the_run_cancelled() -> None:
    fixtures = fixtures_from("steps:\n  Fetch: [{outputs: {n: 1}}]\n  Post: []\n")
    controls = [Control(Action.CANCEL, step="Fetch"), Control(Action.RETRY, step="Fetch")]
    trace = simulate(ORCH, fixtures, controls)
    assert trace.status is RunStatus.CANCELLED
    assert len(trace.attempts) == 1


def test_a_retry_during_an_attempt_of_a_running_run_is_an_illegal_transition() -> None:
    fixtures = fixtures_from("steps:\n  Fetch: [{outputs: {n: 1}}]\n  Post: [{outputs: {}}]\n")
    with pytest.raises(SpecError, match="illegal transition: retry a Running run"):
        simulate(ORCH, fixtures, [Control(Action.RETRY, step="Fetch")])


def test_a_retry_before_a_queued_job_is_refused_as_a_control() -> None:
    fixtures = fixtures_from("steps:\n  Fetch: [{outputs: {n: 1}}]\n  Post: [{outputs: {}}]\n")
    with pytest.raises(SpecError, match="retry takes 'after: STEP'"):
        simulate(ORCH, fixtures, [Control(Action.RETRY, step="Fetch", moment=Moment.BEFORE)])


def test_a_pause_whose_abort_missed_a_started_job_then_a_resume_runs_the_attempt_once() -> None:
    fixtures = fixtures_from(
        "steps:\n  Fetch: [{outputs: {n: 1}}]\n  Post: [{outputs: {ok: true}}]\n"
    )
    controls = [
        Control(Action.PAUSE, step="Post", moment=Moment.BEFORE, started=True),
        Control(Action.RESUME, step="Post"),
    ]
    trace = simulate(ORCH, fixtures, controls)
    assert trace.status is RunStatus.SUCCEEDED
    assert [a.step for a in trace.attempts] == ["Fetch", "Post"]
    assert [n[0] for n in _notes(trace)] == ["start", "pause", "resume"]


def test_a_pause_whose_abort_missed_a_started_job_stops_at_its_boundary() -> None:
    fixtures = fixtures_from(
        "steps:\n  Fetch: [{error: boom}, {outputs: {n: 1}}]\n  Post: [{outputs: {ok: true}}]\n"
    )
    controls = [Control(Action.PAUSE, step="Fetch", moment=Moment.BEFORE, started=True)]
    trace = simulate(ORCH, fixtures, controls)
    assert trace.status is RunStatus.PAUSED
    assert [(a.step, a.error) for a in trace.attempts] == [("Fetch", "boom")]
    assert (trace.current_step, _notes(trace)[-1]) == ("Fetch", ("pause", "Fetch", 2))


def test_started_goes_only_with_before() -> None:
    fixtures = fixtures_from("steps:\n  Fetch: [{outputs: {n: 1}}]\n  Post: [{outputs: {}}]\n")
    with pytest.raises(SpecError, match="'started' goes with 'before: STEP'"):
        simulate(ORCH, fixtures, [Control(Action.PAUSE, step="Fetch", started=True)])


LONG = make_orch(
    make_step("Sync", outputs={"n": "Number"}, retry=Retry(5, ()), on_failure=OnFailure.CONTINUE),
    make_step("Notify", outputs={"ok": "Boolean"}, retry=Retry(3, (2,))),
)
LONG_FIXTURES = fixtures_from(
    "steps:\n  Sync: [{error: down, times: 5}]\n"
    "  Notify: [{error: busy}, {error: busy}, {outputs: {ok: true}}]\n"
)


def test_the_fourth_job_of_a_chain_relays_and_every_attempt_runs_as_the_starter() -> None:
    trace = simulate(LONG, LONG_FIXTURES)
    assert trace.status is RunStatus.SUCCEEDED
    assert len(trace.attempts) == 8
    # jobs 1-4 in the first chain, 5-8 in the relayed one; the last job starts nothing
    assert [(r.step, r.attempt, r.detail) for r in trace.relays] == [
        ("Sync", 5, "batch, depth reset: chain depth cap")
    ]
    assert {a.ran_as for a in trace.attempts} == {STARTER}
    assert all(a.to_json()["ranAs"] == "starter" for a in trace.attempts)
    lines = render_lines(trace)
    assert (
        "[t+0m] relay at Sync iteration 1 attempt 5 (batch, depth reset: chain depth cap)"
        " -> Running" in lines
    )
    assert lines.count("    ran as: starter") == 8


def test_five_failed_jobs_in_a_row_relay_when_the_cap_is_higher(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(engine, "CHAIN_CAP", 50)
    trace = simulate(LONG, LONG_FIXTURES)
    # Sync's 5 failed jobs, then Notify: the finalizer relays before a 6th re-enqueue
    assert [(r.step, r.detail) for r in trace.relays] == [
        ("Notify", "batch, depth reset: 5 failed jobs in a row")
    ]


def test_a_job_that_completes_resets_the_failed_jobs_in_a_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(engine, "CHAIN_CAP", 50)
    fixtures = fixtures_from(
        "steps:\n  Sync: [{error: a, times: 4}, {outputs: {n: 1}}]\n"
        "  Notify: [{error: b, times: 2}, {outputs: {ok: true}}]\n"
    )
    assert simulate(LONG, fixtures).relays == []


def test_failed_bookkeeping_is_recorded_by_the_recorder_and_the_run_goes_on() -> None:
    fixtures = fixtures_from(
        "steps:\n  Fetch: [{error: boom, bookkeeping_fails: 2}, {outputs: {n: 1}}]\n"
        "  Post: [{outputs: {ok: true}, bookkeeping_fails: 5}]\n"
    )
    trace = simulate(ORCH, fixtures)
    assert trace.status is RunStatus.SUCCEEDED
    assert [a.bookkeeping_fails for a in trace.attempts] == [2, 0, 5]
    tries = [
        e.detail for e in trace.events if isinstance(e, ControlEvent) and e.action == "recorder"
    ]
    assert tries == [
        "try 1 after 1 min: failed again",
        "try 2 after 2 min: recorded",
        "try 1 after 1 min: failed again",
        "try 2 after 2 min: failed again",
        "try 3 after 4 min: failed again",
        "try 4 after 8 min: failed again",
        "try 5 after 10 min: recorded",
    ]
    # the retry after the recorded failure keeps its delay; the clock counts the waits
    assert trace.delays == [7]
    assert trace.attempts[1].at_minute == 1 + 2 + 7
    assert trace.clock_minutes == 10 + 25


def test_more_bookkeeping_failures_than_recorder_tries_are_refused() -> None:
    with pytest.raises(SpecError, match="bookkeeping_fails is at most 5"):
        fixtures_from("steps:\n  Fetch: [{outputs: {n: 1}, bookkeeping_fails: 6}]\n")
