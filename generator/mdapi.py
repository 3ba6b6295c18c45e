"""Source format -> a Metadata API (metadata-format) zip, in pure Python.

The Metadata API's ``deploy`` takes a zip in *metadata format*: ``package.xml`` at the root,
``classes/X.cls`` + ``classes/X.cls-meta.xml``, and one ``objects/O__c.object`` file per object
holding its fields, list views and the other children that source format keeps in separate
files. Salesforce's own converter is ``sf project convert source`` (Node 22); this module does
the same for the metadata types stepforce generates and the ones its users' steps commonly
need, so deploying needs neither Node nor the ``sf`` CLI.

Everything here reads files and returns bytes; nothing is written. The zip is deterministic
(sorted entries, fixed timestamps and permissions): the same project gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from stepforce.errors import UsageError
from stepforce.generator.mdapi_bundles import (
    BUNDLE_TYPES,
    STATIC_RESOURCE,
    Converted,
    bundle_of,
    convert_bundle,
    convert_static_resource,
    deterministic_zip,
    in_static_resources,
)
from stepforce.generator.mdapi_types import (
    CODE_TYPES,
    OBJECT_CHILDREN,
    SIMPLE_TYPES,
    ObjectChild,
)
from stepforce.generator.plan_names import is_plan_resource

MD_NS = "http://soap.sforce.com/2006/04/metadata"
# lxml-stubs only type str prefixes; None is lxml's spelling of the default namespace.
_NSMAP: dict[Any, str] = {None: MD_NS}
_XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
DESTRUCTIVE_POST = "destructiveChangesPost.xml"
_RESOURCE_FILES = (".resource", ".resource-meta.xml")
_IGNORED_NAMES = frozenset({"jsconfig.json", "README.md"})


@dataclass(frozen=True)
class MdapiPackage:
    """A project converted to metadata format, ready to zip.

    ``files`` maps zip paths to their bytes; ``members`` maps a metadata type to its member
    names (what ``package.xml`` lists); ``component_map`` maps each zip path to the source file
    it came from (relative to the project, ``/``-separated) and ``member_map`` maps
    ``(type, fullName)`` to the source file of that member, so deploy errors on a composed
    object file point at the field file the user edits.
    """

    files: dict[str, bytes]
    members: dict[str, list[str]]
    component_map: dict[str, str]
    member_map: dict[tuple[str, str], str] = field(default_factory=dict)
    api_version: str = ""

    def to_zip(self, delete_after: Mapping[str, Sequence[str]] | None = None) -> bytes:
        """The zip; ``delete_after`` (type -> members) adds ``destructiveChangesPost.xml``,
        which deletes those components after the others are deployed (Metadata API Developer
        Guide, "Deleting Components from an Organization": API 33.0 and later)."""
        files = dict(self.files)
        if delete_after and any(delete_after.values()):
            members = {t: list(m) for t, m in delete_after.items() if m}
            files[DESTRUCTIVE_POST] = package_xml(members, self.api_version)
        return deterministic_zip(files)

    def has_class(self, name: str) -> bool:
        return name in self.members.get("ApexClass", [])

    def has_apex(self) -> bool:
        return bool(self.members.get("ApexClass") or self.members.get("ApexTrigger"))

    def only_plans(self) -> MdapiPackage:
        """The package of the plan documents alone (``SfPlan_*``/``SfPlanV_*`` static
        resources): no Apex, so production runs no tests for it, and runs started after it
        take the new plans."""
        names = [m for m in self.members.get(STATIC_RESOURCE, []) if is_plan_resource(m)]
        if not names:
            raise UsageError("the project holds no plan documents (staticresources/SfPlan_*)")
        wanted = {f"staticresources/{n}{suffix}" for n in names for suffix in _RESOURCE_FILES}
        files = {path: body for path, body in self.files.items() if path in wanted}
        files["package.xml"] = package_xml({STATIC_RESOURCE: names}, self.api_version)
        return MdapiPackage(
            files=files,
            members={STATIC_RESOURCE: sorted(names)},
            component_map={p: s for p, s in self.component_map.items() if p in wanted},
            member_map={k: v for k, v in self.member_map.items() if k[0] == STATIC_RESOURCE},
            api_version=self.api_version,
        )


def build_mdapi_zip(project_dir: Path, api_version: str) -> bytes:
    """Convert the project's package directories into a deployable metadata-format zip."""
    return build_mdapi_package(project_dir, api_version).to_zip()


