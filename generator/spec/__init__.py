"""The orchestration spec language: the typed model, its loader and its validator.

Public API (other packages code against it; keep it stable):
``load_spec``, ``load_spec_text``, ``validate_paths`` and ``check_text``.
"""

from __future__ import annotations

from pathlib import Path

from stepforce.diagnostics import Diagnostic, Location, errors_only
from stepforce.errors import SpecError
from stepforce.generator.spec.build import build
from stepforce.generator.spec.model import Orchestration
from stepforce.generator.spec.report import Reporter
from stepforce.generator.spec.yaml_source import MAX_BYTES, compose

__all__ = ["check_text", "load_spec", "load_spec_text", "validate_paths"]


def check_text(text: str, filename: str) -> tuple[Orchestration | None, list[Diagnostic]]:
    """Load and validate a spec: the orchestration (``None`` on errors) and every diagnostic,
    warnings included. Never raises for a problem in the spec."""
    try:
        root = compose(text, filename)
    except SpecError as error:
        return None, error.diagnostics
    rep = Reporter(filename)
    orchestration = build(rep, root)
    diagnostics = sorted(rep.diagnostics, key=lambda d: (d.location, d.path))
    return (None if errors_only(diagnostics) else orchestration), diagnostics


def load_spec_text(text: str, filename: str) -> Orchestration:
    """The validated orchestration in ``text``; raises SpecError with every problem."""
    orchestration, diagnostics = check_text(text, filename)
    if orchestration is None:
        raise SpecError(diagnostics, f"{filename}: {_count(diagnostics)}")
    return orchestration


def _read(path: Path) -> tuple[str | None, Diagnostic | None]:
    name = str(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            return None, Diagnostic(
                Location(name), f"the file is larger than {MAX_BYTES:,} bytes; a spec is small"
            )
        return path.read_text(encoding="utf-8"), None
    except UnicodeDecodeError as error:
        return None, Diagnostic(Location(name), f"the file is not UTF-8 text ({error.reason})")
    except OSError as error:
        return None, Diagnostic(Location(name), f"cannot read the file: {error.strerror}")


def load_spec(path: Path) -> Orchestration:
    """The validated orchestration in the file at ``path``; raises SpecError."""
    text, problem = _read(path)
    if text is None:
        assert problem is not None
        raise SpecError([problem], f"{path}: cannot read the spec")
    return load_spec_text(text, str(path))


def validate_paths(paths: list[Path]) -> tuple[list[Orchestration], list[Diagnostic]]:
    """Validate many spec files: the valid orchestrations and all diagnostics (warnings too).

    Two files defining the same orchestration (names compared without case, as Apex class
    names are) is an error on the second one.
    """
    found: list[Orchestration] = []
    diagnostics: list[Diagnostic] = []
    by_name: dict[str, Orchestration] = {}
    for path in paths:
        text, problem = _read(path)
        if text is None:
            diagnostics.append(problem) if problem else None
            continue
        orchestration, file_diagnostics = check_text(text, str(path))
        diagnostics.extend(file_diagnostics)
        if orchestration is None:
            continue
        first = by_name.get(orchestration.name.lower())
        if first is not None:
            diagnostics.append(
                Diagnostic(
                    orchestration.location,
                    f"orchestration '{orchestration.name}' is already defined in "
                    f"{first.source_file}; names must be unique (ignoring case)",
                    path="orchestration",
                    related=(first.location,),
                )
            )
            continue
        by_name[orchestration.name.lower()] = orchestration
        found.append(orchestration)
    return found, diagnostics


def _count(diagnostics: list[Diagnostic]) -> str:
    errors = len(errors_only(diagnostics))
    return f"{errors} problem{'s' if errors != 1 else ''} found"
