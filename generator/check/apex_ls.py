"""Check 3: Apex semantics with apex-ls (unknown names and types, missing meta files ...).

apex-ls ships as jars inside the code-analyzer PMD engine package. Its ``CheckForIssues`` exits
0 when clean and 4 when it reports anything (also for a wrong directory, which it reports as an
issue), so the exit status alone says little: we read its JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from stepforce.diagnostics import Diagnostic, Location, Severity
from stepforce.generator.check.tools import JAVA_FLAGS, ToolRunError, java_lib_dir, run_process

SOURCE = "apex-ls"
MAIN_CLASS = "io.github.apexdevtools.apexls.CheckForIssues"
#: Categories that would stop a deploy; anything else (Warning, Unused ...) warns.
ERROR_CATEGORIES = frozenset({"Syntax", "Error", "Missing"})
_EXPECTED_EXITS = (0, 4)
TIMEOUT = 600.0


def parse_apex_ls_output(stdout: str, display: Callable[[str], str]) -> list[Diagnostic]:
    """Diagnostics from ``CheckForIssues -f json``: ``{"files": [{"path", "messages"}]}``."""
    start = stdout.find("{")
    try:
        data = json.loads(stdout[start:]) if start >= 0 else None
    except ValueError as error:
        raise ToolRunError(f"apex-ls printed something that is not JSON: {error}") from error
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        raise ToolRunError("apex-ls printed JSON without a 'files' list")
    found: list[Diagnostic] = []
    for entry in data["files"]:
        path = display(str(entry.get("path", "")))
        for message in entry.get("messages", []):
            category = str(message.get("category", "Error"))
            where = message.get("start", {})
            line = int(where.get("line", 0))
            # apex-ls columns ("offset") are 0-based; ours are 1-based.
            col = int(where.get("offset", 0)) + 1 if line else 0
            severity = Severity.ERROR if category in ERROR_CATEGORIES else Severity.WARNING
            found.append(
                Diagnostic(
                    Location(path, line, col),
                    str(message.get("message", "")),
                    severity=severity,
                    source=f"{SOURCE}/{category}",
                )
            )
    return found


def run_apex_ls(
    java: str, tools: Path, project_root: Path, display: Callable[[str], str]
) -> list[Diagnostic]:
    """Run apex-ls on the whole project (it reads sfdx-project.json itself)."""
    classpath = str(java_lib_dir(tools) / "*")
    # -n: no cache, so nothing is written to the user's home directory.
    command = [
        java,
        *JAVA_FLAGS,
        "-cp",
        classpath,
        MAIN_CLASS,
        "-n",
        "-f",
        "json",
        "-w",
        str(project_root),
    ]
    output = run_process(command, timeout=TIMEOUT, cwd=project_root)
    if output.returncode not in _EXPECTED_EXITS:
        raise ToolRunError(f"apex-ls failed (exit {output.returncode}):\n{output.tail()}")
    return parse_apex_ls_output(output.stdout, display)
