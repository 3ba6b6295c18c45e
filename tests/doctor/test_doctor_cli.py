"""``stepforce doctor`` end to end against recorded exchanges: the version listing, userinfo,
the Metadata API deploy and clean-up (SOAP ``deploy``/``checkDeployStatus``), the lifecycle's
queries and anonymous Apex, and the runtime's REST API (fake_doctor_org)."""

from __future__ import annotations

import base64
import io
import json
import re
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
import responses
from click.testing import CliRunner, Result

from stepforce.cli.doctor_cmd import doctor_command
from stepforce.cli.main import main
from tests.deploy.conftest import (
    DEPLOY_ID,
    ORG_ARGS,
    SOAP_URL,
    STATUS_URL,
    FakeOrg,
    component_failure,
    deploy_response,
    soap,
    status_response,
)

from .conftest import SimClock
from .fake_doctor_org import FakeDoctorOrg

CLEANUP_ID = "0Af5g00000ClEaNUPA"
DEACTIVATE_ID = "0Af5g00000DeAcTIVA"


def _deploys(mocked: responses.RequestsMock) -> None:
    soap(
        mocked,
        SOAP_URL,
        deploy_response(DEPLOY_ID),
        deploy_response(DEACTIVATE_ID),
        deploy_response(CLEANUP_ID),
    )
    soap(mocked, STATUS_URL, status_response(status="Succeeded", done=True, components=(9, 9, 0)))
    for deploy_id in (DEACTIVATE_ID, CLEANUP_ID):
        soap(
            mocked,
            f"{SOAP_URL}/{deploy_id}",
            status_response(status="Succeeded", done=True, deploy_id=deploy_id),
        )


def _doctor(*args: str) -> Result:
    return CliRunner().invoke(doctor_command, [*ORG_ARGS, *args], catch_exceptions=False)


def _sent_zips(mocked: responses.RequestsMock) -> list[zipfile.ZipFile]:
    """The zips of the SOAP ``deploy`` calls, in order (base64 in ``<ZipFile>``)."""
    found = []
    for call in mocked.calls:
        body = call.request.body
        text = body.decode() if isinstance(body, bytes) else str(body or "")
        match = re.search(r"<(?:\w+:)?ZipFile>([^<]+)</", text)
        if match:
            found.append(zipfile.ZipFile(io.BytesIO(base64.b64decode(match.group(1)))))
    return found


def _ready(org: Callable[[str], None], mocked: responses.RequestsMock) -> None:
    org("scratch")
    _deploys(mocked)


def test_it_should_pass_every_probe_and_remove_the_package_when_the_org_behaves(
    org: Callable[[str], None],
    mocked: responses.RequestsMock,
    fake_org: FakeOrg,
    doctor_org: FakeDoctorOrg,
    sim_clock: SimClock,
) -> None:
    _ready(org, mocked)
    result = _doctor("--json")
    report = json.loads(result.stdout)
    assert result.exit_code == 0, result.stdout
    assert {p["probe"]: p["status"] for p in report["probes"]} == {
        p["probe"]: "PASS" for p in report["probes"]
    }
    assert len(report["probes"]) == 11
    assert report["cleanup"] == f"removed (deploy {CLEANUP_ID})"
    deploy, deactivate, cleanup = _sent_zips(mocked)
    flow = deactivate.read("flows/Stepforce_Probe_Flow.flow").decode()
    assert "<status>Obsolete</status>" in flow, "an active flow version cannot be deleted"
    assert "classes/StepforceProbeLimits.cls" in deploy.namelist()
    assert "remoteSiteSettings/Stepforce_Probe_My_Domain.remoteSite" in deploy.namelist()
    deleted = cleanup.read("destructiveChangesPost.xml").decode()
    assert "<members>StepforceProbeLimits</members>" in deleted
    assert "<members>Stepforce_Probe_Flow</members>" in deleted
    assert "StepforceEngine<" not in deleted, "the runtime itself is never deleted"
    assert any("StepforceEngine.enqueue(run)" in apex for apex in fake_org.anonymous)
    control = [t.split()[0] for t in doctor_org.transitions]
    assert control == ["pause", "resume", "retry", "cancel"]
    figures = {p["probe"]: p["figure"] for p in report["probes"]}
    assert figures["depth"].startswith("12 iterations, deepest chain depth 12")
    assert "retried after 61 s" in figures["retry"]
    evidence = {p["probe"]: p["runs"] for p in report["probes"]}
    assert re.fullmatch(r"a01DOCTOR\d{9} \(\d+ s\)", evidence["retry"][0]), evidence["retry"]
    assert len(evidence["idempotent-start"]) == 1, "the same run is named once"


