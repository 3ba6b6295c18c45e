"""Paging over the runtime's REST answers: a run's step runs (``stepsNext``/``stepsAfter``)
and the run list's keyset cursors (``nextCursor``/``after``).

The shapes are what StepforceRunJson writes: Apex REST returns a void method's
``RestContext.response.responseBody`` as it was set (RestResponse Class, "responseBody"), so
the keys below are the class's, documented in docs/runtime.md ("REST API").
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import responses
from responses import matchers

from stepforce.errors import OrgError
from stepforce.runtime_client.auth import OrgConnection
from stepforce.runtime_client.client import StepforceClient

from .conftest import APEX, RUN_ID, FakeClock, invoke, run_json, step_json


def _page(first: int, count: int, total: int, *, context: bool) -> dict[str, Any]:
    """One answer of GET runs/{id}: steps first..first+count-1 of total."""
    steps = [
        step_json("Fetch_Page", 0, iteration=i + 1, start=i * 10.0)
        for i in range(first, first + count)
    ]
    data = run_json("Succeeded", steps, finished_after=total * 10.0)
    if not context:
        data["context"] = None
    following = first + count < total
    data.update(
        stepsTotal=total,
        stepsNext=str(first + count) if following else None,
        stepsTruncated=following,
        stepsIo=True,
    )
    return data


def test_get_run_follows_step_pages_until_the_run_is_whole(
    connection: OrgConnection, clock: FakeClock, mocked: responses.RequestsMock
) -> None:
    url = f"{APEX}/{RUN_ID}"
    mocked.get(url, json=_page(0, 2, 5, context=True), match=[matchers.query_param_matcher({})])
    for first, count in ((2, 2), (4, 1)):
        mocked.get(
            url,
            json=_page(first, count, 5, context=False),
            match=[matchers.query_param_matcher({"stepsAfter": str(first)})],
        )
    run = StepforceClient(connection, clock=clock).get_run(RUN_ID)
    assert [s.iteration for s in run.steps] == [1, 2, 3, 4, 5]
    assert len(mocked.calls) == 3
    assert not run.steps_truncated
    assert run.steps_total == 5
    # The first page's run fields (its context) are kept; --json shows one whole run.
    assert run.context == {"inputs": {"since": "2026-11-01"}, "steps": {}}
    assert [s["iteration"] for s in run.to_json()["steps"]] == [1, 2, 3, 4, 5]
    assert run.to_json()["stepsNext"] is None


def test_a_typical_run_is_one_call_and_summaries_ask_for_io_false(
    connection: OrgConnection, clock: FakeClock, mocked: responses.RequestsMock
) -> None:
    summary = _page(0, 3, 3, context=True)
    summary["stepsIo"] = False
    mocked.get(
        f"{APEX}/{RUN_ID}", json=summary, match=[matchers.query_param_matcher({"io": "false"})]
    )
    run = StepforceClient(connection, clock=clock).get_run(RUN_ID, io=False)
    assert len(run.steps) == 3
    assert run.steps_io is False
    assert len(mocked.calls) == 1


def test_a_page_that_does_not_advance_is_an_org_error_not_a_loop(
    connection: OrgConnection, clock: FakeClock, mocked: responses.RequestsMock
) -> None:
    url = f"{APEX}/{RUN_ID}"
    mocked.get(url, json=_page(0, 2, 5, context=True), match=[matchers.query_param_matcher({})])
    stuck = _page(2, 0, 5, context=False)
    stuck["stepsNext"] = "2"
    mocked.get(url, json=stuck, match=[matchers.query_param_matcher({"stepsAfter": "2"})])
    with pytest.raises(OrgError, match="stopped advancing at 2"):
        StepforceClient(connection, clock=clock).get_run(RUN_ID)


def _runs(start: int, count: int, total: int, cursor: str | None) -> dict[str, Any]:
    runs = [
        run_json("Failed", with_steps=False, run_id=f"a015g0000{i:09d}")
        for i in range(start, start + count)
    ]
    return {"runs": runs, "total": total, "nextCursor": cursor, "previousCursor": None}


def test_collect_runs_follows_cursors_past_soql_offset_limit(
    connection: OrgConnection, clock: FakeClock, mocked: responses.RequestsMock
) -> None:
    # 2,450 runs: deeper than OFFSET's 2,000, reached through the cursors of 13 pages.
    total, size = 2450, 200
    cursor = None
    for page in range(13):
        count = min(size, total - page * size)
        following = f"cursor{page + 1}" if page < 12 else None
        params = {"limit": "200", **({"after": cursor} if cursor else {"offset": "0"})}
        mocked.get(
            APEX,
            json=_runs(page * size, count, total, following),
            match=[matchers.query_param_matcher(params)],
        )
        cursor = following
    page_all = StepforceClient(connection, clock=clock).collect_runs(limit=None)
    assert len(page_all.runs) == total
    assert len({run.id for run in page_all.runs}) == total
    assert len(mocked.calls) == 13
    assert page_all.next_cursor is None
    assert not page_all.has_more


def test_a_limit_above_a_page_asks_for_the_rest_in_the_next_page(
    connection: OrgConnection, clock: FakeClock, mocked: responses.RequestsMock
) -> None:
    mocked.get(
        APEX,
        json=_runs(0, 200, 900, "c1"),
        match=[matchers.query_param_matcher({"limit": "200", "offset": "0"})],
    )
    mocked.get(
        APEX,
        json=_runs(200, 50, 900, "c2"),
        match=[matchers.query_param_matcher({"limit": "50", "after": "c1"})],
    )
    page = StepforceClient(connection, clock=clock).collect_runs(limit=250)
    assert len(page.runs) == 250
    assert page.next_cursor == "c2"
    assert page.has_more


def test_an_older_runtime_without_cursors_is_paged_by_offset(
    connection: OrgConnection, clock: FakeClock, mocked: responses.RequestsMock
) -> None:
    for offset, count in ((0, 200), (200, 100)):
        body = _runs(offset, count, 300, None)
        del body["nextCursor"], body["previousCursor"]
        mocked.get(
            APEX,
            json=body,
            match=[matchers.query_param_matcher({"limit": "200", "offset": str(offset)})],
        )
    page = StepforceClient(connection, clock=clock).collect_runs(limit=None)
    assert len(page.runs) == 300
    assert not page.has_more


def test_run_list_all_and_run_logs_fetch_every_page(org: responses.RequestsMock) -> None:
    org.get(
        APEX,
        json=_runs(0, 200, 230, "c1"),
        match=[matchers.query_param_matcher({"limit": "200", "offset": "0", "status": "Failed"})],
    )
    org.get(
        APEX,
        json=_runs(200, 30, 230, None),
        match=[matchers.query_param_matcher({"limit": "200", "after": "c1", "status": "Failed"})],
    )
    code, out, err = invoke(["run", "list", "--all", "--status", "Failed", "--json"])
    assert code == 0, err
    assert len(json.loads(out)["runs"]) == 230
    url = f"{APEX}/{RUN_ID}"
    org.get(url, json=_page(0, 2, 3, context=True), match=[matchers.query_param_matcher({})])
    org.get(
        url,
        json=_page(2, 1, 3, context=False),
        match=[matchers.query_param_matcher({"stepsAfter": "2"})],
    )
    code, out, err = invoke(["run", "logs", RUN_ID, "--json"])
    assert code == 0, err
    attempts = json.loads(out)[0]["attempts"]
    assert [a["iteration"] for a in attempts] == [1, 2, 3]


def test_run_status_reads_summaries_for_its_table_and_everything_for_json(
    org: responses.RequestsMock,
) -> None:
    url = f"{APEX}/{RUN_ID}"
    summary = org.get(
        url,
        json=_page(0, 3, 3, context=True),
        match=[matchers.query_param_matcher({"io": "false"})],
    )
    full = org.get(url, json=_page(0, 3, 3, context=True), match=[matchers.query_param_matcher({})])
    code, out, err = invoke(["run", "status", RUN_ID])
    assert code == 0, err
    assert "Fetch_Page" in out
    code, out, err = invoke(["run", "status", RUN_ID, "--json"])
    assert code == 0, err
    assert json.loads(out)["steps"][0]["inputs"] == {"pageSize": 200}
    assert summary.call_count == 1
    assert full.call_count == 1
