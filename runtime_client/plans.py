"""Plan versions in an org: what ``stepforce plans`` lists and what may be deleted.

Two sources, no anonymous Apex:
- the plan documents, by SOQL on StaticResource (``SfPlan_*`` latest, ``SfPlanV_*`` pinned
  versions; each description says ``stepforce latest|plan <version> of <orchestration>``,
  see generator/plan_document.py);
- the runs that still need each version ("unfinished": Queued, Running or Paused, and a run
  Cancelled in the last 24 hours while its job was running, whose finalizer still reads
  the version), per orchestration and version, from the runtime's ``GET plans`` route
  (docs/runtime.md, "REST API"). The runtime counts them in system mode: ``Stepforce_Run__c``
  is private, so a SOQL count in the caller's sharing would miss other users' runs and let a
  version they still need be pruned.

Deleting goes through sObject Collections (REST API Developer Guide, "Delete Records Using
sObject Collections": up to 200 ids per DELETE, one DeleteResult per id, in order);
StaticResource supports ``delete()`` (Object Reference, *StaticResource*).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from stepforce.errors import OrgError

_DESCRIPTION = re.compile(r"^stepforce (latest|plan) ([0-9a-f]{24}) of (\S+)$")
#: The plan documents' resources (filtered by orchestration afterwards, from descriptions).
RESOURCES_QUERY = "SELECT Id, Name, Description FROM StaticResource WHERE Name LIKE 'SfPlan%'"
#: The runtime's route counting unfinished runs per orchestration and plan version.
USAGE_PATH = "stepforce/v1/plans"
#: sObject Collections deletes at most this many records per request.
DELETE_BATCH = 200
#: The sObject Collections resource, under ``/services/data/vXX.X/``.
COLLECTIONS_PATH = "composite/sobjects"
#: The DeleteResult status code of a record already deleted (a retried delete).
_GONE = "ENTITY_IS_DELETED"

#: (orchestration, plan version or None) -> unfinished runs pinned to it.
Usage = dict[tuple[str, str | None], int]


def usage_path(orchestration: str | None = None) -> str:
    """The ``GET plans`` path, for one orchestration or all."""
    return USAGE_PATH + (f"?{urlencode({'orchestration': orchestration})}" if orchestration else "")


class IncompleteUsageError(OrgError):
    """The runtime cut its list (more rows than one answer holds): ask per orchestration."""


def parse_usage(body: Any) -> Usage:
    """The runtime's ``{"versions": [{"orchestration", "planVersion", "unfinishedRuns"}]}``.

    OrgError for any other shape, and IncompleteUsageError when the runtime says the list is
    not complete: a count that may be missing runs must never let a version in use be
    deleted.
    """
    rows = body.get("versions") if isinstance(body, Mapping) else None
    if not isinstance(rows, list):
        raise OrgError("the runtime's GET plans answer is not a list of versions")
    if body.get("complete", True) is not True:
        raise IncompleteUsageError(
            "the runtime's GET plans answer is not a complete list of versions (more than one "
            "answer holds); ask for one orchestration at a time"
        )
    usage: Usage = {}
    for row in rows:
        count = row.get("unfinishedRuns") if isinstance(row, Mapping) else None
        if not isinstance(count, int) or not isinstance(row.get("orchestration"), str):
            raise OrgError(f"the runtime's GET plans answer has an odd entry: {row!r:.200}")
        version = row.get("planVersion")
        usage[(row["orchestration"], str(version) if version else None)] = count
    return usage


@dataclass(frozen=True)
class PlanResource:
    """One plan document in the org: an orchestration's latest plan or one of its versions."""

    id: str
    orchestration: str
    version: str
    latest: bool  # SfPlan_<hash>: what new runs start on; else SfPlanV_<version>


def parse_resources(records: Iterable[Mapping[str, Any]]) -> list[PlanResource]:
    """The plan documents among StaticResource records (others are not stepforce's)."""
    found = []
    for record in records:
        match = _DESCRIPTION.match(str(record.get("Description") or ""))
        if match is not None:
            kind, version, name = match.groups()
            found.append(PlanResource(str(record.get("Id") or ""), name, version, kind == "latest"))
    return found


@dataclass(frozen=True)
class PlanVersion:
    """One plan version: where it stands and how many unfinished runs are pinned to it."""

    orchestration: str
    version: str | None  # None: unfinished runs that carry no version
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


def plan_versions(
    resources: Iterable[Mapping[str, Any]],
    usage: Usage,
    orchestration: str | None = None,
) -> list[PlanVersion]:
    """The versions the documents and the run counts describe, by orchestration, latest
    first."""
    ids: dict[tuple[str, str | None], str] = {}
    latest: set[tuple[str, str | None]] = set()
    for resource in parse_resources(resources):
        key = (resource.orchestration, resource.version)
        if resource.latest:
            latest.add(key)
        else:
            ids[key] = resource.id
    found = [
        PlanVersion(
            orchestration=name,
            version=version,
            latest=(name, version) in latest,
            deployed=(name, version) in ids,
            active_runs=usage.get((name, version), 0),
            resource_id=ids.get((name, version)),
        )
        for name, version in set(ids) | latest | set(usage)
        if orchestration is None or name == orchestration
    ]
    return sorted(found, key=lambda p: (p.orchestration, not p.latest, p.version or ""))


