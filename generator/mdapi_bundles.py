"""Folder-shaped metadata for the converter in ``mdapi.py``: Lightning web components, Aura
components and static resources.

Source format and metadata format lay bundles out the same way (``lwc/myCmp/myCmp.js``,
``aura/myCmp/myCmp.cmp``); the bundle's folder name is its member name. Jest tests
(``__tests__`` folders) are not metadata and are left out, as the sf CLI's default ignore file
does. A static resource is ``staticresources/Name.resource-meta.xml`` plus either one file
``Name.<ext>`` or a folder ``Name/``; metadata format wants the content as
``staticresources/Name.resource``, a folder zipped (deterministically, like the whole package).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from stepforce.errors import UsageError

#: Bundle folder -> metadata type.
BUNDLE_TYPES = {"lwc": "LightningComponentBundle", "aura": "AuraDefinitionBundle"}
STATIC_RESOURCE = "StaticResource"
_RESOURCE_META = ".resource-meta.xml"
_NOT_METADATA = frozenset({"__tests__", "__mocks__"})
# 1980-01-01 is the earliest time a zip entry can carry; any fixed value makes bytes stable.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Converted:
    """One converted component: its zip entries, metadata type, member and main source file."""

    entries: tuple[tuple[str, bytes, Path], ...]
    type_name: str
    member: str
    source: Path


def bundle_of(path: Path, package_dir: Path) -> tuple[str, str, Path] | None:
    """``(folder kind, bundle name, bundle dir)`` when ``path`` lies in an lwc/aura bundle."""
    parts = path.relative_to(package_dir).parts
    for index in range(len(parts) - 2, 0, -1):
        if parts[index - 1] in BUNDLE_TYPES:
            bundle_dir = package_dir.joinpath(*parts[: index + 1])
            return parts[index - 1], parts[index], bundle_dir
    return None


def convert_bundle(kind: str, name: str, bundle_dir: Path) -> Converted | None:
    """Every file of the bundle under ``<kind>/<name>/``; None when it holds only tests."""
    entries = []
    for file in sorted(bundle_dir.rglob("*")):
        relative = file.relative_to(bundle_dir)
        if not file.is_file() or _NOT_METADATA.intersection(relative.parts):
            continue
        entries.append((f"{kind}/{name}/{relative.as_posix()}", file.read_bytes(), file))
    if not entries:
        return None
    meta_suffix = ".js-meta.xml" if kind == "lwc" else ".cmp-meta.xml"
    main = next((f for _, _, f in entries if f.name == f"{name}{meta_suffix}"), entries[0][2])
    if kind == "lwc" and not main.name.endswith(meta_suffix):
        raise UsageError(f"{bundle_dir}: a Lightning web component needs {name}{meta_suffix}")
    return Converted(tuple(entries), BUNDLE_TYPES[kind], name, main)


def in_static_resources(path: Path) -> bool:
    return any(part == "staticresources" for part in path.parent.parts)


def convert_static_resource(path: Path) -> Converted | None:
    """The resource whose ``-meta.xml`` is ``path``; None for a content file (converted with
    its meta file). A content file without one is an error naming it."""
    folder = _resource_folder(path)
    if path.name.endswith(_RESOURCE_META) and path.parent == folder:
        name = path.name[: -len(_RESOURCE_META)]
        content = _resource_content(folder, name, path)
        entries = (
            (f"staticresources/{name}.resource", content, path),
            (f"staticresources/{name}{_RESOURCE_META}", path.read_bytes(), path),
        )
        return Converted(entries, STATIC_RESOURCE, name, path)
    owner = path.relative_to(folder).parts[0].split(".")[0]
    if not (folder / f"{owner}{_RESOURCE_META}").is_file():
        raise UsageError(f"{path}: no {owner}{_RESOURCE_META} describes this static resource")
    return None


def _resource_folder(path: Path) -> Path:
    current = path.parent
    while current.name != "staticresources" and current != current.parent:
        current = current.parent
    return current


def _resource_content(folder: Path, name: str, meta: Path) -> bytes:
    directory = folder / name
    files = [
        f
        for f in folder.glob(f"{name}.*")
        if f.is_file() and f != meta and f.name[len(name)] == "."
    ]
    if directory.is_dir():
        return _zip_folder(directory)
    if len(files) != 1:
        found = ", ".join(sorted(f.name for f in files)) or "none"
        raise UsageError(
            f"{meta}: expected one content file {name}.<ext> or a folder {name}/ (found {found})"
        )
    return files[0].read_bytes()


def _zip_folder(directory: Path) -> bytes:
    files = sorted(f for f in directory.rglob("*") if f.is_file())
    return deterministic_zip({f.relative_to(directory).as_posix(): f.read_bytes() for f in files})


def deterministic_zip(files: dict[str, bytes]) -> bytes:
    """A zip of ``files`` (path -> bytes) whose bytes depend on nothing else: sorted entries,
    fixed timestamps, permissions and creating system. Used for the Metadata API package and
    for folder static resources inside it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            archive.writestr(info, files[name])
    return buffer.getvalue()
