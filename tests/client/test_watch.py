from __future__ import annotations

import pytest
import responses

from stepforce.errors import StillRunningError
from stepforce.runtime_client.auth import OrgConnection
from stepforce.runtime_client.client import StepforceClient
from stepforce.runtime_client.models import Run
from stepforce.runtime_client.watch import PollPolicy, PollSchedule

from .conftest import RUN_ID, FakeClock
from .fake_org import TimelineOrg


def test_waits_double_up_to_the_cap_while_nothing_changes() -> None:
    schedule = PollSchedule(PollPolicy(first=2, cap=60), started=0)
    waits = [schedule.next_wait(now=0, progressed=False) for _ in range(8)]
    assert waits == [2, 4, 8, 16, 32, 60, 60, 60]


def test_progress_sets_the_wait_to_half_the_typical_gap_within_bounds() -> None:
    schedule = PollSchedule(PollPolicy(first=2, cap=60), started=0)
    assert schedule.next_wait(now=180, progressed=True) == 60  # half of 180, capped
    assert schedule.next_wait(now=190, progressed=True) == 47.5  # median gap (180, 10) = 95
    fast = PollSchedule(PollPolicy(first=2, cap=60), started=0)
    assert fast.next_wait(now=3, progressed=True) == 2  # never below the first wait
    assert fast.next_wait(now=13, progressed=True) == pytest.approx(3.25)
    # ... and without further progress the waits grow again from there.
    assert fast.next_wait(now=16.25, progressed=False) == pytest.approx(6.5)


def _client(connection: OrgConnection, clock: FakeClock) -> StepforceClient:
    return StepforceClient(connection, clock=clock)


def test_watch_follows_a_run_to_success_within_the_call_budget(
    connection: OrgConnection, clock: FakeClock, mocked: responses.RequestsMock
) -> None:
    org = TimelineOrg(clock, [180.0] * 10)
    org.install(mocked)
    seen: list[Run] = []
    final = _client(connection, clock).watch(RUN_ID, on_update=seen.append)
    assert final.status == "Succeeded"
    assert len(final.steps) == 10
    assert org.gets <= 40
    assert clock.now < 1800 + 60
    # Every observed change was reported once, in order, and the first poll too.
    assert [len(r.steps) for r in seen] == sorted({len(r.steps) for r in seen})
    assert max(clock.sleeps) <= 60


def test_watch_is_a_generator_that_stops_at_a_terminal_state(
    connection: OrgConnection, clock: FakeClock, mocked: responses.RequestsMock
) -> None:
    org = TimelineOrg(clock, [5.0, 5.0, 5.0], fail_at=1)
    org.install(mocked)
    runs = list(_client(connection, clock).iter_watch(RUN_ID))
    assert runs[-1].status == "Failed"
    assert runs[-1].error == "Step Step_1 failed: boom"
    assert org.gets == len(mocked.calls)


def test_watch_timeout_raises_still_running_with_how_to_resume(
    connection: OrgConnection, clock: FakeClock, mocked: responses.RequestsMock
) -> None:
    TimelineOrg(clock, [3600.0]).install(mocked)
    with pytest.raises(StillRunningError, match=f"stepforce run watch {RUN_ID}") as info:
        _client(connection, clock).watch(RUN_ID, timeout=300)
    assert info.value.exit_code == 3
    assert clock.now == 300  # the last poll happened exactly at the deadline


def test_watch_returns_the_paused_run_at_the_first_poll_that_sees_the_pause(
    connection: OrgConnection, clock: FakeClock, mocked: responses.RequestsMock
) -> None:
    # Paused at 25 s, during Step_1 (10-30 s): Step_1 finishes, Step_2 never starts.
    org = TimelineOrg(clock, [10.0, 20.0, 600.0], pause_at=25.0)
    org.install(mocked)
    final = _client(connection, clock).watch(RUN_ID, timeout=3600)
    assert final.status == "Paused"
    assert final.is_paused
    assert not final.is_terminal
    assert final.current_step == "Step_2"
    assert [s.step for s in final.steps] == ["Step_0", "Step_1"]
    # Polls at 0, 2, 6, 14, 21 (Running) and 35 (Paused, Step_1 done); no sleep after it.
    assert org.gets == 6
    assert len(clock.sleeps) == org.gets - 1
    assert clock.now - clock.sleeps[-1] < 25.0 <= clock.now


def test_a_run_paused_before_the_watch_costs_one_call(
    connection: OrgConnection, clock: FakeClock, mocked: responses.RequestsMock
) -> None:
    org = TimelineOrg(clock, [10.0, 10.0], pause_at=0.0)
    org.install(mocked)
    runs = list(_client(connection, clock).iter_watch(RUN_ID, timeout=600))
    assert [run.status for run in runs] == ["Paused"]
    assert org.gets == 1
    assert clock.sleeps == []


def test_watch_can_follow_a_run_through_its_pause(
    connection: OrgConnection, clock: FakeClock, mocked: responses.RequestsMock
) -> None:
    TimelineOrg(clock, [10.0, 20.0, 30.0], pause_at=25.0, resume_at=300.0).install(mocked)
    statuses: list[str] = []
    final = _client(connection, clock).watch(
        RUN_ID, on_update=lambda run: statuses.append(run.status), stop_when_paused=False
    )
    assert final.status == "Succeeded"
    assert "Paused" in statuses
    assert statuses.index("Paused") < len(statuses) - 1
    assert clock.now >= 330.0  # Step_2 ran after the resume
