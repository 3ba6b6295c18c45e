"""``stepforce deploy`` remakes a schedule whose inputs changed although its cron did not.

CronTrigger does not show a job's inputs; the runtime records the SHA-256 of the inputs text
it was scheduled with in the list custom setting Stepforce_Schedule_Input__c
(StepforceScheduledStart.recordInputs), and deploy reads it in the composite request it
sends after the deploy anyway. Shapes: REST query answers, ``/composite`` subresponses and
error bodies (REST API Developer Guide, "Execute a SOQL Query", "Send Multiple Requests Using
Composite", "Status Codes and Error Responses"); ``FakeOrg`` records inputs the way the
runtime does (tests/deploy/conftest.py).
"""

from __future__ import annotations

import json
from pathlib import Path

from stepforce.deploy_plan import SWEEPER_CRON, SWEEPER_JOB_NAME, DeployPlan, PlannedSchedule
from stepforce.runtime_client.schedule import inputs_json
from stepforce.runtime_client.schedule_sync import inputs_hash
from tests.deploy.conftest import (
    ORG_ARGS,
    SWEEPER_ID_FOR_TESTS,
    Deploying,
    FakeOrg,
    apex_literals,
    cron_record,
    input_record,
    lifecycle_project,
    run_deploy,
    succeeds,
)

ORDERS = PlannedSchedule("Order_Sync", "0 0 2 * * ?", {"since": "2026-11-01"})
JOB = "Stepforce Order_Sync"
ORDERS_ID = "08e5g00000OrDeRAAA"
# The inputs text deploy sends for ORDERS and its SHA-256 (lowercase hex of the UTF-8 bytes):
# StepforceScheduledStart_Tests asserts the runtime stores this very hash for this text.
ORDERS_TEXT = '{"since":"2026-11-01"}'
ORDERS_SHA256 = "59949fe6ebdc603e58beddf8bc0740c184bffcd9b44bca74216bd2d2fdb0ca37"


def _orders_scheduled(fake_org: FakeOrg, inputs_text: str | None, *, setting: bool = True) -> None:
    """The sweeper and ORDERS's job with its cron; ``inputs_text``: what the runtime
    recorded for the job (None: nothing); ``setting`` False: the org's runtime predates
    Stepforce_Schedule_Input__c."""
    fake_org.inputs_setting = setting
    fake_org.scheduled = [
        cron_record(SWEEPER_ID_FOR_TESTS, SWEEPER_JOB_NAME, SWEEPER_CRON),
        cron_record(ORDERS_ID, JOB, ORDERS.cron),
    ]
    fake_org.inputs = [] if inputs_text is None else [input_record(JOB, inputs_text)]


def _deploy(project: Path, deploying: Deploying, plan: DeployPlan, *flags: str) -> tuple[str, str]:
    succeeds(deploying.mocked)
    path = lifecycle_project(project, plan)
    code = run_deploy(["deploy", str(path), *ORG_ARGS, "--force", *flags])
    out, err = deploying.output()
    assert code == 0, err
    return out, err


def test_the_hash_deploy_compares_is_the_one_the_runtime_stores_for_the_text_it_sends() -> None:
    assert inputs_json(ORDERS.inputs) == ORDERS_TEXT
    assert inputs_hash(ORDERS_TEXT) == ORDERS_SHA256
    assert input_record(JOB, ORDERS_TEXT)["Inputs_Hash__c"] == ORDERS_SHA256
    # Non-ASCII characters stay themselves in the text and are hashed as UTF-8 bytes, as
    # Apex's Blob.valueOf gives them.
    text = inputs_json({"city": "Zürich"})
    assert text == '{"city":"Zürich"}'
    assert inputs_hash(text) == "c7d1343095f01d29a6a2d389daa794717f5da34c32278aa244251fe2d4fca314"


