"""`stepforce check` on small projects, with the real Java and Node tools (slow, still in CI)."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from stepforce.cli.check_cmd import check
from stepforce.errors import StepforceError

pytestmark = pytest.mark.slow
CLASSES = "force-app/main/default/classes"
# Apex that builds a query from its argument; MARKER ends the line that runs it.
INJECTION = """public with sharing class Finder {
  public static List<Widget__c> named(String name) {
    String soql = 'SELECT Id FROM Widget__c WHERE Name = \\'' + name + '\\'';
    return Database.query(soql); MARKER
  }
}
"""


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str


def run_check(*args: str) -> Outcome:
    """Invoke the command; a stepforce error becomes its exit code, as main() does."""
    result = CliRunner().invoke(check, list(args))
    error = result.exception
    if isinstance(error, StepforceError):
        return Outcome(error.exit_code, result.stdout, result.stderr + f"error: {error}")
    if error is not None and not isinstance(error, SystemExit):
        raise error
    return Outcome(result.exit_code, result.stdout, result.stderr)


def add_class(project: Path, name: str, body: str) -> str:
    """Write a class and its meta file; returns the class path as the checker prints it."""
    (project / CLASSES / f"{name}.cls").write_text(body, encoding="utf-8")
    meta = project / CLASSES / "WidgetService.cls-meta.xml"
    shutil.copy(meta, project / CLASSES / f"{name}.cls-meta.xml")
    return f"{project}/{CLASSES}/{name}.cls"


def test_a_clean_project_passes_every_check(tools_env: Path, clean_copy: Path) -> None:
    outcome = run_check(str(clean_copy), "--json")
    report = json.loads(outcome.stdout)
    assert outcome.code == 0, outcome.stderr
    assert report["ok"] is True
    assert [(c["name"], c["status"]) for c in report["checks"]] == [
        ("schema", "passed"),
        ("syntax", "passed"),
        ("semantics", "passed"),
        ("pmd", "passed"),
        ("format", "passed"),
        ("rules", "passed"),
    ]
    assert report["problems"] == []
    assert all(c["files"] > 0 for c in report["checks"])
    assert "semantics: 2 file(s), 0 error(s)" in outcome.stderr


def test_a_syntax_error_fails_with_its_line(tools_env: Path, clean_copy: Path) -> None:
    method = "  public Integer half(Integer v) {\n    return v / ;\n  }\n"
    path = add_class(clean_copy, "Half", f"public with sharing class Half {{\n{method}}}\n")
    outcome = run_check(str(clean_copy), "--only", "syntax")
    assert outcome.code == 1
    assert f"{path}:3:16: apex-parser: mismatched input ';'" in outcome.stderr
    assert "error: 1 problem(s) found by the offline checks" in outcome.stderr


def test_an_unknown_variable_fails_in_apex_ls(tools_env: Path, clean_copy: Path) -> None:
    method = "  public Integer total() {\n    return counter + 1;\n  }\n"
    path = add_class(clean_copy, "Total", f"public with sharing class Total {{\n{method}}}\n")
    outcome = run_check(str(clean_copy), "--only", "semantics")
    assert outcome.code == 1
    assert (
        f"{path}:3:12: apex-ls/Missing: No variable or type found for 'counter' on 'Total'"
        in outcome.stderr
    )


def test_soql_injection_fails_in_pmd(tools_env: Path, clean_copy: Path) -> None:
    path = add_class(clean_copy, "Finder", INJECTION.replace("MARKER", ""))
    outcome = run_check(str(clean_copy), "--only", "pmd", "--json")
    assert outcome.code == 1
    problems = json.loads(outcome.stdout)["problems"]
    injection = [p for p in problems if p["source"] == "pmd/ApexSOQLInjection"]
    assert [(p["file"], p["line"], p["severity"]) for p in injection] == [(path, 4, "error")]


def test_an_unformatted_class_fails_and_fix_format_repairs_it(
    tools_env: Path, clean_copy: Path
) -> None:
    body = "public with sharing class Ugly {\n  public Integer one() { return 1; }\n}\n"
    path = add_class(clean_copy, "Ugly", body)
    outcome = run_check(str(clean_copy), "--only", "format")
    assert outcome.code == 1
    assert f"{path}:2: prettier: not formatted" in outcome.stderr
    fixed = run_check(str(clean_copy), "--only", "format", "--fix-format")
    assert fixed.code == 0, fixed.stderr
    assert "public Integer one() {\n    return 1;\n  }" in Path(path).read_text(encoding="utf-8")


def test_a_bad_field_type_fails_the_schema_check(tools_env: Path, clean_copy: Path) -> None:
    field = clean_copy / "force-app/main/default/objects/Widget__c/fields/Size__c.field-meta.xml"
    field.write_text(field.read_text().replace("<type>Number</type>", "<type>Txet</type>"))
    outcome = run_check(str(clean_copy), "--only", "schema")
    assert outcome.code == 1
    assert f"{field}:9: schema: <type>: 'Txet' is not an allowed value" in outcome.stderr


def test_offline_with_tools_missing_warns_and_skips(tmp_path: Path, clean_copy: Path) -> None:
    empty = tmp_path / "no-tools"
    env = {"STEPFORCE_TOOLS_DIR": str(empty)}
    result = CliRunner(env=env).invoke(check, [str(clean_copy), "--offline", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    statuses = {c["name"]: c["status"] for c in report["checks"]}
    assert statuses == {
        "schema": "passed",
        "syntax": "skipped",
        "semantics": "skipped",
        "pmd": "skipped",
        "format": "skipped",
        "rules": "passed",
    }
    warnings = [p["message"] for p in report["problems"]]
    assert all(p["severity"] == "warning" for p in report["problems"])
    assert any(
        m.startswith(f"syntax check skipped (--offline): not installed in {empty}")
        for m in warnings
    )
    assert not empty.exists()


def test_missing_java_is_a_clear_usage_error(
    tools_env: Path, clean_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    node = shutil.which("node")
    assert node is not None
    only_node = tmp_path / "bin"
    only_node.mkdir()
    os.symlink(node, only_node / "node")
    monkeypatch.setenv("PATH", str(only_node))
    outcome = run_check(str(clean_copy), "--only", "syntax,pmd")
    assert outcome.code == 2
    assert "no `java` on PATH (Java 17+ is needed)" in outcome.stderr
    assert "--offline" in outcome.stderr


def test_a_directory_without_sfdx_project_is_a_usage_error(tmp_path: Path) -> None:
    outcome = run_check(str(tmp_path))
    assert outcome.code == 2
    assert f"{tmp_path} is not an sfdx project: no sfdx-project.json in it" in outcome.stderr


def test_an_unknown_check_name_is_refused() -> None:
    outcome = run_check(".", "--only", "schema,lint")
    assert outcome.code == 2
    assert "unknown check lint" in outcome.stderr


@pytest.mark.parametrize(
    ("marker", "code"),
    [("// NOPMD - the name comes from a fixed picklist", 0), ("// NOPMD", 1)],
)
def test_a_reasoned_nopmd_silences_pmd_and_a_bare_one_fails(
    tools_env: Path, clean_copy: Path, marker: str, code: int
) -> None:
    path = add_class(clean_copy, "Finder", INJECTION.replace("MARKER", marker))
    outcome = run_check(str(clean_copy), "--only", "pmd")
    assert outcome.code == code, outcome.stderr
    assert "pmd/ApexSOQLInjection" not in outcome.stderr
    assert (f"{path}:4: pmd/Suppression: NOPMD without a reason" in outcome.stderr) == bool(code)
