"""FIXTURES files: the run's inputs, and what each step attempt returns.

```yaml
inputs: {since: 2026-11-01}
steps:
  Fetch_Page:
    - outputs: {cursor: "p2", fetched: 200, isDone: false}
    - error: "Callout timed out"
    - limit: "System.LimitException: Too many SOQL queries: 201"
    - {outputs: {isDone: false}, times: 3}
```
Each step's list is consumed in order, one entry per attempt the engine starts (every
iteration, retry and redrive takes the next entry). An entry may say where it expects to be
used (``iteration:``, ``attempt:``); the simulator checks that, so a fixture that drifted from
the run fails loudly instead of feeding the wrong attempt.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from stepforce.diagnostics import Diagnostic, Location
from stepforce.errors import SpecError
from stepforce.generator.simulate.yamlsrc import Node, load_yaml_file, problem
from stepforce.generator.spec.model import Orchestration

_ENTRY_KEYS = {"outputs", "error", "limit", "iteration", "attempt", "times", "bookkeeping_fails"}
#: StepforceRecorder.DELAYS: minutes before each try of the recorder after a failed finalizer.
RECORDER_DELAYS = (1, 2, 4, 8, 10)
_KINDS = ("outputs", "error", "limit")


class OutcomeKind(StrEnum):
    OUTPUTS = "outputs"  # the step returned these raw values
    ERROR = "error"  # the step threw a catchable exception with this text
    LIMIT = "limit"  # an uncatchable failure (LimitException): only the finalizer runs


@dataclass(frozen=True)
class Outcome:
    """What one step attempt returns. ``outputs`` holds raw values, coerced by the engine."""

    kind: OutcomeKind
    outputs: Mapping[str, Any] = field(default_factory=dict)
    error: str = ""
    iteration: int | None = None
    attempt: int | None = None
    # how many times the finalizer's bookkeeping (and then the recorder's tries) fail
    bookkeeping_fails: int = 0
    location: Location = field(default=Location(""), compare=False)
    output_locations: Mapping[str, Location] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Fixtures:
    inputs: Mapping[str, Any] = field(default_factory=dict)
    steps: Mapping[str, tuple[Outcome, ...]] = field(default_factory=dict)
    location: Location = field(default=Location(""), compare=False)
    input_locations: Mapping[str, Location] = field(default_factory=dict, compare=False)
    step_locations: Mapping[str, Location] = field(default_factory=dict, compare=False)


def load_fixtures(path: Path) -> Fixtures:
    return parse_fixtures(load_yaml_file(path))


def parse_fixtures(root: Node) -> Fixtures:
    """Typed fixtures from a loaded YAML mapping; SpecError (file:line) on a malformed one."""
    if not root.is_map:
        raise problem(root.location, "fixtures must be a mapping with 'inputs' and 'steps'")
    unknown = set(root.value) - {"inputs", "steps"}
    if unknown:
        key = sorted(unknown)[0]
        raise problem(root.key_location(key), f"unknown key '{key}' (expected inputs, steps)")
    inputs = root.get("inputs") or Node({}, root.location)
    steps = root.get("steps") or Node({}, root.location)
    for name, node in (("inputs", inputs), ("steps", steps)):
        if not node.is_map and node.value is not None:
            raise problem(node.location, f"'{name}' must be a mapping", name)
    input_map: dict[str, Node] = inputs.value or {}
    step_map: dict[str, Node] = steps.value or {}
    outcomes: dict[str, tuple[Outcome, ...]] = {}
    found: list[Diagnostic] = []
    for name, node in step_map.items():
        try:
            outcomes[name] = _outcomes(name, node)
        except SpecError as error:
            found.extend(error.diagnostics)
    if found:
        raise SpecError(found)
    return Fixtures(
        inputs={name: plain_numbers(node.plain()) for name, node in input_map.items()},
        steps=outcomes,
        location=root.location,
        input_locations={name: inputs.key_location(name) for name in input_map},
        step_locations={name: steps.key_location(name) for name in step_map},
    )


def _outcomes(step: str, node: Node) -> tuple[Outcome, ...]:
    if not node.is_list:
        raise problem(node.location, f"step '{step}' needs a list of attempt results", step)
    result: list[Outcome] = []
    found: list[Diagnostic] = []
    for index, entry in enumerate(node.value):
        try:
            outcome, times = _outcome(f"steps.{step}[{index}]", entry)
        except SpecError as error:  # keep going: every malformed entry is reported at once
            found.extend(error.diagnostics)
            continue
        result.extend([outcome] * times)
    if found:
        raise SpecError(found)
    return tuple(result)


def _outcome(path: str, entry: Node) -> tuple[Outcome, int]:
    if not entry.is_map:
        raise problem(entry.location, "an attempt result is a mapping (outputs/error/limit)", path)
    keys: dict[str, Node] = entry.value
    unknown = set(keys) - _ENTRY_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise problem(entry.key_location(key), f"unknown key '{key}'", path)
    kinds = [kind for kind in _KINDS if kind in keys]
    if len(kinds) != 1:
        raise problem(entry.location, "give exactly one of outputs, error, limit", path)
    kind = OutcomeKind(kinds[0])
    body = keys[kind.value]
    numbers = {name: _positive(keys[name], f"{path}.{name}") for name in keys if name in _COUNTS}
    if "times" in numbers and ({"iteration", "attempt"} & set(numbers)):
        raise problem(keys["times"].location, "'times' cannot be combined with a position", path)
    fails = numbers.get("bookkeeping_fails", 0)
    if fails > len(RECORDER_DELAYS):
        raise problem(
            keys["bookkeeping_fails"].location,
            f"bookkeeping_fails is at most {len(RECORDER_DELAYS)}: after that the recorder gives "
            "up and the sweeper runs the attempt again, which the simulator does not model",
            path,
        )
    outcome = Outcome(
        bookkeeping_fails=fails,
        kind=kind,
        iteration=numbers.get("iteration"),
        attempt=numbers.get("attempt"),
        location=entry.location,
        **_body(kind, body, path),
    )
    return outcome, numbers.get("times", 1)


_COUNTS = ("iteration", "attempt", "times", "bookkeeping_fails")


def _positive(node: Node, path: str) -> int:
    value = node.value
    if isinstance(value, Decimal) and value == value.to_integral_value() and value >= 1:
        return int(value)
    raise problem(node.location, "must be a whole number of at least 1", path)


def _body(kind: OutcomeKind, body: Node, path: str) -> dict[str, Any]:
    if kind is OutcomeKind.OUTPUTS:
        if body.value is None:
            return {"outputs": {}}
        if not body.is_map:
            raise problem(body.location, "outputs must be a mapping of output name to value", path)
        values: dict[str, Node] = body.value
        return {
            "outputs": {name: plain_numbers(node.plain()) for name, node in values.items()},
            "output_locations": {name: body.key_location(name) for name in values},
        }
    if not isinstance(body.value, str) or not body.value.strip():
        raise problem(body.location, f"{kind.value} must be the exception's text", path)
    return {"error": body.value}


def plain_numbers(value: Any) -> Any:
    """Numbers as the objects a step hands back: ``1e3`` is the Decimal ``1000`` (plain
    digits, as the emitted Apex test writes it: ``Decimal.valueOf('1000')``), not ``1E+3``."""
    if isinstance(value, Decimal) and value.is_finite() and "E" in str(value):
        return Decimal(format(value, "f"))
    if isinstance(value, list):
        return [plain_numbers(item) for item in value]
    if isinstance(value, dict):
        return {key: plain_numbers(item) for key, item in value.items()}
    return value


def check_fixtures(fixtures: Fixtures, orchestration: Orchestration) -> None:
    """Reject fixtures that name steps or outputs the orchestration does not have.

    In the org an undeclared output is silently dropped by ``coerceOutputs``; in a fixture it
    is almost always a typo, so it is an error here (with its file:line).
    """
    found: list[Diagnostic] = []
    for name, outcomes in fixtures.steps.items():
        step = orchestration.step(name)
        where = fixtures.step_locations.get(name, fixtures.location)
        if step is None:
            known = ", ".join(s.name for s in orchestration.steps)
            found.append(_diag(where, f"no step '{name}' in {orchestration.name} ({known})"))
            continue
        declared = {output.name for output in step.outputs}
        for outcome in outcomes:
            for output in sorted(set(outcome.outputs) - declared):
                at = outcome.output_locations.get(output, outcome.location)
                found.append(_diag(at, f"step '{name}' declares no output '{output}'"))
    if found:
        raise SpecError(list(dict.fromkeys(found)))


def _diag(location: Location, message: str, path: str = "") -> Diagnostic:
    return Diagnostic(location, message, path=path, source="simulate")


class FixturesExhausted(Exception):
    """A step's list ran out: the simulation cannot go on (the problem is in the feed)."""