def test_same_cron_and_same_inputs_are_unchanged_without_any_apex_call(
    project: Path, deploying: Deploying
) -> None:
    fake_org, mocked = deploying.start("scratch")
    _orders_scheduled(fake_org, ORDERS_TEXT)
    out, _err = _deploy(project, deploying, DeployPlan(schedules=(ORDERS,)))
    assert fake_org.anonymous == []
    assert f"schedule '{JOB}': unchanged (0 0 2 * * ?)" in out
    assert len(fake_org.calls(mocked)) == 4, "composite, deploy, 1 status check, 1 composite"
    (after,) = [c for c in mocked.calls if c.request.url.endswith("/composite")][1:]
    asked = [sub["url"] for sub in json.loads(after.request.body)["compositeRequest"]]
    assert any("Stepforce_Schedule_Input__c" in url for url in asked), "asked in the one call"


def test_same_cron_with_changed_inputs_is_aborted_and_scheduled_again_in_one_apex_call(
    project: Path, deploying: Deploying
) -> None:
    fake_org, _mocked = deploying.start("scratch")
    _orders_scheduled(fake_org, '{"since":"2026-10-01"}')
    out, _err = _deploy(project, deploying, DeployPlan(schedules=(ORDERS,)))
    (apex,) = fake_org.anonymous
    assert apex.splitlines() == [
        f"System.abortJob('{ORDERS_ID}');",
        f"StepforceScheduledStart.schedule('{JOB}', '0 0 2 * * ?', 'Order_Sync', '{ORDERS_TEXT}');",
    ]
    assert f"schedule '{JOB}': rescheduled (0 0 2 * * ?): inputs changed" in out
    assert fake_org.inputs == [{"Job_Name__c": JOB, "Inputs_Hash__c": ORDERS_SHA256}]
    assert apex_literals(apex.splitlines()[1])[3] == ORDERS_TEXT, "the text that was hashed"


def test_a_job_without_a_record_is_remade_once(project: Path, deploying: Deploying) -> None:
    fake_org, _mocked = deploying.start("scratch")
    _orders_scheduled(fake_org, None)  # scheduled by a runtime older than the record
    plan = DeployPlan(schedules=(ORDERS,))
    out, _err = _deploy(project, deploying, plan)
    assert len(fake_org.anonymous) == 1
    assert "rescheduled (0 0 2 * * ?): inputs not recorded" in out

    out, _err = _deploy(project, deploying, plan)
    assert len(fake_org.anonymous) == 1, "recorded now: the next deploy leaves it alone"
    assert f"schedule '{JOB}': unchanged" in out


def test_an_org_without_the_custom_setting_remakes_the_job_and_says_why(
    project: Path, deploying: Deploying
) -> None:
    fake_org, _mocked = deploying.start("scratch")
    _orders_scheduled(fake_org, None, setting=False)
    out, _err = _deploy(project, deploying, DeployPlan(schedules=(ORDERS,)), "--json")
    (apex,) = fake_org.anonymous
    assert apex.startswith(f"System.abortJob('{ORDERS_ID}');")
    (change,) = json.loads(out)["schedules"]
    assert change["action"] == "rescheduled"
    assert change["reason"] == (
        "inputs unknown: the org has no Stepforce_Schedule_Input__c (a runtime older than this)"
    )
    assert json.loads(out)["error"] is None


def test_an_unscheduled_orchestration_loses_its_record_too(
    project: Path, deploying: Deploying
) -> None:
    fake_org, _mocked = deploying.start("scratch")
    _orders_scheduled(fake_org, ORDERS_TEXT)
    out, _err = _deploy(project, deploying, DeployPlan(unscheduled=("Order_Sync",)))
    (apex,) = fake_org.anonymous
    assert apex.splitlines() == [
        f"System.abortJob('{ORDERS_ID}');",
        f"StepforceScheduledStart.forgetInputs(new Set<String>{{'{JOB}'}});",
    ]
    assert fake_org.inputs == []
    assert f"schedule '{JOB}': unscheduled (was 0 0 2 * * ?)" in out


def test_an_unscheduled_job_without_a_record_is_only_aborted(
    project: Path, deploying: Deploying
) -> None:
    fake_org, _mocked = deploying.start("scratch")
    _orders_scheduled(fake_org, None, setting=False)  # no forgetInputs to call either
    _deploy(project, deploying, DeployPlan(unscheduled=("Order_Sync",)))
    assert fake_org.anonymous == [f"System.abortJob('{ORDERS_ID}');"]
