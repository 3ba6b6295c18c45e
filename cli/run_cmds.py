"""``stepforce run ...``: start, status, watch, list, logs, pause, resume, cancel and retry,
thin commands over StepforceClient. Human views read step summaries (``io=False``: one call at
any run size); ``--json`` prints the whole run, every step run's inputs and outputs included.
The schedule commands are in :mod:`.schedule_cmds`; the client and the options they share in
:mod:`.run_options`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.live import Live

from stepforce.cli import run_options, run_view
from stepforce.cli.org_options import org_options
from stepforce.cli.output import emit_json, stdout_is_terminal
from stepforce.cli.run_inputs import read_inputs_file
from stepforce.errors import NotFoundError, RunFailedError, StillRunningError
from stepforce.runtime_client.analysis import step_logs
from stepforce.runtime_client.auth import OrgOptions
from stepforce.runtime_client.client import StepforceClient
from stepforce.runtime_client.models import Run

COMMANDS: list[click.Command] = []


def _follow(client: StepforceClient, run_id: str, timeout_min: float | None, as_json: bool) -> None:
    """Watch until the run ends or pauses: a live table on a terminal, change lines otherwise,
    JSON at the end."""
    timeout = timeout_min * 60 if timeout_min else None
    console = Console(soft_wrap=True)
    last: list[Run] = []
    try:
        if as_json:
            final = client.watch(run_id, on_update=last.append, timeout=timeout, io=True)
        elif stdout_is_terminal():
            with Live(console=console, auto_refresh=False) as live:

                def show(run: Run) -> None:
                    last.append(run)
                    live.update(run_view.run_table(run), refresh=True)

                final = client.watch(run_id, on_update=show, timeout=timeout, io=False)
            console.print()
        else:

            def line(run: Run) -> None:
                last.append(run)
                click.echo(run_view.change_line(run))

            final = client.watch(run_id, on_update=line, timeout=timeout, io=False)
    except StillRunningError:
        if as_json and last:
            emit_json(last[-1])
            raise click.exceptions.Exit(StillRunningError.exit_code) from None
        raise
    _finish(final, as_json, console)


def _exit_code(run: Run) -> int:
    """0 succeeded, 1 failed or cancelled, 3 not finished (queued, running, paused)."""
    if run.status == "Succeeded":
        return 0
    return RunFailedError.exit_code if run.is_terminal else StillRunningError.exit_code


def _finish(run: Run, as_json: bool, console: Console) -> None:
    """Print the run where the watch stopped, then exit with what that state means."""
    if as_json:
        emit_json(run)
    else:
        run_view.print_summary(run, console)
    code = _exit_code(run)
    if code == StillRunningError.exit_code:
        # Only a pause stops a watch early; a note, not an error: the run is fine, just waiting.
        run_view.stderr_note(run_view.paused_note(run))
        raise click.exceptions.Exit(code)
    if code and as_json:
        raise click.exceptions.Exit(code)
    if code:
        detail = f": {run.error}" if run.error else ""
        raise RunFailedError(f"Run {run.id} ended {run.status}{detail}")


@click.group("run")
def run_group() -> None:
    """Start, inspect and control runs in an org (REST API of the stepforce runtime)."""


@run_group.command("start")
@click.argument("orchestration")
@run_options.input_option
@run_options.inputs_file_option
@click.option(
    "--request-key", metavar="KEY", help="Idempotency key: a repeat returns the same run."
)
@click.option("--wait", is_flag=True, help="Watch the run until it ends or pauses.")
@run_options.timeout_option
@org_options
@run_options.json_option
def start_cmd(
    orchestration: str,
    inputs: dict[str, Any],
    inputs_file: Path | None,
    request_key: str | None,
    wait: bool,
    timeout: float | None,
    org: OrgOptions,
    as_json: bool,
) -> None:
    """Start a run of ORCHESTRATION (one API call).

    Exit 0 when started (or, with --wait, when it succeeded), 1 when it failed or was
    cancelled, 3 when it paused (resume it with `stepforce run resume ID`) or --timeout
    passed while it still runs.

    \b
    Example:
      stepforce run start Invoice_Sync --input since=2026-11-01 --input pageSize=100 -o dev
      stepforce run start Invoice_Sync --inputs-file inputs.yaml --wait --timeout 30
    """
    values = {**read_inputs_file(inputs_file), **inputs}
    client = run_options.client(org, as_json)
    run = client.start_run(orchestration, values, request_key)
    if wait or timeout:
        if not as_json:
            run_view.stderr_note(f"Started run {run.id}; watching (Ctrl-C stops watching only).")
        _follow(client, run.id, timeout, as_json)
    elif as_json:
        emit_json(run)
    else:
        click.echo(f"Started run {run.id} ({run.orchestration}), {run.status}.")
        click.echo(f"Follow it with: stepforce run watch {run.id}")


@run_group.command("status")
@run_options.run_id_argument
@click.option(
    "--exit-status",
    is_flag=True,
    help="Exit 0 if the run succeeded, 1 if it failed or was cancelled, 3 if it is queued, "
    "running or paused.",
)
@org_options
@run_options.json_option
def status_cmd(run_id: str, exit_status: bool, org: OrgOptions, as_json: bool) -> None:
    """Show a run and its step runs (one API call; more only for a run too large for one).

    Exit 0 whatever its state; with --exit-status, 0 if it succeeded, 1 if it failed or was
    cancelled, 3 while it is queued, running or paused (after printing the run or its JSON).

    \b
    Example:
      stepforce run status a01xx0000012345AAA -o dev
      stepforce run status a01xx0000012345AAA --exit-status --json -o ci
    """
    run = run_options.client(org, as_json).get_run(run_id, io=as_json)
    if as_json:
        emit_json(run)
    else:
        console = Console(soft_wrap=True)
        console.print(run_view.run_table(run))
        run_view.print_summary(run, console)
    code = _exit_code(run) if exit_status else 0
    if code:
        raise click.exceptions.Exit(code)


@run_group.command("watch")
@run_options.run_id_argument
@run_options.timeout_option
@org_options
@run_options.json_option
def watch_cmd(run_id: str, timeout: float | None, org: OrgOptions, as_json: bool) -> None:
    """Follow a run until it ends or pauses, polling with growing waits (one call per poll).

    Exit 0 if it succeeded, 1 if it failed or was cancelled, 3 if it paused (resume it with
    `stepforce run resume ID`) or --timeout passed first.

    \b
    Example:
      stepforce run watch a01xx0000012345AAA -o dev --timeout 60
    """
    _follow(run_options.client(org, as_json), run_id, timeout, as_json)


@run_group.command("list")
@click.option("--orchestration", help="Only runs of this orchestration.")
@click.option(
    "--status",
    type=click.Choice(["Queued", "Running", "Paused", "Succeeded", "Failed", "Cancelled"]),
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="Show at most this many runs (pages of 200 are followed at any depth).",
)
@click.option("--all", "show_all", is_flag=True, help="Show every matching run (ignores --limit).")
@click.option(
    "--offset",
    type=click.IntRange(0, 2000),
    default=0,
    show_default=True,
    help="Skip this many runs first (SOQL allows 2,000; beyond, pages follow cursors).",
)
@org_options
@run_options.json_option
def list_cmd(
    orchestration: str | None,
    status: str | None,
    limit: int,
    show_all: bool,
    offset: int,
    org: OrgOptions,
    as_json: bool,
) -> None:
    """List runs, newest first (one API call per page of up to 200 runs).

    \b
    Example:
      stepforce run list --orchestration Invoice_Sync --status Failed -o dev
      stepforce run list --all --status Failed --json -o dev
    """
    client = run_options.client(org, as_json)
    page = client.collect_runs(orchestration, status, None if show_all else limit, offset)
    if as_json:
        emit_json(page)
    else:
        run_view.print_run_list(page, Console(soft_wrap=True))


@run_group.command("logs")
@run_options.run_id_argument
@click.option("--step", metavar="STEP", help="Only this step's attempts.")
@org_options
@run_options.json_option
def logs_cmd(run_id: str, step: str | None, org: OrgOptions, as_json: bool) -> None:
    """Every attempt of every step: inputs, outputs, errors (one API call for a typical run).

    \b
    Example:
      stepforce run logs a01xx0000012345AAA --step Fetch_Page -o dev
    """
    run = run_options.client(org, as_json).get_run(run_id)
    logs = step_logs(run, step)
    if as_json:
        emit_json(run_view.logs_json(logs))
    else:
        run_view.print_logs(run, logs, Console(soft_wrap=True), step)


def _transition_command(action: str, summary: str, example: str) -> click.Command:
    def command(run_id: str, org: OrgOptions, as_json: bool) -> None:
        client = run_options.client(org, as_json)
        run: Run = getattr(client, action)(run_id)
        if as_json:
            emit_json(run)
        else:
            click.echo(run_view.run_headline(run))

    command.__doc__ = f"{summary}\n\n    \b\n    Example:\n      {example}\n    "
    decorated = run_options.json_option(org_options(run_options.run_id_argument(command)))
    return run_group.command(action)(decorated)


_transition_command(
    "pause",
    "Pause a run at the next step boundary.",
    "stepforce run pause a01xx0000012345AAA -o dev",
)
_transition_command(
    "resume",
    "Resume a paused run where it stopped.",
    "stepforce run resume a01xx0000012345AAA -o dev",
)
_transition_command(
    "cancel",
    "Cancel a queued, running or paused run (its queued job is aborted).",
    "stepforce run cancel a01xx0000012345AAA -o dev",
)


@run_group.command("retry")
@run_options.run_id_argument
@click.option("--from-step", metavar="STEP", help="Restart here instead of at the failed step.")
@click.option(
    "--latest",
    is_flag=True,
    help="Move the run to the latest deployed plan (default: the version it started with).",
)
@run_options.input_option
@org_options
@run_options.json_option
def retry_cmd(
    run_id: str,
    from_step: str | None,
    latest: bool,
    inputs: dict[str, Any],
    org: OrgOptions,
    as_json: bool,
) -> None:
    """Restart a failed or cancelled run, keeping earlier steps' outputs.

    \b
    Example:
      stepforce run retry a01xx0000012345AAA --from-step Fetch_Page --input pageSize=50 -o dev
      stepforce run retry a01xx0000012345AAA --latest -o dev

    With --latest it prints how the latest plan differs from the run's old version for the
    steps still to run (the runtime refuses the move, 400, when those steps bind inputs or
    step outputs the run does not have).
    """
    client = run_options.client(org, as_json)
    before = client.get_run(run_id).plan_version if latest and not as_json else None
    try:
        run = client.retry(run_id, from_step, inputs or None, latest=latest)
    except NotFoundError as error:
        if latest or "is not deployed" not in str(error):
            raise
        raise NotFoundError(
            f"{error}; the run's plan version was pruned: `stepforce run retry {run_id} "
            "--latest` moves it to the latest plan",
            status=error.status,
            error_code=error.error_code,
        ) from None
    if as_json:
        emit_json(run)
        return
    click.echo(run_view.run_headline(run))
    if latest:
        click.echo(run_view.version_move(before, run.plan_version))
        for line in run_view.plan_change_lines(client, before, run):
            click.echo(line)


COMMANDS.append(run_group)
