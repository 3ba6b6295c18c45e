"""Run inputs from the command line: ``--input k=v`` pairs and ``--inputs-file``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import click
import yaml


def _no_constants(name: str) -> Any:
    raise ValueError(name)


def parse_value(text: str) -> Any:
    """JSON when it parses (numbers, true/false, null, lists, objects), else the text itself."""
    try:
        return json.loads(text, parse_constant=_no_constants)
    except ValueError:
        return text


def parse_inputs(
    ctx: click.Context, param: click.Parameter, pairs: tuple[str, ...]
) -> dict[str, Any]:
    """click callback: KEY=VALUE pairs to a dict; a pair without ``=`` is a BadParameter."""
    values: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", ctx=ctx, param=param)
        values[key.strip()] = parse_value(raw)
    return values


def read_inputs_file(path: Path | None) -> dict[str, Any]:
    """A JSON (``.json``) or YAML mapping of input names to values."""
    if path is None:
        return {}
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        raise click.BadParameter(f"{path}: not valid JSON/YAML: {error}") from error
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise click.BadParameter(f"{path}: inputs must be a mapping of name to value")
    return {str(k): _plain(v) for k, v in data.items()}


def _plain(value: Any) -> Any:
    """YAML reads ``2026-11-01`` as a date; inputs travel as JSON, so dates become ISO text."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value
