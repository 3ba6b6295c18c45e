"""``stepforce deploy`` and the runtime's lifecycle: the pending-jobs preflight, the sweeper,
the specs' schedules, removed plans and which tests ran, against mocked org answers.

Shapes: REST query answers and ``/composite`` (REST API Developer Guide, "Execute a SOQL
Query", "Send Multiple Requests Using Composite"), the Tooling API's ``executeAnonymous``
answer ("Tooling API: executeAnonymous"), and ``checkDeployStatus`` with ``runTestResult``
(Metadata API Developer Guide, "DeployResult", "RunTestsResult").
"""

from __future__ import annotations

import base64
import io
import json
import re
import zipfile
from pathlib import Path

import responses
from lxml import etree as ET

from stepforce.deploy_plan import (
    SWEEPER_CRON,
    SWEEPER_JOB_NAME,
    DeployPlan,
    PlannedSchedule,
)
from tests.deploy.conftest import (
    ORG_ARGS,
    SOAP_URL,
    STATUS_URL,
    SWEEPER_ID_FOR_TESTS,
    TOKEN,
    Deploying,
    FakeOrg,
    apex_literals,
    cron_record,
    deploy_response,
    envelope,
    input_record,
    lifecycle_project,
    run_deploy,
    run_test_result,
    soap,
    status_response,
    succeeds,
)

MET = {"met": "http://soap.sforce.com/2006/04/metadata"}
SWEEPER_ID = SWEEPER_ID_FOR_TESTS
ORDERS = PlannedSchedule("Order_Sync", "0 0 2 * * ?", {"since": "2026-11-01"})


def _deploys_sent(mocked: responses.RequestsMock) -> list[ET._Element]:
    bodies = [c.request.body for c in mocked.calls if c.request.url == SOAP_URL]
    return [ET.fromstring(b.encode() if isinstance(b, str) else b) for b in bodies]


def _sent_zip(mocked: responses.RequestsMock) -> dict[str, bytes]:
    (request,) = _deploys_sent(mocked)
    data = base64.b64decode(request.findtext(".//met:ZipFile", "", MET))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


# -- pending-jobs preflight ------------------------------------------------------------------


def test_no_pending_jobs_deploys_then_schedules_the_sweeper_once(
    project: Path, deploying: Deploying
) -> None:
    fake_org, mocked = deploying.start("scratch")
    succeeds(mocked)
    code = run_deploy(["deploy", str(lifecycle_project(project, DeployPlan())), *ORG_ARGS])
    out, err = deploying.output()
    assert code == 0, err
    assert fake_org.anonymous == [
        f"StepforceSweeper.schedule('{SWEEPER_JOB_NAME}', '{SWEEPER_CRON}');"
    ]
    assert f"sweeper '{SWEEPER_JOB_NAME}': scheduled ({SWEEPER_CRON})" in out
    # The call budget of a first deploy: 1 composite, deploy + 1 status check, 1 composite
    # (CronTrigger), 1 anonymous Apex (the sweeper).
    assert fake_org.calls(mocked) == [
        "POST /services/data/v62.0/composite",
        "POST /services/Soap/m/62.0/deployRequest",
        "POST /services/Soap/m/62.0/deployRequest/0Af5g00000AbCdEFGH",
        "POST /services/data/v62.0/composite",
        "GET /services/data/v62.0/tooling/executeAnonymous/",
    ]
    assert any("FROM AsyncApexJob" in q and "'Stepforce%'" in q for q in fake_org.soql)
    assert TOKEN not in out + err


