"""Fixtures for the runtime client: an org connection, Run JSON shaped like the runtime's
StepforceRunJson output, a fake clock, a mocked org (``responses``), and ``invoke`` with the
``org`` fixture for the ``stepforce run ...`` commands."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import responses
from click.testing import CliRunner
from responses import matchers

from stepforce.cli import run_options
from stepforce.cli.main import main
from stepforce.runtime_client.auth import OrgConnection
from stepforce.runtime_client.external_cli import ToolCredentials

INSTANCE = "https://acme.my.salesforce.com"
TOKEN = "00D5g000004ABCD!AQ0AQFakeSessionTokenValue.abc_DEF-123"
FRESH_TOKEN = "00D5g000004ABCD!AQ0AQFreshSessionTokenValue.xyz_987"
APEX = f"{INSTANCE}/services/apexrest/stepforce/v1/runs"
DATA = f"{INSTANCE}/services/data/v67.0"
RUN_ID = "a015g00000ABCDEAA2"
VERSIONS = [
    {"label": "Spring '26", "url": "/services/data/v66.0", "version": "66.0"},
    {"label": "Summer '26", "url": "/services/data/v67.0", "version": "67.0"},
    {"label": "Winter '26", "url": "/services/data/v65.0", "version": "65.0"},
]
T0 = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
# User ids (18 characters, key prefix 005) for the runtime's startedBy and ranAs: the user who
# started a run, and the Automated Process user an event relay continues a run as when no
# PlatformEventSubscriberConfig names one (docs/runtime.md, "Chain depth and the relay").
STARTER = "0055g00000StartAAA"
AUTOMATED_PROCESS = "0055g00000AutoPAAA"


def iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def step_json(
    step: str,
    index: int,
    *,
    status: str = "Succeeded",
    attempt: int = 1,
    iteration: int = 1,
    start: float = 0.0,
    seconds: float = 10.0,
    limits: dict[str, int] | None = None,
    error: str | None = None,
    outputs: dict[str, Any] | None = None,
    ran_as: str | None = STARTER,
) -> dict[str, Any]:
    """A StepRun as docs/runtime.md ("REST API") documents it; ``ran_as=None`` leaves the
    ``ranAs`` key out, as a runtime older than the field does."""
    started = T0 + dt.timedelta(seconds=start)
    used = {"soql": 3, "dml": 1, "cpuMs": 420, "heapBytes": 150_000, "callouts": 0}
    used.update(limits or {})
    data: dict[str, Any] = {
        "id": f"a025g00000S{index:02d}{attempt}{iteration}AA",
        "step": step,
        "index": index,
        "type": "Apex",
        "status": status,
        "attempt": attempt,
        "iteration": iteration,
        "inputs": {"pageSize": 200},
        "outputs": outputs if outputs is not None else {"fetched": 200},
        "error": error,
        "jobId": "7075g00000JOB01AAA",
        "startedAt": iso(started),
        "finishedAt": iso(started + dt.timedelta(seconds=seconds)),
        "limits": used,
    }
    if ran_as is not None:
        data["ranAs"] = ran_as
    return data


def run_json(
    status: str = "Running",
    steps: list[dict[str, Any]] | None = None,
    *,
    run_id: str = RUN_ID,
    current: str | None = "Fetch_Page",
    error: str | None = None,
    finished_after: float | None = None,
    request_key: str = "key-1",
    with_steps: bool = True,
    job_id: str | None = None,
    started_by: str | None = STARTER,
) -> dict[str, Any]:
    """A Run as docs/runtime.md ("REST API") documents it; ``started_by=None`` leaves the
    ``startedBy`` key out, as a runtime older than the field does."""
    data: dict[str, Any] = {
        "id": run_id,
        "orchestration": "Invoice_Sync",
        "status": status,
        "currentStep": current,
        "requestKey": request_key,
        "trigger": "Api",
        "inputs": {"since": "2026-11-01", "pageSize": 200},
        "context": {"inputs": {"since": "2026-11-01"}, "steps": {}},
        "error": error,
        "startedAt": iso(T0),
        "finishedAt": iso(T0 + dt.timedelta(seconds=finished_after))
        if finished_after is not None
        else None,
        "jobId": job_id,
    }
    if started_by is not None:
        data["startedBy"] = started_by
    if with_steps:
        data["steps"] = steps or []
    return data


# The runtime's schedules routes and a Schedule as StepforceRunJson.schedule writes it: Apex
# REST returns what a void method put in RestContext.response.responseBody, with the
# statusCode it set (RestResponse Class, "responseBody": "If the method returns void, then
# Apex REST returns the response in the responseBody property").
SCHEDULES = f"{INSTANCE}/services/apexrest/stepforce/v1/schedules"
SCHEDULE = {
    "id": "08e5g00000ABCDEAAA",
    "name": "Nightly",
    "cron": "0 0 2 * * ?",
    "state": "WAITING",
    "nextFireTime": "2026-11-26T02:00:00.000Z",
    "previousFireTime": None,
}


def mock_nightly_schedule(mock: responses.RequestsMock) -> responses.BaseResponse:
    """``POST schedules`` of Invoice_Sync as "Nightly" at 2:00 with since=2026-11-01 -> 201."""
    body = {
        "orchestration": "Invoice_Sync",
        "cron": "0 0 2 * * ?",
        "inputs": {"since": "2026-11-01"},
        "name": "Nightly",
    }
    return mock.post(
        SCHEDULES, status=201, json=SCHEDULE, match=[matchers.json_params_matcher(body)]
    )


def sf_errors(code: str, message: str) -> list[dict[str, str]]:
    return [{"errorCode": code, "message": message}]


class FakeClock:
    """Simulated time: sleeping advances it instantly and is recorded."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


@pytest.fixture
def connection() -> OrgConnection:
    return OrgConnection(INSTANCE, TOKEN, "67.0", "Credentials from a test.")


@pytest.fixture
def refreshable_connection() -> OrgConnection:
    return OrgConnection(
        INSTANCE,
        TOKEN,
        "67.0",
        "Credentials from the Salesforce CLI org 'dev'.",
        _refresher=lambda: ToolCredentials(INSTANCE, FRESH_TOKEN),
    )


ENV = {"SF_INSTANCE_URL": INSTANCE, "SF_ACCESS_TOKEN": TOKEN}


def invoke(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Run ``stepforce ARGS`` through main() (the real exit codes) in CliRunner's isolation."""
    with CliRunner().isolation(env=ENV if env is None else env) as (out, err, _both):
        try:
            main(args)
        except SystemExit as exit_:
            code = int(exit_.code or 0)
        else:
            code = 0
        return code, out.getvalue().decode(), err.getvalue().decode()


@pytest.fixture
def org(
    mocked: responses.RequestsMock, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> responses.RequestsMock:
    """A mocked org for CLI commands, which watch in the simulated time of ``clock``."""
    mocked.get(f"{INSTANCE}/services/data/", json=VERSIONS)
    monkeypatch.setattr(run_options, "clock_factory", lambda: clock)
    return mocked
