"""Check 2: Apex syntax with the ANTLR grammar of ``@apexdevtools/apex-parser``.

One Node process parses every file (``data/apex_syntax.cjs``) and prints what it found as JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from stepforce.diagnostics import Diagnostic, Location
from stepforce.generator.check.tools import ToolRunError, package_dir, run_process

SOURCE = "apex-parser"
PACKAGE = "@apexdevtools/apex-parser"
TIMEOUT = 300.0

# ANTLR lists every token it could accept; past a handful that is noise, not help.
_EXPECTING = re.compile(r"expecting \{(?P<tokens>[^}]*)\}")
_MAX_TOKENS = 6


def script_path() -> Path:
    return Path(str(resources.files("stepforce.generator").joinpath("data", "apex_syntax.cjs")))


def shorten_expecting(message: str) -> str:
    """``expecting {'a', 'b', ... 180 more}`` -> ``expecting one of 182 tokens``."""

    def replace(match: re.Match[str]) -> str:
        tokens = [t.strip() for t in match["tokens"].split(",")]
        if len(tokens) <= _MAX_TOKENS:
            return match.group(0)
        return f"expecting one of {len(tokens)} tokens (an expression or statement)"

    return _EXPECTING.sub(replace, message)


def parse_syntax_output(stdout: str, display: Callable[[str], str]) -> list[Diagnostic]:
    """Diagnostics from the script's JSON list of ``{file, line, col, message}``."""
    try:
        problems = json.loads(stdout)
    except ValueError as error:
        raise ToolRunError(f"apex-parser printed something that is not JSON: {error}") from error
    if not isinstance(problems, list):
        raise ToolRunError("apex-parser printed JSON that is not a list")
    return [
        Diagnostic(
            Location(display(str(p["file"])), int(p.get("line", 0)), int(p.get("col", 0))),
            # Lexer messages quote the offending text, newlines included: keep one line.
            shorten_expecting(str(p.get("message", ""))).replace("\n", "\\n"),
            source=SOURCE,
        )
        for p in problems
    ]


def run_syntax(
    node: str, tools: Path, files: list[Path], display: Callable[[str], str]
) -> list[Diagnostic]:
    """Parse ``files``; a non-zero exit means the script itself failed, not the Apex."""
    if not files:
        return []
    command = [node, str(script_path()), str(package_dir(tools, PACKAGE))]
    stdin = json.dumps([str(f.resolve()) for f in files])
    output = run_process(command, timeout=TIMEOUT, stdin=stdin)
    if output.returncode != 0:
        raise ToolRunError(
            f"apex-parser script failed (exit {output.returncode}):\n{output.tail()}"
        )
    return parse_syntax_output(output.stdout, display)
