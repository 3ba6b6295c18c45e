"""``stepforce deploy`` end to end against mocked Metadata API answers (no sleeping)."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import responses
from lxml import etree as ET

from tests.deploy.conftest import (
    DEPLOY_ID,
    ORG_ARGS,
    SOAP_URL,
    STATUS_URL,
    TOKEN,
    FakeClock,
    component_failure,
    deploy_response,
    run_deploy,
    run_test_result,
    soap,
    status_response,
)

MET = {"met": "http://soap.sforce.com/2006/04/metadata"}


def _deploy_request(mocked: responses.RequestsMock) -> ET._Element:
    sent = [c.request for c in mocked.calls if c.request.url == SOAP_URL]
    assert len(sent) == 1, "exactly one deploy request is sent"
    body = sent[0].body
    assert isinstance(body, str | bytes)
    return ET.fromstring(body.encode() if isinstance(body, str) else body)


def _options(request: ET._Element) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for node in request.findall(".//met:DeployOptions/*", MET):
        found.setdefault(ET.QName(node).localname, []).append(node.text or "")
    return found


def _sent_zip(request: ET._Element) -> dict[str, bytes]:
    data = base64.b64decode(request.findtext(".//met:ZipFile", "", MET))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_check_only_deploy_with_tests_succeeds_and_reports_coverage(
    project: Path,
    org: Callable[[str], None],
    mocked: responses.RequestsMock,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    org("production")
    tests = run_test_result(
        successes=(("SfPlan_Invoice_Sync_Tests", "it_should_run_when_started"),),
        coverage=(("SfPlan_Invoice_Sync", 40, 4), ("StepforceEngine", 60, 6)),
    )
    soap(mocked, SOAP_URL, deploy_response())
    soap(
        mocked,
        STATUS_URL,
        status_response(status="InProgress", done=False, components=(12, 5, 0)),
        status_response(
            status="Succeeded",
            done=True,
            components=(12, 12, 0),
            tests=(1, 1, 0),
            details=tests,
            check_only=True,
        ),
    )
    junit = tmp_path / "test-results" / "results.xml"
    code = run_deploy(
        [
            *("deploy", str(project), *ORG_ARGS, "--check-only"),
            *("--test-level", "RunLocalTests", "--junit", str(junit)),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    request = _deploy_request(mocked)
    options = _options(request)
    assert options["checkOnly"] == ["true"]
    assert options["testLevel"] == ["RunLocalTests"]
    assert options["rollbackOnError"] == ["true"]
    assert "runTests" not in options
    sent = _sent_zip(request)
    assert b"<name>ApexClass</name>" in sent["package.xml"]
    assert "objects/Stepforce_Run__c.object" in sent
    assert f"validation {DEPLOY_ID} Succeeded: 12/12 components, 1/1 tests passed" in out
    assert "coverage 90.0%" in out
    # Progress: plain lines (not a terminal), one per change.
    assert "InProgress: components 5/12, tests 0/0, errors 0" in err
    assert clock.waits == [2.0], "one growing wait between the two status checks"
    suites = ET.fromstring(junit.read_bytes())
    case = suites.find("testsuite/testcase")
    assert case is not None
    assert case.get("classname") == "SfPlan_Invoice_Sync_Tests"
    assert case.get("name") == "it_should_run_when_started"
    assert TOKEN not in out + err


def test_specified_tests_are_sent_as_run_tests(
    project: Path,
    org: Callable[[str], None],
    mocked: responses.RequestsMock,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    org("sandbox")
    soap(mocked, SOAP_URL, deploy_response())
    soap(mocked, STATUS_URL, status_response(status="Succeeded", done=True))
    code = run_deploy(
        [
            *("deploy", str(project), *ORG_ARGS, "--test-level", "RunSpecifiedTests"),
            *("--tests", "SfPlan_Invoice_Sync_Tests, StepforceEngine_Tests"),
        ]
    )
    assert code == 0, capsys.readouterr().err
    options = _options(_deploy_request(mocked))
    assert options["runTests"] == ["SfPlan_Invoice_Sync_Tests", "StepforceEngine_Tests"]
    assert options["testLevel"] == ["RunSpecifiedTests"]
    assert options["checkOnly"] == ["false"]


@pytest.mark.parametrize(
    ("kind", "level"), [("scratch", "NoTestRun"), ("production", "RunLocalTests")]
)
def test_default_test_level_follows_the_org(
    kind: str,
    level: str,
    project: Path,
    org: Callable[[str], None],
    mocked: responses.RequestsMock,
    clock: FakeClock,
) -> None:
    org(kind)
    soap(mocked, SOAP_URL, deploy_response())
    soap(mocked, STATUS_URL, status_response(status="Succeeded", done=True))
    assert run_deploy(["deploy", str(project), *ORG_ARGS]) == 0
    assert _options(_deploy_request(mocked))["testLevel"] == [level]


def test_component_failure_is_reported_against_the_source_file(
    project: Path,
    org: Callable[[str], None],
    mocked: responses.RequestsMock,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    org("scratch")
    failures = component_failure(
        "classes/SfPlan_Invoice_Sync.cls",
        "ApexClass",
        "SfPlan_Invoice_Sync",
        "Variable does not exist: foo",
        line=12,
    ) + component_failure(
        "objects/Stepforce_Run__c.object",
        "CustomField",
        "Stepforce_Run__c.Status__c",
        "Invalid field type",
        line=30,
    )
    soap(mocked, SOAP_URL, deploy_response())
    soap(
        mocked,
        STATUS_URL,
        status_response(status="Failed", done=True, components=(12, 10, 2), details=failures),
    )
    code = run_deploy(["deploy", str(project), *ORG_ARGS])
    out, err = capsys.readouterr()
    assert code == 1
    src = f"{project.as_posix()}/force-app/main/default"  # from where the user stands
    assert f"{src}/classes/SfPlan_Invoice_Sync.cls:12: Variable does not exist: foo" in out
    assert (
        f"{src}/objects/Stepforce_Run__c/fields/Status__c.field-meta.xml: Invalid field type" in out
    )
    assert f"deploy {DEPLOY_ID} Failed (2 component error(s), 0 test failure(s))" in err


def test_test_failure_shows_stack_trace_and_coverage_warnings(
    project: Path,
    org: Callable[[str], None],
    mocked: responses.RequestsMock,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    org("production")
    tests = run_test_result(
        successes=(("StepforceEngine_Tests", "it_should_enqueue_when_started"),),
        failures=(
            (
                "SfPlan_Invoice_Sync_Tests",
                "it_should_coerce_when_number",
                "System.AssertException: Assertion Failed: coerced: Expected: 2, Actual: 3",
                "Class.SfPlan_Invoice_Sync_Tests.it_should_coerce_when_number: line 14, column 1",
            ),
        ),
        coverage=(("SfPlan_Invoice_Sync", 100, 60),),
        warnings=(
            (
                "SfPlan_Invoice_Sync",
                "Test coverage of selected Apex Class is 40%, at least 75% required",
            ),
        ),
    )
    soap(mocked, SOAP_URL, deploy_response())
    soap(
        mocked,
        STATUS_URL,
        status_response(
            status="Failed", done=True, components=(12, 12, 0), tests=(2, 2, 1), details=tests
        ),
    )
    junit = tmp_path / "junit.xml"
    code = run_deploy(["deploy", str(project), *ORG_ARGS, "--junit", str(junit)])
    out, err = capsys.readouterr()
    assert code == 1
    assert (
        "SfPlan_Invoice_Sync_Tests.it_should_coerce_when_number: System.AssertException: "
        "Assertion Failed: coerced: Expected: 2, Actual: 3" in out
    )
    assert "    Class.SfPlan_Invoice_Sync_Tests.it_should_coerce_when_number: line 14" in out
    assert (
        "coverage warning: SfPlan_Invoice_Sync: Test coverage of selected Apex Class is 40%" in out
    )
    assert "1/2 tests passed, coverage 40.0%" in out
    assert "1 test failure(s)" in err
    failure = ET.fromstring(junit.read_bytes()).find(".//failure")
    assert failure is not None
    assert "Expected: 2, Actual: 3" in (failure.get("message") or "")


def test_json_output_is_one_document_with_the_failures(
    project: Path,
    org: Callable[[str], None],
    mocked: responses.RequestsMock,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    org("scratch")
    failures = component_failure(
        "classes/StepforceEngine.cls", "ApexClass", "StepforceEngine", "Unexpected token", 3
    )
    soap(mocked, SOAP_URL, deploy_response())
    soap(mocked, STATUS_URL, status_response(status="Failed", done=True, details=failures))
    code = run_deploy(["deploy", str(project), *ORG_ARGS, "--json"])
    out, err = capsys.readouterr()
    assert code == 1
    payload = json.loads(out)
    assert payload["status"] == "Failed"
    assert payload["componentFailures"][0]["file"] == (
        f"{project.as_posix()}/force-app/main/default/classes/StepforceEngine.cls"
    )
    assert payload["componentFailures"][0]["metadataFile"] == "classes/StepforceEngine.cls"
    assert payload["componentFailures"][0]["line"] == 3
    assert payload["error"]["type"] == "FailureError"
    assert err == ""


def test_wait_running_out_exits_3_with_the_id_to_resume(
    project: Path,
    org: Callable[[str], None],
    mocked: responses.RequestsMock,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    org("scratch")
    soap(mocked, SOAP_URL, deploy_response())
    soap(
        mocked, STATUS_URL, status_response(status="InProgress", done=False, components=(12, 3, 0))
    )
    code = run_deploy(["deploy", str(project), *ORG_ARGS, "--wait", "1"])
    err = capsys.readouterr().err
    assert code == 3
    assert f"stepforce deploy --status {DEPLOY_ID}" in err
    assert sum(clock.waits) == pytest.approx(60.0), "waited exactly the minute asked for"
    assert clock.waits[:4] == [2.0, 3.0, 4.5, 6.75]
    assert max(clock.waits) <= 15.0


def test_status_resumes_watching_a_running_deploy(
    project: Path,
    org: Callable[[str], None],
    mocked: responses.RequestsMock,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    org("scratch")
    soap(mocked, STATUS_URL, status_response(status="Succeeded", done=True, components=(3, 3, 0)))
    code = run_deploy(["deploy", str(project), *ORG_ARGS, "--status", DEPLOY_ID])
    assert code == 0
    assert f"deploy {DEPLOY_ID} Succeeded: 3/3 components" in capsys.readouterr().out
    assert not [c for c in mocked.calls if c.request.url == SOAP_URL], "nothing new is deployed"


def test_production_no_test_run_with_apex_stops_before_sending(
    project: Path,
    org: Callable[[str], None],
    mocked: responses.RequestsMock,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    org("production")
    code = run_deploy(["deploy", str(project), *ORG_ARGS, "--test-level", "NoTestRun"])
    assert code == 2
    assert "production org" in capsys.readouterr().err
    assert not [c for c in mocked.calls if "Soap" in (c.request.url or "")]


def test_tests_without_run_specified_tests_is_a_usage_error(
    project: Path,
    org: Callable[[str], None],
    mocked: responses.RequestsMock,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    org("scratch")
    code = run_deploy(["deploy", str(project), *ORG_ARGS, "--tests", "A_Tests"])
    assert code == 2
    assert "--tests needs --test-level RunSpecifiedTests" in capsys.readouterr().err


def test_directory_without_sfdx_project_is_exit_2_before_any_request(
    tmp_path: Path, mocked: responses.RequestsMock, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_deploy(["deploy", str(tmp_path), *ORG_ARGS])
    assert code == 2
    assert "no sfdx-project.json" in capsys.readouterr().err
    assert len(mocked.calls) == 0


def test_expired_session_fault_is_a_credentials_error_without_the_token(
    project: Path,
    org: Callable[[str], None],
    mocked: responses.RequestsMock,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    org("scratch")
    fault = (
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
        'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:sf="http://soap.sforce.com/2006/04/metadata"><soapenv:Body><soapenv:Fault>'
        "<faultcode>sf:INVALID_SESSION_ID</faultcode><faultstring>INVALID_SESSION_ID: "
        f"Invalid Session ID found in SessionHeader: {TOKEN}</faultstring>"
        "</soapenv:Fault></soapenv:Body></soapenv:Envelope>"
    )
    mocked.post(SOAP_URL, body=fault, status=500, content_type="text/xml")
    code = run_deploy(["deploy", str(project), *ORG_ARGS])
    err = capsys.readouterr().err
    assert code == 2
    assert "refused the access token" in err
    assert TOKEN not in err


def test_main_exits_with_the_json_reports_code_and_prints_one_document(
    project: Path,
    org: Callable[[str], None],
    mocked: responses.RequestsMock,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from stepforce.cli.main import main

    org("scratch")
    soap(mocked, SOAP_URL, deploy_response())
    soap(mocked, STATUS_URL, status_response(status="InProgress", done=False))
    with pytest.raises(SystemExit) as exit_info:
        main(["deploy", str(project), *ORG_ARGS, "--wait", "0", "--json"])
    assert exit_info.value.code == 3
    payload = json.loads(capsys.readouterr().out)
    assert payload["id"] == DEPLOY_ID
    assert payload["error"]["type"] == "DeployStillRunning"


def test_a_503_while_watching_is_retried_not_reported(
    project: Path,
    org: Callable[[str], None],
    mocked: responses.RequestsMock,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    org("scratch")
    soap(mocked, SOAP_URL, deploy_response())
    mocked.post(STATUS_URL, body="Service Unavailable", status=503)
    soap(mocked, STATUS_URL, status_response(status="Succeeded", done=True, components=(2, 2, 0)))
    code = run_deploy(["deploy", str(project), *ORG_ARGS])
    assert code == 0, capsys.readouterr().err
    _deploy_request(mocked)  # asserts the deploy itself was sent exactly once
    assert [c.request.url for c in mocked.calls].count(STATUS_URL) == 2
    assert clock.waits == [2.0]


def test_a_project_that_cannot_be_converted_costs_no_api_call(
    project: Path, mocked: responses.RequestsMock, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "force-app/main/default/classes/StepforceEngine.cls-meta.xml").unlink()
    code = run_deploy(["deploy", str(project), *ORG_ARGS])
    assert code == 2
    assert "StepforceEngine.cls: missing StepforceEngine.cls-meta.xml" in capsys.readouterr().err
    assert len(mocked.calls) == 0


def test_a_spec_only_package_deploys_to_production_without_tests(
    tmp_path: Path,
    org: Callable[[str], None],
    mocked: responses.RequestsMock,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Plan documents are static resources: no Apex, so no test run (docs/engine.md)."""
    root = tmp_path / "plans-only"
    (root / "force-app" / "main" / "default" / "staticresources").mkdir(parents=True)
    (root / "sfdx-project.json").write_text(
        '{"packageDirectories": [{"path": "force-app", "default": true}],'
        ' "sourceApiVersion": "62.0"}',
        encoding="utf-8",
    )
    folder = root / "force-app" / "main" / "default" / "staticresources"
    (folder / "SfPlanV_0123456789abcdef01234567.resource").write_text("{}\n", encoding="utf-8")
    (folder / "SfPlanV_0123456789abcdef01234567.resource-meta.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<StaticResource xmlns="http://soap.sforce.com/2006/04/metadata">\n'
        "    <cacheControl>Private</cacheControl>\n"
        "    <contentType>application/json</contentType>\n"
        "</StaticResource>\n",
        encoding="utf-8",
    )
    org("production")
    soap(mocked, SOAP_URL, deploy_response())
    soap(mocked, STATUS_URL, status_response(status="Succeeded", done=True))
    assert run_deploy(["deploy", str(root), *ORG_ARGS]) == 0
    assert _options(_deploy_request(mocked))["testLevel"] == ["NoTestRun"]
    assert "holds no Apex" in capsys.readouterr().err


