"""Step input bindings and schedule inputs: references resolved, types proved."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from stepforce.diagnostics import Location
from stepforce.generator.spec.cron import cron_problems
from stepforce.generator.spec.fields import read_fields, read_mapping, read_scalar
from stepforce.generator.spec.keys import SLOT_NAME, Text, TypeName
from stepforce.generator.spec.model import (
    Binding,
    InputDecl,
    Literal,
    LiteralValue,
    Ref,
    RefKind,
    Schedule,
    Step,
    ValueType,
)
from stepforce.generator.spec.report import Reporter, did_you_mean
from stepforce.generator.spec.values import (
    REF_HELP,
    ValueProblem,
    is_reference_text,
    parse_ref,
    plain_literal,
)

_STR = "tag:yaml.org,2002:str"
_LOOKS_LIKE_REF = re.compile(r"(?:input|self|steps\.[A-Za-z]\w*)\.[A-Za-z]\w*\Z")


@dataclass(frozen=True)
class StepIndex:
    """Where each step sits and what the run inputs are: resolving a reference is a lookup."""

    steps: tuple[Step, ...]
    positions: dict[str, int]
    inputs: dict[str, InputDecl]
    #: Steps with a ``repeat`` key, valid or not: $self is allowed there (no second error).
    repeating: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls, steps: list[Step], inputs: dict[str, InputDecl], repeating: frozenset[str]
    ) -> StepIndex:
        positions: dict[str, int] = {}
        for position, step in enumerate(steps):
            positions.setdefault(step.name, position)
        return cls(tuple(steps), positions, inputs, repeating)


def _declared_list(names: list[str]) -> str:
    return f" (it declares {', '.join(names)})" if names else " (it declares no outputs)"


@dataclass(frozen=True)
class RefProblem:
    """Why a reference does not resolve. ``declaration`` is the path of the declaration it
    names (``inputs.x``): when that declaration's own error is reported, this one is not."""

    message: str
    declaration: str | None = None
    related: tuple[Location, ...] = ()


def _step_ref_type(ref: Ref, position: int, index: StepIndex) -> ValueType | RefProblem:
    assert ref.step is not None
    where = index.positions.get(ref.step)
    if where is None:
        hint = did_you_mean(ref.step, index.positions)
        return RefProblem(f"{ref}: there is no step named '{ref.step}'{hint}")
    if where == position:
        return RefProblem(
            f"{ref}: a step cannot read its own outputs with $steps; "
            "use $self.X in a repeating step"
        )
    source = index.steps[where]
    if where > position:
        return RefProblem(
            f"{ref}: step '{ref.step}' runs later (step {where + 1}; this "
            f"is step {position + 1}); a step can only use outputs of earlier steps",
            related=(source.location,),
        )
    output = source.output(ref.name)
    if output is None:
        names = [o.name for o in source.outputs]
        hint = did_you_mean(ref.name, names) or _declared_list(names)
        return RefProblem(
            f"{ref}: step '{ref.step}' has no output '{ref.name}'{hint}",
            f"steps[{where}].outputs.{ref.name}",
        )
    return output.type


def ref_type(ref: Ref, step: Step, position: int, index: StepIndex) -> ValueType | RefProblem:
    """The type ``ref`` carries into ``step`` (at ``position``), or why it cannot: the
    validator's rules on the model alone (``stepforce check`` applies them to plan documents)."""
    if ref.kind is RefKind.INPUT:
        decl = index.inputs.get(ref.name)
        if decl is None:
            hint = did_you_mean(ref.name, index.inputs) or " (declare it under 'inputs:')"
            return RefProblem(
                f"{ref}: there is no run input named '{ref.name}'{hint}", f"inputs.{ref.name}"
            )
        return decl.type
    if ref.kind is RefKind.SELF:
        if step.name not in index.repeating:
            return RefProblem(
                f"{ref}: $self is only for repeating steps (add 'repeat:' "
                "to read this step's previous iteration)"
            )
        output = step.output(ref.name)
        if output is None:
            names = [o.name for o in step.outputs]
            hint = did_you_mean(ref.name, names) or _declared_list(names)
            return RefProblem(
                f"{ref}: this step has no output '{ref.name}'{hint}",
                f"steps[{position}].outputs.{ref.name}",
            )
        return output.type
    return _step_ref_type(ref, position, index)


def resolve_ref(
    rep: Reporter, node: Node, text: str, step: Step, position: int, index: StepIndex, path: str
) -> tuple[Ref, ValueType] | None:
    """The reference written as ``text`` and the type it carries, or ``None`` after reporting."""
    ref = parse_ref(text)
    if ref is None:
        rep.error(node, path, f"'{text}' is not a valid reference: {REF_HELP}")
        return None
    ref = Ref(ref.kind, ref.name, ref.step, rep.at(node))
    found = ref_type(ref, step, position, index)
    if isinstance(found, ValueType):
        return ref, found
    if found.declaration is None or found.declaration not in rep.broken:
        rep.error(node, path, found.message, related=found.related)
    return None