class Feed:
    """Hands out each step's results in order and collects every fixture problem found on the
    way (an entry used at another position than it is marked for, an exhausted list), so the
    simulator reports them all at once, with the trace up to the point it had to stop."""

    def __init__(self, fixtures: Fixtures) -> None:
        self.fixtures = fixtures
        self.used: dict[str, int] = {}
        self.problems: list[Diagnostic] = []

    def take(self, step: str, iteration: int, attempt: int) -> Outcome:
        """The next result of ``step``; raises FixturesExhausted when there is none left."""
        outcomes = self.fixtures.steps.get(step, ())
        used = self.used.get(step, 0)
        at = f"iteration {iteration} attempt {attempt}"
        if used >= len(outcomes):
            where = self.fixtures.step_locations.get(step, self.fixtures.location)
            message = (
                f"fixtures for step '{step}' are exhausted: {len(outcomes)} result(s) given, "
                f"the engine needs one more for {at}"
            )
            self.problems.append(_diag(where, message, f"steps.{step}"))
            raise FixturesExhausted(message)
        outcome = outcomes[used]
        self.used[step] = used + 1
        if outcome.iteration not in (None, iteration) or outcome.attempt not in (None, attempt):
            message = (
                f"result {used + 1} of step '{step}' is marked for iteration "
                f"{outcome.iteration or '*'} attempt {outcome.attempt or '*'}, "
                f"but the engine used it for {at}"
            )
            self.problems.append(_diag(outcome.location, message, f"steps.{step}[{used}]"))
        return outcome
