"""Entry point: the ``stepforce`` group, and the one place errors become exit codes."""

from __future__ import annotations

import io
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

import click

from stepforce import __version__
from stepforce.cli import (
    check_cmd,
    deploy_cmd,
    doctor_cmd,
    generate_cmd,
    plans_cmd,
    run_cmds,
    schedule_cmds,
    simulate_cmd,
    spec_cmds,
    test_cmd,
)
from stepforce.cli.output import emit_json, show_client_notes
from stepforce.errors import SpecError, StepforceError
from stepforce.runtime_client.redact import command_line_secrets, scrub

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="stepforce")
def cli() -> None:
    """stepforce: long, heavy Salesforce processes as orchestration specs.

    Write a spec (YAML), then validate it, generate Salesforce metadata (a Queueable
    engine where every step gets fresh governor limits), check it offline, deploy it and
    control runs from here.

    \b
    Example:
      stepforce validate orchestrations/*.yaml
      stepforce generate orchestrations/*.yaml --out force-app-generated
      stepforce check force-app-generated
      stepforce run start Invoice_Sync --input since=2026-11-01 -o my-scratch --wait
    """


for _module in (
    spec_cmds,
    generate_cmd,
    check_cmd,
    deploy_cmd,
    test_cmd,
    run_cmds,
    schedule_cmds,
    plans_cmd,
    simulate_cmd,
    doctor_cmd,
):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def _error_log_path() -> Path:
    return Path.home() / ".cache" / "stepforce" / "last-error.log"


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` readable by the owner only (0600), also when the file already exists;
    a symlink planted at ``path`` is refused rather than followed."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as stream:
        os.fchmod(stream.fileno(), 0o600)
        stream.write(text)


def _report_unexpected(error: BaseException, secrets: list[str]) -> Path | None:
    """Keep the (token-free) traceback of an unexpected error in a log file, not on screen."""
    path = _error_log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_private(path, scrub("".join(traceback.format_exception(error)), secrets))
    except OSError:
        return None
    return path


def _error_report(kind: str, message: str) -> dict[str, object]:
    return {"error": {"type": kind, "message": message}}


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI and exit with stepforce's codes: 0 ok, 1 failure, 2 usage, 3 still running."""
    args = list(sys.argv[1:] if argv is None else argv)
    wants_json = "--json" in args
    secrets = command_line_secrets(args, os.environ)
    show_client_notes()
    try:
        # Without standalone mode click *returns* the code of a click.exceptions.Exit a command
        # raised (e.g. after printing its JSON report) instead of raising it.
        code = cli.main(args=args, prog_name="stepforce", standalone_mode=False)
    except click.exceptions.Exit as exit_:
        sys.exit(exit_.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as error:
        if wants_json:  # the report shape of StepforceError below, on stdout
            emit_json(_error_report("UsageError", scrub(error.format_message(), secrets)))
        else:
            shown = io.StringIO()  # a misplaced token can be echoed as an "unexpected argument"
            error.show(file=shown)
            click.echo(scrub(shown.getvalue(), secrets), err=True, nl=False)
        sys.exit(2 if error.exit_code == 2 else error.exit_code)
    except StepforceError as error:
        if wants_json:
            message = (scrub(str(error), secrets).splitlines() or [""])[0]
            payload = _error_report(type(error).__name__, message)
            if isinstance(error, SpecError):
                payload["problems"] = [d.to_json() for d in error.diagnostics]
            emit_json(payload)
        else:
            click.echo(f"error: {scrub(str(error), secrets)}", err=True)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except Exception as error:  # the last line of defence: never a traceback on screen
        log = _report_unexpected(error, secrets)
        where = f" (traceback in {log})" if log else ""
        said = scrub(f"{type(error).__name__}: {error}", secrets)
        if wants_json:  # a script reading stdout still gets the report shape
            emit_json(_error_report("InternalError", said))
        click.echo(f"internal error: {said}{where}", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
