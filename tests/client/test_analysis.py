from __future__ import annotations

from typing import Any

import pytest

from stepforce.runtime_client.analysis import (
    ASYNC_LIMITS,
    limit_flags,
    step_logs,
    step_rows,
    where_time_went,
)
from stepforce.runtime_client.models import Run

from .conftest import run_json, step_json


def _run(*steps: dict[str, Any], status: str = "Succeeded", wall: float | None = 100) -> Run:
    return Run.from_json(run_json(status, list(steps), finished_after=wall))


@pytest.mark.parametrize(
    ("limit", "used", "flagged"),
    [
        ("soql", 159, False),
        ("soql", 160, True),
        ("dml", 120, True),
        ("cpuMs", 47_999, False),
        ("cpuMs", 48_000, True),
        ("heapBytes", 9_600_000, True),
        ("callouts", 79, False),
        ("callouts", 80, True),
    ],
)
def test_a_step_within_20_percent_of_an_async_limit_is_flagged(
    limit: str, used: int, flagged: bool
) -> None:
    run = _run(step_json("Fetch_Page", 0, limits={limit: used}))
    flags = limit_flags(run)
    assert bool(flags) is flagged
    if flagged:
        assert flags[0].cap == ASYNC_LIMITS[limit]
        assert flags[0].used == used
        assert "Fetch_Page" in flags[0].message()
        assert "split the step" in flags[0].message()


def test_flags_report_the_peak_attempt_once_per_step_and_limit() -> None:
    run = _run(
        step_json("Fetch_Page", 0, iteration=1, limits={"soql": 170}),
        step_json("Fetch_Page", 0, iteration=2, limits={"soql": 195}),
        step_json("Fetch_Page", 0, iteration=3, limits={"soql": 10}),
    )
    flags = limit_flags(run)
    assert [(f.step, f.limit, f.used, f.iteration) for f in flags] == [
        ("Fetch_Page", "soql", 195, 2)
    ]


def test_time_shares_add_attempts_and_show_waiting_time() -> None:
    run = _run(
        step_json("Fetch_Page", 0, start=0, seconds=30),
        step_json("Fetch_Page", 0, iteration=2, start=35, seconds=30),
        step_json("Post_Summary", 1, start=70, seconds=20),
        wall=100,
    )
    report = where_time_went(run)
    shares = {s.step: (s.seconds, round(s.share, 2), s.runs) for s in report.steps}
    assert shares == {"Fetch_Page": (60.0, 0.6, 2), "Post_Summary": (20.0, 0.2, 1)}
    assert report.total_seconds == 100
    assert report.waiting_seconds == 20
    assert round(report.waiting_share, 2) == 0.2


def test_logs_group_attempts_by_step_and_filter_by_name() -> None:
    run = _run(
        step_json("Fetch_Page", 0, status="Failed", error="timeout"),
        step_json("Fetch_Page", 0, attempt=2),
        step_json("Post_Summary", 1),
    )
    logs = step_logs(run)
    assert [(log.step, len(log.attempts)) for log in logs] == [
        ("Fetch_Page", 2),
        ("Post_Summary", 1),
    ]
    assert logs[0].attempts[0].error == "timeout"
    only = step_logs(run, "Post_Summary")
    assert [log.step for log in only] == ["Post_Summary"]
    assert step_logs(run, "Nope") == []


def test_rows_show_latest_attempt_and_the_current_step_before_it_ran() -> None:
    data = run_json(
        "Running",
        [
            step_json("Fetch_Page", 0, status="Failed"),
            step_json("Fetch_Page", 0, attempt=2, limits={"soql": 7}),
        ],
        current="Post_Summary",
    )
    rows = step_rows(Run.from_json(data))
    assert [(r.step, r.status, r.attempt, r.soql) for r in rows] == [
        ("Fetch_Page", "Succeeded", 2, 7),
        ("Post_Summary", "Running", 1, None),
    ]
