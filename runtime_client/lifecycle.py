"""The runtime's lifecycle around a deploy: what blocks it, and what it must leave scheduled.

Before: one composite request (one API call) asks the org for its kind (test level), for
Stepforce async jobs that are pending (AsyncApexJob) or scheduled (CronTrigger), which removed
plan classes it still has, and (with ``--delete-removed``) the active runs of removed
orchestrations. Salesforce refuses to deploy an Apex class that has pending jobs ("This Apex
class has batch or future jobs pending or in progress", "This schedulable class has jobs
pending or in progress") unless the Deployment Setting "Allow deployments of components when
corresponding Apex jobs are pending or in progress" is on (the rule: Metadata API Developer
Guide, ApexClass: "By default, you can't deploy updates to an Apex class if there are one or
more active jobs for that class"; the setting's label and the messages as deploy logs quote
them in Illuminated Cloud issues #392 and #1066), so the deploy stops before it is sent unless
``--force``.

After a successful deploy: one CronTrigger query, then anonymous Apex only for what differs:
the sweeper scheduled once, each spec's schedule made or remade when its cron changed, the
schedules of orchestrations that lost theirs aborted. Every value reaches Apex through
:func:`stepforce.apex_text.apex_string` (``schedule.schedule_body``/``abort_body``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from simple_salesforce.format import format_soql

from stepforce.apex_text import apex_string
from stepforce.deploy_plan import (
    JOB_PREFIX,
    SWEEPER_CRON,
    SWEEPER_JOB_NAME,
    DeployPlan,
    schedule_job_name,
)
from stepforce.errors import FailureError, OrgError
from stepforce.runtime_client.composite import QueryAnswer
from stepforce.runtime_client.deploy import ORG_KIND_SOQL
from stepforce.runtime_client.schedule import (
    ScheduledJob,
    abort_body,
    check_orchestration,
    schedule_body,
)

SWEEPER_CLASS = "StepforceSweeper"
PENDING_STATUSES = ("Holding", "Queued", "Preparing", "Processing")
ACTIVE_RUN_STATUSES = ("Queued", "Running", "Paused")
#: CronTrigger states of a job that will not fire again (CronTrigger, Object Reference).
_ENDED_STATES = frozenset({"COMPLETE", "DELETED", "ERROR"})
SETTING = (
    '"Allow deployments of components when corresponding Apex jobs are pending or in progress"'
)
PENDING_JOBS_SOQL = (
    "SELECT Id, JobType, Status, ApexClass.Name, CronTriggerId FROM AsyncApexJob "
    "WHERE Status IN ('Holding', 'Queued', 'Preparing', 'Processing') "
    "AND (ApexClass.Name LIKE 'Stepforce%' OR ApexClass.Name LIKE 'SfPlan%') "
    "ORDER BY CreatedDate LIMIT 200"
)
SCHEDULED_JOBS_SOQL = (
    "SELECT Id, CronJobDetail.Name, CronExpression, State, NextFireTime FROM CronTrigger "
    "WHERE CronJobDetail.Name LIKE 'Stepforce %' LIMIT 200"
)


class Org(Protocol):
    """What the lifecycle needs from a connection (``deploy.Deployer`` provides it)."""

    def composite_query(self, queries: Mapping[str, str]) -> dict[str, QueryAnswer]: ...

    def query(self, soql: str) -> list[dict[str, Any]]: ...

    def execute_anonymous(self, apex: str, what: str) -> None: ...


class DeployBlocked(FailureError):
    """The preflight found what would make the deploy fail or do harm: nothing was sent."""


@dataclass(frozen=True)
class PendingJob:
    id: str
    job_type: str
    status: str
    class_name: str

    def __str__(self) -> str:
        return f"{self.job_type} {self.class_name} ({self.status}, {self.id})"

    def to_json(self) -> dict[str, str]:
        return {
            "id": self.id,
            "type": self.job_type,
            "status": self.status,
            "class": self.class_name,
        }


@dataclass(frozen=True)
class Preflight:
    """What the org said before the deploy."""

    org: dict[str, Any]
    pending: tuple[PendingJob, ...] = ()
    scheduled: tuple[ScheduledJob, ...] = ()
    retired_in_org: tuple[str, ...] = ()  # removed plan classes the org still has
    active_runs: tuple[tuple[str, str, str], ...] = ()  # (run id, orchestration, status)

    @property
    def blocking_schedules(self) -> tuple[ScheduledJob, ...]:
        return tuple(j for j in self.scheduled if (j.state or "") not in _ENDED_STATES)

    @property
    def blocking(self) -> bool:
        return bool(self.pending or self.blocking_schedules)

    def without(self, jobs: tuple[ScheduledJob, ...]) -> Preflight:
        """The preflight as if ``jobs`` (unscheduled before the deploy) were not there."""
        return replace(self, scheduled=tuple(j for j in self.scheduled if j not in jobs))

    def blocking_message(self) -> str:
        lines = ["Stepforce Apex jobs are pending or scheduled in this org:"]
        lines += [f"  {job}" for job in self.pending]
        lines += [
            f"  scheduled {job.name!r} ({job.state}, next {job.next_fire_time or '-'})"
            for job in self.blocking_schedules
        ]
        lines += [
            "Salesforce refuses to deploy an Apex class with pending or scheduled jobs "
            f'("This schedulable class has jobs pending or in progress") unless the '
            f"Deployment Setting {SETTING} is on. Options:",
            "  - wait for the running jobs to finish (`stepforce run list --status Running`);",
            "  - pause the runs (`stepforce run pause RUN_ID`) and unschedule the jobs "
            "(`stepforce unschedule NAME`); deploy schedules them again;",
            "  - --unschedule-first: stepforce's own jobs (the sweeper, the specs' schedules) "
            "are unscheduled before the deploy and scheduled again after it;",
            "  - turn the setting on (Setup > Deployment Settings), then deploy with --force;",
            "  - --force: deploy anyway (without the setting, the deploy fails on these classes).",
        ]
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "pendingJobs": [job.to_json() for job in self.pending],
            "scheduledJobs": [job.to_json() for job in self.blocking_schedules],
            "removedPlansInOrg": list(self.retired_in_org),
            "activeRunsOfRemoved": [
                {"id": run_id, "orchestration": name, "status": status}
                for run_id, name, status in self.active_runs
            ],
        }


def preflight_queries(plan: DeployPlan, delete_removed: bool) -> dict[str, str]:
    """The SOQL of the preflight, by reference id (at most five: one composite request)."""
    queries = {"org": ORG_KIND_SOQL, "pending": PENDING_JOBS_SOQL, "scheduled": SCHEDULED_JOBS_SOQL}
    classes = plan.retired_classes
    if classes:
        queries["retired"] = format_soql(
            "SELECT Name FROM ApexClass WHERE NamespacePrefix = null AND Name IN {} ORDER BY Name",
            list(classes),
        )
        if delete_removed:
            names = [check_orchestration(name) for name in sorted(plan.retired)]
            queries["runs"] = format_soql(
                "SELECT Id, Orchestration__c, Status__c FROM Stepforce_Run__c "
                "WHERE Orchestration__c IN {} AND Status__c IN {} ORDER BY CreatedDate LIMIT 200",
                names,
                list(ACTIVE_RUN_STATUSES),
            )
    return queries


def run_preflight(org: Org, plan: DeployPlan, delete_removed: bool) -> Preflight:
    """Ask the org everything the deploy needs to know first, in one API call."""
    answers = org.composite_query(preflight_queries(plan, delete_removed))
    org_records = _records(answers["org"], "the Organization query")
    if not org_records:
        raise OrgError("the Organization query returned no record")
    runs: tuple[tuple[str, str, str], ...] = ()
    if "runs" in answers:
        runs = tuple(
            (str(r.get("Id")), str(r.get("Orchestration__c")), str(r.get("Status__c")))
            for r in _runs(answers["runs"])
        )
    scheduled = tuple(
        ScheduledJob.from_record(r) for r in _records(answers["scheduled"], "the CronTrigger query")
    )
    # A scheduled job named by stepforce shows in CronTrigger already; one scheduled under
    # another name (`stepforce schedule --name`) only shows here, by its class.
    named = {job.id[:15] for job in scheduled}
    return Preflight(
        org=org_records[0],
        pending=tuple(
            PendingJob(
                id=str(r.get("Id")),
                job_type=str(r.get("JobType") or ""),
                status=str(r.get("Status") or ""),
                class_name=str((r.get("ApexClass") or {}).get("Name") or ""),
            )
            for r in _records(answers["pending"], "the AsyncApexJob query")
            if str(r.get("CronTriggerId") or "")[:15] not in named
        ),
        scheduled=scheduled,
        retired_in_org=tuple(
            str(r.get("Name")) for r in _records(answers.get("retired"), "the ApexClass query")
        ),
        active_runs=runs,
    )


def _records(answer: QueryAnswer | None, what: str) -> tuple[dict[str, Any], ...]:
    if answer is None:
        return ()
    if answer.error_code:
        raise OrgError(f"{what} failed: {answer.error_code}: {answer.message}")
    return answer.records


def _runs(answer: QueryAnswer) -> tuple[dict[str, Any], ...]:
    # No Stepforce_Run__c in the org: the runtime was never deployed there, so no run exists.
    if answer.error_code == "INVALID_TYPE":
        return ()
    if answer.error_code:
        raise DeployBlocked(
            f"cannot check for active runs of the removed orchestrations "
            f"({answer.error_code}: {answer.message}); nothing was deleted or deployed"
        )
    return answer.records


def check_preflight(
    preflight: Preflight, plan: DeployPlan, *, force: bool, delete_removed: bool
) -> list[str]:
    """Raise DeployBlocked when the deploy must not start; otherwise the warnings to show."""
    if delete_removed and preflight.active_runs:
        rows = "\n".join(
            f"  {run_id} {name} {status}" for run_id, name, status in preflight.active_runs
        )
        raise DeployBlocked(
            "refusing to delete the plans of removed orchestrations while their runs are "
            f"active (Queued, Running or Paused):\n{rows}\n"
            "let them finish or cancel them (`stepforce run cancel RUN_ID`), then deploy again"
        )
    if preflight.blocking and not force:
        raise DeployBlocked(preflight.blocking_message())
    warnings = []
    if preflight.blocking:
        warnings.append(
            "--force: deploying although Stepforce jobs are pending or scheduled "
            f"(this works only with the Deployment Setting {SETTING} on)"
        )
    if preflight.retired_in_org and not delete_removed:
        by_class = {c: name for name, classes in plan.retired.items() for c in classes}
        names = sorted({by_class.get(c, c) for c in preflight.retired_in_org})
        warnings.append(
            f"removed orchestration(s) {', '.join(names)} stay startable in the org: their plan "
            f"classes ({', '.join(preflight.retired_in_org)}) are still there; "
            "`stepforce deploy --delete-removed` deletes them"
        )
    return warnings


@dataclass(frozen=True)
class ScheduleChange:
    """What deploy did (or would do) to one scheduled job."""

    job_name: str
    action: str  # scheduled, rescheduled, unchanged, unscheduled
    orchestration: str = ""
    cron: str = ""
    previous_cron: str = ""

    def __str__(self) -> str:
        what = f"{self.job_name!r}"
        if self.action == "rescheduled":
            return f"schedule {what}: rescheduled {self.previous_cron} -> {self.cron}"
        if self.action == "unscheduled":
            return f"schedule {what}: unscheduled (was {self.previous_cron})"
        return f"schedule {what}: {self.action} ({self.cron})"

    def to_json(self) -> dict[str, str]:
        return {
            "job": self.job_name,
            "action": self.action,
            "orchestration": self.orchestration,
            "cron": self.cron,
            "previousCron": self.previous_cron,
        }


@dataclass
class ScheduleReport:
    """The sweeper's and the specs' schedules after a deploy."""

    sweeper: ScheduleChange | None = None  # None: --no-sweeper
    changes: list[ScheduleChange] = field(default_factory=list)
    error: str = ""

    def lines(self) -> list[str]:
        found = [str(self.sweeper).replace("schedule ", "sweeper ", 1)] if self.sweeper else []
        found += [str(change) for change in self.changes]
        return found + ([f"scheduling failed: {self.error}"] if self.error else [])

    def to_json(self) -> dict[str, Any]:
        return {
            "sweeper": self.sweeper.to_json() if self.sweeper else None,
            "schedules": [change.to_json() for change in self.changes],
            "error": self.error or None,
        }


def _same_cron(left: str | None, right: str) -> bool:
    return " ".join((left or "").split()) == " ".join(right.split())


def plan_schedules(
    jobs: list[ScheduledJob], plan: DeployPlan
) -> tuple[list[ScheduleChange], list[str]]:
    """The changes that make the org's jobs match the plan, and the Apex lines doing them."""
    by_name: dict[str, list[ScheduledJob]] = {}
    for job in jobs:
        by_name.setdefault(job.name, []).append(job)
    changes: list[ScheduleChange] = []
    apex: list[str] = []
    for wanted in sorted(plan.schedules, key=lambda s: s.orchestration):
        name = wanted.job_name
        present = by_name.get(name, [])
        previous = present[0].cron or "" if present else ""
        if present and _same_cron(previous, wanted.cron):
            changes.append(ScheduleChange(name, "unchanged", wanted.orchestration, wanted.cron))
            continue
        if present:
            apex.append(abort_body([job.id for job in present]))
        apex.append(schedule_body(name, wanted.cron, wanted.orchestration, wanted.inputs))
        action = "rescheduled" if present else "scheduled"
        changes.append(ScheduleChange(name, action, wanted.orchestration, wanted.cron, previous))
    for orchestration in sorted(plan.unscheduled):
        name = schedule_job_name(check_orchestration(orchestration))
        present = by_name.get(name, [])
        if present:
            apex.append(abort_body([job.id for job in present]))
            cron = present[0].cron or ""
            changes.append(ScheduleChange(name, "unscheduled", orchestration, "", cron))
    return changes, apex


