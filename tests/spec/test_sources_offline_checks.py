"""The Apex and Flow sources of the examples and of `stepforce init` pass the offline checks.

They are checked together with the runtime package, whose interfaces (StepforceStep,
StepforceStepContext) they implement. Slow: runs the real Java and Node tools.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from stepforce.generator.check import CheckStatus, run_checks, tools_dir
from stepforce.generator.scaffold import project_files, write_new_files
from tests.conftest import EXAMPLES, REPO

pytestmark = pytest.mark.slow
# Read before the autouse fixture points HOME at a temp dir: the tools cache is per user.
TOOLS = tools_dir(dict(os.environ), Path.home())
RUNTIME = REPO / "templates" / "force-app" / "main" / "default"


def _check(project: Path) -> None:
    shutil.copytree(RUNTIME, project / "force-app" / "main" / "default", dirs_exist_ok=True)
    report = run_checks(project, tools=TOOLS, offline=True, strict_format=True)
    if any(c.status is CheckStatus.SKIPPED for c in report.checks):
        pytest.skip(f"offline tools missing under {TOOLS}")
    assert report.errors == [], "\n".join(str(d) for d in report.errors)


def test_example_step_sources_pass(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "sfdx-project.json", tmp_path)
    shutil.copytree(EXAMPLES / "force-app", tmp_path / "force-app")
    _check(tmp_path)


def test_init_step_sources_pass(tmp_path: Path) -> None:
    write_new_files(tmp_path, project_files("checked"))
    _check(tmp_path)
