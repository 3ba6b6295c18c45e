"""The deploy core without HTTP: org kinds, test-level rules, the poller, result parsing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from lxml import etree
from simple_salesforce.exceptions import SalesforceExpiredSession

from stepforce.errors import UsageError
from stepforce.runtime_client.deploy import (
    Deployer,
    DeployRequest,
    DeployStillRunning,
    OrgKind,
    Poller,
    TransientError,
    check_deploy_id,
    org_kind_from_record,
    watch_deploy,
)
from stepforce.runtime_client.deploy import (
    TestLevel as Level,
)
from stepforce.runtime_client.deploy_result import DeployResult, junit_xml, parse_deploy_result
from tests.deploy.conftest import FakeClock, org_record, run_test_result, status_response

MD = "{http://soap.sforce.com/2006/04/metadata}"


def _result_element(xml: str) -> Any:
    return etree.fromstring(xml.encode()).find(f".//{MD}result")


@pytest.mark.parametrize(
    ("record", "kind"),
    [
        (org_record("scratch"), OrgKind.SCRATCH),
        (org_record("sandbox"), OrgKind.SANDBOX),
        (org_record("production"), OrgKind.PRODUCTION),
        (
            {
                "IsSandbox": False,
                "OrganizationType": "Developer Edition",
                "TrialExpirationDate": None,
            },
            OrgKind.DEVELOPER,
        ),
    ],
)
def test_org_kind_comes_from_the_organization_record(record: dict[str, Any], kind: OrgKind) -> None:
    assert org_kind_from_record(record) is kind


def test_only_production_defaults_to_local_tests() -> None:
    levels = {kind: kind.default_test_level for kind in OrgKind}
    assert levels.pop(OrgKind.PRODUCTION) is Level.RUN_LOCAL_TESTS
    assert set(levels.values()) == {Level.NO_TEST_RUN}


def test_production_without_apex_may_skip_tests() -> None:
    request = DeployRequest(test_level=Level.NO_TEST_RUN)
    assert request.resolve(OrgKind.PRODUCTION, has_apex=False).test_level is Level.NO_TEST_RUN
    with pytest.raises(UsageError, match="production org"):
        request.resolve(OrgKind.PRODUCTION, has_apex=True)


def test_a_package_without_apex_defaults_to_no_tests_even_on_production() -> None:
    # "If your package doesn't contain Apex components, no tests are run by default"
    # (Running Tests in a Deployment, Metadata API Developer Guide): a spec-only change.
    assert DeployRequest().resolve(OrgKind.PRODUCTION, has_apex=False).test_level is (
        Level.NO_TEST_RUN
    )
    assert DeployRequest().resolve(OrgKind.PRODUCTION, has_apex=True).test_level is (
        Level.RUN_LOCAL_TESTS
    )


def test_run_specified_tests_needs_test_names() -> None:
    with pytest.raises(UsageError, match="needs --tests"):
        DeployRequest(test_level=Level.RUN_SPECIFIED_TESTS).resolve(OrgKind.SCRATCH, True)


@pytest.mark.parametrize("name", ["A</met:runTests><met:checkOnly>false", "Bad Name", "1Class"])
def test_test_names_that_are_not_apex_names_never_reach_the_soap_body(name: str) -> None:
    request = DeployRequest(test_level=Level.RUN_SPECIFIED_TESTS, tests=(name,))
    with pytest.raises(UsageError, match="not an Apex test class name"):
        request.resolve(OrgKind.SANDBOX, has_apex=True)


def test_soap_options_are_strings_never_python_booleans() -> None:
    options = DeployRequest(check_only=True, test_level=Level.RUN_LOCAL_TESTS).soap_options()
    flags = {k: v for k, v in options.items() if k not in {"testLevel", "tests"}}
    assert set(flags.values()) <= {"true", "false"}
    assert options["checkOnly"] == "true"
    assert options["rollbackOnError"] == "true"


def test_deploy_ids_are_checked_before_use() -> None:
    assert check_deploy_id("0Af5g00000AbCdE") == "0Af5g00000AbCdE"
    with pytest.raises(UsageError, match="not a deploy id"):
        check_deploy_id("0Af5g00000AbCdE</met:asyncProcessId>")


def test_poller_waits_grow_and_are_capped() -> None:
    waits = Poller(first=2, growth=2, longest=10).waits()
    assert [next(waits) for _ in range(5)] == [2, 4, 8, 10, 10]


class _Statuses:
    def __init__(self, *results: DeployResult) -> None:
        self.results = list(results)
        self.calls = 0

    def status(self, deploy_id: str) -> DeployResult:
        self.calls += 1
        return self.results[min(self.calls, len(self.results)) - 1]


def test_watch_returns_when_done_and_reports_each_snapshot() -> None:
    clock = FakeClock()
    running = DeployResult(id="0Af000000000001", done=False, status="InProgress")
    done = DeployResult(id="0Af000000000001", done=True, status="Succeeded", success=True)
    seen: list[str] = []
    result = watch_deploy(
        _Statuses(running, running, done),
        "0Af000000000001",
        wait_minutes=5,
        poller=clock.poller(),
        on_progress=lambda r: seen.append(r.status),
    )
    assert result is done
    assert seen == ["InProgress", "InProgress", "Succeeded"]
    assert clock.waits == [2.0, 3.0]


def test_watch_gives_up_at_the_deadline_without_overshooting() -> None:
    clock = FakeClock()
    running = DeployResult(id="0Af000000000001", done=False, status="Pending")
    statuses = _Statuses(running)
    with pytest.raises(DeployStillRunning) as still:
        watch_deploy(statuses, "0Af000000000001", wait_minutes=0.5, poller=clock.poller())
    assert still.value.exit_code == 3
    assert "stepforce deploy --status 0Af000000000001" in str(still.value)
    assert sum(clock.waits) == pytest.approx(30.0)
    assert statuses.calls == len(clock.waits) + 1


def test_parse_reads_progress_of_a_running_deploy() -> None:
    xml = status_response(status="InProgress", done=False, components=(40, 12, 1), tests=(9, 3, 0))
    result = parse_deploy_result(_result_element(xml))
    assert (result.done, result.status) == (False, "InProgress")
    assert (result.components_total, result.components_deployed, result.component_errors) == (
        40,
        12,
        1,
    )
    assert (result.tests_total, result.tests_completed) == (9, 3)
    assert result.coverage_percent() is None
    assert not result.tests_ran


def test_parse_reads_tests_coverage_and_warnings() -> None:
    details = run_test_result(
        successes=(("A_Tests", "it_should_pass_when_ok"),),
        failures=(("B_Tests", "it_should_fail_when_bad", "boom", "Class.B_Tests: line 3"),),
        coverage=(("A", 10, 1), ("B", 10, 9)),
        warnings=(("B", "Test coverage of selected Apex Class is 10%, at least 75% required"),),
    )
    xml = status_response(status="Failed", done=True, tests=(2, 2, 1), details=details)
    result = parse_deploy_result(_result_element(xml))
    assert [str(t) for t in result.test_failures] == ["B_Tests.it_should_fail_when_bad: boom"]
    assert result.test_failures[0].stack_trace == "Class.B_Tests: line 3"
    assert result.coverage_percent() == Decimal("50.0")
    assert [w.name for w in result.coverage_warnings] == ["B"]


def test_junit_counts_failures_per_class() -> None:
    details = run_test_result(
        successes=(("A_Tests", "it_should_pass_when_ok"),),
        failures=(("A_Tests", "it_should_fail_when_bad", "boom <&>", "trace"),),
    )
    result = parse_deploy_result(
        _result_element(status_response(status="Failed", done=True, details=details))
    )
    suites = etree.fromstring(junit_xml(result))
    suite = suites.find("testsuite")
    assert suite is not None
    assert (suite.get("name"), suite.get("tests"), suite.get("failures")) == ("A_Tests", "2", "1")
    failure = suite.find("testcase/failure")
    assert failure is not None
    assert failure.get("message") == "boom <&>"
    assert failure.text == "trace"


class _ExpiringClient:
    def __init__(self, expired: bool) -> None:
        self.expired = expired

    def query(self, soql: str) -> dict[str, Any]:
        if self.expired:
            raise SalesforceExpiredSession("https://x/services/data", 401, "query", "expired")
        return {"records": [org_record("sandbox")]}


def test_deployer_refreshes_an_expired_token_once_and_retries() -> None:
    clients = [_ExpiringClient(expired=True), _ExpiringClient(expired=False)]
    refreshed: list[bool] = []
    deployer = Deployer(connect=lambda: clients.pop(0), refresh=lambda: refreshed.append(True))
    assert deployer.org_kind() is OrgKind.SANDBOX
    assert refreshed == [True]
    assert clients == []


def test_live_progress_updates_one_status_line_and_stops() -> None:
    from stepforce.cli.deploy_cmd import ProgressDisplay

    display = ProgressDisplay(live=True)
    display.update(DeployResult(id="0Af000000000001", done=False, status="Pending"))
    status = display._status
    assert status is not None
    display.update(
        DeployResult(
            id="0Af000000000001",
            done=False,
            status="InProgress",
            components_total=4,
            components_deployed=1,
        )
    )
    assert display._status is status, "one live line, updated in place"
    assert "InProgress: components 1/4" in str(status.status)
    display.stop()
    assert display._status is None


class _Flaky:
    """Fails ``failures`` times with a transient error, then reports the deploy done."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    def status(self, deploy_id: str) -> DeployResult:
        self.calls += 1
        if self.calls <= self.failures:
            raise TransientError("could not reach the org: ConnectionError")
        return DeployResult(id=deploy_id, done=True, status="Succeeded", success=True)


