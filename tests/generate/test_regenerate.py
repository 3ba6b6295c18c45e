"""Writing the project: determinism, ownership, regeneration, collisions, the mdapi zip."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from stepforce.errors import SpecError, UsageError
from stepforce.generator.generate import generate
from stepforce.generator.plan_document import current_resource
from stepforce.generator.writer import MANIFEST, write_project
from tests.generate.conftest import SMALL_SPEC, write_spec

CLASSES = "force-app/main/default/classes"
RESOURCES = "force-app/main/default/staticresources"
SMALL = f"{RESOURCES}/{current_resource('Small_Sync')}.resource"
OTHER = f"{RESOURCES}/{current_resource('Other_Sync')}.resource"
SCHEDULE = '\nschedule: {cron: "0 0 2 * * ?", inputs: {since: "2026-01-02"}}\n'


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_same_specs_give_byte_identical_projects(tmp_path: Path) -> None:
    spec = write_spec(tmp_path / "specs", "small.yaml", SMALL_SPEC)
    generate([spec], tmp_path / "a", source_dirs=[])
    generate([spec], tmp_path / "b", source_dirs=[])
    first, second = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    assert first == second
    assert SMALL in first
    assert not [path for path in first if path.startswith(f"{CLASSES}/SfPlan")]
    assert f"{CLASSES}/StepforcePlan.cls" in first  # the runtime is part of the project


def test_second_run_changes_nothing(tmp_path: Path) -> None:
    spec = write_spec(tmp_path / "specs", "small.yaml", SMALL_SPEC)
    generate([spec], tmp_path / "out", source_dirs=[])
    again = generate([spec], tmp_path / "out", source_dirs=[])
    assert again.report is not None
    assert again.report.created == again.report.changed == again.report.removed == []
    assert SMALL in again.report.unchanged


def test_xml_is_written_the_way_salesforce_writes_it(tmp_path: Path) -> None:
    spec = write_spec(tmp_path / "specs", "small.yaml", SMALL_SPEC)
    generate([spec], tmp_path / "out", source_dirs=[], api_version="63.0")
    meta = (tmp_path / "out" / f"{SMALL}-meta.xml").read_bytes()
    version = json.loads((tmp_path / "out" / SMALL).read_bytes())["version"]
    assert meta == (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<StaticResource xmlns="http://soap.sforce.com/2006/04/metadata">\n'
        b"    <cacheControl>Private</cacheControl>\n"
        b"    <contentType>application/json</contentType>\n"
        b"    <description>stepforce latest " + version.encode() + b" of Small_Sync"
        b"</description>\n</StaticResource>\n"
    )
    package = etree.fromstring((tmp_path / "out" / "manifest/package.xml").read_bytes())
    members = [m.text for m in package.iter("{http://soap.sforce.com/2006/04/metadata}members")]
    assert current_resource("Small_Sync") in members
    assert f"SfPlanV_{version}" in members
    assert "SfPlan_Small_Sync" not in members
    project = json.loads((tmp_path / "out" / "sfdx-project.json").read_text())
    assert project["sourceApiVersion"] == "63.0"


def test_renaming_and_removing_update_only_owned_files(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    small = write_spec(specs, "small.yaml", SMALL_SPEC)
    other = write_spec(specs, "other.yaml", SMALL_SPEC.replace("Small_Sync", "Other_Sync"))
    out = tmp_path / "out"
    generate([small, other], out, source_dirs=[])
    mine = out / CLASSES / "MyOwnHelper.cls"
    mine.write_text("public with sharing class MyOwnHelper {}\n")

    renamed = write_spec(specs, "small.yaml", SMALL_SPEC.replace("name: Report", "name: Summary"))
    result = generate([renamed], out, source_dirs=[])

    assert result.report is not None
    assert SMALL in result.report.changed
    assert OTHER in result.report.removed
    assert not (out / OTHER).exists()
    assert '"name":"Summary"' in (out / SMALL).read_text()
    assert mine.read_text() == "public with sharing class MyOwnHelper {}\n"
    owned = json.loads((out / MANIFEST).read_text())["files"]
    assert f"{CLASSES}/MyOwnHelper.cls" not in owned
    package = (out / "manifest/package.xml").read_text()
    assert "<members>MyOwnHelper</members>" in package
    assert current_resource("Other_Sync") not in package


def test_a_path_that_is_not_ours_is_never_overwritten(tmp_path: Path) -> None:
    spec = write_spec(tmp_path / "specs", "small.yaml", SMALL_SPEC)
    out = tmp_path / "out"
    theirs = out / SMALL
    theirs.parent.mkdir(parents=True)
    theirs.write_text("// the user's own class\n")
    with pytest.raises(
        UsageError, match=rf"{current_resource('Small_Sync')}\.resource exists and was not"
    ) as info:
        generate([spec], out, source_dirs=[])
    assert info.value.exit_code == 2
    assert theirs.read_text() == "// the user's own class\n"
    assert not (out / MANIFEST).exists()
    assert not (out / CLASSES / "StepforcePlan.cls").exists()  # nothing at all was written


def test_an_owned_file_edited_by_hand_is_not_overwritten(tmp_path: Path) -> None:
    spec = write_spec(tmp_path / "specs", "small.yaml", SMALL_SPEC)
    out = tmp_path / "out"
    generate([spec], out, source_dirs=[])
    plan = out / SMALL
    plan.write_text("// edited\n")
    changed = write_spec(tmp_path / "specs", "small.yaml", SMALL_SPEC.replace("50", "60"))
    with pytest.raises(UsageError, match="was edited since stepforce wrote it"):
        generate([changed], out, source_dirs=[])
    assert plan.read_text() == "// edited\n"


def test_an_existing_sfdx_project_is_kept(tmp_path: Path) -> None:
    spec = write_spec(tmp_path / "specs", "small.yaml", SMALL_SPEC)
    out = tmp_path / "out"
    out.mkdir()
    config = '{"packageDirectories": [{"path": "src", "default": true}]}\n'
    (out / "sfdx-project.json").write_text(config)
    result = generate([spec], out, source_dirs=[])
    assert result.report is not None
    assert result.report.kept == ["sfdx-project.json"]
    assert (out / "sfdx-project.json").read_text() == config
    assert (out / SMALL.replace("force-app/", "src/", 1)).is_file()


def test_writer_refuses_paths_outside_the_output(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="outside the output"):
        write_project(tmp_path, {"../escape.txt": b"x"})


def test_invalid_spec_writes_nothing(tmp_path: Path) -> None:
    spec = write_spec(tmp_path / "specs", "bad.yaml", "orchestration: Bad\nsteps: []\n")
    with pytest.raises(SpecError):
        generate([spec], tmp_path / "out", source_dirs=[])
    assert not (tmp_path / "out").exists()


def test_mdapi_format_writes_a_deployable_zip(tmp_path: Path) -> None:
    spec = write_spec(tmp_path / "specs", "small.yaml", SMALL_SPEC)
    result = generate([spec], tmp_path / "deploy.zip", source_dirs=[], mdapi=True)
    assert result.zip_path == tmp_path / "deploy.zip"
    assert result.zip_bytes > 0
    with zipfile.ZipFile(tmp_path / "deploy.zip") as archive:
        names = set(archive.namelist())
        plan = current_resource("Small_Sync")
        assert {"package.xml", f"staticresources/{plan}.resource"} <= names
        assert not [name for name in names if name.startswith("classes/SfPlan")]
        assert f"<members>{plan}</members>".encode() in archive.read("package.xml")
    again = generate([spec], tmp_path / "again.zip", source_dirs=[], mdapi=True)
    assert again.zip_path is not None
    assert (tmp_path / "deploy.zip").read_bytes() == (tmp_path / "again.zip").read_bytes()


def test_regeneration_skips_prettier_for_unchanged_schedule_scripts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stepforce.generator import project

    specs = tmp_path / "specs"
    small = write_spec(specs, "small.yaml", SMALL_SPEC + SCHEDULE)
    other_spec = SMALL_SPEC.replace("Small_Sync", "Other_Sync") + SCHEDULE
    other = write_spec(specs, "other.yaml", other_spec)
    generate([small, other], tmp_path / "out", source_dirs=[])
    given: list[set[str]] = []
    from stepforce.generator.apex_format import format_apex as real

    def spy(sources: dict[str, str]) -> tuple[dict[str, str], bool]:
        given.append(set(sources))
        return real(sources)

    monkeypatch.setattr(project, "format_apex", spy)
    write_spec(specs, "other.yaml", other_spec.replace("2026-01-02", "2026-01-03"))
    result = generate([small, other], tmp_path / "out", source_dirs=[])
    assert given == [{"schedule_Other_Sync.apex"}]
    assert result.report is not None
    assert "scripts/apex/schedule_Small_Sync.apex" in result.report.unchanged
    assert "scripts/apex/schedule_Other_Sync.apex" in result.report.changed


def test_a_plan_over_the_static_resource_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stepforce.generator import plan_document

    monkeypatch.setattr(plan_document, "MAX_RESOURCE_BYTES", 500)
    spec = write_spec(tmp_path / "specs", "small.yaml", SMALL_SPEC)
    with pytest.raises(SpecError, match="Split the orchestration") as info:
        generate([spec], tmp_path / "out", source_dirs=[])
    [problem, *_] = info.value.diagnostics
    assert problem.location.file.endswith("small.yaml")
    assert "a static resource holds 500" in problem.message
    assert not (tmp_path / "out").exists()
