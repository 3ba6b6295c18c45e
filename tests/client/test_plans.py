"""`stepforce plans`: plan versions in the org and the unfinished runs pinned to each; and the
pure selection of what a deploy may delete (``plans.plan_cleanup``, ``plan_sync``).

Query answers use the REST API's query shape (REST API Developer Guide, "Query": ``totalSize``,
``done``, ``records``). Run counts come from the runtime's ``GET plans`` (docs/runtime.md,
"REST API"), counted over every run whatever the caller's sharing. Deletes are sObject
Collections DELETEs with one DeleteResult per id ("Delete Records Using sObject Collections").
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import responses
from responses import matchers

from stepforce.errors import OrgError
from stepforce.generator.plan_document import resource_description
from stepforce.runtime_client.composite import QueryAnswer
from stepforce.runtime_client.plan_sync import PlansReport, sync_plans
from stepforce.runtime_client.plans import (
    RESOURCES_QUERY,
    IncompleteUsageError,
    Usage,
    delete_failures,
    parse_usage,
    plan_cleanup,
    plan_versions,
    usage_of,
    usage_path,
)

from .conftest import DATA, INSTANCE, invoke

V1 = "0123456789abcdef01234567"
V2 = "fedcba9876543210fedcba98"
OLD = "00000000000000000000000a"
ROUTE = f"{INSTANCE}/services/apexrest/stepforce/v1/plans"


def _resource(version: str, latest: bool, name: str = "Invoice_Sync") -> dict[str, object]:
    return {
        "attributes": {"type": "StaticResource"},
        "Id": f"081{'L' if latest else 'V'}{version[-14:]}",
        "Name": f"SfPlan_{name[:6]}" if latest else f"SfPlanV_{version}",
        "Description": resource_description(name, version, latest),
    }


RESOURCES = [
    _resource(V2, True),
    _resource(V1, False),
    _resource(V2, False),
    {"attributes": {"type": "StaticResource"}, "Name": "SfPlanner", "Description": "other"},
]
USAGE = [
    {"orchestration": "Invoice_Sync", "planVersion": V1, "unfinishedRuns": 2},
    {"orchestration": "Legacy", "planVersion": None, "unfinishedRuns": 1},
]


def _answer(records: list[dict[str, object]]) -> dict[str, object]:
    return {"totalSize": len(records), "done": True, "records": records}


def _answer_queries(
    org: responses.RequestsMock,
    resources: list[dict[str, object]],
    usage: list[dict[str, object]],
    orchestration: str | None,
) -> None:
    org.get(
        f"{DATA}/query/",
        json=_answer(resources),
        match=[matchers.query_param_matcher({"q": RESOURCES_QUERY})],
    )
    params = {"orchestration": orchestration} if orchestration else {}
    org.get(
        ROUTE,
        json={"versions": usage, "complete": True},
        match=[matchers.query_param_matcher(params)],
    )


def test_versions_show_the_latest_and_the_runs_pinned_to_older_ones() -> None:
    found = plan_versions(RESOURCES, parse_usage({"versions": USAGE}))
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


def test_the_usage_path_encodes_the_orchestration() -> None:
    assert usage_path() == "stepforce/v1/plans"
    assert usage_path("O'Brien & Co") == "stepforce/v1/plans?orchestration=O%27Brien+%26+Co"


@pytest.mark.parametrize(
    "body",
    [
        {"versions": USAGE, "complete": False},  # the runtime could not count every run
        {"runs": []},
        {"versions": [{"orchestration": "X", "planVersion": V1, "unfinishedRuns": "2"}]},
        [],
    ],
)
def test_an_incomplete_or_odd_count_is_refused_not_read_as_zero(body: Any) -> None:
    with pytest.raises(OrgError, match="GET plans answer"):
        parse_usage(body)


def test_plans_command_prints_versions_of_one_orchestration(org: responses.RequestsMock) -> None:
    _answer_queries(org, RESOURCES, USAGE[:1], "Invoice_Sync")
    code, out, err = invoke(["plans", "Invoice_Sync", "--json"])
    assert code == 0, err
    versions = json.loads(out)["versions"]
    assert [(v["version"], v["latest"], v["activeRuns"]) for v in versions] == [
        (V2, True, 0),
        (V1, False, 2),
    ]


def test_prune_deletes_only_versions_no_unfinished_run_uses(
    org: responses.RequestsMock,
) -> None:
    _answer_queries(org, [*RESOURCES, _resource(OLD, False)], USAGE, None)
    org.delete(
        f"{DATA}/composite/sobjects",
        json=[{"id": f"081V{OLD[-14:]}", "success": True, "errors": []}],
        match=[matchers.query_param_matcher({"ids": f"081V{OLD[-14:]}", "allOrNone": "false"})],
    )
    code, out, err = invoke(["plans", "--prune", "--json"])
    assert code == 0, err
    payload = json.loads(out)
    assert [(p["orchestration"], p["version"]) for p in payload["pruned"]] == [
        ("Invoice_Sync", OLD)
    ]  # not V1 (2 runs), not V2 (the latest)
    assert payload["kept"] == {}
    assert [c.request.method for c in org.calls].count("DELETE") == 1


def test_prune_says_which_versions_the_org_kept_and_exits_1(
    org: responses.RequestsMock,
) -> None:
    _answer_queries(org, [*RESOURCES, _resource(OLD, False)], USAGE, None)
    refused = {"statusCode": "INSUFFICIENT_ACCESS_OR_READONLY", "message": "no", "fields": []}
    org.delete(f"{DATA}/composite/sobjects", json=[{"success": False, "errors": [refused]}])
    code, out, err = invoke(["plans", "--prune"])
    assert code == 1
    assert "0 plan version(s) pruned." in out
    assert f"{OLD}: INSUFFICIENT_ACCESS_OR_READONLY: no" in err


@pytest.mark.parametrize(
    ("message", "said", "not_said"),
    [
        # A runtime older than the route: its own 404 for a path it does not know.
        ("No such resource: /stepforce/v1/plans", "predates the plans route", "not deployed"),
        # Apex REST's own 404 when no class maps the URL (Apex Developer Guide,
        # "RestResource Annotation"): no runtime at all, not an older one.
        ("Could not find a match for URL", "runtime is not deployed in this org", "predates"),
    ],
)
def test_plans_against_an_org_without_the_route_says_what_to_deploy(
    org: responses.RequestsMock, message: str, said: str, not_said: str
) -> None:
    org.get(f"{DATA}/query/", json=_answer(RESOURCES))
    org.get(ROUTE, status=404, json=[{"errorCode": "NOT_FOUND", "message": message}])
    code, _out, err = invoke(["plans"])
    assert code == 1
    assert said in err
    assert not_said not in err


def test_delete_results_are_read_in_order_and_a_short_answer_deletes_nothing() -> None:
    ids = ["081A", "081B", "081C"]
    gone = {"statusCode": "ENTITY_IS_DELETED", "message": "entity is deleted", "fields": []}
    locked = {"statusCode": "DELETE_FAILED", "message": "in use", "fields": []}
    results = [
        {"id": "081A", "success": True, "errors": []},
        {"success": False, "errors": [gone]},  # deleted before: counts as deleted
        {"success": False, "errors": [locked]},
    ]
    assert delete_failures(ids, results) == {"081C": "DELETE_FAILED: in use"}
    assert set(delete_failures(ids, results[:2])) == set(ids)
    assert set(delete_failures(ids, {"message": "odd"})) == set(ids)


BEFORE = [_resource(V1, True), _resource(V1, False), _resource(OLD, False)]
AFTER = [_resource(V2, True), _resource(V2, False), _resource(V1, False), _resource(OLD, False)]


def test_cleanup_waits_a_deploy_for_the_version_that_was_latest_while_it_ran() -> None:
    cleanup = plan_cleanup(
        BEFORE, AFTER, owned=frozenset({"Invoice_Sync"}), removed=frozenset(), delete_removed=False
    )
    assert [r.version for r in cleanup.candidates] == [OLD]
    assert [r.version for r in cleanup.replaced] == [V1]
    assert cleanup.retired == ()
    assert cleanup.startable == ()


def test_cleanup_waits_for_a_version_another_deploy_made_while_this_one_ran() -> None:
    # RACED was not in the org when this deploy began: a deploy alongside made it (and may
    # have made it the latest, which a start may have pinned) before this one replaced it.
    raced = "00000000000000000000000b"
    after = [*AFTER, _resource(raced, False)]
    cleanup = plan_cleanup(
        BEFORE, after, owned=frozenset({"Invoice_Sync"}), removed=frozenset(), delete_removed=False
    )
    assert [r.version for r in cleanup.candidates] == [OLD]
    assert sorted(r.version for r in cleanup.replaced) == sorted([V1, raced])


def test_cleanup_touches_only_the_projects_orchestrations() -> None:
    cleanup = plan_cleanup(
        BEFORE, AFTER, owned=frozenset({"Other"}), removed=frozenset(), delete_removed=True
    )
    assert (cleanup.candidates, cleanup.replaced, cleanup.retired) == ((), (), ())


class _Org:
    def __init__(self, usage: Usage) -> None:
        self.usage = usage
        self.deleted: list[list[str]] = []

    def plan_usage(self, orchestration: str | None = None) -> Usage:
        assert orchestration is None, "a complete list answers for every orchestration"
        return self.usage

    def delete_records(self, ids: list[str]) -> Any:
        self.deleted.append(ids)
        return [{"id": i, "success": True, "errors": []} for i in ids]


def test_without_the_whole_list_from_before_the_deploy_nothing_is_pruned() -> None:
    org = _Org({})
    report = sync_plans(
        org,
        QueryAnswer(records=tuple(AFTER)),
        None,  # the preflight's list was paged or not asked
        owned=frozenset({"Invoice_Sync"}),
        removed=frozenset(),
        delete_removed=False,
        pruning=True,
    )
    assert org.deleted == []
    assert "not all on one page" in report.error


def test_a_paged_list_after_the_deploy_prunes_nothing() -> None:
    org = _Org({})
    report = sync_plans(
        org,
        QueryAnswer(records=tuple(AFTER), complete=False),
        tuple(BEFORE),
        owned=frozenset({"Invoice_Sync"}),
        removed=frozenset(),
        delete_removed=True,
        pruning=True,
    )
    assert org.deleted == []
    assert report.error.startswith("the plan documents could not be listed")


def _prune_unused(org: _Org, count: int) -> PlansReport:
    """A deploy after which ``count`` unused versions of Invoice_Sync may go."""
    versions = [f"{i:024x}" for i in range(1, count + 1)]
    after = [_resource(V2, True), *(_resource(v, False) for v in versions)]
    return sync_plans(
        org,
        QueryAnswer(records=tuple(after)),
        tuple(after),
        owned=frozenset({"Invoice_Sync"}),
        removed=frozenset(),
        delete_removed=False,
        pruning=True,
    )


def test_a_thousand_unused_versions_go_in_five_deletes_of_200() -> None:
    org = _Org({})
    report = _prune_unused(org, 1000)
    assert [len(set(batch)) for batch in org.deleted] == [200] * 5
    assert len({r.id for r in report.deleted}) == 1000


def test_a_cut_list_of_all_versions_is_asked_again_one_orchestration_at_a_time() -> None:
    asked: list[str | None] = []

    def ask(name: str | None) -> Usage:
        asked.append(name)
        if name is None:  # the runtime's list of every orchestration was cut at its limit
            return parse_usage({"versions": USAGE, "complete": False})
        return {(name, V1): 2} if name == "Invoice_Sync" else {}

    assert usage_of({"Invoice_Sync", "Other"}, ask) == {("Invoice_Sync", V1): 2}
    assert asked == [None, "Invoice_Sync", "Other"]
    with pytest.raises(IncompleteUsageError):
        usage_of({"Invoice_Sync"}, lambda _name: parse_usage({"versions": [], "complete": False}))


def test_prune_reads_every_page_of_documents_so_the_latest_version_is_never_pruned(
    org: responses.RequestsMock,
) -> None:
    # "Execute a SOQL Query" / "Query More Results" (REST API Developer Guide): a partial
    # answer has ``done`` false and a ``nextRecordsUrl`` of the next batch. Here the latest
    # plan of V2 is on the second page: read as the whole, page one makes V2 look prunable.
    next_url = "/services/data/v67.0/query/01gRO0000016PIAYA2-2000"
    first = [_resource(V2, False), _resource(OLD, False)]
    org.get(
        f"{DATA}/query/",
        json={"totalSize": 3, "done": False, "nextRecordsUrl": next_url, "records": first},
        match=[matchers.query_param_matcher({"q": RESOURCES_QUERY})],
    )
    org.get(f"{INSTANCE}{next_url}", json=_answer([_resource(V2, True)]))
    org.get(ROUTE, json={"versions": [], "complete": True})
    old_id = f"081V{OLD[-14:]}"
    org.delete(
        f"{DATA}/composite/sobjects",
        json=[{"id": old_id, "success": True, "errors": []}],
        match=[matchers.query_param_matcher({"ids": old_id, "allOrNone": "false"})],
    )
    code, out, err = invoke(["plans", "--prune", "--json"])
    assert code == 0, err
    assert [p["version"] for p in json.loads(out)["pruned"]] == [OLD]


def test_a_paged_answer_without_its_next_page_prunes_nothing(
    org: responses.RequestsMock,
) -> None:
    org.get(
        f"{DATA}/query/",
        json={"totalSize": 3, "done": False, "records": [_resource(OLD, False)]},
    )
    code, _out, err = invoke(["plans", "--prune"])
    assert code == 1
    assert "no nextRecordsUrl" in err
    assert "Traceback" not in err
    assert [c.request.method for c in org.calls if "composite" in c.request.url] == []


def test_a_refused_delete_request_fails_its_own_batch_not_the_ones_deleted_before() -> None:
    class Refusing(_Org):
        def delete_records(self, ids: list[str]) -> Any:
            if self.deleted:  # the second request: the org refuses it as a whole
                raise OrgError("the request failed", status=500, error_code="UNKNOWN_EXCEPTION")
            return super().delete_records(ids)

    report = _prune_unused(Refusing({}), 300)
    assert len(report.deleted) == 200  # the first DELETE's 200 are gone, and said so
    assert len(report.failures) == 100
    assert set(report.failures.values()) == {"UNKNOWN_EXCEPTION: the request failed"}


def test_listing_asks_per_orchestration_when_the_runtimes_list_of_all_is_cut(
    org: responses.RequestsMock,
) -> None:
    org.get(f"{DATA}/query/", json=_answer(RESOURCES))
    org.get(  # every orchestration: more rows than one answer holds
        ROUTE,
        json={"versions": USAGE, "complete": False},
        match=[matchers.query_param_matcher({})],
    )
    org.get(
        ROUTE,
        json={"versions": USAGE[:1], "complete": True},
        match=[matchers.query_param_matcher({"orchestration": "Invoice_Sync"})],
    )
    code, out, err = invoke(["plans", "--json"])
    assert code == 0, err
    versions = json.loads(out)["versions"]
    assert [(v["version"], v["activeRuns"]) for v in versions] == [(V2, 0), (V1, 2)]
