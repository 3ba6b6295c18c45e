"""CumulusCI tasks for stepforce's run side: start a run (and follow it), and the doctor.

Register them in ``cumulusci.yml`` by ``class_path``::

    tasks:
      stepforce_start_run:
        class_path: stepforce.cli.cumulusci_run_tasks.StepforceStartRun

CumulusCI loads them by class path; they only translate options and call stepforce's library
code (the shared pieces are in ``stepforce.cli.cumulusci_support``).
"""

from __future__ import annotations

from typing import Any, ClassVar

from cumulusci.core.exceptions import CommandException, TaskOptionsError
from cumulusci.core.utils import process_bool_arg, process_list_arg
from cumulusci.tasks.salesforce.BaseSalesforceTask import BaseSalesforceTask

from stepforce.cli.cumulusci_support import (
    DEFAULT_RUN_WAIT_MINUTES,
    as_cumulusci_error,
    task_connection,
)
from stepforce.cli.run_inputs import as_json, parse_value
from stepforce.errors import StepforceError
from stepforce.runtime_client.client import StepforceClient
from stepforce.runtime_client.deploy import Deployer, Poller
from stepforce.runtime_client.doctor.probes import PROBE_NAMES, PROBES
from stepforce.runtime_client.doctor.runner import DoctorOrg, run_doctor
from stepforce.runtime_client.models import Run


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
        client = StepforceClient(task_connection(self))
        try:
            run = client.start_run(
                str(self.options["orchestration"]),
                inputs,
                request_key=self.options.get("request_key"),
            )
        except StepforceError as error:
            raise as_cumulusci_error(error) from error
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
            raise as_cumulusci_error(error) from error
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
        connection = task_connection(self)
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
            raise as_cumulusci_error(error) from error
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
