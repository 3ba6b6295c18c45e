"""``StepforceClient``: start, inspect, watch and control runs over the stepforce REST API.

Call budget: ``get_run`` and ``logs`` are one call (the run and all its step runs come in one
GET); ``start_run`` is one call; a watch is one call per poll (see ``watch.py``).

Retry reasoning: a start carries a request key (a uuid4 unless given), so repeating it after a
lost answer returns the same run (HTTP 200) instead of a second one. pause/resume/cancel are
transitions to a target state: when an attempt's answer was lost and the repeat gets 409, the
first attempt may have worked, so the client reads the run once and treats "already there" as
success. ``retry`` is not repeated: a lost retry followed by a second one could restart a step
the first already restarted.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import quote

from stepforce.deploy_plan import schedule_job_name
from stepforce.errors import ConflictError, NotFoundError, StillRunningError, UsageError
from stepforce.runtime_client import plans
from stepforce.runtime_client import schedule as sched
from stepforce.runtime_client.analysis import StepLog, step_logs
from stepforce.runtime_client.auth import DEFAULT_TIMEOUT, OrgConnection
from stepforce.runtime_client.http import HttpResult, Transport
from stepforce.runtime_client.models import Run, RunPage
from stepforce.runtime_client.retry import RetryPolicy
from stepforce.runtime_client.watch import (
    Clock,
    PollPolicy,
    PollSchedule,
    SystemClock,
    progress_key,
)

BASE_PATH = "stepforce/v1/runs"
MAX_PAGE = 200

# Target state of each transition, and which states prove a lost attempt already worked.
_REACHED: dict[str, Callable[[Run], bool]] = {
    "pause": lambda run: run.status == "Paused",
    "resume": lambda run: run.status != "Paused",
    "cancel": lambda run: run.status == "Cancelled",
}


def _run_path(run_id: str, action: str | None = None) -> str:
    if not run_id or not run_id.isalnum():
        raise UsageError(f"{run_id!r} is not a run id (a 15- or 18-character Salesforce id)")
    tail = f"/{action}" if action else ""
    return f"{BASE_PATH}/{quote(run_id)}{tail}"


class StepforceClient:
    """A client for one org. Every request has a timeout; no method prints."""

    def __init__(
        self,
        connection: OrgConnection,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        clock: Clock | None = None,
        poll: PollPolicy | None = None,
    ) -> None:
        self.clock: Clock = clock or SystemClock()
        self.poll = poll or PollPolicy()
        self.transport = Transport(connection, timeout=timeout, retry=retry, sleep=self.clock.sleep)

    @property
    def connection(self) -> OrgConnection:
        return self.transport.connection

    def _apex(self, method: str, path: str, *, idempotent: bool, **kwargs: Any) -> HttpResult:
        return self.transport.request(
            method, self.transport.apex_url + path, idempotent=idempotent, **kwargs
        )

    # -- runs -----------------------------------------------------------------------------

    def start_run(
        self,
        orchestration: str,
        inputs: Mapping[str, Any] | None = None,
        request_key: str | None = None,
    ) -> Run:
        """Start a run (one call). A repeated ``request_key`` returns the run it started."""
        body = {
            "orchestration": orchestration,
            "inputs": dict(inputs or {}),
            "requestKey": request_key or str(uuid.uuid4()),
        }
        result = self._apex(
            "POST", BASE_PATH, json=body, idempotent=True, tolerate_conflict_after_loss=True
        )
        if result.status == 409:
            # A lost attempt is still committing the run under this key (DUPLICATE_VALUE):
            # once it has, the same key answers 200 with that run.
            self.clock.sleep(self.transport.retry.base_delay)
            result = self._apex("POST", BASE_PATH, json=body, idempotent=True)
        return Run.from_json(result.body)

    def get_run(self, run_id: str) -> Run:
        """The run with all its step runs, oldest first: exactly one call."""
        return Run.from_json(self._apex("GET", _run_path(run_id), idempotent=True).body)

    def list_runs(
        self,
        orchestration: str | None = None,
        status: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> RunPage:
        """One page of runs, newest first, without their steps."""
        if not 1 <= limit <= MAX_PAGE or offset < 0:
            raise UsageError(f"limit must be 1-{MAX_PAGE} and offset at least 0")
        params: dict[str, str] = {"limit": str(limit), "offset": str(offset)}
        if orchestration:
            params["orchestration"] = orchestration
        if status:
            params["status"] = status
        result = self._apex("GET", BASE_PATH, params=params, idempotent=True)
        return RunPage.from_json(result.body, limit, offset)

    def logs(self, run_id: str, step: str | None = None) -> list[StepLog]:
        """Per-step attempts with their inputs, outputs and errors, from one GET."""
        return step_logs(self.get_run(run_id), step)

    # -- control --------------------------------------------------------------------------

    def _transition(self, run_id: str, action: str) -> Run:
        result = self._apex(
            "POST", _run_path(run_id, action), idempotent=True, tolerate_conflict_after_loss=True
        )
        if result.status != 409:
            return Run.from_json(result.body)
        # An earlier attempt's answer was lost and this one conflicts: did the first work?
        run = self.get_run(run_id)
        if _REACHED[action](run):
            return run
        raise ConflictError(
            f"cannot {action} run {run_id}: it is {run.status}",
            status=409,
            error_code="ILLEGAL_TRANSITION",
        )

    def pause(self, run_id: str) -> Run:
        """Pause at the next step boundary (Queued/Running -> Paused)."""
        return self._transition(run_id, "pause")

    def resume(self, run_id: str) -> Run:
        """Resume a paused run from where it stopped."""
        return self._transition(run_id, "resume")

    def cancel(self, run_id: str) -> Run:
        """Cancel a Queued, Running or Paused run; its queued job is aborted."""
        return self._transition(run_id, "cancel")

    def retry(
        self,
        run_id: str,
        from_step: str | None = None,
        overrides: Mapping[str, Any] | None = None,
        *,
        latest: bool = False,
    ) -> Run:
        """Restart a Failed/Cancelled run from its failed step (or ``from_step``), on the plan
        version it started with, or with ``latest`` on the latest plan (the step of the same
        name; the org answers 400 when that plan has none)."""
        body: dict[str, Any] = {}
        if from_step:
            body["fromStep"] = from_step
        if overrides:
            body["inputs"] = dict(overrides)
        if latest:
            body["latest"] = True
        result = self._apex("POST", _run_path(run_id, "retry"), json=body, idempotent=False)
        return Run.from_json(result.body)

    # -- watching -------------------------------------------------------------------------

    def iter_watch(
        self, run_id: str, timeout: float | None = None, *, stop_when_paused: bool = True
    ) -> Iterator[Run]:
        """Yield the run whenever it changes (first poll included) until it ends or pauses.

        A Paused run starts no further step until someone resumes it, so by default the watch
        returns at the first poll that sees it ``Paused`` with no job in flight
        (``run.waits_for_resume``) rather than polling at the longest wait until ``timeout``;
        while the step that was running when the pause came still runs (``run.job_id`` set),
        the watch goes on, since that step can still end the run. ``stop_when_paused=False``
        follows it through the pause. Raises StillRunningError when ``timeout`` seconds pass.
        """
        start = self.clock.monotonic()
        schedule = PollSchedule(self.poll, start)
        seen: tuple[object, ...] | None = None
        while True:
            run = self.get_run(run_id)
            key = progress_key(run)
            progressed = seen is not None and key != seen
            if key != seen:
                yield run
            seen = key
            if run.is_terminal or (stop_when_paused and run.waits_for_resume):
                return
            now = self.clock.monotonic()
            wait = schedule.next_wait(now, progressed)
            if timeout is not None:
                left = start + timeout - now
                if left <= 0:
                    raise self._still_running(run, timeout)
                wait = min(wait, left)
            self.clock.sleep(wait)

    def watch(
        self,
        run_id: str,
        on_update: Callable[[Run], None] | None = None,
        timeout: float | None = None,
        *,
        stop_when_paused: bool = True,
    ) -> Run:
        """Follow a run until it ends or pauses, calling ``on_update`` on each change.

        Returns the last Run seen: terminal (Succeeded, Failed, Cancelled) or, unless
        ``stop_when_paused=False``, Paused. Raises StillRunningError when ``timeout`` passes.
        """
        last: Run | None = None
        for run in self.iter_watch(run_id, timeout, stop_when_paused=stop_when_paused):
            last = run
            if on_update is not None:
                on_update(run)
        assert last is not None  # iter_watch always yields the first poll
        return last

    @staticmethod
    def _still_running(run: Run, timeout: float) -> StillRunningError:
        where = f" at step {run.current_step}" if run.current_step else ""
        return StillRunningError(
            f"Run {run.id} is still {run.status}{where} after {timeout / 60:g} min; it goes on "
            f"in the org. Keep watching with `stepforce run watch {run.id}`."
        )

    # -- plan versions --------------------------------------------------------------------

    def _query(self, soql: str) -> list[dict[str, Any]]:
        url = self.transport.data_url + "query/"
        result = self.transport.request("GET", url, params={"q": soql}, idempotent=True)
        records = result.body.get("records", []) if isinstance(result.body, dict) else []
        return [r for r in records if isinstance(r, dict)]

    def plan_versions(self, orchestration: str | None = None) -> list[plans.PlanVersion]:
        """Deployed plan versions and the unfinished runs pinned to each (two queries)."""
        resources = self._query(plans.RESOURCES_QUERY)
        runs = self._query(plans.runs_query(orchestration))
        return plans.plan_versions(resources, runs, orchestration)

    def prune_plan_versions(self, orchestration: str | None = None) -> list[plans.PlanVersion]:
        """Deletes the plan versions no unfinished run uses and no new run starts on (one
        DELETE of its StaticResource each); returns them. Never the latest, never one in
        use: new runs only pin the latest, so no run can start on a version being pruned."""
        pruned = [v for v in self.plan_versions(orchestration) if v.prunable and v.resource_id]
        for version in pruned:
            url = f"{self.transport.data_url}sobjects/StaticResource/{version.resource_id}"
            try:
                self.transport.request("DELETE", url, idempotent=True)
            except NotFoundError:
                continue  # already gone (a retried DELETE whose first answer was lost)
        return pruned

    # -- schedules ------------------------------------------------------------------------

    def _anonymous(self, apex: str, what: str) -> None:
        url = self.transport.data_url + "tooling/executeAnonymous/"
        # Not repeated: a second schedule after a lost answer would fail as a duplicate name.
        result = self.transport.request(
            "GET", url, params={"anonymousBody": apex}, idempotent=False
        )
        sched.check_anonymous_result(result.body, what)

    def scheduled_jobs(self, name: str) -> list[sched.ScheduledJob]:
        """CronTrigger records of the scheduled job ``name`` (one call)."""
        url = self.transport.data_url + "query/"
        params = {"q": sched.cron_trigger_query(name)}
        result = self.transport.request("GET", url, params=params, idempotent=True)
        records = result.body.get("records", []) if isinstance(result.body, dict) else []
        return [sched.ScheduledJob.from_record(r) for r in records]

    def schedule(
        self,
        orchestration: str,
        cron: str,
        inputs: Mapping[str, Any] | None = None,
        name: str | None = None,
    ) -> sched.ScheduledJob:
        """Schedule cron starts through ``StepforceScheduledStart`` (two calls: schedule, read)."""
        job_name = name or schedule_job_name(orchestration)
        apex = sched.schedule_body(job_name, cron, orchestration, inputs or {})
        self._anonymous(apex, f"scheduling {job_name!r}")
        jobs = self.scheduled_jobs(job_name)
        if not jobs:
            raise NotFoundError(f"the schedule {job_name!r} was accepted but is not in CronTrigger")
        return jobs[0]

    def unschedule(self, name: str) -> list[sched.ScheduledJob]:
        """Abort the scheduled job ``name`` (find it by SOQL, then System.abortJob)."""
        jobs = self.scheduled_jobs(name)
        if not jobs:
            raise NotFoundError(f"no scheduled job is named {name!r}", status=404)
        self._anonymous(sched.abort_body([job.id for job in jobs]), f"unscheduling {name!r}")
        return jobs
