"""The run/schedule commands end to end: options -> client -> mocked org -> output, exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import responses
from responses import matchers

from stepforce.cli import run_cmds, run_options

from .conftest import (
    APEX,
    INSTANCE,
    RUN_ID,
    SCHEDULE,
    SCHEDULES,
    TOKEN,
    FakeClock,
    invoke,
    mock_nightly_schedule,
    run_json,
    sf_errors,
    step_json,
)
from .fake_org import TimelineOrg


def test_start_parses_typed_inputs_and_prints_how_to_follow(org: responses.RequestsMock) -> None:
    org.post(
        APEX,
        status=201,
        json=run_json("Queued", with_steps=False),
        match=[
            matchers.json_params_matcher(
                {
                    "orchestration": "Invoice_Sync",
                    "inputs": {
                        "since": "2026-11-01",
                        "pageSize": "100",  # numbers as written; the plan converts
                        "dry": True,
                        "ids": [1, 2],
                        "note": "a=b",
                    },
                    "requestKey": "nightly-2026-11-25",
                }
            )
        ],
    )
    code, out, err = invoke(
        [
            "run",
            "start",
            "Invoice_Sync",
            "--input",
            "since=2026-11-01",
            "--input",
            "pageSize=100",
            "--input",
            "dry=true",
            "--input",
            "ids=[1,2]",
            "--input",
            "note=a=b",
            "--request-key",
            "nightly-2026-11-25",
        ]
    )
    assert code == 0, err
    assert f"Started run {RUN_ID}" in out
    assert f"stepforce run watch {RUN_ID}" in out
    assert "SF_INSTANCE_URL and SF_ACCESS_TOKEN" in err  # says which credentials were used


def test_start_reads_an_inputs_file_and_input_wins(
    org: responses.RequestsMock, tmp_path: Path
) -> None:
    inputs = tmp_path / "inputs.yaml"
    inputs.write_text("since: '2026-10-01'\npageSize: 10\n")
    org.post(
        APEX,
        status=201,
        json=run_json("Queued", with_steps=False),
        match=[
            matchers.json_params_matcher(
                {
                    "orchestration": "Invoice_Sync",
                    "inputs": {"since": "2026-10-01", "pageSize": "20"},
                },
                strict_match=False,
            )
        ],
    )
    code, out, _ = invoke(
        [
            "run",
            "start",
            "Invoice_Sync",
            "--inputs-file",
            str(inputs),
            "--input",
            "pageSize=20",
            "--json",
        ]
    )
    assert code == 0
    assert json.loads(out)["id"] == RUN_ID


def test_bad_input_pair_is_a_usage_error() -> None:
    code, _, err = invoke(["run", "start", "Invoice_Sync", "--input", "novalue"])
    assert code == 2
    assert "'novalue' is not KEY=VALUE" in err


def test_start_wait_follows_to_success_with_a_summary(org: responses.RequestsMock) -> None:
    org.post(APEX, status=201, json=run_json("Queued", with_steps=False))
    TimelineOrg(org_clock(org), [30.0, 90.0]).install(org)
    code, out, err = invoke(["run", "start", "Invoice_Sync", "--wait"])
    assert code == 0, err
    assert "Succeeded" in out
    assert "Time:" in out
    assert "Step_1: 1.5 min (75%)" in out


def org_clock(org: responses.RequestsMock) -> FakeClock:
    return run_options.clock_factory()  # type: ignore[return-value]


def test_watch_of_a_failed_run_exits_1_with_its_error(org: responses.RequestsMock) -> None:
    TimelineOrg(org_clock(org), [10.0, 10.0], fail_at=1).install(org)
    code, out, err = invoke(["run", "watch", RUN_ID])
    assert code == 1
    assert "error: Step Step_1 failed: boom" in out
    assert f"error: Run {RUN_ID} ended Failed: Step Step_1 failed: boom" in err


def test_watch_json_prints_only_the_final_run(org: responses.RequestsMock) -> None:
    TimelineOrg(org_clock(org), [10.0], fail_at=0).install(org)
    code, out, _ = invoke(["run", "watch", RUN_ID, "--json"])
    assert code == 1
    assert json.loads(out)["status"] == "Failed"


def test_watch_timeout_exits_3_and_says_how_to_resume(org: responses.RequestsMock) -> None:
    TimelineOrg(org_clock(org), [7200.0]).install(org)
    code, _, err = invoke(["run", "watch", RUN_ID, "--timeout", "5"])
    assert code == 3
    assert f"stepforce run watch {RUN_ID}" in err
    code, out, _ = invoke(["run", "watch", RUN_ID, "--timeout", "5", "--json"])
    assert code == 3
    assert json.loads(out)["status"] == "Running"


def test_watch_on_a_terminal_shows_the_live_table(
    org: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run_cmds, "stdout_is_terminal", lambda: True)
    TimelineOrg(org_clock(org), [10.0, 20.0]).install(org)
    code, out, _ = invoke(["run", "watch", RUN_ID])
    assert code == 0
    assert "CPU ms" in out
    assert "Step_1" in out
    assert "Succeeded" in out


def test_status_shows_steps_and_flags_near_limit_steps(org: responses.RequestsMock) -> None:
    steps = [
        step_json("Fetch_Page", 0, limits={"soql": 190}),
        step_json("Post_Summary", 1, start=10),
    ]
    org.get(f"{APEX}/{RUN_ID}", json=run_json("Succeeded", steps, current=None, finished_after=30))
    code, out, _ = invoke(["run", "status", RUN_ID])
    assert code == 0
    assert "Fetch_Page used 190 of 200 SOQL queries (95%" in out
    code, out, _ = invoke(["run", "status", RUN_ID, "--json"])
    assert code == 0
    assert len(json.loads(out)["steps"]) == 2


def test_list_passes_filters_and_prints_paging(org: responses.RequestsMock) -> None:
    org.get(
        APEX,
        json={
            "runs": [run_json("Failed", with_steps=False)],
            "total": 12,
            "nextCursor": "MTc2NDU0NzIwMDAwMF9hMDE",
            "previousCursor": None,
        },
        match=[
            matchers.query_param_matcher(
                {"orchestration": "Invoice_Sync", "status": "Failed", "limit": "1", "offset": "0"}
            )
        ],
    )
    code, out, _ = invoke(
        ["run", "list", "--orchestration", "Invoice_Sync", "--status", "Failed", "--limit", "1"]
    )
    assert code == 0
    assert RUN_ID in out
    assert "runs 1-1 of 12; more: raise --limit, or --all" in out
    code, out, _ = invoke(
        [
            "run",
            "list",
            "--orchestration",
            "Invoice_Sync",
            "--status",
            "Failed",
            "--limit",
            "1",
            "--json",
        ]
    )
    assert json.loads(out)["total"] == 12
    assert json.loads(out)["nextCursor"] == "MTc2NDU0NzIwMDAwMF9hMDE"


def test_logs_show_attempt_errors_and_outputs(org: responses.RequestsMock) -> None:
    steps = [
        step_json("Fetch_Page", 0, status="Failed", error="Read timed out"),
        step_json("Fetch_Page", 0, attempt=2, outputs={"cursor": "abc"}),
        step_json("Post_Summary", 1),
    ]
    org.get(f"{APEX}/{RUN_ID}", json=run_json("Succeeded", steps))
    code, out, _ = invoke(["run", "logs", RUN_ID, "--step", "Fetch_Page"])
    assert code == 0
    assert "error:   Read timed out" in out
    assert '"cursor": "abc"' in out
    assert "Post_Summary" not in out
    code, out, _ = invoke(["run", "logs", RUN_ID, "--json"])
    assert [entry["step"] for entry in json.loads(out)] == ["Fetch_Page", "Post_Summary"]


@pytest.mark.parametrize(
    ("action", "status"), [("pause", "Paused"), ("resume", "Running"), ("cancel", "Cancelled")]
)
def test_transitions_print_the_new_state(
    org: responses.RequestsMock, action: str, status: str
) -> None:
    org.post(f"{APEX}/{RUN_ID}/{action}", json=run_json(status, with_steps=False))
    code, out, _ = invoke(["run", action, RUN_ID])
    assert code == 0
    assert f"Run {RUN_ID} (Invoice_Sync): {status}" in out
    code, out, _ = invoke(["run", action, RUN_ID, "--json"])
    assert json.loads(out)["status"] == status


def test_an_illegal_transition_exits_1_with_the_orgs_message(org: responses.RequestsMock) -> None:
    org.post(
        f"{APEX}/{RUN_ID}/resume",
        status=409,
        json=sf_errors("ILLEGAL_TRANSITION", "Run is Succeeded"),
    )
    code, _, err = invoke(["run", "resume", RUN_ID])
    assert code == 1
    assert "error: ILLEGAL_TRANSITION: Run is Succeeded" in err


def test_retry_sends_from_step_and_overrides(org: responses.RequestsMock) -> None:
    org.post(
        f"{APEX}/{RUN_ID}/retry",
        json=run_json("Queued", with_steps=False),
        match=[
            matchers.json_params_matcher({"fromStep": "Fetch_Page", "inputs": {"pageSize": "50"}})
        ],
    )
    code, out, _ = invoke(
        ["run", "retry", RUN_ID, "--from-step", "Fetch_Page", "--input", "pageSize=50"]
    )
    assert code == 0
    assert "Queued" in out


def test_schedule_unschedule_and_schedules_use_the_runtime_routes(
    org: responses.RequestsMock,
) -> None:
    made = mock_nightly_schedule(org)
    org.get(SCHEDULES, json={"schedules": [SCHEDULE]})
    removed = org.delete(
        SCHEDULES,
        json={"unscheduled": [SCHEDULE]},
        match=[matchers.query_param_matcher({"name": "Nightly"})],
    )
    code, out, err = invoke(
        [
            "schedule",
            "Invoice_Sync",
            "--cron",
            "0 0 2 * * ?",
            "--name",
            "Nightly",
            "--input",
            "since=2026-11-01",
        ]
    )
    assert code == 0, err
    assert "Scheduled 'Nightly' (08e5g00000ABCDEAAA), next start 2026-11-26T02:00:00.000Z" in out
    code, out, _ = invoke(["schedules"])
    assert code == 0
    assert "Nightly  0 0 2 * * ?  WAITING  next 2026-11-26T02:00:00.000Z" in out
    code, out, _ = invoke(["unschedule", "Nightly", "--json"])
    assert code == 0
    assert json.loads(out)["unscheduled"][0]["id"] == "08e5g00000ABCDEAAA"
    assert made.call_count == 1
    assert removed.call_count == 1
    # No anonymous Apex, no CronTrigger query: only the runtime's routes.
    urls = [call.request.url for call in org.calls]
    assert not [url for url in urls if "executeAnonymous" in url or "/query" in url]
    assert sum(url.startswith(SCHEDULES) for url in urls) == 3


def test_schedule_without_the_permission_exits_1_with_the_org_s_reason(
    org: responses.RequestsMock,
) -> None:
    org.post(
        SCHEDULES,
        status=403,
        json=sf_errors(
            "INSUFFICIENT_ACCESS",
            "You may not manage schedules (custom permission Stepforce_Schedule, granted by "
            "Stepforce_Admin and Stepforce_Operator)",
        ),
    )
    code, _, err = invoke(["schedule", "Invoice_Sync", "--cron", "0 0 2 * * ?"])
    assert code == 1
    assert "Stepforce_Schedule" in err


def test_schedule_rejects_a_bad_cron_before_any_call(org: responses.RequestsMock) -> None:
    code, _, err = invoke(["schedule", "Invoice_Sync", "--cron", "every night"])
    assert code == 2
    assert "--cron" in err
    assert len(org.calls) == 0


def test_no_credentials_exit_2_with_how_to_log_in(tmp_path: Path) -> None:
    env = {"PATH": str(tmp_path), "SF_INSTANCE_URL": None, "SF_ACCESS_TOKEN": None}
    code, _, err = invoke(["run", "status", RUN_ID], env=env)  # type: ignore[arg-type]
    assert code == 2
    assert "sf org login web -a NAME" in err
    code, out, _ = invoke(["run", "status", RUN_ID, "--json"], env=env)  # type: ignore[arg-type]
    assert code == 2
    assert json.loads(out)["error"]["type"] == "CredentialsError"


def test_the_token_never_reaches_the_terminal(org: responses.RequestsMock) -> None:
    echo = f"Session {TOKEN} is invalid"
    org.get(f"{APEX}/{RUN_ID}", status=401, json=sf_errors("INVALID_SESSION_ID", echo))
    for extra in ([], ["--json"]):
        code, out, err = invoke(
            ["run", "status", RUN_ID, "--instance-url", INSTANCE, "--access-token", TOKEN, *extra],
            env={},
        )
        assert code == 2
        assert TOKEN not in out + err


def test_yaml_dates_in_an_inputs_file_travel_as_iso_text(
    org: responses.RequestsMock, tmp_path: Path
) -> None:
    inputs = tmp_path / "inputs.yaml"
    inputs.write_text("since: 2026-10-01\nids: [1, 2]\n")
    org.post(
        APEX,
        status=201,
        json=run_json("Queued", with_steps=False),
        match=[
            matchers.json_params_matcher(
                {"inputs": {"since": "2026-10-01", "ids": [1, 2]}}, strict_match=False
            )
        ],
    )
    code, _, err = invoke(["run", "start", "Invoice_Sync", "--inputs-file", str(inputs)])
    assert code == 0, err


def test_logs_for_a_step_that_has_not_run(org: responses.RequestsMock) -> None:
    org.get(f"{APEX}/{RUN_ID}", json=run_json("Running", [step_json("Fetch_Page", 0)]))
    code, out, _ = invoke(["run", "logs", RUN_ID, "--step", "Post_Summary"])
    assert code == 0
    assert "No attempt of step Post_Summary yet." in out


def test_retry_latest_asks_the_org_to_move_the_run_to_the_latest_plan(
    org: responses.RequestsMock,
) -> None:
    # Body shape of POST runs/{id}/retry: docs/runtime.md ("latest" is additive).
    answer = {**run_json("Queued", with_steps=False), "planVersion": "0123456789abcdef01234567"}
    org.post(
        f"{APEX}/{RUN_ID}/retry",
        json=answer,
        match=[matchers.json_params_matcher({"latest": True})],
    )
    code, out, _ = invoke(["run", "retry", RUN_ID, "--latest", "--json"])
    assert code == 0
    assert json.loads(out)["planVersion"] == "0123456789abcdef01234567"


def test_retry_latest_says_which_plan_version_the_run_moved_to(
    org: responses.RequestsMock,
) -> None:
    failed = {**run_json("Failed"), "planVersion": "0123456789abcdef01234567"}
    org.get(f"{APEX}/{RUN_ID}", json=failed)
    moved = {**run_json("Queued", with_steps=False), "planVersion": "fedcba9876543210fedcba98"}
    org.post(f"{APEX}/{RUN_ID}/retry", json=moved)
    code, out, err = invoke(["run", "retry", RUN_ID, "--latest"])
    assert code == 0, err
    assert "Plan version 0123456789abcdef01234567 -> fedcba9876543210fedcba98 (latest)." in out
