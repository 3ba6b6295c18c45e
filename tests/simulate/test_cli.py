from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from stepforce.cli.main import main
from stepforce.generator.plan_document import current_resource
from tests.conftest import REPO

SPEC = REPO / "tests" / "scenarios" / "specs" / "invoice_sync.yaml"
Run = Callable[..., tuple[int, str, str]]

PAGES = """
inputs: {since: 2026-11-01}
steps:
  Fetch_Page:
    - outputs: {cursor: "p2", fetched: 200, isDone: false}
    - error: "Callout timed out"
    - outputs: {cursor: null, fetched: 50, isDone: true}
  Post_Summary:
    - outputs: {posted: true}
"""


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def _run(*args: str) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as exit_info:
            main(list(args))
        out, err = capsys.readouterr()
        code = exit_info.value.code
        return (code if isinstance(code, int) else 1), out, err

    return _run


def test_a_successful_run_prints_each_attempt_and_exits_0(
    run: Run, write: Callable[..., Path]
) -> None:
    code, out, _ = run("simulate", str(SPEC), "--steps", str(write("f.yaml", PAGES)))
    assert code == 0
    assert "[t+0m] Fetch_Page iteration 2 attempt 1: Succeeded" not in out
    assert "[t+0m] Fetch_Page iteration 2 attempt 1: Failed" in out
    assert "    error: Callout timed out" in out
    assert "[t+1m] Fetch_Page iteration 2 attempt 2 after 1 min: Succeeded" in out
    assert '    inputs:  {"total": 50, "since": "2026-11-01"}' in out
    assert "Status: Succeeded after 1 simulated minutes" in out
    assert "Retry delays (minutes): 1" in out