def test_pending_jobs_stop_the_deploy_before_anything_is_sent(
    project: Path, deploying: Deploying
) -> None:
    fake_org, mocked = deploying.start("sandbox")
    fake_org.pending = [
        {
            "Id": "7075g00000QuEuEAAA",
            "JobType": "Queueable",
            "Status": "Processing",
            "ApexClass": {"attributes": {"type": "ApexClass"}, "Name": "StepforceEngine"},
            "CronTriggerId": None,
        },
        {  # the sweeper's job: shown once, from CronTrigger
            "Id": "7075g00000SwEePAAA",
            "JobType": "ScheduledApex",
            "Status": "Queued",
            "ApexClass": {"attributes": {"type": "ApexClass"}, "Name": "StepforceSweeper"},
            "CronTriggerId": SWEEPER_ID,
        },
        {  # scheduled under a name of the user's choosing: only AsyncApexJob shows it
            "Id": "7075g00000NiGhTAAA",
            "JobType": "ScheduledApex",
            "Status": "Queued",
            "ApexClass": {"attributes": {"type": "ApexClass"}, "Name": "StepforceScheduledStart"},
            "CronTriggerId": "08e5g00000NiGhTAAA",
        },
    ]
    fake_org.scheduled = [cron_record(SWEEPER_ID, SWEEPER_JOB_NAME, SWEEPER_CRON)]
    code = run_deploy(["deploy", str(lifecycle_project(project, DeployPlan())), *ORG_ARGS])
    _out, err = deploying.output()
    assert code == 1
    assert _deploys_sent(mocked) == [], "nothing is deployed"
    assert "Queueable StepforceEngine (Processing, 7075g00000QuEuEAAA)" in err
    assert "ScheduledApex StepforceScheduledStart (Queued, 7075g00000NiGhTAAA)" in err
    assert "StepforceSweeper (Queued" not in err, "the sweeper is listed once, by its name"
    assert f"scheduled '{SWEEPER_JOB_NAME}' (WAITING" in err
    assert (
        '"Allow deployments of components when corresponding Apex jobs are pending or in '
        'progress"' in err
    )
    for option in ("wait for the running jobs", "stepforce run pause", "Deployment Settings"):
        assert option in err
    assert "--force" in err
    assert fake_org.anonymous == []


def test_force_deploys_despite_pending_jobs_and_keeps_the_scheduled_sweeper(
    project: Path, deploying: Deploying
) -> None:
    fake_org, mocked = deploying.start("sandbox")
    fake_org.scheduled = [cron_record(SWEEPER_ID, SWEEPER_JOB_NAME, SWEEPER_CRON)]
    succeeds(mocked)
    path = lifecycle_project(project, DeployPlan())
    code = run_deploy(["deploy", str(path), *ORG_ARGS, "--force", "--json"])
    out, err = deploying.output()
    assert code == 0, err
    assert len(_deploys_sent(mocked)) == 1
    assert fake_org.anonymous == [], "the sweeper is scheduled already: never a second one"
    payload = json.loads(out)
    assert payload["sweeper"]["action"] == "unchanged"
    assert payload["preflight"]["scheduledJobs"][0]["name"] == SWEEPER_JOB_NAME
    assert "--force" in payload["warnings"][0]
    assert "--force: deploying although" in err


def test_no_sweeper_schedules_nothing(project: Path, deploying: Deploying) -> None:
    fake_org, mocked = deploying.start("scratch")
    succeeds(mocked)
    path = lifecycle_project(project, DeployPlan())
    code = run_deploy(["deploy", str(path), *ORG_ARGS, "--no-sweeper", "--json"])
    out, err = deploying.output()
    assert code == 0, err
    assert fake_org.anonymous == []
    assert json.loads(out)["sweeper"] is None


def test_check_only_changes_no_schedule(project: Path, deploying: Deploying) -> None:
    fake_org, mocked = deploying.start("scratch")
    soap(mocked, SOAP_URL, deploy_response())
    soap(mocked, STATUS_URL, status_response(status="Succeeded", done=True, check_only=True))
    path = lifecycle_project(project, DeployPlan(schedules=(ORDERS,)))
    code = run_deploy(["deploy", str(path), *ORG_ARGS, "--check-only"])
    assert code == 0, deploying.output()[1]
    assert fake_org.anonymous == []
    assert sum("FROM CronTrigger" in q for q in fake_org.soql) == 1, "only the preflight's"


def _owned_jobs_scheduled(fake_org: FakeOrg) -> None:
    fake_org.scheduled = [
        cron_record(SWEEPER_ID, SWEEPER_JOB_NAME, SWEEPER_CRON),
        cron_record("08e5g00000OrDeRAAA", "Stepforce Order_Sync", "0 0 1 * * ?"),
    ]