def test_watch_rides_out_transient_status_failures() -> None:
    clock = FakeClock()
    flaky = _Flaky(failures=2)
    result = watch_deploy(flaky, "0Af000000000001", wait_minutes=5, poller=clock.poller())
    assert result.status == "Succeeded"
    assert flaky.calls == 3
    assert clock.waits == [2.0, 3.0]


def test_watch_gives_up_on_persistent_failures_saying_how_to_resume() -> None:
    flaky = _Flaky(failures=100)
    with pytest.raises(TransientError, match=r"stepforce deploy --status 0Af000000000001"):
        watch_deploy(flaky, "0Af000000000001", wait_minutes=5, poller=FakeClock().poller())
    assert flaky.calls == 4


def test_the_status_request_asks_for_details_and_keeps_values_inside_their_elements() -> None:
    from stepforce.runtime_client.deploy_result import check_deploy_status_request

    body = etree.fromstring(check_deploy_status_request("00D!tok<en&", "0Af5g00000ABCDEAAA"))
    md = {"md": "http://soap.sforce.com/2006/04/metadata"}
    assert body.findtext(".//md:SessionHeader/md:sessionId", namespaces=md) == "00D!tok<en&"
    call = body.find(".//md:checkDeployStatus", namespaces=md)
    assert call is not None
    assert call.findtext("md:asyncProcessId", namespaces=md) == "0Af5g00000ABCDEAAA"
    assert call.findtext("md:includeDetails", namespaces=md) == "true"


