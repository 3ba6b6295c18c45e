"""``stepforce deploy`` and plan versions: after a successful deploy it prunes the project's
versions no unfinished run uses (never one in use, never the latest, never one that was the
latest while the deploy ran), and with ``--delete-removed`` deletes removed orchestrations'
latest plans.

Shapes: REST query and ``/composite`` answers (REST API Developer Guide, "Execute a SOQL
Query", "Send Multiple Requests Using Composite"); sObject Collections DELETE and its
DeleteResults ("Delete Records Using sObject Collections"); the runtime's ``GET plans``
(docs/runtime.md, "REST API").
"""

from __future__ import annotations

import json
from pathlib import Path

from stepforce.deploy_plan import DeployPlan
from tests.deploy.conftest import (
    ORG_ARGS,
    Deploying,
    lifecycle_project,
    plan_resource,
    run_deploy,
    succeeds,
)

OLD = "0000000000000000000000a1"  # Invoice_Sync: replaced two deploys ago, unused
PREV = "0000000000000000000000b2"  # Invoice_Sync: the latest until this deploy
NEW = "0000000000000000000000c3"  # Invoice_Sync: what this deploy makes the latest
OTHER = "0000000000000000000000d4"  # another project's orchestration: never touched
OTHER_LATEST = "0000000000000000000000d5"
GONE = "0000000000000000000000e5"  # Old_Flow (spec removed): its latest plan
GONE_OLD = "0000000000000000000000e6"  # Old_Flow: an older version a Paused run uses

PLAN = DeployPlan(orchestrations=("Invoice_Sync",), removed=("Old_Flow",))
SHARED = [
    plan_resource("Other_Sync", OTHER_LATEST, True),
    plan_resource("Other_Sync", OTHER_LATEST, False),
    plan_resource("Other_Sync", OTHER, False),
    plan_resource("Old_Flow", GONE, True),
    plan_resource("Old_Flow", GONE, False),
    plan_resource("Old_Flow", GONE_OLD, False),
]
BEFORE = [
    plan_resource("Invoice_Sync", PREV, True),
    plan_resource("Invoice_Sync", OLD, False),
    plan_resource("Invoice_Sync", PREV, False),
    *SHARED,
]
AFTER = [
    plan_resource("Invoice_Sync", NEW, True),
    plan_resource("Invoice_Sync", OLD, False),
    plan_resource("Invoice_Sync", PREV, False),
    plan_resource("Invoice_Sync", NEW, False),
    *SHARED,
]
USAGE = [{"orchestration": "Old_Flow", "planVersion": GONE_OLD, "unfinishedRuns": 1}]
PLANS_ROUTE = "GET /services/apexrest/stepforce/v1/plans"
DELETE = "DELETE /services/data/v62.0/composite/sobjects"


def _id(version: str, latest: bool = False) -> str:
    return str(plan_resource("x", version, latest)["Id"])


def _deploy(deploying: Deploying, project: Path, *flags: str) -> tuple[int, str, str]:
    fake_org, mocked = deploying.start("scratch")
    fake_org.resources = [BEFORE, AFTER]
    fake_org.usage = USAGE
    succeeds(mocked)
    code = run_deploy(
        ["deploy", str(lifecycle_project(project, PLAN)), *ORG_ARGS, "--no-sweeper", *flags]
    )
    out, err = deploying.output()
    return code, out, err


def test_deploy_prunes_the_unused_versions_it_owns_and_keeps_the_one_it_replaced(
    project: Path, deploying: Deploying
) -> None:
    code, out, err = _deploy(deploying, project)
    fake_org, mocked = deploying.fake_org, deploying.mocked
    assert code == 0, err
    # OLD goes. PREV was the latest while the deploy ran (a start racing it may have pinned
    # it): next deploy. GONE_OLD has a Paused run. Other_Sync is not this project's.
    assert fake_org.deleted == [_id(OLD)]
    assert f"plans: pruned version {OLD} of Invoice_Sync (no unfinished run uses it)" in out
    assert "plans: 1 version(s) this deploy replaced stay until the next deploy" in out
    assert "removed orchestration(s) Old_Flow stay startable in the org" in err
    calls = fake_org.calls(mocked)
    assert calls[-2:] == [PLANS_ROUTE, DELETE], "the runs are counted by the runtime"
    assert calls.count("POST /services/data/v62.0/composite") == 2  # before, after
    assert sum("FROM StaticResource" in q for q in fake_org.soql) == 2


