"""Exit codes scripts rely on: a watch stops at Paused (3); `run status --exit-status`."""

from __future__ import annotations

import json

import pytest
import responses

from stepforce.cli import run_cmds

from .conftest import APEX, RUN_ID, FakeClock, invoke, run_json, step_json
from .fake_org import TimelineOrg

RESUME_HINT = f"`stepforce run resume {RUN_ID}`"


def paused_during_step_1(clock: FakeClock, org: responses.RequestsMock) -> TimelineOrg:
    """Step_1 runs 10-30 s and is paused at 25 s: the run stays Paused before Step_2."""
    timeline = TimelineOrg(clock, [10.0, 20.0, 600.0], pause_at=25.0)
    timeline.install(org)
    return timeline


def test_watch_stops_at_paused_with_exit_3_and_how_to_resume(
    org: responses.RequestsMock, clock: FakeClock
) -> None:
    timeline = paused_during_step_1(clock, org)
    code, out, err = invoke(["run", "watch", RUN_ID, "--timeout", "60"])
    assert code == 3
    # Polls at 0, 2, 6, 14, 21 s (Running) and 35 s (Paused): not at the longest wait to 60 min.
    assert timeline.gets == 6
    assert clock.now == 35.0
    assert f"Run {RUN_ID} (Invoice_Sync): Paused at Step_2" in out
    assert "Time:" in out  # the summary is printed as for a finished run
    assert f"Run {RUN_ID} is Paused at step Step_2" in err
    assert RESUME_HINT in err
    assert "error:" not in err  # a pause is not an error
    assert "after 60 min" not in err  # ... nor the timeout, which shares the exit code


def test_watch_json_on_pause_prints_only_the_paused_run(
    org: responses.RequestsMock, clock: FakeClock
) -> None:
    paused_during_step_1(clock, org)
    code, out, err = invoke(["run", "watch", RUN_ID, "--json", "--timeout", "60"])
    assert code == 3
    document = json.loads(out)  # one JSON document, nothing else on stdout
    assert document["status"] == "Paused"
    assert document["currentStep"] == "Step_2"
    assert [step["step"] for step in document["steps"]] == ["Step_0", "Step_1"]
    assert RESUME_HINT in err


def test_watch_on_a_terminal_stops_at_paused_after_the_live_table(
    org: responses.RequestsMock, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run_cmds, "stdout_is_terminal", lambda: True)
    paused_during_step_1(clock, org)
    code, out, err = invoke(["run", "watch", RUN_ID, "--timeout", "60"])
    assert code == 3
    assert "CPU ms" in out
    assert "Paused at Step_2" in out
    assert RESUME_HINT in err


def test_start_wait_on_a_run_that_pauses_exits_3(
    org: responses.RequestsMock, clock: FakeClock
) -> None:
    org.post(APEX, status=201, json=run_json("Queued", with_steps=False))
    timeline = TimelineOrg(clock, [10.0, 20.0], pause_at=5.0)
    timeline.install(org)
    code, out, err = invoke(["run", "start", "Invoice_Sync", "--wait", "--timeout", "30"])
    assert code == 3
    assert f"Started run {RUN_ID}" in err
    # Paused at 5 s while Step_0 (0-10 s) runs: the polls at 0 and 2 s see it Running, the one
    # at 6 s Paused with Step_0's job still in flight (it could still end the run), so the
    # watch goes on until a poll sees it Paused with no job, waiting before Step_1.
    assert "Paused at Step_0 (the step in flight finishes first)" in out  # the poll at 6 s
    assert "Paused at Step_1" in out
    assert RESUME_HINT in err
    assert timeline.gets == 5
    code, out, err = invoke(["run", "start", "Invoice_Sync", "--wait", "--json", "--timeout", "30"])
    assert code == 3
    assert json.loads(out)["status"] == "Paused"


def test_a_pause_during_the_last_step_lets_the_watch_see_the_run_end(
    org: responses.RequestsMock, clock: FakeClock
) -> None:
    # Paused at 15 s while the last step (10-30 s) runs: that step still ends the run.
    timeline = TimelineOrg(clock, [10.0, 20.0], pause_at=15.0)
    timeline.install(org)
    code, out, err = invoke(["run", "watch", RUN_ID, "--timeout", "60"])
    assert code == 0, err
    assert "Succeeded" in out
    assert RESUME_HINT not in err


def test_a_run_resumed_and_watched_again_ends_with_exit_0(
    org: responses.RequestsMock, clock: FakeClock
) -> None:
    TimelineOrg(clock, [10.0, 20.0], pause_at=5.0, resume_at=120.0).install(org)
    code, _, err = invoke(["run", "watch", RUN_ID, "--timeout", "60"])
    assert code == 3
    assert RESUME_HINT in err
    clock.now = 120.0  # someone ran `stepforce run resume` meanwhile
    code, out, err = invoke(["run", "watch", RUN_ID])
    assert code == 0, err
    assert "Succeeded" in out


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("Succeeded", 0),
        ("Failed", 1),
        ("Cancelled", 1),
        ("Queued", 3),
        ("Running", 3),
        ("Paused", 3),
    ],
)
def test_status_exit_status_maps_each_state(
    org: responses.RequestsMock, status: str, expected: int
) -> None:
    terminal = status in ("Succeeded", "Failed", "Cancelled")
    org.get(
        f"{APEX}/{RUN_ID}",
        json=run_json(
            status,
            [step_json("Fetch_Page", 0)],
            current=None if status == "Succeeded" else "Post_Summary",
            finished_after=30 if terminal else None,
        ),
    )
    code, out, err = invoke(["run", "status", RUN_ID, "--exit-status"])
    assert code == expected, err
    assert f"Run {RUN_ID} (Invoice_Sync): {status}" in out  # the run is shown first
    code, out, _ = invoke(["run", "status", RUN_ID, "--exit-status", "--json"])
    assert code == expected
    assert json.loads(out)["status"] == status
    assert len(org.calls) == 4  # one version lookup and one GET per command


@pytest.mark.parametrize("as_json", [[], ["--json"]])
def test_status_without_exit_status_exits_0_for_a_failed_run(
    org: responses.RequestsMock, as_json: list[str]
) -> None:
    steps = [step_json("Fetch_Page", 0, status="Failed", error="Read timed out")]
    org.get(
        f"{APEX}/{RUN_ID}",
        json=run_json("Failed", steps, error="Step Fetch_Page failed: Read timed out"),
    )
    code, out, _ = invoke(["run", "status", RUN_ID, *as_json])
    assert code == 0
    assert "Failed" in out