def test_unschedule_first_aborts_stepforce_jobs_then_schedules_them_after_the_deploy(
    project: Path, deploying: Deploying
) -> None:
    fake_org, mocked = deploying.start("scratch")
    _owned_jobs_scheduled(fake_org)
    succeeds(mocked)
    path = lifecycle_project(project, DeployPlan(schedules=(ORDERS,)))
    code = run_deploy(["deploy", str(path), *ORG_ARGS, "--unschedule-first", "--json"])
    out, err = deploying.output()
    assert code == 0, err
    before, sweeper, schedules = fake_org.anonymous
    assert before.splitlines() == [
        f"System.abortJob('{SWEEPER_ID}');",
        "System.abortJob('08e5g00000OrDeRAAA');",
    ]
    assert sweeper.startswith("StepforceSweeper.schedule(")
    assert apex_literals(schedules)[:2] == ["Stepforce Order_Sync", ORDERS.cron]
    calls = fake_org.calls(mocked)
    assert calls.index("POST /services/Soap/m/62.0/deployRequest") == 2, "aborted before"
    assert sorted(r["CronJobDetail"]["Name"] for r in fake_org.scheduled) == [
        "Stepforce Order_Sync",
        SWEEPER_JOB_NAME,
    ]
    payload = json.loads(out)
    assert payload["schedules"][0]["action"] == "scheduled"
    assert "scheduled again after it" in payload["warnings"][0]


def test_unschedule_first_restores_the_jobs_as_they_were_when_the_deploy_fails(
    project: Path, deploying: Deploying
) -> None:
    fake_org, mocked = deploying.start("scratch")
    _owned_jobs_scheduled(fake_org)
    soap(mocked, SOAP_URL, deploy_response())
    soap(mocked, STATUS_URL, status_response(status="Failed", done=True, components=(1, 0, 1)))
    path = lifecycle_project(project, DeployPlan(schedules=(ORDERS,)))
    code = run_deploy(["deploy", str(path), *ORG_ARGS, "--unschedule-first"])
    out, _err = deploying.output()
    assert code == 1
    _before, restored = fake_org.anonymous
    assert [apex_literals(line)[:2] for line in restored.splitlines()] == [
        [SWEEPER_JOB_NAME, SWEEPER_CRON],
        ["Stepforce Order_Sync", "0 0 1 * * ?"],  # its cron before the deploy, not the new one
    ]
    assert "schedule 'Stepforce Order_Sync': restored (0 0 1 * * ?)" in out


def test_unschedule_first_schedules_the_jobs_again_when_the_deploy_is_refused_before_it_starts(
    project: Path, deploying: Deploying
) -> None:
    fake_org, mocked = deploying.start("scratch")
    _owned_jobs_scheduled(fake_org)
    # A SOAP fault (Metadata API: the deploy call refused, no AsyncResult id).
    fault = envelope(
        "<soapenv:Fault><faultcode>sf:INVALID_TYPE</faultcode>"
        "<faultstring>INVALID_TYPE: the zip could not be read</faultstring></soapenv:Fault>"
    )
    mocked.post(SOAP_URL, body=fault, status=500, content_type="text/xml")
    path = lifecycle_project(project, DeployPlan(schedules=(ORDERS,)))
    code = run_deploy(["deploy", str(path), *ORG_ARGS, "--unschedule-first"])
    _out, err = deploying.output()
    assert code == 1, err
    _aborted, restored = fake_org.anonymous
    assert [apex_literals(line)[:2] for line in restored.splitlines()] == [
        [SWEEPER_JOB_NAME, SWEEPER_CRON],
        ["Stepforce Order_Sync", "0 0 1 * * ?"],
    ]
    assert "the deploy did not start; scheduled 'Stepforce runtime sweeper'" in err
    assert {r["CronJobDetail"]["Name"] for r in fake_org.scheduled} == {
        SWEEPER_JOB_NAME,
        "Stepforce Order_Sync",
    }