def test_a_version_an_unfinished_run_uses_is_never_pruned(
    project: Path, deploying: Deploying
) -> None:
    fake_org, mocked = deploying.start("scratch")
    fake_org.resources = [BEFORE, AFTER]
    fake_org.usage = [
        *USAGE,
        {"orchestration": "Invoice_Sync", "planVersion": OLD, "unfinishedRuns": 3},
    ]
    succeeds(mocked)
    path = lifecycle_project(project, PLAN)
    code = run_deploy(["deploy", str(path), *ORG_ARGS, "--no-sweeper", "--json"])
    out, err = deploying.output()
    assert code == 0, err
    assert fake_org.deleted == []
    assert DELETE not in fake_org.calls(mocked), "nothing to delete: no DELETE call"
    plans = json.loads(out)["plans"]
    assert plans["pruned"] == []
    assert plans["replaced"] == [{"orchestration": "Invoice_Sync", "version": PREV}]
    assert plans["stillStartable"] == ["Old_Flow"]
    assert plans["error"] is None


def test_delete_removed_deletes_the_latest_plan_while_its_runs_finish_on_their_version(
    project: Path, deploying: Deploying
) -> None:
    code, out, err = _deploy(deploying, project, "--delete-removed")
    assert code == 0, err
    # The latest of Old_Flow goes although a run of it is Paused: the run is pinned to
    # GONE_OLD, which stays while it is unfinished.
    assert deploying.fake_org.deleted == [_id(OLD), _id(GONE, latest=True)]
    assert (
        "plans: deleted the latest plan of removed orchestration Old_Flow: no new run can "
        "start it; its unfinished runs finish on their pinned versions"
    ) in out
    assert "stay startable" not in err


def test_keep_versions_prunes_nothing_and_asks_for_no_plan_documents(
    project: Path, deploying: Deploying
) -> None:
    code, _out, err = _deploy(deploying, project, "--keep-versions")
    assert code == 0, err
    fake_org = deploying.fake_org
    assert fake_org.deleted == []
    assert not any("FROM StaticResource" in q for q in fake_org.soql)
    assert PLANS_ROUTE not in fake_org.calls(deploying.mocked)


def test_a_redeploy_with_nothing_to_prune_costs_no_further_call(
    project: Path, deploying: Deploying
) -> None:
    fake_org, mocked = deploying.start("scratch")
    latest = [plan_resource("Invoice_Sync", NEW, True), plan_resource("Invoice_Sync", NEW, False)]
    fake_org.resources = [latest, latest]
    succeeds(mocked)
    path = lifecycle_project(project, DeployPlan(orchestrations=("Invoice_Sync",)))
    code = run_deploy(["deploy", str(path), *ORG_ARGS, "--no-sweeper"])
    assert code == 0, deploying.output()[1]
    assert fake_org.calls(mocked) == [
        "POST /services/data/v62.0/composite",
        "POST /services/Soap/m/62.0/deployRequest",
        "POST /services/Soap/m/62.0/deployRequest/0Af5g00000AbCdEFGH",
        "POST /services/data/v62.0/composite",
    ]


def test_without_the_runtimes_count_nothing_is_pruned_and_the_deploy_still_succeeds(
    project: Path, deploying: Deploying
) -> None:
    fake_org, mocked = deploying.start("scratch")
    fake_org.resources = [BEFORE, AFTER]
    fake_org.usage = 403  # the deploying user has neither Stepforce_Admin nor _Control
    succeeds(mocked)
    path = lifecycle_project(project, PLAN)
    code = run_deploy(["deploy", str(path), *ORG_ARGS, "--no-sweeper", "--delete-removed"])
    out, err = deploying.output()
    assert code == 0, err
    # The REST error array read as code and message, not printed as a Python list.
    assert (
        "plans: nothing pruned: could not count the runs on each version: "
        "INSUFFICIENT_ACCESS: You may not do this"
    ) in out
    # Deleting a latest plan needs no count: runs are pinned to versions, never to it.
    assert fake_org.deleted == [_id(GONE, latest=True)]


