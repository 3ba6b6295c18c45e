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
    """Steps of the given durations (seconds) run back to back from time 0."""

    def __init__(
        self, clock: FakeClock, durations: list[float], fail_at: int | None = None
    ) -> None:
        self.clock = clock
        self.durations = durations
        self.fail_at = fail_at
        self.gets = 0

    def install(self, mock: responses.RequestsMock) -> None:
        mock.add_callback(
            responses.GET, re.compile(re.escape(f"{APEX}/{RUN_ID}") + "$"), callback=self.answer
        )

    def state(self) -> dict[str, Any]:
        now = self.clock.now
        steps: list[dict[str, Any]] = []
        start = 0.0
        for index, seconds in enumerate(self.durations):
            name = f"Step_{index}"
            end = start + seconds
            if end > now:
                return run_json("Running", steps, current=name)
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
            "jobId": None,
            "startedAt": iso(T0 + dt.timedelta(seconds=start)),
            "finishedAt": iso(T0 + dt.timedelta(seconds=end)),
            "limits": {"soql": 12, "dml": 4, "cpuMs": 1500, "heapBytes": 400_000, "callouts": 1},
        }
