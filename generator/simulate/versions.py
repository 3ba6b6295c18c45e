"""Plan versions as the org holds them, for the simulator: deployed plan documents and the
orchestration model each document describes.

A Metadata API deploy adds a package's static resources and removes none (it deletes only
what a destructive manifest names): ``SfPlan_<name hash>`` is replaced by the latest plan,
``SfPlanV_<version>`` is added. ``stepforce deploy`` then prunes versions no unfinished run
uses (docs/engine.md, "Pruning"); the shelf keeps them all, which changes nothing for a run in
flight: its version is in use, so it is never pruned.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping
from typing import Any

from stepforce.generator import literals
from stepforce.generator.plan_document import current_resource, version_resource
from stepforce.generator.plan_names import is_plan_resource
from stepforce.generator.spec.model import (
    Binding,
    InputDecl,
    Literal,
    OnFailure,
    Orchestration,
    OutputDecl,
    Ref,
    RefKind,
    Repeat,
    Retry,
    Schedule,
    Step,
    StepKind,
    ValueType,
)

_RESOURCE_SUFFIX = ".resource"


class PlanShelf:
    """The plan documents deployed to one org, by static resource name."""

    def __init__(self) -> None:
        self.resources: dict[str, dict[str, Any]] = {}

    def deploy(self, package: bytes) -> None:
        """Adds the plan documents of a metadata-format package (a zip), replacing only the
        latest-plan resources it carries."""
        with zipfile.ZipFile(io.BytesIO(package)) as archive:
            for name in archive.namelist():
                stem = name.rsplit("/", 1)[-1].removesuffix(_RESOURCE_SUFFIX)
                plan = is_plan_resource(stem)
                if name.endswith(_RESOURCE_SUFFIX) and "/staticresources/" in f"/{name}" and plan:
                    self.resources[stem] = json.loads(archive.read(name).decode("utf-8"))

    def latest_version(self, orchestration: str) -> str:
        """The version a new run of ``orchestration`` starts on (KeyError: none deployed)."""
        return str(self.resources[current_resource(orchestration)]["version"])

    def document(self, version: str) -> dict[str, Any]:
        """The document of a version (KeyError: not deployed)."""
        return self.resources[version_resource(version)]


def orchestration_of(document: Mapping[str, Any]) -> Orchestration:
    """The orchestration model a plan document describes (what the interpreter executes).
    Raises ValueError (or KeyError, TypeError, ``literals.LiteralError``) on a document that
    describes none: ``stepforce check`` reports those (rules/PLAN-MODEL)."""
    inputs = tuple(_input(item) for item in document["inputs"])
    schedule = document.get("schedule")
    return Orchestration(
        name=str(document["orchestration"]),
        description=str(document.get("description", "")),
        inputs=inputs,
        steps=tuple(_step(item) for item in document["steps"]),
        schedule=None if schedule is None else _schedule(schedule, inputs),
    )


def _schedule(item: Mapping[str, Any], inputs: tuple[InputDecl, ...]) -> Schedule:
    """The schedule: its run inputs coerced to the declared types (an undeclared one is kept
    as it is, and ``plan_document`` refuses it as the validator does)."""
    declared = {decl.name: decl.type for decl in inputs}
    bindings = []
    for name, raw in item["inputs"].items():
        vtype = declared.get(name)
        value = raw if vtype is None or raw is None else literals.coerce(raw, vtype)
        bindings.append(Binding(name, Literal(value), vtype, vtype))
    return Schedule(str(item["cron"]), tuple(bindings))


def _type(text: str | None) -> ValueType | None:
    return None if text is None else _declared(text)


def _declared(text: str) -> ValueType:
    vtype = ValueType.parse(text)
    if vtype is None:
        raise ValueError(f"the plan document declares an unknown type {text}")
    return vtype


def _input(item: Mapping[str, Any]) -> InputDecl:
    vtype = _declared(item["type"])
    default = item.get("default")
    return InputDecl(
        name=item["name"],
        type=vtype,
        required=bool(item["required"]),
        default=None if default is None else literals.coerce(default, vtype),
    )


def _binding(item: Mapping[str, Any]) -> Binding:
    vtype = _type(item.get("type"))
    if "ref" in item:
        ref = item["ref"]
        kind = RefKind(ref[0])
        value: Ref | Literal = (
            Ref(kind, ref[2], ref[1]) if kind is RefKind.STEPS else Ref(kind, ref[1])
        )
    else:
        raw = item.get("value")
        value = Literal(None if raw is None or vtype is None else literals.coerce(raw, vtype))
    return Binding(item["name"], value, source_type=vtype, declared=vtype)


def _step(item: Mapping[str, Any]) -> Step:
    repeat = item.get("repeat")
    outputs = tuple(OutputDecl(o["name"], _declared(o["type"])) for o in item["outputs"])
    return Step(
        name=item["name"],
        kind=StepKind(item["kind"]),
        target=item["target"],
        namespace=item.get("namespace"),
        inputs=tuple(_binding(b) for b in item["inputs"]),
        outputs=outputs,
        repeat=None if repeat is None else Repeat(repeat["until"], int(repeat["max"])),
        retry=Retry(int(item["attempts"]), tuple(int(d) for d in item["delays"])),
        callouts=bool(item["callouts"]),
        on_failure=OnFailure.CONTINUE if item["continue"] else OnFailure.FAIL,
    )
