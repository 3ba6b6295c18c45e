"""Each tool's output, captured from real runs on fixtures/broken_project, into Diagnostics."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from stepforce.diagnostics import Severity
from stepforce.generator.check.apex_ls import parse_apex_ls_output
from stepforce.generator.check.apex_syntax import parse_syntax_output, shorten_expecting
from stepforce.generator.check.pmd import build_request, parse_pmd_output
from stepforce.generator.check.prettier import UNFORMATTED, parse_format_output
from stepforce.generator.check.tools import ToolRunError
from tests.check.conftest import read_output

Display = Callable[[str], str]
BROKEN = "force-app/main/default/classes/Broken.cls"
TRIGGER = "force-app/main/default/triggers/WidgetTrigger.trigger"


def test_syntax_errors_are_located_one_based_with_short_messages(
    captured_display: Display,
) -> None:
    found = parse_syntax_output(read_output("apex_syntax.json"), captured_display)
    broken = [d for d in found if d.location.file == BROKEN]
    assert [(d.location.line, d.location.col) for d in broken] == [(3, 30)]
    assert broken[0].source == "apex-parser"
    assert broken[0].is_error
    assert broken[0].message.startswith("mismatched input ';' expecting one of ")
    assert "'after'" not in broken[0].message
    trigger = [d for d in found if d.location.file == TRIGGER]
    assert trigger[0].location.line == 2
    assert "token recognition error" in trigger[0].message
    assert all("\n" not in d.message for d in found)


def test_short_expecting_lists_are_kept() -> None:
    assert shorten_expecting("mismatched input '<EOF>' expecting ';'") == (
        "mismatched input '<EOF>' expecting ';'"
    )
    assert shorten_expecting("x expecting {'a', 'b'}") == "x expecting {'a', 'b'}"


def test_apex_ls_fails_on_syntax_error_missing_and_keeps_position(
    captured_display: Display,
) -> None:
    found = parse_apex_ls_output(read_output("apex_ls.json"), captured_display)
    by_source = {(d.location.file, d.source): d for d in found}
    unknown = by_source[("force-app/main/default/classes/Unknown.cls", "apex-ls/Missing")]
    assert (unknown.location.line, unknown.location.col) == (3, 12)
    assert "missingCounter" in unknown.message
    field = "force-app/main/default/objects/Widget__c/fields/Size__c.field-meta.xml"
    assert "Nubmer" in by_source[(field, "apex-ls/Error")].message
    assert by_source[(BROKEN, "apex-ls/Syntax")].is_error
    assert all(d.is_error for d in found)


def test_apex_ls_categories_other_than_errors_only_warn(captured_display: Display) -> None:
    found = parse_apex_ls_output(read_output("apex_ls_unused.json"), captured_display)
    unused = [d for d in found if d.source == "apex-ls/Unused"]
    assert {d.message for d in unused} == {"Unused class 'Injection'", "Unused class 'Ugly'"}
    assert all(d.severity is Severity.WARNING for d in unused)
    assert any(d.is_error for d in found if d.source == "apex-ls/Missing")


def test_apex_ls_output_that_is_not_json_is_a_tool_failure(captured_display: Display) -> None:
    with pytest.raises(ToolRunError, match="not JSON"):
        parse_apex_ls_output('{ "files": [ {', captured_display)
    with pytest.raises(ToolRunError, match="'files'"):
        parse_apex_ls_output("{}", captured_display)


def test_pmd_security_and_performance_rules_are_errors_others_warn(
    captured_display: Display,
) -> None:
    found = parse_pmd_output(json.loads(read_output("pmd_results.json")), captured_display)
    rules = {(d.source, d.location.line): d.severity for d in found}
    assert rules[("pmd/ApexSOQLInjection", 4)] is Severity.ERROR
    assert rules[("pmd/ApexCRUDViolation", 6)] is Severity.ERROR
    assert rules[("pmd/OperationWithLimitsInLoop", 6)] is Severity.ERROR
    assert rules[("pmd/QueueableWithoutFinalizer", 2)] is Severity.WARNING
    assert rules[("pmd/EmptyCatchBlock", 5)] is Severity.WARNING
    injection = next(d for d in found if d.source == "pmd/ApexSOQLInjection")
    assert injection.location.file == "force-app/main/default/classes/Injection.cls"


def test_pmd_processing_errors_are_errors_at_the_parse_position(
    captured_display: Display,
) -> None:
    found = parse_pmd_output(json.loads(read_output("pmd_results.json")), captured_display)
    failed = [d for d in found if d.source == "pmd/ProcessingError"]
    assert {d.location.file for d in failed} == {BROKEN, TRIGGER}
    broken = next(d for d in failed if d.location.file == BROKEN)
    assert (broken.location.line, broken.location.col) == (3, 30)
    assert broken.is_error
    assert "\n" not in broken.message
    assert len(broken.message) < 200


def test_pmd_request_names_ruleset_and_absolute_files() -> None:
    ruleset = Path("/rules.xml")
    request = build_request(ruleset, [Path("a/B.cls")])
    files = request["runDataPerLanguage"]["apex"]["filesToScan"]
    assert request["ruleSetInputFile"] == "/rules.xml"
    assert Path(files[0]).is_absolute()
    assert files[0].endswith("a/B.cls")


def test_format_reports_unformatted_line_and_jorje_errors(captured_display: Display) -> None:
    found = parse_format_output(read_output("apex_format.json"), captured_display)
    by_file = {d.location.file: d for d in found}
    ugly = by_file["force-app/main/default/classes/Ugly.cls"]
    assert (ugly.location.line, ugly.message, ugly.source) == (2, UNFORMATTED, "prettier")
    assert "Unexpected token ';'" in by_file[BROKEN].message
    assert "Illegal string literal" in by_file[TRIGGER].message
    assert not by_file[BROKEN].message.endswith("..")
    assert all(d.is_error for d in found)


def test_format_output_that_is_not_a_list_is_a_tool_failure(captured_display: Display) -> None:
    with pytest.raises(ToolRunError, match="not a list"):
        parse_format_output('{"file": "x"}', captured_display)
