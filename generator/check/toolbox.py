"""Which tools each check needs, and getting them ready (or saying why a check cannot run)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from stepforce.errors import ToolMissingError
from stepforce.generator.check.tools import (
    Runtime,
    find_java,
    find_node,
    install_packages,
    missing_packages,
    pinned_packages,
)

_PMD_ENGINE = "@salesforce/code-analyzer-pmd-engine"

#: check name -> (runtime it runs on, npm packages it needs); schema and rules need nothing
#: external.
NEEDS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "schema": (None, ()),
    "rules": (None, ()),
    "syntax": ("node", ("@apexdevtools/apex-parser",)),
    "semantics": ("java", (_PMD_ENGINE,)),
    "pmd": ("java", (_PMD_ENGINE,)),
    "format": ("node", ("prettier", "prettier-plugin-apex")),
}


def packages_for(check: str) -> list[str]:
    """npm packages ``check`` needs on this machine (the native parser only where published)."""
    wanted = list(NEEDS[check][1])
    if check == "format":
        wanted += [name for name in pinned_packages() if name.startswith("@prettier-apex/")]
    return wanted


@dataclass
class Toolbox:
    """Ready-to-use tool locations, and the checks that cannot run with the reason."""

    tools: Path
    runtimes: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    def runtime(self, name: str) -> str:
        return self.runtimes[name]


_FINDERS: dict[str, Callable[[], Runtime]] = {"java": find_java, "node": find_node}


def _find_runtimes(checks: Iterable[str]) -> dict[str, Runtime]:
    wanted = {NEEDS[c][0] for c in checks} - {None}
    return {name: _FINDERS[name]() for name in sorted(n for n in wanted if n)}


def prepare_tools(
    checks: list[str],
    tools: Path,
    *,
    offline: bool,
    progress: Callable[[str], None] | None = None,
) -> Toolbox:
    """Find runtimes and npm packages for ``checks``; install what is missing unless offline.

    Online, anything missing that cannot be installed is a ToolMissingError naming it; offline,
    the checks that need it are listed in ``skipped`` with the reason.
    """
    runtimes = _find_runtimes(checks)
    box = Toolbox(tools, {n: r.path for n, r in runtimes.items() if r.path and not r.problem})
    problems = sorted({r.problem for r in runtimes.values() if r.problem})
    if problems and not offline:
        raise ToolMissingError(
            "cannot run the offline checks: "
            + "; ".join(problems)
            + " (use --only to pick other checks, or --offline to skip these)"
        )
    missing = sorted({p for c in checks for p in missing_packages(tools, packages_for(c))})
    if missing and not offline:
        install_packages(tools, missing, progress)
        missing = []
    for check in checks:
        runtime_name = NEEDS[check][0]
        runtime = runtimes.get(runtime_name) if runtime_name else None
        absent = [p for p in missing_packages(tools, packages_for(check)) if p in missing]
        if runtime is not None and runtime.problem:
            box.skipped[check] = runtime.problem
        elif absent:
            box.skipped[check] = f"not installed in {tools}: {', '.join(absent)}"
    return box
