"""The CumulusCI side: the yml files load, their class paths import, the tasks run offline."""

from __future__ import annotations

import importlib
import json
import logging
from pathlib import Path
from typing import Any

import pytest
import responses
import yaml
from cumulusci.core.config import BaseProjectConfig, TaskConfig, UniversalConfig
from cumulusci.core.config.org_config import OrgConfig
from cumulusci.core.exceptions import (
    ApexTestException,
    CommandException,
    DeploymentException,
    TaskOptionsError,
)
from cumulusci.core.flowrunner import FlowCoordinator
from cumulusci.core.tasks import BaseTask

from stepforce.cli import cumulusci_run_tasks, cumulusci_tasks
from stepforce.deploy_plan import DeployPlan
from tests.conftest import REPO
from tests.deploy.conftest import (
    DEPLOY_ID,
    INSTANCE,
    SOAP_URL,
    SWEEPER_ID_FOR_TESTS,
    TOKEN,
    FakeClock,
    FakeOrg,
    component_failure,
    cron_record,
    deploy_response,
    lifecycle_project,
    plan_resource,
    run_test_result,
    status_response,
    succeeds,
)

# CumulusCI's own dependencies warn on import (snowfakery on click, its models on SQLAlchemy).
pytestmark = [
    pytest.mark.filterwarnings("ignore:.*LazyFile.*:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Deprecated API features detected"),
]

YML_FILES = [REPO / "cumulusci.yml", REPO / "templates" / "project" / "cumulusci.yml"]


class OfflineOrgConfig(OrgConfig):  # type: ignore[misc]
    """An org whose token is already fresh: CumulusCI's refresh would call Salesforce."""

    def refresh_oauth_token(self, keychain: Any, connected_app: Any = None, **_: Any) -> None:
        return None


def _org() -> OfflineOrgConfig:
    return OfflineOrgConfig(
        {
            "instance_url": INSTANCE,
            "access_token": TOKEN,
            "org_id": "00D000000000001",
            "username": "admin@acme.example",
        },
        "dev",
    )


def _project(root: Path) -> BaseProjectConfig:
    return BaseProjectConfig(
        UniversalConfig(),
        config={"project": {"package": {"api_version": "62.0"}}},
        repo_info={"root": str(root)},
    )


def _task(cls: type[BaseTask], root: Path, **options: Any) -> Any:
    task = cls(_project(root), TaskConfig({"options": options}), _org())
    task.logger = logging.getLogger(f"test.{cls.__name__}")
    return task


@pytest.mark.parametrize("path", YML_FILES, ids=["repository", "init-template"])
def test_every_task_class_path_imports_a_cumulusci_task(path: Path) -> None:
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    class_paths = [t["class_path"] for t in config["tasks"].values() if "class_path" in t]
    assert len(class_paths) == 6
    for class_path in class_paths:
        module, _, name = class_path.rpartition(".")
        task_class = getattr(importlib.import_module(module), name)
        assert issubclass(task_class, BaseTask), class_path
    assert config["project"]["source_format"] == "sfdx"
    assert config["project"]["package"]["api_version"]
    for org in config["orgs"]["scratch"].values():
        definition = path.parent / org["config_file"]
        assert json.loads(definition.read_text(encoding="utf-8"))["edition"] == "Developer"


@pytest.mark.parametrize("name", ["StepforceStartRun", "StepforceDoctor"])
def test_class_paths_from_before_the_run_tasks_moved_still_load_the_same_task(name: str) -> None:
    # Projects made by `stepforce init` before the split name stepforce.cli.cumulusci_tasks.
    assert getattr(cumulusci_tasks, name) is getattr(cumulusci_run_tasks, name)
    assert getattr(cumulusci_run_tasks, name).__module__ == "stepforce.cli.cumulusci_run_tasks"


