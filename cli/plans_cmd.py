"""``stepforce plans [ORCH]``: plan versions in the org and the unfinished runs on each."""

from __future__ import annotations

import click

from stepforce.cli import run_options
from stepforce.cli.org_options import org_options
from stepforce.cli.output import emit_json
from stepforce.errors import FailureError
from stepforce.runtime_client.auth import OrgOptions


@click.command("plans")
@click.argument("orchestration", required=False)
@org_options
@click.option(
    "--prune",
    is_flag=True,
    help="Delete the versions no unfinished run uses (never the latest).",
)
@run_options.json_option
def plans_cmd(orchestration: str | None, org: OrgOptions, prune: bool, as_json: bool) -> None:
    """List plan versions and the unfinished runs pinned to each.

    A run keeps the plan version it started with; a version stays in the org while any
    unfinished run uses it. `latest` marks what a new run starts on.

    \b
    Example:
      stepforce plans Invoice_Sync -o dev
      stepforce plans --prune -o prod
    """
    client = run_options.client(org, as_json)
    if prune:
        pruned, kept = client.prune_plan_versions(orchestration)
        if as_json:
            emit_json({"pruned": [v.to_json() for v in pruned], "kept": kept})
            if kept:
                raise click.exceptions.Exit(FailureError.exit_code)
            return
        for item in pruned:
            click.echo(f"Pruned {item.orchestration} {item.version}")
        click.echo(f"{len(pruned)} plan version(s) pruned.")
        if kept:
            rows = "; ".join(f"{version}: {problem}" for version, problem in sorted(kept.items()))
            raise FailureError(f"the org kept {len(kept)} unused plan version(s): {rows}")
        return
    versions = client.plan_versions(orchestration)
    if as_json:
        emit_json({"versions": [v.to_json() for v in versions]})
        return
    if not versions:
        click.echo("No plan versions or unfinished runs found.")
        return
    for item in versions:
        marks = [m for m, on in (("latest", item.latest), ("missing", not item.deployed)) if on]
        version = item.version or "(no version)"
        extra = f" [{', '.join(marks)}]" if marks and item.version else ""
        click.echo(f"{item.orchestration}  {version}{extra}  {item.active_runs} unfinished run(s)")


COMMANDS: list[click.Command] = [plans_cmd]
