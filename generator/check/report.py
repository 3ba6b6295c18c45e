"""What ``run_checks`` returns: per-check results and every problem found."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from stepforce.diagnostics import Diagnostic

#: The checks, in the order they run and are reported.
CHECK_NAMES: tuple[str, ...] = ("schema", "syntax", "semantics", "pmd", "format", "rules")


class CheckStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class CheckResult:
    """One check's outcome; ``note`` says why it was skipped or what it ran."""

    name: str
    status: CheckStatus
    seconds: float
    files: int
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status.value,
            "seconds": round(self.seconds, 3),
            "files": self.files,
            "note": self.note,
        }


@dataclass(frozen=True)
class CheckReport:
    """Everything the offline checks found in one project."""

    checks: tuple[CheckResult, ...]
    diagnostics: tuple[Diagnostic, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when no check found an error (warnings and skipped checks do not count)."""
        return not any(d.is_error for d in self.diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def timings(self) -> dict[str, float]:
        """Seconds per check, by check name."""
        return {c.name: c.seconds for c in self.checks}

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checks": [c.to_json() for c in self.checks],
            "problems": [d.to_json() for d in self.diagnostics],
        }


def parse_only(value: str | None) -> set[str] | None:
    """``"schema, pmd"`` -> ``{"schema", "pmd"}``; raises ValueError naming an unknown check."""
    if value is None or not value.strip():
        return None
    names = {part.strip() for part in value.split(",") if part.strip()}
    unknown = sorted(names - set(CHECK_NAMES))
    if unknown:
        raise ValueError(
            f"unknown check {', '.join(unknown)}; choose from {', '.join(CHECK_NAMES)}"
        )
    return names
