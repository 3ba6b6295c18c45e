"""Check 5: Apex formatting (and a second parse, by Salesforce's jorje) with prettier-plugin-apex.

This is what ``prettier --plugin=prettier-plugin-apex --check`` does, run through prettier's API
by ``data/apex_format.cjs`` in one Node process so we also learn the first line that differs.
The style is the plugin's default: an sfdx project's ``.prettierrc`` usually lists plugins that
prettier could not resolve from our tools directory, so project config files are not read.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from stepforce.diagnostics import Diagnostic, Location
from stepforce.generator.check.tools import ToolRunError, package_dir, run_process

SOURCE = "prettier"
TIMEOUT = 600.0
LAYOUT_DIFFERS = (
    "not formatted the way prettier-plugin-apex formats Apex (first difference on this line)"
)
UNFORMATTED = LAYOUT_DIFFERS + "; `stepforce check --fix-format` rewrites it"


def script_path() -> Path:
    return Path(str(resources.files("stepforce.generator").joinpath("data", "apex_format.cjs")))


def plugin_entry(tools: Path) -> Path:
    """The plugin's ES module entry (prettier cannot import a package directory)."""
    root = package_dir(tools, "prettier-plugin-apex")
    try:
        manifest = json.loads((root / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    entry = manifest.get("exports") or manifest.get("main")
    return root / (entry if isinstance(entry, str) else "dist/src/index.js")


def parse_format_output(stdout: str, display: Callable[[str], str]) -> list[Diagnostic]:
    """Diagnostics from the script's JSON list of ``{file, status, line, message}``."""
    try:
        results = json.loads(stdout)
    except ValueError as error:
        raise ToolRunError(
            f"the format script printed something that is not JSON: {error}"
        ) from error
    if not isinstance(results, list):
        raise ToolRunError("the format script printed JSON that is not a list")
    found: list[Diagnostic] = []
    for result in results:
        status = result.get("status")
        where = Location(display(str(result.get("file", ""))), int(result.get("line", 0)))
        if status == "unformatted":
            found.append(Diagnostic(where, UNFORMATTED, source=SOURCE))
        elif status == "error":
            message = str(result.get("message", "")).rstrip(".") + "."
            text = f"jorje (Salesforce's Apex parser) rejects it: {message}"
            found.append(Diagnostic(where, text, source=SOURCE))
    return found


def _run_script(node: str, tools: Path, files: list[Path], mode: str) -> str:
    command = [
        node,
        str(script_path()),
        str(package_dir(tools, "prettier")),
        str(plugin_entry(tools)),
        mode,
    ]
    stdin = json.dumps([str(f.resolve()) for f in files])
    output = run_process(command, timeout=TIMEOUT, stdin=stdin)
    if output.returncode != 0:
        raise ToolRunError(f"the format script failed (exit {output.returncode}):\n{output.tail()}")
    return output.stdout


def run_prettier(
    node: str, tools: Path, files: list[Path], display: Callable[[str], str]
) -> list[Diagnostic]:
    if not files:
        return []
    return parse_format_output(_run_script(node, tools, files, "check"), display)


def fix_format(node: str, tools: Path, files: list[Path]) -> int:
    """Rewrite ``files`` in place as the check wants them; returns how many changed.

    Files that do not parse stay as they are; the check that follows reports them.
    """
    if not files:
        return 0
    results = json.loads(_run_script(node, tools, files, "write"))
    return sum(1 for r in results if isinstance(r, dict) and r.get("status") == "rewritten")
