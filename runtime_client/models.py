"""Typed results of the REST contract: Run, StepRun, StepLimits, RunPage.

Parsed leniently on purpose: the contract may grow (extend, never rename), so unknown keys are
kept in ``raw`` and ignored, missing ones become ``None``. ``to_json()`` gives back exactly
what the org sent, which is what ``--json`` prints.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from stepforce.errors import OrgError

RUN_STATUSES = ("Queued", "Running", "Paused", "Succeeded", "Failed", "Cancelled")
TERMINAL_STATUSES = frozenset({"Succeeded", "Failed", "Cancelled"})


def parse_time(value: Any) -> dt.datetime | None:
    """ISO-8601 (``...Z``, ``...+0000``, ``...+00:00``) -> aware datetime; naive means UTC."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"not a time: {value!r}")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    elif len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit():
        text = f"{text[:-2]}:{text[-2:]}"
    parsed = dt.datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def same_record_id(left: str, right: str) -> bool:
    """Whether two Salesforce ids name the same record: an 18-character id is the 15-character
    (case-sensitive) one plus a 3-character checksum, so a 15 and an 18 compare on 15."""
    if len(left) != len(right) and {len(left), len(right)} == {15, 18}:
        return left[:15] == right[:15]
    return left == right


def _int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    return int(value)


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _dict(value: Any) -> dict[str, Any] | None:
    return dict(value) if isinstance(value, Mapping) else None


def _elapsed(
    started: dt.datetime | None, finished: dt.datetime | None, now: dt.datetime | None
) -> dt.timedelta | None:
    """finished (or ``now`` while still going) - started; never negative (clock skew)."""
    end = finished or now
    if started is None or end is None:
        return None
    return max(end - started, dt.timedelta(0))


@dataclass(frozen=True)
class StepLimits:
    """Governor usage one step attempt measured in its own transaction."""

    soql: int | None = None
    dml: int | None = None
    cpu_ms: int | None = None
    heap_bytes: int | None = None
    callouts: int | None = None

    @classmethod
    def from_json(cls, data: Any) -> StepLimits:
        values = data if isinstance(data, Mapping) else {}
        return cls(
            soql=_int(values.get("soql")),
            dml=_int(values.get("dml")),
            cpu_ms=_int(values.get("cpuMs")),
            heap_bytes=_int(values.get("heapBytes")),
            callouts=_int(values.get("callouts")),
        )

    def as_dict(self) -> dict[str, int | None]:
        """Keyed by the contract's names (``soql``, ``dml``, ``cpuMs`` ...)."""
        return {
            "soql": self.soql,
            "dml": self.dml,
            "cpuMs": self.cpu_ms,
            "heapBytes": self.heap_bytes,
            "callouts": self.callouts,
        }


@dataclass(frozen=True)
class StepRun:
    """One attempt (and iteration) of one step."""

    id: str | None
    step: str
    index: int | None
    type: str | None
    status: str
    attempt: int
    iteration: int
    inputs: dict[str, Any] | None
    outputs: dict[str, Any] | None
    error: str | None
    job_id: str | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    limits: StepLimits
    raw: dict[str, Any] = field(repr=False, compare=False)
    #: The id of the User the attempt ran as (``ranAs``); None for attempts recorded before
    #: the runtime had the field, and from runtimes older than it.
    ran_as: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StepRun:
        return cls(
            id=_str(data.get("id")),
            step=str(data.get("step") or ""),
            index=_int(data.get("index")),
            type=_str(data.get("type")),
            status=str(data.get("status") or ""),
            attempt=_int(data.get("attempt")) or 1,
            iteration=_int(data.get("iteration")) or 1,
            inputs=_dict(data.get("inputs")),
            outputs=_dict(data.get("outputs")),
            error=_str(data.get("error")),
            job_id=_str(data.get("jobId")),
            started_at=parse_time(data.get("startedAt")),
            finished_at=parse_time(data.get("finishedAt")),
            limits=StepLimits.from_json(data.get("limits")),
            raw=dict(data),
            ran_as=_str(data.get("ranAs")),
        )

    def duration(self, now: dt.datetime | None = None) -> dt.timedelta | None:
        """finished - started; for an attempt still running, ``now`` - started."""
        return _elapsed(self.started_at, self.finished_at, now)

    def to_json(self) -> dict[str, Any]:
        return self.raw


