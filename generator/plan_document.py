"""The plan document of an orchestration: its validated spec as versioned, hashed data.

One generic Apex interpreter (``StepforceInterpreter``) executes this document with the
semantics of docs/engine.md; nothing of the spec becomes Apex source. The document is JSON:

* ``format``: the document format (1), ``orchestration``, ``description``;
* ``inputs``: ``{name, type, required, default}`` in declared order. ``required`` is false
  when a default exists (a required input with a default is never missing, as compiled
  plans and the simulator do it); ``default`` is the literal already coerced to ``type``;
* ``steps``: ``{name, kind, target, namespace, callouts, inputs, outputs, attempts, delays,
  repeat, continue}``. A step input is ``{name, type, ref}`` with ``ref`` ``["input", X]``,
  ``["steps", S, X]`` or ``["self", X]``, or ``{name, type, value}`` for a literal (``$$``
  already unescaped by the loader); ``type`` is null only for an untyped null literal.
  ``repeat`` is ``{until, max}`` or null;
* ``schedule``: ``{cron, inputs}`` or null.

Literal values are held the way the run context holds values (``literals.json_value``), and
Numbers as their plain decimal text (``"1.50"``), which ``StepforceCoerce.toNumber`` reads
exactly as the compiled ``Decimal.valueOf('1.50')`` did: no digit or scale depends on how a
JSON parser types a number. The ``version`` is the first 24 hex digits of the SHA-256 of
the document's canonical bytes without ``version``: the same spec always gives the same
version, any change a new one.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from stepforce import exact_json
from stepforce.apex_text import unsafe_character
from stepforce.diagnostics import Diagnostic, Location
from stepforce.errors import SpecError
from stepforce.generator import literals
from stepforce.generator.plan_names import CURRENT_RESOURCE_PREFIX, VERSION_RESOURCE_PREFIX
from stepforce.generator.spec.model import (
    Binding,
    InputDecl,
    Literal,
    LiteralValue,
    OnFailure,
    Orchestration,
    RefKind,
    Step,
    ValueType,
)

FORMAT = 1
#: Hex digits of the SHA-256 kept as the version (96 bits).
VERSION_DIGITS = 24
#: A static resource holds up to 5 MB ("Access Static Resources", LWC Developer Guide).
MAX_RESOURCE_BYTES = 5 * 1024 * 1024


def plan_document(orchestration: Orchestration) -> dict[str, Any]:
    """The document of a validated orchestration, with its ``version``; raises
    :class:`SpecError` naming the place of a literal that does not fit its type."""
    problems: list[Diagnostic] = []
    builder = _Builder(orchestration, problems)
    body: dict[str, Any] = {
        "format": FORMAT,
        "orchestration": orchestration.name,
        "description": orchestration.description,
        "inputs": [builder.input(decl) for decl in orchestration.inputs],
        "steps": [builder.step(i, step) for i, step in enumerate(orchestration.steps)],
        "schedule": builder.schedule(),
    }
    for path, text in _strings(body, ""):
        bad = unsafe_character(text)
        if bad:  # an Apex String cannot hold NUL; other C0 controls were never allowed either
            builder.fail(
                orchestration.location, f"the text contains the control character {bad}", path
            )
    if problems:
        raise SpecError(problems, f"{orchestration.name}: cannot write the plan document")
    return {"version": document_version(body), **body}


def canonical_bytes(document: dict[str, Any]) -> bytes:
    """The document as compact UTF-8 JSON with sorted keys (the hashed form)."""
    return exact_json.dumps(_sorted(document), separators=(",", ":")).encode("utf-8")


def document_version(document: dict[str, Any]) -> str:
    """The content hash of a document, ``version`` left out."""
    body = {key: value for key, value in document.items() if key != "version"}
    return hashlib.sha256(canonical_bytes(body)).hexdigest()[:VERSION_DIGITS]


def document_text(document: dict[str, Any]) -> str:
    """What the static resource holds: the canonical JSON plus a final newline."""
    return canonical_bytes(document).decode("utf-8") + "\n"


def version_resource(version: str) -> str:
    """The static resource holding one version: kept while a run is pinned to it."""
    return VERSION_RESOURCE_PREFIX + version


def current_resource(orchestration: str) -> str:
    """The static resource holding an orchestration's latest plan (what a new run starts
    on). A hash of the name, so any name the Run's field holds gives a valid resource name
    (letters, digits, single underscores, at most 40 characters)."""
    digest = hashlib.sha256(orchestration.encode("utf-8")).hexdigest()[:VERSION_DIGITS]
    return CURRENT_RESOURCE_PREFIX + digest


class _Builder:
    def __init__(self, orchestration: Orchestration, problems: list[Diagnostic]) -> None:
        self.orch = orchestration
        self.problems = problems

    def fail(self, location: Location, message: str, path: str) -> None:
        where = location if location.file else Location(self.orch.source_file)
        self.problems.append(Diagnostic(where, message, path=path, source="generate"))

    def value(self, value: LiteralValue, vtype: ValueType, location: Location, path: str) -> Any:
        try:
            return _stored(literals.json_value(literals.coerce(value, vtype)))
        except literals.LiteralError as error:
            self.fail(location, f"literal cannot be used as {vtype}: {error}", path)
            return None

    def input(self, decl: InputDecl) -> dict[str, Any]:
        path = f"inputs.{decl.name}"
        default = None
        if decl.default is not None:
            default = self.value(decl.default, decl.type, decl.location, f"{path}.default")
        return {
            "name": decl.name,
            "type": str(decl.type),
            "required": decl.required and decl.default is None,
            "default": default,
        }

    def step(self, index: int, step: Step) -> dict[str, Any]:
        path = f"steps[{index}]"
        repeat = None
        if step.repeat is not None:
            repeat = {"until": step.repeat.until, "max": int(step.repeat.max_iterations)}
        return {
            "name": step.name,
            "kind": step.kind.value,
            "target": step.target,
            "namespace": step.namespace,
            "callouts": step.callouts,
            "inputs": [self.binding(b, f"{path}.inputs.{b.target}") for b in step.inputs],
            "outputs": [{"name": o.name, "type": str(o.type)} for o in step.outputs],
            "attempts": int(step.retry.attempts),
            "delays": [int(d) for d in step.retry.delay_minutes],
            "repeat": repeat,
            "continue": step.on_failure is OnFailure.CONTINUE,
        }

    def binding(self, binding: Binding, path: str) -> dict[str, Any]:
        vtype = binding.effective_type
        entry: dict[str, Any] = {"name": binding.target, "type": str(vtype) if vtype else None}
        if isinstance(binding.value, Literal):
            literal = binding.value.value
            if vtype is None:
                if literal is not None:
                    self.fail(binding.location, "literal has no type", path)
                entry["value"] = None
            else:
                entry["value"] = self.value(literal, vtype, binding.location, path)
            return entry
        ref = binding.value
        if ref.kind is RefKind.INPUT:
            entry["ref"] = ["input", ref.name]
        elif ref.kind is RefKind.SELF:
            entry["ref"] = ["self", ref.name]
        else:
            entry["ref"] = ["steps", ref.step or "", ref.name]
        return entry

    def schedule(self) -> dict[str, Any] | None:
        schedule = self.orch.schedule
        if schedule is None:
            return None
        values, problems = schedule_input_values(self.orch)
        for location, message, path in problems:
            self.fail(location, message, path)
        inputs = {name: _stored(value) for name, value in sorted(values.items())}
        return {"cron": schedule.cron, "inputs": inputs}


def schedule_input_values(
    orch: Orchestration,
) -> tuple[dict[str, object], list[tuple[Location, str, str]]]:
    """The schedule's run inputs as JSON values (coerced to their declared types), and the
    problems found: (location, message, spec path) of each input that is not a literal run
    input or does not fit its type. The plan document, the schedule script and ``deploy``
    get the same values."""
    values: dict[str, object] = {}
    problems: list[tuple[Location, str, str]] = []
    for binding in orch.schedule.inputs if orch.schedule else ():
        path = f"schedule.inputs.{binding.target}"
        decl = orch.input(binding.target)
        if not isinstance(binding.value, Literal) or decl is None:
            problems.append(
                (binding.location, "a schedule input must be a literal run input", path)
            )
            continue
        try:
            values[binding.target] = literals.json_value(
                literals.coerce(binding.value.value, decl.type)
            )
        except literals.LiteralError as error:
            problems.append((binding.location, str(error), path))
    return values, problems


def _stored(value: object) -> Any:
    """A JSON context value as the document stores it: Numbers as plain decimal text."""
    if isinstance(value, list):
        return [_stored(item) for item in value]
    if isinstance(value, Decimal):
        return literals.plain_decimal(value)
    return value


def _strings(value: Any, path: str) -> list[tuple[str, str]]:
    """Every text in the document with its path (``steps[0].inputs[1].value``)."""
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        return [
            p for key, item in value.items() for p in _strings(item, f"{path}.{key}".lstrip("."))
        ]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _strings(item, f"{path}[{i}]")]
    return []


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


_RESOURCE_META = """<?xml version="1.0" encoding="UTF-8"?>
<StaticResource xmlns="http://soap.sforce.com/2006/04/metadata">
    <cacheControl>Private</cacheControl>
    <contentType>application/json</contentType>
    <description>{description}</description>