def owned_jobs(preflight: Preflight, plan: DeployPlan) -> tuple[ScheduledJob, ...]:
    """The blocking jobs deploy can make again itself: the sweeper and the specs' schedules."""
    names = {SWEEPER_JOB_NAME} | {s.job_name for s in plan.schedules}
    return tuple(job for job in preflight.blocking_schedules if job.name in names)


def restore(org: Org, held: tuple[ScheduledJob, ...], plan: DeployPlan) -> ScheduleReport:
    """After a failed deploy: the jobs unscheduled before it, as they were (their cron; the
    plan's inputs), in one anonymous Apex call. Nothing new is scheduled."""
    report = ScheduleReport()
    wanted = {s.job_name: s for s in plan.schedules}
    apex: list[str] = []
    for job in held:
        cron = job.cron or ""
        if job.name == SWEEPER_JOB_NAME:
            apex.append(sweeper_apex())
            report.sweeper = ScheduleChange(job.name, "restored", cron=cron)
        else:
            spec = wanted[job.name]
            apex.append(schedule_body(job.name, cron, spec.orchestration, spec.inputs))
            report.changes.append(ScheduleChange(job.name, "restored", spec.orchestration, cron))
    try:
        org.execute_anonymous("\n".join(apex), "scheduling again what was unscheduled")
    except OrgError as error:
        report.error = str(error)
    return report


