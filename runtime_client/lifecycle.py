"""The runtime's lifecycle before a deploy: what would block it, asked in one call.

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

What happens after the deploy (the sweeper, the specs' schedules) is ``schedule_sync``'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol

from simple_salesforce.format import format_soql

from stepforce.deploy_plan import (
    SWEEPER_JOB_NAME,
    DeployPlan,
)
from stepforce.errors import FailureError, OrgError
from stepforce.runtime_client.composite import QueryAnswer
from stepforce.runtime_client.deploy import ORG_KIND_SOQL
from stepforce.runtime_client.schedule import (
    ScheduledJob,
    check_orchestration,
)

SWEEPER_CLASS = "StepforceSweeper"
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


def owned_jobs(preflight: Preflight, plan: DeployPlan) -> tuple[ScheduledJob, ...]:
    """The blocking jobs deploy can make again itself: the sweeper and the specs' schedules."""
    names = {SWEEPER_JOB_NAME} | {s.job_name for s in plan.schedules}
    return tuple(job for job in preflight.blocking_schedules if job.name in names)
