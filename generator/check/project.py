"""The sfdx project being checked: its package directories and the files each check reads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from stepforce.errors import UsageError

# Directories that hold tool caches or dependencies, never source to check.
_SKIPPED_DIRS = frozenset({".sfdx", ".sf", ".git", "node_modules", ".localdevserver"})


@dataclass(frozen=True)
class SfdxProject:
    """``root`` as the user named it (so reported paths read like the user's own)."""

    root: Path
    package_dirs: tuple[Path, ...]

    def display(self, path: Path) -> str:
        """A file's path for messages: under ``root`` as given, not made absolute."""
        try:
            return str(self.root / path.resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)

    def _files(self) -> Iterator[Path]:
        seen: set[Path] = set()
        for package_dir in self.package_dirs:
            for path in sorted(package_dir.rglob("*")):
                if path in seen or not path.is_file():
                    continue
                if _SKIPPED_DIRS.intersection(path.relative_to(self.root).parts):
                    continue
                seen.add(path)
                yield path

    def all_files(self) -> list[Path]:
        return list(self._files())

    def metadata_files(self) -> list[Path]:
        return [p for p in self._files() if p.name.endswith("-meta.xml")]

    def apex_files(self) -> list[Path]:
        return [p for p in self._files() if p.suffix in (".cls", ".trigger")]


def load_project(directory: Path) -> SfdxProject:
    """Read ``sfdx-project.json``; a missing or unreadable one is a usage error naming the dir."""
    config = directory / "sfdx-project.json"
    if not config.is_file():
        raise UsageError(f"{directory} is not an sfdx project: no sfdx-project.json in it")
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UsageError(f"{config}: cannot read it as JSON: {error}") from error
    entries = data.get("packageDirectories") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise UsageError(f"{config}: packageDirectories is missing or empty")
    package_dirs: list[Path] = []
    for index, entry in enumerate(entries):
        path = entry.get("path") if isinstance(entry, dict) else None
        if not isinstance(path, str) or not path:
            raise UsageError(f"{config}: packageDirectories[{index}].path is missing")
        package_dir = directory / path
        if not package_dir.is_dir():
            raise UsageError(f"{config}: package directory {path!r} does not exist")
        package_dirs.append(package_dir)
    return SfdxProject(root=directory, package_dirs=tuple(package_dirs))
