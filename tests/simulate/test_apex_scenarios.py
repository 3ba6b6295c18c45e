"""The scenario files rendered as Apex tests that drive the real engine (StepforceTestSupport)."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from stepforce.errors import SpecError
from stepforce.generator.check import CheckStatus, run_checks
from stepforce.generator.check.tools import tools_dir
from stepforce.generator.generate import generate
from stepforce.generator.plan_document import current_resource
from stepforce.generator.simulate.apex_scenarios import (
    apex_value,
    comparable_error,
    json_text,
    plan_documents,
    render_apex_tests,
    render_scenario_test,
    write_apex_tests,
)
from stepforce.generator.simulate.scenarios import load_scenario
from tests.conftest import REPO

SCENARIO_DIR = REPO / "tests" / "scenarios"
SCENARIOS = sorted(SCENARIO_DIR.glob("*.yaml"))
#: Resolved at import, before the shared autouse fixture points HOME at a temp dir.
REAL_TOOLS_DIR = tools_dir(dict(os.environ), Path.home())
SFDX_PROJECT = '{"packageDirectories": [{"path": "force-app", "default": true}]}'


def test_fixture_values_become_the_apex_objects_a_step_returns() -> None:
    stamp = dt.datetime(2026, 11, 25, 9, 0, 0, 500000, tzinfo=dt.UTC)
    assert apex_value(Decimal("1.50")) == "Decimal.valueOf('1.50')"
    assert apex_value(Decimal("1E+3")) == "Decimal.valueOf('1000')"
    assert apex_value(dt.date(2026, 2, 28)) == "Date.newInstance(2026, 2, 28)"
    assert apex_value(stamp) == "Datetime.newInstance(1795597200500L)"
    assert apex_value([True, None, "a"]) == "new List<Object>{ true, null, 'a' }"
    assert apex_value({"k": []}) == "new Map<String, Object>{ 'k' => new List<Object>{  } }"


def test_fixture_text_cannot_break_out_of_its_apex_literal() -> None:
    hostile = "x'); delete [SELECT Id FROM Account]; //\n"
    literal = apex_value(hostile)
    assert literal == "'x\\'); delete [SELECT Id FROM Account]; //\\n'"


def test_trace_values_are_compared_as_json() -> None:
    value = {"n": Decimal("2.50"), "t": 'say "hi"\\', "l": [None, False]}
    assert json.loads(json_text(value)) == {"n": 2.5, "t": 'say "hi"\\', "l": [None, False]}


def _render(name: str) -> str:
    return render_scenario_test(load_scenario(SCENARIO_DIR / f"{name}.yaml"))


def test_a_scenario_scripts_its_fixtures_and_asserts_the_simulated_trace() -> None:
    apex = _render("retry_then_success")
    assert "private with sharing class SfScn_retry_then_success_Tests {" in apex
    assert (
        "    StepforceTestSupport.script()\n"
        "      .fails('Fetch_Page', 'System.CalloutException: Read timed out')\n"
        "      .returns('Fetch_Page', new Map<String, Object>{ 'cursor' => null, "
        "'fetched' => Decimal.valueOf('3'), 'isDone' => true })\n"
        "      .returns('Post_Summary', new Map<String, Object>{ 'posted' => true });"
    ) in apex
    assert "'Fetch_Page', 1, 2, 'Succeeded', " in apex
    assert "Assert.areEqual(3, stepRuns.size()" in apex
    assert "Assert.areEqual(new List<Integer>{ 1 }, driver.nonZeroDelays()" in apex
    assert "Assert.areEqual('Succeeded', run.Status__c, 'run status');" in apex


def test_controls_and_uncatchable_failures_are_passed_to_the_driver() -> None:
    assert "driver.control('pause', 'after', 'Fetch_Page', 1, null);" in _render(
        "pause_then_resume"
    )
    assert "driver.control('resume', 'after', null, null, null);" in _render("pause_then_resume")
    redrive = _render("redrive_from_earlier_step")
    assert (
        "driver.retry('Fetch_Page', new Map<String, Object>{ 'since' => "
        "Date.newInstance(2026, 10, 1), 'pageSize' => '500' });"
    ) in redrive
    limit = _render("limit_failure_then_retry")
    assert (
        ".failsUncatchably('Fetch_Page', 'System.LimitException: Too many SOQL queries: 201')"
    ) in limit


def test_a_rejected_start_expects_the_plans_coercion_exception() -> None:
    apex = _render("required_input_missing")
    assert "} catch (StepforceCoerce.CoercionException e) {" in apex
    assert "'inputs.since: required input of Sim_Invoice_Sync is missing'" in apex


def _run_as_block(apex: str) -> str:
    """The statements inside the test's runAs block (asserting there is exactly one)."""
    opening = "    User admin = StepforceEntryTestSupport.admin();\n    System.runAs(admin) {\n"
    assert apex.count("System.runAs(") == 1
    start = apex.index(opening) + len(opening)
    closing = apex.index("\n    }\n  }\n}\n", start)
    return apex[start:closing]


