"""How each probe drives its runs through the public REST API (``StepforceClient``).

A drive fills an ``Observed`` for its probe's judge; it raises StillRunningError when the
doctor's deadline passes first. Only the probe package's own runs are started or touched.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from stepforce.deploy_plan import SWEEPER_JOB_NAME
from stepforce.errors import OrgError, StepforceError, StillRunningError
from stepforce.runtime_client.client import StepforceClient
from stepforce.runtime_client.doctor.probes import Observed
from stepforce.runtime_client.models import Run
from stepforce.runtime_client.schedule import check_anonymous_result

GUARD_POLL_SECONDS = 3.0
# Runs the engine's own enqueue (docs/engine.md, "Apex API") for the run's stored position
# while its delayed retry job waits: the duplicate signature must make it return null.
_GUARD_APEX = (
    "Stepforce_Run__c run = [SELECT Id, Orchestration__c, Step_Index__c, Attempt__c, "
    "Iteration__c, Context__c, Context_File_Id__c FROM Stepforce_Run__c WHERE Id = '{run_id}'];\n"
    "if (StepforceEngine.enqueue(run) != null) {{ throw new StepforceStepException("
    "'StepforceProbe: a second job was enqueued for the waiting attempt'); }}"
)


@dataclass
class Driver:
    """The client, the user it runs as, and the deadline (the client's clock) of the doctor."""

    client: StepforceClient
    user_id: str
    deadline: float

    def remaining(self) -> float:
        return self.deadline - self.client.clock.monotonic()

    def start(self, orchestration: str, inputs: Mapping[str, Any] | None = None) -> Run:
        key = f"stepforce-doctor-{uuid.uuid4()}"
        return self.client.start_run(orchestration, inputs, key)

    def finish(self, run_id: str, *, stop_when_paused: bool = False) -> Run:
        left = self.remaining()
        if left <= 0:
            run = self.client.get_run(run_id)
            if run.is_terminal:
                return run
            raise StillRunningError(f"run {run_id} is still {run.status} at the deadline")
        return self.client.watch(run_id, timeout=left, stop_when_paused=stop_when_paused)

    def anonymous(self, apex: str, what: str) -> None:
        url = self.client.transport.data_url + "tooling/executeAnonymous/"
        result = self.client.transport.request(
            "GET", url, params={"anonymousBody": apex}, idempotent=False
        )
        check_anonymous_result(result.body, what)


Drive = Callable[[Driver, Observed], None]


def _one_run(orchestration: str, inputs: Callable[[Driver], dict[str, Any]] | None = None) -> Drive:
    """Start one run of ``orchestration`` and follow it to its end."""

    def drive(driver: Driver, seen: Observed) -> None:
        run = driver.start(orchestration, inputs(driver) if inputs else None)
        seen.runs["run"] = driver.finish(run.id)

    return drive


def drive_idempotent(driver: Driver, seen: Observed) -> None:
    key = f"stepforce-doctor-{uuid.uuid4()}"
    first = driver.client.start_run("Stepforce_Probe_Limits", None, key)
    seen.runs["again"] = driver.client.start_run("Stepforce_Probe_Limits", None, key)
    seen.runs["run"] = driver.finish(first.id)


def drive_control(driver: Driver, seen: Observed) -> None:
    statuses: dict[str, str] = {}
    seen.facts["statuses"] = statuses
    run = driver.start("Stepforce_Probe_Control")
    driver.client.pause(run.id)
    paused = driver.finish(run.id, stop_when_paused=True)
    statuses["paused"] = paused.status
    if paused.status == "Paused":
        driver.client.resume(run.id)
        ended = driver.finish(run.id)
        statuses["resumed"] = ended.status
        if ended.status == "Failed":
            driver.client.retry(run.id, from_step="Gate", overrides={"mode": "pass"})
            ended = driver.finish(run.id)
            statuses["retried"] = ended.status
        seen.runs["run"] = ended
    other = driver.start("Stepforce_Probe_Control")
    driver.client.cancel(other.id)
    seen.runs["cancelled"] = driver.finish(other.id)


def _waiting_retry(run: Run) -> bool:
    return run.job_id is not None and any(s.status == "Failed" for s in run.steps)


def drive_guard(driver: Driver, seen: Observed) -> None:
    run = driver.start("Stepforce_Probe_Retry")
    while not _waiting_retry(run) and not run.is_terminal:
        if driver.remaining() <= 0:
            raise StillRunningError(f"run {run.id} never waited for a retry before the deadline")
        driver.client.clock.sleep(GUARD_POLL_SECONDS)
        run = driver.client.get_run(run.id)
    seen.facts["waiting_job"] = run.job_id
    if not (run.id.isalnum() and len(run.id) in (15, 18)):
        raise OrgError(f"the org answered a run id that is not an id: {run.id!r}")
    try:
        driver.anonymous(_GUARD_APEX.format(run_id=run.id), "the duplicate-job probe")
        seen.facts["second_job_refused"] = True
    except StepforceError as error:
        seen.facts["second_job_refused"] = str(error)
    seen.runs["run"] = driver.finish(run.id)


def drive_sweeper(driver: Driver, seen: Observed) -> None:
    jobs = driver.client.scheduled_jobs(SWEEPER_JOB_NAME)
    seen.facts["sweeper_jobs"] = [
        {"id": j.id, "state": j.state, "cron": j.cron, "next": j.next_fire_time} for j in jobs
    ]


DRIVES: dict[str, Drive] = {
    "limits": _one_run("Stepforce_Probe_Limits"),
    "idempotent-start": drive_idempotent,
    "callout": _one_run("Stepforce_Probe_Callout"),
    "retry": _one_run("Stepforce_Probe_Retry"),
    "uncatchable": _one_run("Stepforce_Probe_Uncatchable"),
    "depth": _one_run("Stepforce_Probe_Depth"),
    "flow": _one_run("Stepforce_Probe_Flow", lambda driver: {"userId": driver.user_id}),
    "spill": _one_run("Stepforce_Probe_Spill"),
    "control": drive_control,
    "duplicate-guard": drive_guard,
    "sweeper": drive_sweeper,
}
