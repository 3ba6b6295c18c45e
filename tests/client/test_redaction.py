"""No error path, repr or log line shows the access token."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
import requests
import responses
from simple_salesforce.exceptions import SalesforceExpiredSession, SalesforceGeneralError

from stepforce.errors import CredentialsError, StepforceError
from stepforce.runtime_client.auth import OrgConnection, OrgOptions
from stepforce.runtime_client.client import StepforceClient
from stepforce.runtime_client.http import translate_salesforce_error
from stepforce.runtime_client.redact import MASK, scrub

from .conftest import APEX, INSTANCE, RUN_ID, TOKEN, FakeClock, sf_errors

ECHO = f"Session {TOKEN} rejected; Authorization: Bearer {TOKEN}"


def _texts(error: BaseException) -> list[str]:
    """Everything a user could see of an error: str, repr, attributes, and its shown chain."""
    texts: list[str] = []
    current: BaseException | None = error
    while current is not None:
        texts += [str(current), repr(current)]
        texts += [str(getattr(current, a, "")) for a in ("body", "url", "status", "error_code")]
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    return texts


def _assert_clean(error: BaseException) -> None:
    for text in _texts(error):
        assert TOKEN not in text, text
        assert TOKEN.split("!")[1] not in text, text


Setup = Callable[[responses.RequestsMock], None]
URL = f"{APEX}/{RUN_ID}"

ERROR_PATHS: dict[str, Setup] = {
    "401 pasted token": lambda m: m.get(
        URL, status=401, json=sf_errors("INVALID_SESSION_ID", ECHO)
    ),
    "403 limit": lambda m: m.get(URL, status=403, json=sf_errors("REQUEST_LIMIT_EXCEEDED", ECHO)),
    "404": lambda m: m.get(URL, status=404, json=sf_errors("NOT_FOUND", ECHO)),
    "409": lambda m: m.get(URL, status=409, json=sf_errors("ILLEGAL_TRANSITION", ECHO)),
    "500 text body": lambda m: m.get(URL, status=500, body=f"<html>{ECHO}</html>"),
    "503 storm": lambda m: m.get(URL, status=503, body=ECHO),
    "connection error": lambda m: m.get(
        URL, body=requests.ConnectionError(f"HTTPSConnectionPool: /x?sid={TOKEN} failed")
    ),
    "not a run": lambda m: m.get(URL, json={"note": ECHO}),
}


@pytest.mark.parametrize("path", sorted(ERROR_PATHS))
def test_no_error_path_shows_the_token(
    path: str,
    connection: OrgConnection,
    clock: FakeClock,
    mocked: responses.RequestsMock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    ERROR_PATHS[path](mocked)
    with pytest.raises(StepforceError) as info:
        StepforceClient(connection, clock=clock).get_run(RUN_ID)
    _assert_clean(info.value)
    assert TOKEN not in caplog.text


def test_a_failing_refresh_does_not_leak_either(
    clock: FakeClock, mocked: responses.RequestsMock
) -> None:
    def refresher() -> Any:
        raise CredentialsError(f"sf said: token {TOKEN} is revoked")

    connection = OrgConnection(INSTANCE, TOKEN, "67.0", "test", _refresher=refresher)
    mocked.get(URL, status=401, json=sf_errors("INVALID_SESSION_ID", "Session expired or invalid"))
    with pytest.raises(CredentialsError) as info:
        StepforceClient(connection, clock=clock).get_run(RUN_ID)
    assert TOKEN not in str(info.value)


@pytest.mark.parametrize("kind", [SalesforceExpiredSession, SalesforceGeneralError])
def test_simple_salesforce_exceptions_are_translated_without_the_token(kind: Any) -> None:
    raw = kind(
        f"{INSTANCE}/services/data/v67.0/query?sid={TOKEN}",
        401,
        "query",
        [{"errorCode": "INVALID_SESSION_ID", "message": ECHO}],
    )
    assert TOKEN in str(raw)  # what simple-salesforce itself would show
    error = translate_salesforce_error(raw, [TOKEN])
    _assert_clean(error)
    assert error.error_code == "INVALID_SESSION_ID"


def test_reprs_hide_the_token(connection: OrgConnection) -> None:
    options = OrgOptions(instance_url=INSTANCE, access_token=TOKEN)
    for shown in (repr(connection), str(connection), repr(options), str(options)):
        assert TOKEN not in shown


def test_scrub_masks_token_shapes_it_was_not_told_about() -> None:
    other = "00D000000000001!AQ4AQAnotherTokenQ"
    text = scrub(f"a {other} b; Authorization: Bearer xyz123; access_token=abc&x=1")
    assert other not in text
    assert "xyz123" not in text
    assert "abc" not in text
    assert text.count(MASK) == 3
