"""Issue 17 item 7: fixture problems come all at once, with the trace up to where they stopped
the simulation; a redrive of a repeating step says it restarts at iteration 1 with $self empty."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from stepforce.cli.main import main
from stepforce.errors import SpecError
from stepforce.generator.simulate.engine import Action, Control, FixtureProblemsError, simulate
from stepforce.generator.simulate.fixtures import load_fixtures
from stepforce.generator.simulate.trace import ControlEvent, render_lines
from stepforce.generator.spec import load_spec
from tests.conftest import REPO

SPEC = REPO / "tests" / "scenarios" / "specs" / "invoice_sync.yaml"
SHORT = """\
inputs: {since: 2026-11-01}
steps:
  Fetch_Page:
    - {outputs: {cursor: "p2", fetched: 2, isDone: false}, attempt: 2}
    - error: "Callout timed out"
"""


def test_an_exhausted_list_keeps_the_trace_so_far_and_every_problem(
    write: Callable[[str, str], Path],
) -> None:
    fixtures = load_fixtures(write("f.yaml", SHORT))
    with pytest.raises(FixtureProblemsError) as raised:
        simulate(load_spec(SPEC), fixtures)
    problems = [d.message for d in raised.value.diagnostics]
    assert problems == [
        "result 1 of step 'Fetch_Page' is marked for iteration * attempt 2, but the engine "
        "used it for iteration 1 attempt 1",
        "fixtures for step 'Fetch_Page' are exhausted: 2 result(s) given, the engine needs one "
        "more for iteration 2 attempt 2",
    ]
    attempts = raised.value.trace.attempts
    assert [(a.iteration, a.attempt, a.status.value, a.error) for a in attempts] == [
        (1, 1, "Succeeded", None),
        (2, 1, "Failed", "Callout timed out"),
    ]


def test_the_cli_prints_the_partial_trace_then_the_problems(
    write: Callable[[str, str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write("f.yaml", SHORT)
    with pytest.raises(SystemExit) as done:
        main(["simulate", str(SPEC), "--steps", str(path)])
    assert done.value.code == 2
    out, err = capsys.readouterr()
    assert out.startswith("Trace up to the fixture problem:\n")
    assert "Fetch_Page iteration 2 attempt 1: Failed" in out
    assert "    error: Callout timed out" in out
    assert "are exhausted" in err
    assert "marked for iteration * attempt 2" in err
    with pytest.raises(SystemExit) as done:
        main(["simulate", str(SPEC), "--steps", str(path), "--json"])
    assert done.value.code == 2
    data = json.loads(capsys.readouterr().out)
    assert len(data["problems"]) == 2
    assert [e["status"] for e in data["events"] if e["event"] == "attempt"] == [
        "Succeeded",
        "Failed",
    ]


def test_malformed_entries_of_several_steps_are_reported_together(
    write: Callable[[str, str], Path],
) -> None:
    bad = "steps:\n  A: [{outputs: {}, error: x}, {nope: 1}]\n  B: [{limit: ''}]\n"
    with pytest.raises(SpecError) as raised:
        load_fixtures(write("bad.yaml", bad))
    assert [d.location.line for d in raised.value.diagnostics] == [2, 2, 3]


def test_a_redrive_of_a_repeating_step_says_self_is_empty_again(
    write: Callable[[str, str], Path],
) -> None:
    fixtures = load_fixtures(
        write(
            "f.yaml",
            "inputs: {since: 2026-11-01}\nsteps:\n  Fetch_Page:\n"
            "    - outputs: {cursor: p2, fetched: 1, isDone: false}\n"
            "    - {error: boom, times: 4}\n"
            "    - outputs: {cursor: null, fetched: 1, isDone: true}\n"
            "  Post_Summary: [{outputs: {posted: true}}]\n",
        )
    )
    trace = simulate(load_spec(SPEC), fixtures, [Control(Action.RETRY)])
    (retry,) = [e for e in trace.events if isinstance(e, ControlEvent) and e.action == "retry"]
    assert "restarts at iteration 1, where $self is empty (null)" in retry.detail
    assert trace.attempts[-2].inputs == {"since": "2026-11-01", "pageSize": 200, "cursor": None}
    assert any("$self is empty" in line for line in render_lines(trace))
