"""YAML nodes -> the typed model (model.py), reporting every problem on the way.

Steps are read in two passes: first their shape (name, target, outputs, policies) so that a
reference to a *later* step can be told apart from a reference to no step at all; then their
input bindings, resolved against the run inputs and the outputs of earlier steps only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from yaml.nodes import Node, ScalarNode, SequenceNode

from stepforce.generator.spec.bindings import (
    StepIndex,
    check_precision,
    read_bindings,
    read_schedule,
)
from stepforce.generator.spec.fields import (
    field_value,
    found,
    read_fields,
    read_mapping,
    read_scalar,
)
from stepforce.generator.spec.keys import INPUT_NAME, OUTPUT_NAME, TypeName, table
from stepforce.generator.spec.model import (
    InputDecl,
    OnFailure,
    Orchestration,
    OutputDecl,
    Step,
    StepKind,
    ValueType,
)
from stepforce.generator.spec.policies import read_repeat, read_retry
from stepforce.generator.spec.report import Reporter
from stepforce.generator.spec.values import ValueProblem, plain_literal

_TOP = table("orchestration")


@dataclass
class _Pending:
    """A step whose shape is read and whose input bindings are still raw."""

    step: Step
    inputs_node: Node | None
    path: str
    repeats: bool


def build(rep: Reporter, root: Node) -> Orchestration | None:
    """The orchestration in ``root``; ``None`` when an error was reported."""
    fields = read_fields(rep, root, "orchestration", "")
    if fields is None:
        return None

    def text(key: str) -> str:
        if key not in fields:
            return ""
        value = read_scalar(rep, fields[key][1], key, _TOP[key].kind)
        return value if isinstance(value, str) else ""

    name = text("orchestration")
    inputs = _read_inputs(rep, fields["inputs"][1]) if "inputs" in fields else ()
    pending = _read_steps(rep, fields["steps"][1]) if "steps" in fields else []
    repeating = frozenset(p.step.name for p in pending if p.repeats)
    index = StepIndex.of([p.step for p in pending], {i.name: i for i in inputs}, repeating)
    steps = tuple(
        replace(p.step, inputs=read_bindings(rep, p.inputs_node, p.step, i, index, p.path))
        for i, p in enumerate(pending)
    )
    schedule = read_schedule(rep, fields["schedule"][1], inputs) if "schedule" in fields else None
    if rep.has_errors:
        return None
    return Orchestration(
        name=name,
        steps=steps,
        description=text("description"),
        inputs=inputs,
        schedule=schedule,
        source_file=rep.filename,
        location=rep.at(root),
    )


def _read_inputs(rep: Reporter, node: Node) -> tuple[InputDecl, ...]:
    decls = []
    for name, key_node, value_node in read_mapping(rep, node, "inputs", "run inputs"):
        path = f"inputs.{name}"
        read_scalar(rep, key_node, path, INPUT_NAME)
        decl = _read_input(rep, name, value_node, path)
        if decl is not None:
            decls.append(replace(decl, location=rep.at(key_node)))
    return tuple(decls)


def _read_input(rep: Reporter, name: str, node: Node, path: str) -> InputDecl | None:
    if isinstance(node, ScalarNode):  # the short form `since: Date`
        value_type = read_scalar(rep, node, path, TypeName())
        if not isinstance(value_type, ValueType):
            rep.broken.add(path)
            return None
        return InputDecl(name, value_type)
    fields = read_fields(rep, node, "input", path)
    if fields is None or "type" not in fields:
        rep.broken.add(path)
        return None
    value_type = field_value(rep, fields, "input", "type", path)
    required = field_value(rep, fields, "input", "required", path) is True
    description = str(field_value(rep, fields, "input", "description", path) or "")
    if not isinstance(value_type, ValueType):
        rep.broken.add(path)
        return None
    default = None
    if "default" in fields:
        key_node, default_node = fields["default"]
        try:
            default, _ = plain_literal(default_node, value_type)
        except ValueProblem as problem:
            rep.error(default_node, path + ".default", str(problem))
        if not check_precision(rep, default_node, path + ".default", default):
            default = None
        if required:
            rep.warning(
                key_node,
                path + ".required",
                "a required input with a default is never missing; drop one of them",
            )
    return InputDecl(name, value_type, required, default, description)


def _read_steps(rep: Reporter, node: Node) -> list[_Pending]:
    if not isinstance(node, SequenceNode):
        rep.error(node, "steps", f"expected a list of steps, found {found(node)}")
        return []
    if not node.value:
        rep.error(node, "steps", "an orchestration needs at least one step")
    pending: list[_Pending] = []
    seen: dict[str, Step] = {}
    for position, step_node in enumerate(node.value):
        path = f"steps[{position}]"
        item = _read_step(rep, step_node, path)
        if item is None:
            continue
        first = seen.get(item.step.name.lower())
        if first is not None:
            rep.error(
                step_node,
                path + ".name",
                f"step name '{item.step.name}' is already used by an earlier step "
                "(names must differ in more than case)",
                related=(first.location,),
            )
        else:
            seen[item.step.name.lower()] = item.step
        pending.append(item)
    return pending


def _read_step(rep: Reporter, node: Node, path: str) -> _Pending | None:
    fields = read_fields(rep, node, "step", path)
    if fields is None:
        return None
    values = {
        key: field_value(rep, fields, "step", key, path)
        for key in ("name", "flow", "apex", "namespace", "description", "callouts", "on_failure")
    }
    kinds = [k for k in ("flow", "apex") if k in fields]
    if len(kinds) != 1:
        problem = "has both 'flow' and 'apex'" if kinds else "needs 'flow' or 'apex'"
        rep.error(node, path, f"a step {problem}: give exactly one (what the step runs)")
    outputs = _read_outputs(rep, fields["outputs"][1], path) if "outputs" in fields else ()
    # A step with a bad name or target is still indexed (its errors are already reported),
    # so references to it do not add a misleading "no such step" on top.
    name = values.get("name") or _raw_text(fields.get("name"))
    if not name:
        return None
    target = values.get(kinds[0]) if kinds else None
    namespace = values.get("namespace")
    step = Step(
        name=str(name),
        kind=StepKind.FLOW if kinds and kinds[0] == "flow" else StepKind.APEX,
        target=target if isinstance(target, str) else "",
        namespace=namespace if isinstance(namespace, str) else None,
        description=str(values.get("description") or ""),
        outputs=outputs,
        callouts=values.get("callouts") is True,
        on_failure=OnFailure(str(values.get("on_failure") or "fail")),
        location=rep.at(node),
    )
    if "repeat" in fields:
        step = replace(step, repeat=read_repeat(rep, fields["repeat"][1], step, path + ".repeat"))
    if "retry" in fields:
        retry = read_retry(rep, fields["retry"][1], path + ".retry")
        step = replace(step, retry=retry) if retry is not None else step
    inputs_node = fields["inputs"][1] if "inputs" in fields else None
    return _Pending(step, inputs_node, path, "repeat" in fields)


def _raw_text(entry: tuple[ScalarNode, Node] | None) -> str:
    if entry is None or not isinstance(entry[1], ScalarNode):
        return ""
    return str(entry[1].value)


def _read_outputs(rep: Reporter, node: Node, path: str) -> tuple[OutputDecl, ...]:
    outputs = []
    for name, key_node, value_node in read_mapping(rep, node, f"{path}.outputs", "outputs"):
        out_path = f"{path}.outputs.{name}"
        read_scalar(rep, key_node, out_path, OUTPUT_NAME)
        value_type = read_scalar(rep, value_node, out_path, TypeName())
        if isinstance(value_type, ValueType):
            outputs.append(OutputDecl(name, value_type, rep.at(key_node)))
        else:
            rep.broken.add(out_path)
    return tuple(outputs)
