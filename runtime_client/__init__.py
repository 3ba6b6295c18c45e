"""A typed client for the stepforce runtime's REST API, built on simple-salesforce.

from stepforce.runtime_client import OrgOptions, StepforceClient, resolve_org

client = StepforceClient(resolve_org(OrgOptions(target_org="my-scratch")))
run = client.start_run("Invoice_Sync", {"since": "2026-11-01"})
final = client.watch(run.id, on_update=lambda r: print(r.status))
"""

from stepforce.runtime_client.auth import OrgConnection, OrgOptions, resolve_org
from stepforce.runtime_client.client import StepforceClient
from stepforce.runtime_client.models import Run, RunPage, StepLimits, StepRun

__all__ = [
    "OrgConnection",
    "OrgOptions",
    "Run",
    "RunPage",
    "StepLimits",
    "StepRun",
    "StepforceClient",
    "resolve_org",
]
