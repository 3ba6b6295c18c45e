"""CumulusCI tasks for stepforce's project side: generate, check, deploy (no sf CLI) and the
schedules after a deploy. The run-side tasks (start a run, doctor) are in
``stepforce.cli.cumulusci_run_tasks``; they are importable from here too, so the class paths
of projects made before the split keep working.

Register them in ``cumulusci.yml`` by ``class_path``::

    tasks:
      stepforce_deploy:
        class_path: stepforce.cli.cumulusci_tasks.StepforceDeploy

Only the CumulusCI task modules import cumulusci (an optional extra,
``pip install 'stepforce[cumulusci]'``), and nothing else imports them: CumulusCI loads them
by their class paths. CumulusCI owns the order of work (options, credentials refresh,
``_run_task``); these classes only translate options and call stepforce's library code.
"""

from __future__ import annotations

import glob
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from cumulusci.core.exceptions import (
    ApexTestException,
    CommandException,
    DeploymentException,
    TaskOptionsError,
)
from cumulusci.core.tasks import BaseTask
from cumulusci.core.utils import process_bool_arg, process_list_arg
from cumulusci.tasks.salesforce.BaseSalesforceTask import BaseSalesforceTask

from stepforce.cli.cumulusci_run_tasks import StepforceDoctor as StepforceDoctor
from stepforce.cli.cumulusci_run_tasks import StepforceStartRun as StepforceStartRun
from stepforce.cli.cumulusci_support import (
    DEFAULT_GENERATED,
    DEFAULT_SPECS,
    as_cumulusci_error,
    project_api_version,
    task_connection,
)
from stepforce.cli.deploy_cmd import describe
from stepforce.errors import StepforceError
from stepforce.generator.check import parse_only, run_checks
from stepforce.generator.generate import generate
from stepforce.generator.mdapi import build_mdapi_package, source_api_version
from stepforce.generator.writer import read_deploy_plan
from stepforce.runtime_client.deploy import Deployer, DeployRequest, Poller, TestLevel
from stepforce.runtime_client.deploy_flow import Lifecycle, deploy_with_lifecycle
from stepforce.runtime_client.deploy_result import DeployResult, junit_xml, with_sources
from stepforce.runtime_client.schedule_sync import plan_schedules, reconcile_schedules


class StepforceGenerate(BaseTask):  # type: ignore[misc]  # cumulusci ships no type hints
    """Validate orchestration specs and write the Salesforce project they compile to."""

    task_docs = "Runs `stepforce generate`: specs -> runtime + plan documents as an sfdx project."
    task_options: ClassVar[dict[str, dict[str, Any]]] = {
        "specs": {
            "description": f"Spec files or globs, comma-separated (default {DEFAULT_SPECS})."
        },
        "path": {"description": f"Project directory to write (default {DEFAULT_GENERATED})."},
        "api_version": {"description": "API version of the metadata (default: the project's)."},
        "source": {"description": "Folders with the step Flows/Apex, comma-separated."},
    }

    def _run_task(self) -> None:
        patterns = process_list_arg(self.options.get("specs")) or [DEFAULT_SPECS]
        # glob.glob, not Path.glob: a pattern may be absolute.
        specs = sorted({Path(p) for pattern in patterns for p in glob.glob(pattern)})  # noqa: PTH207
        if not specs:
            raise TaskOptionsError(f"no spec matches {', '.join(patterns)}")
        sources = process_list_arg(self.options.get("source"))
        out = Path(self.options.get("path") or DEFAULT_GENERATED)
        version = str(self.options.get("api_version") or project_api_version(self))
        try:
            result = generate(
                specs,
                out,
                api_version=version,
                source_dirs=[Path(s) for s in sources] if sources else None,
            )
        except StepforceError as error:
            raise as_cumulusci_error(error) from error
        for diagnostic in result.diagnostics:
            self.logger.warning(str(diagnostic))
        self.logger.info(f"Generated {', '.join(result.orchestrations)} into {out}")
        self.return_values = {"path": str(out), "orchestrations": list(result.orchestrations)}


