"""Plans of more than PART_SIZE steps are split into part classes that each fit Apex's
1,000,000-character limit; smaller plans stay one class and one test class."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml

from stepforce.generator.compile import compile_plan, part_class_prefix
from stepforce.generator.generate import generate
from stepforce.generator.plan_view import PART_SIZE
from stepforce.generator.project import MAX_CLASS_CHARS
from stepforce.generator.render import render_plan
from stepforce.generator.spec import load_spec_text
from tests.generate.apex_lexer import lex
from tests.generate.conftest import spec_with_steps, write_spec

CLASSES = "force-app/main/default/classes"
LONGEST_NAME = "A" * 27  # the longest orchestration name Apex class names allow


def _render(name: str, steps: int) -> dict[str, str]:
    return render_plan(compile_plan(load_spec_text(spec_with_steps(name, steps), "s.yaml")))


def _plan_files(out: Path) -> set[str]:
    return {p.name for p in (out / CLASSES).glob("SfPlan*.cls")}


def test_a_plan_of_part_size_steps_stays_one_class() -> None:
    files = _render("Chain", PART_SIZE)
    assert sorted(files) == ["SfPlan_Chain.cls", "SfPlan_Chain_Tests.cls"]
    assert "inputsOfStep149(state)" in files["SfPlan_Chain.cls"]


def test_one_step_more_splits_the_plan_into_named_parts() -> None:
    files = _render("Chain", PART_SIZE + 1)
    prefix = "SfPlanP_" + hashlib.sha256(b"Chain").hexdigest()[:8] + "_"
    assert part_class_prefix("Chain") == prefix
    assert sorted(files) == sorted(
        [
            "SfPlan_Chain.cls",
            "SfPlan_Chain_Tests.cls",
            f"{prefix}1.cls",
            f"{prefix}1_Tests.cls",
            f"{prefix}2.cls",
            f"{prefix}2_Tests.cls",
        ]
    )
    plan = files["SfPlan_Chain.cls"]
    assert "global with sharing class SfPlan_Chain extends StepforcePlan {" in plan
    assert f"return {prefix}2.resolveInputs(index, state);" in plan
    assert f"steps.addAll({prefix}1.steps());" in plan
    assert "inputsOfStep" not in plan  # the steps live in the parts
    second = files[f"{prefix}2.cls"]
    assert "private static Map<String, Object> inputsOfStep150(" in second
    assert "inputsOfStep149" not in second
    assert f"public with sharing class {prefix}2 {{" in second
    tests = files[f"{prefix}2_Tests.cls"]
    assert "new SfPlan_Chain().resolveInputs(150, state);" in tests  # through the plan


def test_part_names_fit_apex_for_the_longest_orchestration_name() -> None:
    files = _render(LONGEST_NAME, 1000)
    assert len(files) == 2 + 2 * 7  # 1,000 steps in parts of 150
    assert max(len(name.removesuffix(".cls")) for name in files) <= 40


@pytest.fixture(scope="module")
def big_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("big")
    spec = write_spec(root / "specs", "chain.yaml", spec_with_steps("Long_Chain", 1000))
    classes = root / "specs/force-app/main/default/classes"
    write_spec(
        classes,
        "ChainStep.cls",
        "public with sharing class ChainStep implements StepforceStep {\n"
        "  public Map<String, Object> execute(StepforceStepContext context) {\n"
        "    return new Map<String, Object>{ 'value' => context.inputs.get('value') };\n"
        "  }\n}\n",
    )
    write_spec(
        classes,
        "ChainStep.cls-meta.xml",
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">\n'
        "    <apiVersion>62.0</apiVersion>\n    <status>Active</status>\n</ApexClass>\n",
    )
    result = generate([spec], root / "out")
    assert result.diagnostics == []
    return root / "out"


def test_a_1000_step_spec_generates_classes_under_the_apex_limit(big_project: Path) -> None:
    names = _plan_files(big_project)
    assert len(names) == 2 + 2 * 7
    sizes = {p.name: len(p.read_text(encoding="utf-8")) for p in (big_project / CLASSES).iterdir()}
    assert max(sizes.values()) < MAX_CLASS_CHARS / 2
    package = (big_project / "manifest/package.xml").read_text(encoding="utf-8")
    for name in names:
        assert f"<members>{name.removesuffix('.cls')}</members>" in package
        assert (big_project / CLASSES / f"{name}-meta.xml").is_file()


def test_a_1000_step_spec_generates_the_same_bytes_twice(
    big_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STEPFORCE_FORMAT_CACHE", "off")  # prettier again, not its cached output
    spec = big_project.parent / "specs/chain.yaml"
    again = generate([spec], tmp_path / "again")
    assert again.report is not None
    for name in _plan_files(big_project):
        first = (big_project / CLASSES / name).read_bytes()
        assert first == (tmp_path / "again" / CLASSES / name).read_bytes(), name


@pytest.mark.slow
def test_a_1000_step_project_passes_syntax_semantic_and_pmd_checks(big_project: Path) -> None:
    from stepforce.generator.check import run_checks

    report = run_checks(big_project, only={"syntax", "semantics", "pmd"})
    assert {c.name for c in report.checks} == {"syntax", "semantics", "pmd"}
    assert [str(d) for d in report.errors] == []
    # not even a warning (e.g. a PMD size rule) on the generated plan classes
    assert [str(d) for d in report.diagnostics if "SfPlan" in d.location.file] == []


def test_regenerating_with_fewer_steps_removes_surplus_parts(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    spec = write_spec(specs, "chain.yaml", spec_with_steps("Chain", 2 * PART_SIZE + 1))
    out = tmp_path / "out"
    generate([spec], out, source_dirs=[])
    prefix = part_class_prefix("Chain")
    assert f"{prefix}3.cls" in _plan_files(out)

    write_spec(specs, "chain.yaml", spec_with_steps("Chain", PART_SIZE + 5))
    shrunk = generate([spec], out, source_dirs=[])
    assert shrunk.report is not None
    # (the previous version's plan document leaves the project, not the org: see
    # docs/engine.md, "Plan documents")
    assert sorted(p for p in shrunk.report.removed if p.startswith(CLASSES)) == [
        f"{CLASSES}/{prefix}3.cls",
        f"{CLASSES}/{prefix}3.cls-meta.xml",
        f"{CLASSES}/{prefix}3_Tests.cls",
        f"{CLASSES}/{prefix}3_Tests.cls-meta.xml",
    ]
    assert f"{CLASSES}/{prefix}2.cls" in shrunk.report.changed

    write_spec(specs, "chain.yaml", spec_with_steps("Chain", 3))
    generate([spec], out, source_dirs=[])
    assert _plan_files(out) == {"SfPlan_Chain.cls", "SfPlan_Chain_Tests.cls"}
    assert f"{prefix}1" not in (out / "manifest/package.xml").read_text(encoding="utf-8")


def test_spec_text_stays_inside_string_literals_in_split_plans(tmp_path: Path) -> None:
    hostile = Path(__file__).parent / "hostile" / "quotes_and_sql.yaml"
    data = yaml.safe_load(hostile.read_text(encoding="utf-8"))
    payload = "'); delete [SELECT Id FROM Account]; //"
    data["steps"] += [
        {"name": f"More{n}", "apex": "HostileStep", "inputs": {"text": f"{payload} {n}"}}
        for n in range(PART_SIZE)
    ]
    spec = write_spec(tmp_path / "specs", "hostile.yaml", yaml.safe_dump(data))
    generate([spec], tmp_path / "out", source_dirs=[])
    classes = sorted((tmp_path / "out" / CLASSES).glob("SfPlan*.cls"))
    assert len(classes) == 6
    strings: list[str] = []
    for cls in classes:
        lexed = lex(cls.read_text(encoding="utf-8"))
        outside = "".join(lexed.code + lexed.comments)
        assert "delete [SELECT" not in outside, cls.name
        assert "System.debug(" not in outside, cls.name
        strings += lexed.strings
    assert f"{payload} {PART_SIZE - 1}" in strings
    assert "\\'); System.debug('pwned'); //" in strings
