"""Every rule of the ``rules`` check, with its stable ID and the page it encodes.

A rule is a pure function of the :class:`ProjectIndex` that yields diagnostics whose
``source`` is ``rules/<ID>``. docs/check.md lists the same table (a test keeps them equal).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from stepforce.diagnostics import Diagnostic
from stepforce.generator.check.rules.model import ProjectIndex

Check = Callable[[ProjectIndex], Iterable[Diagnostic]]


@dataclass(frozen=True)
class Rule:
    """``id`` is stable (users suppress and search by it); ``source`` names the page."""

    id: str
    summary: str
    source: str


def run_rules(index: ProjectIndex, checks: Iterable[Check]) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for check in checks:
        found += check(index)
    return sorted(found, key=lambda d: (d.location, d.source, d.message))