def test_it_should_fail_with_the_evidence_when_the_engine_spends_soql_before_a_step(
    org: Callable[[str], None],
    mocked: responses.RequestsMock,
    doctor_org: FakeDoctorOrg,
    sim_clock: SimClock,
) -> None:
    def overhead(run: dict[str, Any]) -> None:
        for step in run["steps"]:
            if step["step"] == "Second":
                step["outputs"]["soqlAtStart"] = 2

    doctor_org.tamper["Stepforce_Probe_Limits"] = overhead
    _ready(org, mocked)
    result = _doctor("--only", "limits", "--only", "callout")
    assert result.exit_code == 1
    assert "FAIL    limits" in result.stdout
    assert "problem: Second: the engine spent 2 SOQL and 0 DML before it" in result.stdout
    assert "PASS    callout" in result.stdout
    assert "runs a01DOCTOR" in result.stdout


def test_it_should_exit_3_and_keep_the_package_when_a_probe_run_never_ends(
    org: Callable[[str], None],
    mocked: responses.RequestsMock,
    doctor_org: FakeDoctorOrg,
    sim_clock: SimClock,
) -> None:
    doctor_org.stuck.add("Stepforce_Probe_Depth")
    _ready(org, mocked)
    result = _doctor("--only", "depth", "--timeout-minutes", "2", "--json")
    report = json.loads(result.stdout)
    assert result.exit_code == 3
    assert report["probes"][0]["status"] == "TIMEOUT"
    assert report["cleanup"].startswith("kept: probe runs are still going")
    assert len(_sent_zips(mocked)) == 1, "no clean-up deploy while a probe run goes on"
    assert sim_clock.now >= 120


def test_it_should_exit_1_naming_the_component_when_the_probe_package_does_not_deploy(
    org: Callable[[str], None],
    mocked: responses.RequestsMock,
    doctor_org: FakeDoctorOrg,
    sim_clock: SimClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    org("scratch")
    problem = "Invalid type: Schema.Stepforce_Run__c"
    failure = component_failure(
        "classes/StepforceProbeLimits.cls", "ApexClass", "StepforceProbeLimits", problem, 7
    )
    soap(mocked, SOAP_URL, deploy_response(DEPLOY_ID))
    soap(
        mocked,
        STATUS_URL,
        status_response(status="Failed", done=True, components=(9, 8, 1), details=failure),
    )
    with pytest.raises(SystemExit) as exited:
        main(["doctor", *ORG_ARGS])
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert f"StepforceProbeLimits: {problem}" in err
    assert not doctor_org.runs, "no probe starts when the package did not deploy"


def test_it_should_leave_the_probe_package_in_the_org_when_asked_to_keep_it(
    org: Callable[[str], None],
    mocked: responses.RequestsMock,
    doctor_org: FakeDoctorOrg,
    sim_clock: SimClock,
) -> None:
    _ready(org, mocked)
    result = _doctor("--only", "sweeper", "--keep", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["cleanup"] == "kept (--keep)"
    assert len(_sent_zips(mocked)) == 1


def test_it_should_refuse_a_production_org_before_deploying_anything(
    org: Callable[[str], None],
    mocked: responses.RequestsMock,
    doctor_org: FakeDoctorOrg,
    capsys: pytest.CaptureFixture[str],
) -> None:
    org("production")
    with pytest.raises(SystemExit) as exited:
        main(["doctor", *ORG_ARGS])
    assert exited.value.code == 2
    assert "never in production" in capsys.readouterr().err
    assert _sent_zips(mocked) == []
