"""Plan documents: the ``SfPlan_*`` and ``SfPlanV_*`` static resources ``stepforce generate``
writes (docs/engine.md, "Plan documents").

The Metadata API deploys a static resource without looking inside it, and the runtime runs
whatever a document says: a hand-edited, truncated, stale or mismatched document deploys
fine and fails only when a run reaches it (or, with a wrong description, makes ``deploy``
prune the wrong version). These rules judge every plan resource of the project offline:
the body, its hash and canonical form, names and descriptions, the pinned version beside
each latest plan, the orchestration it describes, and its step targets (plan_judge.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from stepforce.diagnostics import Diagnostic
from stepforce.generator.check.rules.model import ProjectIndex
from stepforce.generator.check.rules.registry import Check, Rule
from stepforce.generator.plan_names import is_plan_resource

DOCUMENT = "PLAN-DOCUMENT"
VERSION = "PLAN-VERSION"
NAME = "PLAN-NAME"
META = "PLAN-META"
PINNED = "PLAN-PINNED"
MODEL = "PLAN-MODEL"
TARGET = "PLAN-TARGET"
_ENGINE = "docs/engine.md (Plan documents)"

RULES = (
    Rule(
        DOCUMENT,
        "a plan resource has its body and -meta.xml; the body is UTF-8 JSON, a plan document "
        "of the known format with every key of the right type, at most 5 MB",
        f"{_ENGINE}; LWC Developer Guide: Access Static Resources (5 MB)",
    ),
    Rule(
        VERSION,
        "a plan's version is the hash of its document, and the body is the canonical JSON "
        "generate writes",
        _ENGINE,
    ),
    Rule(
        NAME,
        "SfPlanV_<v> holds version v; SfPlan_<h> holds the orchestration whose name hashes to h",
        _ENGINE,
    ),
    Rule(
        META,
        "a plan's -meta.xml: contentType application/json, cacheControl Private, and the "
        "description `stepforce latest|plan <version> of <orchestration>` of its body "
        "(stepforce plans and deploy's pruning read it)",
        f"{_ENGINE}; docs/deploy.md (pruning)",
    ),
    Rule(
        PINNED,
        "every latest plan has its SfPlanV_<version> with the same body; one latest plan per "
        "orchestration",
        f"{_ENGINE} (Pinning)",
    ),
    Rule(
        MODEL,
        "the document describes a valid orchestration (the spec validator's reference, name "
        "and policy rules) that generate writes back unchanged",
        f"{_ENGINE}; docs/spec.md",
    ),
    Rule(
        TARGET,
        "an Apex step's class in the project implements StepforceStep; a Flow step's flow in "
        "the project is autolaunched with the variables the step passes and reads (a target "
        "not in the project warns; a namespaced one is never judged)",
        "docs/spec.md (steps); Apex Developer Guide: Interfaces",
    ),
)


def plan_documents(index: ProjectIndex) -> Iterator[Diagnostic]:
    """Every PLAN-* finding. The judge loads the spec model and ``plan_document``, so a
    project without plans (the runtime package, most projects) does not pay for it."""
    plans = any(is_plan_resource(c.name) for c in index.of_kind("StaticResource"))
    if not (plans or index.plan_bodies):
        return
    from stepforce.generator.check.rules.plan_judge import judge

    yield from judge(index)


CHECKS: tuple[Check, ...] = (plan_documents,)