def test_the_run_is_started_driven_and_read_back_as_a_stepforce_admin_user() -> None:
    """User mode enforces the runAs user's field permissions: those of Stepforce_Admin."""
    apex = _render("pause_then_resume")
    block = _run_as_block(apex)
    setup = apex[: apex.index("System.runAs(")]
    assert "StepforceTestSupport.install()" in setup
    assert "driver.control('pause', 'after', 'Fetch_Page', 1, null);" in setup
    for statement in (
        "Test.startTest();",
        "driver.start(inputs);",
        "driver.run();",
        "Test.stopTest();",
        "StepforceTestSupport.stepRuns(driver.runId);",
        "Assert.areEqual('Succeeded', run.Status__c, 'run status');",
        "driver.nonZeroDelays()",
    ):
        assert statement in block, statement
    assert all(line.startswith("      ") for line in block.splitlines())
    assert block.index("driver.start(inputs);") < block.index("Test.stopTest();")


def test_a_rejected_start_is_attempted_as_a_stepforce_admin_user() -> None:
    block = _run_as_block(_render("required_input_missing"))
    assert block.startswith("      try {\n        driver.start(inputs);")
    assert "      } catch (StepforceCoerce.CoercionException e) {" in block


def test_a_file_name_that_cannot_name_a_class_is_refused(write: Callable[..., Path]) -> None:
    path = write(
        "a_name_far_too_long_for_an_apex_class.yaml", (SCENARIO_DIR / "happy_path.yaml").read_text()
    )
    text = path.read_text().replace("specs/", f"{SCENARIO_DIR}/specs/")
    path.write_text(text)
    with pytest.raises(SpecError, match="cannot name an Apex class"):
        render_scenario_test(load_scenario(path))


def test_every_scenario_renders_with_the_driver_and_its_plan_as_a_document() -> None:
    loaded = [load_scenario(p) for p in SCENARIOS]
    sources = render_apex_tests(loaded)
    assert "SfScn_Driver.cls" in sources
    assert not [n for n in sources if n.startswith("SfPlan")]  # no plan is Apex
    assert len([n for n in sources if n.startswith("SfScn_") and n.endswith("_Tests.cls")]) == len(
        SCENARIOS
    )
    documents = plan_documents(loaded)
    for name in ("Sim_Invoice_Sync", "Sim_Pipeline"):
        assert f"{current_resource(name)}.resource" in documents


def test_write_puts_classes_and_meta_files_under_classes(tmp_path: Path) -> None:
    written = write_apex_tests(tmp_path, [load_scenario(SCENARIO_DIR / "happy_path.yaml")])
    names = sorted(p.name for p in written)
    assert names == [
        "SfScn_Driver.cls",
        "SfScn_Driver.cls-meta.xml",
        "SfScn_happy_path_Tests.cls",
        "SfScn_happy_path_Tests.cls-meta.xml",
    ]
    assert (
        "<status>Active</status>"
        in (tmp_path / "classes" / "SfScn_Driver.cls-meta.xml").read_text()
    )


def _errors_in_scenario_classes(project: Path, only: set[str]) -> list[str]:
    report = run_checks(project, offline=True, only=only, tools=REAL_TOOLS_DIR)
    if any(check.status is CheckStatus.SKIPPED for check in report.checks):
        pytest.skip(f"offline tools for {only} are not installed")
    return [str(d) for d in report.errors if "SfScn_" in d.location.file]


@pytest.mark.slow
def test_the_emitted_apex_passes_the_syntax_check(tmp_path: Path) -> None:
    (tmp_path / "sfdx-project.json").write_text(SFDX_PROJECT)
    scenarios = [load_scenario(p) for p in SCENARIOS]
    write_apex_tests(tmp_path / "force-app" / "main" / "default", scenarios, include_plans=True)
    assert _errors_in_scenario_classes(tmp_path, {"syntax"}) == []


@pytest.mark.slow
def test_the_emitted_apex_uses_the_runtime_and_plans_correctly(tmp_path: Path) -> None:
    """apex-ls over a generated project: the driver's and tests' calls resolve."""
    out = tmp_path / "project"
    generate(sorted((SCENARIO_DIR / "specs").glob("*.yaml")), out)
    write_apex_tests(out / "force-app" / "main" / "default", [load_scenario(p) for p in SCENARIOS])
    assert _errors_in_scenario_classes(out, {"semantics"}) == []


def test_coercion_errors_are_compared_whole_with_the_value_as_the_org_renders_it() -> None:
    """String.valueOf of a Datetime uses the running user's time zone: the emitted tests run
    as StepforceEntryTestSupport.admin(), whose time zone is GMT, so the text is known."""
    apex = _render("date_coercion_error")
    assert ("'Load.outputs.asOf: expected Date, got Datetime 2026-11-20 10:00:00', true }") in apex
    assert (
        "SfScn_Driver.assertError('Step Load failed: Load.outputs.asOf: expected Date, got "
        "Datetime 2026-11-20 10:00:00', true, run.Error__c, 'run error');"
    ) in apex


