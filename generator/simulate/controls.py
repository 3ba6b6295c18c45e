"""The control actions of a simulated run (pause, resume, cancel, retry) and the errors a
simulation raises besides a bad spec: refused inputs and fixtures that do not fit the run.

:func:`prepare_run_inputs` and :func:`check_context_size` are the checks a start (or retry)
makes on the run inputs, raising those errors as the org answers 400."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from stepforce.diagnostics import Diagnostic, Location
from stepforce.errors import SpecError
from stepforce.generator.simulate.apex_strings import CONTEXT_LIMIT, serialized_length
from stepforce.generator.simulate.plan import InputsError, JsonMap, prepare_inputs
from stepforce.generator.simulate.trace import Position, Trace
from stepforce.generator.simulate.yamlsrc import problem
from stepforce.generator.spec.model import Orchestration


class Action(StrEnum):
    PAUSE = "pause"
    RESUME = "resume"
    CANCEL = "cancel"
    RETRY = "retry"


class Moment(StrEnum):
    AFTER = "after"  # requested while the attempt runs; effect at its step boundary
    BEFORE = "before"  # requested while the attempt's job is queued; the job is aborted


@dataclass(frozen=True)
class Control:
    action: Action
    step: str | None = None
    moment: Moment = Moment.AFTER
    iteration: int | None = None
    attempt: int | None = None
    from_step: str | None = None  # retry only
    inputs: Mapping[str, Any] = field(default_factory=dict)  # retry only: input overrides
    # before only: the abort came too late, the queued job had already started and runs
    started: bool = False
    location: Location = field(default=Location(""), compare=False)

    @property
    def is_trigger(self) -> bool:
        """Fires at an attempt (pause/cancel naming a step), not when the run has stopped."""
        return self.step is not None  # a retry naming a step arrives while that attempt runs

    def matches(self, step: str, position: Position) -> bool:
        return (
            self.step == step
            and self.iteration in (None, position.iteration)
            and self.attempt in (None, position.attempt)
        )

    def describe(self) -> str:
        if not self.is_trigger:
            return self.action.value
        where = f"{self.moment.value} {self.step}"
        if self.started:
            where += " (already started)"
        if self.iteration is not None:
            where += f" iteration {self.iteration}"
        if self.attempt is not None:
            where += f" attempt {self.attempt}"
        return f"{self.action.value} {where}"


class InputsRejectedError(SpecError):
    """``prepareInputs`` refused the run inputs: in the org the start (or retry) gets a 400.

    ``apex_exception`` is the class the org throws: the plan's CoercionException, or the
    starter's BadRequestException for a context too large for its field.
    """

    apex_exception = "StepforceCoerce.CoercionException"


class FixtureProblemsError(SpecError):
    """The fixtures do not fit the run the engine makes: every problem found, and the trace
    up to where the simulation had to stop (``trace``), which shows the attempts so far."""

    def __init__(self, problems: list[Diagnostic], trace: Trace) -> None:
        super().__init__(problems, f"{len(problems)} fixture problem(s)")
        self.trace = trace


class InputsTooLargeError(InputsRejectedError):
    """StepforceStarter.prepare: the new run's context JSON is longer than Context__c."""

    apex_exception = "StepforceService.BadRequestException"


def check_control(orchestration: Orchestration, control: Control) -> None:
    for name in (control.step, control.from_step):
        if name is not None and orchestration.step(name) is None:
            raise problem(control.location, f"no step '{name}' in {orchestration.name}")
    if control.action is Action.PAUSE and control.step is None:
        raise problem(control.location, "pause needs a step: pause: {after: STEP}")
    resume_at = control.action is Action.RESUME and control.step is not None
    if resume_at and control.moment is not Moment.AFTER:
        raise problem(control.location, "resume takes 'after: STEP' (after a pause), not 'before'")
    retry_at = control.action is Action.RETRY and control.step is not None
    if retry_at and control.moment is not Moment.AFTER:
        raise problem(control.location, "retry takes 'after: STEP' (after a cancel), not 'before'")
    if control.started and control.moment is not Moment.BEFORE:
        raise problem(control.location, "'started' goes with 'before: STEP' (a queued job)")


def prepare_run_inputs(
    orchestration: Orchestration,
    raw: Mapping[str, Any],
    locations: Mapping[str, Location],
    default: Location,
) -> JsonMap:
    """``prepareInputs`` of the run's plan; a refusal names each input at its location in
    ``locations`` (else at ``default``)."""
    try:
        return prepare_inputs(orchestration, raw)
    except InputsError as error:
        raise InputsRejectedError(
            [
                Diagnostic(locations.get(name, default), message, source="simulate")
                for name, message in error.problems.items()
            ],
            "prepareInputs refused the run inputs (the org answers 400)",
        ) from None


def check_context_size(inputs: JsonMap, location: Location) -> None:
    """A start whose context JSON exceeds Context__c is refused (a retry's spills to a
    file instead): StepforceStarter.prepare measures ``StepforceRunContext.initial``."""
    length = serialized_length({"inputs": inputs, "steps": {}})
    if length > CONTEXT_LIMIT:
        message = f"inputs are too large: {length} characters of JSON"
        raise InputsTooLargeError(
            [Diagnostic(location, message, source="simulate")],
            f"the start is refused (the org answers 400): more than {CONTEXT_LIMIT}",
        )
