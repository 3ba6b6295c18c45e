"""Issue 18 item 11: a resume that arrives before the paused attempt's finalizer ran."""

from __future__ import annotations

import pytest

from stepforce.errors import SpecError
from stepforce.generator.simulate.engine import Action, Control, Moment, simulate
from stepforce.generator.simulate.trace import ControlEvent, RunStatus
from stepforce.generator.spec.model import Retry
from tests.simulate.conftest import fixtures_from, make_orch, make_step

ORCH = make_orch(
    make_step("Fetch", outputs={"n": "Number"}, retry=Retry(2, (7,))),
    make_step("Post", outputs={"ok": "Boolean"}),
)
FIXTURES = fixtures_from(
    "steps:\n  Fetch: [{error: boom}, {outputs: {n: 1}}]\n  Post: [{outputs: {ok: true}}]\n"
)


def test_the_finalizer_carries_on_and_serves_the_retry_delay() -> None:
    controls = [Control(Action.PAUSE, step="Fetch"), Control(Action.RESUME, step="Fetch")]
    trace = simulate(ORCH, FIXTURES, controls)
    assert trace.status is RunStatus.SUCCEEDED
    assert trace.delays == [7]
    notes = [e for e in trace.events if isinstance(e, ControlEvent)]
    assert [(n.action, n.step, n.detail) for n in notes][1] == (
        "resume",
        "Fetch",
        "paused and resumed before the attempt's finalizer ran: it carries on, delay served",
    )


def test_a_resume_at_the_boundary_instead_does_not_serve_the_delay() -> None:
    trace = simulate(ORCH, FIXTURES, [Control(Action.PAUSE, step="Fetch"), Control(Action.RESUME)])
    assert trace.status is RunStatus.SUCCEEDED
    assert trace.delays == []


def test_a_resume_during_an_attempt_needs_a_pause_first() -> None:
    with pytest.raises(SpecError, match="illegal transition: resume a Running run"):
        simulate(ORCH, FIXTURES, [Control(Action.RESUME, step="Fetch")])


def test_a_resume_before_a_queued_job_is_refused() -> None:
    with pytest.raises(SpecError, match="resume takes 'after: STEP'"):
        simulate(ORCH, FIXTURES, [Control(Action.RESUME, step="Fetch", moment=Moment.BEFORE)])
