"""After a deploy: the sweeper and the specs' schedules, each made once.

One composite request (CronTrigger, and the inputs the runtime recorded for each schedule
in the custom setting Stepforce_Schedule_Input__c, since CronTrigger does not show them), then
anonymous Apex only for what differs: the sweeper scheduled once, each spec's schedule made,
or remade when its cron or its inputs changed (or its inputs are not known), the schedules of
orchestrations that lost theirs aborted. Every value reaches Apex through
:func:`stepforce.apex_text.apex_string` (``schedule.schedule_body``/``abort_body``).

The runtime stores the SHA-256 (lowercase hex) of the UTF-8 bytes of the inputs text exactly
as ``StepforceScheduledStart.schedule`` received it and never serializes it again; deploy
hashes the text it sends (``schedule.inputs_json``), so the same inputs give the same hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
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
from stepforce.runtime_client.lifecycle import SCHEDULE_INPUTS_SOQL, SCHEDULED_JOBS_SOQL, Org
from stepforce.runtime_client.schedule import (
    ScheduledJob,
    abort_body,
    check_orchestration,
    inputs_json,
    schedule_body,
)

INPUTS_SETTING = "Stepforce_Schedule_Input__c"


@dataclass(frozen=True)
class ScheduleChange:
    """What deploy did (or would do) to one scheduled job."""

    job_name: str
    action: str  # scheduled, rescheduled, unchanged, unscheduled
    orchestration: str = ""
    cron: str = ""
    previous_cron: str = ""
    reason: str = ""  # why a job with the same cron was remade

    def __str__(self) -> str:
        what = f"{self.job_name!r}"
        if self.action == "rescheduled" and self.reason:
            return f"schedule {what}: rescheduled ({self.cron}): {self.reason}"
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
            "reason": self.reason,
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


def inputs_hash(text: str) -> str:
    """What the runtime records of an inputs text (StepforceScheduledStart.inputsHash)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class RecordedInputs:
    """The inputs hash the runtime recorded for each job (Stepforce_Schedule_Input__c), by
    job name; ``unknown`` says why the org could not tell (then every job is remade)."""

    hashes: Mapping[str, str] = field(default_factory=dict)
    unknown: str = ""

    @classmethod
    def from_answer(cls, answer: QueryAnswer) -> RecordedInputs:
        if answer.error_code == "INVALID_TYPE":
            return cls(unknown=f"the org has no {INPUTS_SETTING} (a runtime older than this)")
        if answer.error_code:
            return cls(unknown=f"{INPUTS_SETTING}: {answer.error_code}: {answer.message}")
        if not answer.complete:
            return cls(unknown=f"{INPUTS_SETTING} has more records than one page")
        hashes = {str(r.get("Job_Name__c")): str(r.get("Inputs_Hash__c")) for r in answer.records}
        return cls(hashes=hashes)

    def why_remade(self, job_name: str, inputs: Mapping[str, Any]) -> str:
        """Why a job whose cron is right must be made again; empty when it need not be."""
        if self.unknown:
            return f"inputs unknown: {self.unknown}"
        recorded = self.hashes.get(job_name)
        if recorded is None:
            return "inputs not recorded (scheduled by an older runtime)"
        return "" if recorded == inputs_hash(inputs_json(inputs)) else "inputs changed"


def plan_schedules(
    jobs: list[ScheduledJob], plan: DeployPlan, recorded: RecordedInputs | None = None
) -> tuple[list[ScheduleChange], list[str]]:
    """The changes that make the org's jobs match the plan, and the Apex lines doing them.

    A job with the plan's cron is kept only when the runtime recorded the plan's inputs for
    it (``recorded``; none: nothing recorded, so every such job is remade)."""
    recorded = recorded or RecordedInputs()
    by_name: dict[str, list[ScheduledJob]] = {}
    for job in jobs:
        by_name.setdefault(job.name, []).append(job)
    changes: list[ScheduleChange] = []
    apex: list[str] = []
    for wanted in sorted(plan.schedules, key=lambda s: s.orchestration):
        name = wanted.job_name
        present = by_name.get(name, [])
        previous = present[0].cron or "" if present else ""
        same_cron = bool(present) and _same_cron(previous, wanted.cron)
        reason = recorded.why_remade(name, wanted.inputs) if same_cron else ""
        if same_cron and not reason:
            changes.append(ScheduleChange(name, "unchanged", wanted.orchestration, wanted.cron))
            continue
        if present:
            apex.append(abort_body([job.id for job in present]))
        apex.append(schedule_body(name, wanted.cron, wanted.orchestration, wanted.inputs))
        action = "rescheduled" if present else "scheduled"
        changes.append(
            ScheduleChange(name, action, wanted.orchestration, wanted.cron, previous, reason)
        )
    for orchestration in sorted(plan.unscheduled):
        name = schedule_job_name(check_orchestration(orchestration))
        present = by_name.get(name, [])
        if present:
            apex.append(abort_body([job.id for job in present]))
            if name in recorded.hashes:  # the runtime that recorded it can forget it
                apex.append(
                    f"StepforceScheduledStart.forgetInputs(new Set<String>{{{apex_string(name)}}});"
                )
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


def schedule_queries() -> dict[str, str]:
    """What reconciling needs to know, by reference id, for one composite request."""
    return {"scheduled": SCHEDULED_JOBS_SOQL, "inputs": SCHEDULE_INPUTS_SOQL}


def reconcile_schedules(
    org: Org,
    plan: DeployPlan,
    *,
    sweeper: bool,
    found: Mapping[str, QueryAnswer] | None = None,
) -> ScheduleReport:
    """After a successful deploy: the sweeper and the specs' schedules, each made once.

    One composite request of ``schedule_queries`` (every ``Stepforce ...`` job and the
    inputs recorded for them; ``found`` holds their answers when the caller asked already),
    then one anonymous Apex call for the sweeper when it is absent and one for the spec
    schedules when any differs; nothing else. A failure is reported in the returned report
    (the deploy itself did succeed).
    """
    report = ScheduleReport()
    try:
        answers = found if found is not None else org.composite_query(schedule_queries())
        scheduled = answers["scheduled"]
        if scheduled.error_code:
            raise OrgError(
                f"the CronTrigger query failed: {scheduled.error_code}: {scheduled.message}"
            )
        recorded = RecordedInputs.from_answer(answers["inputs"])
        jobs = [ScheduledJob.from_record(r) for r in scheduled.records]
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
        changes, apex = plan_schedules(jobs, plan, recorded)
        if apex:
            org.execute_anonymous("\n".join(apex), "scheduling the specs' cron starts")
        report.changes = changes
    except OrgError as error:
        report.error = str(error)
    return report
