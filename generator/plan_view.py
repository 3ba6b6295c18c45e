"""The view-model of one compiled plan: what the Apex templates print, and nothing else.

Every text field is an :class:`Apex` fragment built by ``compile`` from escaped literals,
typed literals and validated identifiers (see ``apex_text``).

A plan of more than :data:`PART_SIZE` steps is split: ``SfPlan_<Name>`` keeps the run inputs
and dispatches by step index to part classes (:class:`PartView`) that hold the steps, because
Apex refuses a class over 1,000,000 characters.
"""

from __future__ import annotations

from dataclasses import dataclass

from stepforce.apex_text import apex_string
from stepforce.deploy_plan import schedule_job_name
from stepforce.generator.apex_text import Apex, join
from stepforce.generator.spec.model import PLAN_CLASS_PREFIX, RefKind

NULL = Apex("null")
#: Steps per part class of a split plan; a plan of at most this many steps is not split.
#: 150 steps of 3 inputs and 2 outputs make a part of ~200,000 and its tests of ~270,000
#: characters, far below Apex's 1,000,000 per class even for steps several times larger.
PART_SIZE = 150


@dataclass(frozen=True)
class ValuePlan:
    """One typed slot: a run input, a step input or a step output."""

    key: Apex  # the name, as a string literal
    field: Apex  # the field name StepforceCoerce reports (docs/engine.md)
    coerce: Apex | None  # StepforceCoerce.toX, None for an untyped null literal
    apex_type: Apex | None  # Date, List<Date> ...
    source: Apex  # the plan: where the raw value comes from
    expected: Apex  # the tests: the typed value the plan must produce
    raw: Apex  # the tests: the value as the JSON context would hold it
    describe: Apex  # the tests: where the value comes from, for assert messages
    is_self: bool = False
    ref_kind: RefKind | None = None  # what a step input reads; None for literals and outputs


@dataclass(frozen=True)
class InputPlan:
    value: ValuePlan
    required: bool
    default: Apex | None  # typed literal of the default; None when there is none


@dataclass(frozen=True)
class StateEntry:
    """A value a generated test puts into ``State`` before resolving a step's inputs."""

    key: Apex
    value: Apex


@dataclass(frozen=True)
class StepPlan:
    index: int
    name: Apex
    kind: Apex
    target: Apex
    namespace: Apex
    callouts: bool
    output_names: Apex
    max_attempts: int
    delay_minutes: Apex
    repeats: bool
    max_iterations: int
    continue_on_failure: bool
    bindings: tuple[ValuePlan, ...]
    outputs: tuple[ValuePlan, ...]
    until: ValuePlan | None
    state_inputs: tuple[StateEntry, ...]
    state_outputs: tuple[tuple[Apex, tuple[StateEntry, ...]], ...]

    @property
    def has_self(self) -> bool:
        return any(b.is_self for b in self.bindings)

    @property
    def until_key(self) -> Apex:
        return self.until.key if self.until else NULL


class _StepGroup:
    """What the templates ask of a group of steps: a whole plan or one part of a split plan."""

    steps: tuple[StepPlan, ...]

    def _reads(self, kind: RefKind) -> bool:
        return any(b.ref_kind is kind for s in self.steps for b in s.bindings)

    @property
    def reads_inputs(self) -> bool:
        return self._reads(RefKind.INPUT)

    @property
    def reads_steps(self) -> bool:
        return self._reads(RefKind.STEPS)

    @property
    def reads_self(self) -> bool:
        return self._reads(RefKind.SELF)

    @property
    def repeating_steps(self) -> tuple[StepPlan, ...]:
        return tuple(s for s in self.steps if s.repeats)

    @property
    def steps_without_inputs(self) -> Apex | None:
        return _indexes([s for s in self.steps if not s.bindings])

    @property
    def single_steps(self) -> Apex | None:
        """Indexes of the steps that do not repeat."""
        return _indexes([s for s in self.steps if not s.repeats])

    @property
    def steps_without_outputs(self) -> Apex | None:
        return _indexes([s for s in self.steps if not s.outputs])


@dataclass(frozen=True)
class PartView(_StepGroup):
    """One part class of a split plan: the steps ``first`` to ``last`` (indexes)."""

    number: int  # 1-based, as in the class name
    class_name: Apex
    test_class_name: Apex
    steps: tuple[StepPlan, ...]

    @property
    def first(self) -> int:
        return self.steps[0].index

    @property
    def last(self) -> int:
        return self.steps[-1].index


@dataclass(frozen=True)
class PlanView(_StepGroup):
    class_name: Apex
    test_class_name: Apex
    name: Apex
    description: Apex
    cron: Apex | None
    schedule_inputs: Apex  # the schedule's run inputs as a JSON string literal
    inputs: tuple[InputPlan, ...]
    steps: tuple[StepPlan, ...]
    uses_inputs: bool
    uses_steps: bool
    uses_self: bool
    parts: tuple[PartView, ...] = ()  # empty: the plan is one class

    @property
    def part_size(self) -> int:
        return PART_SIZE

    @property
    def parts_with_repeats(self) -> tuple[PartView, ...]:
        return tuple(p for p in self.parts if p.repeating_steps)

    @property
    def orchestration_id(self) -> Apex:
        """The orchestration name as the identifier it was validated to be."""
        return Apex(self.class_name.removeprefix(PLAN_CLASS_PREFIX))

    @property
    def job_name(self) -> Apex:
        """The scheduled job's name as an Apex literal, by the one naming rule."""
        return apex_string(schedule_job_name(self.orchestration_id))

    @property
    def required_inputs(self) -> tuple[InputPlan, ...]:
        return tuple(i for i in self.inputs if i.required)

    @property
    def input_names(self) -> Apex:
        keys = [i.value.key for i in self.inputs]
        return Apex(f"new Set<String>{{ {join(keys)} }}" if keys else "new Set<String>()")

    @property
    def has_defaults(self) -> bool:
        return any(i.default is not None for i in self.inputs)


def _indexes(steps: list[StepPlan]) -> Apex | None:
    return Apex(", ".join(str(s.index) for s in steps)) if steps else None
