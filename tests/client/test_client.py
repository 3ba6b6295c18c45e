from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import requests
import responses
from responses import matchers

from stepforce.errors import (
    ApiLimitError,
    ConflictError,
    CredentialsError,
    NotFoundError,
    OrgError,
)
from stepforce.runtime_client.auth import OrgConnection
from stepforce.runtime_client.client import StepforceClient
from stepforce.runtime_client.models import Run
from stepforce.runtime_client.retry import RetryPolicy

from .conftest import (
    APEX,
    FRESH_TOKEN,
    RUN_ID,
    TOKEN,
    FakeClock,
    run_json,
    sf_errors,
    step_json,
)

INVALID_SESSION = sf_errors("INVALID_SESSION_ID", "Session expired or invalid")
LIMIT_EXCEEDED = sf_errors("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")


@pytest.fixture
def client(connection: OrgConnection, clock: FakeClock) -> StepforceClient:
    return StepforceClient(connection, clock=clock)


def test_start_sends_orchestration_inputs_and_a_uuid_request_key(
    client: StepforceClient, mocked: responses.RequestsMock
) -> None:
    call = mocked.post(
        APEX,
        status=201,
        json=run_json("Queued", with_steps=False),
        match=[
            matchers.json_params_matcher(
                {"orchestration": "Invoice_Sync", "inputs": {"since": "2026-11-01"}},
                strict_match=False,
            )
        ],
    )
    run = client.start_run("Invoice_Sync", {"since": "2026-11-01"})
    assert run.id == RUN_ID
    assert run.status == "Queued"
    sent = json.loads(call.calls[0].request.body)
    assert uuid.UUID(sent["requestKey"]).version == 4
    assert call.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert len(mocked.calls) == 1


