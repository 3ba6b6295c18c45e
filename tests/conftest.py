"""Shared fixtures. Tests never sleep, never touch the real HOME and reach no org (npm tools
are installed once per machine into the real tools cache, as `stepforce check` does)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from stepforce.generator.check.tools import tools_dir

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
#: The per-user cache of the npm tools (offline checks, prettier), resolved with the real HOME
#: before any test swaps it: tools are installed there once per machine, never per test.
REAL_TOOLS_DIR = tools_dir(dict(os.environ), Path.home())
#: The Tooling API's ``executeAnonymous`` answer for Apex that compiled and ran (Tooling API
#: Developer Guide, "executeAnonymous").
ANONYMOUS_OK = {
    "line": -1,
    "column": -1,
    "compiled": True,
    "success": True,
    "compileProblem": None,
    "exceptionStackTrace": None,
    "exceptionMessage": None,
}


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("STEPFORCE_TOOLS_DIR", str(REAL_TOOLS_DIR))
    for var in ("SF_INSTANCE_URL", "SF_ACCESS_TOKEN", "SF_TARGET_ORG"):
        monkeypatch.delenv(var, raising=False)
