"""The runtime's lifecycle before a deploy: what would block it, asked in one call.

Before: one composite request (one API call) asks the org for its kind (test level), for
Stepforce async jobs that are pending (AsyncApexJob) or scheduled (CronTrigger), and for the
plan documents it holds (which versions are the latest while the deploy runs: see
``plans.plan_cleanup``). Salesforce refuses to deploy an Apex class that has pending jobs
("This Apex class has batch or future jobs pending or in progress", "This schedulable class
has jobs pending or in progress") unless the Deployment Setting "Allow deployments of
components when corresponding Apex jobs are pending or in progress" is on (the rule:
Metadata API Developer Guide, ApexClass: "By default, you can't deploy updates to an Apex
class if there are one or more active jobs for that class"; the setting's label and the
messages as deploy logs quote them in Illuminated Cloud issues #392 and #1066), so the deploy
stops before it is sent unless ``--force``.

What happens after the deploy (the sweeper, the specs' schedules, plan pruning) is
``deploy_flow``'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol

from stepforce.deploy_plan import SWEEPER_JOB_NAME, DeployPlan
from stepforce.errors import FailureError, OrgError
from stepforce.runtime_client.composite import QueryAnswer
from stepforce.runtime_client.deploy import ORG_KIND_SOQL
from stepforce.runtime_client.plans import RESOURCES_QUERY
from stepforce.runtime_client.schedule import ScheduledJob

SWEEPER_CLASS = "StepforceSweeper"
#: CronTrigger states of a job that will not fire again (CronTrigger, Object Reference).
_ENDED_STATES = frozenset({"COMPLETE", "DELETED", "ERROR"})
SETTING = (
    '"Allow deployments of components when corresponding Apex jobs are pending or in progress"'
)
PENDING_JOBS_SOQL = (
    "SELECT Id, JobType, Status, ApexClass.Name, CronTriggerId FROM AsyncApexJob "
    "WHERE Status IN ('Holding', 'Queued', 'Preparing', 'Processing') "
    "AND ApexClass.Name LIKE 'Stepforce%' "
    "ORDER BY CreatedDate LIMIT 200"
)
SCHEDULED_JOBS_SOQL = (
    "SELECT Id, CronJobDetail.Name, CronExpression, State, NextFireTime FROM CronTrigger "
    "WHERE CronJobDetail.Name LIKE 'Stepforce %' LIMIT 200"
)
#: What the runtime recorded of each schedule's inputs (StepforceScheduledStart.recordInputs):
#: CronTrigger does not show them. INVALID_TYPE from a runtime older than the custom setting.
SCHEDULE_INPUTS_SOQL = (
    "SELECT Job_Name__c, Inputs_Hash__c FROM Stepforce_Schedule_Input__c "
    "ORDER BY Job_Name__c LIMIT 2000"
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
    #: The plan documents (StaticResource records) before the deploy; None when not asked,
    #: not all on one page or the query failed (then nothing is pruned: a latest one may be
    #: unseen).
    plans: tuple[dict[str, Any], ...] | None = None

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
        }


def preflight_queries(plans: bool) -> dict[str, str]:
    """The SOQL of the preflight, by reference id (one composite request)."""
    queries = {"org": ORG_KIND_SOQL, "pending": PENDING_JOBS_SOQL, "scheduled": SCHEDULED_JOBS_SOQL}
    if plans:
        queries["plans"] = RESOURCES_QUERY
    return queries


def run_preflight(org: Org, plans: bool) -> Preflight:
    """Ask the org everything the deploy needs to know first, in one API call (``plans``:
    the plan documents too, for pruning after the deploy)."""
    answers = org.composite_query(preflight_queries(plans))
    org_records = _records(answers["org"], "the Organization query")
    if not org_records:
        raise OrgError("the Organization query returned no record")
    scheduled = tuple(
        ScheduledJob.from_record(r) for r in _records(answers["scheduled"], "the CronTrigger query")
    )
    # A scheduled job named by stepforce shows in CronTrigger already; one scheduled under
    # another name (`stepforce schedule --name`) only shows here, by its class.
    named = {job.id[:15] for job in scheduled}
    found = answers.get("plans")
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
        # Only pruning needs them: a failed or paged list prunes nothing, it blocks no deploy.
        plans=found.records if found and found.complete and not found.error_code else None,
    )


def _records(answer: QueryAnswer | None, what: str) -> tuple[dict[str, Any], ...]:
    if answer is None:
        return ()
    if answer.error_code:
        raise OrgError(f"{what} failed: {answer.error_code}: {answer.message}")
    return answer.records


def check_preflight(preflight: Preflight, *, force: bool) -> list[str]:
    """Raise DeployBlocked when the deploy must not start; otherwise the warnings to show."""
    if preflight.blocking and not force:
        raise DeployBlocked(preflight.blocking_message())
    if preflight.blocking:
        return [
            "--force: deploying although Stepforce jobs are pending or scheduled "
            f"(this works only with the Deployment Setting {SETTING} on)"
        ]
    return []


def owned_jobs(preflight: Preflight, plan: DeployPlan) -> tuple[ScheduledJob, ...]:
    """The blocking jobs deploy can make again itself: the sweeper and the specs' schedules."""
    names = {SWEEPER_JOB_NAME} | {s.job_name for s in plan.schedules}
    return tuple(job for job in preflight.blocking_schedules if job.name in names)
