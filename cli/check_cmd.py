"""Commands of this module are registered in main.py through COMMANDS."""

from __future__ import annotations

from pathlib import Path

import click

from stepforce.cli.output import echo_err, emit_json, print_diagnostics
from stepforce.errors import CheckFailedError
from stepforce.generator.check import CHECK_NAMES, CheckStatus, parse_only, run_checks


def _only(_ctx: click.Context, _param: click.Parameter, value: str | None) -> set[str] | None:
    try:
        return parse_only(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from error


@click.command("check")
@click.argument(
    "directory",
    required=False,
    default=".",
    type=click.Path(file_okay=False, path_type=Path),
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@click.option(
    "--offline",
    is_flag=True,
    help="Never install tools; skip (with a warning) the checks whose tools are missing.",
)
@click.option(
    "--only",
    metavar="CHECKS",
    callback=_only,
    help=f"Comma-separated checks to run: {','.join(CHECK_NAMES)} (default: all).",
)
@click.option(
    "--fix-format",
    is_flag=True,
    help="Rewrite your Apex files with prettier-plugin-apex before checking "
    "(never the files stepforce generate owns).",
)
@click.option(
    "--strict-format",
    is_flag=True,
    help="Report unformatted Apex that stepforce did not generate (your classes, and "
    "generate's copies of them) as errors; by default only generated files fail on format.",
)
def check(
    directory: Path,
    as_json: bool,
    offline: bool,
    only: set[str] | None,
    fix_format: bool,
    strict_format: bool,
) -> None:
    """Check an sfdx project offline with real Salesforce tooling.

    Validates every *-meta.xml against the Metadata API schema, parses Apex with
    apex-parser, checks its semantics with apex-ls, runs PMD's security, performance and
    error-prone rules, checks formatting with prettier-plugin-apex, and applies the Metadata
    API's deploy-time rules (text limits, API names, field companions, cross-file references,
    element order; see docs/check.md). Missing npm tools are
    installed once into ~/.cache/stepforce/tools (or $STEPFORCE_TOOLS_DIR). Exit 0 when no
    error is found, 1 when one is, 2 when a tool is missing. Unformatted Apex is an error in
    files stepforce generate wrote and a warning in yours (--strict-format: an error too). No
    check can prove that a deploy succeeds or that Apex tests pass.

    \b
    Example:
      stepforce check force-app-generated
      stepforce check --only schema,syntax --offline
      stepforce check . --fix-format --json
      stepforce check force-app --strict-format
    """
    report = run_checks(
        directory,
        offline=offline,
        only=only,
        progress=echo_err,
        fix_format=fix_format,
        strict_format=strict_format,
    )
    if as_json:
        emit_json(report.to_json())
        if not report.ok:
            # The report above is the one JSON document; exit 1 without a second one.
            raise click.exceptions.Exit(1)
        return
    print_diagnostics(list(report.diagnostics))
    if not report.ok:
        raise CheckFailedError(report.errors)
    ran = [c.name for c in report.checks if c.status is not CheckStatus.SKIPPED]
    echo_err(f"ok: {directory} passed {', '.join(ran) or 'no checks'}")


COMMANDS: list[click.Command] = [check]
