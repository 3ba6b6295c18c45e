"""Fixtures for the offline-check tests.

The shared conftest points HOME at a temp dir for every test, so the real tools cache is
resolved here, at import time, with the same function the CLI uses and the real HOME and
environment. A session fixture installs the tools there when absent (once per machine), and
tests that run the tools point ``STEPFORCE_TOOLS_DIR`` at it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from stepforce.generator.check.toolbox import packages_for
from stepforce.generator.check.tools import install_packages, missing_packages, tools_dir

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CLEAN_PROJECT = FIXTURES / "clean_project"
BROKEN_PROJECT = FIXTURES / "broken_project"
OUTPUTS = FIXTURES / "outputs"
#: Paths inside the captured outputs start here (see fixtures/outputs/capture.sh).
CAPTURED_ROOT = "/tmp/stepforce-broken"

REAL_TOOLS_DIR = tools_dir(dict(os.environ), Path.home())
ALL_CHECKS = ("syntax", "semantics", "pmd", "format")


@pytest.fixture(scope="session")
def real_tools() -> Path:
    """The per-user tools cache with every pinned package installed (installs if absent)."""
    wanted = sorted({p for check in ALL_CHECKS for p in packages_for(check)})
    missing = missing_packages(REAL_TOOLS_DIR, wanted)
    if missing:
        install_packages(REAL_TOOLS_DIR, missing)
    return REAL_TOOLS_DIR


@pytest.fixture
def tools_env(real_tools: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make the CLI (which reads the environment) use the real tools cache."""
    monkeypatch.setenv("STEPFORCE_TOOLS_DIR", str(real_tools))
    return real_tools


@pytest.fixture
def clean_copy(tmp_path: Path) -> Path:
    """A writable copy of the clean fixture project."""
    target = tmp_path / "project"
    shutil.copytree(CLEAN_PROJECT, target)
    return target


@pytest.fixture
def captured_display() -> Callable[[str], str]:
    """Maps the absolute paths inside captured outputs to project-relative ones."""

    def display(path: str) -> str:
        return path.removeprefix(CAPTURED_ROOT + "/")

    return display


def read_output(name: str) -> str:
    return (OUTPUTS / name).read_text(encoding="utf-8")
