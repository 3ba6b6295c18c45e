"""The project as the rules see it: every metadata file parsed once, indexed by type and name.

``load_index`` reads the files once; every rule is a pure function of the index. A file that
is not well-formed XML is left out (the schema check reports it).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from stepforce.diagnostics import Diagnostic, Location
from stepforce.generator.check.project import SfdxProject
from stepforce.generator.check.xsd import METADATA_NS
from stepforce.generator.plan_names import is_plan_resource

SOURCE = "rules"
_NS = f"{{{METADATA_NS}}}"
#: Files of these suffixes are code bodies; their ``-meta.xml`` sits beside them.
CODE_SUFFIXES = (".cls", ".trigger")


@dataclass(frozen=True)
class Component:
    """One metadata file: its type (root element), API name and parsed root.

    ``name`` is the full name the Metadata API uses: ``Obj__c`` for an object, ``Obj__c.F__c``
    for a field, ``Type.Record`` for a custom metadata record, the file stem otherwise.
    """

    kind: str
    name: str
    display: str
    root: etree._Element

    def text(self, tag: str) -> str | None:
        """Text of the first direct child ``tag`` (stripped), None when absent."""
        return child_text(self.root, tag)

    def line(self, element: etree._Element | None = None) -> int:
        return line_of(self.root if element is None else element)

    def problem(self, rule: str, message: str, element: etree._Element | None = None) -> Diagnostic:
        return Diagnostic(
            Location(self.display, self.line(element)), message, source=f"{SOURCE}/{rule}"
        )


def line_of(element: object) -> int:
    """An element's line (lxml gives None for a tree built in memory)."""
    line = getattr(element, "sourceline", None)
    return line if isinstance(line, int) else 0


def child(element: etree._Element, tag: str) -> etree._Element | None:
    return element.find(f"{_NS}{tag}")


def children(element: etree._Element, tag: str) -> list[etree._Element]:
    return element.findall(f"{_NS}{tag}")


def child_text(element: etree._Element, tag: str) -> str | None:
    found = child(element, tag)
    if found is None:
        return None
    return (found.text or "").strip()


def local_name(element: etree._Element) -> str:
    return etree.QName(element).localname


@dataclass(frozen=True)
class SourceFile:
    """A code body (``.cls``, ``.trigger``) and whether its ``-meta.xml`` is beside it."""

    display: str
    text: str
    has_meta: bool


@dataclass(frozen=True)
class PlanBody:
    """The body of a plan static resource (``SfPlan_*``, ``SfPlanV_*``): its resource name
    and bytes. Other static resources are never read (they may be large archives)."""

    name: str
    display: str
    content: bytes


@dataclass
class ProjectIndex:
    """Every component of the project, with look-ups the rules share."""

    components: list[Component] = field(default_factory=list)
    sources: list[SourceFile] = field(default_factory=list)
    #: LWC bundle folders (display path, has its ``.js-meta.xml``)
    bundles: list[tuple[str, bool]] = field(default_factory=list)
    plan_bodies: list[PlanBody] = field(default_factory=list)
    #: code ``-meta.xml`` files whose body is missing (display paths)
    orphan_metas: list[str] = field(default_factory=list)
    source_api_version: str | None = None
    namespace: str = ""
    project_file: str = "sfdx-project.json"

    def of_kind(self, kind: str) -> Iterator[Component]:
        return (c for c in self.components if c.kind == kind)

    @property
    def objects(self) -> dict[str, Component]:
        """CustomObject by lower-cased name."""
        return {c.name.lower(): c for c in self.of_kind("CustomObject")}

    @property
    def fields(self) -> dict[str, Component]:
        """CustomField by lower-cased ``Obj.Field``."""
        return {c.name.lower(): c for c in self.of_kind("CustomField")}

    def names(self, kind: str) -> set[str]:
        return {c.name.lower() for c in self.of_kind(kind)}


def _full_name(kind: str, path: Path) -> str:
    stem = path.name.removesuffix("-meta.xml")
    base = stem.rsplit(".", 1)[0] if "." in stem else stem
    if path.parent.parent.parent.name == "objects":
        # objects/<Obj>/fields/<F>.field-meta.xml (and other object children)
        return f"{path.parent.parent.name}.{base}"
    if kind == "LightningComponentBundle":
        return stem.removesuffix(".js")
    return base


def parse_component(content: bytes, path: Path, display: str) -> Component | None:
    """The component in one ``-meta.xml`` file, None when it is not metadata we can read."""
    try:
        # No entities, no network: a metadata file must never make the checker read others.
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        root = etree.fromstring(content, parser=parser)
    except etree.XMLSyntaxError:
        return None
    if etree.QName(root).namespace != METADATA_NS:
        return None
    kind = local_name(root)
    return Component(kind, _full_name(kind, path), display, root)


def read_project_config(text: str) -> tuple[str | None, str]:
    """(sourceApiVersion, namespace) of ``sfdx-project.json`` text (None/"" when absent)."""
    try:
        data = json.loads(text)
    except ValueError:
        return None, ""
    if not isinstance(data, dict):
        return None, ""
    version = data.get("sourceApiVersion")
    namespace = data.get("namespace")
    return (
        str(version) if isinstance(version, str | int | float) else None,
        namespace if isinstance(namespace, str) else "",
    )


def load_index(project: SfdxProject) -> ProjectIndex:
    """Read and parse every metadata file and code body of ``project`` (the only I/O here)."""
    index = ProjectIndex(project_file=project.display(project.root / "sfdx-project.json"))
    config = project.root / "sfdx-project.json"
    index.source_api_version, index.namespace = read_project_config(
        config.read_text(encoding="utf-8", errors="replace")
    )
    files = project.all_files()
    present = set(files)
    for path in files:
        display = project.display(path)
        if path.name.endswith("-meta.xml"):
            component = parse_component(path.read_bytes(), path, display)
            if component is not None:
                index.components.append(component)
            body = path.with_name(path.name.removesuffix("-meta.xml"))
            if body.suffix in CODE_SUFFIXES and body not in present:
                index.orphan_metas.append(display)
        elif path.suffix == ".resource" and is_plan_resource(path.name):
            name = path.name.removesuffix(".resource")
            index.plan_bodies.append(PlanBody(name, display, path.read_bytes()))
        elif path.suffix in CODE_SUFFIXES:
            text = path.read_text(encoding="utf-8", errors="replace")
            meta = path.with_name(f"{path.name}-meta.xml")
            index.sources.append(SourceFile(display, text, meta in present))
    folders = {p.parent for p in files if p.parent.parent.name == "lwc"}
    for folder in sorted(folders):
        has_meta = folder / f"{folder.name}.js-meta.xml" in present
        index.bundles.append((project.display(folder), has_meta))
    return index
