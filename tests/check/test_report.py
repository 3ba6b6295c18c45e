"""The report's JSON shape, --only parsing and reading sfdx-project.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stepforce.diagnostics import Diagnostic, Location, Severity
from stepforce.errors import UsageError
from stepforce.generator.check import CheckReport, CheckResult, CheckStatus, parse_only
from stepforce.generator.check.project import load_project
from tests.check.conftest import CLEAN_PROJECT

WARNING = Diagnostic(Location("a.cls", 2), "unused", severity=Severity.WARNING, source="pmd/X")
ERROR = Diagnostic(Location("b.cls", 3, 4), "unknown", source="apex-ls/Missing")


def test_warnings_alone_keep_the_report_ok() -> None:
    checks = (CheckResult("pmd", CheckStatus.PASSED, 1.23456, 2),)
    assert CheckReport(checks, (WARNING,)).ok
    assert not CheckReport(checks, (WARNING, ERROR)).ok
    assert CheckReport(checks, (WARNING, ERROR)).errors == [ERROR]


def test_report_json_has_ok_checks_and_problems() -> None:
    checks = (
        CheckResult("schema", CheckStatus.FAILED, 0.25, 7),
        CheckResult("format", CheckStatus.SKIPPED, 0.0, 0, "no `node` on PATH"),
    )
    data = json.loads(json.dumps(CheckReport(checks, (ERROR,)).to_json()))
    assert data["ok"] is False
    assert data["checks"][0] == {
        "name": "schema",
        "status": "failed",
        "seconds": 0.25,
        "files": 7,
        "note": "",
    }
    assert data["checks"][1]["note"] == "no `node` on PATH"
    assert data["problems"][0]["source"] == "apex-ls/Missing"
    assert (data["problems"][0]["line"], data["problems"][0]["col"]) == (3, 4)
    assert CheckReport(checks).timings == {"schema": 0.25, "format": 0.0}


def test_only_is_parsed_and_checked() -> None:
    assert parse_only(" schema, pmd ") == {"schema", "pmd"}
    assert parse_only(None) is None
    with pytest.raises(ValueError, match="unknown check lint"):
        parse_only("schema,lint")


def test_a_project_lists_its_metadata_and_apex_files() -> None:
    project = load_project(CLEAN_PROJECT)
    apex = sorted(p.name for p in project.apex_files())
    assert apex == ["WidgetService.cls", "WidgetService_Tests.cls"]
    assert len(project.metadata_files()) == 6
    shown = project.display(project.apex_files()[0])
    assert shown.startswith(str(CLEAN_PROJECT / "force-app"))


def test_a_project_without_package_directories_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "sfdx-project.json").write_text('{"packageDirectories": []}')
    with pytest.raises(UsageError, match="packageDirectories is missing or empty"):
        load_project(tmp_path)
    (tmp_path / "sfdx-project.json").write_text('{"packageDirectories": [{"path": "nope"}]}')
    with pytest.raises(UsageError, match="package directory 'nope' does not exist"):
        load_project(tmp_path)
    (tmp_path / "sfdx-project.json").write_text("{not json")
    with pytest.raises(UsageError, match="cannot read it as JSON"):
        load_project(tmp_path)