@pytest.mark.parametrize("flow", ["dev_org", "ci_feature"])
@pytest.mark.parametrize("source", YML_FILES, ids=["repository", "init-template"])
def test_flows_generate_deploy_with_stepforce_grant_the_admin_set_then_run_tests(
    flow: str, source: Path, tmp_path: Path
) -> None:
    text = source.read_text(encoding="utf-8").replace("__PROJECT_NAME__", "acme-orchestrations")
    (tmp_path / "cumulusci.yml").write_text(text, encoding="utf-8")
    project = BaseProjectConfig(UniversalConfig(), repo_info={"root": str(tmp_path)})
    assert project.project__name in {"stepforce", "acme-orchestrations"}
    steps = FlowCoordinator(project, project.get_flow(flow), name=flow).steps
    order = [s.task_name for s in steps if not s.skip]
    assert "deploy_unmanaged" not in {s.path.split(".")[0] for s in steps if not s.skip}
    assert "deploy" not in order, "CumulusCI's deploy would need the sf CLI for source format"
    generate, deploy, assign, schedules, tests = (
        order.index("stepforce_generate"),
        order.index("stepforce_deploy"),
        order.index("assign_permission_sets"),
        order.index("stepforce_schedules"),
        order.index("run_tests"),
    )
    # Schedules after the set: StepforceScheduledStart.schedule checks the user may start runs.
    assert generate < deploy < assign < schedules < tests
    if flow == "ci_feature":
        # The doctor proves the platform assumptions the Apex tests cannot, after them.
        assert order.index("stepforce_doctor") == tests + 1
    deploy_step = next(s for s in steps if s.task_name == "stepforce_deploy")
    # A second run on the same org would otherwise stop at the scheduled sweeper.
    assert deploy_step.task_config["options"]["unschedule_first"] is True
    assign_step = next(s for s in steps if s.task_name == "assign_permission_sets")
    # Without it the user (and the Apex tests it runs) cannot use the user-mode runtime.
    assert assign_step.task_config["options"]["api_names"] == "Stepforce_Admin"


def _register_org(mocked: responses.RequestsMock, kind: str) -> FakeOrg:
    fake = FakeOrg(kind=kind)
    fake.register(mocked)
    return fake


def test_deploy_task_deploys_with_the_org_config_token_and_returns_the_result(
    project: Path, mocked: responses.RequestsMock, tmp_path: Path
) -> None:
    _register_org(mocked, "scratch")
    mocked.post(SOAP_URL, body=deploy_response(), content_type="text/xml")
    tests = run_test_result(
        successes=(("SfPlan_Invoice_Sync_Tests", "it_should_run_when_started"),),
        coverage=(("SfPlan_Invoice_Sync", 10, 0),),
    )
    mocked.post(
        f"{SOAP_URL}/{DEPLOY_ID}",
        body=status_response(
            status="Succeeded", done=True, components=(12, 12, 0), tests=(1, 1, 0), details=tests
        ),
        content_type="text/xml",
    )
    junit = tmp_path / "junit.xml"
    task = _task(
        cumulusci_tasks.StepforceDeploy,
        project,
        path=str(project),
        test_level="RunSpecifiedTests",
        specified_tests="SfPlan_Invoice_Sync_Tests",
        junit=str(junit),
    )
    task.make_poller = FakeClock().poller
    task()
    assert task.return_values["status"] == "Succeeded"
    assert task.return_values["coveragePercent"] == 100
    deploy_body = next(c.request.body for c in mocked.calls if c.request.url == SOAP_URL)
    assert TOKEN in str(deploy_body), "the org config's token is the session id sent"
    assert "<met:runTests>SfPlan_Invoice_Sync_Tests</met:runTests>" in str(deploy_body)
    assert b"it_should_run_when_started" in junit.read_bytes()


def test_deploy_task_raises_apex_test_exception_on_test_failures(
    project: Path, mocked: responses.RequestsMock
) -> None:
    _register_org(mocked, "sandbox")
    mocked.post(SOAP_URL, body=deploy_response(), content_type="text/xml")
    tests = run_test_result(
        successes=(), failures=(("A_Tests", "it_should_x_when_y", "boom", "Class.A_Tests: line 1"),)
    )
    mocked.post(
        f"{SOAP_URL}/{DEPLOY_ID}",
        body=status_response(status="Failed", done=True, tests=(1, 1, 1), details=tests),
        content_type="text/xml",
    )
    task = _task(cumulusci_tasks.StepforceDeploy, project, path=str(project))
    task.make_poller = FakeClock().poller
    with pytest.raises(ApexTestException, match=r"A_Tests\.it_should_x_when_y: boom"):
        task()