@dataclass(frozen=True)
class Run:
    """A run of an orchestration; ``steps`` is empty in lists (``GET runs``)."""

    id: str
    orchestration: str
    status: str
    current_step: str | None
    request_key: str | None
    trigger: str | None
    inputs: dict[str, Any] | None
    context: dict[str, Any] | None
    error: str | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    steps: tuple[StepRun, ...]
    raw: dict[str, Any] = field(repr=False, compare=False)
    #: The job that moves the run on next (queued or in flight); None while the run waits
    #: for a resume or a relay, once it ended, and from runtimes older than this field.
    job_id: str | None = None
    #: Step-run paging of ``GET runs/{id}``: how many step runs the run has in all (None from
    #: runtimes without paging), and the ``stepsAfter`` value of the next page (None when
    #: ``steps`` holds them all). ``StepforceClient.get_run`` follows the pages.
    steps_total: int | None = None
    steps_next: str | None = None
    #: False when the steps were read without their inputs and outputs (``io=false``).
    steps_io: bool = True
    #: The plan document version the run is pinned to; None for a plan a test registered and
    #: from runtimes older than this field.
    plan_version: str | None = None
    #: The id of the User who asked for the run (``startedBy``; for trigger ``Event`` the
    #: event's publisher); None from runtimes older than this field.
    started_by: str | None = None

    @classmethod
    def from_json(cls, data: Any) -> Run:
        if not isinstance(data, Mapping) or not data.get("id"):
            raise OrgError("the org answered with something that is not a Run")
        try:
            steps = tuple(StepRun.from_json(s) for s in data.get("steps") or [])
            return cls(
                id=str(data["id"]),
                orchestration=str(data.get("orchestration") or ""),
                status=str(data.get("status") or ""),
                current_step=_str(data.get("currentStep")),
                request_key=_str(data.get("requestKey")),
                trigger=_str(data.get("trigger")),
                inputs=_dict(data.get("inputs")),
                context=_dict(data.get("context")),
                error=_str(data.get("error")),
                started_at=parse_time(data.get("startedAt")),
                finished_at=parse_time(data.get("finishedAt")),
                steps=steps,
                raw=dict(data),
                job_id=_str(data.get("jobId")),
                steps_total=_int(data.get("stepsTotal")),
                steps_next=_str(data.get("stepsNext")),
                steps_io=data.get("stepsIo") is not False,
                plan_version=_str(data.get("planVersion")),
                started_by=_str(data.get("startedBy")),
            )
        except (TypeError, ValueError, AttributeError) as error:
            raise OrgError(f"the org's Run JSON could not be read: {error}") from error

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def steps_truncated(self) -> bool:
        """More step runs follow in later pages (``stepsAfter=steps_next``)."""
        return self.steps_next is not None

    def with_more_steps(self, page: Run) -> Run:
        """This run with the step runs of its next ``page`` appended (``raw`` too), and the
        page's paging state: what a single unpaged answer would have held."""
        steps = self.steps + page.steps
        raw = dict(self.raw)
        raw["steps"] = [step.raw for step in steps]
        raw["stepsNext"] = page.steps_next
        raw["stepsTruncated"] = page.steps_next is not None
        return dataclasses.replace(self, steps=steps, raw=raw, steps_next=page.steps_next)

    @property
    def is_paused(self) -> bool:
        """Paused: no further step starts until someone resumes it (one already running ends)."""
        return self.status == "Paused"

    @property
    def waits_for_resume(self) -> bool:
        """Paused with no job left to move it: only a resume changes it now. A paused run whose
        step was still running when the pause came has a job, and can still end."""
        return self.is_paused and self.job_id is None

    def ran_as_another_user(self, step_run: StepRun) -> bool:
        """Whether ``step_run`` ran as another user than the run's starter (an event relay or
        a sweeper revival continued the run); False when either side is unknown."""
        if not step_run.ran_as or not self.started_by:
            return False
        return not same_record_id(step_run.ran_as, self.started_by)

    @property
    def steps_run_as_others(self) -> tuple[StepRun, ...]:
        """The step runs that ran as another user than the run's starter, oldest first."""
        return tuple(s for s in self.steps if self.ran_as_another_user(s))

    def duration(self, now: dt.datetime | None = None) -> dt.timedelta | None:
        """finished - started; for a run still going, ``now`` - started."""
        return _elapsed(self.started_at, self.finished_at, now)

    def to_json(self) -> dict[str, Any]:
        return self.raw


@dataclass(frozen=True)
class RunPage:
    """One page of ``GET runs`` (runs without steps), how many match in all, and the
    keyset cursors: ``next_cursor`` (older runs: ``after``) and ``previous_cursor`` (newer
    runs: ``before``), None from runtimes without cursors or when no page follows."""

    runs: tuple[Run, ...]
    total: int
    limit: int
    offset: int
    next_cursor: str | None = None
    previous_cursor: str | None = None
    #: The runtime pages with cursors (its answer has the ``nextCursor`` key).
    cursors: bool = False

    @classmethod
    def from_json(cls, data: Any, limit: int, offset: int) -> RunPage:
        if not isinstance(data, Mapping) or not isinstance(data.get("runs"), list):
            raise OrgError("the org's run list has no 'runs' array")
        runs = tuple(Run.from_json(r) for r in data["runs"])
        total = _int(data.get("total"))
        return cls(
            runs=runs,
            total=len(runs) if total is None else total,
            limit=limit,
            offset=offset,
            next_cursor=_str(data.get("nextCursor")),
            previous_cursor=_str(data.get("previousCursor")),
            cursors="nextCursor" in data,
        )

    @property
    def has_more(self) -> bool:
        """Older runs follow this page."""
        if self.cursors:
            return self.next_cursor is not None
        return self.offset + len(self.runs) < self.total

    def to_json(self) -> dict[str, Any]:
        return {
            "runs": [r.to_json() for r in self.runs],
            "total": self.total,
            "nextCursor": self.next_cursor,
            "previousCursor": self.previous_cursor,
        }
