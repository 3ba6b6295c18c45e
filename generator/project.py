"""Assemble a complete sfdx project in memory: runtime, plan documents (static resources),
step sources, schedule scripts, ``sfdx-project.json`` and ``manifest/package.xml``. Writing
it is ``writer``'s job. No orchestration becomes Apex: the runtime interprets its plan."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from lxml import etree

from stepforce.deploy_plan import DeployPlan, PlannedSchedule, next_plan
from stepforce.diagnostics import Diagnostic, errors_only
from stepforce.errors import SpecError, UsageError
from stepforce.generator.apex_format import format_apex
from stepforce.generator.mdapi import package_xml
from stepforce.generator.mdapi_types import CODE_TYPES, OBJECT_CHILDREN, SIMPLE_TYPES
from stepforce.generator.plan_document import plan_resources, schedule_input_values
from stepforce.generator.schedule_script import schedule_script, script_name
from stepforce.generator.sources import SourceIndex, cross_check
from stepforce.generator.spec.model import Orchestration
from stepforce.generator.writer import digest, read_deploy_plan, read_manifest

#: Every org in service accepts API 62.0 (Winter '25); newer orgs accept it too.
DEFAULT_API_VERSION = "62.0"
MD_NS = "http://soap.sforce.com/2006/04/metadata"
SFDX_PROJECT = "sfdx-project.json"
PACKAGE_XML = "manifest/package.xml"
_XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


@dataclass
class GeneratedProject:
    """Relative path -> bytes, plus what the writer must leave alone and what was found."""

    files: dict[str, bytes] = field(default_factory=dict)
    keep_if_present: frozenset[str] = frozenset({SFDX_PROJECT, PACKAGE_XML})
    diagnostics: list[Diagnostic] = field(default_factory=list)
    formatted: bool = False
    # generated path -> hash of its text before prettier (lets the next run skip prettier)
    format_record: dict[str, str] = field(default_factory=dict)
    # path -> the user's file it copies, relative to the output (a step source, an object)
    copied: dict[str, str] = field(default_factory=dict)
    # what deploy must do in the org: schedules, removed plans (a manifest section)
    deploy_plan: DeployPlan = field(default_factory=DeployPlan)

    def add(self, relative: str, content: bytes, origin: str) -> None:
        existing = self.files.get(relative)
        if existing is not None and existing != content:
            raise UsageError(f"two different files want the path {relative} ({origin})")
        self.files[relative] = content


def salesforce_xml(root: etree._Element) -> bytes:
    """XML the way Salesforce writes it: UTF-8 declaration, 4-space indent, final newline."""
    etree.indent(root, space="    ")
    return _XML_DECLARATION + etree.tostring(root, encoding="UTF-8") + b"\n"


def apex_class_meta(api_version: str) -> bytes:
    root = etree.Element(f"{{{MD_NS}}}ApexClass", nsmap={None: MD_NS})  # type: ignore[dict-item]
    etree.SubElement(root, f"{{{MD_NS}}}apiVersion").text = api_version
    etree.SubElement(root, f"{{{MD_NS}}}status").text = "Active"
    return salesforce_xml(root)


def sfdx_project_json(package_dir: str, api_version: str) -> bytes:
    data = {
        "packageDirectories": [{"path": package_dir, "default": True}],
        "name": "stepforce-orchestrations",
        "namespace": "",
        "sfdcLoginUrl": "https://login.salesforce.com",
        "sourceApiVersion": api_version,
    }
    return (json.dumps(data, indent=2) + "\n").encode("utf-8")


def default_package_dir(out_dir: Path) -> str:
    """The default package directory of an existing project at ``out_dir``, else force-app."""
    config = out_dir / SFDX_PROJECT
    if not config.is_file():
        return "force-app"
    try:
        entries = json.loads(config.read_text(encoding="utf-8"))["packageDirectories"]
        chosen = next((e for e in entries if e.get("default")), entries[0])
        return str(chosen["path"]).strip("/")
    except (OSError, ValueError, KeyError, IndexError, TypeError, AttributeError) as error:
        raise UsageError(
            f"{config}: cannot find its default package directory ({error})"
        ) from error


def runtime_files() -> dict[str, bytes]:
    """The runtime shipped as package data, keyed by path under ``force-app/``."""
    root = resources.files("stepforce") / "templates" / "force-app"
    found: dict[str, bytes] = {}

    def walk(node: resources.abc.Traversable, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            if child.is_dir():
                walk(child, f"{prefix}{child.name}/")
            elif child.is_file() and not child.name.startswith("."):
                found[prefix + child.name] = child.read_bytes()

    walk(root, "")
    if not found:
        raise UsageError("the stepforce runtime is missing from the installed package")
    return found


def build_project(
    orchestrations: Iterable[Orchestration],
    out_dir: Path,
    api_version: str,
    index: SourceIndex,
) -> GeneratedProject:
    """Everything ``out_dir`` should hold; SpecError when a spec or a step source is wrong."""
    package = default_package_dir(out_dir)
    project = GeneratedProject()
    for rel, content in runtime_files().items():
        project.add(f"{package}/{rel}", content, "runtime")
    rendered: dict[str, str] = {}
    names: list[str] = []  # a plan is data: no Apex class per orchestration
    schedules: list[PlannedSchedule] = []
    for orch in orchestrations:
        names.append(orch.name)
        project.diagnostics.extend(cross_check(orch, index))
        for name, content in plan_resources(orch).items():  # SpecError for unwritable values
            project.add(f"{package}/main/default/staticresources/{name}", content, "plan")
        if orch.schedule is not None:
            inputs, _problems = schedule_input_values(orch)  # plan_resources reported them
            schedules.append(PlannedSchedule(orch.name, orch.schedule.cron, inputs))
            script = schedule_script(orch, inputs)
            if script is not None:
                rendered[script_name(orch.name)] = script
        _copy_sources(project, orch, index, out_dir, package)
    if errors_only(project.diagnostics):
        raise SpecError(project.diagnostics, "the specs do not match their step sources")
    formatted = _format(project, rendered, out_dir, package)
    for name, text in sorted(formatted.items()):
        project.add(generated_path(name, package), text.encode("utf-8"), "schedule script")
    project.deploy_plan = next_plan(read_deploy_plan(out_dir), tuple(names), tuple(schedules))
    project.add(SFDX_PROJECT, sfdx_project_json(package, api_version), "project")
    project.add(PACKAGE_XML, _package_xml(project, out_dir, package, api_version), "manifest")
    return project


def generated_path(name: str, package: str) -> str:
    """Where a rendered file goes: anonymous Apex under scripts/, classes in the package."""
    if name.endswith(".apex"):
        return f"scripts/apex/{name}"
    return f"{package}/main/default/classes/{name}"


def _format(
    project: GeneratedProject, rendered: dict[str, str], out_dir: Path, package: str
) -> dict[str, str]:
    """Formatted sources; a file whose unformatted text is what prettier was given last time
    is taken from disk as it is (prettier is by far the slowest part of generating)."""
    before = read_manifest(out_dir, "formatted")
    owned = read_manifest(out_dir)
    done: dict[str, str] = {}
    todo: dict[str, str] = {}
    raw_hashes = {name: digest(text.encode("utf-8")) for name, text in rendered.items()}
    for name, text in rendered.items():
        path = generated_path(name, package)
        on_disk = out_dir / path
        if before.get(path) == raw_hashes[name] and path in owned and on_disk.is_file():
            content = on_disk.read_bytes()
            if digest(content) == owned[path]:
                done[name] = content.decode("utf-8")
                continue
        todo[name] = text
    formatted, ran = format_apex(todo)
    project.formatted = ran or not todo
    record = done.keys() | (todo.keys() if ran else set())
    project.format_record = {generated_path(n, package): raw_hashes[n] for n in record}
    return {**formatted, **done}


def _copy_sources(
    project: GeneratedProject, orch: Orchestration, index: SourceIndex, out: Path, package: str
) -> None:
    """Copy each step's Flow/Apex files (and the custom objects of the package directory they
    come from, which step code commonly queries) unless they already live in the output."""
    roots: set[Path] = set()
    for step in orch.steps:
        source = index.find(step)
        if source is None or _inside(source.package_dir, out):
            continue
        roots.add(source.package_dir)
        for path in source.files:
            step_file = path.relative_to(source.package_dir).as_posix()
            _copy(project, f"{package}/{step_file}", path, out)
    for root in sorted(roots):
        for path in sorted(root.rglob("*")):
            inner = path.relative_to(root)
            if path.is_file() and "objects" in inner.parts[:-1]:
                _copy(project, f"{package}/{inner.as_posix()}", path, out)


def _copy(project: GeneratedProject, relative: str, source: Path, out: Path) -> None:
    project.add(relative, source.read_bytes(), str(source))
    # Relative to the output, so the manifest is the same wherever the project is checked out.
    project.copied[relative] = Path(os.path.relpath(source.resolve(), out.resolve())).as_posix()


def _inside(path: Path, folder: Path) -> bool:
    resolved, root = path.resolve(), folder.resolve()
    return resolved == root or root in resolved.parents


def _package_xml(project: GeneratedProject, out_dir: Path, package: str, api: str) -> bytes:
    """package.xml over the planned files and the user's own files already in the package."""
    owned = read_manifest(out_dir)
    paths = set(project.files)
    package_root = out_dir / package
    if package_root.is_dir():
        for path in package_root.rglob("*"):
            rel = path.relative_to(out_dir).as_posix()
            if path.is_file() and rel not in owned:
                paths.add(rel)
    members: dict[str, list[str]] = {}
    for rel in sorted(p for p in paths if p.startswith(package + "/")):
        found = member_of(rel)
        if found is not None:
            members.setdefault(found[0], []).append(found[1])
    return package_xml(members, api)


def member_of(relative: str) -> tuple[str, str] | None:
    """(metadata type, member name) of a source-format file, or None for other files."""
    parts = relative.split("/")
    name = parts[-1]
    for suffix, (type_name, _folder) in CODE_TYPES.items():
        if name.endswith(suffix):
            return type_name, name[: -len(suffix)]
    for suffix, (type_name, _folder, _md_suffix) in SIMPLE_TYPES.items():
        if name.endswith(suffix):
            return type_name, name[: -len(suffix)]
    if len(parts) >= 2 and parts[-2] == "staticresources" and name.endswith(".resource-meta.xml"):
        return "StaticResource", name[: -len(".resource-meta.xml")]
    if len(parts) >= 3 and parts[-2] not in ("objects",) and name.endswith(".object-meta.xml"):
        return "CustomObject", name[: -len(".object-meta.xml")]
    for child in OBJECT_CHILDREN:
        if len(parts) >= 4 and parts[-2] == child.folder and name.endswith(child.suffix):
            return child.type_name, f"{parts[-3]}.{name[: -len(child.suffix)]}"
    return None
