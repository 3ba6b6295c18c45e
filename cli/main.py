"""Entry point: the ``stepforce`` group, and the one place errors become exit codes."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

import click

from stepforce import __version__
from stepforce.cli import (
    check_cmd,
    deploy_cmd,
    generate_cmd,
    run_cmds,
    simulate_cmd,
    spec_cmds,
)
from stepforce.cli.output import emit_json
from stepforce.errors import SpecError, StepforceError

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


for _module in (spec_cmds, generate_cmd, check_cmd, deploy_cmd, run_cmds, simulate_cmd):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def _error_log_path() -> Path:
    return Path.home() / ".cache" / "stepforce" / "last-error.log"


def _report_unexpected(error: BaseException) -> Path | None:
    """Keep the traceback of an unexpected error in a log file instead of on screen."""
    path = _error_log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(traceback.format_exception(error)), encoding="utf-8")
    except OSError:
        return None
    return path


def _error_report(kind: str, message: str) -> dict[str, object]:
    return {"error": {"type": kind, "message": message}}


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI and exit with stepforce's codes: 0 ok, 1 failure, 2 usage, 3 still running."""
    args = list(sys.argv[1:] if argv is None else argv)
    wants_json = "--json" in args
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
            emit_json(_error_report("UsageError", error.format_message()))
        else:
            error.show()
        sys.exit(2 if error.exit_code == 2 else error.exit_code)
    except StepforceError as error:
        if wants_json:
            payload = _error_report(type(error).__name__, (str(error).splitlines() or [""])[0])
            if isinstance(error, SpecError):
                payload["problems"] = [d.to_json() for d in error.diagnostics]
            emit_json(payload)
        else:
            click.echo(f"error: {error}", err=True)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except Exception as error:  # the last line of defence: never a traceback on screen
        log = _report_unexpected(error)
        where = f" (traceback in {log})" if log else ""
        click.echo(f"internal error: {type(error).__name__}: {error}{where}", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
