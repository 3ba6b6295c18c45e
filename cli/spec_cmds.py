"""Commands of this module are registered in main.py through COMMANDS."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
