"""The CI gate: the Apex runtime package under templates/ passes every offline check."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from stepforce.generator.check import CheckStatus, run_checks

pytestmark = pytest.mark.slow
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# The budget is ~60 s; the bound leaves room for a slow CI machine.
MAX_SECONDS = 120.0


def test_the_runtime_package_has_no_offline_check_errors(real_tools: Path) -> None:
    started = time.perf_counter()
    # The runtime ships as generated code: its layout must be prettier's, as an error.
    report = run_checks(TEMPLATES, tools=real_tools, strict_format=True)
    elapsed = time.perf_counter() - started
    errors = "\n".join(str(d) for d in report.errors)
    assert not report.errors, f"{len(report.errors)} error(s) in the runtime package:\n{errors}"
    assert all(c.status is CheckStatus.PASSED for c in report.checks), report.checks
    assert elapsed < MAX_SECONDS, f"the checks took {elapsed:.1f} s: {report.timings}"
