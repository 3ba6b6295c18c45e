"""Plan versions over REST for ``StepforceClient``: list, prune, and read one document.

Calls: the plan documents by one SOQL query (StaticResource), the runs that still need each
version by the runtime's ``GET plans`` (one call, counted over every run; one per
orchestration when the runtime's list of all is cut), deletes by sObject
Collections (one DELETE per 200), and a document's body by one query for its Id and one GET
of its ``Body`` blob field (``/sobjects/StaticResource/<id>/Body``, the sObject Blob Get
resource: REST API Developer Guide, "Get Blob Data"). See ``plans`` for the selection rules.
"""

from __future__ import annotations

import re
from typing import Any

from simple_salesforce.format import format_soql

from stepforce.errors import NotFoundError, OrgError, UsageError
from stepforce.generator.plan_document import version_resource
from stepforce.runtime_client import plans
from stepforce.runtime_client.http import RUNTIME_NOT_DEPLOYED, Transport

_VERSION = re.compile(r"[0-9a-f]{24}")
_ID = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")


def plan_usage(transport: Transport, orchestration: str | None = None) -> plans.Usage:
    """Unfinished runs per orchestration and plan version, counted by the runtime over every
    run (``GET plans``; custom permission Stepforce_Admin or Stepforce_Control)."""
    url = transport.apex_url + plans.usage_path(orchestration)
    try:
        result = transport.request("GET", url, idempotent=True)
    except NotFoundError as error:
        if error.error_code != "NOT_FOUND" or RUNTIME_NOT_DEPLOYED in str(error):
            raise  # no runtime at all (no class maps the URL): the transport's message says so
        raise OrgError(
            "the stepforce runtime in this org predates the plans route; deploy the current "
            "one (`stepforce deploy`)",
            status=404,
            error_code=error.error_code,
        ) from None
    return plans.parse_usage(result.body)


def plan_versions(transport: Transport, orchestration: str | None) -> list[plans.PlanVersion]:
    """Deployed plan versions and the unfinished runs pinned to each: the documents, then
    the runtime's count (asked again per orchestration when its list of all is cut)."""
    resources = transport.query(plans.RESOURCES_QUERY)
    documents = plans.parse_resources(resources)
    names = {r.orchestration for r in documents} if orchestration is None else {orchestration}
    usage = plans.usage_of(names, lambda name: plan_usage(transport, name or orchestration))
    return plans.plan_versions(resources, usage, orchestration)


def prune(
    transport: Transport, orchestration: str | None
) -> tuple[list[plans.PlanVersion], dict[str, str]]:
    """Deletes the versions no unfinished run uses and no new run starts on; returns the
    versions deleted, and version -> the org's problem for each it kept."""
    found = plan_versions(transport, orchestration)
    unused = [v for v in found if v.prunable and v.resource_id]

    def delete(ids: list[str]) -> Any:
        url = transport.data_url + plans.COLLECTIONS_PATH
        params = plans.delete_params(ids)
        return transport.request("DELETE", url, params=params, idempotent=True).body

    failures = plans.delete_records((v.resource_id or "" for v in unused), delete)
    kept = {
        str(v.version): failures[v.resource_id or ""] for v in unused if v.resource_id in failures
    }
    return [v for v in unused if v.resource_id not in failures], kept


def plan_document(transport: Transport, version: str) -> dict[str, Any]:
    """The plan document of one version (``SfPlanV_<version>``); NotFoundError when that
    version is not deployed (pruned, or never deployed to this org)."""
    if not _VERSION.fullmatch(version):
        raise UsageError(f"{version!r} is not a plan version (24 hexadecimal digits)")
    name = version_resource(version)
    records = transport.query(format_soql("SELECT Id FROM StaticResource WHERE Name = {}", name))
    resource_id = str(records[0].get("Id") or "") if records else ""
    if not _ID.fullmatch(resource_id):
        raise NotFoundError(f"plan version {version} is not deployed in this org ({name})")
    url = f"{transport.data_url}sobjects/StaticResource/{resource_id}/Body"
    # The transport parses a JSON body and gives any other as text: text is not a document
    # (a hand-edited or cut body), and must not escape as a traceback after the retry.
    document = transport.request("GET", url, idempotent=True).body
    if not isinstance(document, dict) or not isinstance(document.get("steps"), list):
        raise OrgError(f"{name} does not hold a plan document")
    return document
