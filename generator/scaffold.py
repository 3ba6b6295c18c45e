"""The files ``stepforce init`` writes: a starter project around one example orchestration.

``project_files`` is pure (name in, files out) so commands can add their own files (a CI
workflow, say) before ``write_new_files`` touches the disk, refusing to overwrite anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath

from stepforce.errors import UsageError
from stepforce.generator.spec.schema import schema_text

#: Written by ``init`` beside ``orchestrations/``; the example spec names it.
SCHEMA_FILE = "stepforce.schema.json"
#: Where a project's ``stepforce generate`` writes (README tour, .gitignore, cumulusci.yml, CI):
#: a project of its own, so the runtime never lands in the user's ``force-app``.
GENERATED_DIR = "force-app-generated"

_PLACEHOLDER = "__PROJECT_NAME__"
#: Template files whose real name starts with a dot (package data globs skip dotfiles).
_RENAMES = {"gitignore": ".gitignore"}


@dataclass(frozen=True)
class ScaffoldFile:
    path: PurePosixPath  # relative to the project directory
    content: str


def project_name(directory: Path) -> str:
    """A name CumulusCI and sfdx accept, from the directory's name."""
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", directory.resolve().name).strip("-")
    return name or "stepforce-project"


def _walk(root: resources.abc.Traversable, prefix: PurePosixPath) -> list[ScaffoldFile]:
    files: list[ScaffoldFile] = []
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name == "__pycache__":
            continue
        relative = prefix / _RENAMES.get(entry.name, entry.name)
        if entry.is_dir():
            files.extend(_walk(entry, relative))
        else:
            files.append(ScaffoldFile(relative, entry.read_text(encoding="utf-8")))
    return files


def project_files(name: str) -> list[ScaffoldFile]:
    """Every file of a new project called ``name``, in a stable order.

    Includes ``stepforce.schema.json``, which the example spec's ``yaml-language-server``
    line points at, so editors complete and check specs from the first minute.
    """
    template = resources.files("stepforce").joinpath("templates", "project")
    files = [
        ScaffoldFile(f.path, f.content.replace(_PLACEHOLDER, name))
        for f in _walk(template, PurePosixPath())
    ]
    files.append(ScaffoldFile(PurePosixPath(SCHEMA_FILE), schema_text()))
    return sorted(files, key=lambda f: f.path)


def write_new_files(directory: Path, files: list[ScaffoldFile]) -> list[Path]:
    """Write ``files`` under ``directory``; refuse (writing nothing) if any already exists."""
    targets = [directory / f.path for f in files]
    existing = [str(t) for t in targets if t.exists()]
    if existing:
        raise UsageError(
            "refusing to overwrite existing files: "
            + ", ".join(existing)
            + " (move them away or choose another directory)"
        )
    for target, file in zip(targets, files, strict=True):
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(file.content, encoding="utf-8")
    return targets
