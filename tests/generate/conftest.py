"""Fixtures for the generator tests: spec text builders and the real tools directory."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from stepforce.generator.check.tools import tools_dir

# Resolved at import, before the shared autouse fixture points HOME at a temp dir, so the
# prettier installed for this user still formats generated Apex inside tests.
_REAL_TOOLS = tools_dir()

SMALL_SPEC = """\
orchestration: Small_Sync
description: A small orchestration for golden tests.
inputs:
  since: {type: Date, required: true}
  pageSize: {type: Number, default: 200}
  owner: {type: Id}
steps:
  - name: Fetch
    apex: SmallFetcher
    callouts: true
    inputs:
      since: $input.since
      cursor: $self.cursor
      owner: $input.owner
    outputs: {cursor: Text, total: Number, isDone: Boolean, seenAt: DateTime}
    repeat: {until: isDone, max_iterations: 50}
    retry: {attempts: 3, delay_minutes: [1, 5]}
  - name: Report
    flow: Small_Report
    inputs:
      total: $steps.Fetch.total
      asText: {value: $input.owner, type: Text}
      startedOn: {value: $input.since, type: DateTime}
      rate: 12.5
      count: 7
      flag: true
      day: {value: "2026-03-04", type: Date}
      at: {value: "2026-03-04T05:06:07Z", type: DateTime}
      who: {value: "005000000000001AAA", type: Id}
      tags: {value: [a, b], type: List<Text>}
      nothing: null
      label: "It's \\\\ here"
"""


@pytest.fixture(autouse=True)
def _tools(monkeypatch: pytest.MonkeyPatch) -> None:
    if _REAL_TOOLS.is_dir():
        monkeypatch.setenv("STEPFORCE_TOOLS_DIR", str(_REAL_TOOLS))


def write_spec(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def spec_with_steps(name: str, count: int) -> str:
    """A valid spec of ``count`` Apex steps chained through their outputs."""
    lines = [f"orchestration: {name}", "inputs:", "  start: {type: Number, default: 1}", "steps:"]
    for index in range(count):
        source = "$input.start" if index == 0 else f"$steps.S{index - 1}.value"
        lines += [
            f"  - name: S{index}",
            "    apex: ChainStep",
            f"    inputs: {{value: {source}, label: 'step {index}'}}",
            "    outputs: {value: Number}",
        ]
    return "\n".join(lines) + "\n"