def test_lost_answer_to_start_is_retried_with_the_same_key_and_makes_one_run(
    client: StepforceClient, mocked: responses.RequestsMock, clock: FakeClock
) -> None:
    created: dict[str, dict[str, Any]] = {}

    def server(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        key = json.loads(request.body or "{}")["requestKey"]
        first = key not in created
        created.setdefault(key, run_json("Queued", with_steps=False, request_key=key))
        if first:  # the org commits the run, then the connection drops
            raise requests.ConnectionError("Connection reset by peer")
        return 200, {}, json.dumps(created[key])

    mocked.add_callback(responses.POST, APEX, callback=server)
    run = client.start_run("Invoice_Sync", {}, request_key="order-42")
    assert len(created) == 1
    assert run.request_key == "order-42"
    keys = [json.loads(c.request.body)["requestKey"] for c in mocked.calls]
    assert keys == ["order-42", "order-42"]
    assert clock.sleeps == [1.0]


def test_a_503_storm_gives_up_after_bounded_retries(
    client: StepforceClient, mocked: responses.RequestsMock, clock: FakeClock
) -> None:
    mocked.get(f"{APEX}/{RUN_ID}", status=503, body="Service Unavailable")
    with pytest.raises(OrgError, match="still failing after 4 attempts") as info:
        client.get_run(RUN_ID)
    assert info.value.status == 503
    assert len(mocked.calls) == 4
    assert clock.sleeps == [1.0, 2.0, 4.0]


def test_connection_errors_on_a_get_are_retried_then_reported(
    connection: OrgConnection, mocked: responses.RequestsMock, clock: FakeClock
) -> None:
    client = StepforceClient(connection, clock=clock, retry=RetryPolicy(attempts=2))
    mocked.get(f"{APEX}/{RUN_ID}", body=requests.ConnectionError("refused"))
    with pytest.raises(OrgError, match="got no answer after 2 attempts"):
        client.get_run(RUN_ID)


def test_retry_of_a_run_is_never_repeated_on_a_transient_failure(
    client: StepforceClient, mocked: responses.RequestsMock
) -> None:
    mocked.post(f"{APEX}/{RUN_ID}/retry", body=requests.ConnectionError("reset"))
    with pytest.raises(OrgError, match="whether the org acted on it is unknown"):
        client.retry(RUN_ID)
    assert len(mocked.calls) == 1


def test_retry_sends_from_step_and_overrides(
    client: StepforceClient, mocked: responses.RequestsMock
) -> None:
    mocked.post(
        f"{APEX}/{RUN_ID}/retry",
        json=run_json("Queued", with_steps=False),
        match=[
            matchers.json_params_matcher({"fromStep": "Fetch_Page", "inputs": {"pageSize": 50}})
        ],
    )
    assert client.retry(RUN_ID, "Fetch_Page", {"pageSize": 50}).status == "Queued"


def test_expired_session_is_refreshed_once(
    refreshable_connection: OrgConnection, mocked: responses.RequestsMock, clock: FakeClock
) -> None:
    client = StepforceClient(refreshable_connection, clock=clock)
    url = f"{APEX}/{RUN_ID}"
    mocked.get(
        url,
        status=401,
        json=INVALID_SESSION,
        match=[matchers.header_matcher({"Authorization": f"Bearer {TOKEN}"})],
    )
    mocked.get(
        url,
        json=run_json(),
        match=[matchers.header_matcher({"Authorization": f"Bearer {FRESH_TOKEN}"})],
    )
    assert client.get_run(RUN_ID).id == RUN_ID
    assert refreshable_connection.access_token == FRESH_TOKEN


def test_a_second_401_after_refresh_is_a_credentials_error(
    refreshable_connection: OrgConnection, mocked: responses.RequestsMock, clock: FakeClock
) -> None:
    client = StepforceClient(refreshable_connection, clock=clock)
    mocked.get(f"{APEX}/{RUN_ID}", status=401, json=INVALID_SESSION)
    with pytest.raises(CredentialsError, match="after a refresh"):
        client.get_run(RUN_ID)
    assert len(mocked.calls) == 2


def test_a_pasted_token_that_expired_says_how_to_log_in(
    client: StepforceClient, mocked: responses.RequestsMock
) -> None:
    mocked.get(f"{APEX}/{RUN_ID}", status=401, json=INVALID_SESSION)
    with pytest.raises(CredentialsError, match="sf org login web -a NAME"):
        client.get_run(RUN_ID)
    assert len(mocked.calls) == 1


def test_request_limit_exceeded_stops_at_once(
    client: StepforceClient, mocked: responses.RequestsMock, clock: FakeClock
) -> None:
    mocked.get(f"{APEX}/{RUN_ID}", status=403, json=LIMIT_EXCEEDED)
    with pytest.raises(ApiLimitError, match="DailyApiRequests") as info:
        client.get_run(RUN_ID)
    assert info.value.error_code == "REQUEST_LIMIT_EXCEEDED"
    assert len(mocked.calls) == 1
    assert clock.sleeps == []


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (404, "NOT_FOUND", NotFoundError),
        (409, "ILLEGAL_TRANSITION", ConflictError),
        (400, "INVALID_INPUT", OrgError),
    ],
)
def test_error_arrays_become_typed_errors(
    client: StepforceClient,
    mocked: responses.RequestsMock,
    status: int,
    code: str,
    kind: type[OrgError],
) -> None:
    mocked.post(f"{APEX}/{RUN_ID}/resume", status=status, json=sf_errors(code, "Run is Succeeded"))
    with pytest.raises(kind) as info:
        client.resume(RUN_ID)
    assert (info.value.status, info.value.error_code) == (status, code)
    assert str(info.value) == f"{code}: Run is Succeeded"


def test_pause_whose_answer_was_lost_counts_a_409_as_success_when_paused(
    client: StepforceClient, mocked: responses.RequestsMock
) -> None:
    url = f"{APEX}/{RUN_ID}/pause"
    mocked.post(url, body=requests.ConnectionError("reset"))
    mocked.post(url, status=409, json=sf_errors("ILLEGAL_TRANSITION", "Run is Paused"))
    mocked.get(f"{APEX}/{RUN_ID}", json=run_json("Paused"))
    assert client.pause(RUN_ID).status == "Paused"


def test_lost_cancel_then_409_on_a_run_that_is_not_cancelled_is_a_conflict(
    client: StepforceClient, mocked: responses.RequestsMock
) -> None:
    url = f"{APEX}/{RUN_ID}/cancel"
    mocked.post(url, status=504)
    mocked.post(url, status=409, json=sf_errors("ILLEGAL_TRANSITION", "Run is Succeeded"))
    mocked.get(f"{APEX}/{RUN_ID}", json=run_json("Succeeded", current=None))
    with pytest.raises(ConflictError, match=r"cannot cancel run \w+: it is Succeeded"):
        client.cancel(RUN_ID)


