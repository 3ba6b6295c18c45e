"""``stepforce test``: Apex tests through the Tooling API, against a mocked org.

Shapes follow the Tooling API Developer Guide: "Run Unit Tests Asynchronously"
(POST tooling/runTestsAsynchronous/ answers the AsyncApexJob id as a JSON string), and the
objects "ApexTestQueueItem" (Status, ExtendedStatus, ParentJobId), "ApexTestResult"
(Outcome Pass/Fail/CompileFail/Skip, MethodName, Message, StackTrace, RunTime) and
"ApexCodeCoverageAggregate" (NumLinesCovered, NumLinesUncovered), read through the tooling
query resource (records with relationship objects, done/nextRecordsUrl paging).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import responses
from lxml import etree

from stepforce.cli import test_cmd
from stepforce.errors import UsageError
from stepforce.runtime_client.apex_tests import find_classes, select_tests
from stepforce.runtime_client.deploy import Poller

from .conftest import DATA, INSTANCE, VERSIONS, FakeClock, invoke

JOB = "7075g00000TSTRUNAA"
TOOLING = f"{DATA}/tooling"


def _attrs(kind: str, record_id: str = "000") -> dict[str, str]:
    return {"type": kind, "url": f"/services/data/v67.0/tooling/sobjects/{kind}/{record_id}"}


def queue_item(name: str, status: str, extended: str | None = None) -> dict[str, Any]:
    return {
        "attributes": _attrs("ApexTestQueueItem"),
        "ApexClass": {"attributes": _attrs("ApexClass"), "Name": name},
        "Status": status,
        "ExtendedStatus": extended,
    }


def method_result(
    name: str, method: str, outcome: str = "Pass", message: str | None = None, trace: str = ""
) -> dict[str, Any]:
    return {
        "attributes": _attrs("ApexTestResult"),
        "ApexClass": {"attributes": _attrs("ApexClass"), "Name": name},
        "MethodName": method,
        "Outcome": outcome,
        "Message": message,
        "StackTrace": trace or None,
        "RunTime": 42,
    }


def coverage(name: str, covered: int, uncovered: int) -> dict[str, Any]:
    return {
        "attributes": _attrs("ApexCodeCoverageAggregate"),
        "ApexClassOrTrigger": {"attributes": _attrs("Name"), "Name": name},
        "NumLinesCovered": covered,
        "NumLinesUncovered": uncovered,
    }


def page(records: list[dict[str, Any]], next_url: str | None = None) -> dict[str, Any]:
    return {
        "size": len(records),
        "totalSize": len(records),
        "done": next_url is None,
        "nextRecordsUrl": next_url,
        "queryLocator": None,
        "records": records,
    }


class FakeTooling:
    """The org's tooling API: queued test runs, their queue items, results and coverage."""

    def __init__(self, mocked: responses.RequestsMock) -> None:
        self.polls: list[list[dict[str, Any]]] = []  # queue items, one answer per poll
        self.results: list[dict[str, Any]] = []
        self.coverage: list[dict[str, Any]] = []
        self.posted: list[Any] = []
        self.queries: list[str] = []
        mocked.get(f"{INSTANCE}/services/data/", json=VERSIONS)
        mocked.add_callback(
            responses.POST, f"{TOOLING}/runTestsAsynchronous/", callback=self._start
        )
        mocked.add_callback(responses.GET, f"{TOOLING}/query/", callback=self._query)

    def _start(self, request: Any) -> tuple[int, dict[str, str], str]:
        self.posted.append(json.loads(request.body))
        return 200, {}, json.dumps(JOB)

    def _query(self, request: Any) -> tuple[int, dict[str, str], str]:
        soql = parse_qs(urlparse(request.url).query)["q"][0]
        self.queries.append(soql)
        if "FROM ApexTestQueueItem" in soql:
            answer = self.polls.pop(0) if len(self.polls) > 1 else self.polls[0]
            return 200, {}, json.dumps(page(answer))
        if "FROM ApexTestResult" in soql:
            return 200, {}, json.dumps(page(self.results))
        if "FROM ApexCodeCoverageAggregate" in soql:
            return 200, {}, json.dumps(page(self.coverage))
        return 400, {}, json.dumps([{"errorCode": "MALFORMED_QUERY", "message": soql}])


