"""A run that moves in simulated time: each GET answers with the state at the clock's "now".

Used by the watch tests and by ``benchmarks/api_calls.py`` to count calls.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import requests
import responses

from .conftest import APEX, RUN_ID, T0, FakeClock, iso, run_json


class TimelineOrg:
    """Steps of the given durations (seconds) run back to back from time 0.

    ``pause_at``: someone pauses the run then. Its status is ``Paused`` from that moment; the
    step in flight still finishes (and a last step or a failure still ends the run), but no
    further step starts until ``resume_at`` (never, when it is None).
    """

    def __init__(
        self,
        clock: FakeClock,
        durations: list[float],
        fail_at: int | None = None,
        *,
        pause_at: float | None = None,
        resume_at: float | None = None,
    ) -> None:
        self.clock = clock
        self.durations = durations
        self.fail_at = fail_at
        self.pause_at = pause_at
        self.resume_at = resume_at
        self.gets = 0

    def install(self, mock: responses.RequestsMock) -> None:
        mock.add_callback(
            # With or without a query: human views ask for summaries (?io=false).
            responses.GET,
            re.compile(re.escape(f"{APEX}/{RUN_ID}") + r"(\?.*)?$"),
            callback=self.answer,
        )

    def _going(self, now: float) -> str:
        """The status of a run that has not ended: Paused between the pause and the resume."""
        paused = self.pause_at is not None and self.pause_at <= now
        resumed = self.resume_at is not None and self.resume_at <= now
        return "Paused" if paused and not resumed else "Running"

    def state(self) -> dict[str, Any]:
        now = self.clock.now
        steps: list[dict[str, Any]] = []
        start = 0.0
        for index, seconds in enumerate(self.durations):
            name = f"Step_{index}"
            if self.pause_at is not None and start >= self.pause_at:
                # A step boundary after the pause: the next step waits for the resume.
                if self.resume_at is None or now < self.resume_at:
                    return run_json(self._going(now), steps, current=name)
                start = max(start, self.resume_at)
            end = start + seconds
            if end > now:  # the step's job is in flight (even when the run is Paused)
                return run_json(self._going(now), steps, current=name, job_id=_job_id(index))
            failed = index == self.fail_at
            steps.append(self._step(name, index, start, end, "Failed" if failed else "Succeeded"))
            if failed:
                return run_json(
                    "Failed",
                    steps,
                    current=name,
                    finished_after=end,
                    error=f"Step {name} failed: boom",
                )
            start = end
        return run_json("Succeeded", steps, current=None, finished_after=start)

    def answer(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        self.gets += 1
        return 200, {}, json.dumps(self.state())

    @staticmethod
    def _step(name: str, index: int, start: float, end: float, status: str) -> dict[str, Any]:
        return {
            "id": f"a02{index:015d}",
            "step": name,
            "index": index,
            "type": "Apex",
            "status": status,
            "attempt": 1,
            "iteration": 1,
            "inputs": {},
            "outputs": {"done": True},
            "error": "boom" if status == "Failed" else None,
            "jobId": _job_id(index),
            "startedAt": iso(T0 + dt.timedelta(seconds=start)),
            "finishedAt": iso(T0 + dt.timedelta(seconds=end)),
            "limits": {"soql": 12, "dml": 4, "cpuMs": 1500, "heapBytes": 400_000, "callouts": 1},
        }


def _job_id(index: int) -> str:
    """The AsyncApexJob id of step ``index``'s job."""
    return f"7075g{index:010d}AAA"
