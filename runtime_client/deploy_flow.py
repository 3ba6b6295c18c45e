"""One deploy with the runtime's lifecycle around it, shared by ``stepforce deploy`` and the
CumulusCI task: preflight, deploy, then permission sets, schedules and plan versions.

API calls of a deploy (each a call from the org's daily budget):
  1 composite request (org kind, pending jobs, scheduled jobs, plan documents)
  1 deploy + 1 per status check
  after a successful real deploy: the permission sets asked for (see ``permsets``), 1
  composite request (scheduled jobs, the inputs recorded for them, plan documents), 1
  anonymous Apex call for the sweeper when it is not scheduled yet and 1 for the spec
  schedules when any changed (its cron or inputs); when a plan version may be pruned, 1
  ``GET plans`` (which versions runs use) and 1 DELETE per 200
  documents deleted; none of these when all is in place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from stepforce.deploy_plan import SWEEPER_JOB_NAME, DeployPlan
from stepforce.errors import OrgError, StepforceError
from stepforce.runtime_client.composite import QueryAnswer
from stepforce.runtime_client.deploy import (
    Deployer,
    DeployRequest,
    Poller,
    deploy_zip,
    org_kind_from_record,
)
from stepforce.runtime_client.deploy_result import DeployResult
from stepforce.runtime_client.lifecycle import (
    Preflight,
    check_preflight,
    owned_jobs,
    run_preflight,
)
from stepforce.runtime_client.permsets import Assignment
from stepforce.runtime_client.plan_sync import PlansReport, sync_plans
from stepforce.runtime_client.plans import RESOURCES_QUERY
from stepforce.runtime_client.schedule import ScheduledJob, abort_body
from stepforce.runtime_client.schedule_sync import (
    ScheduleReport,
    plan_schedules,
    reconcile_schedules,
    restore,
    schedule_queries,
)


@dataclass(frozen=True)
class Lifecycle:
    """What to do around the deploy. ``plan`` comes from the project's manifest."""

    plan: DeployPlan = field(default_factory=DeployPlan)
    force: bool = False
    delete_removed: bool = False  # delete removed orchestrations' latest plans
    prune: bool = True  # delete the project's plan versions no unfinished run uses
    sweeper: bool = True
    unschedule_first: bool = False  # abort stepforce's own jobs before, schedule them after
    schedules: bool = True  # False: a later step schedules (CumulusCI's stepforce_schedules)
    permission_sets: tuple[str, ...] = ()


@dataclass
class DeployOutcome:
    result: DeployResult
    request: DeployRequest
    preflight: Preflight | None  # None: --status (watching a deploy started before)
    warnings: list[str] = field(default_factory=list)
    assigned: list[Assignment] = field(default_factory=list)
    schedules: ScheduleReport | None = None  # None: not a successful real deploy
    plans: PlansReport | None = None  # None: not a successful real deploy, or not asked

    @property
    def succeeded(self) -> bool:
        return self.result.status == "Succeeded" and not self.result.test_failures

    def to_json(self) -> dict[str, Any]:
        payload = self.result.to_json()
        payload["testsRan"] = self.result.tests_summary(self.request.test_level)
        if self.preflight is not None:
            payload["preflight"] = self.preflight.to_json()
        payload["warnings"] = list(self.warnings)
        if self.assigned:
            payload["permissionSets"] = [a.to_json() for a in self.assigned]
        if self.schedules is not None:
            payload.update(self.schedules.to_json())
        if self.plans is not None:
            payload["plans"] = self.plans.to_json()
        return payload