def test_list_values_in_coercion_errors_are_compared_up_to_the_kind() -> None:
    error = "Load.inputs.ids: expected List<Id>, got Text 'x'"
    assert comparable_error(error) == ("'" + error.replace("'", "\\'") + "'", "true")
    listed = "Load.outputs.asOf: expected Date, got List (2026-11-20, x)"
    assert comparable_error(listed) == ("'Load.outputs.asOf: expected Date, got List'", "false")
    exponent = "Load.outputs.n: expected Text, got Number 1E+3"
    assert comparable_error(exponent) == ("'Load.outputs.n: expected Text, got Number'", "false")


def test_a_resume_before_the_finalizer_is_armed_after_the_attempt_and_scripts_the_job() -> None:
    apex = _render("resume_before_finalizer")
    assert "driver.control('pause', 'after', 'Fetch_Page', 1, 1);" in apex
    assert "driver.control('resume', 'after', 'Fetch_Page', 1, 1);" in apex
    assert "Assert.areEqual(new List<Integer>{ 1 }, driver.nonZeroDelays()" in apex
    driver = render_apex_tests([])["SfScn_Driver.cls"]
    assert "this.applyWhileJob(item, jobId, 'Completed', 0);" in driver
    assert "this.resumeBeforeFinalizer(next.jobId, during);" in driver


def test_values_larger_than_the_fields_are_asserted_as_the_org_stores_them() -> None:
    apex = _render("large_values")
    assert "'Use', 1, 1, 'Succeeded', 131072, '{\"done\":true}'" in apex
    assert "'{\"big\":\"' + 'x'.repeat(131100) + '\"}'" in apex
    assert len(apex) < 5000
    refused = _render("inputs_too_large")
    assert "} catch (StepforceService.BadRequestException e) {" in refused
    assert "'inputs are too large: 131073 characters of JSON', true" in refused


def test_a_retry_while_the_cancelled_job_runs_expects_the_409_in_apex() -> None:
    apex = _render("retry_while_cancel_runs")
    assert "driver.control('cancel', 'after', 'Fetch_Page', 1, 1);" in apex
    assert "driver.retryWhileRunning('Fetch_Page', 1, 1, null, new Map<String, Object>());" in apex
    assert "driver.retry(null, new Map<String, Object>());" in apex
    assert "Assert.areEqual(1, driver.refusals.size()," in apex
    assert (
        "SfScn_Driver.assertContains('yet: the job of its step Fetch_Page is still running', "
        "driver.refusals[0], 'refused retry 1');"
    ) in apex
    driver = render_apex_tests([])["SfScn_Driver.cls"]
    assert "this.applyWhileJob(item, jobId, 'Processing', null);" in driver
    assert "} catch (StepforceService.IllegalTransitionException e) {" in driver
    assert "'a refused retry should enqueue nothing'" in driver


def test_a_pause_that_missed_a_started_job_is_scripted_as_queued_then_run() -> None:
    apex = _render("pause_abort_missed_job")
    assert "driver.control('pause', 'before', 'Fetch_Page', 2, null).alreadyStarted();" in apex
    driver = render_apex_tests([])["SfScn_Driver.cls"]
    assert "this.applyWhileJob(item, jobId, 'Queued', null);" in driver
    assert "this.recorder.refuseDuplicates = true;" in driver
    assert "'a resume while the job still runs should enqueue no second job'" in driver


def test_every_step_run_is_asserted_to_run_as_the_starter_and_relays_are_counted() -> None:
    apex = _render("relay_keeps_the_user")
    for number in range(6):
        assert (
            f"Assert.areEqual(UserInfo.getUserId(), stepRuns[{number}].Ran_As__c, "
            f"'step run {number + 1} should run as the user who started the run');"
        ) in apex
    assert "Assert.areEqual(1, driver.relayBatches()," in apex
    assert "Assert.areEqual(0, driver.relayEvents()," in apex
    assert "Assert.areEqual(0, driver.relayBatches()," in _render("happy_path")


def test_failed_bookkeeping_is_scripted_per_job_and_the_recorder_tries_are_asserted() -> None:
    apex = _render("recorder_after_failed_save")
    assert "driver.failBookkeeping(1, 3);" in apex
    assert "driver.failBookkeeping(2, 1);" in apex
    assert "Assert.areEqual(new List<Integer>{ 1, 2, 4, 1 }, driver.recorderDelays," in apex
    assert "Assert.areEqual(new List<Integer>{  }, driver.recorderDelays," in _render("happy_path")
    driver = render_apex_tests([])["SfScn_Driver.cls"]
    assert "attempt.stepName = 'S'.repeat(81);" in driver
    assert "this.recorder.recorders[index].execute(null);" in driver
