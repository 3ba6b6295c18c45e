"""``stepforce plans``: the plan versions deployed to an org and the unfinished runs on each.

Two SOQL queries through the REST ``query`` resource, no Apex: the plan documents' static
resources (``SfPlan_*`` latest, ``SfPlanV_*`` pinned versions; each description says
``stepforce latest|plan <version> of <orchestration>``, see generator/plan_document.py) and
the unfinished runs grouped by orchestration and version (an aggregate query: each record
carries the grouped fields and the ``runs`` alias).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from simple_salesforce.format import format_soql

UNFINISHED = ("Queued", "Running", "Paused")
_DESCRIPTION = re.compile(r"^stepforce (latest|plan) ([0-9a-f]{24}) of (\S+)$")


@dataclass(frozen=True)
class PlanVersion:
    """One plan version: where it stands and how many unfinished runs are pinned to it."""

    orchestration: str
    version: str | None  # None: runs on a compiled plan (no document)
    latest: bool
    deployed: bool  # its SfPlanV_ resource is in the org
    active_runs: int
    resource_id: str | None = None  # the SfPlanV_ resource's Id, when deployed

    @property
    def prunable(self) -> bool:
        """Deployed, not what new runs start on, and no unfinished run pinned to it. A Failed
        or Cancelled run on a pruned version is retried with ``--latest``."""
        return self.deployed and not self.latest and self.active_runs == 0

    def to_json(self) -> dict[str, Any]:
        return {
            "orchestration": self.orchestration,
            "version": self.version,
            "latest": self.latest,
            "deployed": self.deployed,
            "activeRuns": self.active_runs,
        }


#: The plan documents' resources (filtered by orchestration afterwards, from descriptions).
RESOURCES_QUERY = "SELECT Id, Name, Description FROM StaticResource WHERE Name LIKE 'SfPlan%'"


def runs_query(orchestration: str | None) -> str:
    soql = (
        "SELECT Orchestration__c, Plan_Version__c, COUNT(Id) runs FROM Stepforce_Run__c "
        "WHERE Status__c IN ('Queued', 'Running', 'Paused')"
    )
    if orchestration:
        soql += format_soql(" AND Orchestration__c = {}", orchestration)
    return soql + " GROUP BY Orchestration__c, Plan_Version__c"


def plan_versions(
    resources: Iterable[Mapping[str, Any]],
    runs: Iterable[Mapping[str, Any]],
    orchestration: str | None = None,
) -> list[PlanVersion]:
    """The versions the two queries' records describe, by orchestration, latest first."""
    deployed: dict[tuple[str, str], bool] = {}
    ids: dict[tuple[str, str], str] = {}
    latest: set[tuple[str, str]] = set()
    for record in resources:
        match = _DESCRIPTION.match(str(record.get("Description") or ""))
        if match is None:
            continue  # not a resource stepforce wrote
        kind, version, name = match.groups()
        key = (name, version)
        if kind == "latest":
            latest.add(key)
            deployed.setdefault(key, False)
        else:
            deployed[key] = True
            ids[key] = str(record.get("Id") or "")
    active: dict[tuple[str, str | None], int] = {}
    for record in runs:
        name = str(record.get("Orchestration__c") or "")
        version = record.get("Plan_Version__c")
        active[(name, str(version) if version else None)] = int(record.get("runs") or 0)
    keys: set[tuple[str, str | None]] = set(deployed) | set(active)
    found = [
        PlanVersion(
            orchestration=name,
            version=version,
            latest=(name, version or "") in latest,
            deployed=version is not None and deployed.get((name, version), False),
            active_runs=active.get((name, version), 0),
            resource_id=ids.get((name, version)) if version else None,
        )
        for name, version in keys
        if orchestration is None or name == orchestration
    ]
    return sorted(found, key=lambda p: (p.orchestration, not p.latest, p.version or ""))
