"""Run inputs from the command line: ``--input NAME=VALUE`` pairs and ``--inputs-file``.

One typing rule for every ``--input`` (``run start``, ``run retry``, ``schedule``,
``simulate --redrive`` and the CumulusCI task's ``name:value`` pairs): VALUE is JSON when it
parses as a JSON ``true``/``false``/``null``, ``"quoted text"``, list or object; anything
else, numbers included, is the text exactly as written (``200``, ``00501``, ``1:30``, ``0x1F``,
``yes``, ``2026-11-01``). The engine converts text to the input's declared type
(docs/engine.md, *Coercion rules*: a Number input reads numeric text exactly, a Text input
accepts only text), so ``00501`` is 501 for a Number input and ``"00501"`` for a Text one, and
no digit is lost to a double.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from stepforce.diagnostics import Diagnostic, Location
from stepforce.errors import SpecError
from stepforce.generator.simulate.yamlsrc import load_yaml


def _no_constants(name: str) -> Any:
    raise ValueError(name)


def parse_value(text: str) -> Any:
    """JSON when it parses as anything but a bare number, else the text itself; numbers inside
    a JSON list or object are kept exact (int or Decimal)."""
    try:
        value = json.loads(text, parse_float=Decimal, parse_constant=_no_constants)
    except (ValueError, RecursionError):
        return text
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return text  # as written: the engine reads numeric text into a Number exactly
    return value


def parse_inputs(
    ctx: click.Context, param: click.Parameter, pairs: tuple[str, ...]
) -> dict[str, Any]:
    """click callback: KEY=VALUE pairs to a dict of JSON-ready values (see :func:`as_json`)."""
    values: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", ctx=ctx, param=param)
        values[key.strip()] = as_json(parse_value(raw))
    return values


def read_inputs_file(path: Path | None) -> dict[str, Any]:
    """A JSON (``.json``) or YAML mapping of input names to values; SpecError (exit 2, with
    file:line:col) when it cannot be read. YAML is read like a spec (YAML 1.2 core scalars,
    ambiguous numbers and impossible dates refused)."""
    if path is None:
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise _problem(Location(str(path)), f"cannot read the inputs file: {error}") from None
    if path.suffix == ".json":
        data = _json_file(text, str(path))
    else:
        node = load_yaml(text, str(path))
        if node.value is None:
            return {}
        if not node.is_map:
            raise _problem(node.location, "inputs must be a mapping of name to value")
        data = node.plain()
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise _problem(Location(str(path)), "inputs must be a mapping of name to value")
    return {str(k): as_json(v) for k, v in data.items()}


def _json_file(text: str, file: str) -> Any:
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_no_constants)
    except json.JSONDecodeError as error:
        where = Location(file, error.lineno, error.colno)
        raise _problem(where, f"invalid JSON: {error.msg}") from None
    except (ValueError, RecursionError) as error:
        raise _problem(Location(file), f"invalid JSON: {error}") from None


def _problem(where: Location, message: str) -> SpecError:
    return SpecError([Diagnostic(where, message, source="inputs")], f"{where}: {message}")


def as_json(value: Any) -> Any:
    """A value the REST body can carry exactly: dates as ISO text; a Decimal as a JSON number
    when a double holds it exactly, else as its digits in text (the engine converts numeric
    text to a Number input without loss, while a double would round 12345678901234567.89)."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        if value == value.to_integral_value() and "E" not in str(value) and "." not in str(value):
            return int(value)
        as_float = float(value)
        return as_float if Decimal(repr(as_float)) == value else format(value, "f")
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    return value