def test_a_409_on_the_first_attempt_is_a_conflict_without_an_extra_call(
    client: StepforceClient, mocked: responses.RequestsMock
) -> None:
    mocked.post(
        f"{APEX}/{RUN_ID}/pause", status=409, json=sf_errors("ILLEGAL_TRANSITION", "Run is Failed")
    )
    with pytest.raises(ConflictError):
        client.pause(RUN_ID)
    assert len(mocked.calls) == 1


def test_get_run_is_one_call_for_fifty_steps(
    client: StepforceClient, mocked: responses.RequestsMock
) -> None:
    steps = [step_json(f"Step_{i}", i) for i in range(50)]
    mocked.get(f"{APEX}/{RUN_ID}", json=run_json("Succeeded", steps, current=None))
    run = client.get_run(RUN_ID)
    assert len(run.steps) == 50
    assert len(mocked.calls) == 1


def test_list_runs_sends_filters_as_query_params(
    client: StepforceClient, mocked: responses.RequestsMock
) -> None:
    mocked.get(
        APEX,
        json={"runs": [run_json("Failed", with_steps=False)], "total": 6},
        match=[
            matchers.query_param_matcher(
                {"orchestration": "Invoice_Sync", "status": "Failed", "limit": "5", "offset": "5"}
            )
        ],
    )
    page = client.list_runs("Invoice_Sync", "Failed", limit=5, offset=5)
    assert page.total == 6
    assert page.runs[0].status == "Failed"
    assert not page.has_more


def test_logs_come_from_the_one_get(
    client: StepforceClient, mocked: responses.RequestsMock
) -> None:
    steps = [
        step_json("Fetch_Page", 0, status="Failed", error="Read timed out"),
        step_json("Fetch_Page", 0, attempt=2),
        step_json("Post_Summary", 1),
    ]
    mocked.get(f"{APEX}/{RUN_ID}", json=run_json("Succeeded", steps))
    logs = client.logs(RUN_ID, "Fetch_Page")
    assert [a.error for a in logs[0].attempts] == ["Read timed out", None]
    assert len(mocked.calls) == 1


def test_a_run_id_that_is_not_an_id_never_reaches_the_org(client: StepforceClient) -> None:
    with pytest.raises(Exception, match="is not a run id"):
        client.get_run("../../sobjects/User")


def test_a_start_racing_its_own_lost_attempt_gets_the_run_it_made(
    client: StepforceClient, mocked: responses.RequestsMock, clock: FakeClock
) -> None:
    body = {"orchestration": "Invoice_Sync", "inputs": {}, "requestKey": "k-7"}
    match = [matchers.json_params_matcher(body)]
    mocked.post(APEX, body=requests.ReadTimeout("read timed out"), match=match)
    mocked.post(
        APEX, status=409, json=sf_errors("DUPLICATE_VALUE", "key k-7 is in use"), match=match
    )
    mocked.post(
        APEX, status=200, json=run_json("Queued", with_steps=False, request_key="k-7"), match=match
    )
    run = client.start_run("Invoice_Sync", {}, request_key="k-7")
    assert run.request_key == "k-7"
    assert len(mocked.calls) == 3


def test_a_duplicate_key_on_the_first_attempt_is_a_conflict(
    client: StepforceClient, mocked: responses.RequestsMock
) -> None:
    mocked.post(APEX, status=409, json=sf_errors("DUPLICATE_VALUE", "key k-7 is in use"))
    with pytest.raises(ConflictError, match="DUPLICATE_VALUE"):
        client.start_run("Invoice_Sync", {}, request_key="k-7")


def test_retry_latest_sends_latest_and_reads_the_plan_version(
    client: StepforceClient, mocked: responses.RequestsMock
) -> None:
    answer = {**run_json("Queued", with_steps=False), "planVersion": "0123456789abcdef01234567"}
    mocked.post(
        f"{APEX}/{RUN_ID}/retry",
        json=answer,
        match=[matchers.json_params_matcher({"latest": True})],
    )
    run = client.retry(RUN_ID, latest=True)
    assert run.plan_version == "0123456789abcdef01234567"
    # A runtime older than the field sends none.
    assert Run.from_json(run_json("Queued", with_steps=False)).plan_version is None
