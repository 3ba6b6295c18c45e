"""Compile a validated :class:`Orchestration` into the view-model the Apex templates print.

Everything the templates show is decided here, as :class:`Apex` fragments made only of
escaped string literals (``apex_string``), typed literals (``literals.apex_literal``),
validated identifiers and numbers. A spec value that cannot be written safely becomes a
:class:`SpecError` naming its place in the spec; nothing is left for the template to escape.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from stepforce import exact_json
from stepforce.diagnostics import Diagnostic, Location
from stepforce.errors import SpecError
from stepforce.generator import literals
from stepforce.generator.apex_text import Apex, UnsafeTextError, apex_string, identifier, join
from stepforce.generator.plan_view import (
    NULL,
    PART_SIZE,
    InputPlan,
    PartView,
    PlanView,
    StateEntry,
    StepPlan,
    ValuePlan,
)
from stepforce.generator.spec.model import (
    Binding,
    InputDecl,
    Literal,
    LiteralValue,
    OnFailure,
    Orchestration,
    OutputDecl,
    Ref,
    RefKind,
    Scalar,
    Step,
    ValueType,
    plan_class_name,
)


class _Seeds:
    """Deterministic, distinct sample seeds for every run input and step output."""

    def __init__(self, orchestration: Orchestration) -> None:
        self.inputs = {decl.name: n + 1 for n, decl in enumerate(orchestration.inputs)}
        self.outputs: dict[tuple[str, str], int] = {}
        seed = len(self.inputs) + 1
        for step in orchestration.steps:
            for output in step.outputs:
                self.outputs[(step.name, output.name)] = seed
                seed += 1


def compile_plan(orchestration: Orchestration) -> PlanView:
    """The plan view-model; raises :class:`SpecError` for values that cannot be written."""
    problems: list[Diagnostic] = []
    compiler = _Compiler(orchestration, problems)
    view = compiler.build()
    if problems or view is None:
        raise SpecError(problems, f"{orchestration.name}: cannot generate Apex")
    return view


class _Compiler:
    def __init__(self, orchestration: Orchestration, problems: list[Diagnostic]) -> None:
        self.orch = orchestration
        self.problems = problems
        self.seeds = _Seeds(orchestration)

    def fail(self, location: Location, message: str, path: str = "") -> Apex:
        where = location if location.file else Location(self.orch.source_file)
        self.problems.append(Diagnostic(where, message, path=path, source="generate"))
        return NULL

    def text(self, value: str, location: Location, path: str) -> Apex:
        try:
            return apex_string(value)
        except UnsafeTextError as error:
            return self.fail(location, f"cannot be written into Apex: {error}", path)

    def build(self) -> PlanView | None:
        orch = self.orch
        try:
            class_name = identifier(plan_class_name(orch.name))
            test_class = identifier(plan_class_name(orch.name) + "_Tests")
        except UnsafeTextError as error:
            self.fail(orch.location, str(error), "orchestration")
            return None
        inputs = tuple(self.input_plan(i, decl) for i, decl in enumerate(orch.inputs))
        steps = tuple(self.step_plan(i, step) for i, step in enumerate(orch.steps))
        refs = [b.value for s in orch.steps for b in s.inputs if isinstance(b.value, Ref)]
        cron = None
        if orch.schedule is not None:
            cron = self.text(orch.schedule.cron, orch.schedule.location, "schedule.cron")
        return PlanView(
            class_name=class_name,
            test_class_name=test_class,
            name=self.text(orch.name, orch.location, "orchestration"),
            description=self.text(orch.description, orch.location, "description"),
            cron=cron,
            schedule_inputs=self.schedule_inputs(),
            inputs=inputs,
            steps=steps,
            uses_inputs=any(r.kind is RefKind.INPUT for r in refs),
            uses_steps=any(r.kind is RefKind.STEPS for r in refs),
            uses_self=any(r.kind is RefKind.SELF for r in refs),
            parts=_parts(orch.name, steps),
        )

    def schedule_inputs(self) -> Apex:
        values, problems = schedule_input_values(self.orch)
        for location, message, path in problems:
            self.fail(location, message, path)
        schedule = self.orch.schedule
        ordered = dict(sorted(values.items()))
        text = exact_json.dumps(ordered, separators=(",", ":"))  # Decimals keep their digits
        return self.text(text, schedule.location if schedule else self.orch.location, "schedule")

    def input_plan(self, index: int, decl: InputDecl) -> InputPlan:
        path = f"inputs.{decl.name}"
        sample = literals.sample(decl.type, self.seeds.inputs[decl.name])
        value = self.slot(decl.name, path, decl.type, NULL, sample, decl.location, path)
        default = None
        if decl.default is not None:
            default = self.literal(decl.default, decl.type, decl.location, f"{path}.default")
        # A required input with a default is never missing (docs/spec.md): the default
        # applies, as the simulator's prepare_inputs does; the validator warns about it.
        required = decl.required and decl.default is None
        return InputPlan(value=value, required=required, default=default)

    def slot(
        self,
        name: str,
        field: str,
        vtype: ValueType,
        source: Apex,
        sample: LiteralValue,
        location: Location,
        path: str,
    ) -> ValuePlan:
        """A typed slot whose test value is ``sample`` (already of ``vtype``)."""
        return ValuePlan(
            key=self.text(name, location, path),
            field=self.text(field, location, path),
            coerce=literals.coerce_method(vtype),
            apex_type=literals.apex_type(vtype),
            source=source,
            expected=literals.apex_literal(sample, vtype),
            raw=self.json_literal(literals.json_value(sample), location, path),
            describe=self.text(field, location, path),
        )

    def literal(self, value: LiteralValue, vtype: ValueType, location: Location, path: str) -> Apex:
        try:
            return literals.apex_literal(literals.coerce(value, vtype), vtype)
        except (literals.LiteralError, UnsafeTextError) as error:
            return self.fail(location, f"literal cannot be used as {vtype}: {error}", path)

    def json_literal(self, value: object, location: Location, path: str) -> Apex:
        """A JSON-typed value (str, Decimal, int, float, bool, list, None) as Apex."""
        if value is None:
            return NULL
        if isinstance(value, bool):
            return Apex("true" if value else "false")
        if isinstance(value, list):
            items = [self.json_literal(item, location, path) for item in value]
            return Apex(f"new List<Object>{{ {join(items)} }}" if items else "new List<Object>()")
        if isinstance(value, literals.SampleId):
            return Apex(f"String.valueOf(sampleId({value.seed}))")
        if isinstance(value, int | float | Decimal):
            number = literals.coerce(str(value), ValueType(Scalar.NUMBER))
            return literals.apex_literal(number, ValueType(Scalar.NUMBER))
        return self.text(str(value), location, path)

    def step_plan(self, index: int, step: Step) -> StepPlan:
        name = step.name
        path = f"steps[{index}]"
        outputs = tuple(self.output_plan(step, out, path) for out in step.outputs)
        until = None
        if step.repeat is not None:
            until = next(
                (
                    o
                    for o, d in zip(outputs, step.outputs, strict=True)
                    if d.name == step.repeat.until
                ),
                None,
            )
            if until is None:
                self.fail(step.repeat.location, f"repeat.until names no output of {name}", path)
        bindings = tuple(
            self.binding_plan(step, b, f"{path}.inputs.{b.target}") for b in step.inputs
        )
        state_inputs, state_outputs = self.state_for(step)
        output_names = [self.text(o.name, o.location, f"{path}.outputs") for o in step.outputs]
        delays = [Apex(str(int(d))) for d in step.retry.delay_minutes]
        return StepPlan(
            index=index,
            name=self.text(name, step.location, f"{path}.name"),
            kind=self.text(step.kind.value, step.location, f"{path}.kind"),
            target=self.text(step.target, step.location, path),
            namespace=self.text(step.namespace, step.location, path) if step.namespace else NULL,
            callouts=step.callouts,
            output_names=_string_list(output_names),
            max_attempts=int(step.retry.attempts),
            delay_minutes=Apex(
                f"new List<Integer>{{ {join(delays)} }}" if delays else "new List<Integer>()"
            ),
            repeats=step.repeat is not None,
            max_iterations=int(step.repeat.max_iterations) if step.repeat else 1,
            continue_on_failure=step.on_failure is OnFailure.CONTINUE,
            bindings=bindings,
            outputs=outputs,
            until=until,
            state_inputs=state_inputs,
            state_outputs=state_outputs,
        )

    def output_plan(self, step: Step, decl: OutputDecl, path: str) -> ValuePlan:
        field = f"{step.name}.outputs.{decl.name}"
        sample = literals.sample(decl.type, self.seeds.outputs[(step.name, decl.name)])
        source = self.text(decl.name, decl.location, path)
        return self.slot(decl.name, field, decl.type, source, sample, decl.location, path)

    def binding_plan(self, step: Step, binding: Binding, path: str) -> ValuePlan:
        field = f"{step.name}.inputs.{binding.target}"
        effective = binding.effective_type
        key = self.text(binding.target, binding.location, path)
        field_text = self.text(field, binding.location, path)
        coerce = literals.coerce_method(effective) if effective else None
        apex_type = literals.apex_type(effective) if effective else None
        if isinstance(binding.value, Literal):
            value = binding.value.value
            if effective is None:
                expr = (
                    NULL
                    if value is None
                    else self.fail(binding.location, "literal has no type", path)
                )
            else:
                expr = self.literal(value, effective, binding.location, path)
            describe = self.text(f"{field} (a literal)", binding.location, path)
            return ValuePlan(key, field_text, coerce, apex_type, expr, expr, NULL, describe)
        ref = binding.value
        source_type = self.ref_type(step, ref)
        if source_type is None or effective is None:
            self.fail(binding.location, f"{ref} does not resolve to a typed value", path)
            return ValuePlan(key, field_text, coerce, apex_type, NULL, NULL, NULL, field_text)
        sample = literals.sample(source_type, self.ref_seed(step, ref))
        expected = self.literal(sample, effective, binding.location, path)
        describe = self.text(f"{field} (from {ref})", binding.location, path)
        source = self.ref_source(step, ref, binding.location, path)
        return ValuePlan(
            key,
            field_text,
            coerce,
            apex_type,
            source,
            expected,
            NULL,
            describe,
            is_self=ref.kind is RefKind.SELF,
            ref_kind=ref.kind,
        )

    def ref_type(self, step: Step, ref: Ref) -> ValueType | None:
        if ref.kind is RefKind.INPUT:
            decl = self.orch.input(ref.name)
            return decl.type if decl else None
        owner = step if ref.kind is RefKind.SELF else self.orch.step(ref.step or "")
        output = owner.output(ref.name) if owner else None
        return output.type if output else None

    def ref_seed(self, step: Step, ref: Ref) -> int:
        if ref.kind is RefKind.INPUT:
            return self.seeds.inputs[ref.name]
        owner = step.name if ref.kind is RefKind.SELF else (ref.step or "")
        return self.seeds.outputs[(owner, ref.name)]

    def ref_source(self, step: Step, ref: Ref, location: Location, path: str) -> Apex:
        name = self.text(ref.name, location, path)
        if ref.kind is RefKind.INPUT:
            return Apex(f"inputValue(state, {name})")
        if ref.kind is RefKind.SELF:
            return Apex(f"selfOutput(state, {self.text(step.name, location, path)}, {name})")
        return Apex(f"stepOutput(state, {self.text(ref.step or '', location, path)}, {name})")

    def state_for(
        self, step: Step
    ) -> tuple[tuple[StateEntry, ...], tuple[tuple[Apex, tuple[StateEntry, ...]], ...]]:
        """The typed sample values a test puts into ``State`` for this step's references."""
        inputs: dict[str, StateEntry] = {}
        outputs: dict[str, dict[str, StateEntry]] = {}
        for binding in step.inputs:
            ref = binding.value
            if not isinstance(ref, Ref):
                continue
            vtype = self.ref_type(step, ref)
            if vtype is None:
                continue
            value = literals.apex_literal(literals.sample(vtype, self.ref_seed(step, ref)), vtype)
            entry = StateEntry(self.text(ref.name, binding.location, "inputs"), value)
            if ref.kind is RefKind.INPUT:
                inputs.setdefault(ref.name, entry)
            else:
                owner = step.name if ref.kind is RefKind.SELF else (ref.step or "")
                outputs.setdefault(owner, {}).setdefault(ref.name, entry)
        grouped = tuple(
            (self.text(owner, step.location, "steps"), tuple(entries.values()))
            for owner, entries in outputs.items()
        )
        return tuple(inputs.values()), grouped