</StaticResource>
"""


def resource_description(orchestration: str, version: str, latest: bool) -> str:
    """What ``stepforce plans`` reads back from a resource without reading its body:
    ``stepforce plan <version> of <orchestration>``, ``latest`` for the latest plan."""
    return f"stepforce {'latest' if latest else 'plan'} {version} of {orchestration}"


def plan_resources(orchestration: Orchestration) -> dict[str, bytes]:
    """``staticresources/`` file name -> content: the latest plan (``SfPlan_<hash>``) and the
    plan of this version (``SfPlanV_<version>``), each a JSON body and its metadata. The
    only spec text in the XML is the orchestration's validated name, XML-escaped."""
    document = plan_document(orchestration)
    body = document_text(document).encode("utf-8")
    if len(body) > MAX_RESOURCE_BYTES:
        steps = len(orchestration.steps)
        fits = int(MAX_RESOURCE_BYTES / (len(body) / max(1, steps)))
        where = orchestration.location
        message = (
            f"the plan document would have {len(body):,} bytes for {steps} steps; a static "
            f"resource holds {MAX_RESOURCE_BYTES:,}. Split the orchestration: about {fits} "
            "steps like these fit in one plan"
        )
        if not where.file:
            where = Location(orchestration.source_file)
        raise SpecError([Diagnostic(where, message, path="steps", source="generate")])
    version = str(document["version"])
    files: dict[str, bytes] = {}
    for name, latest in (
        (current_resource(orchestration.name), True),
        (version_resource(version), False),
    ):
        files[f"{name}.resource"] = body
        description = escape(resource_description(orchestration.name, version, latest))
        meta = _RESOURCE_META.format(description=description)
        files[f"{name}.resource-meta.xml"] = meta.encode("utf-8")
    return files
