"""Diagnostics: one located message about a file, shared by validate, generate and check."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Location:
    """A place in a file; line and column are 1-based, 0 when unknown."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line and self.col:
            return f"{self.file}:{self.line}:{self.col}"
        if self.line:
            return f"{self.file}:{self.line}"
        return self.file


@dataclass(frozen=True)
class Diagnostic:
    """One problem, in the user's terms.

    ``path`` is the field path inside a spec (``steps[1].inputs.since``) or empty; ``source``
    names the tool or rule that found it (``spec``, ``apex-ls/Error``, ``pmd/ApexCRUDViolation``);
    ``related`` holds other places the message refers to (e.g. the Flow file of a mismatch).
    """

    location: Location
    message: str
    severity: Severity = Severity.ERROR
    path: str = ""
    source: str = "spec"
    related: tuple[Location, ...] = field(default=())

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def __str__(self) -> str:
        where = f"{self.location}: "
        what = f"{self.source}: " if self.source else ""
        field_path = f"{self.path}: " if self.path else ""
        tail = "".join(f" (see {loc})" for loc in self.related)
        sev = "" if self.is_error else "warning: "
        return f"{where}{sev}{what}{field_path}{self.message}{tail}"

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.location.file,
            "line": self.location.line,
            "col": self.location.col,
            "severity": self.severity.value,
            "source": self.source,
            "path": self.path,
            "message": self.message,
            "related": [{"file": r.file, "line": r.line, "col": r.col} for r in self.related],
        }


def errors_only(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.is_error]
