"""``StepforceClient``: start, inspect, watch and control runs over the stepforce REST API.

Call budget: ``get_run`` and ``logs`` are one call for a typical run (the run and all its step
runs come in one GET); a run whose step runs exceed the runtime's byte budget per response
comes in pages (``stepsAfter``), which they follow: about one call per MB of stored inputs and
outputs (``io=False`` summaries: one call for thousands of step runs). ``start_run`` is one
call; a watch is one ``get_run`` per poll (see ``watch.py``); ``iter_runs`` one call per page
of up to 200 runs, at any depth (keyset cursors). Schedules are one call each.

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
from stepforce.errors import ConflictError, OrgError, StillRunningError, UsageError
from stepforce.runtime_client import plan_client, plans
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
SCHEDULES_PATH = "stepforce/v1/schedules"
MAX_PAGE = 200
# SOQL's OFFSET ceiling: deeper pages need the runtime's cursors.
MAX_OFFSET = 2000

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

    def get_run(self, run_id: str, *, io: bool = True) -> Run:
        """The run with all its step runs, oldest first: one call for a typical run.

        When the step runs do not fit one response the runtime says where to go on
        (``stepsNext``) and this follows it until the run is whole, so callers always get every
        step run. ``io=False`` asks for summaries (no step inputs/outputs): small enough that
        thousands of step runs come in one call.
        """
        path = _run_path(run_id)
        params = {} if io else {"io": "false"}
        run = Run.from_json(self._apex("GET", path, params=params, idempotent=True).body)
        while run.steps_next is not None:
            after = run.steps_next
            body = self._apex(
                "GET", path, params={**params, "stepsAfter": after}, idempotent=True
            ).body
            page = Run.from_json(body)
            if not page.steps or page.steps_next == after:
                raise OrgError(f"the org's step runs of {run_id} stopped advancing at {after}")
            run = run.with_more_steps(page)
        return run

    def list_runs(
        self,
        orchestration: str | None = None,
        status: str | None = None,
        limit: int = 50,
        offset: int = 0,
        *,
        after: str | None = None,
        before: str | None = None,
    ) -> RunPage:
        """One page of runs, newest first, without their steps: at ``offset`` (at most 2,000),
        or older than the cursor ``after`` / newer than ``before`` (a page's
        ``next_cursor`` / ``previous_cursor``)."""
        if not 1 <= limit <= MAX_PAGE or not 0 <= offset <= MAX_OFFSET:
            raise UsageError(
                f"limit must be 1-{MAX_PAGE} and offset 0-{MAX_OFFSET} (deeper: cursors)"
            )
        params: dict[str, str] = {"limit": str(limit)}
        if after or before:
            params["after" if after else "before"] = str(after or before)
        else:
            params["offset"] = str(offset)
        if orchestration:
            params["orchestration"] = orchestration
        if status:
            params["status"] = status
        result = self._apex("GET", BASE_PATH, params=params, idempotent=True)
        return RunPage.from_json(result.body, limit, offset)

    def iter_pages(
        self,
        orchestration: str | None = None,
        status: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> Iterator[RunPage]:
        """Pages of runs, newest first, up to ``limit`` runs in all (None: every run), each
        page of at most 200 following the previous page's ``next_cursor``. A runtime without
        cursors is paged by offset, as far as its 2,000 allow."""
        shown = 0
        page: RunPage | None = None
        while limit is None or shown < limit:
            size = MAX_PAGE if limit is None else min(MAX_PAGE, limit - shown)
            if page is None:
                page = self.list_runs(orchestration, status, size, offset)
            elif page.cursors:
                page = self.list_runs(orchestration, status, size, after=page.next_cursor)
            elif page.offset + len(page.runs) <= MAX_OFFSET:
                page = self.list_runs(orchestration, status, size, page.offset + len(page.runs))
            else:
                return
            yield page
            shown += len(page.runs)
            if not page.runs or not page.has_more:
                return

    def collect_runs(
        self,
        orchestration: str | None = None,
        status: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> RunPage:
        """Up to ``limit`` runs (None: all) as one page; ``next_cursor`` goes on after them."""
        pages = list(self.iter_pages(orchestration, status, limit, offset))
        runs = tuple(run for page in pages for run in page.runs)
        last = pages[-1] if pages else None
        return RunPage(
            runs=runs,
            total=last.total if last else 0,
            limit=len(runs),
            offset=offset,
            next_cursor=last.next_cursor if last else None,
            previous_cursor=pages[0].previous_cursor if pages else None,
            cursors=last.cursors if last else False,
        )

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
        self,
        run_id: str,
        timeout: float | None = None,
        *,
        stop_when_paused: bool = True,
        io: bool = True,
    ) -> Iterator[Run]:
        """Yield the run whenever it changes (first poll included) until it ends or pauses.

        A Paused run starts no further step until someone resumes it, so by default the watch
        returns at the first poll that sees it ``Paused`` with no job in flight
        (``run.waits_for_resume``) rather than polling at the longest wait until ``timeout``;
        while the step that was running when the pause came still runs (``run.job_id`` set),
        the watch goes on, since that step can still end the run. ``stop_when_paused=False``
        follows it through the pause. Raises StillRunningError when ``timeout`` seconds pass.
        ``io=False`` polls step summaries (no inputs/outputs): one call per poll at any size.
        """
        start = self.clock.monotonic()
        schedule = PollSchedule(self.poll, start)
        seen: tuple[object, ...] | None = None
        while True:
            run = self.get_run(run_id, io=io)
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
        io: bool = True,
    ) -> Run:
        """Follow a run until it ends or pauses, calling ``on_update`` on each change.

        Returns the last Run seen: terminal (Succeeded, Failed, Cancelled) or, unless
        ``stop_when_paused=False``, Paused. Raises StillRunningError when ``timeout`` passes.
        """
        last: Run | None = None
        for run in self.iter_watch(run_id, timeout, stop_when_paused=stop_when_paused, io=io):
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
    # See plan_client: one SOQL query for the documents, the runtime's GET plans for the runs.

    def plan_usage(self, orchestration: str | None = None) -> plans.Usage:
        """Unfinished runs per orchestration and plan version (``GET plans``, one call)."""
        return plan_client.plan_usage(self.transport, orchestration)

    def plan_versions(self, orchestration: str | None = None) -> list[plans.PlanVersion]:
        """Deployed plan versions and the unfinished runs pinned to each (two calls; more
        when a list is paged or the runtime's count is cut)."""
        return plan_client.plan_versions(self.transport, orchestration)

    def prune_plan_versions(
        self, orchestration: str | None = None
    ) -> tuple[list[plans.PlanVersion], dict[str, str]]:
        """Deletes the plan versions no unfinished run uses and no new run starts on (one
        sObject Collections DELETE per 200 versions). Never the latest, never one in use: new
        runs only pin the latest, so no run can start on a version being pruned. Returns the
        versions deleted, and version -> the org's problem for each it kept."""
        return plan_client.prune(self.transport, orchestration)

    def plan_document(self, version: str) -> dict[str, Any]:
        """One deployed plan version's document (two calls: its Body URL, then the body)."""
        return plan_client.plan_document(self.transport, version)

    # -- schedules ------------------------------------------------------------------------
    # The runtime's schedules routes (custom permission Stepforce_Schedule; no Author Apex).

    def scheduled_jobs(self, name: str) -> list[sched.ScheduledJob]:
        """CronTrigger records of the scheduled job ``name``, of any class (one SOQL call; the
        user needs to see setup objects). The routes below list only cron starts, so this is
        how the sweeper's schedule (``StepforceSweeper``) is found."""
        records = self.transport.query(sched.cron_trigger_query(name))
        return [sched.ScheduledJob.from_record(r) for r in records]

    def _schedules(self, method: str, **kwargs: Any) -> Any:
        try:
            # Not repeated: a second schedule after a lost answer would be a name in use (409)
            # and a second unschedule a 404, hiding that the first one worked.
            return self._apex(method, SCHEDULES_PATH, idempotent=False, **kwargs).body
        except OrgError as error:
            if error.status == 405:
                raise OrgError(
                    "the stepforce runtime in this org predates the schedules routes; "
                    "deploy the current one (`stepforce deploy`)",
                    status=405,
                    error_code=error.error_code,
                ) from None
            raise

    def schedules(self) -> list[sched.ScheduledJob]:
        """Every cron start of the runtime (StepforceScheduledStart jobs), by name: one call."""
        return sched.ScheduledJob.list_from_json(self._schedules("GET"), "schedules")

    def schedule(
        self,
        orchestration: str,
        cron: str,
        inputs: Mapping[str, Any] | None = None,
        name: str | None = None,
    ) -> sched.ScheduledJob:
        """Schedule cron starts of ``orchestration`` (one call). The org checks the plan and
        the inputs now, as the calling user; a name in use is a ConflictError."""
        body = {
            "orchestration": sched.check_orchestration(orchestration),
            "cron": cron,
            "inputs": dict(inputs or {}),
            "name": sched.check_job_name(name or schedule_job_name(orchestration)),
        }
        return sched.ScheduledJob.from_json(self._schedules("POST", json=body))

    def unschedule(self, name: str) -> list[sched.ScheduledJob]:
        """Remove the cron start named ``name`` (one call); runs it started go on."""
        body = self._schedules("DELETE", params={"name": sched.check_job_name(name)})
        return sched.ScheduledJob.list_from_json(body, "unscheduled")
