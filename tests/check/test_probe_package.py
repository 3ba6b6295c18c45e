"""The doctor's probe package (generated probe project + StepforceProbe* steps + the Flow +
the My Domain Remote Site Setting) passes every offline check, as a user's project must."""

from __future__ import annotations

from pathlib import Path

import pytest

from stepforce.generator.check import run_checks
from stepforce.runtime_client.doctor.package import build_probe_package

pytestmark = pytest.mark.slow


def test_the_probe_package_has_no_offline_check_errors(real_tools: Path, tmp_path: Path) -> None:
    probe = build_probe_package(tmp_path, "https://acme-dev-ed.develop.my.salesforce.com")
    report = run_checks(probe.project, tools=real_tools, strict_format=True)
    errors = "\n".join(str(d) for d in report.errors)
    assert not report.errors, f"{len(report.errors)} error(s) in the probe package:\n{errors}"
