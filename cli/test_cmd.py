"""``stepforce test``: run Apex tests in an org and report per test, with coverage."""

from __future__ import annotations

from pathlib import Path

import click

from stepforce.cli.org_options import org_options
from stepforce.cli.output import echo_err, emit_json
from stepforce.cli.project_options import junit_option, project_dir_argument
from stepforce.errors import UsageError
from stepforce.generator.mdapi import package_directories
from stepforce.runtime_client.apex_tests import (
    ApexTestRunner,
    ClassStatus,
    MethodOutcome,
    TestRun,
    TestsFailedError,
    check_job_id,
    find_classes,
    junit_xml,
    select_tests,
)
from stepforce.runtime_client.auth import OrgOptions, resolve_org
from stepforce.runtime_client.deploy import Poller
from stepforce.runtime_client.http import Transport

COMMANDS: list[click.Command] = []
DEFAULT_WAIT_MINUTES = 30.0


def make_poller() -> Poller:
    """The poller the command uses; tests replace it with one that never sleeps."""
    return Poller()


def _names(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> list[str]:
    """Repeatable options that also take comma-separated lists."""
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


def _project_classes(project_dir: Path) -> tuple[list[str], list[str]]:
    """(test classes, other classes) of the project at ``project_dir``; none without one."""
    if not (project_dir / "sfdx-project.json").is_file():
        return [], []
    return find_classes(package_directories(project_dir))


class _Progress:
    """One stderr line whenever the classes' statuses change."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.last = ""

    def __call__(self, classes: list[ClassStatus]) -> None:
        done = sum(1 for item in classes if item.status in ("Completed", "Failed", "Aborted"))
        waiting: dict[str, int] = {}
        for item in classes:
            if item.status not in ("Completed", "Failed", "Aborted"):
                waiting[item.status] = waiting.get(item.status, 0) + 1
        detail = ", ".join(f"{status} {count}" for status, count in sorted(waiting.items()))
        line = f"{done} of {len(classes)} test classes done" + (f" ({detail})" if detail else "")
        if line != self.last and not self.quiet:
            echo_err(line)
        self.last = line


def _print_report(run: TestRun) -> None:
    by_class: dict[str, list[MethodOutcome]] = {}
    for test in run.tests:
        by_class.setdefault(test.class_name, []).append(test)
    width = max((len(name) for name in by_class), default=0)
    for name, tests in sorted(by_class.items()):
        failed = sum(1 for test in tests if test.failed)
        seconds = sum(test.run_time_ms for test in tests) / 1000
        mark = "FAIL" if failed else "ok  "
        click.echo(
            f"{mark} {name:<{width}}  {len(tests) - failed}/{len(tests)} passed  {seconds:.2f} s"
        )
    for item in run.classes_not_run:
        click.echo(f"NOT RUN {item.class_name}: {item.status} {item.extended_status}".rstrip())
    for test in run.failures:
        click.echo(f"FAIL {test.class_name}.{test.method} ({test.run_time_ms} ms): {test.message}")
        for line in test.stack_trace.splitlines():
            click.echo(f"    {line}")
    if run.coverage:
        click.echo("Coverage (all test runs in the org so far):")
        width = max(len(c.name) for c in run.coverage)
        for cov in run.coverage:
            shown = f"{cov.percent}%" if cov.percent is not None else "no lines"
            click.echo(
                f"  {cov.name:<{width}}  {shown:>7}  ({cov.covered}/{cov.covered + cov.uncovered})"
            )
    overall = run.coverage_percent()
    coverage = f", coverage {overall}%" if overall is not None else ""
    click.echo(
        f"{len(run.tests)} tests: {run.count('Pass')} passed, {len(run.failures)} failed, "
        f"{run.count('Skip')} skipped{coverage} (run {run.job_id})"
    )


@click.command("test")
@project_dir_argument
@org_options
@click.option(
    "--tests",
    multiple=True,
    metavar="CLASS[.METHOD]",
    callback=_names,
    help="A test class or one method of it (repeatable, or comma-separated).",
)
@click.option(
    "--class-names",
    multiple=True,
    metavar="A,B",
    callback=_names,
    help="Test classes to run whole (repeatable, or comma-separated).",
)
@click.option(
    "--wait-minutes",
    metavar="N",
    type=click.FloatRange(min=0),
    default=DEFAULT_WAIT_MINUTES,
    show_default=True,
    help="Minutes to wait for the results (exit 3 after; the tests go on in the org).",
)
@click.option("--job-id", metavar="ID", help="Collect a test run started before (707...).")
@junit_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON only.")
def test_command(
    project_dir: Path,
    org: OrgOptions,
    tests: list[str],
    class_names: list[str],
    wait_minutes: float,
    job_id: str | None,
    junit: Path | None,
    as_json: bool,
) -> None:
    """Run Apex tests in an org (asynchronously) and report every test and the coverage.

    Without --tests/--class-names, runs every test class (@IsTest) of the project in DIR (its
    sfdx-project.json package directories), e.g. the runtime's Stepforce*_Tests and your
    plans' tests. Progress goes to stderr; failures with their stack traces, coverage per
    class of the project and a summary to stdout. Exit 1 when a test fails or a class cannot
    run, 3 when --wait-minutes passes first (collect later with --job-id).

    \b
    Example:
      stepforce test -o my-scratch --junit build/apex-tests.xml
      stepforce test -o my-scratch --tests StepforceEngine_Tests.it_should_retry_when_failed
    """
    local_tests, local_classes = _project_classes(project_dir)
    selection = select_tests(tests, class_names) if tests or class_names else []
    if not selection and not job_id:
        selection = select_tests([], local_tests)
        if not selection:
            raise UsageError(
                f"{project_dir}: no test classes found (no sfdx-project.json, or no @IsTest "
                "class in its package directories); name them with --tests or --class-names"
            )
    connection = resolve_org(org)
    if not as_json:
        echo_err(
            f"Org {connection.instance_url} (API {connection.api_version}). {connection.source}"
        )
    poller = make_poller()
    runner = ApexTestRunner(Transport(connection, sleep=poller.sleep), poller)
    if job_id:
        run_id = check_job_id(job_id)
    else:
        run_id = runner.start(selection)
        if not as_json:
            echo_err(f"Started Apex test run {run_id}: {len(selection)} class(es)")
    classes = runner.wait(run_id, wait_minutes=wait_minutes, on_progress=_Progress(as_json))
    run = runner.collect(run_id, classes, local_classes)
    if junit:
        junit.parent.mkdir(parents=True, exist_ok=True)
        junit.write_bytes(junit_xml(run))
    if as_json:
        emit_json(run)
        if not run.ok:
            raise click.exceptions.Exit(TestsFailedError.exit_code)
        return
    _print_report(run)
    if not run.ok:
        not_run = (
            f", {len(run.classes_not_run)} class(es) did not run" if run.classes_not_run else ""
        )
        raise TestsFailedError(
            f"{len(run.failures)} of {len(run.tests)} Apex tests failed{not_run} (run {run_id})"
        )


COMMANDS.append(test_command)