def test_deploy_task_raises_deployment_exception_naming_the_source_file(
    project: Path, mocked: responses.RequestsMock
) -> None:
    _register_org(mocked, "scratch")
    mocked.post(SOAP_URL, body=deploy_response(), content_type="text/xml")
    failure = component_failure(
        "classes/StepforceEngine.cls", "ApexClass", "StepforceEngine", "Unexpected token", 7
    )
    mocked.post(
        f"{SOAP_URL}/{DEPLOY_ID}",
        body=status_response(status="Failed", done=True, details=failure),
        content_type="text/xml",
    )
    task = _task(cumulusci_tasks.StepforceDeploy, project, path=str(project))
    task.make_poller = FakeClock().poller
    with pytest.raises(DeploymentException, match=r"classes/StepforceEngine\.cls:7"):
        task()


def test_deploy_task_turns_usage_errors_into_task_options_errors(
    tmp_path: Path, mocked: responses.RequestsMock
) -> None:
    task = _task(cumulusci_tasks.StepforceDeploy, tmp_path, path=str(tmp_path))
    with pytest.raises(TaskOptionsError, match=r"no sfdx-project\.json"):
        task()
    assert len(mocked.calls) == 0
    with pytest.raises(TaskOptionsError, match="stepforce_deploy"):
        _task(cumulusci_tasks.StepforceDeploy, tmp_path, test_level="SomeTests")


def test_start_run_task_posts_the_run_and_returns_its_id(
    tmp_path: Path, mocked: responses.RequestsMock
) -> None:
    run = {
        "id": "a01000000000001AAA",
        "orchestration": "Invoice_Sync",
        "status": "Queued",
        "requestKey": "nightly-2026-11-25",
        "steps": [],
    }
    mocked.post(f"{INSTANCE}/services/apexrest/stepforce/v1/runs", json=run, status=201)
    task = _task(
        cumulusci_run_tasks.StepforceStartRun,
        tmp_path,
        orchestration="Invoice_Sync",
        inputs="since:2026-11-01, pageSize:200",
        request_key="nightly-2026-11-25",
    )
    task()
    assert task.return_values == {"run_id": "a01000000000001AAA", "status": "Queued"}
    body = json.loads(mocked.calls[0].request.body or b"{}")
    assert body == {
        "orchestration": "Invoice_Sync",
        "inputs": {"since": "2026-11-01", "pageSize": "200"},
        "requestKey": "nightly-2026-11-25",
    }
    assert mocked.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_generate_task_writes_the_project_from_spec_globs(tmp_path: Path) -> None:
    out = tmp_path / "generated"
    task = _task(
        cumulusci_tasks.StepforceGenerate,
        tmp_path,
        specs=str(REPO / "examples" / "invoice_sync.yaml"),
        path=str(out),
    )
    task()
    assert task.return_values["orchestrations"] == ["Invoice_Sync"]
    assert (out / "sfdx-project.json").is_file()
    from stepforce.generator.plan_document import current_resource

    resources = out / "force-app/main/default/staticresources"
    assert (resources / f"{current_resource('Invoice_Sync')}.resource").is_file()


def test_generate_task_without_matching_specs_is_an_options_error(tmp_path: Path) -> None:
    task = _task(cumulusci_tasks.StepforceGenerate, tmp_path, specs=str(tmp_path / "*.yaml"))
    with pytest.raises(TaskOptionsError, match="no spec matches"):
        task()


def test_check_task_fails_with_the_problems_found(project: Path) -> None:
    field = (
        project / "force-app/main/default/objects/Stepforce_Run__c/fields/Status__c.field-meta.xml"
    )
    field.write_text(
        field.read_text(encoding="utf-8").replace("<type>Checkbox</type>", "<type>Txet</type>"),
        encoding="utf-8",
    )
    task = _task(
        cumulusci_tasks.StepforceCheck, project, path=str(project), only="schema", offline="True"
    )
    with pytest.raises(CommandException, match="problem"):
        task()
    assert task.return_values["ok"] is False


