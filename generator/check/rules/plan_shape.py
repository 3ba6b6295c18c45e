"""What a plan document must hold, judged on the JSON alone: its shape (every key, of the
right JSON type, none unknown) and the orchestration it describes (references, names,
policies, schedule, and that ``plan_document`` writes it back unchanged).

Each problem is ``(path, message)`` with the document's own path (``steps[2].inputs.page``),
for the ``PLAN-DOCUMENT`` and ``PLAN-MODEL`` rules of plans.py. The reference and
``repeat.until`` rules are the spec validator's (``ref_type``, ``until_problem``), applied to
the model ``orchestration_of`` rebuilds; nothing here re-implements them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from stepforce.errors import SpecError
from stepforce.generator.literals import LiteralError
from stepforce.generator.plan_document import plan_document
from stepforce.generator.simulate.versions import orchestration_of
from stepforce.generator.spec.bindings import StepIndex, ref_type
from stepforce.generator.spec.cron import cron_problems
from stepforce.generator.spec.model import (
    MAX_ATTEMPTS,
    MAX_DELAY_MINUTES,
    MAX_ITERATIONS,
    MAX_ORCHESTRATION_NAME,
    Orchestration,
    Ref,
    StepKind,
    ValueType,
)
from stepforce.generator.spec.names import MAX_NAME, MAX_NAMESPACE, name_problem
from stepforce.generator.spec.policies import until_problem

Problem = tuple[str, str]


class _Nullable:
    def __init__(self, shape: object) -> None:
        self.shape = shape


_ANY = object()
#: A JSON object of any keys (the schedule's run inputs).
_MAP = object()
#: A step input: ``name``, ``type`` and exactly one of ``ref`` and ``value``.
_BINDING = object()
_NAMED = {"name": str, "type": str}
_STEP = {
    "name": str,
    "kind": str,
    "target": str,
    "namespace": _Nullable(str),
    "callouts": bool,
    "inputs": [_BINDING],
    "outputs": [_NAMED],
    "attempts": int,
    "delays": [int],
    "repeat": _Nullable({"until": str, "max": int}),
    "continue": bool,
}
DOCUMENT_SHAPE = {
    "version": str,
    "format": int,
    "orchestration": str,
    "description": str,
    "inputs": [{"name": str, "type": str, "required": bool, "default": _ANY}],
    "steps": [_STEP],
    "schedule": _Nullable({"cron": str, "inputs": _MAP}),
}
_NAMES = {str: "a string", int: "an integer", bool: "true or false"}


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


def _fits(value: object, kind: type) -> bool:
    return isinstance(value, kind) and (kind is bool or not isinstance(value, bool))


def _keys(value: Mapping[str, Any], keys: Mapping[str, object], path: str) -> Iterator[Problem]:
    for key, shape in keys.items():
        if key not in value:
            yield (path, f"the key {key!r} is missing")
        else:
            yield from shape_problems(value[key], shape, f"{path}.{key}".lstrip("."))
    for key in value:
        if key not in keys:
            yield (path, f"{key!r} is not a key of a plan document here")


#: Deeper than any plan document (a literal list in a step input is 6 levels down): a deeper
#: value is refused before anything recurses into it.
MAX_DEPTH = 16


def too_deep(value: object) -> bool:
    """Whether JSON ``value`` nests lists and objects more than MAX_DEPTH levels (iterative)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def shape_problems(value: object, shape: object, path: str = "") -> Iterator[Problem]:
    """Where ``value`` does not have ``shape`` (default: a whole plan document)."""
    if shape is _ANY:
        return
    if isinstance(shape, _Nullable):
        if value is not None:
            yield from shape_problems(value, shape.shape, path)
        return
    if isinstance(shape, type):
        if not _fits(value, shape):
            yield (path, f"expected {_NAMES[shape]}, found {_json_type(value)}")
        return
    if isinstance(shape, list):
        if not isinstance(value, list):
            yield (path, f"expected a list, found {_json_type(value)}")
            return
        for i, item in enumerate(value):
            yield from shape_problems(item, shape[0], f"{path}[{i}]")
        return
    if not isinstance(value, dict):
        yield (path, f"expected an object, found {_json_type(value)}")
        return
    if shape is _MAP:
        return
    if shape is _BINDING:
        yield from _binding_problems(value, path)
        return
    assert isinstance(shape, dict)
    yield from _keys(value, shape, path)


