"""Who owns a checked file decides how its format findings count (no tools needed here)."""

from __future__ import annotations

from pathlib import Path

from stepforce.diagnostics import Diagnostic, Location, Severity
from stepforce.generator.check.ownership import (
    Ownership,
    grade_format,
    load_ownership,
    split_fixable,
)
from stepforce.generator.check.prettier import UNFORMATTED
from stepforce.generator.check.project import load_project
from stepforce.generator.generate import generate
from stepforce.generator.plan_document import current_resource
from stepforce.generator.scaffold import GENERATED_DIR, project_files, write_new_files

CLASSES = "force-app/main/default/classes"
#: A generated Apex file (plans are static resources now; the runtime is generated Apex).
PLAN = f"{CLASSES}/StepforceStarter.cls"
DOCUMENT = (
    f"force-app/main/default/staticresources/{current_resource('Example_Countdown')}.resource"
)
COPY = f"{CLASSES}/CountdownStep.cls"


def _generated_project(tmp_path: Path) -> Path:
    """`stepforce init` then `generate` of its example into the generated-output folder."""
    project = tmp_path / "acme"
    write_new_files(project, project_files("acme"))
    out = project / GENERATED_DIR
    generate([project / "orchestrations" / "example.yaml"], out)
    return out


def _unformatted(root: Path, relative: str) -> Diagnostic:
    return Diagnostic(Location(str(root / relative), 2), UNFORMATTED, source="prettier")


def test_the_manifest_tells_generated_files_from_copies_of_the_users_sources(
    tmp_path: Path,
) -> None:
    owners = load_ownership(_generated_project(tmp_path))
    assert owners.generated(PLAN)
    assert owners.generated(DOCUMENT)
    assert owners.generated(f"{CLASSES}/StepforceEngine.cls")
    assert owners.owns(COPY)
    assert not owners.generated(COPY)
    # Relative to the output, so the manifest does not depend on where the project lives.
    assert owners.copied[COPY] == f"../{COPY}"
    assert not owners.owns(f"{CLASSES}/Mine.cls")


def test_a_project_without_a_manifest_owns_nothing(tmp_path: Path) -> None:
    write_new_files(tmp_path, project_files("acme"))
    owners = load_ownership(tmp_path)
    assert owners == Ownership()
    project = load_project(tmp_path)
    fixable, left = split_fixable(project, owners)
    assert left == 0
    assert {p.name for p in fixable} == {"CountdownStep.cls", "CountdownStep_Tests.cls"}


def test_fix_format_may_rewrite_only_the_users_own_files(tmp_path: Path) -> None:
    out = _generated_project(tmp_path)
    mine = out / CLASSES / "Mine.cls"
    mine.write_text("public with sharing class Mine {}\n", encoding="utf-8")
    project = load_project(out)
    fixable, left = split_fixable(project, load_ownership(out))
    assert fixable == [mine]
    assert left == len(project.apex_files()) - 1


def test_only_generated_files_fail_on_format_unless_strict(tmp_path: Path) -> None:
    out = _generated_project(tmp_path)
    project, owners = load_project(out), load_ownership(out)
    mine = f"{CLASSES}/Mine.cls"
    jorje = Diagnostic(Location(str(out / mine), 3), "jorje rejects it: x.", source="prettier")
    found = [_unformatted(out, PLAN), _unformatted(out, COPY), _unformatted(out, mine), jorje]

    plan, copy, own, rejected = grade_format(found, project, owners, strict=False)
    assert plan.severity is Severity.ERROR
    assert "stepforce generate wrote this file" in plan.message
    assert "--fix-format` rewrites it" not in plan.message
    assert copy.severity is Severity.WARNING
    original = tmp_path / "acme" / COPY
    assert f"stepforce generate's copy of {original}: format that file" in copy.message
    assert own.severity is Severity.WARNING
    assert own.message.startswith(UNFORMATTED)
    assert "`--strict-format` makes it an error" in own.message
    assert rejected == jorje  # a file jorje cannot parse is an error wherever it is

    strict = grade_format(found, project, owners, strict=True)
    assert [d.severity for d in strict] == [Severity.ERROR] * 4
    assert strict[2].message == UNFORMATTED