@pytest.fixture
def tooling(
    mocked: responses.RequestsMock, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> FakeTooling:
    monkeypatch.setattr(
        test_cmd, "make_poller", lambda: Poller(sleep=clock.sleep, clock=clock.monotonic)
    )
    return FakeTooling(mocked)


def project(tmp_path: Path) -> Path:
    """A project with two test classes, one class under test and a decoy comment."""
    classes = tmp_path / "force-app-generated" / "main" / "default" / "classes"
    classes.mkdir(parents=True)
    (tmp_path / "sfdx-project.json").write_text(
        json.dumps({"packageDirectories": [{"path": "force-app-generated", "default": True}]})
    )
    (classes / "StepforceEngine.cls").write_text(
        "// @IsTest class StepforceEngine is not a test\n"
        "public with sharing class StepforceEngine {\n}\n"
    )
    (classes / "StepforceEngine_Tests.cls").write_text(
        "@IsTest(IsParallel=true)\nprivate class StepforceEngine_Tests {\n}\n"
    )
    (classes / "SfPlanInvoice_Tests.cls").write_text(
        "/* plan tests */\n@isTest\npublic with sharing class SfPlanInvoice_Tests {\n}\n"
    )
    return tmp_path


def test_selection_merges_classes_and_methods_and_refuses_non_identifiers() -> None:
    chosen = select_tests(["A_Tests.it_one", "A_Tests.it_two", "B_Tests"], ["C_Tests"])
    assert [s.to_json() for s in chosen] == [
        {"className": "A_Tests", "testMethods": ["it_one", "it_two"]},
        {"className": "B_Tests"},
        {"className": "C_Tests"},
    ]
    # A whole class wins over one of its methods.
    assert [s.to_json() for s in select_tests(["A.x", "A"], [])] == [{"className": "A"}]
    with pytest.raises(UsageError, match="'A; DELETE' is not an Apex class"):
        select_tests([], ["A; DELETE"])


def test_local_test_classes_are_found_by_their_own_istest_annotation(tmp_path: Path) -> None:
    root = project(tmp_path)
    tests, others = find_classes([root / "force-app-generated"])
    assert tests == ["SfPlanInvoice_Tests", "StepforceEngine_Tests"]
    assert others == ["StepforceEngine"]


def test_passing_run_reports_every_test_and_the_coverage(
    tooling: FakeTooling, tmp_path: Path, clock: FakeClock
) -> None:
    tooling.polls = [
        [
            queue_item("SfPlanInvoice_Tests", "Queued"),
            queue_item("StepforceEngine_Tests", "Queued"),
        ],
        [
            queue_item("SfPlanInvoice_Tests", "Completed", "(1/1)"),
            queue_item("StepforceEngine_Tests", "Processing"),
        ],
        [
            queue_item("SfPlanInvoice_Tests", "Completed", "(1/1)"),
            queue_item("StepforceEngine_Tests", "Completed", "(2/2)"),
        ],
    ]
    tooling.results = [
        method_result("SfPlanInvoice_Tests", "it_should_sync_when_started"),
        method_result("StepforceEngine_Tests", "it_should_retry_when_failed"),
        method_result("StepforceEngine_Tests", "it_should_stop_when_cancelled"),
    ]
    tooling.coverage = [coverage("StepforceEngine", 180, 20)]
    code, out, err = invoke(["test", str(project(tmp_path))])
    assert code == 0, err
    assert tooling.posted == [
        {
            "tests": [{"className": "SfPlanInvoice_Tests"}, {"className": "StepforceEngine_Tests"}],
            "testLevel": "RunSpecifiedTests",
        }
    ]
    assert f"Started Apex test run {JOB}: 2 class(es)" in err
    assert "0 of 2 test classes done (Queued 2)" in err
    assert "1 of 2 test classes done (Processing 1)" in err
    assert "2 of 2 test classes done" in err
    assert "ok   SfPlanInvoice_Tests    1/1 passed  0.04 s" in out
    assert "ok   StepforceEngine_Tests  2/2 passed  0.08 s" in out
    assert "StepforceEngine    90.0%  (180/200)" in out
    assert f"3 tests: 3 passed, 0 failed, 0 skipped, coverage 90.0% (run {JOB})" in out
    assert clock.sleeps == [2.0, 3.0]  # growing waits, never a real sleep
    # Coverage is asked for the project's classes under test, by name.
    assert "WHERE ApexClassOrTrigger.Name IN ('StepforceEngine')" in tooling.queries[-1]
    assert f"WHERE AsyncApexJobId = '{JOB}'" in tooling.queries[-2]


def test_failing_method_exits_1_with_message_stack_trace_and_junit(
    tooling: FakeTooling, tmp_path: Path
) -> None:
    trace = "Class.StepforceEngine.advance: line 88, column 1\nClass.StepforceEngine_Tests: line 12"
    tooling.polls = [[queue_item("StepforceEngine_Tests", "Completed", "(1/2)")]]
    tooling.results = [
        method_result("StepforceEngine_Tests", "it_should_retry_when_failed"),
        method_result(
            "StepforceEngine_Tests",
            "it_should_stop_when_cancelled",
            "Fail",
            "System.AssertException: Assertion Failed: run should be Cancelled: "
            "Expected: Cancelled, Actual: Running",
            trace,
        ),
    ]
    junit = tmp_path / "out" / "apex.xml"
    code, out, err = invoke(
        ["test", "--tests", "StepforceEngine_Tests", "--junit", str(junit), str(tmp_path)]
    )
    assert code == 1
    assert (
        "FAIL StepforceEngine_Tests.it_should_stop_when_cancelled (42 ms): "
        "System.AssertException: Assertion Failed" in out
    )
    assert "    Class.StepforceEngine.advance: line 88, column 1" in out
    assert "FAIL StepforceEngine_Tests  1/2 passed  0.08 s" in out
    assert "error: 1 of 2 Apex tests failed" in err
    suite = etree.fromstring(junit.read_bytes()).find("testsuite")
    assert suite is not None
    assert (suite.get("name"), suite.get("tests"), suite.get("failures")) == (
        "StepforceEngine_Tests",
        "2",
        "1",
    )
    failure = suite.find("testcase[@name='it_should_stop_when_cancelled']/failure")
    assert failure is not None
    assert failure.get("type") == "Fail"
    assert failure.text == trace
    assert suite.find("testcase[@name='it_should_retry_when_failed']/failure") is None


def test_a_class_that_cannot_run_fails_the_run(tooling: FakeTooling, tmp_path: Path) -> None:
    why = "Class compilation error: Variable does not exist: engine (line 12)"
    tooling.polls = [[queue_item("Broken_Tests", "Failed", why)]]
    code, out, err = invoke(["test", "--json", "--class-names", "Broken_Tests", str(tmp_path)])
    assert code == 1
    report = json.loads(out)
    assert report["success"] is False
    assert report["summary"]["classesNotRun"] == 1
    assert report["classes"] == [
        {"class": "Broken_Tests", "status": "Failed", "extendedStatus": why}
    ]
    assert err == ""  # --json: no progress, no credentials note


def test_timeout_exits_3_and_says_how_to_collect_later(
    tooling: FakeTooling, tmp_path: Path, clock: FakeClock
) -> None:
    tooling.polls = [[queue_item("StepforceEngine_Tests", "Processing")]]
    code, out, err = invoke(
        ["test", "--tests", "StepforceEngine_Tests", "--wait-minutes", "1", str(tmp_path)]
    )
    assert code == 3
    assert out == ""
    assert "still running after 1 minute(s) (0 of 1 classes done)" in err
    assert f"stepforce test --job-id {JOB}" in err
    assert sum(clock.sleeps) == 60.0
    assert max(clock.sleeps) <= 15.0


def test_job_id_collects_an_earlier_run_without_starting_one(
    tooling: FakeTooling, tmp_path: Path
) -> None:
    tooling.polls = [[queue_item("StepforceEngine_Tests", "Completed", "(1/1)")]]
    tooling.results = [method_result("StepforceEngine_Tests", "it_should_retry_when_failed")]
    code, out, _err = invoke(["test", "--job-id", JOB, "--json", str(tmp_path)])
    assert code == 0
    assert tooling.posted == []
    assert json.loads(out)["tests"][0]["method"] == "it_should_retry_when_failed"
    code, _out, err = invoke(["test", "--job-id", "nope'", str(tmp_path)])
    assert code == 2
    assert "is not a test run id" in err


def test_query_pages_are_followed(
    mocked: responses.RequestsMock, tooling: FakeTooling, tmp_path: Path
) -> None:
    more = "/services/data/v67.0/tooling/query/01gRO0000016PIAYA2-2000"
    tooling.polls = [[queue_item("A_Tests", "Completed")]]
    first = [method_result("A_Tests", "it_one")]
    tooling.results = first
    mocked.get(f"{INSTANCE}{more}", json=page([method_result("A_Tests", "it_two", "Skip")]))
    original: Callable[..., Any] = tooling._query

    def paged(request: Any) -> tuple[int, dict[str, str], str]:
        status, headers, body = original(request)
        if "FROM ApexTestResult" in tooling.queries[-1]:
            return status, headers, json.dumps(page(first, next_url=more))
        return status, headers, body

    mocked.remove(responses.GET, f"{TOOLING}/query/")
    mocked.add_callback(responses.GET, f"{TOOLING}/query/", callback=paged)
    code, out, _err = invoke(["test", "--tests", "A_Tests", "--json", str(tmp_path)])
    assert code == 0
    assert [t["method"] for t in json.loads(out)["tests"]] == ["it_one", "it_two"]
    assert json.loads(out)["summary"]["skipped"] == 1


def test_no_tests_and_no_project_is_a_usage_error(tmp_path: Path) -> None:
    code, _out, err = invoke(["test", str(tmp_path)])
    assert code == 2
    assert "no test classes found" in err
    assert re.search(r"--tests or --class-names", err)


def test_losing_the_org_while_waiting_says_how_to_collect_the_run(
    mocked: responses.RequestsMock, tooling: FakeTooling, tmp_path: Path, clock: FakeClock
) -> None:
    mocked.remove(responses.GET, f"{TOOLING}/query/")
    mocked.get(
        f"{TOOLING}/query/",
        body=requests.exceptions.ConnectionError("[Errno 104] Connection reset by peer"),
    )
    code, out, err = invoke(["test", "--tests", "A_Tests", str(tmp_path)])
    assert code == 1
    assert out == ""
    assert "connection reset for acme.my.salesforce.com" in err
    assert f"Apex test run {JOB} goes on in the org" in err
    assert f"stepforce test --job-id {JOB}" in err
    assert tooling.posted == [
        {"tests": [{"className": "A_Tests"}], "testLevel": "RunSpecifiedTests"}
    ]
