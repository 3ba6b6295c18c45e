"""One step attempt and what the finalizer decides after it, as pure functions.

:func:`run_attempt` is the job: the step's inputs resolved from the context, its fixture
outcome taken and its outputs coerced. :func:`recorded` is the Step Run the finalizer writes
for it (``StepforceTransition.decide``: a repeating step's last allowed iteration that is not
complete fails with the max_iterations error). :func:`next_job` is the bookkeeping of
attempts, retries and iterations: the job the finalizer enqueues next, or how the run ends.
The loop that runs the jobs, chains them and applies control actions is in :mod:`.engine`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from stepforce.generator.simulate.apex_strings import (
    ERROR_LIMIT,
    LONG_TEXT_LIMIT,
    apex_abbreviate,
    serialized_length,
    uncatchable_text,
)
from stepforce.generator.simulate.coerce import CoercionError
from stepforce.generator.simulate.fixtures import Feed, OutcomeKind
from stepforce.generator.simulate.plan import JsonMap, coerce_outputs, is_complete, resolve_inputs
from stepforce.generator.simulate.trace import AttemptEvent, Position, RunStatus, StepRunStatus
from stepforce.generator.spec.model import OnFailure, Step


@dataclass
class Pending:
    """A queued job: the attempt it runs and the delay before it starts."""

    position: Position
    delay: int
    depth: int = 1  # AsyncInfo's stack depth of the job: a new chain starts at 1
    failed_in_row: int = 0  # failed jobs before this one in its chain


@dataclass(frozen=True)
class RunEnd:
    """No next job: the run ends with ``status`` (and ``error`` when it failed)."""

    status: RunStatus
    error: str | None = None


def run_attempt(
    step: Step,
    pending: Pending,
    *,
    clock: int,
    inputs: JsonMap,
    outputs: dict[str, JsonMap],
    feed: Feed,
) -> AttemptEvent:
    """The attempt the job at ``pending`` makes at minute ``clock`` of the run."""
    position = pending.position
    base = AttemptEvent(
        step=step.name,
        index=position.index,
        attempt=position.attempt,
        iteration=position.iteration,
        status=StepRunStatus.FAILED,
        inputs=None,
        outputs=None,
        delay_minutes=pending.delay,
        at_minute=clock,
    )
    try:
        step_inputs = resolve_inputs(step, inputs, outputs, position.iteration)
    except CoercionError as error:  # the step never ran, so no fixture entry is used
        return replace(base, error=str(error))
    # StepforceFinalizer.stepRun: Inputs__c is abbreviate(LONG_TEXT_LIMIT) of the JSON.
    cut = serialized_length(step_inputs) > LONG_TEXT_LIMIT
    base = replace(base, inputs=step_inputs, inputs_cut=cut)
    outcome = feed.take(step.name, position.iteration, position.attempt)
    base = replace(base, bookkeeping_fails=outcome.bookkeeping_fails)
    if outcome.kind is not OutcomeKind.OUTPUTS:
        if outcome.kind is OutcomeKind.LIMIT:  # described by the finalizer: <type>: <message>
            return replace(base, error=uncatchable_text(outcome.error), uncatchable=True)
        return replace(base, error=outcome.error)
    try:
        step_outputs = coerce_outputs(step, outcome.outputs)
    except CoercionError as error:
        return replace(base, error=str(error))
    missing = tuple(o.name for o in step.outputs if o.name not in outcome.outputs)
    return replace(
        base, status=StepRunStatus.SUCCEEDED, outputs=step_outputs, missing_outputs=missing
    )


def abbreviated(error: str | None) -> str | None:
    """``error`` as Error__c holds it: at most ERROR_LIMIT characters."""
    return None if error is None else apex_abbreviate(error, ERROR_LIMIT)


def recorded(step: Step, event: AttemptEvent) -> AttemptEvent:
    """The attempt as its Step Run records it: a repeating step's last allowed iteration that
    is not complete is Failed with the max_iterations error (its outputs are kept)."""
    if event.status is not StepRunStatus.SUCCEEDED or is_complete(step, event.outputs or {}):
        return event
    assert step.repeat is not None
    if event.iteration < step.repeat.max_iterations:
        return event
    error = (
        f"max_iterations ({step.repeat.max_iterations}) reached before {step.repeat.until} was true"
    )
    return replace(event, status=StepRunStatus.FAILED, error=error)


def next_job(step: Step, event: AttemptEvent, step_count: int) -> Pending | RunEnd:
    """After the recorded ``event`` of ``step`` (one of ``step_count`` steps): the next
    iteration, a retry after its delay, the next step, or the end of the run."""
    position = Position(event.index, event.attempt, event.iteration)
    if event.status is StepRunStatus.SUCCEEDED:
        if is_complete(step, event.outputs or {}):
            return _advance(position, step_count)
        return Pending(Position(position.index, 1, position.iteration + 1), 0)
    retryable = event.outputs is None  # failed at max_iterations is not transient
    if retryable and position.attempt < step.retry.attempts:
        attempt = position.attempt + 1
        delay = step.retry.delay_before(attempt)
        return Pending(Position(position.index, attempt, position.iteration), delay)
    if step.on_failure is OnFailure.CONTINUE:
        return _advance(position, step_count)
    return RunEnd(RunStatus.FAILED, abbreviated(f"Step {step.name} failed: {event.error}"))


def _advance(position: Position, step_count: int) -> Pending | RunEnd:
    if position.index + 1 < step_count:
        return Pending(Position(position.index + 1), 0)
    return RunEnd(RunStatus.SUCCEEDED)