def test_json_gives_the_trace_as_data(run: Run, write: Callable[..., Path]) -> None:
    code, out, _ = run("simulate", str(SPEC), "--steps", str(write("f.yaml", PAGES)), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["status"] == "Succeeded"
    assert data["delays"] == [1]
    attempts = [e for e in data["events"] if e["event"] == "attempt"]
    assert [(a["step"], a["iteration"], a["attempt"], a["status"]) for a in attempts] == [
        ("Fetch_Page", 1, 1, "Succeeded"),
        ("Fetch_Page", 2, 1, "Failed"),
        ("Fetch_Page", 2, 2, "Succeeded"),
        ("Post_Summary", 1, 1, "Succeeded"),
    ]
    assert data["context"]["steps"]["Fetch_Page"] == {"cursor": None, "fetched": 50, "isDone": True}


def test_a_failed_run_exits_1_naming_the_step(run: Run, write: Callable[..., Path]) -> None:
    fixtures = write(
        "f.yaml",
        "inputs: {since: 2026-11-01}\nsteps:\n"
        "  Fetch_Page:\n    - {outputs: {fetched: abc}, times: 4}\n",
    )
    code, out, err = run("simulate", str(SPEC), "--steps", str(fixtures))
    assert code == 1
    assert "Status: Failed" in out
    assert (
        "error: the simulated run failed at step Fetch_Page: Step Fetch_Page failed: "
        "Fetch_Page.outputs.fetched: expected Number, got Text 'abc'"
    ) in err


def test_a_failed_run_with_json_prints_one_document_and_exits_1(
    run: Run, write: Callable[..., Path]
) -> None:
    fixtures = write(
        "f.yaml",
        "inputs: {since: 2026-11-01}\nsteps:\n  Fetch_Page:\n    - {error: down, times: 4}\n",
    )
    code, out, _ = run("simulate", str(SPEC), "--steps", str(fixtures), "--json")
    assert code == 1
    assert json.loads(out)["error"] == "Step Fetch_Page failed: down"


def test_bad_fixtures_exit_2_with_file_and_line(run: Run, write: Callable[..., Path]) -> None:
    fixtures = write(
        "f.yaml", "inputs: {since: 2026-11-01}\nsteps:\n  Fetch_Page:\n    - outputs: {fetchd: 1}\n"
    )
    code, _, err = run("simulate", str(SPEC), "--steps", str(fixtures))
    assert code == 2
    assert f"{fixtures}:4:17: simulate: step 'Fetch_Page' declares no output 'fetchd'" in err


def test_a_bad_spec_exits_2_with_file_and_line(run: Run, write: Callable[..., Path]) -> None:
    spec = write(
        "bad.yaml",
        "orchestration: X\nsteps:\n  - name: A\n    apex: A\n    inputs: {x: $input.nope}\n",
    )
    code, _, err = run("simulate", str(spec), "--steps", str(write("f.yaml", "steps: {}\n")))
    assert code == 2
    assert f"{spec}:5:" in err


def test_pause_after_then_resume(run: Run, write: Callable[..., Path]) -> None:
    fixtures = str(write("f.yaml", PAGES))
    code, out, err = run("simulate", str(SPEC), "--steps", fixtures, "--pause-after", "Fetch_Page")
    assert code == 3  # not finished, as `run watch` says of a paused run
    assert "pause at Fetch_Page iteration 2 attempt 1 (at step boundary) -> Paused" in out
    assert "Status: Paused" in out
    assert "stayed paused at step Fetch_Page (add --resume to resume it)" in err
    code, out, _ = run(
        "simulate", str(SPEC), "--steps", fixtures, "--pause-after", "Fetch_Page", "--resume"
    )
    assert code == 0
    assert "resume at Fetch_Page iteration 2 attempt 1 -> Running" in out
    assert "Status: Succeeded" in out


def test_redrive_from_a_step_with_input_overrides(run: Run, write: Callable[..., Path]) -> None:
    fixtures = write(
        "f.yaml",
        """
inputs: {since: 2026-11-01}
steps:
  Fetch_Page:
    - outputs: {fetched: 1, isDone: true}
    - outputs: {fetched: 2, isDone: true}
  Post_Summary:
    - error: closed period
    - outputs: {posted: true}
""",
    )
    args = ["simulate", str(SPEC), "--steps", str(fixtures), "--redrive", "--json"]
    code, out, _ = run(*args, "--from-step", "Fetch_Page", "--input", "since=2026-10-01")
    assert code == 0
    data = json.loads(out)
    retry = next(e for e in data["events"] if e["event"] == "retry")
    assert (retry["step"], retry["inputs"]) == ("Fetch_Page", {"since": "2026-10-01"})
    assert data["context"]["inputs"]["since"] == "2026-10-01"
    assert data["events"][-1]["inputs"] == {"total": 2, "since": "2026-10-01"}


def test_redrive_options_need_redrive(run: Run, write: Callable[..., Path]) -> None:
    code, _, err = run(
        "simulate", str(SPEC), "--steps", str(write("f.yaml", PAGES)), "--from-step", "Post_Summary"
    )
    assert code == 2
    assert "--from-step and --input only apply with --redrive" in err


def test_redrive_of_a_succeeded_run_is_an_illegal_transition(
    run: Run, write: Callable[..., Path]
) -> None:
    code, _, err = run("simulate", str(SPEC), "--steps", str(write("f.yaml", PAGES)), "--redrive")
    assert code == 2
    assert "illegal transition: retry a Succeeded run" in err


def test_simulate_scenarios_reports_each_scenario(run: Run) -> None:
    scenarios = sorted(str(p) for p in (REPO / "tests" / "scenarios").glob("*.yaml"))
    code, out, _ = run("simulate-scenarios", *scenarios)
    assert code == 0
    assert "ok   happy_path" in out


def test_simulate_scenarios_fails_on_a_differing_trace(
    run: Run, write: Callable[..., Path]
) -> None:
    scenario = write(
        "s/wrong.yaml",
        f"""
spec: {SPEC}
fixtures:
  inputs: {{since: 2026-11-01}}
  steps:
    Fetch_Page: [{{outputs: {{fetched: 1, isDone: true}}}}]
    Post_Summary: [{{outputs: {{posted: true}}}}]
expect:
  status: Failed
""",
    )
    code, out, err = run("simulate-scenarios", str(scenario))
    assert code == 1
    assert "FAIL wrong" in out
    assert "status: expected Failed, got Succeeded" in out
    assert "1 scenario(s) differ: wrong" in err


def test_simulate_scenarios_emits_apex_tests_with_plans(run: Run, tmp_path: Path) -> None:
    scenario = str(REPO / "tests" / "scenarios" / "happy_path.yaml")
    out = tmp_path / "default"
    code, stdout, _ = run(
        "simulate-scenarios", scenario, "--emit-apex-tests", str(out), "--with-plans", "--json"
    )
    assert code == 0
    data = json.loads(stdout)
    assert data["scenarios"] == [{"name": "happy_path", "problems": []}]
    names = sorted(Path(p).name for p in data["apexFiles"] if p.endswith(".cls"))
    assert names == ["SfScn_Driver.cls", "SfScn_happy_path_Tests.cls"]  # no plan is Apex
    assert (out / "classes" / "SfScn_happy_path_Tests.cls").is_file()
    resources = sorted(Path(p).name for p in data["apexFiles"] if "staticresources" in p)
    assert f"{current_resource('Sim_Invoice_Sync')}.resource" in resources
    assert len(resources) == 4  # latest and pinned version, each with its metadata


def test_with_plans_needs_emit(run: Run) -> None:
    scenario = str(REPO / "tests" / "scenarios" / "happy_path.yaml")
    code, _, err = run("simulate-scenarios", scenario, "--with-plans")
    assert code == 2
    assert "--with-plans only applies with --emit-apex-tests" in err
