"""What the run, schedule and plans commands share: the org client they call
(:func:`client`, which tests give a simulated clock through :data:`clock_factory`) and the
options and arguments several of them take (``--json``, ``--input``, ``--inputs-file``,
``--timeout``, ``RUN_ID``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from stepforce.cli import run_view
from stepforce.cli.run_inputs import parse_inputs
from stepforce.runtime_client.auth import OrgOptions, resolve_org
from stepforce.runtime_client.client import StepforceClient
from stepforce.runtime_client.watch import Clock, SystemClock

# Tests replace this to watch in simulated time.
clock_factory: Callable[[], Clock] = SystemClock


def client(org: OrgOptions, as_json: bool) -> StepforceClient:
    """The client of the org ``org`` names; says which org on stderr unless ``as_json``."""
    connection = resolve_org(org)
    if not as_json:
        run_view.stderr_note(
            f"Org {connection.instance_url} (API {connection.api_version}). {connection.source}"
        )
    return StepforceClient(connection, clock=clock_factory())


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
input_option = click.option(
    "--input",
    "inputs",
    multiple=True,
    metavar="KEY=VALUE",
    callback=parse_inputs,
    help='An input value: JSON true/false/null, "text", [list] or {object}; anything else '
    "(200, 00501, 2026-11-01) is text as written, which the engine converts to the input's "
    "type. Repeatable.",
)
inputs_file_option = click.option(
    "--inputs-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Inputs as a JSON or YAML mapping; --input values win.",
)
timeout_option = click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    metavar="MIN",
    help="Stop waiting after MIN minutes (exit 3; the run goes on).",
)
run_id_argument = click.argument("run_id", metavar="RUN_ID")