def test_check_task_passes_a_clean_project_and_rejects_unknown_checks(project: Path) -> None:
    task = _task(
        cumulusci_tasks.StepforceCheck, project, path=str(project), only="schema", offline="True"
    )
    task()
    assert task.return_values["ok"] is True
    with pytest.raises(TaskOptionsError, match="unknown check"):
        _task(cumulusci_tasks.StepforceCheck, project, only="lint")()


RUNS_URL = f"{INSTANCE}/services/apexrest/stepforce/v1/runs"
RUN_ID = "a01000000000001AAA"


def _run_json(status: str, **extra: Any) -> dict[str, Any]:
    return {"id": RUN_ID, "orchestration": "Invoice_Sync", "status": status, "steps": [], **extra}


@pytest.mark.parametrize(
    ("final", "raised"),
    [
        (_run_json("Succeeded"), None),
        (_run_json("Failed", currentStep="Fetch_Page", error="ERP answered 500"), "ERP answered"),
        (_run_json("Paused", currentStep="Post_Summary"), "stepforce run resume"),
    ],
)
def test_start_run_task_with_wait_follows_the_run_and_fails_unless_it_succeeds(
    tmp_path: Path,
    mocked: responses.RequestsMock,
    final: dict[str, Any],
    raised: str | None,
) -> None:
    mocked.post(RUNS_URL, json=_run_json("Queued"), status=201)
    mocked.get(f"{RUNS_URL}/{RUN_ID}", json=final)
    task = _task(
        cumulusci_run_tasks.StepforceStartRun, tmp_path, orchestration="Invoice_Sync", wait="True"
    )
    if raised is None:
        task()
    else:
        with pytest.raises(CommandException, match=raised):
            task()
    assert task.return_values == {"run_id": RUN_ID, "status": final["status"]}
    assert [c.request.method for c in mocked.calls] == ["POST", "GET"]


def test_start_run_task_rejects_a_wait_of_no_time_before_starting(
    tmp_path: Path, mocked: responses.RequestsMock
) -> None:
    task = _task(
        cumulusci_run_tasks.StepforceStartRun,
        tmp_path,
        orchestration="Invoice_Sync",
        wait="True",
        wait_minutes="0",
    )
    with pytest.raises(TaskOptionsError, match="wait_minutes"):
        task()
    assert len(mocked.calls) == 0


def test_deploy_task_unschedules_the_sweeper_first_and_schedules_it_again(
    project: Path, mocked: responses.RequestsMock
) -> None:
    fake = _register_org(mocked, "scratch")
    sweeper = cron_record(SWEEPER_ID_FOR_TESTS, "Stepforce runtime sweeper", "0 0 * * * ?")
    fake.scheduled = [sweeper]
    mocked.post(SOAP_URL, body=deploy_response(), content_type="text/xml")
    mocked.post(
        f"{SOAP_URL}/{DEPLOY_ID}",
        body=status_response(status="Succeeded", done=True),
        content_type="text/xml",
    )
    task = _task(
        cumulusci_tasks.StepforceDeploy, project, path=str(project), unschedule_first="True"
    )
    task.make_poller = FakeClock().poller
    task()
    assert fake.anonymous[0] == f"System.abortJob('{SWEEPER_ID_FOR_TESTS}');"
    assert fake.anonymous[1].startswith("StepforceSweeper.schedule(")
    assert [r["CronJobDetail"]["Name"] for r in fake.scheduled] == ["Stepforce runtime sweeper"]


