"""The key table of the spec language: every mapping, its keys, their kinds and limits.

The loader checks keys and scalar kinds against these tables and the JSON Schema is generated
from them (``schema.py``), so the two cannot drift apart. Key names are a public contract:
extend, never rename.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from stepforce.generator.spec.model import (
    DEFAULT_MAX_ITERATIONS,
    MAX_ATTEMPTS,
    MAX_DELAY_MINUTES,
    MAX_ITERATIONS,
    MAX_ORCHESTRATION_NAME,
    Scalar,
)
from stepforce.generator.spec.names import MAX_NAME, MAX_NAMESPACE

TYPE_NAMES: tuple[str, ...] = tuple(s.value for s in Scalar) + tuple(
    f"List<{s.value}>" for s in Scalar
)


@dataclass(frozen=True)
class Text:
    """A string."""


@dataclass(frozen=True)
class Name:
    """A Salesforce name (Apex identifier rules, see names.py) of at most ``max_length``."""

    what: str
    max_length: int = MAX_NAME


@dataclass(frozen=True)
class TypeName:
    """``Text`` ... ``List<Id>``."""


@dataclass(frozen=True)
class Flag:
    """``true`` or ``false``."""


@dataclass(frozen=True)
class Integer:
    low: int
    high: int


@dataclass(frozen=True)
class Choice:
    values: tuple[str, ...]


@dataclass(frozen=True)
class ListOf:
    item: Kind


@dataclass(frozen=True)
class OneOf:
    options: tuple[Kind, ...]


@dataclass(frozen=True)
class Obj:
    """A mapping with fixed keys, described by ``TABLES[table]``."""

    table: str


@dataclass(frozen=True)
class MapOf:
    """A mapping from user-chosen names to values of one kind."""

    key: Name
    value: Kind


@dataclass(frozen=True)
class LiteralValue:
    """A literal: string, number, boolean, date, datetime, null or a list of those."""


@dataclass(frozen=True)
class BindingValue:
    """A step input: a reference (``$input.X``, ``$steps.S.X``, ``$self.X``), a literal, or
    the long form ``{value: ..., type: ...}``."""


Kind = (
    Text
    | Name
    | TypeName
    | Flag
    | Integer
    | Choice
    | ListOf
    | OneOf
    | Obj
    | MapOf
    | LiteralValue
    | BindingValue
)


@dataclass(frozen=True)
class Key:
    name: str
    kind: Kind
    description: str
    required: bool = False
    default: object = field(default=None)


_DELAY = Integer(0, MAX_DELAY_MINUTES)
INPUT_NAME = Name("input name")
OUTPUT_NAME = Name("output name")
SLOT_NAME = Name("step input name")

TABLES: dict[str, tuple[Key, ...]] = {
    "orchestration": (
        Key(
            "orchestration",
            Name("orchestration name", MAX_ORCHESTRATION_NAME),
            "API name of the orchestration (at most 80 characters); the run's Orchestration__c.",
            required=True,
        ),
        Key("description", Text(), "What the orchestration does, for people."),
        Key(
            "inputs",
            MapOf(INPUT_NAME, OneOf((TypeName(), Obj("input")))),
            "Run inputs by name: a type, or {type, required, default, description}.",
        ),
        Key(
            "steps",
            ListOf(Obj("step")),
            "The steps, run in order, each in its own Queueable transaction.",
            required=True,
        ),
        Key("schedule", Obj("schedule"), "Start a run on a cron schedule."),
    ),
    "input": (
        Key("type", TypeName(), "Type of the input.", required=True),
        Key("required", Flag(), "A run cannot start without this input.", default=False),
        Key("default", LiteralValue(), "Value used when a run does not give one."),
        Key("description", Text(), "What the input means, for people."),
    ),
    "step": (
        Key("name", Name("step name"), "Step name, unique in the orchestration.", required=True),
        Key("flow", Name("Flow API name"), "API name of an autolaunched Flow to run."),
        Key("apex", Name("Apex class name"), "Apex class implementing StepforceStep."),
        Key("namespace", Name("namespace", MAX_NAMESPACE), "Namespace of the Flow or class."),
        Key("description", Text(), "What the step does, for people."),
        Key(
            "inputs",
            MapOf(SLOT_NAME, BindingValue()),
            "Values passed to the step: $input.X, $steps.S.X, $self.X or a literal.",
        ),
        Key(
            "outputs",
            MapOf(OUTPUT_NAME, TypeName()),
            "Outputs the step produces, by name and type.",
        ),
        Key("repeat", Obj("repeat"), "Run the step again until a Boolean output is true."),
        Key("retry", Obj("retry"), "Try the step again when it fails."),
        Key(
            "callouts",
            Flag(),
            "Informational: the step makes HTTP callouts (shown by graph). Every step may make "
            "callouts either way.",
            default=False,
        ),
        Key(
            "on_failure",
            Choice(("fail", "continue")),
            "After the last failed try: fail the run, or continue with the next step.",
            default="fail",
        ),
    ),
    "repeat": (
        Key(
            "until",
            Name("output name"),
            "A Boolean output; the step repeats until it is true.",
            required=True,
        ),
        Key(
            "max_iterations",
            Integer(1, MAX_ITERATIONS),
            "The step fails when it has run this often without `until` being true.",
            default=DEFAULT_MAX_ITERATIONS,
        ),
    ),
    "retry": (
        Key(
            "attempts",
            Integer(1, MAX_ATTEMPTS),
            "Total tries, the first included.",
            required=True,
        ),
        Key(
            "delay_minutes",
            OneOf((_DELAY, ListOf(_DELAY))),
            "Minutes before each retry; a list gives one per retry, its last value repeating.",
            default=1,
        ),
    ),
    "schedule": (
        Key(
            "cron",
            Text(),
            "Salesforce cron: s m h day-of-month month day-of-week [year].",
            required=True,
        ),
        Key(
            "inputs",
            MapOf(INPUT_NAME, LiteralValue()),
            "Run inputs for scheduled runs (literal values).",
        ),
    ),
    "binding": (
        Key("value", LiteralValue(), "A reference or a literal.", required=True),
        Key("type", TypeName(), "The type of the step's input slot.", required=True),
    ),
}


def table(name: str) -> dict[str, Key]:
    return {key.name: key for key in TABLES[name]}
