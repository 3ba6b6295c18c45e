"""Who wrote each file of a checked project: ``stepforce generate``, or you.

``generate`` leaves an ownership manifest (``.stepforce/manifest.json``) at the root of its
output. A file it lists is **generated** (the runtime, the plans, their tests) or a **copy** of
one of your step sources (its ``copied`` section); any other file is **yours**. The format
check grades its findings by it: unformatted generated code is an error (stepforce promises
prettier's layout), while the layout of your code, or of a copy of it, is a warning unless
``--strict-format`` asks for errors. ``--fix-format`` rewrites only your files: a generated
file edited behind ``generate``'s back would make the next ``generate`` refuse to write.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from stepforce.diagnostics import Diagnostic, Severity
from stepforce.generator.check import prettier
from stepforce.generator.check.project import SfdxProject
from stepforce.generator.writer import read_manifest

_GENERATED = (
    "; stepforce generate wrote this file: do not format it by hand, run `stepforce generate` "
    "again with the offline tools installed (delete the file first if you edited it); "
    "`--fix-format` leaves generated files alone"
)
_COPY = (
    "; this is stepforce generate's copy of {original}: format that file "
    "(`stepforce check --fix-format` in its project) and run `stepforce generate` again"
)
_WARNING = " (a warning: stepforce did not generate this code; `--strict-format` makes it an error)"


@dataclass(frozen=True)
class Ownership:
    """Paths relative to the project root, ``/``-separated."""

    owned: frozenset[str] = frozenset()
    copied: dict[str, str] = field(default_factory=dict)  # copy -> original, from the root

    def owns(self, relative: str) -> bool:
        return relative in self.owned

    def generated(self, relative: str) -> bool:
        return relative in self.owned and relative not in self.copied


def load_ownership(root: Path) -> Ownership:
    """The manifest of ``root``; a project without one (not generated) owns nothing."""
    copied = read_manifest(root, "copied")
    return Ownership(frozenset(read_manifest(root)), copied)


def relative_path(project: SfdxProject, file: str | Path) -> str | None:
    """``file`` (as a check reports it, or a path) relative to the project root."""
    try:
        return Path(file).resolve().relative_to(project.root.resolve()).as_posix()
    except ValueError:
        return None


def split_fixable(project: SfdxProject, ownership: Ownership) -> tuple[list[Path], int]:
    """The Apex files ``--fix-format`` may rewrite (yours), and how many it leaves (owned)."""
    yours: list[Path] = []
    left = 0
    for path in project.apex_files():
        relative = relative_path(project, path)
        if relative is not None and ownership.owns(relative):
            left += 1
        else:
            yours.append(path)
    return yours, left


def grade_format(
    found: list[Diagnostic], project: SfdxProject, ownership: Ownership, *, strict: bool
) -> list[Diagnostic]:
    """Format findings with the severity and advice their file's owner calls for.

    Only layout findings are graded: jorje rejecting a file is a compile error wherever it is.
    """
    graded: list[Diagnostic] = []
    for diagnostic in found:
        if diagnostic.message != prettier.UNFORMATTED:
            graded.append(diagnostic)
            continue
        relative = relative_path(project, diagnostic.location.file) or ""
        message = prettier.LAYOUT_DIFFERS
        if ownership.generated(relative):
            graded.append(replace(diagnostic, message=message + _GENERATED))
            continue
        if relative in ownership.copied:
            original = os.path.normpath(project.root / ownership.copied[relative])
            message += _COPY.format(original=original)
        else:
            message = prettier.UNFORMATTED
        if strict:
            graded.append(replace(diagnostic, message=message))
        else:
            warning = message + _WARNING
            graded.append(replace(diagnostic, message=warning, severity=Severity.WARNING))
    return graded
