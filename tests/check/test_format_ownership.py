"""`check` and `--fix-format` on generate's output, with the real prettier (slow).

Generated files must be prettier's layout (errors); the user's code and generate's copies of
it only warn; `--fix-format` never edits a file generate owns, so generate runs again cleanly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stepforce.generator.generate import generate
from stepforce.generator.scaffold import GENERATED_DIR, project_files, write_new_files
from tests.check.test_end_to_end import run_check

pytestmark = pytest.mark.slow
CLASSES = "force-app/main/default/classes"
UGLY = "public   Map<String, Object> execute("  # valid Apex, not prettier's layout


def _project_with_an_unformatted_step(tmp_path: Path) -> tuple[Path, Path]:
    """`init`'s project whose step class the user left unformatted; returns (spec, out)."""
    project = tmp_path / "acme"
    write_new_files(project, project_files("acme"))
    step = project / CLASSES / "CountdownStep.cls"
    text = step.read_text(encoding="utf-8")
    step.write_text(text.replace("public Map<String, Object> execute(", UGLY), encoding="utf-8")
    return project / "orchestrations" / "example.yaml", project / GENERATED_DIR


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_generate_fix_format_generate_refuses_nothing_and_changes_nothing(
    tools_env: Path, tmp_path: Path
) -> None:
    spec, out = _project_with_an_unformatted_step(tmp_path)
    generate([spec], out)
    before = _tree(out)
    assert UGLY in before[f"{CLASSES}/CountdownStep.cls"].decode()  # the copy is as the user's

    fixed = run_check(str(out), "--only", "format", "--fix-format")

    assert fixed.code == 0, fixed.stderr
    assert "format: rewrote 0 Apex file(s)" in fixed.stderr
    assert "left the" in fixed.stderr
    original = tmp_path / "acme" / CLASSES / "CountdownStep.cls"
    assert "warning: prettier: not formatted the way prettier-plugin-apex" in fixed.stderr
    assert f"stepforce generate's copy of {original}: format that file" in fixed.stderr
    assert _tree(out) == before
    again = generate([spec], out)
    assert again.report is not None
    assert again.report.created == again.report.changed == again.report.removed == []
    assert _tree(out) == before


def test_unformatted_generated_code_fails_and_the_users_own_class_warns(
    tools_env: Path, tmp_path: Path
) -> None:
    spec, out = _project_with_an_unformatted_step(tmp_path)
    generate([spec], out)
    # A runtime class: plans are data now, so the runtime is the Apex generate writes.
    generated = out / CLASSES / "StepforceEngine.cls"
    original = "public with sharing class StepforceEngine implements"
    edited = "public   with sharing class StepforceEngine implements"
    text = generated.read_text(encoding="utf-8")
    assert original in text
    generated.write_text(text.replace(original, edited))
    mine = out / CLASSES / "Mine.cls"
    mine.write_text("public with sharing class Mine {  }\n", encoding="utf-8")
    (out / CLASSES / "Mine.cls-meta.xml").write_bytes(
        (out / CLASSES / "CountdownStep.cls-meta.xml").read_bytes()
    )

    outcome = run_check(str(out), "--only", "format")
    assert outcome.code == 1
    assert f"{generated}:" in outcome.stderr
    assert "stepforce generate wrote this file" in outcome.stderr
    assert f"{mine}:1: warning: prettier: not formatted" in outcome.stderr

    fixed = run_check(str(out), "--only", "format", "--fix-format")
    assert "format: rewrote 1 Apex file(s)" in fixed.stderr
    assert mine.read_text(encoding="utf-8") == "public with sharing class Mine {\n}\n"
    assert edited in generated.read_text(encoding="utf-8")  # left as it was
    assert fixed.code == 1  # the edited generated file still fails: regenerate it

    strict = run_check(str(out), "--only", "format", "--strict-format")
    assert f"{out / CLASSES / 'CountdownStep.cls'}:" in strict.stderr
    assert "warning: prettier" not in strict.stderr