def test_deploy_task_stops_on_pending_jobs_unless_forced_and_leaves_schedules_to_its_step(
    project: Path, mocked: responses.RequestsMock
) -> None:
    fake = _register_org(mocked, "scratch")
    fake.scheduled = [cron_record(SWEEPER_ID_FOR_TESTS, "Stepforce runtime sweeper", "0 0 * * * ?")]
    task = _task(cumulusci_tasks.StepforceDeploy, project, path=str(project))
    task.make_poller = FakeClock().poller
    with pytest.raises(CommandException, match="Allow deployments of components"):
        task()
    assert not any(c.request.url == SOAP_URL for c in mocked.calls)
    mocked.post(SOAP_URL, body=deploy_response(), content_type="text/xml")
    mocked.post(
        f"{SOAP_URL}/{DEPLOY_ID}",
        body=status_response(status="Succeeded", done=True),
        content_type="text/xml",
    )
    forced = _task(cumulusci_tasks.StepforceDeploy, project, path=str(project), force="True")
    forced.make_poller = FakeClock().poller
    forced()
    assert forced.return_values["status"] == "Succeeded"
    assert fake.anonymous == [], "the deploy task schedules nothing: stepforce_schedules does"


@pytest.mark.parametrize(("scheduled", "sent"), [(False, 1), (True, 0)])
def test_schedules_task_schedules_the_sweeper_only_when_absent(
    project: Path, mocked: responses.RequestsMock, scheduled: bool, sent: int
) -> None:
    fake = _register_org(mocked, "scratch")
    if scheduled:
        fake.scheduled = [
            cron_record(SWEEPER_ID_FOR_TESTS, "Stepforce runtime sweeper", "0 0 * * * ?")
        ]
    task = _task(cumulusci_tasks.StepforceSchedules, project, path=str(project))
    task()
    assert len(fake.anonymous) == sent
    assert task.return_values["sweeper"]["action"] == ("unchanged" if scheduled else "scheduled")
    off = _task(cumulusci_tasks.StepforceSchedules, project, path=str(project), sweeper="False")
    off()
    assert len(fake.anonymous) == sent, "sweeper: False schedules nothing"
    assert off.return_values["sweeper"] is None


def test_doctor_task_refuses_an_unknown_probe_before_calling_the_org(tmp_path: Path) -> None:
    with pytest.raises(TaskOptionsError, match="unknown probe"):
        _task(cumulusci_run_tasks.StepforceDoctor, tmp_path, only="sweeper,telepathy")()


def test_doctor_task_deploys_probes_and_returns_the_verdicts(
    tmp_path: Path, mocked: responses.RequestsMock
) -> None:
    from tests.doctor.fake_doctor_org import FakeDoctorOrg

    _register_org(mocked, "scratch")
    FakeDoctorOrg().register(mocked)
    cleanup_id = "0Af5g00000ClEaNUPA"
    ids = (DEPLOY_ID, "0Af5g00000DeAcTIVA", cleanup_id)
    for deploy_id in ids:
        mocked.post(SOAP_URL, body=deploy_response(deploy_id), content_type="text/xml")
    for deploy_id in ids:
        mocked.post(
            f"{SOAP_URL}/{deploy_id}",
            body=status_response(status="Succeeded", done=True, deploy_id=deploy_id),
            content_type="text/xml",
        )
    task = _task(cumulusci_run_tasks.StepforceDoctor, tmp_path, only="sweeper")
    task()
    assert [p["status"] for p in task.return_values["probes"]] == ["PASS"]
    assert task.return_values["cleanup"] == f"removed (deploy {cleanup_id})"


@pytest.mark.parametrize("keep_versions", [False, True])
def test_deploy_task_deletes_removed_orchestrations_and_prunes_unless_told_to_keep(
    project: Path, mocked: responses.RequestsMock, keep_versions: bool
) -> None:
    fake = _register_org(mocked, "scratch")
    old, latest = "0000000000000000000000a1", "0000000000000000000000b2"
    documents = [
        plan_resource("Old_Flow", latest, True),
        plan_resource("Old_Flow", latest, False),
        plan_resource("Old_Flow", old, False),
    ]
    fake.resources = [documents]
    succeeds(mocked)
    path = lifecycle_project(project, DeployPlan(removed=("Old_Flow",)))
    options = {"delete_removed": "True", "keep_versions": str(keep_versions)}
    task = _task(cumulusci_tasks.StepforceDeploy, project, path=str(path), **options)
    task.make_poller = FakeClock().poller
    task()
    latest_id, old_id = documents[0]["Id"], documents[2]["Id"]
    assert fake.deleted == ([latest_id] if keep_versions else [old_id, latest_id])
