"""File storage a spilled run leaves behind, per step: a model, not a measurement.

Run from the repository root:  .venv/bin/python benchmarks/spill_storage.py [--every N]

Nothing here talks to an org. The figures are computed from the engine's own storage rules
(``StepforceContextStore`` and ``StepforceFinalizer``, docs/runtime.md "Large data"):

- a context or a Step Run's outputs longer than ``FIELD_LIMIT`` characters goes to a file;
- before issue 12, every change of a spilled context added a full ``ContentVersion`` to the
  run's one document, and Apex cannot delete a single version, so every version stayed;
- now every change writes a new document and deletes the previous one once the run names the
  new one, so one context file remains (two for a moment, inside the finalizer's transaction);
- spilled step outputs are history (the REST API returns each Step Run's outputs) and keep one
  file per Step Run in both rules.

The run modelled is the issue's case: a repeating step of 500 iterations over a context of about
1 MB, whose own outputs are small (a cursor), plus a second case whose outputs are 1 MB each.
File bytes are the UTF-8 length of the JSON, which is its character count for ASCII data.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass

FIELD_LIMIT = 131_072  # StepforceContextStore.FIELD_LIMIT (characters)
ITERATIONS = 500
CONTEXT_PAYLOAD = 1_000_000  # characters an earlier step left in the context
MB = 1_000_000


@dataclass(frozen=True)
class Step:
    """Bytes in file storage after one finalizer, under the old and the new rule."""

    number: int
    context_bytes: int
    old_total: int
    new_total: int


def _json_length(value: object) -> int:
    return len(json.dumps(value, separators=(",", ":")).encode("utf-8"))


def _context_length(iteration: int, outputs: dict[str, object]) -> int:
    """JSON length of the run's context; the 1 MB payload is counted, not built."""
    shape = {
        "inputs": {"since": "2026-11-01"},
        "steps": {"Load": {"blob": ""}, "Page": outputs},
        "_iteration": iteration,  # keeps each version distinct, as real outputs would
    }
    return _json_length(shape) + CONTEXT_PAYLOAD


def model(output_chars: int) -> list[Step]:
    """Storage after each of ITERATIONS hops of a repeating step whose outputs are
    `output_chars` long."""
    steps: list[Step] = []
    old_total = 0
    outputs_files = 0
    for iteration in range(1, ITERATIONS + 1):
        outputs: dict[str, object] = {"cursor": "c" * output_chars, "isDone": False}
        outputs_bytes = _json_length(outputs)
        if outputs_bytes > FIELD_LIMIT:
            outputs_files += outputs_bytes  # one file per Step Run, kept in both rules
        context_bytes = _context_length(iteration, outputs)
        spilled = context_bytes > FIELD_LIMIT
        if spilled:
            old_total += context_bytes  # a new version of the one document, never deleted
        new_context = context_bytes if spilled else 0  # the replaced document is deleted
        steps.append(
            Step(iteration, context_bytes, old_total + outputs_files, new_context + outputs_files)
        )
    return steps


def _print_case(title: str, steps: list[Step], every: int) -> None:
    print(title)
    print(f"{'step':>5} {'context bytes':>14} {'stored, old rule':>17} {'stored, new rule':>17}")
    for step in steps:
        if step.number in (1, 2, 3, ITERATIONS) or step.number % every == 0:
            print(
                f"{step.number:>5} {step.context_bytes:>14,} "
                f"{step.old_total:>17,} {step.new_total:>17,}"
            )
    last = steps[-1]
    print(
        f"after {ITERATIONS} steps: old rule {last.old_total / MB:,.1f} MB, "
        f"new rule {last.new_total / MB:,.1f} MB "
        f"({last.old_total / max(last.new_total, 1):,.0f}x less); "
        f"per step, new rule: {(last.new_total - steps[0].new_total) / (ITERATIONS - 1):,.0f} "
        "bytes added after the first\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=50, help="print every Nth step (default 50)")
    args = parser.parse_args()
    print("Model computed from the engine's storage rules (no org was measured).\n")
    _print_case("Case 1: 1 MB context, small outputs (a cursor)", model(20), args.every)
    _print_case("Case 2: 1 MB context, 1 MB outputs per iteration", model(MB), args.every)


if __name__ == "__main__":
    main()
