"""Printing for commands: JSON for machines, text for people. Only the CLI prints."""

from __future__ import annotations

import datetime as dt
import logging
import sys
from enum import Enum
from pathlib import Path
from typing import Any

import click

from stepforce import exact_json
from stepforce.diagnostics import Diagnostic


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    to_json = getattr(value, "to_json", None)
    if callable(to_json):
        return to_json()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def to_json_text(data: Any) -> str:
    # Decimals keep their exact digits (12345678901234567.89 stays so; a float would not).
    return exact_json.dumps(data, indent=2, default=_default)


def emit_json(data: Any) -> None:
    """Write ``data`` as JSON to stdout (one document per command)."""
    click.echo(to_json_text(data))


def echo_err(message: str) -> None:
    click.echo(message, err=True)


def print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    """One line per diagnostic, ``file:line:col: source: path: message``, on stderr."""
    for diagnostic in diagnostics:
        click.echo(str(diagnostic), err=True)


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


class _StderrHandler(logging.Handler):
    """Shows the client's notes (retries) on the current stderr, looked up at each message so
    click's test runner, which swaps the streams, sees them too."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"{record.levelname.lower()}: {record.getMessage()}", err=True)


def show_client_notes() -> None:
    """Route the runtime client's log (retry announcements) to stderr, once per process."""
    logger = logging.getLogger("stepforce.runtime_client")
    if not any(isinstance(handler, _StderrHandler) for handler in logger.handlers):
        logger.addHandler(_StderrHandler(logging.INFO))
        logger.setLevel(logging.INFO)
