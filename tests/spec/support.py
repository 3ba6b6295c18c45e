"""Helpers for the spec tests: load text, collect messages."""

from __future__ import annotations

import textwrap

import pytest
from click.testing import CliRunner

from stepforce.cli.main import main
from stepforce.diagnostics import Diagnostic
from stepforce.errors import SpecError
from stepforce.generator.spec import check_text, load_spec_text
from stepforce.generator.spec.model import Orchestration

MINIMAL = """\
orchestration: Demo
inputs:
  since: {type: Date, required: true}
  size: {type: Number, default: 10}
steps:
  - name: First
    apex: FirstStep
    inputs: {since: $input.since}
    outputs: {cursor: Text, count: Number, done: Boolean, ids: List<Id>, at: DateTime}
  - name: Second
    flow: Second_Flow
    inputs: {total: $steps.First.count}
"""


def load(text: str) -> Orchestration:
    return load_spec_text(textwrap.dedent(text), "spec.yaml")


def problems(text: str) -> list[Diagnostic]:
    """Every diagnostic (errors and warnings) of ``text``."""
    _, diagnostics = check_text(textwrap.dedent(text), "spec.yaml")
    return diagnostics


def errors(text: str) -> list[str]:
    """``path: message`` of each error; asserts the spec does not load."""
    with pytest.raises(SpecError) as caught:
        load(text)
    return [f"{d.path}: {d.message}" for d in caught.value.diagnostics if d.is_error]


def one_error(text: str) -> Diagnostic:
    found = [d for d in problems(text) if d.is_error]
    assert len(found) == 1, "\n".join(str(d) for d in found)
    return found[0]


def with_step(step_yaml: str, extra: str = "") -> str:
    """MINIMAL plus a third step (indented YAML of one list item) and extra top-level keys."""
    step = textwrap.indent(textwrap.dedent(step_yaml).strip(), "    ")
    return MINIMAL + "  - " + step.lstrip() + "\n" + textwrap.dedent(extra)


def run_cli(*args: str) -> tuple[int, str, str]:
    """``stepforce ARGS`` through ``main()`` (where errors become exit codes), captured with
    click's CliRunner isolation: (exit code, stdout, stderr). Works inside hypothesis tests,
    where the function-scoped capsys fixture cannot be used."""
    with CliRunner().isolation() as (out, err, _):
        try:
            main(list(args))
            code: object = 0
        except SystemExit as exit_:
            code = exit_.code
    return (code if isinstance(code, int) else 1), out.getvalue().decode(), err.getvalue().decode()