def schedule_input_values(
    orch: Orchestration,
) -> tuple[dict[str, object], list[tuple[Location, str, str]]]:
    """The schedule's run inputs as JSON values (coerced to their declared types), and the
    problems found: (location, message, spec path) of each input that is not a literal run
    input or does not fit its type. Generated plans and ``deploy`` get the same values."""
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


PART_CLASS_PREFIX = "SfPlanP_"


def part_class_prefix(orchestration: str) -> str:
    """``SfPlanP_<hash8>_``: the first 8 hex digits of the SHA-256 of the orchestration name
    (UTF-8). A hash, not the name, because ``SfPlan_<Name>_P2_Tests`` would exceed Apex's
    40 characters for names near the 27 allowed; the same name always gives the same prefix."""
    digest = hashlib.sha256(orchestration.encode("utf-8")).hexdigest()
    return f"{PART_CLASS_PREFIX}{digest[:8]}_"


def _parts(orchestration: str, steps: tuple[StepPlan, ...]) -> tuple[PartView, ...]:
    """The part classes of a plan of more than ``PART_SIZE`` steps; none for smaller plans."""
    if len(steps) <= PART_SIZE:
        return ()
    prefix = part_class_prefix(orchestration)
    parts = []
    for number, start in enumerate(range(0, len(steps), PART_SIZE), start=1):
        name = identifier(f"{prefix}{number}")
        parts.append(
            PartView(number, name, identifier(f"{name}_Tests"), steps[start : start + PART_SIZE])
        )
    return tuple(parts)


def _string_list(items: list[Apex]) -> Apex:
    return Apex(f"new List<String>{{ {join(items)} }}" if items else "new List<String>()")