def deploy_with_lifecycle(
    deployer: Deployer,
    build_zip: Callable[[], bytes],
    request: DeployRequest,
    lifecycle: Lifecycle,
    *,
    has_apex: bool,
    wait_minutes: float,
    poller: Poller,
    on_warning: Callable[[str], None] = lambda _text: None,
    on_started: Callable[[str, DeployRequest], None] = lambda _id, _request: None,
    on_progress: Callable[[DeployResult], None] = lambda _result: None,
) -> DeployOutcome:
    """Preflight, deploy (``build_zip()`` gives the zip), then, after a successful real
    deploy, permission sets, schedules and plan versions. DeployBlocked before any deploy."""
    plan_schedules([], lifecycle.plan)  # every name and cron checked before any call
    preflight = run_preflight(deployer, plans=lifecycle.prune and bool(lifecycle.plan.owned))
    kind = org_kind_from_record(preflight.org)
    resolved = request.resolve(kind, has_apex)
    held = owned_jobs(preflight, lifecycle.plan) if lifecycle.unschedule_first else ()
    warnings = check_preflight(preflight.without(held), force=lifecycle.force)
    if held:
        deployer.execute_anonymous(
            abort_body([job.id for job in held]), "unscheduling before the deploy"
        )
        names = ", ".join(repr(job.name) for job in held)
        warnings.append(
            f"unscheduled {names} for the deploy; they are scheduled again after it (if the "
            "wait runs out first, the next `stepforce deploy` schedules them)"
        )
    for warning in warnings:
        on_warning(warning)
    started: list[DeployRequest] = []

    def remember(deploy_id: str, sent: DeployRequest) -> None:
        started.append(sent)
        on_started(deploy_id, sent)

    try:
        result = deploy_zip(
            deployer,
            build_zip(),
            resolved,
            has_apex=has_apex,
            wait_minutes=wait_minutes,
            poller=poller,
            on_started=remember,
            on_progress=on_progress,
            kind=kind,
        )
    except StepforceError:
        # Refused before it started (no deploy id): nothing was deployed, so the jobs
        # unscheduled for it go back now. Once started, a deploy may still be running, and
        # jobs scheduled again would make it fail: the next deploy schedules them.
        if held and not started:
            report = restore(deployer, held, lifecycle.plan)
            names = ", ".join(repr(job.name) for job in held)
            on_warning(
                f"the deploy did not start; scheduled {names} again"
                if not report.error
                else f"the deploy did not start, and scheduling {names} again failed: "
                f"{report.error}; `stepforce deploy` schedules them"
            )
        raise
    outcome = DeployOutcome(result, started[0] if started else resolved, preflight, warnings)
    if not outcome.succeeded or result.check_only:
        if held:
            outcome.schedules = restore(deployer, held, lifecycle.plan)
        return outcome
    if lifecycle.permission_sets:
        outcome.assigned = deployer.assign_permission_sets(lifecycle.permission_sets)
    _after_deploy(deployer, lifecycle, preflight, held, outcome, on_warning)
    return outcome


def _after_deploy(
    deployer: Deployer,
    lifecycle: Lifecycle,
    preflight: Preflight,
    held: tuple[ScheduledJob, ...],
    outcome: DeployOutcome,
    on_warning: Callable[[str], None],
) -> None:
    """Schedules and plan versions, from one composite request for what both need to know."""
    plan = lifecycle.plan
    queries: dict[str, str] = {}
    if lifecycle.schedules or held:
        queries.update(schedule_queries())
    if (lifecycle.prune or lifecycle.delete_removed) and plan.owned:
        queries["plans"] = RESOURCES_QUERY
    if not queries:
        return
    try:
        answers = deployer.composite_query(queries)
    except OrgError as error:
        failed = QueryAnswer(error_code="COMPOSITE_FAILED", message=str(error))
        answers = dict.fromkeys(queries, failed)
    if "scheduled" in answers:
        sweeper = lifecycle.sweeper or any(job.name == SWEEPER_JOB_NAME for job in held)
        outcome.schedules = reconcile_schedules(deployer, plan, sweeper=sweeper, found=answers)
    if "plans" in answers:
        outcome.plans = sync_plans(
            deployer,
            answers["plans"],
            preflight.plans,
            owned=plan.owned,
            removed=frozenset(plan.removed),
            delete_removed=lifecycle.delete_removed,
            pruning=lifecycle.prune,
        )
        for warning in outcome.plans.warnings():
            outcome.warnings.append(warning)
            on_warning(warning)
