"""Count the calls ``run status`` / ``watch`` / ``logs`` / ``run list --all`` make against the
runtime's paged REST answers (mocked org, the real client).

Run from the repository root:  .venv/bin/python benchmarks/rest_paging.py

The fake org cuts pages by the rule of ``StepforceRuns.getRunPage`` (a model of the Apex, not a
measurement in an org): the run itself counts 1,000 characters plus its inputs, error and
context on the first page; each step run 600 plus its error and, with io, its inputs and
outputs; a page ends before the step that would pass ``STEP_BUDGET`` (1,000,000 characters),
but always holds at least one step. Lists come in pages of 200 runs following ``nextCursor``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import requests
import responses

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stepforce.runtime_client.auth import OrgConnection
from stepforce.runtime_client.client import StepforceClient
from tests.client.conftest import APEX, INSTANCE, RUN_ID, TOKEN, FakeClock, run_json, step_json

STEP_BUDGET = 1_000_000  # StepforceRestResource.STEP_BUDGET
STEP_FIXED = 600
RUN_FIXED = 1000


def _size(text: Any) -> int:
    return 0 if text is None else len(json.dumps(text))


class PagedRun:
    """A run of ``count`` step runs whose inputs and outputs hold ``size`` characters each."""

    def __init__(self, count: int, size: int) -> None:
        blob = "x" * max(0, size - 11)
        self.steps = [
            {
                **step_json("Repeat", 0, iteration=i + 1),
                "inputs": {"blob": blob},
                "outputs": {"b": blob},
            }
            for i in range(count)
        ]
        self.calls = 0
        self.largest = 0

    def answer(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        self.calls += 1
        query = parse_qs(urlparse(str(request.url)).query)
        io = query.get("io", ["true"])[0] != "false"
        first = int(query.get("stepsAfter", ["0"])[0])
        run = run_json("Succeeded", [], finished_after=10.0)
        used = RUN_FIXED + _size(run["inputs"]) + _size(run["context"]) if first == 0 else 0
        if first:
            run["context"] = None
        page: list[dict[str, Any]] = []
        at = first
        while at < len(self.steps):
            step = dict(self.steps[at])
            cost = STEP_FIXED + _size(step["error"])
            if io:
                cost += _size(step["inputs"]) + _size(step["outputs"])
            else:
                step["inputs"] = step["outputs"] = None
            if page and used + cost > STEP_BUDGET:
                break
            used += cost
            page.append(step)
            at += 1
        following = at < len(self.steps)
        run.update(
            steps=page,
            stepsTotal=len(self.steps),
            stepsNext=str(at) if following else None,
            stepsTruncated=following,
            stepsIo=io,
        )
        body = json.dumps(run)
        self.largest = max(self.largest, len(body))
        return 200, {}, body


def count_get_run(count: int, size: int, *, io: bool) -> tuple[int, int]:
    fake = PagedRun(count, size)
    with responses.RequestsMock() as mock:
        mock.add_callback(
            responses.GET, re.compile(re.escape(f"{APEX}/{RUN_ID}") + r"(\?.*)?$"), fake.answer
        )
        client = StepforceClient(
            OrgConnection(INSTANCE, TOKEN, "67.0", "benchmark"), clock=FakeClock()
        )
        run = client.get_run(RUN_ID, io=io)
    assert len(run.steps) == count
    return fake.calls, fake.largest


def count_list_all(total: int) -> int:
    calls = 0

    def answer(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        nonlocal calls
        calls += 1
        query = parse_qs(urlparse(str(request.url)).query)
        start = int(query.get("after", ["0"])[0])
        size = int(query["limit"][0])
        end = min(total, start + size)
        runs = [
            run_json("Failed", with_steps=False, run_id=f"a01{i:015d}") for i in range(start, end)
        ]
        cursor = str(end) if end < total else None
        return (
            200,
            {},
            json.dumps(
                {"runs": runs, "total": total, "nextCursor": cursor, "previousCursor": None}
            ),
        )

    with responses.RequestsMock() as mock:
        mock.add_callback(responses.GET, re.compile(re.escape(APEX) + r"\?.*$"), answer)
        client = StepforceClient(
            OrgConnection(INSTANCE, TOKEN, "67.0", "benchmark"), clock=FakeClock()
        )
        page = client.collect_runs(limit=None)
    assert len(page.runs) == total
    return calls


def main() -> None:
    cases = [
        ("typical run: 10 steps, 2 KB in + out each", 10, 2_000),
        ("500 iterations, 100 KB inputs + 100 KB outputs each", 500, 100_000),
        ("2,000 step runs, 10 KB in + out each", 2_000, 10_000),
    ]
    for name, count, size in cases:
        full, largest = count_get_run(count, size, io=True)
        summary, small = count_get_run(count, size, io=False)
        print(
            f"{name}: logs / status --json {full} call(s) (largest answer {largest / 1e6:.2f} MB); "
            f"status / watch poll {summary} call(s) ({small / 1e6:.2f} MB)"
        )
    for total in (2_450, 10_000):
        print(f"run list --all of {total:,} runs: {count_list_all(total)} call(s)")


if __name__ == "__main__":
    main()