class StepforceCheck(BaseTask):  # type: ignore[misc]
    """Check a generated project offline with Salesforce's own tooling."""

    task_docs = "Runs `stepforce check`: metadata schema, Apex syntax/semantics, PMD, format."
    task_options: ClassVar[dict[str, dict[str, Any]]] = {
        "path": {"description": f"The sfdx project to check (default {DEFAULT_GENERATED})."},
        "only": {"description": "Comma-separated checks to run (default: all)."},
        "offline": {"description": "True: never install tools; skip checks lacking one."},
    }

    def _run_task(self) -> None:
        path = Path(self.options.get("path") or DEFAULT_GENERATED)
        try:
            only = parse_only(self.options.get("only"))
            report = run_checks(
                path,
                offline=process_bool_arg(self.options.get("offline") or False),
                only=only,
                progress=self.logger.info,
            )
        except ValueError as error:
            raise TaskOptionsError(str(error)) from error
        except StepforceError as error:
            raise as_cumulusci_error(error) from error
        for diagnostic in report.diagnostics:
            self.logger.error(str(diagnostic))
        self.return_values = report.to_json()
        if not report.ok:
            raise CommandException(f"{len(report.errors)} problem(s) found by the offline checks")


class StepforceDeploy(BaseSalesforceTask):  # type: ignore[misc]
    """Deploy a generated project through the Metadata API, without the sf CLI."""

    task_docs = (
        "Converts the project to metadata format in Python and deploys it with "
        "simple-salesforce (CumulusCI's own `deploy` converts source format with the sf CLI, "
        "which needs Node 22). Failures are reported against the source files."
    )
    task_options: ClassVar[dict[str, dict[str, Any]]] = {
        "path": {"description": f"The sfdx project to deploy (default {DEFAULT_GENERATED})."},
        "check_only": {"description": "True: validate only, change nothing."},
        "test_level": {"description": "NoTestRun, RunSpecifiedTests, RunLocalTests or ..."},
        "specified_tests": {"description": "Test classes, comma-separated (RunSpecifiedTests)."},
        "wait_minutes": {"description": "Minutes to wait for the deploy (default 30)."},
        "junit": {"description": "Write the Apex test results as JUnit XML to this file."},
        "force": {
            "description": "True: deploy although Stepforce Apex jobs are pending or scheduled "
            "(needs the org's Deployment Setting that allows it)."
        },
        "unschedule_first": {
            "description": "True: unschedule stepforce's own jobs (sweeper, specs' schedules) "
            "before the deploy and schedule them again after it."
        },
        "delete_removed": {
            "description": "True: delete the latest plans of removed orchestrations, so no new "
            "run starts them (runs in flight finish on their pinned versions)."
        },
        "keep_versions": {
            "description": "True: do not prune the plan versions no unfinished run uses."
        },
    }
    #: Tests replace this with a poller that never sleeps.
    make_poller: Callable[[], Poller] = Poller

    def _init_options(self, kwargs: dict[str, Any]) -> None:
        super()._init_options(kwargs)
        level = self.options.get("test_level")
        try:
            self.request = DeployRequest(
                check_only=process_bool_arg(self.options.get("check_only") or False),
                test_level=TestLevel(level) if level else None,
                tests=tuple(process_list_arg(self.options.get("specified_tests")) or ()),
            )
            self.wait_minutes = float(self.options.get("wait_minutes") or 30)
            self.force = process_bool_arg(self.options.get("force") or False)
            self.delete_removed = process_bool_arg(self.options.get("delete_removed") or False)
            self.keep_versions = process_bool_arg(self.options.get("keep_versions") or False)
            self.unschedule_first = process_bool_arg(self.options.get("unschedule_first") or False)
        except ValueError as error:
            raise TaskOptionsError(f"stepforce_deploy: {error}") from error

    def _run_task(self) -> None:
        path = Path(self.options.get("path") or DEFAULT_GENERATED)
        connection = task_connection(self)
        try:
            version = source_api_version(path) or connection.api_version
            package = build_mdapi_package(path, version)
            lifecycle = Lifecycle(
                plan=read_deploy_plan(path),
                force=self.force,
                delete_removed=self.delete_removed,
                prune=not self.keep_versions,
                unschedule_first=self.unschedule_first and not self.request.check_only,
                schedules=False,  # stepforce_schedules does it, after assign_permission_sets
            )
            outcome = deploy_with_lifecycle(
                Deployer(connect=connection.salesforce, secrets=connection.secrets),
                package.to_zip,
                self.request,
                lifecycle,
                has_apex=package.has_apex(),
                wait_minutes=self.wait_minutes,
                poller=self.make_poller(),
                on_warning=self.logger.warning,
                on_started=lambda deploy_id, request: self.logger.info(
                    f"Deploy {deploy_id} started (test level {request.test_level})"
                ),
                on_progress=self._progress,
            )
        except StepforceError as error:
            raise as_cumulusci_error(error) from error
        result = with_sources(
            outcome.result, package.component_map, package.member_map, path.as_posix()
        )
        junit = self.options.get("junit")
        if junit:
            Path(junit).parent.mkdir(parents=True, exist_ok=True)
            Path(junit).write_bytes(junit_xml(result))
        for line in outcome.plans.lines() if outcome.plans else ():
            self.logger.info(line)
        self._finish(result, outcome.request.test_level)
        if outcome.plans is not None and outcome.plans.retire_error():
            raise DeploymentException(f"deploy Succeeded, but {outcome.plans.retire_error()}")

    def _progress(self, result: DeployResult) -> None:
        self.logger.info(
            f"{result.status}: components {result.components_deployed}/"
            f"{result.components_total}, tests {result.tests_completed}/{result.tests_total}"
        )

    def _finish(self, result: DeployResult, test_level: str | None) -> None:
        lines = describe(result, test_level)
        ok = result.status == "Succeeded"
        for line in lines:
            (self.logger.info if ok else self.logger.error)(line)
        self.return_values = result.to_json()
        if ok:
            return
        if result.test_failures and not result.component_failures:
            raise ApexTestException(f"{len(result.test_failures)} Apex test(s) failed: {lines[0]}")
        raise DeploymentException(lines[-1] if len(lines) == 1 else f"{lines[0]} ({lines[-1]})")