def test_a_latest_plan_the_org_refuses_to_delete_fails_the_deploy_command(
    project: Path, deploying: Deploying
) -> None:
    deploying.fake_org.delete_errors = {
        _id(GONE, latest=True): "INSUFFICIENT_ACCESS_OR_READONLY",
        _id(OLD): "ENTITY_IS_DELETED",  # gone already (a retried delete): counts as deleted
    }
    code, out, err = _deploy(deploying, project, "--delete-removed")
    assert code == 1
    assert f"plans: pruned version {OLD} of Invoice_Sync" in out
    assert (
        f"plans: not deleted {_id(GONE, latest=True)}: INSUFFICIENT_ACCESS_OR_READONLY: refused"
        in out
    )
    assert "Succeeded, but the latest plan of removed orchestration(s) Old_Flow was not" in err


def test_plans_only_may_delete_removed_orchestrations(project: Path, deploying: Deploying) -> None:
    folder = project / "force-app/main/default/staticresources"
    folder.mkdir(parents=True)
    (folder / f"SfPlanV_{NEW}.resource").write_text("{}", encoding="utf-8")
    meta = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<StaticResource xmlns="http://soap.sforce.com/2006/04/metadata">\n'
        "    <cacheControl>Private</cacheControl>\n"
        "    <contentType>application/json</contentType>\n</StaticResource>\n"
    )
    (folder / f"SfPlanV_{NEW}.resource-meta.xml").write_text(meta, encoding="utf-8")
    code, _out, err = _deploy(deploying, project, "--plans-only", "--delete-removed")
    assert code == 0, err
    assert _id(GONE, latest=True) in deploying.fake_org.deleted


def test_a_failed_plan_documents_query_before_the_deploy_prunes_nothing_and_blocks_nothing(
    project: Path, deploying: Deploying
) -> None:
    # A failed subrequest of the preflight's composite request ("Composite Subrequest
    # Result": its httpStatusCode and the REST API's error array as body).
    fake_org, mocked = deploying.start("scratch")
    fake_org.resources = [400, AFTER]
    fake_org.usage = USAGE
    succeeds(mocked)
    path = lifecycle_project(project, PLAN)
    code = run_deploy(["deploy", str(path), *ORG_ARGS, "--no-sweeper", "--delete-removed"])
    out, err = deploying.output()
    assert code == 0, err
    assert "POST /services/Soap/m/62.0/deployRequest" in fake_org.calls(mocked)
    assert "plans: nothing pruned: the plan documents before the deploy could not be" in out
    # Only a removed orchestration's latest plan goes: that needs no list from before.
    assert fake_org.deleted == [_id(GONE, latest=True)]


def test_delete_removed_fails_the_command_when_the_documents_cannot_be_listed_after(
    project: Path, deploying: Deploying
) -> None:
    fake_org, mocked = deploying.start("scratch")
    fake_org.resources = [BEFORE, 400]  # the query after the deploy fails
    fake_org.usage = USAGE
    succeeds(mocked)
    path = lifecycle_project(project, PLAN)
    code = run_deploy(
        ["deploy", str(path), *ORG_ARGS, "--no-sweeper", "--delete-removed", "--json"]
    )
    out, _err = deploying.output()
    assert code == 1, "what --delete-removed asked for was not done"
    payload = json.loads(out)  # one JSON document, the failure in it
    assert payload["status"] == "Succeeded"
    assert payload["plans"]["error"].startswith("the plan documents could not be listed")
    assert "removed orchestration(s) Old_Flow were not looked for" in payload["error"]["message"]
    assert fake_org.deleted == []
