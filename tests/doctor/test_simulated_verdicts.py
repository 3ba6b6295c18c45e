"""The simulator predicts the doctor's verdicts: each probe orchestration, run by
``simulate`` with its fixture (what a healthy org's steps return), passes the probe's judge;
and what a broken platform would show fails it."""

from __future__ import annotations

from typing import Any

import pytest

from stepforce.runtime_client.doctor.package import doctor_root, probe_specs
from stepforce.runtime_client.doctor.probes import PROBES, Observed, probe_named
from stepforce.runtime_client.models import Run

from .fake_doctor_org import _CONTROLS
from .predicted import USER, run_json, trace_of

SIMULATED = ("limits", "callout", "retry", "uncatchable", "depth", "flow", "spill")


def _run(orchestration: str, controls: str = "") -> dict[str, Any]:
    return run_json(trace_of(orchestration, _CONTROLS.get(controls, ())), "a01SIMULATED000001")


def _verdict(probe: str, runs: dict[str, dict[str, Any]], **facts: Any) -> list[str]:
    seen = Observed(USER, {k: Run.from_json(v) for k, v in runs.items()}, dict(facts))
    problems, _figure = probe_named(probe).judge(seen)
    return problems


def test_it_should_ship_a_fixture_for_every_probe_orchestration() -> None:
    names = {spec.stem for spec in probe_specs()}
    fixtures = {path.stem for path in (doctor_root() / "fixtures").glob("*.yaml")}
    assert names == fixtures
    assert {p.orchestration for p in PROBES if p.orchestration} == names


@pytest.mark.parametrize("probe", SIMULATED)
def test_it_should_predict_a_pass_when_the_org_behaves_as_documented(probe: str) -> None:
    orchestration = probe_named(probe).orchestration
    assert orchestration is not None
    assert _verdict(probe, {"run": _run(orchestration)}) == []


def test_it_should_predict_a_pass_of_the_control_probe_through_pause_resume_retry() -> None:
    runs = {"run": _run("Stepforce_Probe_Control", "retry")}
    runs["cancelled"] = _run("Stepforce_Probe_Control", "cancel")
    statuses = {
        moment: _run("Stepforce_Probe_Control", action)["status"]
        for moment, action in (("paused", "pause"), ("resumed", "resume"), ("retried", "retry"))
    }
    assert statuses == {"paused": "Paused", "resumed": "Failed", "retried": "Succeeded"}
    assert _verdict("control", runs, statuses=statuses) == []


def test_it_should_fail_the_retry_probe_when_a_failed_attempt_left_its_file() -> None:
    run = _run("Stepforce_Probe_Retry")
    run["steps"][1]["outputs"]["leftover"] = 1
    assert _verdict("retry", {"run": run}) == [
        "First_Fails_Once: 1 probe file(s) of the failed attempt remained"
    ]


def test_it_should_fail_the_depth_probe_when_a_step_ran_as_another_user() -> None:
    run = _run("Stepforce_Probe_Depth")
    run["steps"][7]["ranAs"] = "005000000000009AAA"
    problems = _verdict("depth", {"run": run})
    assert problems == [f"steps ran as 005000000000009AAA, not the starter {USER}"]


def test_it_should_fail_the_flow_probe_when_a_date_comes_back_as_a_datetime() -> None:
    run = _run("Stepforce_Probe_Flow")
    run["steps"][0]["outputs"]["dateOut"] = "2026-02-28T00:00:00.000Z"
    assert _verdict("flow", {"run": run}) == [
        "dateOut: got '2026-02-28T00:00:00.000Z', expected 2026-02-28"
    ]


def test_it_should_fail_the_guard_probe_when_a_second_job_was_enqueued() -> None:
    run = _run("Stepforce_Probe_Retry")
    problems = _verdict("duplicate-guard", {"run": run}, second_job_refused="OrgError: x")
    assert problems == ["a second job for the waiting attempt was not refused: OrgError: x"]


def test_every_probe_has_a_drive_and_the_design_stays_under_ten_minutes() -> None:
    from stepforce.runtime_client.doctor.drives import DRIVES

    assert set(DRIVES) == {p.name for p in PROBES}
    # Probes run at once: the longest one, plus deploy (~5 min) and clean-up (~1 min).
    longest = max(p.expected_seconds for p in PROBES)
    assert longest + 5 * 60 + 60 < 10 * 60
