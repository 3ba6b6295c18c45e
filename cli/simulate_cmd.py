"""``stepforce simulate`` and ``stepforce simulate-scenarios``: the engine, run in Python."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from stepforce.cli.output import emit_json
from stepforce.cli.run_inputs import parse_value
from stepforce.diagnostics import Location
from stepforce.errors import RunFailedError, StillRunningError, UsageError
from stepforce.generator.simulate.apex_scenarios import write_apex_tests
from stepforce.generator.simulate.controls import Action, Control, FixtureProblemsError
from stepforce.generator.simulate.engine import simulate
from stepforce.generator.simulate.fixtures import load_fixtures
from stepforce.generator.simulate.scenarios import Scenario, load_scenario
from stepforce.generator.simulate.trace import RunStatus, Trace, render_lines
from stepforce.generator.spec import load_spec

COMMANDS: list[click.Command] = []

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _parse_input(text: str) -> tuple[str, Any]:
    """``name=value`` typed as ``run retry --input`` types it (cli/run_inputs.py);
    prepareInputs then converts it, as in the org."""
    name, sep, raw = text.partition("=")
    if not sep or not name.strip():
        raise click.BadParameter(f"'{text}' is not name=value", param_hint="--input")
    return name.strip(), parse_value(raw)


def _controls(
    pause_after: str | None,
    resume: bool,
    redrive: bool,
    from_step: str | None,
    inputs: tuple[str, ...],
) -> list[Control]:
    if (from_step or inputs) and not redrive:
        raise UsageError("--from-step and --input only apply with --redrive")
    if resume and not pause_after:
        raise UsageError("--resume only applies with --pause-after")
    controls: list[Control] = []
    if pause_after:
        controls.append(Control(Action.PAUSE, step=pause_after))
        if resume:
            controls.append(Control(Action.RESUME))
    if redrive:
        overrides = dict(_parse_input(item) for item in inputs)
        where = Location("--input")  # what prepareInputs refuses is named by this option
        controls.append(
            Control(Action.RETRY, from_step=from_step, inputs=overrides, location=where)
        )
    return controls


def _finish(trace: Trace, as_json: bool) -> None:
    if as_json:
        emit_json(trace.to_json())
    else:
        for line in render_lines(trace):
            click.echo(line)
    if trace.status is RunStatus.PAUSED:
        # Not finished, as `stepforce run watch` says of a paused run: exit 3.
        if as_json:
            raise click.exceptions.Exit(StillRunningError.exit_code)
        raise StillRunningError(
            f"the simulated run stayed paused at step {trace.current_step} "
            "(add --resume to resume it)"
        )
    if trace.status not in (RunStatus.FAILED, RunStatus.CANCELLED):
        return
    if as_json:  # one JSON document on stdout: the trace already says why
        raise click.exceptions.Exit(RunFailedError.exit_code)
    what = "failed" if trace.status is RunStatus.FAILED else "was cancelled"
    reason = f": {trace.error}" if trace.error else ""
    raise RunFailedError(f"the simulated run {what} at step {trace.current_step}{reason}")


@click.command("simulate")
@click.argument("spec", type=_FILE)
@click.option("--steps", "fixtures", type=_FILE, required=True, help="FIXTURES YAML file.")
@click.option("--pause-after", metavar="STEP", help="Request a pause while STEP runs.")
@click.option("--resume", is_flag=True, help="Resume after the --pause-after pause.")
@click.option("--redrive", is_flag=True, help="Retry the run if it fails or is cancelled.")
@click.option("--from-step", metavar="STEP", help="With --redrive: restart from STEP.")
@click.option(
    "--input",
    "inputs",
    multiple=True,
    metavar="NAME=VALUE",
    help="Redrive override, typed as `run retry --input` types it (text as written unless JSON "
    'true/false/null, "text", [list] or {object}).',
)
@click.option("--json", "as_json", is_flag=True, help="Print the trace as JSON.")
def simulate_command(
    spec: Path,
    fixtures: Path,
    pause_after: str | None,
    resume: bool,
    redrive: bool,
    from_step: str | None,
    inputs: tuple[str, ...],
    as_json: bool,
) -> None:
    """Run an orchestration in Python with the engine's exact rules.

    FIXTURES says what each step attempt returns (outputs, an error, or an uncatchable
    limit failure), in order. Prints every attempt with its resolved inputs, outputs,
    iteration, attempt and simulated retry delay, then the final status and context.
    Exit 0 when the run succeeds, 1 when it fails or is cancelled, 3 when it stays paused,
    2 for a bad spec or fixtures (with file:line).

    \b
    Example:
      stepforce simulate orchestrations/invoice_sync.yaml --steps fixtures/paging.yaml
      stepforce simulate sync.yaml --steps f.yaml --pause-after Fetch_Page --resume
      stepforce simulate sync.yaml --steps f.yaml --redrive --from-step Fetch_Page \\
          --input since=2026-10-01 --json
    """
    orchestration = load_spec(spec)
    controls = _controls(pause_after, resume, redrive, from_step, inputs)
    try:
        trace = simulate(orchestration, load_fixtures(fixtures), controls)
    except FixtureProblemsError as error:
        _show_partial(error, as_json)
        raise
    _finish(trace, as_json)


def _show_partial(error: FixtureProblemsError, as_json: bool) -> None:
    """The trace up to where the fixtures stopped the simulation: which attempt needed what.
    With --json it is one document (trace and problems) and the exit code is 2."""
    if as_json:
        emit_json(
            {
                **error.trace.to_json(),
                "error": {"type": type(error).__name__, "message": str(error).splitlines()[0]},
                "problems": [d.to_json() for d in error.diagnostics],
            }
        )
        raise click.exceptions.Exit(error.exit_code)
    click.echo("Trace up to the fixture problem:")
    for line in render_lines(error.trace):
        click.echo(line)


@click.command("simulate-scenarios")
@click.argument("scenarios", type=_FILE, nargs=-1, required=True)
@click.option(
    "--emit-apex-tests",
    "apex_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write Apex test classes that drive the real engine through these scenarios.",
)
@click.option(
    "--with-plans",
    is_flag=True,
    help="With --emit-apex-tests: also write the scenarios' plan documents (staticresources/).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def simulate_scenarios_command(
    scenarios: tuple[Path, ...], apex_dir: Path | None, with_plans: bool, as_json: bool
) -> None:
    """Check scenario files against the simulator; optionally emit them as Apex tests.

    A scenario is a spec, fixtures, control actions and the expected trace. Every
    scenario is run through the simulator and compared; --emit-apex-tests DIR writes
    Apex test classes (under DIR/classes) holding the Apex engine to the same traces;
    they need the runtime and the scenarios' plans in the same project (`stepforce
    generate` of the specs, or --with-plans). Exit 1 when a scenario's trace differs.

    \b
    Example:
      stepforce simulate-scenarios tests/scenarios/*.yaml
      stepforce generate tests/scenarios/specs/*.yaml --out force-app-generated
      stepforce simulate-scenarios tests/scenarios/*.yaml \\
          --emit-apex-tests force-app-generated/force-app/main/default
    """
    loaded: list[Scenario] = [load_scenario(path) for path in scenarios]
    results = {scenario.name: scenario.check() for scenario in loaded}
    if with_plans and apex_dir is None:
        raise UsageError("--with-plans only applies with --emit-apex-tests")
    written: list[Path] = []
    if apex_dir is not None:
        written = write_apex_tests(apex_dir, loaded, include_plans=with_plans)
    failed = [name for name, problems in results.items() if problems]
    if as_json:
        emit_json(
            {
                "scenarios": [{"name": n, "problems": p} for n, p in results.items()],
                "apexFiles": [str(path) for path in written],
            }
        )
    else:
        for name, problems in results.items():
            click.echo(f"{'FAIL' if problems else 'ok  '} {name}")
            for item in problems:
                click.echo(f"       {item}")
        for path in written:
            click.echo(f"wrote {path}")
    if failed:
        if as_json:
            raise click.exceptions.Exit(RunFailedError.exit_code)
        raise RunFailedError(f"{len(failed)} scenario(s) differ: {', '.join(failed)}")


COMMANDS.extend([simulate_command, simulate_scenarios_command])
