"""``stepforce doctor``: prove the engine's platform assumptions in a real org."""

from __future__ import annotations

from collections.abc import Callable

import click

from stepforce.cli.deploy_cmd import deployer_for
from stepforce.cli.org_options import org_options
from stepforce.cli.output import echo_err, emit_json
from stepforce.errors import UsageError
from stepforce.runtime_client.auth import OrgOptions, resolve_org
from stepforce.runtime_client.client import StepforceClient
from stepforce.runtime_client.deploy import Poller
from stepforce.runtime_client.doctor.probes import PROBE_NAMES, PROBES
from stepforce.runtime_client.doctor.runner import DoctorOrg, DoctorReport, run_doctor
from stepforce.runtime_client.watch import Clock, SystemClock

COMMANDS: list[click.Command] = []
DEFAULT_TIMEOUT_MINUTES = 10.0

# Tests replace these to run in simulated time.
clock_factory: Callable[[], Clock] = SystemClock


def make_poller() -> Poller:
    return Poller()


def _print(report: DoctorReport) -> None:
    for verdict in report.verdicts:
        probe = verdict.probe
        click.echo(
            f"{verdict.status:<7} {probe.name:<16} {verdict.seconds:5.0f} s "
            f"(expected ~{probe.expected_seconds} s)  {verdict.figure}".rstrip()
        )
        click.echo(f"        proves: {probe.assumption} (docs/engine.md, Platform assumptions)")
        if verdict.runs:
            jobs = f"; jobs {', '.join(verdict.jobs)}" if verdict.jobs else ""
            click.echo(f"        runs {', '.join(verdict.runs)}{jobs}")
        for problem in verdict.problems:
            click.echo(f"        problem: {problem}")
    passed = sum(1 for v in report.verdicts if v.status == "PASS")
    click.echo(
        f"{passed} of {len(report.verdicts)} probes passed in {report.seconds:.0f} s "
        f"(deploy {report.deploy_id}); probe package {report.cleanup}"
    )


@click.command("doctor")
@org_options
@click.option(
    "--only",
    "only",
    multiple=True,
    type=click.Choice(PROBE_NAMES),
    help="Run only these probes (repeatable).",
)
@click.option(
    "--timeout-minutes",
    type=click.FloatRange(min=1),
    default=DEFAULT_TIMEOUT_MINUTES,
    show_default=True,
    help="Give up after this long (exit 3; the probe package is kept while runs go on).",
)
@click.option("--keep", is_flag=True, help="Leave the probe package in the org afterwards.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON only.")
def doctor_command(
    org: OrgOptions, only: tuple[str, ...], timeout_minutes: float, keep: bool, as_json: bool
) -> None:
    """Prove, in a scratch org, that the platform behaves as the engine assumes.

    Deploys the runtime and a small probe package (probe orchestrations, StepforceProbe*
    Apex steps, the Flow Stepforce_Probe_Flow and a Remote Site Setting for the org's My
    Domain), runs canary orchestrations through the REST API, checks each against what the
    engine promises (docs/doctor.md), and removes the probe package unless --keep. It never
    touches data other than its own runs. Progress on stderr; exit 0 when every probe
    passed, 1 when one failed, 3 when --timeout-minutes ran out first.

    \b
    Example:
      stepforce doctor -o my-scratch
      stepforce doctor -o my-scratch --only retry --only control --json
    """
    probes = [p for p in PROBES if not only or p.name in only]
    if not probes:
        raise UsageError("--only named no probe")
    connection = resolve_org(org)

    def progress(text: str) -> None:
        if not as_json:
            echo_err(text)

    progress(f"Org {connection.instance_url} (API {connection.api_version}). {connection.source}")
    client = StepforceClient(connection, clock=clock_factory())
    doctor_org = DoctorOrg(client, deployer_for(connection), make_poller(), progress)
    report = run_doctor(doctor_org, probes, timeout_minutes=timeout_minutes, keep=keep)
    if as_json:
        emit_json(report.to_json())
    else:
        _print(report)
    if report.exit_code:
        raise click.exceptions.Exit(report.exit_code)


COMMANDS.append(doctor_command)