def _binding_problems(value: Mapping[str, Any], path: str) -> Iterator[Problem]:
    source = "ref" if "ref" in value else "value"
    yield from _keys(value, {"name": str, "type": _Nullable(str), source: _ANY}, path)
    ref = value.get("ref")
    if source == "ref" and not _is_ref(ref):
        yield (f"{path}.ref", 'expected ["input", X], ["self", X] or ["steps", S, X]')


def _is_ref(ref: object) -> bool:
    if not isinstance(ref, list) or not all(isinstance(part, str) for part in ref):
        return False
    return (len(ref) == 2 and ref[0] in ("input", "self")) or (len(ref) == 3 and ref[0] == "steps")


def _first_difference(left: object, right: object, path: str = "") -> str:
    """The path of the first place two JSON values differ (``""``: the whole value)."""
    if isinstance(left, dict) and isinstance(right, dict) and left.keys() == right.keys():
        for key in left:
            if left[key] != right[key]:
                return _first_difference(left[key], right[key], f"{path}.{key}".lstrip("."))
    if isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        for i, (a, b) in enumerate(zip(left, right, strict=True)):
            if a != b:
                return _first_difference(a, b, f"{path}[{i}]")
    return path


def model_problems(document: Mapping[str, Any]) -> Iterator[Problem]:
    """Where a well-shaped document does not describe a valid orchestration, or describes
    one that ``plan_document`` would write differently (the round trip)."""
    try:
        orch = orchestration_of(document)
    except (ValueError, KeyError, TypeError, LiteralError) as error:
        yield ("", f"it describes no orchestration: {error}")
        return
    found = list(_orchestration_problems(orch))
    yield from found
    if found:
        return
    try:
        again = plan_document(orch)
    except SpecError as error:
        for diagnostic in error.diagnostics:
            yield (diagnostic.path, diagnostic.message)
        return
    body = {key: value for key, value in document.items() if key != "version"}
    again.pop("version")
    if again != body:
        where = _first_difference(body, again)
        yield (where, "generate would write this differently from the orchestration it describes")


def _orchestration_problems(orch: Orchestration) -> Iterator[Problem]:
    problem = name_problem(orch.name, "orchestration name", MAX_ORCHESTRATION_NAME)
    if problem:
        yield ("orchestration", problem)
    steps = list(orch.steps)
    inputs = {decl.name: decl for decl in orch.inputs}
    repeating = frozenset(step.name for step in steps if step.repeat is not None)
    index = StepIndex.of(steps, inputs, repeating)
    seen: set[str] = set()
    for position, step in enumerate(steps):
        path = f"steps[{position}]"
        what = "Flow API name" if step.kind is StepKind.FLOW else "Apex class name"
        for text, label, limit in (
            (step.name, "step name", MAX_NAME),
            (step.target, what, MAX_NAME),
            (step.namespace, "namespace", MAX_NAMESPACE),
        ):
            problem = None if text is None else name_problem(text, label, limit)
            if problem:
                yield (path, problem)
        if step.name.lower() in seen:
            yield (f"{path}.name", f"a second step is named {step.name!r}")
        seen.add(step.name.lower())
        for binding in step.inputs:
            if not isinstance(binding.value, Ref):
                continue
            found = ref_type(binding.value, step, position, index)
            where = f"{path}.inputs.{binding.target}"
            if not isinstance(found, ValueType):
                yield (where, found.message)
            elif binding.declared is not None and not binding.declared.accepts(found):
                yield (where, f"{binding.value} is {found}, which cannot be passed as "
                       f"{binding.declared}")  # fmt: skip
        yield from _policy_problems(step.retry.attempts, step.retry.delay_minutes, path)
        if step.repeat is not None:
            problem = until_problem(step, step.repeat.until)
            if problem:
                yield (f"{path}.repeat.until", problem)
            if not 1 <= step.repeat.max_iterations <= MAX_ITERATIONS:
                yield (f"{path}.repeat.max", f"max must be 1 to {MAX_ITERATIONS}")
    if orch.schedule is not None:
        for problem in cron_problems(orch.schedule.cron):
            yield ("schedule.cron", problem)


def _policy_problems(attempts: int, delays: tuple[int, ...], path: str) -> Iterator[Problem]:
    if not 1 <= attempts <= MAX_ATTEMPTS:
        yield (f"{path}.attempts", f"attempts must be 1 to {MAX_ATTEMPTS}")
    if not delays or any(not 0 <= d <= MAX_DELAY_MINUTES for d in delays):
        yield (f"{path}.delays", f"give one or more delays of 0 to {MAX_DELAY_MINUTES} minutes")