def test_unschedule_first_still_stops_for_jobs_it_cannot_make_again(
    project: Path, deploying: Deploying
) -> None:
    fake_org, mocked = deploying.start("scratch")
    _owned_jobs_scheduled(fake_org)
    fake_org.scheduled.append(cron_record("08e5g00000MiNeEAAA", "Stepforce my own", "0 0 3 * * ?"))
    path = lifecycle_project(project, DeployPlan(schedules=(ORDERS,)))
    code = run_deploy(["deploy", str(path), *ORG_ARGS, "--unschedule-first"])
    err = deploying.output()[1]
    assert code == 1
    assert "scheduled 'Stepforce my own'" in err
    assert f"'{SWEEPER_JOB_NAME}'" not in err, "only what is left is listed"
    assert fake_org.anonymous == [], "nothing aborted when the deploy cannot go ahead"
    assert _deploys_sent(mocked) == []


# -- the specs' schedules -------------------------------------------------------------------


def test_schedules_are_made_remade_kept_and_removed_in_one_apex_call(
    project: Path, deploying: Deploying
) -> None:
    fake_org, mocked = deploying.start("scratch")
    plan = DeployPlan(
        orchestrations=("Order_Sync", "Invoice_Sync", "Nightly"),
        schedules=(
            ORDERS,  # new
            PlannedSchedule("Invoice_Sync", "0 15 * * * ?", {}),  # changed
            PlannedSchedule("Nightly", "0 30 1 ? * MON-SAT", {}),  # unchanged
        ),
        unscheduled=("Weekly_Report", "Never_Scheduled"),  # one scheduled, one not
    )
    fake_org.scheduled = [
        cron_record(SWEEPER_ID, SWEEPER_JOB_NAME, SWEEPER_CRON),
        cron_record("08e5g00000InVoIAAA", "Stepforce Invoice_Sync", "0 0 * * * ?"),
        cron_record("08e5g00000NiGhTAAA", "Stepforce Nightly", "0  30 1 ? * MON-SAT"),
        cron_record("08e5g00000WeEkLAAA", "Stepforce Weekly_Report", "0 0 8 ? * MON"),
    ]
    fake_org.inputs = [input_record("Stepforce Nightly", "{}")]  # same cron, same inputs
    succeeds(mocked)
    path = lifecycle_project(project, plan)
    code = run_deploy(["deploy", str(path), *ORG_ARGS, "--force", "--json"])
    out, err = deploying.output()
    assert code == 0, err
    (apex,) = fake_org.anonymous
    assert apex.splitlines() == [
        "System.abortJob('08e5g00000InVoIAAA');",
        "StepforceScheduledStart.schedule('Stepforce Invoice_Sync', '0 15 * * * ?', "
        "'Invoice_Sync', '{}');",
        "StepforceScheduledStart.schedule('Stepforce Order_Sync', '0 0 2 * * ?', "
        """'Order_Sync', '{"since":"2026-11-01"}');""",
        "System.abortJob('08e5g00000WeEkLAAA');",
    ]
    actions = {s["job"]: s["action"] for s in json.loads(out)["schedules"]}
    assert actions == {
        "Stepforce Invoice_Sync": "rescheduled",
        "Stepforce Nightly": "unchanged",
        "Stepforce Order_Sync": "scheduled",
        "Stepforce Weekly_Report": "unscheduled",
    }


def test_unchanged_schedules_cost_no_apex_call_and_show_in_the_text_summary(
    project: Path, deploying: Deploying
) -> None:
    fake_org, mocked = deploying.start("scratch")
    fake_org.scheduled = [
        cron_record(SWEEPER_ID, SWEEPER_JOB_NAME, SWEEPER_CRON),
        cron_record("08e5g00000OrDeRAAA", "Stepforce Order_Sync", ORDERS.cron),
    ]
    fake_org.inputs = [input_record("Stepforce Order_Sync", '{"since":"2026-11-01"}')]
    succeeds(mocked)
    path = lifecycle_project(project, DeployPlan(schedules=(ORDERS,)))
    code = run_deploy(["deploy", str(path), *ORG_ARGS, "--force"])
    out, err = deploying.output()
    assert code == 0, err
    assert fake_org.anonymous == []
    assert "schedule 'Stepforce Order_Sync': unchanged (0 0 2 * * ?)" in out
    assert f"sweeper '{SWEEPER_JOB_NAME}': unchanged" in out
    assert len(fake_org.calls(mocked)) == 4, "composite, deploy, 1 status check, 1 query"


