"""The Apex engine's state machine, in Python: one job = one step attempt + its finalizer.

:func:`simulate` is a pure function of (orchestration, fixtures, control actions) -> trace.
It follows docs/engine.md "Semantics of a run" step for step; the scenario files under
``tests/scenarios`` hold this module and the Apex engine to the same traces. This module is
the run loop (jobs, their chains, the recorder's retries) and the control actions; one attempt
and the finalizer's decision after it are in :mod:`.attempts`.

Control actions are applied in the order given; only the first unapplied one is armed.
``pause``/``cancel`` with a step fire *after* (the request arrives while that attempt runs and
takes effect at its boundary) or *before* (the job for that attempt is queued, not started,
and is aborted) the first matching attempt; ``resume`` with a step (after a pause at the same
attempt) arrives before that attempt's finalizer ran. ``resume``, ``retry`` and a step-less
``cancel`` apply when the run has stopped (Paused, Failed, Cancelled).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from stepforce.diagnostics import Location
from stepforce.generator.simulate.attempts import (
    Pending,
    RunEnd,
    abbreviated,
    next_job,
    recorded,
    run_attempt,
)
from stepforce.generator.simulate.coerce import to_json
from stepforce.generator.simulate.controls import (
    Action,
    Control,
    FixtureProblemsError,
    InputsRejectedError,
    InputsTooLargeError,
    Moment,
    check_context_size,
    check_control,
    prepare_run_inputs,
)
from stepforce.generator.simulate.fixtures import (
    RECORDER_DELAYS,
    Feed,
    Fixtures,
    FixturesExhausted,
    check_fixtures,
    plain_numbers,
)
from stepforce.generator.simulate.plan import JsonMap
from stepforce.generator.simulate.trace import (
    RECORDER,
    REFUSED,
    RELAY,
    AttemptEvent,
    ControlEvent,
    Event,
    Position,
    RunStatus,
    StepRunStatus,
    Trace,
)
from stepforce.generator.simulate.yamlsrc import problem
from stepforce.generator.spec.model import Orchestration

#: Where the engine finds the run's plan at each hop.
PlanSource = Callable[[], Orchestration]
#: Called before each job with the position it runs.
HopHook = Callable[[Position], None]


def simulate(
    orchestration: Orchestration,
    fixtures: Fixtures,
    controls: Sequence[Control] = (),
    *,
    plan: PlanSource | None = None,
    on_hop: HopHook | None = None,
) -> Trace:
    """Run ``orchestration`` with ``fixtures`` as the steps' results.

    ``plan`` gives the plan the run is on at each use (default: ``orchestration``): a run
    pinned to a plan version reads that version's document, a model of the org's engine
    (tests/simulate/test_plan_versions.py). ``on_hop`` is called before each job runs.

    Raises SpecError (with file:line) for bad fixtures or controls: unknown steps/outputs, run
    inputs ``prepareInputs`` refuses, an exhausted fixture list, an illegal transition or a
    control that never found its moment. A failed *run* is not an error: it is in the trace.
    """
    check_fixtures(fixtures, orchestration)
    for control in controls:
        check_control(orchestration, control)
    return _Simulation(orchestration, fixtures, controls, plan, on_hop).run()


__all__ = [  # the controls and errors are re-exported: callers know them from here
    "Action",
    "Control",
    "FixtureProblemsError",
    "InputsRejectedError",
    "InputsTooLargeError",
    "Moment",
    "simulate",
]


#: The chain depth cap the scenario tests pin (StepforceTestSupport.SIMULATED_CHAIN_DEPTH).
CHAIN_CAP = 5
#: StepforceFinalizer.MAX_FAILED_JOBS_IN_ROW: the platform allows 5 re-enqueues after failed
#: jobs in a row, so the finalizer relays once more than 5 jobs failed in a row.
MAX_FAILED_JOBS_IN_ROW = 5


class _Simulation:
    def __init__(
        self,
        orchestration: Orchestration,
        fixtures: Fixtures,
        controls: Iterable[Control],
        plan: PlanSource | None = None,
        on_hop: HopHook | None = None,
    ) -> None:
        self.plan: PlanSource = plan or (lambda: orchestration)
        self.on_hop = on_hop
        self.fixtures = fixtures
        self.controls = list(controls)
        self.feed = Feed(fixtures)
        self.events: list[Event] = []
        self.status = RunStatus.QUEUED
        self.position = Position(0)
        self.inputs: JsonMap = {}
        self.outputs: dict[str, JsonMap] = {}
        self.error: str | None = None
        self.clock = 0
        self.pending: Pending | None = None
        self.early_resume: Position | None = None
        self.job = Pending(Position(0), 0)  # the job whose attempt runs or was just run

    @property
    def orch(self) -> Orchestration:
        """The run's plan, looked up at every use as the engine looks it up at every hop."""
        return self.plan()

    # -- the loop ---------------------------------------------------------------------------
    def run(self) -> Trace:
        self.inputs = self._prepare(self.fixtures.inputs, self.fixtures.input_locations)
        check_context_size(self.inputs, self.fixtures.location)
        self.pending = Pending(Position(0), 0)
        self._note("start", self.position, inputs=dict(self.inputs))
        try:
            while self._tick():
                continue
        except FixturesExhausted:
            raise FixtureProblemsError(self.feed.problems, self._trace()) from None
        if self.feed.problems:
            raise FixtureProblemsError(self.feed.problems, self._trace())
        if self.controls:
            control = self.controls[0]
            raise problem(
                control.location,
                f"'{control.describe()}' never applied: "
                f"the run ended {self.status.value} before that point",
            )
        return self._trace()

    def _trace(self) -> Trace:
        return Trace(
            orchestration=self.orch.name,
            events=tuple(self.events),
            status=self.status,
            error=self.error,
            current_step=self.orch.steps[self.position.index].name,
            inputs=self.inputs,
            outputs=self.outputs,
            clock_minutes=self.clock,
        )

    def _tick(self) -> bool:
        """Run the queued job, or apply the next control once the run stopped; False at rest."""
        if self.pending is not None:
            self._next_job(self.pending)
        elif self.controls and not self.controls[0].is_trigger:
            self._apply_idle(self.controls.pop(0))
        else:
            return False
        return True

    def _armed(self, moment: Moment, position: Position) -> Control | None:
        if not self.controls:
            return None
        control = self.controls[0]
        step = self.orch.steps[position.index].name
        if control.is_trigger and control.moment is moment and control.matches(step, position):
            return self.controls.pop(0)
        return None

    def _next_job(self, pending: Pending) -> None:
        if self.on_hop is not None:
            self.on_hop(pending.position)  # e.g. a deploy between two jobs
        self.position = pending.position
        before = self._armed(Moment.BEFORE, pending.position)
        self.pending = None
        self.job = pending
        if before is not None:  # the queued job is aborted; its position is kept
            self.status = RunStatus.PAUSED if before.action is Action.PAUSE else RunStatus.CANCELLED
            if not before.started:
                self._note(before.action.value, pending.position, "queued job aborted")
                return
            # The abort came too late: the job had started. Job_Id__c is cleared all the same,
            # and the job's finalizer owns a run with no job id, so it still records the attempt.
            detail = "its job had already started: the abort missed it, it runs"
            self._note(before.action.value, pending.position, detail)
        self.clock += pending.delay
        if self.status is RunStatus.QUEUED:
            self.status = RunStatus.RUNNING
        step = self.orch.steps[pending.position.index]
        event = run_attempt(
            step,
            pending,
            clock=self.clock,
            inputs=self.inputs,
            outputs=self.outputs,
            feed=self.feed,
        )
        # Controls requested while the job runs, before its finalizer reads the status.
        during: Control | None = None
        while (control := self._armed(Moment.AFTER, pending.position)) is not None:
            self._during(control, pending.position)
            during = control
        self._finalize(event, during)

    def _during(self, control: Control, position: Position) -> None:
        """The service sets the status while the job runs; a resume must follow a pause."""
        if control.action is Action.RETRY:
            if self.status is not RunStatus.CANCELLED:
                raise problem(
                    control.location,
                    f"illegal transition: retry a {self.status.value} run (the org answers 409)",
                )
            # StepforceService.retry: the cancelled attempt's job is still alive (or holds the
            # position's duplicate signature): 409, nothing enqueued, nothing changed.
            step = self.orch.steps[position.index].name
            detail = f"409: the job of its step {step} is still running; nothing enqueued"
            self._note(REFUSED, position, detail)
            return
        if control.action is Action.RESUME:
            if self.status is not RunStatus.PAUSED:
                raise problem(
                    control.location,
                    f"illegal transition: resume a {self.status.value} run (the org answers 409)",
                )
            # StepforceService.resume sees the job may still move the run on (its finalizer
            # has not run): it enqueues nothing, and the finalizer carries on as if no pause
            # was asked, so a retry delay it decides is served.
            self.status = RunStatus.RUNNING
            self.early_resume = position  # noted after the attempt, where it takes effect
            return
        self.status = RunStatus.PAUSED if control.action is Action.PAUSE else RunStatus.CANCELLED

    # -- the finalizer ----------------------------------------------------------------------
    def _finalize(self, event: AttemptEvent, during: Control | None) -> None:
        step = self.orch.steps[event.index]
        position = Position(event.index, event.attempt, event.iteration)
        job_failed = event.status is StepRunStatus.FAILED  # the engine fails a failed attempt's job
        # The Step Run is decided first (StepforceTransition.decide), whatever the run's status.
        event = recorded(step, event)
        # Error__c holds at most ERROR_LIMIT characters; the run error is built from the whole.
        shown = replace(event, error=abbreviated(event.error))
        if self.status is RunStatus.CANCELLED:  # record the attempt, change nothing else
            self._record(shown)
            self._note("cancel", position, "at step boundary")
            return
        if event.outputs is not None:  # succeeded, or failed at max_iterations: kept
            self.outputs[step.name] = event.outputs
        decided = next_job(step, event, len(self.orch.steps))
        next_pending = decided if isinstance(decided, Pending) else None
        if isinstance(decided, RunEnd):
            self.status = decided.status
            if decided.error is not None:
                self.error = decided.error
        self._record(shown)
        if self.early_resume is not None:
            detail = (
                "paused and resumed before the attempt's finalizer ran: it carries on, delay served"
            )
            self._note("resume", self.early_resume, detail)
            self.early_resume = None
        if next_pending is not None and self.status is RunStatus.PAUSED:
            self.position = next_pending.position  # kept; resume enqueues it without delay
            self._note("pause", next_pending.position, "at step boundary")
            return
        if next_pending is not None:
            self._chain(next_pending, job_failed)
        self.pending = next_pending
        if during is not None and during.action is Action.PAUSE:  # the run ended first
            self._note("pause", position, f"ignored: the run ended {self.status.value}")

    def _record(self, event: AttemptEvent) -> None:
        """The finalizer records the attempt; when its writes fail, StepforceRecorder tries
        again after each of RECORDER_DELAYS until one succeeds, and the run then goes on
        exactly as if the finalizer had succeeded (the clock moves by the waits)."""
        self.events.append(event)
        position = Position(event.index, event.attempt, event.iteration)
        for number in range(1, event.bookkeeping_fails + 1):
            wait = RECORDER_DELAYS[number - 1]
            self.clock += wait
            done = "recorded" if number == event.bookkeeping_fails else "failed again"
            self._note(RECORDER, position, f"try {number} after {wait} min: {done}")

    def _chain(self, next_pending: Pending, job_failed: bool) -> None:
        """StepforceFinalizer.continueWith: the next job is one deeper in the chain, unless the
        chain reached its cap or more than MAX_FAILED_JOBS_IN_ROW jobs failed in a row: then a relay
        batch (run as the same user) enqueues it in a new chain."""
        in_row = self.job.failed_in_row + 1 if job_failed else 0
        if self.job.depth + 1 >= CHAIN_CAP or in_row > MAX_FAILED_JOBS_IN_ROW:
            why = (
                "chain depth cap"
                if self.job.depth + 1 >= CHAIN_CAP
                else "more than 5 failed jobs in a row"
            )
            self._note(RELAY, next_pending.position, f"batch, depth reset: {why}")
            return  # the relay's job starts a new chain: depth 1, no failed jobs before it
        next_pending.depth = self.job.depth + 1
        next_pending.failed_in_row = in_row

    # -- controls while the run has stopped ----------------------------------------------------
    def _apply_idle(self, control: Control) -> None:
        allowed = {
            Action.RESUME: (RunStatus.PAUSED,),
            Action.CANCEL: (RunStatus.PAUSED,),
            Action.RETRY: (RunStatus.FAILED, RunStatus.CANCELLED),
        }[control.action]
        if self.status not in allowed:
            raise problem(
                control.location,
                f"illegal transition: {control.action.value} a {self.status.value} run "
                f"(the org answers 409)",
            )
        if control.action is Action.RESUME:
            self.status = RunStatus.RUNNING
            self.pending = Pending(self.position, 0)
            self._note("resume", self.position)
        elif control.action is Action.CANCEL:
            self.status = RunStatus.CANCELLED
            self._note("cancel", self.position, "paused run")
        else:
            self._retry(control)

    def _retry(self, control: Control) -> None:
        index = self.position.index
        if control.from_step is not None:
            index = self.orch.step_index(control.from_step)
        locations = {name: control.location for name in control.inputs}
        overrides = plain_numbers(dict(control.inputs))
        self.inputs = self._prepare({**self.inputs, **overrides}, locations)
        self.status = RunStatus.QUEUED
        self.error = None
        self.position = Position(index)
        self.pending = Pending(self.position, 0)
        overrides = to_json(dict(control.inputs)) or None
        step = self.orch.steps[index]
        detail = ""
        if step.repeat is not None:  # earlier iterations' outputs stay in the context
            detail = f"{step.name} repeats: it restarts at iteration 1, where $self is empty (null)"
        self._note("retry", self.position, detail, inputs=overrides)

    # -- helpers --------------------------------------------------------------------------------
    def _prepare(self, raw: Mapping[str, Any], locations: Mapping[str, Location]) -> JsonMap:
        return prepare_run_inputs(self.orch, raw, locations, self.fixtures.location)

    def _note(
        self, action: str, position: Position, detail: str = "", inputs: JsonMap | None = None
    ) -> None:
        self.events.append(
            ControlEvent(
                action=action,
                status=self.status,
                step=self.orch.steps[position.index].name,
                attempt=position.attempt,
                iteration=position.iteration,
                at_minute=self.clock,
                detail=detail,
                inputs=inputs,
            )
        )
