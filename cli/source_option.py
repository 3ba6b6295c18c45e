"""``--source DIR``: where the steps' Flows and Apex classes live (validate and generate)."""

from __future__ import annotations

from pathlib import Path

import click

source_option = click.option(
    "--source",
    "sources",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Where the step Flows/Apex classes live (repeatable). Default: the sfdx project "
    "the specs sit in, and a force-app folder next to them.",
)
