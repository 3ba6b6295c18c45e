"""What ``deploy`` must do in the org beyond the metadata: schedules and removed orchestrations.

``generate`` knows each orchestration's schedule and which orchestrations left the project;
``deploy`` acts on them in the org. This module is the contract between the two: the one
job-naming rule (shared with ``stepforce schedule`` and the generated
``scripts/apex/schedule_<Name>.apex``), and the plan ``generate`` records in the project's
ownership manifest (``.stepforce/manifest.json``, section ``deploy``) for ``deploy`` to read.

Pure data: no I/O, no Salesforce calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Every scheduled job stepforce makes has a name starting with this.
JOB_PREFIX = "Stepforce "
#: The sweeper's job. Two spaces-separated words after the prefix, so no orchestration job
#: name (``Stepforce <API name>``, one word) can ever be the same.
SWEEPER_JOB_NAME = "Stepforce runtime sweeper"
#: Hourly, at minute 0 (Salesforce cron: s m h dom mon dow). Longer than the sweeper's
#: 15-minute grace period, short enough that a dead chain is settled within the hour.
SWEEPER_CRON = "0 0 * * * ?"
#: The manifest section this plan lives in.
MANIFEST_SECTION = "deploy"


def schedule_job_name(orchestration: str) -> str:
    """The scheduled job of an orchestration's cron starts: ``Stepforce <Name>``.

    The one naming rule: the generated schedule script, ``stepforce schedule`` (without
    ``--name``) and ``deploy`` all name the job this way, so each finds what the others made.
    """
    return f"{JOB_PREFIX}{orchestration}"


@dataclass(frozen=True)
class PlannedSchedule:
    """A spec's ``schedule:``: the cron and the run inputs every firing starts with."""

    orchestration: str
    cron: str
    inputs: Mapping[str, Any] = field(default_factory=dict)

    @property
    def job_name(self) -> str:
        return schedule_job_name(self.orchestration)

    def to_json(self) -> dict[str, Any]:
        return {"cron": self.cron, "inputs": dict(self.inputs)}


@dataclass(frozen=True)
class DeployPlan:
    """What ``generate`` recorded for ``deploy``.

    ``orchestrations`` are the project's orchestrations (a plan is data: each has plan
    documents, no Apex class); ``schedules`` the specs' schedules; ``unscheduled`` the
    orchestrations whose spec had a schedule once and no longer has one (or no longer exists);
    ``removed`` the orchestrations whose spec left the project: their plan documents stay in
    an org until ``deploy --delete-removed`` deletes the latest (so no new run starts) and the
    versions no unfinished run uses are pruned.
    """

    orchestrations: tuple[str, ...] = ()
    schedules: tuple[PlannedSchedule, ...] = ()
    unscheduled: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def owned(self) -> frozenset[str]:
        """Every orchestration whose plans this project's deploys look after."""
        return frozenset(self.orchestrations) | frozenset(self.removed)

    def to_json(self) -> dict[str, Any]:
        schedules = {s.orchestration: s.to_json() for s in self.schedules}
        return {
            "orchestrations": {
                name: {"schedule": schedules.get(name)}
                for name in sorted(set(self.orchestrations) | set(schedules))
            },
            "unscheduled": sorted(self.unscheduled),
            "removed": sorted(self.removed),
        }

    @classmethod
    def from_json(cls, data: Any) -> DeployPlan:
        """The plan read back from the manifest; a missing or odd section reads as empty."""
        if not isinstance(data, Mapping):
            return cls()
        orchestrations: list[str] = []
        schedules: list[PlannedSchedule] = []
        for name, entry in _mapping(data.get("orchestrations")).items():
            orchestrations.append(str(name))
            schedule = _mapping(_mapping(entry).get("schedule"))
            if isinstance(schedule.get("cron"), str):
                inputs = _mapping(schedule.get("inputs"))
                schedules.append(PlannedSchedule(str(name), schedule["cron"], dict(inputs)))
        return cls(
            tuple(orchestrations),
            tuple(schedules),
            _strings(data.get("unscheduled")),
            _strings(data.get("removed")),
        )


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(str(item) for item in value if isinstance(item, str))


def next_plan(
    previous: DeployPlan,
    orchestrations: tuple[str, ...],
    schedules: tuple[PlannedSchedule, ...],
) -> DeployPlan:
    """The plan after a ``generate`` of ``orchestrations`` over a project that had ``previous``.

    Removed and unscheduled entries stay until the orchestration comes back: deploying to
    several orgs needs them on every deploy.
    """
    current = set(orchestrations)
    removed = (set(previous.removed) | set(previous.orchestrations)) - current
    scheduled_now = {s.orchestration for s in schedules}
    had_schedule = {s.orchestration for s in previous.schedules} | set(previous.unscheduled)
    return DeployPlan(
        orchestrations=tuple(sorted(current)),
        schedules=schedules,
        unscheduled=tuple(sorted(had_schedule - scheduled_now)),
        removed=tuple(sorted(removed)),
    )