def delete_records(ids: Iterable[str], send: Callable[[list[str]], Any]) -> dict[str, str]:
    """Delete ``ids`` through ``send`` (one sObject Collections DELETE of at most 200 ids,
    returning the answer's body); id -> problem for each id the org did not delete. A
    request the org refuses as a whole (OrgError) fails its own ids only: the batches before
    it were deleted and are reported so."""
    every = list(ids)
    failures: dict[str, str] = {}
    for start in range(0, len(every), DELETE_BATCH):
        batch = every[start : start + DELETE_BATCH]
        try:
            failures.update(delete_failures(batch, send(batch)))
        except OrgError as error:
            failures.update(dict.fromkeys(batch, str(error)))
    return failures


def delete_params(ids: list[str]) -> dict[str, str]:
    """The query of one sObject Collections DELETE: each id deleted on its own."""
    return {"ids": ",".join(ids), "allOrNone": "false"}


def delete_failures(ids: list[str], results: Any) -> dict[str, str]:
    """Id -> the org's problem for each id the DeleteResults say was not deleted.

    Results come in the order of the ids; a record already deleted counts as deleted. An
    answer that is not one result per id fails every id (nothing is assumed deleted).
    """
    if not isinstance(results, list) or len(results) != len(ids):
        return {record_id: "the org gave no DeleteResult for it" for record_id in ids}
    failures: dict[str, str] = {}
    for record_id, result in zip(ids, results, strict=True):
        if isinstance(result, Mapping) and result.get("success") is True:
            continue
        errors = result.get("errors") if isinstance(result, Mapping) else None
        first = errors[0] if isinstance(errors, list) and errors else {}
        first = first if isinstance(first, Mapping) else {}
        code = str(first.get("statusCode") or "UNKNOWN")
        if code != _GONE:
            failures[record_id] = f"{code}: {first.get('message') or 'not deleted'}"
    return failures


@dataclass(frozen=True)
class PlanCleanup:
    """What a deploy may delete of the project's plan documents, and what it leaves, why."""

    candidates: tuple[PlanResource, ...] = ()  # versions to prune unless a run uses them
    retired: tuple[PlanResource, ...] = ()  # latest plans of removed orchestrations
    startable: tuple[str, ...] = ()  # removed orchestrations left startable (no flag)
    #: latest when the deploy began, or made while it ran by another deploy: next time
    replaced: tuple[PlanResource, ...] = ()


def plan_cleanup(
    before: Iterable[Mapping[str, Any]],
    after: Iterable[Mapping[str, Any]],
    *,
    owned: frozenset[str],
    removed: frozenset[str],
    delete_removed: bool,
) -> PlanCleanup:
    """What a deploy may delete, from the plan documents before and after it, among the
    orchestrations the project owns.

    A version is a candidate when it is deployed and is not the latest now **and was not the
    latest when the deploy began**: a run pins the latest plan when it starts, so a start
    racing the deploy may still pin the version the deploy replaced; that version waits for
    the next deploy (or ``stepforce plans --prune``), and so does a version that was not in
    the org when the deploy began (another deploy alongside made it, and may have made it the
    latest meanwhile). Candidates are deleted only when no unfinished run uses them
    (``prune``). With ``delete_removed`` the latest plan of each removed orchestration is
    deleted, so no new run starts it; its runs in flight finish on their pinned versions,
    which are not latest plans and stay while runs use them.
    """
    earlier = parse_resources(before)
    was_latest = {(r.orchestration, r.version) for r in earlier if r.latest}
    existed = {(r.orchestration, r.version) for r in earlier if not r.latest}
    now = [r for r in parse_resources(after) if r.orchestration in owned]
    is_latest = {(r.orchestration, r.version) for r in now if r.latest}
    versions = [r for r in now if not r.latest and (r.orchestration, r.version) not in is_latest]
    retiring = [r for r in now if r.latest and r.orchestration in removed]
    # Waits too: a version that appeared while this deploy ran and is not its latest, which
    # another deploy running alongside put there and may have made the latest meanwhile.
    waits = {
        key
        for key in ((r.orchestration, r.version) for r in versions)
        if key in was_latest or key not in existed
    }
    return PlanCleanup(
        candidates=tuple(r for r in versions if (r.orchestration, r.version) not in waits),
        retired=tuple(retiring) if delete_removed else (),
        startable=() if delete_removed else tuple(sorted({r.orchestration for r in retiring})),
        replaced=tuple(r for r in versions if (r.orchestration, r.version) in waits),
    )


def usage_of(orchestrations: Iterable[str], ask: Callable[[str | None], Usage]) -> Usage:
    """The run counts for ``orchestrations``: one ``ask`` for all, or, when the runtime's
    list of all is cut, one per orchestration (IncompleteUsageError only if one of those is
    cut too)."""
    try:
        return ask(None)
    except IncompleteUsageError:
        usage: Usage = {}
        for name in sorted(set(orchestrations)):
            usage.update(ask(name))
        return usage


def prune(candidates: Iterable[PlanResource], usage: Usage) -> list[PlanResource]:
    """The candidates no unfinished run is pinned to."""
    return [r for r in candidates if usage.get((r.orchestration, r.version), 0) == 0]
