"""``run_checks``: every offline check on one sfdx project, the external ones in parallel."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from stepforce.diagnostics import Diagnostic, Location, Severity
from stepforce.errors import UsageError
from stepforce.generator.check import apex_ls, apex_syntax, pmd, prettier, schema
from stepforce.generator.check.ownership import (
    Ownership,
    grade_format,
    load_ownership,
    split_fixable,
)
from stepforce.generator.check.project import SfdxProject, load_project
from stepforce.generator.check.report import CHECK_NAMES, CheckReport, CheckResult, CheckStatus
from stepforce.generator.check.rules import SOURCE as RULES_SOURCE
from stepforce.generator.check.rules import check_rules
from stepforce.generator.check.suppressions import check_suppressions
from stepforce.generator.check.toolbox import Toolbox, prepare_tools
from stepforce.generator.check.tools import ToolRunError, tools_dir

Progress = Callable[[str], None]
#: Where a failure of the tool itself is reported (it has no file of its own).
_TOOL_SOURCES = {
    "schema": schema.SOURCE,
    "syntax": apex_syntax.SOURCE,
    "semantics": apex_ls.SOURCE,
    "pmd": pmd.SOURCE,
    "format": prettier.SOURCE,
    "rules": RULES_SOURCE,
}
#: Checks that run in this process, in the main thread, while the external tools run.
_IN_PROCESS = ("schema", "rules")


@dataclass(frozen=True)
class _Outcome:
    name: str
    diagnostics: list[Diagnostic]
    seconds: float
    files: int
    note: str = ""


def _schema(project: SfdxProject) -> tuple[list[Diagnostic], int]:
    files = project.metadata_files()
    found: list[Diagnostic] = []
    for path in files:
        found += schema.check_metadata_xml(path.read_bytes(), path.name, project.display(path))
    return found, len(files)


def _external(
    name: str, project: SfdxProject, box: Toolbox, owners: Ownership, strict_format: bool
) -> tuple[list[Diagnostic], int]:
    files = project.apex_files()
    base = project.root.resolve()

    def display(path: str) -> str:
        return project.display(base / path)

    if name == "syntax":
        found = apex_syntax.run_syntax(box.runtime("node"), box.tools, files, display)
    elif name == "semantics":
        found = apex_ls.run_apex_ls(box.runtime("java"), box.tools, base, display)
    elif name == "pmd":
        found = pmd.run_pmd(box.runtime("java"), box.tools, files, display)
        for path in files:
            text = path.read_text(encoding="utf-8", errors="replace")
            found += check_suppressions(text, project.display(path))
    else:
        found = prettier.run_prettier(box.runtime("node"), box.tools, files, display)
        found = grade_format(found, project, owners, strict=strict_format)
    return found, len(files)


def _timed(name: str, work: Callable[[], tuple[list[Diagnostic], int]], where: str) -> _Outcome:
    started = time.perf_counter()
    try:
        found, files = work()
        note = ""
    except ToolRunError as error:
        message = f"the {name} check could not run: {error}"
        found = [Diagnostic(Location(where), message, source=_TOOL_SOURCES[name])]
        files, note = 0, str(error).splitlines()[0]
    order = sorted(found, key=lambda d: (d.location, d.source, d.message))
    return _Outcome(name, order, time.perf_counter() - started, files, note)


def _result(outcome: _Outcome) -> CheckResult:
    failed = any(d.is_error for d in outcome.diagnostics)
    status = CheckStatus.FAILED if failed else CheckStatus.PASSED
    return CheckResult(outcome.name, status, outcome.seconds, outcome.files, outcome.note)


def _describe(outcome: _Outcome) -> str:
    errors = sum(1 for d in outcome.diagnostics if d.is_error)
    warnings = len(outcome.diagnostics) - errors
    return (
        f"{outcome.name}: {outcome.files} file(s), {errors} error(s), {warnings} warning(s) "
        f"in {outcome.seconds:.1f} s"
    )


def _selected(only: set[str] | None) -> list[str]:
    if only is None:
        return list(CHECK_NAMES)
    unknown = sorted(set(only) - set(CHECK_NAMES))
    if unknown:
        raise UsageError(
            f"unknown check {', '.join(unknown)}; choose from {', '.join(CHECK_NAMES)}"
        )
    return [name for name in CHECK_NAMES if name in only]


def _fix_format(
    project: SfdxProject, box: Toolbox, owners: Ownership, progress: Progress | None
) -> None:
    if "node" not in box.runtimes:
        return
    yours, owned = split_fixable(project, owners)
    changed = prettier.fix_format(box.runtime("node"), box.tools, yours)
    if progress:
        left = f"; left the {owned} file(s) stepforce generate owns as they are" if owned else ""
        progress(f"format: rewrote {changed} Apex file(s) with prettier-plugin-apex{left}")


def run_checks(
    project_dir: Path,
    *,
    offline: bool = False,
    only: set[str] | None = None,
    progress: Progress | None = None,
    tools: Path | None = None,
    fix_format: bool = False,
    strict_format: bool = False,
) -> CheckReport:
    """Run the offline checks on an sfdx project and return everything they found.

    ``only`` picks checks by name (:data:`CHECK_NAMES`); ``offline`` never installs tools and
    skips, with a warning, the checks whose tools are absent; ``progress`` receives one line per
    finished check (and one before an install); ``fix_format`` rewrites Apex with prettier first,
    except the files ``generate`` owns; unformatted files ``generate`` did not write are warnings
    unless ``strict_format`` (see ``ownership``).
    Raises UsageError for a directory that is not an sfdx project and ToolMissingError for a
    tool that is missing and cannot be installed (unless ``offline``).
    """
    project = load_project(project_dir)
    owners = load_ownership(project.root)
    selected = _selected(only)
    box = prepare_tools(
        selected, (tools or tools_dir()).absolute(), offline=offline, progress=progress
    )
    if fix_format and "format" not in box.skipped:
        _fix_format(project, box, owners, progress)
    where = str(project.root)
    runnable = [n for n in selected if n not in box.skipped and n not in _IN_PROCESS]
    outcomes: dict[str, _Outcome] = {}
    with ThreadPoolExecutor(max_workers=max(1, len(runnable))) as pool:
        # The Java and Node tools run side by side while Python validates the XML here.
        futures: dict[str, Future[_Outcome]] = {
            name: pool.submit(
                _timed,
                name,
                functools.partial(_external, name, project, box, owners, strict_format),
                where,
            )
            for name in runnable
        }
        in_process = {"schema": lambda: _schema(project), "rules": lambda: check_rules(project)}
        for name in (n for n in _IN_PROCESS if n in selected):
            outcomes[name] = _timed(name, in_process[name], where)
            if progress:
                progress(_describe(outcomes[name]))
        for name, future in futures.items():
            outcomes[name] = future.result()
            if progress:
                progress(_describe(outcomes[name]))
    return _assemble(selected, outcomes, box, where, progress)


def _assemble(
    selected: list[str],
    outcomes: dict[str, _Outcome],
    box: Toolbox,
    where: str,
    progress: Progress | None,
) -> CheckReport:
    checks: list[CheckResult] = []
    diagnostics: list[Diagnostic] = []
    for name in selected:
        if name in box.skipped:
            reason = box.skipped[name]
            checks.append(CheckResult(name, CheckStatus.SKIPPED, 0.0, 0, reason))
            message = f"{name} check skipped (--offline): {reason}"
            diagnostics.append(
                Diagnostic(Location(where), message, severity=Severity.WARNING, source="check")
            )
            if progress:
                progress(f"{name}: skipped: {reason}")
            continue
        checks.append(_result(outcomes[name]))
        diagnostics += outcomes[name].diagnostics
    return CheckReport(tuple(checks), tuple(diagnostics))
