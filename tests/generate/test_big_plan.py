"""A 1,000-step orchestration is data: no plan class at all (a compiled plan once needed 16
part classes), one plan document far below a static resource's 5 MB, written the same way
every time; spec text stays data in the JSON, never Apex."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from stepforce.generator.generate import generate
from stepforce.generator.plan_document import current_resource
from tests.generate.conftest import spec_with_steps, write_spec

CLASSES = "force-app/main/default/classes"
RESOURCES = "force-app/main/default/staticresources"
#: A static resource holds up to 5 MB ("Access Static Resources", LWC Developer Guide).
STATIC_RESOURCE_BYTES = 5 * 1024 * 1024
LONGEST_NAME = "A" * 80  # the longest orchestration name (the Run's Orchestration__c)


def _plan_files(out: Path) -> set[str]:
    """Every file of the project that is a plan: compiled classes (none) and documents."""
    classes = {p.name for p in (out / CLASSES).glob("SfPlan*")}
    return classes | {p.name for p in (out / RESOURCES).glob("SfPlan*")}


def _document(out: Path, name: str) -> dict[str, object]:
    body = out / RESOURCES / f"{current_resource(name)}.resource"
    data = json.loads(body.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


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


def test_a_1000_step_spec_generates_one_document_and_no_plan_class(big_project: Path) -> None:
    assert list((big_project / CLASSES).glob("SfPlan*")) == []
    names = _plan_files(big_project)
    document = _document(big_project, "Long_Chain")
    version = f"SfPlanV_{document['version']}"
    current = current_resource("Long_Chain")
    assert names == {
        f"{current}.resource",
        f"{current}.resource-meta.xml",
        f"{version}.resource",
        f"{version}.resource-meta.xml",
    }
    steps = document["steps"]
    assert isinstance(steps, list)
    assert len(steps) == 1000
    size = (big_project / RESOURCES / f"{current}.resource").stat().st_size
    assert size < STATIC_RESOURCE_BYTES / 5
    package = (big_project / "manifest/package.xml").read_text(encoding="utf-8")
    for name in (current, version):
        assert f"<members>{name}</members>" in package
    assert "SfPlan_Long_Chain" not in package
    assert "SfPlanP_" not in package


def test_a_1000_step_spec_generates_the_same_bytes_twice(
    big_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STEPFORCE_FORMAT_CACHE", "off")
    spec = big_project.parent / "specs/chain.yaml"
    again = generate([spec], tmp_path / "again")
    assert again.report is not None
    names = _plan_files(big_project)
    assert names == _plan_files(tmp_path / "again")
    for name in names:
        first = (big_project / RESOURCES / name).read_bytes()
        assert first == (tmp_path / "again" / RESOURCES / name).read_bytes(), name


@pytest.mark.slow
def test_a_1000_step_project_passes_syntax_semantic_and_pmd_checks(big_project: Path) -> None:
    from stepforce.generator.check import run_checks

    report = run_checks(big_project, only={"syntax", "semantics", "pmd"})
    assert {c.name for c in report.checks} == {"syntax", "semantics", "pmd"}
    assert [str(d) for d in report.errors] == []
    assert [str(d) for d in report.diagnostics if "SfPlan" in d.location.file] == []


def test_the_longest_name_generates_valid_resource_names(tmp_path: Path) -> None:
    spec = write_spec(tmp_path / "specs", "long.yaml", spec_with_steps(LONGEST_NAME, 3))
    out = tmp_path / "out"
    generate([spec], out, source_dirs=[])
    assert _document(out, LONGEST_NAME)["orchestration"] == LONGEST_NAME
    assert max(len(name.split(".")[0]) for name in _plan_files(out)) <= 40


def test_regenerating_with_fewer_steps_replaces_the_document(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    spec = write_spec(specs, "chain.yaml", spec_with_steps("Chain", 301))
    out = tmp_path / "out"
    generate([spec], out, source_dirs=[])
    first = f"SfPlanV_{_document(out, 'Chain')['version']}"
    assert f"{first}.resource" in _plan_files(out)

    write_spec(specs, "chain.yaml", spec_with_steps("Chain", 155))
    shrunk = generate([spec], out, source_dirs=[])
    assert shrunk.report is not None
    # the previous version's plan document leaves the project, not the org: see
    # docs/engine.md, "Plan documents"
    assert sorted(p for p in shrunk.report.removed if p.startswith(RESOURCES)) == [
        f"{RESOURCES}/{first}.resource",
        f"{RESOURCES}/{first}.resource-meta.xml",
    ]
    assert f"{RESOURCES}/{current_resource('Chain')}.resource" in shrunk.report.changed
    steps = _document(out, "Chain")["steps"]
    assert isinstance(steps, list)
    assert len(steps) == 155
    assert not [p for p in shrunk.report.removed if p.startswith(CLASSES)]


def test_spec_text_stays_data_in_a_big_plan(tmp_path: Path) -> None:
    hostile = Path(__file__).parent / "hostile" / "quotes_and_sql.yaml"
    data = yaml.safe_load(hostile.read_text(encoding="utf-8"))
    payload = "'); delete [SELECT Id FROM Account]; //"
    data["steps"] += [
        {"name": f"More{n}", "apex": "HostileStep", "inputs": {"text": f"{payload} {n}"}}
        for n in range(150)
    ]
    spec = write_spec(tmp_path / "specs", "hostile.yaml", yaml.safe_dump(data))
    out = tmp_path / "out"
    generate([spec], out, source_dirs=[])
    for cls in (out / CLASSES).glob("*.cls"):
        assert payload not in cls.read_text(encoding="utf-8"), cls.name
    steps = _document(out, str(data["orchestration"]))["steps"]
    assert isinstance(steps, list)
    texts = [b.get("value") for step in steps for b in step["inputs"]]
    assert f"{payload} 149" in texts
