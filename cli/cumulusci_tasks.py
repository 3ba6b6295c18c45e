"""CumulusCI tasks for stepforce: generate, check, deploy (no sf CLI), schedules, start a run,
doctor.

Register them in ``cumulusci.yml`` by ``class_path``::

    tasks:
      stepforce_deploy:
        class_path: stepforce.cli.cumulusci_tasks.StepforceDeploy

This is the only module of stepforce that imports cumulusci (an optional extra,
``pip install 'stepforce[cumulusci]'``), and nothing else imports this module: CumulusCI
loads it by its class path. CumulusCI owns the order of work (options, credentials refresh,
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
    CumulusCIFailure,
    DeploymentException,
    TaskOptionsError,
)
from cumulusci.core.tasks import BaseTask
from cumulusci.core.utils import process_bool_arg, process_list_arg
from cumulusci.tasks.salesforce.BaseSalesforceTask import BaseSalesforceTask

from stepforce.cli.deploy_cmd import describe
from stepforce.cli.run_inputs import as_json, parse_value
from stepforce.errors import StepforceError, StillRunningError, UsageError
from stepforce.generator.check import parse_only, run_checks
from stepforce.generator.generate import generate
from stepforce.generator.mdapi import build_mdapi_package, source_api_version
from stepforce.generator.project import DEFAULT_API_VERSION
from stepforce.generator.scaffold import GENERATED_DIR
from stepforce.generator.writer import read_deploy_plan
from stepforce.runtime_client.auth import OrgConnection
from stepforce.runtime_client.client import StepforceClient
from stepforce.runtime_client.deploy import Deployer, DeployRequest, Poller, TestLevel
from stepforce.runtime_client.deploy_flow import Lifecycle, deploy_with_lifecycle
from stepforce.runtime_client.deploy_result import DeployResult, junit_xml, with_sources
from stepforce.runtime_client.doctor.probes import PROBE_NAMES, PROBES
from stepforce.runtime_client.doctor.runner import DoctorOrg, run_doctor
from stepforce.runtime_client.models import Run
from stepforce.runtime_client.schedule_sync import plan_schedules, reconcile_schedules

DEFAULT_SPECS = "orchestrations/*.yaml"
DEFAULT_GENERATED = GENERATED_DIR
DEFAULT_RUN_WAIT_MINUTES = 60.0


def _as_cumulusci_error(error: StepforceError) -> Exception:
    """stepforce's two branches onto CumulusCI's: the user can fix it, or the org said no."""
    converted: Exception
    if isinstance(error, UsageError):
        converted = TaskOptionsError(str(error))
    elif isinstance(error, StillRunningError):
        converted = CumulusCIFailure(str(error))
    else:
        converted = CommandException(str(error))
    return converted


def _project_api_version(task: Any) -> str:
    version = task.project_config.project__package__api_version
    return str(version) if version else DEFAULT_API_VERSION


def _connection(task: Any) -> OrgConnection:
    """The task's org as a stepforce connection; CumulusCI refreshed the token already."""
    org = task.org_config
    return OrgConnection(
        instance_url=str(org.instance_url).rstrip("/"),
        access_token=str(org.access_token),
        api_version=_project_api_version(task),
        source=f"Credentials from the CumulusCI org '{org.name}'.",
    )


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
        version = str(self.options.get("api_version") or _project_api_version(self))
        try:
            result = generate(
                specs,
                out,
                api_version=version,
                source_dirs=[Path(s) for s in sources] if sources else None,
            )
        except StepforceError as error:
            raise _as_cumulusci_error(error) from error
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
            raise _as_cumulusci_error(error) from error
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
            "description": "True: delete the plan classes of removed orchestrations (refused "
            "while their runs are active)."
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
            self.unschedule_first = process_bool_arg(self.options.get("unschedule_first") or False)
        except ValueError as error:
            raise TaskOptionsError(f"stepforce_deploy: {error}") from error

    def _run_task(self) -> None:
        path = Path(self.options.get("path") or DEFAULT_GENERATED)
        connection = _connection(self)
        try:
            version = source_api_version(path) or connection.api_version
            package = build_mdapi_package(path, version)
            lifecycle = Lifecycle(
                plan=read_deploy_plan(path),
                force=self.force,
                delete_removed=self.delete_removed,
                unschedule_first=self.unschedule_first and not self.request.check_only,
                schedules=False,  # stepforce_schedules does it, after assign_permission_sets
            )
            outcome = deploy_with_lifecycle(
                Deployer(connect=connection.salesforce, secrets=connection.secrets),
                lambda classes: package.to_zip({"ApexClass": classes}),
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
            raise _as_cumulusci_error(error) from error
        result = with_sources(
            outcome.result, package.component_map, package.member_map, path.as_posix()
        )
        junit = self.options.get("junit")
        if junit:
            Path(junit).parent.mkdir(parents=True, exist_ok=True)
            Path(junit).write_bytes(junit_xml(result))
        for name in outcome.deleted:
            self.logger.info(f"Deleted removed plan class {name}")
        self._finish(result, outcome.request.test_level)

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
        connection = _connection(self)
        deployer = Deployer(connect=connection.salesforce, secrets=connection.secrets)
        try:
            plan = read_deploy_plan(path)
            plan_schedules([], plan)  # names and crons checked before any call
            report = reconcile_schedules(deployer, plan, sweeper=sweeper)
        except StepforceError as error:
            raise _as_cumulusci_error(error) from error
        for line in report.lines():
            self.logger.info(line)
        self.return_values = report.to_json()
        if report.error:
            raise CommandException(f"scheduling failed: {report.error}")


class StepforceStartRun(BaseSalesforceTask):  # type: ignore[misc]
    """Start a run of an orchestration in the task's org."""

    task_docs = (
        "Starts a run over the stepforce REST API and returns its id; with wait, follows it "
        "and fails the task unless the run succeeds (a paused run fails it too: it starts no "
        "further step until resumed)."
    )
    task_options: ClassVar[dict[str, dict[str, Any]]] = {
        "orchestration": {"description": "The orchestration's API name.", "required": True},
        "inputs": {"description": "Run inputs: a mapping, or name:value pairs comma-separated."},
        "request_key": {"description": "Idempotency key: repeating it returns the same run."},
        "wait": {"description": "Follow the run until it ends (default False)."},
        "wait_minutes": {
            "description": f"With wait: give up after this many minutes "
            f"(default {DEFAULT_RUN_WAIT_MINUTES:g}; the run goes on)."
        },
    }

    def _run_task(self) -> None:
        inputs = self.options.get("inputs") or {}
        if isinstance(inputs, str):
            inputs = _pairs(inputs)
        if not isinstance(inputs, dict):
            raise TaskOptionsError("inputs must be a mapping or name:value pairs")
        # cumulusci.yml is read by CumulusCI (YAML 1.1): its dates become ISO text again.
        inputs = {str(name): as_json(value) for name, value in inputs.items()}
        minutes = self._wait_minutes()
        client = StepforceClient(_connection(self))
        try:
            run = client.start_run(
                str(self.options["orchestration"]),
                inputs,
                request_key=self.options.get("request_key"),
            )
        except StepforceError as error:
            raise _as_cumulusci_error(error) from error
        self.logger.info(f"Started run {run.id} of {run.orchestration}: {run.status}")
        self.return_values = {"run_id": run.id, "status": run.status}
        if minutes is not None:
            self._wait(client, run.id, minutes)

    def _wait_minutes(self) -> float | None:
        """Minutes to follow the run, or None without ``wait``; checked before the start."""
        if not process_bool_arg(self.options.get("wait") or False):
            return None
        raw = self.options.get("wait_minutes") or DEFAULT_RUN_WAIT_MINUTES
        try:
            minutes = float(raw)
        except (TypeError, ValueError):
            minutes = 0.0
        if minutes <= 0:
            raise TaskOptionsError(f"wait_minutes must be a number of minutes above 0, not {raw!r}")
        return minutes

    def _wait(self, client: StepforceClient, run_id: str, minutes: float) -> None:
        def progress(run: Run) -> None:
            where = f" at {run.current_step}" if run.current_step else ""
            self.logger.info(f"Run {run.id}: {run.status}{where}")

        try:
            run = client.watch(run_id, on_update=progress, timeout=minutes * 60)
        except StepforceError as error:
            raise _as_cumulusci_error(error) from error
        self.return_values = {"run_id": run.id, "status": run.status}
        if run.status != "Succeeded":
            detail = f": {run.error}" if run.error else ""
            hint = f" (resume it with: stepforce run resume {run.id})" if run.is_paused else ""
            raise CommandException(f"Run {run.id} is {run.status}{detail}{hint}")


class StepforceDoctor(BaseSalesforceTask):  # type: ignore[misc]
    """``stepforce doctor`` in the task's org (a scratch org: it deploys the runtime)."""

    task_docs = "Deploys the probe package, runs the probes, removes it; fails on a FAIL/TIMEOUT."
    task_options: ClassVar[dict[str, dict[str, Any]]] = {
        "only": {"description": f"Comma-separated probes (default all: {', '.join(PROBE_NAMES)})."},
        "timeout_minutes": {"description": "Give up after this long (default 10)."},
        "keep": {"description": "True: leave the probe package in the org."},
    }

    def _run_task(self) -> None:
        only = process_list_arg(self.options.get("only")) or list(PROBE_NAMES)
        unknown = sorted(set(only) - set(PROBE_NAMES))
        if unknown:
            raise TaskOptionsError(f"only: unknown probe(s) {', '.join(unknown)}")
        connection = _connection(self)
        org = DoctorOrg(
            StepforceClient(connection),
            Deployer(connect=connection.salesforce, secrets=connection.secrets),
            Poller(),
            self.logger.info,
        )
        try:
            report = run_doctor(
                org,
                [p for p in PROBES if p.name in only],
                timeout_minutes=float(self.options.get("timeout_minutes") or 10),
                keep=process_bool_arg(self.options.get("keep") or False),
            )
        except StepforceError as error:
            raise _as_cumulusci_error(error) from error
        for verdict in report.verdicts:
            self.logger.info(f"{verdict.status} {verdict.probe.name}: {verdict.figure}")
            for problem in verdict.problems:
                self.logger.error(f"  {problem}")
        self.return_values = report.to_json()
        if report.exit_code:
            raise CommandException(f"stepforce doctor: exit {report.exit_code} ({report.cleanup})")


def _pairs(text: str) -> dict[str, Any]:
    """``since:2026-11-01,pageSize:200`` -> a dict, each value typed as ``--input`` types it
    (cli/run_inputs.py: text as written unless JSON true/false/null, "text", list or object;
    the plan converts it to the declared type)."""
    pairs: dict[str, Any] = {}
    for item in process_list_arg(text) or []:
        name, sep, value = item.partition(":")
        if not sep or not name.strip():
            raise TaskOptionsError(f"inputs: {item!r} is not name:value")
        pairs[name.strip()] = as_json(parse_value(value.strip()))
    return pairs
