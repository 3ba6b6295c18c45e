"""Time loading and validating a synthetic 1,000-step spec (target: under 1 second).

Every step reads a run input, the previous step's output and one from ten steps back, so
reference resolution is exercised at scale. Run: ``.venv/bin/python benchmarks/validate_scale.py``.
"""

from __future__ import annotations

import sys
import time

from stepforce.generator.spec import load_spec_text

STEPS = 1_000
TARGET_SECONDS = 1.0


def synthetic_spec(steps: int = STEPS) -> str:
    lines = [
        "orchestration: Scale_Test",
        "inputs:",
        "  since: {type: Date, required: true}",
        "  size: {type: Number, default: 100}",
        "steps:",
    ]
    for index in range(steps):
        lines += [
            f"  - name: Step_{index}",
            f"    {'apex' if index % 2 else 'flow'}: Target_{index}",
            "    inputs:",
            "      since: $input.since",
            f"      label: {{value: 'step {index}', type: Text}}",
        ]
        if index:
            lines.append(f"      previous: $steps.Step_{index - 1}.count")
        if index >= 10:
            lines.append(f"      older: {{value: $steps.Step_{index - 10}.day, type: DateTime}}")
        lines += [
            "    outputs: {count: Number, day: Date, done: Boolean, cursor: Text}",
            "    retry: {attempts: 3, delay_minutes: [1, 5]}",
        ]
        if index % 50 == 0:
            lines += [
                "    repeat: {until: done, max_iterations: 10}",
                "    callouts: true",
            ]
    lines += ["schedule:", "  cron: '0 0 2 * * ?'", "  inputs: {since: 2026-01-01}"]
    return "\n".join(lines) + "\n"


def main() -> int:
    text = synthetic_spec()
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        spec = load_spec_text(text, "scale.yaml")
        best = min(best, time.perf_counter() - started)
    references = sum(len(step.inputs) for step in spec.steps)
    verdict = "ok" if best < TARGET_SECONDS else "SLOW"
    print(
        f"{verdict}: loaded and validated {len(spec.steps):,} steps ({references:,} inputs, "
        f"{len(text):,} bytes) in {best:.3f} s (best of 3; target < {TARGET_SECONDS:.0f} s)"
    )
    return 0 if best < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
