"""The Python twin of the plan the runtime interprets (``StepforcePlan`` in docs/engine.md).

``prepare_inputs``, ``resolve_inputs``, ``coerce_outputs`` and ``is_complete`` do what the
generated Apex methods of the same names do, with the coercion table of :mod:`.coerce`. All
values that go into or come out of the run's context are in JSON form (:func:`.coerce.to_json`)
because the Apex engine stores the context as JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stepforce.generator.simulate.coerce import CoercionError, coerce, to_json
from stepforce.generator.spec.model import Literal, Orchestration, RefKind, Step

JsonMap = dict[str, Any]


class InputsError(ValueError):
    """``prepareInputs`` refused the run inputs; ``problems`` maps input name -> message."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems.values()))


def prepare_inputs(orchestration: Orchestration, raw: Mapping[str, Any]) -> JsonMap:
    """Apply defaults, reject unknown names and missing required inputs, coerce to types.

    A ``null`` value counts as absent (JSON callers send ``null`` for "not given").
    """
    problems: dict[str, str] = {}
    # Messages are the generated plan's, word for word (the scenario tests compare them).
    for name in raw:
        if orchestration.input(name) is None:
            problems[name] = f"inputs.{name}: unknown input of {orchestration.name}"
    prepared: JsonMap = {}
    for decl in orchestration.inputs:
        value = raw.get(decl.name)
        if value is None:
            value = decl.default
        if value is None and decl.required:
            problems[decl.name] = (
                f"inputs.{decl.name}: required input of {orchestration.name} is missing"
            )
            continue
        try:
            prepared[decl.name] = to_json(coerce(value, decl.type, f"inputs.{decl.name}"))
        except CoercionError as error:
            problems[decl.name] = str(error)
    if problems:
        raise InputsError(problems)
    return prepared


def resolve_inputs(
    step: Step, run_inputs: Mapping[str, Any], outputs: Mapping[str, JsonMap], iteration: int
) -> JsonMap:
    """The step's inputs from the run state, coerced to each binding's effective type.

    ``$self.X`` is null on iteration 1 (also after a redrive, which restarts at 1), else this
    step's latest output; ``$steps.S.X`` is S's latest output or null. Raises CoercionError.
    """
    resolved: JsonMap = {}
    for binding in step.inputs:
        ref = binding.value
        value: Any
        if isinstance(ref, Literal):
            value = ref.value
        elif ref.kind is RefKind.INPUT:
            value = run_inputs.get(ref.name)
        elif ref.kind is RefKind.STEPS:
            value = outputs.get(ref.step or "", {}).get(ref.name)
        else:
            value = None if iteration == 1 else outputs.get(step.name, {}).get(ref.name)
        field = f"{step.name}.inputs.{binding.target}"
        resolved[binding.target] = to_json(coerce(value, binding.effective_type, field))
    return resolved


def coerce_outputs(step: Step, raw: Mapping[str, Any]) -> JsonMap:
    """Declared outputs only, in declared order; the first bad one raises CoercionError."""
    return {
        output.name: to_json(coerce(raw.get(output.name), output.type, _out(step, output.name)))
        for output in step.outputs
    }


def _out(step: Step, name: str) -> str:
    return f"{step.name}.outputs.{name}"


def is_complete(step: Step, outputs: Mapping[str, Any]) -> bool:
    """A repeating step is complete when its ``until`` output is true (null is not true)."""
    if step.repeat is None:
        return True
    return outputs.get(step.repeat.until) is True
