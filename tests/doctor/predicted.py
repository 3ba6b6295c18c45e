"""The simulator's prediction of a probe run, as the Run JSON the REST API answers.

``simulate`` runs a probe orchestration with its fixture (templates/doctor/fixtures/, what a
healthy org's steps return); ``run_json`` turns the trace into the documented Run shape
(docs/runtime.md, StepforceRunJson): times from the simulated minutes, one job per attempt,
``ranAs`` the user the fake org names.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from stepforce.cli.output import to_json_text
from stepforce.generator.simulate.engine import Control, simulate
from stepforce.generator.simulate.fixtures import load_fixtures
from stepforce.generator.simulate.trace import Trace
from stepforce.generator.spec import validate_paths
from stepforce.runtime_client.doctor.package import doctor_root

USER = "005000000000001AAA"  # the fixtures' user
T0 = dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC)
TERMINAL = ("Succeeded", "Failed", "Cancelled")


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def trace_of(orchestration: str, controls: Sequence[Control] = ()) -> Trace:
    root = doctor_root()
    specs, _diagnostics = validate_paths([root / "orchestrations" / f"{orchestration}.yaml"])
    fixtures = load_fixtures(root / "fixtures" / f"{orchestration}.yaml")
    return simulate(specs[0], fixtures, controls)


def run_json(trace: Trace, run_id: str, request_key: str = "key") -> dict[str, Any]:
    steps = []
    for n, attempt in enumerate(trace.attempts):
        started = T0 + dt.timedelta(minutes=attempt.at_minute, seconds=5 * n)
        steps.append(
            {
                "id": f"a02{run_id[-6:]}{n:09d}",
                "step": attempt.step,
                "index": attempt.index,
                "type": "Apex",
                "status": attempt.status.value,
                "attempt": attempt.attempt,
                "iteration": attempt.iteration,
                "inputs": attempt.inputs,
                "outputs": attempt.outputs,
                "error": attempt.error,
                "jobId": f"707{run_id[-6:]}{n:09d}",
                "startedAt": _iso(started),
                "finishedAt": _iso(started + dt.timedelta(seconds=4)),
                "limits": {"soql": 0, "dml": 0, "cpuMs": 40, "heapBytes": 9000, "callouts": 0},
                "ranAs": USER,
            }
        )
    status = trace.status.value
    body = {
        "id": run_id,
        "orchestration": trace.orchestration,
        "status": status,
        "currentStep": trace.current_step,
        "requestKey": request_key,
        "trigger": "REST",
        "inputs": trace.inputs,
        "context": trace.context,
        "error": trace.error,
        "startedAt": _iso(T0),
        "finishedAt": _iso(T0 + dt.timedelta(minutes=trace.clock_minutes + 1))
        if status in TERMINAL
        else None,
        "jobId": None,
        "steps": steps,
    }
    loaded: dict[str, Any] = json.loads(to_json_text(body))
    return loaded


def first_attempt_running(final: dict[str, Any]) -> dict[str, Any]:
    """The run while its first attempt's follow-up job waits (status Running, job set)."""
    return {
        **final,
        "status": "Running",
        "finishedAt": None,
        "error": None,
        "jobId": "707WAITING00000AAA",
        "steps": final["steps"][:1],
    }
