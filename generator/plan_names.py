"""The names of the static resources that hold plan documents (generator/plan_document.py).

Kept apart from plan_document, which loads the spec model, so that converting a project for a
deploy (mdapi) and indexing it for the rules check know a plan resource without loading it.
"""

from __future__ import annotations

#: Static resource of the version a run is pinned to (``SfPlanV_<version>``).
VERSION_RESOURCE_PREFIX = "SfPlanV_"
#: Static resource of an orchestration's latest plan (``SfPlan_<hash of the name>``).
CURRENT_RESOURCE_PREFIX = "SfPlan_"
PLAN_RESOURCE_PREFIXES = (CURRENT_RESOURCE_PREFIX, VERSION_RESOURCE_PREFIX)


def is_plan_resource(name: str) -> bool:
    """Whether a static resource's name (no folder, no suffix) is a plan document's."""
    return name.startswith(PLAN_RESOURCE_PREFIXES)
