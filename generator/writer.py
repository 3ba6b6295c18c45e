"""The one place stepforce writes a generated project to disk.

An ownership manifest (``.stepforce/manifest.json``) records every file stepforce wrote,
with its SHA-256. On each run the new file set is compared with it:

* a wanted file that does not exist is **created**; an owned one with new bytes is
  **changed**; one with the same bytes is **unchanged** (not even rewritten);
* an owned file no longer wanted is **removed** (and directories it leaves empty);
* a wanted path that exists but is not owned is a collision, and an owned file whose bytes
  differ from what stepforce wrote was edited by someone: both refuse the whole write with a
  UsageError naming the paths, before anything is touched. Nothing of the user's is lost.
* ``keep_if_present`` paths (``sfdx-project.json``) are written only when absent or owned.

The manifest's ``copied`` section maps the owned files that are copies of the user's step
sources to the file they were copied from (relative to the output): ``stepforce check`` treats
their layout as the user's, not as generated code.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any

from stepforce import exact_json
from stepforce.deploy_plan import MANIFEST_SECTION, DeployPlan
from stepforce.errors import UsageError

MANIFEST = ".stepforce/manifest.json"
_FORMAT = 1


@dataclass
class WriteReport:
    """What a write did, each list holding ``/``-separated paths relative to the output."""

    out_dir: Path
    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # not ours, left as the user has it

    def to_json(self) -> dict[str, object]:
        return {
            "out": str(self.out_dir),
            "counts": {
                "created": len(self.created),
                "changed": len(self.changed),
                "removed": len(self.removed),
                "unchanged": len(self.unchanged),
                "kept": len(self.kept),
            },
            "created": self.created,
            "changed": self.changed,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "kept": self.kept,
        }


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def read_manifest(out_dir: Path, section: str = "files") -> dict[str, str]:
    """Owned path -> hash (``section`` ``files``), path -> hash of the unformatted text
    prettier was given (``formatted``), or copied path -> the source it copies (``copied``);
    empty when the output has no manifest yet."""
    path = out_dir / MANIFEST
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        files = data.get(section, {}) if section != "files" else data["files"]
        if not isinstance(files, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in files.items()
        ):
            raise TypeError(f"{section} is not a map of paths to hashes")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise UsageError(
            f"{path}: stepforce's ownership manifest is unreadable ({error}); "
            "restore it or delete the output directory to regenerate from scratch"
        ) from error
    return dict(files)


def read_manifest_section(out_dir: Path, section: str) -> Any:
    """A free-form section of the manifest (``None`` when absent); the caller checks its shape."""
    path = out_dir / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise UsageError(
            f"{path}: stepforce's ownership manifest is unreadable ({error}); "
            "restore it or delete the output directory to regenerate from scratch"
        ) from error
    return data.get(section) if isinstance(data, dict) else None


def read_deploy_plan(out_dir: Path) -> DeployPlan:
    """What the last ``generate`` recorded for ``deploy`` (empty without a manifest)."""
    return DeployPlan.from_json(read_manifest_section(out_dir, MANIFEST_SECTION))


def _checked(relative: str) -> str:
    pure = PurePosixPath(relative)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts or relative == MANIFEST:
        raise ValueError(f"refusing to write outside the output directory: {relative!r}")
    return pure.as_posix()


def _hash_of(path: Path) -> str | None:
    try:
        return digest(path.read_bytes())
    except FileNotFoundError:
        return None


def write_project(
    out_dir: Path,
    files: Mapping[str, bytes],
    keep_if_present: frozenset[str] = frozenset(),
    formatted: Mapping[str, str] | None = None,
    copied: Mapping[str, str] | None = None,
    sections: Mapping[str, Any] | None = None,
) -> WriteReport:
    """Make ``out_dir`` hold ``files`` (relative path -> bytes), under the rules above.

    ``formatted`` (path -> hash of the text before prettier) is kept in the manifest so the
    next run can reuse a formatted file whose unformatted text did not change; ``copied``
    (path -> the user's file it copies) is kept so checks can tell copies from generated code;
    ``sections`` are further manifest sections (``deploy``: what deploy must do in the org).
    """
    owned = read_manifest(out_dir)
    report = WriteReport(out_dir)
    writes: dict[str, bytes] = {}
    problems: list[str] = []
    for relative in sorted(files):
        rel = _checked(relative)
        content = files[relative]
        on_disk = _hash_of(out_dir / rel)
        if on_disk is None:
            report.created.append(rel)
            writes[rel] = content
        elif rel not in owned:
            if rel in keep_if_present:
                report.kept.append(rel)
            else:
                problems.append(f"{out_dir / rel} exists and was not written by stepforce")
        elif on_disk != owned[rel]:
            problems.append(f"{out_dir / rel} was edited since stepforce wrote it")
        elif on_disk == digest(content):
            report.unchanged.append(rel)
        else:
            report.changed.append(rel)
            writes[rel] = content
    for rel in sorted(set(owned) - set(files)):
        on_disk = _hash_of(out_dir / rel)
        if on_disk is not None and on_disk != owned[rel]:
            problems.append(f"{out_dir / rel} was edited since stepforce wrote it")
        elif on_disk is not None:
            report.removed.append(rel)
    if problems:
        raise UsageError(
            "refusing to write the project; nothing was changed:\n  "
            + "\n  ".join(problems)
            + "\nmove or delete these files (or choose another --out) and run again"
        )
    _apply(out_dir, writes, report.removed)
    owned_now = {rel: digest(files[rel]) for rel in files if rel not in report.kept}
    _write_manifest(
        out_dir,
        owned_now,
        {k: v for k, v in (formatted or {}).items() if k in files},
        {k: v for k, v in (copied or {}).items() if k in owned_now},
        sections or {},
    )
    return report


def _apply(out_dir: Path, writes: Mapping[str, bytes], removals: list[str]) -> None:
    for rel, content in writes.items():
        _atomic_write(out_dir / rel, content)
    for rel in removals:
        path = out_dir / rel
        path.unlink()
        _prune_empty(path.parent, out_dir)


def _atomic_write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.stepforce-tmp")
    temporary.write_bytes(content)
    temporary.replace(path)


def _prune_empty(directory: Path, stop: Path) -> None:
    """Remove directories emptied by a removal, up to (not including) the output root."""
    root = stop.resolve()
    current = directory.resolve()
    while current != root and root in current.parents and not any(current.iterdir()):
        current.rmdir()
        current = current.parent


def _write_manifest(
    out_dir: Path,
    owned: Mapping[str, str],
    formatted: Mapping[str, str],
    copied: Mapping[str, str],
    sections: Mapping[str, Any],
) -> None:
    data: dict[str, Any] = {
        "format": _FORMAT,
        "generator": "stepforce",
        "files": dict(sorted(owned.items())),
        "formatted": dict(sorted(formatted.items())),
        "copied": dict(sorted(copied.items())),
    }
    data.update({k: v for k, v in sections.items() if k not in data})
    text = exact_json.dumps(data, indent=2) + "\n"  # schedule inputs keep exact Decimals
    _atomic_write(out_dir / MANIFEST, text.encode("utf-8"))