def test_a_spec_cron_cannot_inject_apex(project: Path, deploying: Deploying) -> None:
    fake_org, mocked = deploying.start("scratch")
    cron = "0 0 2 * * ?'); delete [SELECT Id FROM Account]; //\\"
    succeeds(mocked)
    path = lifecycle_project(project, DeployPlan(schedules=(PlannedSchedule("Evil", cron),)))
    code = run_deploy(["deploy", str(path), *ORG_ARGS, "--no-sweeper"])
    assert code == 0, deploying.output()[1]
    (apex,) = fake_org.anonymous
    assert apex_literals(apex) == ["Stepforce Evil", cron, "Evil", "{}"]
    outside = re.sub(r"'(?:[^'\\]|\\.)*'", "L", apex)
    assert outside == "StepforceScheduledStart.schedule(L, L, L, L);"


def test_a_bad_orchestration_name_in_the_manifest_is_refused_before_any_call(
    project: Path, deploying: Deploying
) -> None:
    _fake_org, mocked = deploying.start("scratch")
    path = lifecycle_project(project, DeployPlan(unscheduled=("x'); abortAll(); //",)))
    code = run_deploy(["deploy", str(path), *ORG_ARGS])
    assert code == 2
    assert "is not an orchestration API name" in deploying.output()[1]
    assert mocked.calls == [] or all("composite" not in c.request.url for c in mocked.calls)


def test_an_unreadable_jobs_query_stops_the_deploy(project: Path, deploying: Deploying) -> None:
    fake_org, mocked = deploying.start("scratch")
    fake_org.answer = lambda soql: (  # type: ignore[method-assign]
        (400, [{"errorCode": "INSUFFICIENT_ACCESS", "message": "no View Setup"}])
        if "AsyncApexJob" in soql
        else FakeOrg.answer(fake_org, soql)
    )
    code = run_deploy(["deploy", str(lifecycle_project(project, DeployPlan())), *ORG_ARGS])
    assert code == 1
    assert (
        "the AsyncApexJob query failed: INSUFFICIENT_ACCESS: no View Setup"
        in (deploying.output()[1])
    )
    assert _deploys_sent(mocked) == []


# -- which tests ran ------------------------------------------------------------------------


def test_the_summary_says_which_tests_ran(project: Path, deploying: Deploying) -> None:
    _fake_org, mocked = deploying.start("production")
    details = run_test_result(
        successes=(
            ("SfPlan_Invoice_Sync_Tests", "it_should_run_when_started"),
            ("StepforceEngine_Tests", "it_should_relay_when_deep"),
        ),
        failures=(("StepforceEngine_Tests", "it_should_fail_when_x", "boom", "line 1"),),
    )
    soap(mocked, SOAP_URL, deploy_response())
    soap(
        mocked,
        STATUS_URL,
        status_response(status="Failed", done=True, tests=(3, 3, 1), details=details),
    )
    code = run_deploy(["deploy", str(project), *ORG_ARGS])
    out, err = deploying.output()
    assert code == 1
    assert (
        "tests: test level RunLocalTests: 3 run, 1 failure(s) in 2 class(es): "
        "SfPlan_Invoice_Sync_Tests, StepforceEngine_Tests"
    ) in out
    # The default level on production, with Apex in the package: deploy says how a spec-only
    # change avoids the test run.
    assert "`stepforce deploy --plans-only` sends the plan documents alone" in err


def test_json_says_which_tests_ran_and_that_none_did(project: Path, deploying: Deploying) -> None:
    _fake_org, mocked = deploying.start("scratch")
    succeeds(mocked)
    code = run_deploy(["deploy", str(project), *ORG_ARGS, "--json"])
    out, err = deploying.output()
    assert code == 0, err
    assert json.loads(out)["testsRan"] == {
        "level": "NoTestRun",
        "run": 0,
        "failures": 0,
        "classes": [],
    }
    code = run_deploy(["deploy", str(project), *ORG_ARGS])
    assert "tests: test level NoTestRun: no Apex test ran" in deploying.output()[0]
