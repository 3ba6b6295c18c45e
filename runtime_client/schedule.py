"""Cron starts: the ScheduledJob the runtime's schedules routes and CronTrigger describe, and
the anonymous Apex that ``stepforce deploy`` schedules or aborts them with.

Every value travels as an Apex string literal written by :func:`stepforce.apex_text.apex_string`,
the one escaping function of the project, shared with the generator (a name, cron or inputs
JSON cannot end the literal and inject code); SOQL values go through simple-salesforce's
``format_soql``. Identifiers are checked as well, so a bad name, or a control character in a
value, is a clear usage error before any call.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from simple_salesforce.format import format_soql

from stepforce import exact_json
from stepforce.apex_text import IDENTIFIER, UnsafeTextError, apex_string
from stepforce.errors import OrgError, UsageError

_CRON_TRIGGER_ID = re.compile(r"^08e[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$")
MAX_JOB_NAME = 80


def check_orchestration(name: str) -> str:
    if not IDENTIFIER.match(name) or len(name) > 27:
        raise UsageError(
            f"orchestration {name!r} is not an orchestration API name "
            "(letters, digits and single underscores, starting with a letter, at most 27)"
        )
    return name


def check_job_name(name: str) -> str:
    if not name.strip() or len(name) > MAX_JOB_NAME:
        raise UsageError(f"schedule name must be 1-{MAX_JOB_NAME} characters, got {name!r}")
    return name


def inputs_json(inputs: Mapping[str, Any]) -> str:
    """The inputs as deploy sends them to ``StepforceScheduledStart.schedule``: top-level keys
    sorted for a stable script, compact separators, Decimals (a spec's exact numbers) with
    their digits, other characters as they are. The runtime records the SHA-256 of exactly
    this text, so deploy knows whether a job's inputs changed (``schedule_sync``)."""
    return exact_json.dumps(dict(sorted(inputs.items())), separators=(",", ":"))


def schedule_body(job_name: str, cron: str, orchestration: str, inputs: Mapping[str, Any]) -> str:
    """Anonymous Apex calling the runtime's ``StepforceScheduledStart.schedule``."""
    values = {
        "schedule name": check_job_name(job_name),
        "cron expression": cron,
        "orchestration": check_orchestration(orchestration),
        "inputs": inputs_json(inputs),
    }
    literals = []
    for what, value in values.items():
        try:
            literals.append(apex_string(value))
        except UnsafeTextError as error:
            raise UsageError(f"the {what} {value!r} cannot be sent: {error}") from None
    return f"StepforceScheduledStart.schedule({', '.join(literals)});"


def abort_body(job_ids: list[str]) -> str:
    """Anonymous Apex aborting scheduled jobs by CronTrigger id (ids come from our query)."""
    for job_id in job_ids:
        if not _CRON_TRIGGER_ID.match(job_id):
            raise OrgError(f"the org returned {job_id!r}, which is not a CronTrigger id")
    return "\n".join(f"System.abortJob({apex_string(job_id)});" for job_id in job_ids)


def cron_trigger_query(job_name: str) -> str:
    return format_soql(
        "SELECT Id, CronJobDetail.Name, CronExpression, State, NextFireTime FROM CronTrigger "
        "WHERE CronJobDetail.Name = {}",
        job_name,
    )


@dataclass(frozen=True)
class ScheduledJob:
    """A scheduled start: a Schedule of the runtime's routes (``GET/POST/DELETE schedules``),
    or a CronTrigger record as SOQL returns it (deploy's lifecycle)."""

    id: str
    name: str
    cron: str | None
    state: str | None
    next_fire_time: str | None
    previous_fire_time: str | None = None

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> ScheduledJob:
        detail = record.get("CronJobDetail") or {}
        return cls(
            id=str(record.get("Id")),
            name=str(detail.get("Name") or ""),
            cron=record.get("CronExpression"),
            state=record.get("State"),
            next_fire_time=record.get("NextFireTime"),
            previous_fire_time=record.get("PreviousFireTime"),
        )

    @classmethod
    def from_json(cls, data: Any) -> ScheduledJob:
        """A Schedule ``{"id", "name", "cron", "state", "nextFireTime", "previousFireTime"}``."""
        if not isinstance(data, Mapping) or not data.get("id"):
            raise OrgError("the org answered with something that is not a Schedule")
        return cls(
            id=str(data["id"]),
            name=str(data.get("name") or ""),
            cron=data.get("cron"),
            state=data.get("state"),
            next_fire_time=data.get("nextFireTime"),
            previous_fire_time=data.get("previousFireTime"),
        )

    @classmethod
    def list_from_json(cls, data: Any, key: str) -> list[ScheduledJob]:
        """The Schedules of ``{"schedules": [...]}`` or ``{"unscheduled": [...]}``."""
        items = data.get(key) if isinstance(data, Mapping) else None
        if not isinstance(items, list):
            raise OrgError(f"the org's answer has no {key!r} array")
        return [cls.from_json(item) for item in items]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "cron": self.cron,
            "state": self.state,
            "nextFireTime": self.next_fire_time,
            "previousFireTime": self.previous_fire_time,
        }


def check_anonymous_result(body: Any, what: str) -> None:
    """executeAnonymous answers 200 even when the code failed: read compiled/success."""
    if not isinstance(body, Mapping):
        raise OrgError(f"{what}: executeAnonymous gave no result", body=body)
    if not body.get("compiled"):
        problem = body.get("compileProblem") or "unknown compile problem"
        hint = ""
        if "StepforceScheduledStart" in str(problem):
            hint = " Is the stepforce runtime deployed to this org? (`stepforce deploy`)"
        raise OrgError(
            f"{what}: the Apex did not compile (line {body.get('line')}, column "
            f"{body.get('column')}): {problem}.{hint}",
            error_code="COMPILE_ERROR",
            body=dict(body),
        )
    if not body.get("success"):
        raise OrgError(
            f"{what}: {body.get('exceptionMessage') or 'the Apex failed'}",
            error_code="APEX_ERROR",
            body=dict(body),
        )
