"""run_checks when a tool breaks: the check fails with the tool's words, nothing crashes."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from stepforce.generator.check import CheckStatus, run_checks
from stepforce.generator.check.tools import pinned_packages

# Answers the version probe like Node 20, then fails the way a broken install would.
BROKEN_NODE = """#!/bin/sh
if [ "$1" = "--version" ]; then echo v20.1.0; exit 0; fi
echo "Error: Cannot find module 'antlr4'" >&2
exit 3
"""


def _fake_tools(root: Path) -> Path:
    for name, version in pinned_packages().items():
        package = root / "node_modules" / name
        package.mkdir(parents=True)
        (package / "package.json").write_text(json.dumps({"version": version}))
    return root


def test_a_tool_that_crashes_fails_its_check_with_its_message(
    clean_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    node = bin_dir / "node"
    node.write_text(BROKEN_NODE)
    node.chmod(node.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(bin_dir))
    progress: list[str] = []
    report = run_checks(
        clean_copy,
        only={"schema", "syntax"},
        tools=_fake_tools(tmp_path / "tools"),
        progress=progress.append,
    )
    statuses = {c.name: c.status for c in report.checks}
    assert statuses == {"schema": CheckStatus.PASSED, "syntax": CheckStatus.FAILED}
    assert not report.ok
    [problem] = report.errors
    assert problem.source == "apex-parser"
    assert problem.location.file == str(clean_copy)
    assert "the syntax check could not run: apex-parser script failed (exit 3)" in problem.message
    assert "Cannot find module 'antlr4'" in problem.message
    assert [line.split(":")[0] for line in progress] == ["schema", "syntax"]
