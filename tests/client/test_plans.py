"""`stepforce plans`: plan versions in the org and the unfinished runs pinned to each.

Query answers use the REST API's query shape (REST API Developer Guide, "Query": ``totalSize``,
``done``, ``records``); an aggregate query's records carry the grouped fields and each alias
("Aggregate Functions", SOQL and SOSL Reference: ``COUNT(Id) runs`` is read as ``runs``).
"""

from __future__ import annotations

import json

import responses
from responses import matchers

from stepforce.generator.plan_document import resource_description
from stepforce.runtime_client.plans import RESOURCES_QUERY, plan_versions, runs_query

from .conftest import DATA, invoke

V1 = "0123456789abcdef01234567"
V2 = "fedcba9876543210fedcba98"


def _resource(name: str, version: str, latest: bool) -> dict[str, object]:
    return {
        "attributes": {"type": "StaticResource"},
        "Id": f"081{version[:15]}",
        "Name": name,
        "Description": resource_description("Invoice_Sync", version, latest),
    }


RESOURCES = [
    _resource("SfPlan_aaaaaaaaaaaaaaaaaaaaaaaa", V2, True),
    _resource(f"SfPlanV_{V1}", V1, False),
    _resource(f"SfPlanV_{V2}", V2, False),
    {"attributes": {"type": "StaticResource"}, "Name": "SfPlanner", "Description": "other"},
]
RUNS = [
    {
        "attributes": {"type": "AggregateResult"},
        "Orchestration__c": "Invoice_Sync",
        "Plan_Version__c": V1,
        "runs": 2,
    },
    {
        "attributes": {"type": "AggregateResult"},
        "Orchestration__c": "Legacy",
        "Plan_Version__c": None,
        "runs": 1,
    },
]


def _answer(records: list[dict[str, object]]) -> dict[str, object]:
    return {"totalSize": len(records), "done": True, "records": records}


def _answer_queries(
    org: responses.RequestsMock,
    resources: list[dict[str, object]],
    runs: list[dict[str, object]],
    orchestration: str | None,
) -> None:
    for soql, records in ((RESOURCES_QUERY, resources), (runs_query(orchestration), runs)):
        org.get(
            f"{DATA}/query/",
            json=_answer(records),
            match=[matchers.query_param_matcher({"q": soql})],
        )


def test_versions_show_the_latest_and_the_runs_pinned_to_older_ones() -> None:
    found = plan_versions(RESOURCES, RUNS)
    assert [v.to_json() for v in found] == [
        {
            "orchestration": "Invoice_Sync",
            "version": V2,
            "latest": True,
            "deployed": True,
            "activeRuns": 0,
        },  # what new runs start on: never pruned
        {
            "orchestration": "Invoice_Sync",
            "version": V1,
            "latest": False,
            "deployed": True,
            "activeRuns": 2,
        },
        {
            "orchestration": "Legacy",
            "version": None,
            "latest": False,
            "deployed": False,
            "activeRuns": 1,
        },
    ]


def test_the_runs_query_quotes_the_orchestration() -> None:
    assert runs_query("O'Brien").endswith(
        "AND Orchestration__c = 'O\\'Brien' GROUP BY Orchestration__c, Plan_Version__c"
    )


def test_plans_command_prints_versions_of_one_orchestration(org: responses.RequestsMock) -> None:
    _answer_queries(org, RESOURCES, RUNS[:1], "Invoice_Sync")
    code, out, err = invoke(["plans", "Invoice_Sync", "--json"])
    assert code == 0, err
    versions = json.loads(out)["versions"]
    assert [(v["version"], v["latest"], v["activeRuns"]) for v in versions] == [
        (V2, True, 0),
        (V1, False, 2),
    ]


OLD = "00000000000000000000000a"


def test_prune_deletes_only_versions_no_unfinished_run_uses(
    org: responses.RequestsMock,
) -> None:
    resources = [*RESOURCES, _resource(f"SfPlanV_{OLD}", OLD, False)]
    _answer_queries(org, resources, RUNS, None)
    # DELETE /sobjects/StaticResource/{id} answers 204 No Content (REST API Developer Guide,
    # "sObject Rows": "HTTP 204 ... on successful delete").
    org.delete(f"{DATA}/sobjects/StaticResource/081{OLD[:15]}", status=204)
    code, out, err = invoke(["plans", "--prune", "--json"])
    assert code == 0, err
    pruned = json.loads(out)["pruned"]
    assert [(p["orchestration"], p["version"]) for p in pruned] == [("Invoice_Sync", OLD)]
    deletes = [c.request.url for c in org.calls if c.request.method == "DELETE"]
    assert deletes == [f"{DATA}/sobjects/StaticResource/081{OLD[:15]}"]  # not V1 (2 runs), V2
