"""After a deploy: the project's plan versions no run needs are pruned, and (when asked) the
latest plans of removed orchestrations are deleted.

The selection is ``plans``' (pure); this module asks and deletes. The plan documents come from
the post-deploy composite request ``deploy_flow`` sends (one API call shared with the
schedules' CronTrigger query). Only when a version may go does it ask the runtime which
versions unfinished runs use (``GET plans``, one call), and it deletes with one sObject
Collections DELETE per 200 documents; a redeploy with nothing to delete costs nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from stepforce.errors import OrgError
from stepforce.runtime_client.composite import QueryAnswer
from stepforce.runtime_client.plans import (
    PlanCleanup,
    PlanResource,
    Usage,
    delete_records,
    plan_cleanup,
    prune,
    usage_of,
)


class PlanOrg(Protocol):
    """What pruning needs from a connection (``deploy.Deployer`` provides it)."""

    def plan_usage(self, orchestration: str | None = None) -> Usage: ...

    def delete_records(self, ids: list[str]) -> Any: ...


@dataclass
class PlansReport:
    """What the deploy did to the project's plan documents in the org."""

    cleanup: PlanCleanup = field(default_factory=PlanCleanup)
    pruned: list[PlanResource] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)  # resource id -> the org's problem
    error: str = ""  # why nothing was pruned
    #: --delete-removed asked, but the documents could not be listed: these removed
    #: orchestrations' latest plans were not looked for, so not deleted.
    unchecked: tuple[str, ...] = ()

    @property
    def deleted(self) -> list[PlanResource]:
        gone = [*self.pruned, *self.cleanup.retired]
        return [r for r in gone if r.id not in self.failures]

    def lines(self) -> list[str]:
        found = [
            f"plans: pruned version {r.version} of {r.orchestration} (no unfinished run uses it)"
            if not r.latest
            else f"plans: deleted the latest plan of removed orchestration {r.orchestration}: "
            "no new run can start it; its unfinished runs finish on their pinned versions"
            for r in self.deleted
        ]
        if self.cleanup.replaced:
            found.append(
                f"plans: {len(self.cleanup.replaced)} version(s) this deploy replaced stay until "
                "the next deploy prunes them (a run starting meanwhile may have pinned them)"
            )
        found += [f"plans: not deleted {rid}: {problem}" for rid, problem in self.failures.items()]
        return found + ([f"plans: nothing pruned: {self.error}"] if self.error else [])

    def retire_error(self) -> str:
        """What ``--delete-removed`` asked for and the org refused ("" when all went)."""
        if self.unchecked:
            return (
                f"the latest plans of removed orchestration(s) {', '.join(self.unchecked)} "
                f"were not looked for, so not deleted, and may stay startable ({self.error})"
            )
        kept = [r.orchestration for r in self.cleanup.retired if r.id in self.failures]
        if not kept:
            return ""
        return (
            f"the latest plan of removed orchestration(s) {', '.join(kept)} was not deleted, so "
            "they stay startable (see the plans: lines)"
        )

    def warnings(self) -> list[str]:
        names = self.cleanup.startable
        if not names:
            return []
        return [
            f"removed orchestration(s) {', '.join(names)} stay startable in the org: their "
            "latest plan document is still there; `stepforce deploy --delete-removed` deletes "
            "it (runs in flight finish on their pinned versions)"
        ]

    def to_json(self) -> dict[str, Any]:
        deleted = self.deleted
        return {
            "pruned": [_version(r) for r in deleted if not r.latest],
            "deletedLatest": [r.orchestration for r in deleted if r.latest],
            "stillStartable": list(self.cleanup.startable),
            "replaced": [_version(r) for r in self.cleanup.replaced],
            "notDeleted": dict(self.failures),
            "error": self.error or None,
        }


def _version(resource: PlanResource) -> dict[str, str]:
    return {"orchestration": resource.orchestration, "version": resource.version}


def sync_plans(
    org: PlanOrg,
    documents: QueryAnswer,
    before: tuple[dict[str, Any], ...] | None,
    *,
    owned: frozenset[str],
    removed: frozenset[str],
    delete_removed: bool,
    pruning: bool,
) -> PlansReport:
    """Prune (``pruning``) and delete removed orchestrations' latest plans
    (``delete_removed``), given the plan documents after the deploy and ``before`` it (the
    preflight's; None when it could not list them all). Failures end in the report."""
    if documents.error_code or not documents.complete:
        why = (
            f"{documents.error_code}: {documents.message}"
            if documents.error_code
            else "more than one page of them"
        )
        return PlansReport(
            error=f"the plan documents could not be listed ({why})",
            unchecked=tuple(sorted(removed)) if delete_removed else (),
        )
    report = PlansReport(
        plan_cleanup(
            before or (),
            documents.records,
            owned=owned,
            removed=removed,
            delete_removed=delete_removed,
        )
    )
    if not pruning or before is None:
        report.cleanup = replace(report.cleanup, candidates=(), replaced=())
        if pruning:
            report.error = (
                "the plan documents before the deploy could not be listed whole (the query "
                "failed, or they were not all on one page)"
            )
    try:
        if report.cleanup.candidates:
            names = {r.orchestration for r in report.cleanup.candidates}
            report.pruned = prune(report.cleanup.candidates, usage_of(names, org.plan_usage))
    except OrgError as error:
        report.error = f"could not count the runs on each version: {error}"
    ids = [r.id for r in [*report.pruned, *report.cleanup.retired]]
    report.failures = delete_records(ids, org.delete_records)
    return report
