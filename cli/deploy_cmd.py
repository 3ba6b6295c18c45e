"""``stepforce deploy``: build the metadata-format zip, deploy it, watch it, report it."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import click

from stepforce.cli.org_options import org_options
from stepforce.cli.output import emit_json
from stepforce.cli.project_options import junit_option, project_dir_argument
from stepforce.deploy_plan import DeployPlan
from stepforce.errors import FailureError, StepforceError, UsageError
from stepforce.generator.mdapi import MdapiPackage, build_mdapi_package, source_api_version
from stepforce.generator.project import DEFAULT_API_VERSION
from stepforce.generator.writer import read_deploy_plan
from stepforce.runtime_client.auth import OrgConnection, OrgOptions, resolve_org
from stepforce.runtime_client.deploy import (
    Deployer,
    DeployRequest,
    DeployStillRunning,
    Poller,
    TestLevel,
    check_deploy_id,
    watch_deploy,
)
from stepforce.runtime_client.deploy_flow import DeployOutcome, Lifecycle, deploy_with_lifecycle
from stepforce.runtime_client.deploy_result import DeployResult, junit_xml, with_sources
from stepforce.runtime_client.lifecycle import SWEEPER_CLASS
from stepforce.runtime_client.permsets import check_permission_set_names

if TYPE_CHECKING:
    from rich.status import Status

DEFAULT_WAIT_MINUTES = 30.0
PLANS_ONLY_HINT = (
    "note: the package holds Apex, so this production org ran its local tests; when only "
    "specs changed, `stepforce deploy --plans-only` sends the plan documents alone and runs "
    "no tests"
)


def make_poller() -> Poller:
    """The poller the command uses; tests replace it with one that never sleeps."""
    return Poller()


def deployer_for(connection: OrgConnection) -> Deployer:
    return Deployer(
        connect=connection.salesforce,
        refresh=connection.refresh if connection.can_refresh else None,
        secrets=connection.secrets,
    )


@dataclass
class ProgressDisplay:
    """Components and tests so far: a live line on a terminal, a line per change otherwise."""

    live: bool
    quiet: bool = False
    _last: str = field(default="", init=False)
    _status: Status | None = field(default=None, init=False)

    def note(self, text: str) -> None:
        """One line about the deploy before it starts (not with --json)."""
        if not self.quiet:
            click.echo(text, err=True)

    def started(self, deploy_id: str, request: DeployRequest) -> None:
        mode = "validation (check only)" if request.check_only else "deploy"
        level = request.test_level.value if request.test_level else ""
        self._line(f"Started {mode} {deploy_id}, test level {level}")

    def update(self, result: DeployResult) -> None:
        text = (
            f"{result.status}: components {result.components_deployed}/"
            f"{result.components_total}, tests {result.tests_completed}/{result.tests_total}, "
            f"errors {result.component_errors + result.test_errors}"
        )
        if self.quiet or text == self._last:
            return
        self._last = text
        if not self.live:
            click.echo(text, err=True)
        elif self._status is None:
            from rich.console import Console  # only on a terminal: keeps CLI start-up quick

            self._status = Console(stderr=True).status(text)
            self._status.start()
        else:
            self._status.update(text)

    def stop(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None

    def _line(self, text: str) -> None:
        if not self.quiet:
            click.echo(text, err=True)


def _split_tests(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> tuple[str, ...]:
    return tuple(name.strip() for name in (value or "").split(",") if name.strip())


def _load_package(project_dir: Path, status_id: str | None) -> MdapiPackage | None:
    """The converted project, before any org is asked, so a bad DIR costs no API call.

    package.xml takes the project's sourceApiVersion (generated projects always have one).
    With --status the project only serves to map failures to files, so it may be absent.
    """
    if status_id and not (project_dir / "sfdx-project.json").is_file():
        return None
    version = source_api_version(project_dir) or DEFAULT_API_VERSION
    try:
        return build_mdapi_package(project_dir, version)
    except UsageError:
        if status_id:
            return None
        raise


@click.command("deploy")
@project_dir_argument
@org_options
@click.option("--check-only", is_flag=True, help="Validate only; change nothing in the org.")
@click.option(
    "--test-level",
    type=click.Choice([level.value for level in TestLevel]),
    help="Default: NoTestRun on scratch orgs and sandboxes, RunLocalTests on production.",
)
@click.option(
    "--tests", metavar="A,B", callback=_split_tests, help="Test classes (RunSpecifiedTests)."
)
@click.option(
    "--wait",
    "wait_minutes",
    metavar="MINUTES",
    type=click.FloatRange(min=0),
    default=DEFAULT_WAIT_MINUTES,
    show_default=True,
    help="Minutes to watch before giving up (exit 3; the deploy goes on).",
)
@click.option("--status", "status_id", metavar="DEPLOY_ID", help="Watch a deploy started before.")
@junit_option
@click.option(
    "--assign-permission-set",
    "permission_sets",
    metavar="NAME",
    multiple=True,
    help="After a successful deploy, give yourself this permission set (repeatable), "
    "e.g. Stepforce_Admin.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Deploy although Stepforce Apex jobs are pending or scheduled (needs the org's "
    "Deployment Setting that allows it).",
)
@click.option(
    "--delete-removed",
    is_flag=True,
    help="After the deploy, delete the latest plan of each orchestration whose spec was "
    "removed, so no new run starts it (runs in flight finish on their pinned versions).",
)
@click.option(
    "--keep-versions",
    is_flag=True,
    help="Do not prune the project's plan versions that no unfinished run uses.",
)
@click.option(
    "--unschedule-first",
    is_flag=True,
    help="Unschedule stepforce's own jobs (the sweeper, the specs' schedules) before the "
    "deploy and schedule them again after it, so they do not block it.",
)
@click.option(
    "--no-sweeper", is_flag=True, help="Do not schedule the runtime's sweeper after the deploy."
)
@click.option(
    "--plans-only",
    is_flag=True,
    help="Deploy only the plan documents (no Apex: production runs no tests for them).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def deploy_command(
    project_dir: Path,
    org: OrgOptions,
    check_only: bool,
    test_level: str | None,
    tests: tuple[str, ...],
    wait_minutes: float,
    status_id: str | None,
    junit: Path | None,
    permission_sets: tuple[str, ...],
    force: bool,
    delete_removed: bool,
    keep_versions: bool,
    unschedule_first: bool,
    no_sweeper: bool,
    plans_only: bool,
    as_json: bool,
) -> None:
    """Deploy a generated project to an org through the Metadata API (no sf CLI needed).

    Converts DIR (a folder with sfdx-project.json, default .) to a metadata-format zip,
    deploys it and shows progress. Failures are reported as file:line: problem against the
    source files, test failures as Class.method: message. Exit 1 when the deploy fails, 3
    when --wait runs out (the deploy goes on: watch it again with --status ID).

    Before deploying it stops (exit 1) when Stepforce Apex jobs are pending or scheduled,
    unless --force (or --unschedule-first, for stepforce's own schedules). After a successful
    deploy it schedules the runtime's sweeper once, makes the specs' schedules match, and
    deletes the project's plan versions that are not the latest, were not the latest when
    the deploy began and no unfinished run uses (--keep-versions: none); exit 1 when a
    --delete-removed delete is refused (see docs/deploy.md).

    \b
    Example:
      stepforce deploy force-app-generated -o my-scratch --assign-permission-set Stepforce_Admin
      stepforce deploy . -o prod --check-only --test-level RunLocalTests --junit tests.xml
      stepforce deploy --status 0Af5g00000AbCdE -o prod
      stepforce deploy force-app-generated -o prod --unschedule-first --delete-removed
      stepforce deploy force-app-generated -o prod --plans-only
    """
    request = DeployRequest(check_only, TestLevel(test_level) if test_level else None, tests)
    check_permission_set_names(permission_sets)
    if permission_sets and check_only:
        raise UsageError("--assign-permission-set needs a real deploy, not --check-only")
    if unschedule_first and (check_only or status_id):
        raise UsageError("--unschedule-first needs a real deploy, not --check-only or --status")
    if status_id:
        check_deploy_id(status_id)
    package = _load_package(project_dir, status_id)
    if plans_only:
        if package is None or status_id:
            raise UsageError("--plans-only deploys a project's plans: not with --status")
        # No Apex changes, so pending Stepforce jobs cannot block it (the preflight is for Apex).
        package, force = package.only_plans(), True
    lifecycle = Lifecycle(
        plan=read_deploy_plan(project_dir) if package is not None else DeployPlan(),
        force=force,
        delete_removed=delete_removed,
        prune=not keep_versions,
        unschedule_first=unschedule_first,
        sweeper=not no_sweeper and package is not None and package.has_class(SWEEPER_CLASS),
        permission_sets=permission_sets,
    )
    connection = resolve_org(org)
    deployer = deployer_for(connection)
    display = ProgressDisplay(live=_stderr_is_terminal(), quiet=as_json)
    try:
        outcome = _run(deployer, package, request, lifecycle, status_id, wait_minutes, display)
    except DeployStillRunning as still:
        _report_still_running(still, as_json)
        raise
    finally:
        display.stop()
    if package is not None:
        outcome.result = with_sources(
            outcome.result, package.component_map, package.member_map, project_dir.as_posix()
        )
    if junit is not None:
        junit.parent.mkdir(parents=True, exist_ok=True)
        junit.write_bytes(junit_xml(outcome.result))
    defaulted = request.test_level is None and package is not None and package.has_apex()
    if defaulted and outcome.request.test_level is TestLevel.RUN_LOCAL_TESTS:
        display.note(PLANS_ONLY_HINT)
    _report(outcome, as_json)


def _run(
    deployer: Deployer,
    package: MdapiPackage | None,
    request: DeployRequest,
    lifecycle: Lifecycle,
    status_id: str | None,
    wait_minutes: float,
    display: ProgressDisplay,
) -> DeployOutcome:
    poller = make_poller()
    if status_id:
        result = watch_deploy(
            deployer,
            status_id,
            wait_minutes=wait_minutes,
            poller=poller,
            on_progress=display.update,
        )
        outcome = DeployOutcome(result, request, None)
        if lifecycle.permission_sets and outcome.succeeded and not result.check_only:
            outcome.assigned = deployer.assign_permission_sets(lifecycle.permission_sets)
        return outcome
    assert package is not None, "a package is built whenever no --status is given"
    if not package.has_apex():
        display.note(
            "The package holds no Apex (a spec-only change: plan documents are static "
            "resources), so no tests run by default, production included."
        )
    return deploy_with_lifecycle(
        deployer,
        package.to_zip,
        request,
        lifecycle,
        has_apex=package.has_apex(),
        wait_minutes=wait_minutes,
        poller=poller,
        on_warning=lambda text: click.echo(f"warning: {text}", err=True),
        on_started=display.started,
        on_progress=display.update,
    )


def _stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


def _report_still_running(still: DeployStillRunning, as_json: bool) -> None:
    if as_json:
        emit_json({**still.result.to_json(), "error": _error_json(still)})
        raise click.exceptions.Exit(still.exit_code)


def _error_json(error: StepforceError) -> dict[str, str]:
    return {"type": type(error).__name__, "message": str(error).splitlines()[0]}


def _report(outcome: DeployOutcome, as_json: bool) -> None:
    result = outcome.result
    failure = _failure(outcome)
    if as_json:
        payload = outcome.to_json()
        if failure is not None:
            payload["error"] = _error_json(failure)
        emit_json(payload)
        if failure is not None:
            # The details are in the one JSON document already; exit with the failure's code.
            raise click.exceptions.Exit(failure.exit_code)
        return
    for line in describe(result, outcome.request.test_level):
        click.echo(line)
    for line in outcome.plans.lines() if outcome.plans else ():
        click.echo(line)
    for assignment in outcome.assigned:
        held = "you already held" if assignment.already else "assigned to you:"
        click.echo(f"permission set {held} {assignment.permission_set}")
    for line in outcome.schedules.lines() if outcome.schedules else ():
        click.echo(line)
    if failure is not None:
        raise failure


def _failure(outcome: DeployOutcome) -> FailureError | None:
    result = outcome.result
    if outcome.succeeded:
        if outcome.schedules is not None and outcome.schedules.error:
            return FailureError(
                f"deploy {result.id} Succeeded, but scheduling failed: {outcome.schedules.error}"
            )
        if outcome.plans is not None and outcome.plans.retire_error():
            return FailureError(f"deploy {result.id} Succeeded, but {outcome.plans.retire_error()}")
        return None
    counts = (
        f"{len(result.component_failures)} component error(s), "
        f"{len(result.test_failures)} test failure(s)"
    )
    detail = f": {result.error_message}" if result.error_message else ""
    return FailureError(f"deploy {result.id} {result.status} ({counts}){detail}")


def describe(result: DeployResult, test_level: str | None = None) -> list[str]:
    """The human report: failures first, located; then which tests ran, the counts and the
    coverage."""
    lines = [str(failure) for failure in result.component_failures]
    for test in result.test_failures:
        lines.append(str(test))
        lines.extend(f"    {row}" for row in test.stack_trace.splitlines())
    lines.extend(f"coverage warning: {warning}" for warning in result.coverage_warnings)
    lines.append(result.tests_line(test_level))
    kind = "validation" if result.check_only else "deploy"
    summary = (
        f"{kind} {result.id} {result.status}: {result.components_deployed}/"
        f"{result.components_total} components"
    )
    if result.tests_ran:
        passed = len(result.tests) - len(result.test_failures)
        summary += f", {passed}/{len(result.tests)} tests passed"
        coverage = result.coverage_percent()
        if coverage is not None:
            summary += f", coverage {coverage}%"
    lines.append(summary)
    return lines


COMMANDS: list[click.Command] = [deploy_command]
