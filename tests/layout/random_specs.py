"""Random valid specs whose names and texts have every length, for comparing the Python
layout with prettier: statements that just fit in 80 columns, just do not, and break at
every level are where a layout goes wrong."""

from __future__ import annotations

import json
import random
from collections.abc import Callable

from stepforce.generator.spec.names import APEX_RESERVED

TYPES = ["Text", "Number", "Date", "DateTime", "Boolean", "Id", "List<Text>", "List<Id>"]
_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_TEXT = _ALPHABET + "0123456789 _-.,;:!?'\"\\/*<>&$%()[]{}#@=+|~`" + "éüßñ漢字テスト"
_SAMPLES: dict[str, Callable[[random.Random], object]] = {
    "Text": lambda r: _text(r, r.randint(0, 90)),
    "Number": lambda r: round(r.uniform(-1e6, 1e6), r.randint(0, 4)),
    "Date": lambda r: f"20{r.randint(10, 40)}-0{r.randint(1, 9)}-1{r.randint(0, 9)}",
    "DateTime": lambda r: f"2026-0{r.randint(1, 9)}-1{r.randint(0, 9)}T0{r.randint(0, 9)}:00:00Z",
    "Boolean": lambda r: r.choice([True, False]),
    "Id": lambda r: "001" + "".join(r.choice("ABC123") for _ in range(12)),  # 15 characters
    "List<Text>": lambda r: [_text(r, r.randint(0, 30)) for _ in range(r.randint(0, 6))],
    "List<Id>": lambda r: ["001" + "A" * 12 for _ in range(r.randint(0, 4))],
}


def _name(r: random.Random, low: int = 1, high: int = 40) -> str:
    length = r.randint(low, high)
    chars = [r.choice(_ALPHABET)]
    while len(chars) < length:
        chars.append(r.choice(_ALPHABET + "0123456789" + ("_" if chars[-1] != "_" else "")))
    if chars[-1] == "_":
        chars[-1] = "x"
    name = "".join(chars)
    return name + "x" if name.lower() in APEX_RESERVED else name


def _text(r: random.Random, length: int) -> str:
    text = "".join(r.choice(_TEXT) for _ in range(length))
    return "x" + text if text.startswith("$") else text  # '$' starts a reference


def random_spec(seed: int) -> str:
    """A valid spec (JSON is YAML) from ``seed``."""
    r = random.Random(seed)
    inputs: dict[str, dict[str, object]] = {}
    for _ in range(r.randint(0, 4)):
        kind = r.choice(TYPES)
        entry: dict[str, object] = {"type": kind}
        choice = r.random()
        if choice < 0.3:
            entry["required"] = True
        elif choice < 0.6:
            entry["default"] = _SAMPLES[kind](r)
        inputs[_name(r)] = entry
    steps: list[dict[str, object]] = []
    for index in range(r.randint(1, 5)):
        outputs = {_name(r): r.choice(TYPES) for _ in range(r.randint(0, 4))}
        step: dict[str, object] = {"name": f"{_name(r, 1, 36)}{index}"}
        step["flow" if r.random() < 0.5 else "apex"] = _name(r)
        booleans = [name for name, kind in outputs.items() if kind == "Boolean"]
        if booleans and r.random() < 0.5:
            step["repeat"] = {"until": r.choice(booleans), "max_iterations": r.randint(2, 900)}
        mapped: dict[str, object] = {}
        for _ in range(r.randint(0, 5)):
            roll = r.random()
            if roll < 0.25 and inputs:
                mapped[_name(r)] = "$input." + r.choice(list(inputs))
            elif roll < 0.5 and steps and steps[-1]["outputs"]:
                previous = steps[-1]
                output = r.choice(list(previous["outputs"]))  # type: ignore[call-overload]
                mapped[_name(r)] = f"$steps.{previous['name']}.{output}"
            elif roll < 0.6 and "repeat" in step:
                mapped[_name(r)] = "$self." + r.choice(list(outputs))
            else:
                kind = r.choice(TYPES)
                mapped[_name(r)] = {"value": _SAMPLES[kind](r), "type": kind}
        step["inputs"] = mapped
        step["outputs"] = outputs
        if r.random() < 0.3:
            step["description"] = _text(r, r.randint(0, 120))
        _step_options(r, step)
        steps.append(step)
    spec: dict[str, object] = {"orchestration": _name(r, 1, 27), "steps": steps}
    if inputs:
        spec["inputs"] = inputs
    if r.random() < 0.5:
        spec["description"] = _text(r, r.randint(0, 200))
    if r.random() < 0.3:
        # A cron start gives every required input a literal value, sometimes an optional one.
        values = {
            name: _SAMPLES[str(entry["type"])](r)
            for name, entry in inputs.items()
            if entry.get("required") or r.random() < 0.3
        }
        spec["schedule"] = {"cron": f"0 {r.randint(0, 59)} {r.randint(0, 23)} * * ?"}
        if values:
            spec["schedule"]["inputs"] = values  # type: ignore[index]
    return json.dumps(spec, ensure_ascii=False)


def _step_options(r: random.Random, step: dict[str, object]) -> None:
    """Retries, callouts, continue-on-failure and a namespace, each now and then."""
    if r.random() < 0.4:
        delays = [r.randint(0, 10) for _ in range(r.randint(1, 3))]  # the platform caps at 10
        step["retry"] = {"attempts": r.randint(1, 6), "delay_minutes": delays}
    if r.random() < 0.3:
        step["callouts"] = True
    if r.random() < 0.2:
        step["on_failure"] = "continue"
    if r.random() < 0.15:
        step["namespace"] = _name(r, 1, 15)
