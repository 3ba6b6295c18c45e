"""Scenario files: a spec, fixtures, control actions and the trace both engines must produce.

```yaml
description: A page fetch times out once and succeeds on its retry
spec: specs/invoice_sync.yaml        # relative to this file, or an inline block (spec: |)
fixtures:                            # the FIXTURES format inline, or a path to such a file
  inputs: {since: 2026-11-01}
  steps: {Fetch_Page: [...], Post_Summary: [...]}
controls:                            # optional; applied in order (see engine.py)
  - pause: {after: Fetch_Page, iteration: 2}
  - resume: {}
  - retry: {from_step: Fetch_Page, inputs: {since: 2026-10-01}}
expect:
  status: Succeeded
  error: "Step Fetch_Page failed"    # substring; absent means the run has no error
  current_step: Post_Summary
  delays: [1]                        # minutes waited before each delayed attempt
  attempts:                          # every Step Run, in order; only given keys are compared
    - {step: Fetch_Page, iteration: 1, attempt: 1, status: Succeeded, outputs: {...}}
  context: {steps: {...}}            # 'inputs' and/or 'steps', compared exactly
```
Errors are compared as substrings because the Apex engine may prefix an exception's type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stepforce.diagnostics import Location
from stepforce.generator.simulate.coerce import to_json
from stepforce.generator.simulate.controls import Action, Control, InputsRejectedError, Moment
from stepforce.generator.simulate.engine import simulate
from stepforce.generator.simulate.fixtures import Fixtures, load_fixtures, parse_fixtures
from stepforce.generator.simulate.trace import AttemptEvent, Trace
from stepforce.generator.simulate.yamlsrc import Node, load_yaml_file, problem
from stepforce.generator.spec import load_spec, load_spec_text
from stepforce.generator.spec.model import Orchestration

_TOP = {"description", "spec", "fixtures", "controls", "expect"}
_EXPECT = {
    *("status", "error", "current_step", "delays", "attempts", "context", "rejected"),
    *("relays", "refused"),
}
_ATTEMPT = {
    *("step", "iteration", "attempt", "status", "inputs", "outputs", "error", "delay", "ranAs")
}


@dataclass(frozen=True)
class Expected:
    status: str | None  # None when the start itself is rejected
    error: str | None = None
    current_step: str | None = None
    delays: tuple[int, ...] | None = None
    attempts: tuple[Mapping[str, Any], ...] | None = None
    context: Mapping[str, Any] | None = None
    rejected: str | None = None  # substring of prepareInputs' refusal (HTTP 400, no run)
    relays: int | None = None  # relay batches the run went through (chain depth cap)
    refused: int | None = None  # retries refused with 409 while a cancelled job ran


@dataclass(frozen=True)
class Scenario:
    name: str  # the file's stem
    description: str
    orchestration: Orchestration
    fixtures: Fixtures
    controls: tuple[Control, ...]
    expected: Expected
    location: Location = field(default=Location(""), compare=False)

    def run(self) -> Trace:
        return simulate(self.orchestration, self.fixtures, self.controls)

    def check(self) -> list[str]:
        """Run the scenario in the simulator: every difference from what it expects."""
        try:
            trace = self.run()
        except InputsRejectedError as error:
            if self.expected.rejected is not None and self.expected.rejected in str(error):
                return []
            return [f"start rejected: {error}"]
        if self.expected.rejected is not None:
            return [f"expected the start to be rejected ({self.expected.rejected!r})"]
        return compare(self.expected, trace)


def load_scenario(path: Path) -> Scenario:
    """Read a scenario file (and the spec/fixtures it points to); SpecError when malformed."""
    root = load_yaml_file(path)
    if not root.is_map:
        raise problem(root.location, "a scenario is a mapping (spec, fixtures, expect)")
    _no_unknown(root, _TOP)
    for key in ("spec", "fixtures", "expect"):
        if root.get(key) is None:
            raise problem(root.location, f"a scenario needs '{key}'")
    description = root.get("description")
    return Scenario(
        name=path.stem,
        description=str(description.value) if description else "",
        orchestration=_spec(path, _need(root, "spec")),
        fixtures=_fixtures(path, _need(root, "fixtures")),
        controls=tuple(_control(node) for node in _list(root.get("controls"))),
        expected=_expected(_need(root, "expect")),
        location=root.location,
    )


def _need(root: Node, key: str) -> Node:
    node = root.get(key)
    assert node is not None
    return node


def _no_unknown(node: Node, allowed: set[str]) -> None:
    for key in node.value:
        if key not in allowed:
            raise problem(
                node.key_location(key),
                f"unknown key '{key}' (allowed: {', '.join(sorted(allowed))})",
            )


def _list(node: Node | None) -> list[Node]:
    if node is None or node.value is None:
        return []
    if not node.is_list:
        raise problem(node.location, "expected a list")
    items: list[Node] = node.value
    return items


def _spec(path: Path, node: Node) -> Orchestration:
    if not isinstance(node.value, str):
        raise problem(node.location, "spec is a path or an inline YAML block (spec: |)")
    if "\n" in node.value:
        return load_spec_text(node.value, f"{path} (inline spec)")
    return load_spec(path.parent / node.value)


def _fixtures(path: Path, node: Node) -> Fixtures:
    if isinstance(node.value, str):
        return load_fixtures(path.parent / node.value)
    return parse_fixtures(node)


def _control(node: Node) -> Control:
    if isinstance(node.value, str) and node.value in ("resume", "cancel", "retry"):
        return Control(Action(node.value), location=node.location)
    if not node.is_map or len(node.value) != 1:
        raise problem(node.location, "a control is one of: pause, resume, cancel, retry")
    ((name, body),) = node.value.items()
    if name not in {a.value for a in Action}:
        raise problem(node.location, f"unknown control '{name}'")
    options = body.plain() if body.value is not None else {}
    if not isinstance(options, dict):
        raise problem(body.location, f"'{name}' takes a mapping of options")
    return _control_from(Action(name), options, body.location)


def _control_from(action: Action, options: dict[str, Any], where: Location) -> Control:
    allowed = {"after", "before", "iteration", "attempt", "started"}
    if action is Action.RETRY:  # with after: a retry while the cancelled attempt's job runs
        allowed = {"from_step", "inputs", "after", "iteration", "attempt"}
    unknown = set(options) - allowed
    if unknown:
        raise problem(where, f"unknown option '{sorted(unknown)[0]}' for {action.value}")
    if "after" in options and "before" in options:
        raise problem(where, "give 'after' or 'before', not both")
    moment = Moment.BEFORE if "before" in options else Moment.AFTER
    inputs = options.get("inputs") or {}
    if not isinstance(inputs, dict):
        raise problem(where, "retry inputs must be a mapping")
    return Control(
        action=action,
        step=options.get("after") or options.get("before"),
        moment=moment,
        iteration=_int(options.get("iteration")),
        attempt=_int(options.get("attempt")),
        from_step=options.get("from_step"),
        inputs=inputs,
        started=options.get("started") is True,
        location=where,
    )


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _expected(node: Node) -> Expected:
    if not node.is_map:
        raise problem(node.location, "expect is a mapping")
    _no_unknown(node, _EXPECT)
    data = node.plain()
    if ("status" in data) == ("rejected" in data):
        raise problem(node.location, "expect needs 'status' or 'rejected' (not both)")
    for entry in _list(node.get("attempts")):
        if not entry.is_map:
            raise problem(entry.location, "an expected attempt is a mapping")
        _no_unknown(entry, _ATTEMPT)
    delays = data.get("delays")
    return Expected(
        status=None if data.get("status") is None else str(data["status"]),
        error=data.get("error"),
        current_step=data.get("current_step"),
        delays=None if delays is None else tuple(int(d) for d in delays),
        attempts=None if data.get("attempts") is None else tuple(data["attempts"]),
        context=data.get("context"),
        rejected=data.get("rejected"),
        relays=_int(data.get("relays")),
        refused=_int(data.get("refused")),
    )


def compare(expected: Expected, trace: Trace) -> list[str]:
    """Every way ``trace`` differs from ``expected``; empty when it matches."""
    found: list[str] = []
    if expected.status is not None and trace.status.value != expected.status:
        found.append(f"status: expected {expected.status}, got {trace.status.value}")
    if expected.error is None and trace.error is not None:
        found.append(f"error: expected none, got {trace.error!r}")
    if expected.error is not None and expected.error not in (trace.error or ""):
        found.append(f"error: expected to contain {expected.error!r}, got {trace.error!r}")
    if expected.current_step not in (None, trace.current_step):
        found.append(f"current_step: expected {expected.current_step}, got {trace.current_step}")
    if expected.delays is not None and list(expected.delays) != trace.delays:
        found.append(f"delays: expected {list(expected.delays)}, got {trace.delays}")
    for key, want, have in (
        ("relays", expected.relays, len(trace.relays)),
        ("refused", expected.refused, len(trace.refusals)),
    ):
        if want is not None and want != have:
            found.append(f"{key}: expected {want}, got {have}")
    if expected.attempts is not None:
        found.extend(_compare_attempts(expected.attempts, trace.attempts))
    for key, value in (expected.context or {}).items():
        if to_json(value) != trace.context.get(key):
            found.append(f"context.{key}: expected {to_json(value)}, got {trace.context.get(key)}")
    return found


def _compare_attempts(
    expected: tuple[Mapping[str, Any], ...], got: list[AttemptEvent]
) -> list[str]:
    found: list[str] = []
    if len(expected) != len(got):
        shown = [f"{a.step}#{a.iteration}.{a.attempt}:{a.status.value}" for a in got]
        found.append(f"attempts: expected {len(expected)}, got {len(got)}: {shown}")
    for number, (want, event) in enumerate(zip(expected, got, strict=False), start=1):
        actual = event.to_json() | {"delay": event.delay_minutes}
        for key, value in want.items():
            have = actual.get(key)
            same = value in (have or "") if key == "error" and value else to_json(value) == have
            if not same:
                found.append(
                    f"attempt {number} ({event.step}) {key}: expected {value!r}, got {have!r}"
                )
    return found
