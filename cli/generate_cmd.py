"""``stepforce generate``: specs -> a deployable sfdx project (or a Metadata API zip)."""

from __future__ import annotations

from pathlib import Path

import click

from stepforce.cli.output import emit_json, print_diagnostics
from stepforce.cli.source_option import source_option
from stepforce.generator.generate import GenerateResult, generate
from stepforce.generator.project import DEFAULT_API_VERSION

COMMANDS: list[click.Command] = []
_SHOWN = 20  # paths listed per group before "... and N more"


def _print_group(label: str, paths: list[str]) -> None:
    if not paths:
        return
    click.echo(f"{label} ({len(paths)}):")
    for path in paths[:_SHOWN]:
        click.echo(f"  {path}")
    if len(paths) > _SHOWN:
        click.echo(f"  ... and {len(paths) - _SHOWN} more")


def _print_result(result: GenerateResult) -> None:
    print_diagnostics(result.diagnostics)
    names = ", ".join(result.orchestrations)
    if result.zip_path is not None:
        click.echo(f"wrote {result.zip_path} ({result.zip_bytes:,} bytes) for {names}")
    if result.report is not None:
        report = result.report
        _print_group("created", report.created)
        _print_group("changed", report.changed)
        _print_group("removed", report.removed)
        _print_group("kept (yours, not touched)", report.kept)
        click.echo(
            f"{report.out_dir}: {len(report.created)} created, {len(report.changed)} changed, "
            f"{len(report.removed)} removed, {len(report.unchanged)} unchanged ({names})"
        )
    _print_lifecycle(result)
    if result.plans_only and result.report is not None:
        click.echo(
            "only plan documents changed: `stepforce deploy "
            f"{result.report.out_dir} --plans-only` sends them without Apex, so even "
            "production runs no tests"
        )
    if not result.formatted:
        click.echo(
            "note: some classes hold text the built-in layout leaves to prettier-plugin-apex "
            "(emoji), which could not be installed, so they were written unformatted; "
            "`stepforce check --fix-format` formats them once the tools are installed",
            err=True,
        )


def _print_lifecycle(result: GenerateResult) -> None:
    """What the next ``stepforce deploy`` will do in the org because of these specs."""
    if result.report is None:
        return
    plan = result.deploy_plan
    for schedule in plan.schedules:
        click.echo(
            f"schedule: wrote scripts/apex/schedule_{schedule.orchestration}.apex; "
            f"`stepforce deploy` schedules {schedule.job_name!r} ({schedule.cron})"
        )
    for name in plan.unscheduled:
        click.echo(f"schedule: `stepforce deploy` unschedules {name}'s job (no schedule now)")
    for name in plan.removed:
        click.echo(
            f"removed orchestration {name}: its plan stays in an org (and {name} stays "
            "startable) until `stepforce deploy --delete-removed`"
        )


@click.command("generate")
@click.argument(
    "specs", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="Project directory to create or update (a .zip file with --format mdapi).",
)
@click.option(
    "--api-version",
    default=DEFAULT_API_VERSION,
    show_default=True,
    help="Metadata API version of the generated files.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["source", "mdapi"]),
    default="source",
    show_default=True,
    help="source: an sfdx project; mdapi: a metadata-format zip for the Metadata API.",
)
@source_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def generate_command(
    specs: tuple[Path, ...],
    out: Path,
    api_version: str,
    output_format: str,
    sources: tuple[Path, ...],
    as_json: bool,
) -> None:
    """Generate the runtime and a versioned plan document for every spec.

    Writes a complete sfdx project to --out (or updates one: only files stepforce wrote
    are changed or removed, anything else there is left alone), with the step sources the
    specs name copied in. The same specs always give the same bytes.

    \b
    Example:
      stepforce generate examples/*.yaml --out build/demo
      stepforce generate orchestrations/*.yaml --out deploy.zip --format mdapi
      stepforce generate invoice_sync.yaml --out . --source force-app --json
    """
    result = generate(
        list(specs),
        out,
        api_version=api_version,
        source_dirs=list(sources) if sources else None,
        mdapi=output_format == "mdapi",
    )
    if as_json:
        emit_json(result.to_json())
    else:
        _print_result(result)


COMMANDS.append(generate_command)
