"""Spec mistakes a new user makes: a reference without its ``$``, a type spelled the Apex way,
and Flow/Apex mismatches that only ``generate`` used to find."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from stepforce.diagnostics import Severity
from tests.conftest import EXAMPLES
from tests.spec.support import problems, run_cli

STEPS = """\
orchestration: Mistakes
inputs:
  count: {type: Number}
steps:
  - name: Fetch
    apex: Pager
    inputs: {cursor: self.cursor}
    outputs: {scores: Number, cursor: Text, done: Boolean}
    repeat: {until: done, max_iterations: 5}
  - name: Post
    flow: Post_It
    inputs: {INPUTS}
"""


def warnings_of(inputs: str) -> list[str]:
    found = problems(STEPS.replace("{INPUTS}", inputs))
    assert not [d for d in found if d.is_error], found
    return [
        f"{d.location.line}:{d.location.col} {d.path}: {d.message}"
        for d in found
        if d.severity is Severity.WARNING
    ]


def test_a_reference_written_without_its_dollar_gets_a_warning_naming_the_reference() -> None:
    assert warnings_of("{x: steps.Fetch.scores, y: input.count}") == [
        "7:22 steps[0].inputs.cursor: 'self.cursor' is read as text; did you mean "
        "$self.cursor? (quote it to keep it as text)",
        "12:17 steps[1].inputs.x: 'steps.Fetch.scores' is read as text; did you mean "
        "$steps.Fetch.scores? (quote it to keep it as text)",
        "12:40 steps[1].inputs.y: 'input.count' is read as text; did you mean $input.count? "
        "(quote it to keep it as text)",
    ]


def test_a_nearly_resolving_reference_warns_with_the_checks_hint() -> None:
    (_, warning) = warnings_of("{x: steps.Fetch.score}")
    assert warning.endswith(
        "'steps.Fetch.score' is read as text; as a reference, $steps.Fetch.score: step 'Fetch' "
        "has no output 'score' (did you mean 'scores'?); quote it to keep it as text"
    )


@pytest.mark.parametrize(
    "inputs",
    [
        "{x: 'steps.Fetch.scores'}",  # quoted: text on purpose
        "{x: steps.Nowhere.thing}",  # would not resolve: ordinary text
        "{x: self.cursor}",  # $self is only for repeating steps
        "{x: input.count.more}",
        "{x: see input.count}",
    ],
)
def test_text_that_would_not_resolve_or_is_quoted_gets_no_reference_warning(inputs: str) -> None:
    assert warnings_of(inputs) == [warnings_of("{x: 1}")[0]]


def test_warnings_do_not_change_the_exit_code(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(STEPS.replace("{INPUTS}", "{x: steps.Fetch.scores}"))
    code, out, err = run_cli("validate", str(spec), "--no-sources")
    assert (code, out) == (0, f"ok: {spec} (2 steps)\n")
    assert "did you mean $steps.Fetch.scores?" in err


BAD_TYPES = """\
orchestration: Bad_Types
inputs:
  count: {type: Integer}
  size: Long
  names: List<String>
steps:
  - name: Fetch
    apex: Pager
    inputs: {c: $input.count, s: $input.size, n: $input.names, again: $self.scores}
    outputs: {scores: Integer, done: Bool}
    repeat: {until: done}
  - name: Post
    flow: Post_It
    inputs: {x: $steps.Fetch.scores}
schedule: {cron: "0 0 2 * * ?", inputs: {count: 3}}
"""


def test_an_apex_type_name_suggests_the_spec_type_without_follow_on_errors() -> None:
    found = problems(BAD_TYPES)
    assert [f"{d.path}: {d.message}" for d in found] == [
        "inputs.count.type: unknown type 'Integer' (did you mean 'Number'?)",
        "inputs.size: unknown type 'Long' (did you mean 'Number'?)",
        "inputs.names: unknown type 'List<String>' (did you mean 'List<Text>'?)",
        "steps[0].outputs.scores: unknown type 'Integer' (did you mean 'Number'?)",
        "steps[0].outputs.done: unknown type 'Bool' (did you mean 'Boolean'?)",
    ]


def _examples_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "examples"
    shutil.copytree(EXAMPLES, copy)
    spec = copy / "invoice_sync.yaml"
    text = spec.read_text()
    spec.write_text(text.replace("      totalFetched: $steps", "      totalFetchd: $steps", 1))
    return spec


def test_validate_runs_generates_flow_and_apex_cross_checks_when_the_sources_are_there(
    tmp_path: Path,
) -> None:
    spec = _examples_copy(tmp_path)
    code, out, err = run_cli("validate", str(spec))
    assert code == 2, err
    assert out == ""
    assert (
        "generate/sources: steps[1].inputs.totalFetchd: Flow Post_Invoice_Summary has no "
        "variable 'totalFetchd' for this input" in err
    )
    code, out, _ = run_cli("validate", str(spec), "--json")
    assert code == 2
    report = json.loads(out)
    assert report["files"] == []
    assert [p["source"] for p in report["problems"]] == ["generate/sources"]


def test_validate_no_sources_checks_the_spec_alone(tmp_path: Path) -> None:
    spec = _examples_copy(tmp_path)
    assert run_cli("validate", str(spec), "--no-sources")[0] == 0
    other = tmp_path / "elsewhere"
    other.mkdir()
    # --source elsewhere: the Flow is not there, so a warning, as generate gives.
    code, _, err = run_cli("validate", str(spec), "--source", str(other))
    assert code == 0
    assert "Flow Post_Invoice_Summary was not found in" in err
