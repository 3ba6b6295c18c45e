"""``stepforce deploy --assign-permission-set``: after a successful deploy the user gets the
set once (userinfo, two queries, one insert when not held), never after a failure or with
--check-only."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import responses
from responses import matchers

from tests.deploy.conftest import (
    DEPLOY_ID,
    INSTANCE,
    ORG_ARGS,
    SOAP_URL,
    STATUS_URL,
    VERSION,
    FakeClock,
    component_failure,
    deploy_response,
    run_deploy,
    soap,
    status_response,
)

USER_ID = "0055g00000AbCdEAAA"
PERMISSION_SET_ID = "0PS5g00000XyZabAAA"
USERINFO_URL = f"{INSTANCE}/services/oauth2/userinfo"


def _permission_set_answers(mocked: responses.RequestsMock, *, held: bool) -> None:
    """userinfo and the two queries, registered before the Organization query of ``org``."""
    mocked.get(
        USERINFO_URL,
        json={
            "sub": f"https://login.salesforce.com/id/00D5g000000AbCdEAA/{USER_ID}",
            "user_id": USER_ID,
            "organization_id": "00D5g000000AbCdEAA",
            "preferred_username": "dev@acme.test",
        },
    )
    query = f"{INSTANCE}/services/data/v{VERSION}/query/"
    mocked.get(
        query,
        match=[
            matchers.query_param_matcher(
                {"q": "SELECT Id FROM PermissionSet WHERE Name = 'Stepforce_Admin'"}
            )
        ],
        json={
            "totalSize": 1,
            "done": True,
            "records": [
                {
                    "attributes": {
                        "type": "PermissionSet",
                        "url": f"/services/data/v{VERSION}/sobjects/PermissionSet/"
                        + PERMISSION_SET_ID,
                    },
                    "Id": PERMISSION_SET_ID,
                }
            ],
        },
    )
    assignment = {
        "attributes": {"type": "PermissionSetAssignment"},
        "Id": "0Pa5g00000AbCdEAAA",
    }
    mocked.get(
        query,
        match=[
            matchers.query_param_matcher(
                {
                    # The exact SOQL the client sends (ids quoted by format_soql).
                    "q": "SELECT Id FROM PermissionSetAssignment WHERE "  # noqa: S608
                    f"AssigneeId = '{USER_ID}' AND PermissionSetId = '{PERMISSION_SET_ID}'"
                }
            )
        ],
        json={"totalSize": 1 if held else 0, "done": True, "records": [assignment] if held else []},
    )


@pytest.mark.parametrize("held", [False, True])
def test_a_deploy_can_give_you_a_permission_set_once(
    project: Path,
    org: Callable[[str], None],
    mocked: responses.RequestsMock,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
    held: bool,
) -> None:
    _permission_set_answers(mocked, held=held)
    org("scratch")
    soap(mocked, SOAP_URL, deploy_response())
    soap(mocked, STATUS_URL, status_response(status="Succeeded", done=True))
    created = mocked.post(
        f"{INSTANCE}/services/data/v{VERSION}/sobjects/PermissionSetAssignment/",
        json={"id": "0Pa5g00000AbCdEAAA", "success": True, "errors": []},
        status=201,
    )
    args = ["deploy", str(project), *ORG_ARGS, "--assign-permission-set", "Stepforce_Admin"]
    assert run_deploy(args) == 0
    out = capsys.readouterr().out
    if held:
        assert created.call_count == 0
        assert "permission set you already held Stepforce_Admin" in out
    else:
        sent = created.calls[0].request.body
        assert json.loads(sent) == {"AssigneeId": USER_ID, "PermissionSetId": PERMISSION_SET_ID}
        assert "permission set assigned to you: Stepforce_Admin" in out


def test_watching_a_deploy_with_status_gives_the_set_once_it_succeeded(
    project: Path,
    org: Callable[[str], None],
    mocked: responses.RequestsMock,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _permission_set_answers(mocked, held=True)
    org("scratch")
    soap(mocked, STATUS_URL, status_response(status="Succeeded", done=True))
    args = [*("deploy", "--status", DEPLOY_ID), *ORG_ARGS]
    assert run_deploy([*args, "--assign-permission-set", "Stepforce_Admin"]) == 0
    assert "permission set you already held Stepforce_Admin" in capsys.readouterr().out
    assert not any(c.request.url == SOAP_URL for c in mocked.calls), "nothing deployed again"


def test_permission_sets_are_not_assigned_after_a_failed_deploy(
    project: Path,
    org: Callable[[str], None],
    mocked: responses.RequestsMock,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    org("scratch")
    soap(mocked, SOAP_URL, deploy_response())
    failure = component_failure(
        "classes/SfPlan_Invoice_Sync.cls", "ApexClass", "SfPlan_Invoice_Sync", "Bad code", 3
    )
    soap(
        mocked,
        STATUS_URL,
        status_response(status="Failed", done=True, components=(1, 0, 1), details=failure),
    )
    args = ["deploy", str(project), *ORG_ARGS, "--assign-permission-set", "Stepforce_Admin"]
    assert run_deploy(args) == 1
    assert not [c for c in mocked.calls if "userinfo" in c.request.url]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--check-only"], "needs a real deploy"),
        (["--assign-permission-set", "Admin'; DELETE"], "not a permission set API name"),
    ],
)
def test_bad_permission_set_requests_stop_before_any_call(
    project: Path,
    mocked: responses.RequestsMock,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    message: str,
) -> None:
    args = ["deploy", str(project), *ORG_ARGS, "--assign-permission-set", "Stepforce_Admin"]
    assert run_deploy([*args, *extra]) == 2
    assert message in capsys.readouterr().err
    assert len(mocked.calls) == 0
