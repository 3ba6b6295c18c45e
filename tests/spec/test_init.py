from __future__ import annotations

import json
from pathlib import Path

import pytest

from stepforce.errors import UsageError
from stepforce.generator.scaffold import project_files, project_name, write_new_files
from stepforce.generator.spec import load_spec

EXPECTED = {
    ".gitignore",
    "cumulusci.yml",
    "sfdx-project.json",
    "orchestrations/example.yaml",
    "fixtures/example.yaml",
    "force-app/main/default/classes/CountdownStep.cls",
    "force-app/main/default/classes/CountdownStep.cls-meta.xml",
    "force-app/main/default/classes/CountdownStep_Tests.cls",
    "force-app/main/default/classes/CountdownStep_Tests.cls-meta.xml",
}


def test_project_files_are_complete_and_named(tmp_path: Path) -> None:
    files = project_files("my-proj")
    assert {str(f.path) for f in files} >= EXPECTED
    sfdx = json.loads(next(f.content for f in files if str(f.path) == "sfdx-project.json"))
    assert sfdx["name"] == "my-proj"
    assert sfdx["packageDirectories"][0]["path"] == "force-app"
    assert all("__PROJECT_NAME__" not in f.content for f in files)


def test_project_name_is_made_safe(tmp_path: Path) -> None:
    assert project_name(tmp_path / "My Project!") == "My-Project"


def test_written_project_validates_and_names_its_step_class(tmp_path: Path) -> None:
    write_new_files(tmp_path, project_files("demo"))
    spec = load_spec(tmp_path / "orchestrations" / "example.yaml")
    (step,) = spec.steps
    class_file = tmp_path / "force-app/main/default/classes" / f"{step.target}.cls"
    assert f"class {step.target} implements StepforceStep" in class_file.read_text()


def test_refuses_to_overwrite_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "cumulusci.yml").write_text("mine")
    with pytest.raises(UsageError, match=r"cumulusci\.yml"):
        write_new_files(tmp_path, project_files("demo"))
    assert (tmp_path / "cumulusci.yml").read_text() == "mine"
    assert not (tmp_path / "sfdx-project.json").exists()


def test_init_writes_the_schema_the_example_spec_points_at(tmp_path: Path) -> None:
    write_new_files(tmp_path, project_files("demo"))
    example = (tmp_path / "orchestrations" / "example.yaml").read_text(encoding="utf-8")
    assert example.startswith("# yaml-language-server: $schema=../stepforce.schema.json")
    schema = json.loads((tmp_path / "stepforce.schema.json").read_text(encoding="utf-8"))
    assert schema["$id"] == "urn:stepforce:schema:orchestration:1"
    assert "steps" in schema["properties"]