def test_plans_only_deploys_the_plan_documents_alone_without_tests(
    tmp_path: Path,
    org: Callable[[str], None],
    mocked: responses.RequestsMock,
    clock: FakeClock,
) -> None:
    """A spec-only change reaches production with no Apex and so no test run."""
    from stepforce.generator.generate import generate

    spec = tmp_path / "specs" / "plan.yaml"
    spec.parent.mkdir()
    spec.write_text(
        "orchestration: Plan_Only\nsteps:\n  - name: A\n    apex: StepA\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    generate([spec], out, source_dirs=[])
    org("production")
    soap(mocked, SOAP_URL, deploy_response())
    soap(mocked, STATUS_URL, status_response(status="Succeeded", done=True))
    assert run_deploy(["deploy", str(out), *ORG_ARGS, "--plans-only", "--no-sweeper"]) == 0
    request = _deploy_request(mocked)
    assert _options(request)["testLevel"] == ["NoTestRun"]
    sent = _sent_zip(request)
    assert not [name for name in sent if name.startswith(("classes/", "triggers/"))]
    resources = sorted(n for n in sent if n.startswith("staticresources/"))
    assert len(resources) == 4  # latest + version, each body and metadata
    assert b"<name>StaticResource</name>" in sent["package.xml"]
    assert b"ApexClass" not in sent["package.xml"]
