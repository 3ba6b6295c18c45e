"""Count the HTTP calls the runtime client makes (mocked org, simulated time).

Run from the repository root:  .venv/bin/python benchmarks/api_calls.py

Figures: `status` of a 50-step run (target 1), `watch` of a 10-step run taking 30 simulated
minutes with the default polling (target <= 40), and `start` (target 1). Connection setup
(one unauthenticated GET /services/data/ per CLI invocation) is counted separately. Last, a
watch with a 60-minute timeout of a run someone pauses: it stops at the pause, where following
the paused run (``stop_when_paused=False``, the behaviour before) polls until the timeout.
Then `stepforce deploy` with the runtime's lifecycle (one status check each; a real deploy
adds one call per further check): a first deploy, a redeploy where everything is in place,
a deploy the preflight stops, and a redeploy after which one old plan version is pruned.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import tempfile
from pathlib import Path

import responses

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stepforce.errors import StillRunningError
from stepforce.runtime_client.auth import OrgConnection, OrgOptions, resolve_org
from stepforce.runtime_client.client import StepforceClient
from tests.client.conftest import (
    APEX,
    INSTANCE,
    RUN_ID,
    TOKEN,
    VERSIONS,
    FakeClock,
    run_json,
    step_json,
)
from tests.client.fake_org import TimelineOrg
from tests.deploy import conftest as deploy_fixtures

# name -> (step durations in seconds, call target or None). The first is the case.
WATCH_CASES: dict[str, tuple[list[float], int | None]] = {
    "10 steps x 3 min (30 min)": ([180.0] * 10, 40),
    "10 steps, mixed 20 s-10 min (30 min)": ([20, 600, 30, 300, 90, 200, 60, 300, 100, 100], 40),
    "9 steps x 10 s, then one of 28.5 min (30 min)": ([10.0] * 9 + [1710.0], 40),
    "10 steps x 5 s": ([5.0] * 10, None),
    "10 steps x 6 min (60 min)": ([360.0] * 10, None),
}


def _client(clock: FakeClock) -> StepforceClient:
    return StepforceClient(OrgConnection(INSTANCE, TOKEN, "67.0", "benchmark"), clock=clock)


def count_status() -> int:
    with responses.RequestsMock() as mock:
        steps = [step_json(f"Step_{i}", i, start=i * 10) for i in range(50)]
        mock.get(f"{APEX}/{RUN_ID}", json=run_json("Succeeded", steps, current=None))
        run = _client(FakeClock()).get_run(RUN_ID)
        assert len(run.steps) == 50
        return len(mock.calls)


def count_start() -> int:
    with responses.RequestsMock() as mock:
        mock.post(APEX, status=201, json=run_json("Queued", with_steps=False))
        _client(FakeClock()).start_run("Invoice_Sync", {"since": "2026-11-01"})
        return len(mock.calls)


def count_connect() -> int:
    with responses.RequestsMock() as mock:
        mock.get(f"{INSTANCE}/services/data/", json=VERSIONS)
        resolve_org(OrgOptions(instance_url=INSTANCE, access_token=TOKEN), environ={})
        return len(mock.calls)


def count_watch(durations: list[float]) -> tuple[int, float, float]:
    """Calls, simulated seconds until the watch saw the end, and the longest single wait."""
    clock = FakeClock()
    with responses.RequestsMock() as mock:
        TimelineOrg(clock, durations).install(mock)
        final = _client(clock).watch(RUN_ID)
        assert final.status == "Succeeded"
        return len(mock.calls), clock.now - sum(durations), max(clock.sleeps)


def count_paused_watch(stop_when_paused: bool) -> tuple[int, float]:
    """Calls and simulated seconds of a watch (timeout 60 min) of a 10 x 3 min run paused at
    10 min, while its fourth step runs."""
    clock = FakeClock()
    with responses.RequestsMock() as mock:
        TimelineOrg(clock, [180.0] * 10, pause_at=600.0).install(mock)
        client = _client(clock)
        try:
            final = client.watch(RUN_ID, timeout=3600, stop_when_paused=stop_when_paused)
            assert final.status == "Paused"
        except StillRunningError:
            assert not stop_when_paused
        return len(mock.calls), clock.now


def count_deploy(
    *, scheduled: bool, pending: bool, flags: tuple[str, ...], prunable: bool = False
) -> tuple[int, int]:
    """(API calls, exit code) of ``stepforce deploy`` of a project with the runtime's sweeper
    and one spec schedule, to an org that has (``scheduled``) both jobs already or neither,
    with (``pending``) a Queueable of the runtime in flight or not, and (``prunable``) one
    old plan version of the orchestration that no run uses."""
    from stepforce.cli import deploy_cmd
    from stepforce.deploy_plan import SWEEPER_CRON, SWEEPER_JOB_NAME, DeployPlan, PlannedSchedule

    d = deploy_fixtures
    plan = DeployPlan(
        orchestrations=("Invoice_Sync",),
        schedules=(PlannedSchedule("Invoice_Sync", "0 0 2 * * ?"),),
    )
    with (
        tempfile.TemporaryDirectory() as folder,
        responses.RequestsMock(assert_all_requests_are_fired=False) as mock,
    ):
        listing = [{"version": d.VERSION, "url": f"/services/data/v{d.VERSION}"}]
        mock.get(f"{d.INSTANCE}/services/data/", json=listing)
        project = d.write_project(Path(folder) / "proj")
        classes = project / "force-app/main/default/classes"
        (classes / "StepforceSweeper.cls").write_text("public class StepforceSweeper {\n}\n")
        (classes / "StepforceSweeper.cls-meta.xml").write_text(d.CLASS_META)
        (project / ".stepforce").mkdir()
        (project / ".stepforce/manifest.json").write_text(json.dumps({"deploy": plan.to_json()}))
        org = d.FakeOrg(kind="scratch")
        latest = [d.plan_resource("Invoice_Sync", "c" * 24, latest) for latest in (True, False)]
        old = [d.plan_resource("Invoice_Sync", "a" * 24, False)] if prunable else []
        org.resources = [latest + old]
        if scheduled:
            org.scheduled = [
                d.cron_record(d.SWEEPER_ID_FOR_TESTS, SWEEPER_JOB_NAME, SWEEPER_CRON),
                d.cron_record("08e5g00000InVoIAAA", "Stepforce Invoice_Sync", "0 0 2 * * ?"),
            ]
            # what the runtime recorded when it scheduled the job: the same (empty) inputs
            org.inputs = [d.input_record("Stepforce Invoice_Sync", "{}")]
        if pending:
            org.pending = [
                {
                    "Id": "7075g00000QuEuEAAA",
                    "JobType": "Queueable",
                    "Status": "Queued",
                    "ApexClass": {"Name": "StepforceEngine"},
                }
            ]
        org.register(mock)
        d.soap(mock, d.SOAP_URL, d.deploy_response())
        d.soap(mock, d.STATUS_URL, d.status_response(status="Succeeded", done=True))
        deploy_cmd.make_poller = d.FakeClock().poller  # type: ignore[method-assign]
        args = ["deploy", str(project), *d.ORG_ARGS, "--json", *flags]
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            code = d.run_deploy(args)
        return len(org.calls(mock)), code


def main() -> None:
    print(f"status of a 50-step run:  {count_status()} call(s)   (target 1)")
    print(f"start:                    {count_start()} call(s)   (target 1)")
    print(
        f"connection setup:         {count_connect()} call(s)   (GET /services/data/, per CLI run)"
    )
    for name, (durations, target) in WATCH_CASES.items():
        calls, lag, longest = count_watch(durations)
        verdict = (
            ""
            if target is None
            else f"   (target <= {target}: {'met' if calls <= target else 'MISSED'})"
        )
        print(
            f"watch, {name}: {calls} calls, saw the end {lag:.0f} s after it, "
            f"longest wait {longest:.0f} s{verdict}"
        )
    calls, seconds = count_paused_watch(stop_when_paused=True)
    following, until = count_paused_watch(stop_when_paused=False)
    print(
        f"watch (timeout 60 min), 10 steps x 3 min paused at 10 min: {calls} calls, stopped "
        f"{seconds - 600:.0f} s after the pause (following the paused run: {following} calls "
        f"until the timeout at {until / 60:.0f} min)"
    )
    cases: dict[str, tuple[bool, bool, tuple[str, ...], bool]] = {
        "deploy, first time (sweeper and 1 schedule made)": (False, False, (), False),
        "deploy again, all in place (--force)": (True, False, ("--force",), False),
        "deploy again, all in place (--unschedule-first)": (
            True,
            False,
            ("--unschedule-first",),
            False,
        ),
        "deploy stopped by the preflight (a Queueable pending)": (False, True, (), False),
        "deploy again (--force), 1 old plan version pruned": (True, False, ("--force",), True),
    }
    for name, (scheduled, pending, flags, prunable) in cases.items():
        calls, code = count_deploy(
            scheduled=scheduled, pending=pending, flags=flags, prunable=prunable
        )
        print(f"{name}: {calls} call(s), exit {code}")


if __name__ == "__main__":
    main()