def read_bindings(
    rep: Reporter,
    node: Node | None,
    step: Step,
    position: int,
    index: StepIndex,
    path: str,
) -> tuple[Binding, ...]:
    if node is None:
        return ()
    bindings = []
    for name, key_node, value_node in read_mapping(rep, node, path + ".inputs", "step inputs"):
        slot_path = f"{path}.inputs.{name}"
        read_scalar(rep, key_node, slot_path, SLOT_NAME)
        binding = _read_binding(rep, value_node, step, position, index, slot_path)
        if binding is not None:
            bindings.append(Binding(name, *binding, location=rep.at(key_node)))
    return tuple(bindings)


def _read_binding(
    rep: Reporter, node: Node, step: Step, position: int, index: StepIndex, path: str
) -> tuple[Ref | Literal, ValueType | None, ValueType | None] | None:
    """(value, source_type, declared) of one step input."""
    declared: ValueType | None = None
    if isinstance(node, MappingNode):  # the long form {value: ..., type: ...}
        fields = read_fields(rep, node, "binding", path)
        if fields is None or "value" not in fields or "type" not in fields:
            return None
        read = read_scalar(rep, fields["type"][1], path + ".type", TypeName())
        if not isinstance(read, ValueType):
            return None
        declared, node = read, fields["value"][1]
    if isinstance(node, ScalarNode) and node.tag == _STR and is_reference_text(node.value):
        resolved = resolve_ref(rep, node, str(node.value), step, position, index, path)
        if resolved is None:
            return None
        ref, source_type = resolved
        if declared is not None and not declared.accepts(source_type):
            rep.error(node, path, f"{ref} is {source_type}, which cannot be passed as {declared}")
            return None
        return ref, source_type, declared
    try:
        value, value_type = plain_literal(node, declared)
    except ValueProblem as problem:
        rep.error(node, path, str(problem))
        return None
    _warn_missing_dollar(rep, node, step, position, index, path)
    if not check_precision(rep, node, path, value):
        return None
    return Literal(value, rep.at(node)), value_type, declared


def _warn_missing_dollar(
    rep: Reporter, node: Node, step: Step, position: int, index: StepIndex, path: str
) -> None:
    """Warn about unquoted text such as ``steps.Fetch.scores``: a reference missing its ``$``,
    when the reference would resolve (or nearly: the check suggests a close name)."""
    items = node.value if isinstance(node, SequenceNode) else [node]
    for item in items:
        if not isinstance(item, ScalarNode) or item.tag != _STR or item.style not in (None, ""):
            continue
        text = str(item.value)
        if not _LOOKS_LIKE_REF.match(text):
            continue
        trial = Reporter(rep.filename)
        resolved = resolve_ref(trial, item, "$" + text, step, position, index, path)
        near = "did you mean" in "".join(d.message for d in trial.diagnostics)
        if resolved is not None:
            hint = f"did you mean ${text}? (quote it to keep it as text)"
        elif near:
            hint = f"as a reference, {trial.diagnostics[0].message}; quote it to keep it as text"
        else:
            continue
        rep.warning(item, path, f"'{text}' is read as text; {hint}")


def check_precision(rep: Reporter, node: Node, path: str, value: LiteralValue) -> bool:
    """Refuse a DateTime literal finer than a millisecond: a Salesforce Datetime cannot hold
    it, so ``generate`` could not write it; ``validate`` must refuse it too. True when fine."""
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dt.datetime) and item.microsecond % 1000:
            rep.error(
                node,
                path,
                f"DateTime {item.isoformat()} is finer than a millisecond; a Salesforce "
                "Datetime holds milliseconds: write at most 3 fractional digits",
            )
            return False
    return True


def read_schedule(rep: Reporter, node: Node, inputs: tuple[InputDecl, ...]) -> Schedule | None:
    fields = read_fields(rep, node, "schedule", "schedule")
    if fields is None or "cron" not in fields:
        return None
    cron_node = fields["cron"][1]
    cron = read_scalar(rep, cron_node, "schedule.cron", Text())
    if isinstance(cron, str):
        for problem in cron_problems(cron):
            rep.error(cron_node, "schedule.cron", problem)
    declared = {decl.name: decl for decl in inputs}
    bindings = []
    given: set[str] = set()
    inputs_node = fields["inputs"][1] if "inputs" in fields else None
    entries = read_mapping(rep, inputs_node, "schedule.inputs", "run inputs") if inputs_node else []
    for name, key_node, value_node in entries:
        path = f"schedule.inputs.{name}"
        given.add(name)
        decl = declared.get(name)
        if decl is None and f"inputs.{name}" in rep.broken:
            continue  # its declaration's error is reported
        if decl is None:
            hint = did_you_mean(name, declared) or " (declare it under 'inputs:')"
            rep.error(key_node, path, f"'{name}' is not an input of this orchestration{hint}")
            continue
        try:
            value, _ = plain_literal(value_node, decl.type)
        except ValueProblem as problem:
            rep.error(value_node, path, f"input '{name}' is {decl.type}: {problem}")
            continue
        if not check_precision(rep, value_node, path, value):
            continue
        bindings.append(
            Binding(name, Literal(value, rep.at(value_node)), decl.type, location=rep.at(key_node))
        )
    for decl in inputs:
        if decl.required and decl.default is None and decl.name not in given:
            rep.error(
                node,
                "schedule.inputs",
                f"scheduled runs need the required input "
                f"'{decl.name}': add it under schedule.inputs",
            )
    if not isinstance(cron, str):
        return None
    return Schedule(cron, tuple(bindings), rep.at(node))