class StepforceSchedules(BaseSalesforceTask):  # type: ignore[misc]
    """Schedule the runtime's sweeper once and make the specs' schedules match the project."""

    task_docs = (
        "After stepforce_deploy and assign_permission_sets: schedules StepforceSweeper "
        "(never a second time) and (re)schedules each spec's cron starts as "
        "'Stepforce <Name>', unscheduling those whose spec dropped its schedule."
    )
    task_options: ClassVar[dict[str, dict[str, Any]]] = {
        "path": {"description": f"The generated project (default {DEFAULT_GENERATED})."},
        "sweeper": {"description": "False: leave the sweeper alone (default True)."},
    }

    def _run_task(self) -> None:
        path = Path(self.options.get("path") or DEFAULT_GENERATED)
        sweeper = process_bool_arg(self.options.get("sweeper", True))
        connection = task_connection(self)
        deployer = Deployer(connect=connection.salesforce, secrets=connection.secrets)
        try:
            plan = read_deploy_plan(path)
            plan_schedules([], plan)  # names and crons checked before any call
            report = reconcile_schedules(deployer, plan, sweeper=sweeper)
        except StepforceError as error:
            raise as_cumulusci_error(error) from error
        for line in report.lines():
            self.logger.info(line)
        self.return_values = report.to_json()
        if report.error:
            raise CommandException(f"scheduling failed: {report.error}")
