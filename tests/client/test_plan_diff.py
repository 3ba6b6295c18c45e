"""`stepforce run retry --latest` says how the latest plan differs from the run's old version
for the steps still to run. Documents are built from real specs (generator/plan_document.py);
a document's body is read with the sObject Blob Get resource, ``/sobjects/StaticResource/<id>/
Body``, which returns the raw file (REST API Developer Guide, "Get Blob Data")."""

from __future__ import annotations

import json
from typing import Any

import responses
from responses import matchers
from simple_salesforce.format import format_soql

from stepforce.generator.plan_document import plan_document
from stepforce.generator.spec import load_spec_text
from stepforce.runtime_client.plan_diff import plan_changes

from .conftest import APEX, DATA, RUN_ID, invoke, run_json

V1_SPEC = """\
orchestration: Invoice_Sync
inputs:
  since: {type: Date, required: true}
steps:
  - name: Fetch_Page
    apex: InvoiceFetcher
    inputs: {since: $input.since}
    outputs: {page: Text}
  - name: Load
    flow: Invoice_Load
    inputs: {page: $steps.Fetch_Page.page}
  - name: Notify
    apex: InvoiceNotifier
"""
V2_SPEC = """\
orchestration: Invoice_Sync
inputs:
  since: {type: Date, required: true}
  region: {type: Text, default: EU}
steps:
  - name: Fetch_Page
    apex: InvoiceFetcherV2
    inputs: {since: $input.since, region: $input.region}
    outputs: {page: Text}
    retry: {attempts: 3, delay_minutes: [1, 5]}
  - name: Check
    apex: InvoiceChecker
    inputs: {page: $steps.Fetch_Page.page}
  - name: Load
    flow: Invoice_Load
    inputs: {page: $steps.Fetch_Page.page}
"""


def _document(text: str) -> dict[str, Any]:
    return plan_document(load_spec_text(text, "invoice.yaml"))


V1, V2 = _document(V1_SPEC), _document(V2_SPEC)


def test_changes_name_added_removed_and_changed_steps_and_inputs() -> None:
    assert plan_changes(V1, V2, "Fetch_Page") == [
        "+ run input region: Text, default 'EU' (new)",
        "~ step Fetch_Page: runs Apex InvoiceFetcherV2 (was Apex InvoiceFetcher); retry "
        "attempts 1 -> 3; retry delays [1] -> [1, 5]; input region = $input.region (new)",
        "+ step Check: Apex InvoiceChecker (new)",
        "- step Notify: no longer in the plan, so it does not run",
    ]


def test_only_the_steps_from_the_restart_point_are_compared() -> None:
    lines = plan_changes(V1, V2, "Load")
    assert "+ step Check: Apex InvoiceChecker (new)" not in lines  # before the restart point
    assert not any(line.startswith("~ step Fetch_Page") for line in lines)
    assert "- step Notify: no longer in the plan, so it does not run" in lines


def test_the_same_plan_shows_no_change_and_a_reorder_is_named() -> None:
    assert plan_changes(V1, V1, "Fetch_Page") == []
    swapped = V1_SPEC.replace(
        "  - name: Load\n    flow: Invoice_Load\n    inputs: {page: $steps.Fetch_Page.page}\n"
        "  - name: Notify\n    apex: InvoiceNotifier\n",
        "  - name: Notify\n    apex: InvoiceNotifier\n"
        "  - name: Load\n    flow: Invoice_Load\n    inputs: {page: $steps.Fetch_Page.page}\n",
    )
    assert plan_changes(V1, _document(swapped), "Fetch_Page") == [
        "~ order: Fetch_Page, Notify, Load (was Fetch_Page, Load, Notify)"
    ]


def _serve_document(org: responses.RequestsMock, document: dict[str, Any]) -> None:
    version = str(document["version"])
    resource_id = f"081{version[-15:]}"
    soql = format_soql("SELECT Id FROM StaticResource WHERE Name = {}", f"SfPlanV_{version}")
    org.get(
        f"{DATA}/query/",
        json={"totalSize": 1, "done": True, "records": [{"Id": resource_id}]},
        match=[matchers.query_param_matcher({"q": soql})],
    )
    # Blob Get answers the file's bytes, not JSON: served as octet-stream here.
    org.get(
        f"{DATA}/sobjects/StaticResource/{resource_id}/Body",
        body=json.dumps(document).encode("utf-8"),
        content_type="application/octet-stream",
    )


def _retry_moves_v1_to_v2(org: responses.RequestsMock) -> None:
    """A Failed run pinned to V1; its retry with latest answers the run on V2."""
    org.get(f"{APEX}/{RUN_ID}", json={**run_json("Failed"), "planVersion": V1["version"]})
    moved = {**run_json("Queued", with_steps=False), "planVersion": V2["version"]}
    org.post(f"{APEX}/{RUN_ID}/retry", json=moved)


def test_retry_latest_prints_what_differs_for_the_steps_still_to_run(
    org: responses.RequestsMock,
) -> None:
    _retry_moves_v1_to_v2(org)
    _serve_document(org, V1)
    _serve_document(org, V2)
    code, out, err = invoke(["run", "retry", RUN_ID, "--latest"])
    assert code == 0, err
    assert f"Plan version {V1['version']} -> {V2['version']} (latest)." in out
    assert "What differs from Fetch_Page on:" in out
    assert "+ step Check: Apex InvoiceChecker (new)" in out


def test_retry_latest_says_so_when_the_old_version_was_pruned(
    org: responses.RequestsMock,
) -> None:
    _retry_moves_v1_to_v2(org)
    org.get(f"{DATA}/query/", json={"totalSize": 0, "done": True, "records": []})
    code, out, err = invoke(["run", "retry", RUN_ID, "--latest"])
    assert code == 0, err  # the move itself happened
    assert f"Cannot show what differs: plan version {V1['version']} is not deployed" in out


def test_a_retry_of_a_run_whose_version_was_pruned_points_to_latest(
    org: responses.RequestsMock,
) -> None:
    # The runtime's 404 when the pinned version's document is gone (docs/runtime.md, retry).
    gone = f"Unknown orchestration Invoice_Sync (plan version {V1['version']} is not deployed)"
    org.post(
        f"{APEX}/{RUN_ID}/retry", status=404, json=[{"errorCode": "NOT_FOUND", "message": gone}]
    )
    code, _out, err = invoke(["run", "retry", RUN_ID])
    assert code == 1
    assert gone in err
    assert f"`stepforce run retry {RUN_ID} --latest` moves it to the latest plan" in err


def test_retry_latest_says_so_when_the_old_document_is_not_json(
    org: responses.RequestsMock,
) -> None:
    _retry_moves_v1_to_v2(org)
    resource_id = f"081{str(V1['version'])[-15:]}"
    org.get(
        f"{DATA}/query/",
        json={"totalSize": 1, "done": True, "records": [{"Id": resource_id}]},
    )
    org.get(  # a hand-edited, cut body: Blob Get answers the bytes as they are
        f"{DATA}/sobjects/StaticResource/{resource_id}/Body",
        body=b'{"steps": [',
        content_type="application/octet-stream",
    )
    code, out, err = invoke(["run", "retry", RUN_ID, "--latest"])
    assert code == 0, err  # the move itself happened
    assert f"Cannot show what differs: SfPlanV_{V1['version']} does not hold a plan" in out