def sweeper_apex() -> str:
    return (
        f"StepforceSweeper.schedule({apex_string(SWEEPER_JOB_NAME)}, {apex_string(SWEEPER_CRON)});"
    )


def reconcile_schedules(org: Org, plan: DeployPlan, *, sweeper: bool) -> ScheduleReport:
    """After a successful deploy: the sweeper and the specs' schedules, each made once.

    One CronTrigger query (every ``Stepforce ...`` job), then one anonymous Apex call for the
    sweeper when it is absent and one for the spec schedules when any differs; nothing else.
    A failure is reported in the returned report (the deploy itself did succeed).
    """
    report = ScheduleReport()
    try:
        jobs = [ScheduledJob.from_record(r) for r in org.query(SCHEDULED_JOBS_SOQL)]
        jobs = [job for job in jobs if job.name.startswith(JOB_PREFIX)]
        if sweeper:
            present = [job for job in jobs if job.name == SWEEPER_JOB_NAME]
            if present:
                report.sweeper = ScheduleChange(
                    SWEEPER_JOB_NAME, "unchanged", cron=present[0].cron or ""
                )
            else:
                org.execute_anonymous(sweeper_apex(), "scheduling the sweeper")
                report.sweeper = ScheduleChange(SWEEPER_JOB_NAME, "scheduled", cron=SWEEPER_CRON)
        changes, apex = plan_schedules(jobs, plan)
        if apex:
            org.execute_anonymous("\n".join(apex), "scheduling the specs' cron starts")
        report.changes = changes
    except OrgError as error:
        report.error = str(error)
    return report
