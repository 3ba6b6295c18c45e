"""How often to ask the org about a run: growing, bounded waits that adapt to the run's pace.

API calls are a shared 24-hour budget, so a watch must not poll a 30-minute run every few
seconds. Waits double from ``first`` to ``cap`` while nothing changes. When progress shows, the
next wait is half the typical time between progress sightings so far (never below ``first``,
never above ``cap``): a run of 5-second steps is followed closely, one of 3-minute steps costs
about three calls per step. Resetting to ``first`` on every step would spend ~7 calls per
3-minute step for no information.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import Protocol

from stepforce.runtime_client.models import Run


class Clock(Protocol):
    """Where a watch gets the time and how it waits; tests inject a fake one."""

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@dataclass(frozen=True)
class PollPolicy:
    first: float = 2.0
    cap: float = 60.0
    growth: float = 2.0
    # Share of the typical gap between progress sightings to wait after progress.
    after_progress: float = 0.5


@dataclass
class PollSchedule:
    """The waits of one watch; pure apart from the times it is told."""

    policy: PollPolicy
    started: float
    _interval: float = 0.0
    _last_progress: float = 0.0
    _gaps: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._interval = self.policy.first
        self._last_progress = self.started

    def next_wait(self, now: float, progressed: bool) -> float:
        """The wait before the next poll, after a poll at ``now`` that did/didn't see progress."""
        policy = self.policy
        if progressed:
            self._gaps.append(max(now - self._last_progress, 0.0))
            self._last_progress = now
            typical = statistics.median(self._gaps)
            wait = min(policy.cap, max(policy.first, typical * policy.after_progress))
            self._interval = min(policy.cap, wait * policy.growth)
            return wait
        wait = self._interval
        self._interval = min(policy.cap, self._interval * policy.growth)
        return wait


def progress_key(run: Run) -> tuple[object, ...]:
    """What changes when a run moves: status, step, and the latest step attempt."""
    last = run.steps[-1] if run.steps else None
    latest = (last.step, last.status, last.attempt, last.iteration) if last else None
    return (run.status, run.current_step, len(run.steps), latest)