def mdapi_component_map(project_dir: Path, api_version: str) -> dict[str, str]:
    """Zip path (``classes/X.cls``) -> source path (``force-app/main/default/classes/X.cls``)."""
    return build_mdapi_package(project_dir, api_version).component_map


def build_mdapi_package(project_dir: Path, api_version: str) -> MdapiPackage:
    """Read ``sfdx-project.json`` and convert every file of its package directories."""
    project_dir = project_dir.resolve()
    builder = _Builder(project_dir)
    for package_dir in package_directories(project_dir):
        builder.add_directory(package_dir)
    return builder.finish(api_version)


def package_directories(project_dir: Path) -> list[Path]:
    """The ``packageDirectories`` of ``sfdx-project.json``, each checked to exist in the project."""
    config_path = project_dir / "sfdx-project.json"
    if not config_path.is_file():
        raise UsageError(f"{project_dir}: no sfdx-project.json here (is this a generated project?)")
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
        entries = config["packageDirectories"]
        paths = [str(entry["path"]) for entry in entries]
    except (ValueError, KeyError, TypeError) as error:
        raise UsageError(
            f"{config_path}: expected a JSON object with packageDirectories[].path ({error})"
        ) from error
    if not paths:
        raise UsageError(f"{config_path}: packageDirectories is empty")
    result = []
    root = project_dir.resolve()
    for raw in paths:
        directory = (root / raw).resolve()
        if not directory.is_relative_to(root):
            raise UsageError(f"{config_path}: package directory {raw!r} lies outside the project")
        if not directory.is_dir():
            raise UsageError(f"{config_path}: package directory {raw!r} does not exist")
        result.append(directory)
    return result


