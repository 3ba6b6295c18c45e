"""``stepforce schedule``, ``unschedule`` and ``schedules``: cron starts of an orchestration
in the org (Apex scheduled jobs the runtime's REST API creates, removes and lists), thin
commands over StepforceClient."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from stepforce.cli import run_options
from stepforce.cli.org_options import org_options
from stepforce.cli.output import emit_json
from stepforce.cli.run_inputs import read_inputs_file
from stepforce.runtime_client.auth import OrgOptions

COMMANDS: list[click.Command] = []


def _check_cron(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from stepforce.generator.spec.cron import cron_problems

    problems = cron_problems(value)
    if problems:
        raise click.BadParameter("; ".join(problems), ctx=ctx, param=param)
    return value


@click.command("schedule")
@click.argument("orchestration")
@click.option(
    "--cron",
    required=True,
    callback=_check_cron,
    metavar="EXPR",
    help="Salesforce cron: 'sec min hour day-of-month month day-of-week [year]'.",
)
@run_options.input_option
@run_options.inputs_file_option
@click.option("--name", metavar="NAME", help="Scheduled job name (default 'Stepforce ORCH').")
@org_options
@run_options.json_option
def schedule_cmd(
    orchestration: str,
    cron: str,
    inputs: dict[str, Any],
    inputs_file: Path | None,
    name: str | None,
    org: OrgOptions,
    as_json: bool,
) -> None:
    """Start ORCHESTRATION on a cron schedule, in the org user's time zone (one REST call;
    needs the custom permission Stepforce_Schedule, granted by Stepforce_Operator and
    Stepforce_Admin: no Author Apex).

    \b
    Example:
      stepforce schedule Invoice_Sync --cron "0 0 2 * * ?" --input since=2026-11-01 -o dev
    """
    values = {**read_inputs_file(inputs_file), **inputs}
    job = run_options.client(org, as_json).schedule(orchestration, cron, values, name)
    if as_json:
        emit_json(job)
    else:
        click.echo(f"Scheduled {job.name!r} ({job.id}), next start {job.next_fire_time or '-'}.")


@click.command("unschedule")
@click.argument("name")
@org_options
@run_options.json_option
def unschedule_cmd(name: str, org: OrgOptions, as_json: bool) -> None:
    """Remove the Stepforce schedule NAME (runs already started go on; one REST call).

    \b
    Example:
      stepforce unschedule "Stepforce Invoice_Sync" -o dev
    """
    jobs = run_options.client(org, as_json).unschedule(name)
    if as_json:
        emit_json({"unscheduled": [job.to_json() for job in jobs]})
    else:
        click.echo(f"Unscheduled {name!r} ({', '.join(job.id for job in jobs)}).")


@click.command("schedules")
@org_options
@run_options.json_option
def schedules_cmd(org: OrgOptions, as_json: bool) -> None:
    """List the Stepforce schedules (cron starts) of the org (one REST call).

    \b
    Example:
      stepforce schedules -o dev
    """
    jobs = run_options.client(org, as_json).schedules()
    if as_json:
        emit_json({"schedules": [job.to_json() for job in jobs]})
    elif not jobs:
        click.echo("No Stepforce schedules.")
    else:
        for job in jobs:
            when = job.next_fire_time or "-"
            cron = job.cron or "-"
            click.echo(f"{job.name}  {cron}  {job.state or '-'}  next {when}  ({job.id})")


COMMANDS.extend([schedule_cmd, unschedule_cmd, schedules_cmd])
