"""The typed model of a validated orchestration spec.

This module is the contract between the spec loader/validator (which builds these objects
from YAML), the generator (which writes them as plan documents) and the simulator
(which runs them in Python). Everything here is immutable and carries its source location,
so any later stage can report problems as ``file:line:col``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import TypeAlias

from stepforce.diagnostics import Location


class Scalar(StrEnum):
    """The scalar types a spec can name; values are the spelling used in YAML."""

    TEXT = "Text"
    NUMBER = "Number"
    BOOLEAN = "Boolean"
    DATE = "Date"
    DATETIME = "DateTime"
    ID = "Id"


@dataclass(frozen=True)
class ValueType:
    """A scalar type or a list of one (written ``List<Text>`` in YAML)."""

    scalar: Scalar
    is_list: bool = False

    def __str__(self) -> str:
        return f"List<{self.scalar.value}>" if self.is_list else self.scalar.value

    @classmethod
    def parse(cls, text: str) -> ValueType | None:
        """Parse ``Text`` / ``List<Text>``; ``None`` when the spelling is not a type."""
        raw = text.strip()
        is_list = False
        if raw.startswith("List<") and raw.endswith(">"):
            raw, is_list = raw[5:-1].strip(), True
        for scalar in Scalar:
            if raw == scalar.value:
                return cls(scalar, is_list)
        return None

    def accepts(self, source: ValueType) -> bool:
        """Whether a value of type ``source`` may flow into a slot of this type.

        Identical types always do. Widening is allowed where Apex does it without loss:
        Id -> Text, Date -> DateTime (midnight GMT), and the same for list elements.
        """
        if self.is_list != source.is_list:
            return False
        if self.scalar == source.scalar:
            return True
        return (self.scalar, source.scalar) in _WIDENING


_WIDENING = {(Scalar.TEXT, Scalar.ID), (Scalar.DATETIME, Scalar.DATE)}

#: A literal value after YAML typing: str, Decimal (never float), bool, date, datetime, or a
#: list of those. ``None`` is the explicit YAML null.
LiteralValue: TypeAlias = str | Decimal | bool | dt.date | dt.datetime | list["LiteralValue"] | None


class RefKind(StrEnum):
    INPUT = "input"  # $input.X: the run's inputs
    STEPS = "steps"  # $steps.S.X: the latest output X of an earlier step S
    SELF = "self"  # $self.X: this step's output X from its previous iteration


@dataclass(frozen=True)
class Ref:
    """A reference such as ``$input.since``, ``$steps.Fetch_Page.cursor`` or ``$self.cursor``."""

    kind: RefKind
    name: str
    step: str | None = None  # only for RefKind.STEPS
    location: Location = field(default=Location(""), compare=False)

    def __str__(self) -> str:
        if self.kind is RefKind.STEPS:
            return f"$steps.{self.step}.{self.name}"
        return f"${self.kind.value}.{self.name}"


@dataclass(frozen=True)
class Literal:
    """A literal value. A YAML string starting with ``$`` is a reference; write ``$$`` to mean
    a literal string that starts with ``$`` (``$$5 off`` is the text ``$5 off``)."""

    value: LiteralValue
    location: Location = field(default=Location(""), compare=False)


@dataclass(frozen=True)
class Binding:
    """What one step input receives.

    ``declared`` is the type the user wrote with the long form ``{value: ..., type: Date}``,
    or ``None`` with the short form. ``source_type`` is the type the validator proved for the
    value (the referenced input/output's type, or the literal's type after coercion to
    ``declared``). The generated plan coerces the value to ``effective_type``.
    """

    target: str
    value: Ref | Literal
    source_type: ValueType | None  # None only for a YAML null literal without a declared type
    declared: ValueType | None = None
    location: Location = field(default=Location(""), compare=False)

    @property
    def effective_type(self) -> ValueType | None:
        return self.declared or self.source_type


@dataclass(frozen=True)
class InputDecl:
    """An orchestration (run) input."""

    name: str
    type: ValueType
    required: bool = False
    default: LiteralValue = None  # already typed to ``type``; None when absent
    description: str = ""
    location: Location = field(default=Location(""), compare=False)


@dataclass(frozen=True)
class OutputDecl:
    name: str
    type: ValueType
    location: Location = field(default=Location(""), compare=False)


class StepKind(StrEnum):
    FLOW = "Flow"
    APEX = "Apex"


class OnFailure(StrEnum):
    FAIL = "fail"  # default: the run fails when the step's retries are exhausted
    CONTINUE = "continue"  # record the failure, leave the step's outputs unset, go on


#: Total attempts a retry policy may ask for: the first try plus the 5 consecutive
#: re-enqueues a Transaction Finalizer is allowed.
MAX_ATTEMPTS = 6
#: System.enqueueJob(job, delay) accepts 0-10 minutes.
MAX_DELAY_MINUTES = 10
MAX_ITERATIONS = 10_000
DEFAULT_MAX_ITERATIONS = 100


@dataclass(frozen=True)
class Retry:
    """``attempts`` counts every try, the first included. ``delay_minutes[k]`` is the wait
    before try ``k + 2``; when the list is shorter than needed its last value repeats."""

    attempts: int = 1
    delay_minutes: tuple[int, ...] = (1,)
    location: Location = field(default=Location(""), compare=False)

    def delay_before(self, attempt: int) -> int:
        """Minutes to wait before starting try number ``attempt`` (2-based)."""
        if attempt <= 1 or not self.delay_minutes:
            return 0
        index = min(attempt - 2, len(self.delay_minutes) - 1)
        return self.delay_minutes[index]


@dataclass(frozen=True)
class Repeat:
    """Re-run the step, feeding ``$self`` its previous outputs, until the Boolean output
    ``until`` is true; failing the step when ``max_iterations`` runs end without it."""

    until: str
    max_iterations: int = DEFAULT_MAX_ITERATIONS
    location: Location = field(default=Location(""), compare=False)


@dataclass(frozen=True)
class Step:
    name: str
    kind: StepKind
    target: str  # the Flow API name or the Apex class name
    namespace: str | None = None
    description: str = ""
    inputs: tuple[Binding, ...] = ()
    outputs: tuple[OutputDecl, ...] = ()
    repeat: Repeat | None = None
    retry: Retry = Retry()
    callouts: bool = False
    on_failure: OnFailure = OnFailure.FAIL
    location: Location = field(default=Location(""), compare=False)

    def output(self, name: str) -> OutputDecl | None:
        return next((o for o in self.outputs if o.name == name), None)


@dataclass(frozen=True)
class Schedule:
    """A cron start. ``cron`` is Salesforce cron: ``s m h dom mon dow [year]`` in the
    scheduling user's time zone."""

    cron: str
    inputs: tuple[Binding, ...] = ()
    location: Location = field(default=Location(""), compare=False)


@dataclass(frozen=True)
class Orchestration:
    name: str
    steps: tuple[Step, ...]
    description: str = ""
    inputs: tuple[InputDecl, ...] = ()
    schedule: Schedule | None = None
    source_file: str = ""
    location: Location = field(default=Location(""), compare=False)

    def step(self, name: str) -> Step | None:
        return next((s for s in self.steps if s.name == name), None)

    def step_index(self, name: str) -> int:
        for index, step in enumerate(self.steps):
            if step.name == name:
                return index
        raise KeyError(name)

    def input(self, name: str) -> InputDecl | None:
        return next((i for i in self.inputs if i.name == name), None)


#: A plan is data, found by a hash of the name, so the name is bounded only by where it is
#: stored: the Run's and the start event's Orchestration__c (Text(80)). The scheduled job
#: ``Stepforce <name>`` (90 characters) fits CronJobDetail.Name (255): see docs/engine.md.
MAX_ORCHESTRATION_NAME = 80
