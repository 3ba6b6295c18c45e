"""What a simulated run produced: events in order, and the run's final state.

An :class:`AttemptEvent` is what the Apex engine records as a Step Run; a
:class:`ControlEvent` is a start, pause, resume, cancel or retry and where it took effect.
:func:`render_lines` turns a trace into text lines; the CLI prints them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from stepforce import exact_json


class RunStatus(StrEnum):
    QUEUED = "Queued"
    RUNNING = "Running"
    PAUSED = "Paused"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    CANCELLED = "Cancelled"


#: Who every step attempt runs as: the user who started the run (symbolic; the emitted Apex
#: test compares Ran_As__c with UserInfo.getUserId() of the user it starts the run as).
STARTER = "starter"
#: ControlEvent actions the engine itself takes: a relay, a retry it refused (HTTP 409).
RELAY = "relay"
REFUSED = "retry refused"
RECORDER = "recorder"


class StepRunStatus(StrEnum):
    RUNNING = "Running"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    SKIPPED = "Skipped"


@dataclass(frozen=True)
class AttemptEvent:
    """One step attempt, as its Step Run record would hold it (JSON-form values)."""

    step: str
    index: int
    attempt: int
    iteration: int
    status: StepRunStatus
    inputs: dict[str, Any] | None
    outputs: dict[str, Any] | None
    error: str | None = None
    uncatchable: bool = False  # the job died (LimitException); only its finalizer ran
    delay_minutes: int = 0  # simulated wait before this attempt started
    at_minute: int = 0  # simulated clock when it started
    missing_outputs: tuple[str, ...] = ()  # declared outputs the step did not return
    inputs_cut: bool = False  # the inputs' JSON is longer than Inputs__c: the org cuts it
    ran_as: str = STARTER  # Ran_As__c: relays keep the starter (a batch runs as its enqueuer)
    bookkeeping_fails: int = 0  # failed finalizer + recorder tries before it was recorded

    def to_json(self) -> dict[str, Any]:
        return {
            "event": "attempt",
            "step": self.step,
            "index": self.index,
            "attempt": self.attempt,
            "iteration": self.iteration,
            "status": self.status.value,
            "inputs": self.inputs,
            "outputs": self.outputs,
            "error": self.error,
            "uncatchable": self.uncatchable,
            "delayMinutes": self.delay_minutes,
            "atMinute": self.at_minute,
            "missingOutputs": list(self.missing_outputs),
            "inputsCut": self.inputs_cut,
            "ranAs": self.ran_as,
            "bookkeepingFails": self.bookkeeping_fails,
        }


@dataclass(frozen=True)
class Position:
    """Where a run stands: step index, attempt and iteration (both 1-based)."""

    index: int
    attempt: int = 1
    iteration: int = 1


@dataclass(frozen=True)
class ControlEvent:
    """``action`` is start, pause, resume, cancel or retry; ``step`` the position's step."""

    action: str
    status: RunStatus
    step: str | None = None
    attempt: int | None = None
    iteration: int | None = None
    at_minute: int = 0
    detail: str = ""
    inputs: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "event": self.action,
            "status": self.status.value,
            "step": self.step,
            "attempt": self.attempt,
            "iteration": self.iteration,
            "atMinute": self.at_minute,
            "detail": self.detail,
            "inputs": self.inputs,
        }


Event = AttemptEvent | ControlEvent


@dataclass(frozen=True)
class Trace:
    orchestration: str
    events: tuple[Event, ...]
    status: RunStatus
    error: str | None
    current_step: str | None
    inputs: dict[str, Any]
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    clock_minutes: int = 0

    @property
    def attempts(self) -> list[AttemptEvent]:
        return [event for event in self.events if isinstance(event, AttemptEvent)]

    @property
    def context(self) -> dict[str, Any]:
        """The run's context as the Apex engine stores it."""
        return {"inputs": self.inputs, "steps": self.outputs}

    @property
    def relays(self) -> list[ControlEvent]:
        return [e for e in self.events if isinstance(e, ControlEvent) and e.action == RELAY]

    @property
    def refusals(self) -> list[ControlEvent]:
        return [e for e in self.events if isinstance(e, ControlEvent) and e.action == REFUSED]

    @property
    def delays(self) -> list[int]:
        return [a.delay_minutes for a in self.attempts if a.delay_minutes]

    def to_json(self) -> dict[str, Any]:
        return {
            "orchestration": self.orchestration,
            "status": self.status.value,
            "error": self.error,
            "currentStep": self.current_step,
            "context": self.context,
            "simulatedMinutes": self.clock_minutes,
            "delays": self.delays,
            "events": [event.to_json() for event in self.events],
        }


def show(value: Any) -> str:
    """A value as compact JSON; a Decimal keeps its exact digits (never a float)."""
    return exact_json.dumps(value, separators=(", ", ": "))


def _attempt_lines(event: AttemptEvent) -> list[str]:
    wait = f" after {event.delay_minutes} min" if event.delay_minutes else ""
    head = (
        f"[t+{event.at_minute}m] {event.step} iteration {event.iteration} "
        f"attempt {event.attempt}{wait}: {event.status.value}"
    )
    cut = " (cut to 131,072 characters on the Step Run)" if event.inputs_cut else ""
    lines = [head, f"    ran as: {event.ran_as}", f"    inputs:{cut}  {show(event.inputs)}"]
    if event.outputs is not None:
        lines.append(f"    outputs: {show(event.outputs)}")
    if event.missing_outputs:
        lines.append(f"    warning: not returned (null): {', '.join(event.missing_outputs)}")
    if event.error:
        kind = "uncatchable" if event.uncatchable else "error"
        lines.append(f"    {kind}: {event.error}")
    return lines


def _control_line(event: ControlEvent) -> str:
    where = ""
    if event.step is not None:
        where = f" at {event.step} iteration {event.iteration} attempt {event.attempt}"
    detail = f" ({event.detail})" if event.detail else ""
    inputs = f" inputs {show(event.inputs)}" if event.inputs is not None else ""
    return f"[t+{event.at_minute}m] {event.action}{where}{detail}{inputs} -> {event.status.value}"


def render_lines(trace: Trace) -> list[str]:
    """The trace for people: each attempt with its inputs/outputs, then the final state."""
    lines = [f"Simulated run of {trace.orchestration}"]
    for event in trace.events:
        if isinstance(event, AttemptEvent):
            lines.extend(_attempt_lines(event))
        else:
            lines.append(_control_line(event))
    lines.append(f"Status: {trace.status.value} after {trace.clock_minutes} simulated minutes")
    if trace.delays:
        lines.append(f"Retry delays (minutes): {', '.join(str(d) for d in trace.delays)}")
    if trace.error:
        lines.append(f"Error: {trace.error}")
    lines.append(f"Context: {show(trace.context)}")
    return lines
