"""What a finished (or running) run says: where time went, which steps came near a governor
limit, and the attempts of each step. Pure functions over a Run; the CLI prints them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from stepforce.runtime_client.models import Run, StepRun

# Per-transaction limits of asynchronous Apex (every step runs in its own Queueable).
# Heap: Limits.getLimitHeapSize() reports 12,000,000 bytes in async Apex.
ASYNC_LIMITS: dict[str, int] = {
    "soql": 200,
    "dml": 150,
    "cpuMs": 60_000,
    "heapBytes": 12_000_000,
    "callouts": 100,
}
LIMIT_LABELS = {
    "soql": "SOQL queries",
    "dml": "DML statements",
    "cpuMs": "CPU ms",
    "heapBytes": "heap bytes",
    "callouts": "callouts",
}
# Within 20% of a limit: the step works today but a little more data breaks it.
NEAR_LIMIT_SHARE = 0.8


@dataclass(frozen=True)
class LimitFlag:
    """The peak use of one limit by one step (over its attempts and iterations)."""

    step: str
    limit: str
    used: int
    cap: int
    attempt: int
    iteration: int

    @property
    def share(self) -> float:
        return self.used / self.cap

    def message(self) -> str:
        return (
            f"{self.step} used {self.used:,} of {self.cap:,} {LIMIT_LABELS[self.limit]} "
            f"({self.share:.0%}, attempt {self.attempt}, iteration {self.iteration}): "
            "split the step before data growth makes it fail in production"
        )


def limit_flags(run: Run, threshold: float = NEAR_LIMIT_SHARE) -> list[LimitFlag]:
    """One flag per (step, limit) whose peak use reached ``threshold`` of the async limit."""
    peaks: dict[tuple[str, str], LimitFlag] = {}
    for step_run in run.steps:
        for limit, used in step_run.limits.as_dict().items():
            cap = ASYNC_LIMITS[limit]
            if used is None or used < threshold * cap:
                continue
            key = (step_run.step, limit)
            if key not in peaks or used > peaks[key].used:
                peaks[key] = LimitFlag(
                    step_run.step, limit, used, cap, step_run.attempt, step_run.iteration
                )
    return list(peaks.values())


@dataclass(frozen=True)
class TimeShare:
    """Time spent in one step's transactions, over all its attempts and iterations."""

    step: str
    seconds: float
    share: float
    runs: int


@dataclass(frozen=True)
class TimeReport:
    total_seconds: float
    steps: tuple[TimeShare, ...]
    # Wall time outside step transactions: queueing, retry delays, pauses.
    waiting_seconds: float
    waiting_share: float


def where_time_went(run: Run, now: dt.datetime | None = None) -> TimeReport:
    """Per-step duration and its share of the run's wall time (or of step time if unknown)."""
    per_step: dict[str, list[float]] = {}
    for step_run in run.steps:
        duration = step_run.duration(now)
        per_step.setdefault(step_run.step, []).append(duration.total_seconds() if duration else 0.0)
    step_total = sum(sum(v) for v in per_step.values())
    wall = run.duration(now)
    total = max(wall.total_seconds() if wall else step_total, step_total)
    waiting = max(total - step_total, 0.0)

    def share(seconds: float) -> float:
        return seconds / total if total > 0 else 0.0

    shares = tuple(
        TimeShare(step, sum(values), share(sum(values)), len(values))
        for step, values in per_step.items()
    )
    return TimeReport(total, shares, waiting, share(waiting))


@dataclass(frozen=True)
class StepLog:
    """Every attempt/iteration of one step, oldest first."""

    step: str
    index: int | None
    attempts: tuple[StepRun, ...]


def step_logs(run: Run, step: str | None = None) -> list[StepLog]:
    """The run's step runs grouped by step, in the order the steps first ran."""
    grouped: dict[str, list[StepRun]] = {}
    for step_run in run.steps:
        if step is None or step_run.step == step:
            grouped.setdefault(step_run.step, []).append(step_run)
    return [StepLog(name, runs[0].index, tuple(runs)) for name, runs in grouped.items()]


@dataclass(frozen=True)
class StepRow:
    """One line of the live table: the latest attempt of a step, and its total time."""

    step: str
    status: str
    attempt: int
    iteration: int
    seconds: float
    soql: int | None
    dml: int | None
    cpu_ms: int | None


def step_rows(run: Run, now: dt.datetime | None = None) -> list[StepRow]:
    rows: list[StepRow] = []
    for log in step_logs(run):
        latest = log.attempts[-1]
        seconds = sum((r.duration(now) or dt.timedelta(0)).total_seconds() for r in log.attempts)
        rows.append(
            StepRow(
                log.step,
                latest.status,
                latest.attempt,
                latest.iteration,
                seconds,
                latest.limits.soql,
                latest.limits.dml,
                latest.limits.cpu_ms,
            )
        )
    names = {row.step for row in rows}
    if run.current_step and run.current_step not in names and not run.is_terminal:
        rows.append(StepRow(run.current_step, run.status, 1, 1, 0.0, None, None, None))
    return rows
