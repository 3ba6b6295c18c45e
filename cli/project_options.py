"""Arguments and options shared by the commands that deploy a project or run its Apex tests."""

from __future__ import annotations

from pathlib import Path

import click

#: ``[DIR]``: the sfdx project to deploy or take the tests of (default: here).
project_dir_argument = click.argument(
    "project_dir",
    metavar="[DIR]",
    default=".",
    type=click.Path(file_okay=False, path_type=Path),
)

#: ``--junit FILE``: the Apex test results as JUnit XML.
junit_option = click.option(
    "--junit",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the Apex test results as JUnit XML to this file.",
)
