"""After a deploy: the sweeper and the specs' schedules, each made once.

One CronTrigger query, then anonymous Apex only for what differs: the sweeper scheduled once,
each spec's schedule made or remade when its cron changed, the schedules of orchestrations
that lost theirs aborted. Every value reaches Apex through
:func:`stepforce.apex_text.apex_string` (``schedule.schedule_body``/``abort_body``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stepforce.apex_text import apex_string
from stepforce.deploy_plan import (
    JOB_PREFIX,
    SWEEPER_CRON,
    SWEEPER_JOB_NAME,
    DeployPlan,
    schedule_job_name,
)
from stepforce.errors import OrgError
from stepforce.runtime_client.composite import QueryAnswer
from stepforce.runtime_client.lifecycle import SCHEDULED_JOBS_SOQL, Org
from stepforce.runtime_client.schedule import (
    ScheduledJob,
    abort_body,
    check_orchestration,
    schedule_body,
)


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


def reconcile_schedules(
    org: Org, plan: DeployPlan, *, sweeper: bool, found: QueryAnswer | None = None
) -> ScheduleReport:
    """After a successful deploy: the sweeper and the specs' schedules, each made once.

    One CronTrigger query (every ``Stepforce ...`` job; ``found`` is its answer when the
    caller asked already), then one anonymous Apex call for the sweeper when it is absent and
    one for the spec schedules when any differs; nothing else. A failure is reported in the
    returned report (the deploy itself did succeed).
    """
    report = ScheduleReport()
    try:
        if found is not None and found.error_code:
            raise OrgError(f"the CronTrigger query failed: {found.error_code}: {found.message}")
        records = found.records if found is not None else org.query(SCHEDULED_JOBS_SOQL)
        jobs = [ScheduledJob.from_record(r) for r in records]
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