def source_api_version(project_dir: Path) -> str | None:
    """``sourceApiVersion`` of ``sfdx-project.json``, when it names one."""
    try:
        config = json.loads((project_dir / "sfdx-project.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    version = config.get("sourceApiVersion") if isinstance(config, dict) else None
    return str(version) if version else None


def package_xml(members: dict[str, list[str]], api_version: str) -> bytes:
    """``package.xml`` listing every member, types and members sorted, as Salesforce writes it."""
    root = etree.Element(f"{{{MD_NS}}}Package", nsmap=_NSMAP)
    for type_name in sorted(members):
        types = etree.SubElement(root, f"{{{MD_NS}}}types")
        for member in sorted(set(members[type_name])):
            etree.SubElement(types, f"{{{MD_NS}}}members").text = member
        etree.SubElement(types, f"{{{MD_NS}}}name").text = type_name
    etree.SubElement(root, f"{{{MD_NS}}}version").text = api_version
    return _serialise(root)


class _Builder:
    """Collects converted files while walking package directories."""

    def __init__(self, project_dir: Path) -> None:
        self.project_dir = project_dir
        self.files: dict[str, bytes] = {}
        self.members: dict[str, list[str]] = {}
        self.component_map: dict[str, str] = {}
        self.member_map: dict[tuple[str, str], str] = {}
        # object name -> (its .object-meta.xml or None, [(child kind, child file)])
        self.objects: dict[str, tuple[Path | None, list[tuple[ObjectChild, Path]]]] = {}
        self.bundles: set[Path] = set()  # lwc/aura bundle folders already converted

    def add_directory(self, directory: Path) -> None:
        for path in sorted(directory.rglob("*")):
            if path.is_file() and not self._ignored(path):
                self._add_file(path, directory)

    def finish(self, api_version: str) -> MdapiPackage:
        for name in sorted(self.objects):
            self._compose_object(name)
        if not self.members:
            raise UsageError(f"{self.project_dir}: the package directories hold no metadata")
        files = dict(self.files)
        files["package.xml"] = package_xml(self.members, api_version)
        return MdapiPackage(
            files=files,
            members={t: sorted(set(m)) for t, m in self.members.items()},
            component_map=dict(self.component_map),
            member_map=dict(self.member_map),
            api_version=api_version,
        )

    def _ignored(self, path: Path) -> bool:
        relative = path.relative_to(self.project_dir)
        return path.name in _IGNORED_NAMES or any(p.startswith(".") for p in relative.parts)

    def _source(self, path: Path) -> str:
        return path.relative_to(self.project_dir).as_posix()

    def _add(self, zip_path: str, content: bytes, source: Path) -> None:
        if zip_path in self.files:
            raise UsageError(
                f"{self._source(source)}: duplicates {self.component_map[zip_path]} "
                f"(both become {zip_path})"
            )
        self.files[zip_path] = content
        self.component_map[zip_path] = self._source(source)

    def _member(self, type_name: str, member: str, source: Path) -> None:
        self.members.setdefault(type_name, []).append(member)
        self.member_map[(type_name, member)] = self._source(source)

    def _add_converted(self, converted: Converted | None) -> None:
        if converted is None:
            return
        for zip_path, content, source in converted.entries:
            self._add(zip_path, content, source)
        self._member(converted.type_name, converted.member, converted.source)

    def _add_file(self, path: Path, package_dir: Path) -> None:
        name = path.name
        bundle = bundle_of(path, package_dir)
        if bundle is not None:
            kind, bundle_name, bundle_dir = bundle
            if bundle_dir not in self.bundles:
                self.bundles.add(bundle_dir)
                self._add_converted(convert_bundle(kind, bundle_name, bundle_dir))
            return
        if in_static_resources(path):
            self._add_converted(convert_static_resource(path))
            return
        for suffix, (type_name, folder) in CODE_TYPES.items():
            if name.endswith(suffix):
                self._add_code(path, type_name, folder, name[: -len(suffix)], suffix)
                return
            if name.endswith(f"{suffix}-meta.xml"):
                self._check_code_body(path, suffix)
                return
        for suffix, (type_name, folder, md_suffix) in SIMPLE_TYPES.items():
            if name.endswith(suffix):
                member = name[: -len(suffix)]
                self._add(f"{folder}/{member}{md_suffix}", path.read_bytes(), path)
                self._member(type_name, member, path)
                return
        if self._add_object_part(path):
            return
        raise UsageError(
            f"{self._source(path)}: stepforce cannot convert this file to metadata format; "
            "supported: Apex classes, triggers, pages and components, objects and their fields/"
            "list views/validation rules/record types, "
            + ", ".join(sorted([*(t for t, _, _ in _simple()), *BUNDLE_TYPES.values()]))
            + ", StaticResource"
        )

    def _add_code(self, path: Path, type_name: str, folder: str, member: str, suffix: str) -> None:
        meta = path.with_name(f"{path.name}-meta.xml")
        if not meta.is_file():
            raise UsageError(f"{self._source(path)}: missing {meta.name} next to it")
        self._add(f"{folder}/{member}{suffix}", path.read_bytes(), path)
        self._add(f"{folder}/{member}{suffix}-meta.xml", meta.read_bytes(), meta)
        self._member(type_name, member, path)

    def _check_code_body(self, meta: Path, suffix: str) -> None:
        body = meta.with_name(meta.name[: -len("-meta.xml")])
        if not body.is_file():
            raise UsageError(f"{self._source(meta)}: no {body.name} next to it ({suffix} body)")

    def _add_object_part(self, path: Path) -> bool:
        """Object files and object children (``objects/O/fields/F.field-meta.xml``)."""
        if path.name.endswith(".object-meta.xml"):
            name = path.name[: -len(".object-meta.xml")]
            definition, children = self.objects.get(name, (None, []))
            if definition is not None:
                raise UsageError(
                    f"{self._source(path)}: object {name} is also defined in "
                    f"{self._source(definition)}"
                )
            self.objects[name] = (path, children)
            return True
        for child in OBJECT_CHILDREN:
            if path.name.endswith(child.suffix) and path.parent.name == child.folder:
                object_dir = path.parent.parent
                if object_dir.parent.name != "objects":
                    return False
                self.objects.setdefault(object_dir.name, (None, []))[1].append((child, path))
                return True
        return False

    def _compose_object(self, name: str) -> None:
        definition, children = self.objects[name]
        if definition is not None:
            root = _parse(definition, "CustomObject")
            self._member("CustomObject", name, definition)
        else:
            # Children of an object defined elsewhere (e.g. fields on Account): the object file
            # carries only them, and package.xml lists only them.
            root = etree.Element(f"{{{MD_NS}}}CustomObject", nsmap=_NSMAP)
        for child, path in sorted(children, key=lambda c: (c[0].element, c[1].name)):
            member = path.name[: -len(child.suffix)]
            root.append(_child_element(path, child, member))
            self._member(child.type_name, f"{name}.{member}", path)
        _sort_children(root)
        zip_path = f"objects/{name}.object"
        self.files[zip_path] = _serialise(root)
        self.component_map[zip_path] = self._source(definition or children[0][1])


def _simple() -> list[tuple[str, str, str]]:
    return list(SIMPLE_TYPES.values())


def _parse(path: Path, expected_root: str) -> etree._Element:
    # No entity resolution and no network: a metadata file must never pull in other content.
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
    try:
        tree = etree.parse(str(path), parser)
    except etree.XMLSyntaxError as error:
        raise UsageError(f"{path}:{error.lineno}: not well-formed XML: {error.msg}") from error
    if getattr(tree.docinfo, "doctype", ""):  # (missing from lxml-stubs)
        # Salesforce metadata never has a DTD; entities from one could smuggle in content.
        raise UsageError(f"{path}: a DOCTYPE is not allowed in Salesforce metadata")
    root = tree.getroot()
    if root.tag != f"{{{MD_NS}}}{expected_root}":
        raise UsageError(f"{path}: expected a <{expected_root}> in namespace {MD_NS}")
    return root


def _child_element(path: Path, child: ObjectChild, member: str) -> etree._Element:
    """``<CustomField>`` from its own file -> ``<fields>`` inside the object, fullName first."""
    source = _parse(path, child.type_name)
    element = etree.Element(f"{{{MD_NS}}}{child.element}")
    full_name = source.find(f"{{{MD_NS}}}fullName")
    if full_name is None:
        etree.SubElement(element, f"{{{MD_NS}}}fullName").text = member
    elif (full_name.text or "").strip() != member:
        raise UsageError(f"{path}: fullName {full_name.text!r} does not match the file name")
    for node in source:
        if isinstance(node.tag, str):
            element.append(node)
    return element


def _sort_children(root: etree._Element) -> None:
    """Order children as the Metadata API's CustomObject sequence does: by name, stable.

    The WSDL's sequence for CustomObject is in ASCII order of element names (a test checks
    this against simple-salesforce's copy of the WSDL), and the API rejects elements out of
    sequence ("invalid at this location"); a stable sort keeps fields in file-name order.
    """
    nodes = [node for node in root if isinstance(node.tag, str)]
    for node in list(root):
        root.remove(node)
    for node in sorted(nodes, key=lambda n: ("" if _local(n) == "fullName" else "~", _local(n))):
        root.append(node)


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname


def _serialise(root: etree._Element) -> bytes:
    etree.indent(root, space="    ")
    return _XML_DECLARATION + etree.tostring(root, encoding="UTF-8") + b"\n"
