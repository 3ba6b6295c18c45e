"""The PLAN-* rules of plans.py: each plan resource read the way the runtime and ``deploy``
read it (its body, hash and canonical form, names, description, pinned version, model and
step targets), every message ending with what to do."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from stepforce.diagnostics import Diagnostic, Location, Severity
from stepforce.generator.check.rules.model import (
    Component,
    PlanBody,
    ProjectIndex,
    child,
)
from stepforce.generator.check.rules.plan_shape import (
    DOCUMENT_SHAPE,
    MAX_DEPTH,
    model_problems,
    shape_problems,
    too_deep,
)
from stepforce.generator.check.rules.plans import (
    DOCUMENT,
    META,
    MODEL,
    NAME,
    PINNED,
    TARGET,
    VERSION,
)
from stepforce.generator.literals import LiteralError
from stepforce.generator.plan_document import (
    FORMAT,
    MAX_RESOURCE_BYTES,
    current_resource,
    document_text,
    document_version,
    resource_description,
    version_resource,
)
from stepforce.generator.plan_names import CURRENT_RESOURCE_PREFIX, is_plan_resource
from stepforce.generator.simulate.versions import orchestration_of
from stepforce.generator.sources import blank_comments, flow_problems, step_class_problem
from stepforce.generator.spec.model import StepKind

_AGAIN = "run `stepforce generate` again"


@dataclass
class _Plan:
    """One plan resource: its body and meta (either may be missing) and, once the body
    passed ``PLAN-DOCUMENT``, its document."""

    name: str
    body: PlanBody | None = None
    meta: Component | None = None
    document: dict[str, Any] | None = None

    @property
    def latest(self) -> bool:
        return self.name.startswith(CURRENT_RESOURCE_PREFIX)


def _problem(
    rule: str,
    display: str,
    message: str,
    path: str = "",
    line: int = 1,
    severity: Severity = Severity.ERROR,
    related: tuple[Location, ...] = (),
) -> Diagnostic:
    where = Location(display, line)
    return Diagnostic(where, message, severity, path, f"rules/{rule}", related)


def _collect(index: ProjectIndex) -> dict[str, _Plan]:
    plans: dict[str, _Plan] = {}
    for body in index.plan_bodies:
        plans.setdefault(body.name, _Plan(body.name)).body = body
    for component in index.of_kind("StaticResource"):
        if is_plan_resource(component.name):
            plans.setdefault(component.name, _Plan(component.name)).meta = component
    return dict(sorted(plans.items()))


def _read(plan: _Plan) -> Iterator[Diagnostic]:
    """PLAN-DOCUMENT; sets ``plan.document`` when the body is a well-shaped document."""
    if plan.body is None:
        assert plan.meta is not None
        message = f"{plan.name}.resource is missing beside its -meta.xml: {_AGAIN}"
        yield _problem(DOCUMENT, plan.meta.display, message)
        return
    display, content = plan.body.display, plan.body.content
    if plan.meta is None:
        message = f"no {plan.name}.resource-meta.xml beside it: it does not deploy; {_AGAIN}"
        yield _problem(DOCUMENT, display, message)
    if len(content) > MAX_RESOURCE_BYTES:
        message = (
            f"the body has {len(content):,} bytes; a static resource holds at most "
            f"{MAX_RESOURCE_BYTES:,} (split the orchestration, then {_AGAIN})"
        )
        yield _problem(DOCUMENT, display, message)
        return
    try:
        document = json.loads(content.decode("utf-8"))
    except UnicodeDecodeError as error:
        message = f"the body is not UTF-8 (byte {error.start}): {_AGAIN}"
        yield _problem(DOCUMENT, display, message)
        return
    except json.JSONDecodeError as error:
        message = f"the body is not JSON ({error.msg}, column {error.colno}): {_AGAIN}"
        yield _problem(DOCUMENT, display, message, line=error.lineno)
        return
    except (ValueError, RecursionError) as error:  # a 5,000-digit number, deep nesting
        message = f"the body is not JSON a plan can hold ({error}): {_AGAIN}"
        yield _problem(DOCUMENT, display, message)
        return
    if too_deep(document):
        message = f"the body nests lists or objects more than {MAX_DEPTH} deep: {_AGAIN}"
        yield _problem(DOCUMENT, display, message)
        return
    if not isinstance(document, dict):
        yield _problem(
            DOCUMENT, display, f"the body is not a plan document (a JSON object): {_AGAIN}"
        )
        return
    found = document.get("format")
    if found != FORMAT or isinstance(found, bool):
        message = (
            f"plan document format {json.dumps(found)} is not the format {FORMAT} this "
            f"stepforce reads: {_AGAIN}"
        )
        yield _problem(DOCUMENT, display, message, "format")
        return
    problems = list(shape_problems(document, DOCUMENT_SHAPE))
    for path, message in problems:
        yield _problem(DOCUMENT, display, f"{message}: {_AGAIN}", path)
    if not problems:
        plan.document = document


def _hash_and_name(plan: _Plan, document: dict[str, Any], display: str) -> Iterator[Diagnostic]:
    assert plan.body is not None
    version = document["version"]
    actual = document_version(document)
    if version != actual:
        message = (
            f"version {version} is not the hash of this document ({actual}): it was edited "
            f"after generate wrote it; change the spec and {_AGAIN}"
        )
        yield _problem(VERSION, display, message, "version")
    elif plan.body.content != document_text(document).encode("utf-8"):
        message = (
            "the body is not what generate writes (compact JSON, sorted keys, one final "
            f"newline): {_AGAIN}"
        )
        yield _problem(VERSION, display, message)
    if plan.latest:
        wanted = current_resource(document["orchestration"])
        if plan.name != wanted:
            message = (
                f"{plan.name} holds the latest plan of {document['orchestration']!r}, whose "
                f"resource is {wanted}: {_AGAIN} (and delete {plan.name})"
            )
            yield _problem(NAME, display, message, "orchestration")
    elif plan.name != version_resource(version):
        message = f"{plan.name} holds version {version}: {_AGAIN} (and delete {plan.name})"
        yield _problem(NAME, display, message, "version")


def _meta(plan: _Plan, document: dict[str, Any] | None) -> Iterator[Diagnostic]:
    meta = plan.meta
    if meta is None:
        return
    wanted = {"contentType": "application/json", "cacheControl": "Private"}
    if document is not None:
        orch, version = document["orchestration"], document["version"]
        wanted["description"] = resource_description(orch, version, plan.latest)
    for tag, value in wanted.items():
        element = child(meta.root, tag)
        found = None if element is None else (element.text or "").strip()
        if found != value:
            shown = "none" if found is None else repr(found)
            message = f"<{tag}> is {shown}; generate writes {value!r}: {_AGAIN}"
            if tag == "description":
                message += " (stepforce plans and deploy's pruning read the description)"
            yield meta.problem(META, message, element)


def _pinned(plans: dict[str, _Plan]) -> Iterator[Diagnostic]:
    latest: dict[str, list[_Plan]] = {}
    for plan in plans.values():
        if not plan.latest or plan.document is None or plan.body is None:
            continue
        display, version = plan.body.display, plan.document["version"]
        latest.setdefault(plan.document["orchestration"], []).append(plan)
        pinned = plans.get(version_resource(version))
        if pinned is None or pinned.body is None:
            message = (
                f"{version_resource(version)} is not in the project: a run started on this "
                f"plan pins version {version}, and its next hop fails 'Plan version {version} "
                f"... is not deployed'; {_AGAIN}"
            )
            yield _problem(PINNED, display, message, "version")
        elif pinned.body.content != plan.body.content:
            message = f"{pinned.name} has another body than this latest plan: {_AGAIN}"
            yield _problem(PINNED, display, message, "version")
    for orch, group in latest.items():
        read = current_resource(orch)  # the one the runtime reads, else the first
        keep = read if any(plan.name == read for plan in group) else group[0].name
        for plan in group:
            if plan.name != keep and plan.body is not None:
                message = (
                    f"a second latest plan of {orch!r}: the runtime reads only {read}; "
                    f"delete {plan.name} and {_AGAIN}"
                )
                yield _problem(PINNED, plan.body.display, message, "orchestration")


def _targets(document: dict[str, Any], display: str, index: ProjectIndex) -> Iterator[Diagnostic]:
    try:
        steps = orchestration_of(document).steps
    except (ValueError, KeyError, TypeError, LiteralError):
        return  # PLAN-MODEL reports it
    classes = {
        s.display.rsplit("/", 1)[-1].removesuffix(".cls").lower(): s
        for s in index.sources
        if s.display.endswith(".cls")
    }
    flows = {c.name: c for c in index.of_kind("Flow")}
    fix = f"fix it, or name another in the spec and {_AGAIN}"
    for position, step in enumerate(steps):
        path = f"steps[{position}]"
        what = "Flow" if step.kind is StepKind.FLOW else "Apex class"
        if step.namespace:
            continue  # a managed package's: in the org, never judged (as every rule does)
        source = classes.get(step.target.lower()) if step.kind is StepKind.APEX else None
        flow = flows.get(step.target) if step.kind is StepKind.FLOW else None
        if source is not None:
            name = source.display.rsplit("/", 1)[-1]
            found = step_class_problem(blank_comments(source.text), step.target, name)
            if found is not None:
                related = (Location(source.display, found[1]),)
                message = f"{found[0]}: {fix}"
                yield _problem(TARGET, display, message, f"{path}.target", related=related)
        elif flow is not None:
            for problem in flow_problems(flow.root, step):
                related = (Location(flow.display, problem.line),)
                where = f"{path}.{problem.part or 'target'}"
                yield _problem(TARGET, display, f"{problem.message}: {fix}", where, related=related)
        else:
            message = (
                f"{what} {step.target} is not in this project: the step fails unless the org "
                "has it already"
            )
            yield _problem(TARGET, display, message, f"{path}.target", severity=Severity.WARNING)


def judge(index: ProjectIndex) -> Iterator[Diagnostic]:
    """Every PLAN-* finding of the project's plan resources."""
    plans = _collect(index)
    for plan in plans.values():
        yield from _read(plan)
        document = plan.document
        yield from _meta(plan, document)
        if document is None or plan.body is None:
            continue
        display = plan.body.display
        yield from _hash_and_name(plan, document, display)
        for path, message in model_problems(document):
            yield _problem(MODEL, display, f"{message}: fix the spec and {_AGAIN}", path)
        yield from _targets(document, display, index)
    yield from _pinned(plans)