def test_the_result_element_is_read_from_the_status_envelope() -> None:
    from stepforce.runtime_client.deploy_result import deploy_result_element

    answer = status_response(status="InProgress", done=False, components=(12, 5, 0))
    element = deploy_result_element(answer.encode())
    assert element is not None
    assert parse_deploy_result(element).components_deployed == 5
    empty = answer.replace("checkDeployStatusResponse", "somethingElse")
    assert deploy_result_element(empty.encode()) is None


def test_the_status_request_leaves_the_clients_rest_headers_alone() -> None:
    import responses
    from simple_salesforce import Salesforce

    from stepforce.runtime_client.deploy import _check_deploy_status
    from tests.deploy.conftest import DEPLOY_ID, INSTANCE, SOAP_URL, TOKEN, VERSION

    sf = Salesforce(instance_url=INSTANCE, session_id=TOKEN, version=VERSION)
    with responses.RequestsMock() as mocked:
        mocked.post(
            f"{SOAP_URL}/{DEPLOY_ID}",
            body=status_response(status="Succeeded", done=True),
            content_type="text/xml",
        )
        assert _check_deploy_status(sf, DEPLOY_ID) is not None
        sent = mocked.calls[0].request.headers
    assert sent["Content-Type"] == "text/xml"
    assert sent["SOAPAction"] == "checkDeployStatus"
    # simple-salesforce's call_salesforce updates the headers it is given; ours were a copy.
    assert sf.headers["Content-Type"] == "application/json"
    assert "SOAPAction" not in sf.headers
