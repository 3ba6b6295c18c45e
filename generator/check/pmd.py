"""Check 4: PMD 7 Apex rules (CRUD/FLS, sharing, SOQL injection, limits in loops ...).

Runs PMD through the code-analyzer engine's ``PmdWrapper``: it reads a JSON request naming a
ruleset and the files, and writes violations and processing errors to a JSON file. Its exit
status is 0 whatever it found.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from stepforce.diagnostics import Diagnostic, Location, Severity
from stepforce.generator.check.apex_syntax import shorten_expecting
from stepforce.generator.check.tools import JAVA_FLAGS, ToolRunError, java_lib_dir, run_process

SOURCE = "pmd"
MAIN_CLASS = "com.salesforce.sfca.pmdwrapper.PmdWrapper"
TIMEOUT = 600.0

#: PMD 7.26's security and performance rules for Apex: a violation of one fails the check.
SECURITY_RULES = frozenset(
    {
        "ApexBadCrypto",
        "ApexCRUDViolation",
        "ApexDangerousMethods",
        "ApexInsecureEndpoint",
        "ApexOpenRedirect",
        "ApexSharingViolations",
        "ApexSOQLInjection",
        "ApexSuggestUsingNamedCred",
        "ApexXSSFromEscapeFalse",
        "ApexXSSFromURLParam",
    }
)
PERFORMANCE_RULES = frozenset(
    {
        "AvoidNonRestrictiveQueries",
        "EagerlyLoadedDescribeSObjectResult",
        "OperationWithHighCostInLoop",
        "OperationWithLimitsInLoop",
    }
)
# AvoidDebugStatements sits in PMD's performance category but is about log noise, not limits:
# it only warns, so a System.debug kept for support does not fail a build.
ERROR_RULES = SECURITY_RULES | PERFORMANCE_RULES
_SYNTAX_AT = re.compile(r"Syntax error at (?P<line>\d+):(?P<col>\d+)")


def ruleset_path() -> Path:
    return Path(str(resources.files("stepforce.generator").joinpath("data", "pmd-ruleset.xml")))


def build_request(ruleset: Path, files: list[Path]) -> dict[str, Any]:
    """The PmdWrapper ``run`` request: absolute paths, Apex only."""
    return {
        "ruleSetInputFile": str(ruleset),
        "runDataPerLanguage": {"apex": {"filesToScan": [str(f.resolve()) for f in files]}},
    }


def _processing_error(entry: dict[str, Any], display: Callable[[str], str]) -> Diagnostic:
    # The message repeats the parser's exception chain; its first useful line says enough.
    lines = [line.strip() for line in str(entry.get("message", "")).splitlines() if line.strip()]
    message = shorten_expecting(lines[-1] if lines else "PMD could not process this file")
    at = _SYNTAX_AT.search(message)
    line, col = (int(at["line"]), int(at["col"]) + 1) if at else (0, 0)
    return Diagnostic(
        Location(display(str(entry.get("file", ""))), line, col),
        f"PMD could not analyse this file: {message}",
        source=f"{SOURCE}/ProcessingError",
    )


def parse_pmd_output(data: Any, display: Callable[[str], str]) -> list[Diagnostic]:
    """Diagnostics from the wrapper's results: ``violations`` and ``processingErrors``."""
    if not isinstance(data, dict):
        raise ToolRunError("PMD wrote results that are not a JSON object")
    found: list[Diagnostic] = []
    for violation in data.get("violations", []):
        rule = str(violation.get("rule", "unknown"))
        where = violation.get("codeLocation", {})
        severity = Severity.ERROR if rule in ERROR_RULES else Severity.WARNING
        found.append(
            Diagnostic(
                Location(
                    display(str(where.get("file", ""))),
                    int(where.get("startLine", 0)),
                    int(where.get("startCol", 0)),
                ),
                str(violation.get("message", "")).strip(),
                severity=severity,
                source=f"{SOURCE}/{rule}",
            )
        )
    found += [_processing_error(e, display) for e in data.get("processingErrors", [])]
    return found


def run_pmd(
    java: str, tools: Path, files: list[Path], display: Callable[[str], str]
) -> list[Diagnostic]:
    if not files:
        return []
    with tempfile.TemporaryDirectory(prefix="stepforce-pmd-") as work:
        request = Path(work) / "request.json"
        results = Path(work) / "results.json"
        request.write_text(json.dumps(build_request(ruleset_path(), files)), encoding="utf-8")
        classpath = str(java_lib_dir(tools) / "*")
        command = [
            java,
            *JAVA_FLAGS,
            "-cp",
            classpath,
            MAIN_CLASS,
            "run",
            str(request),
            str(results),
        ]
        output = run_process(command, timeout=TIMEOUT, cwd=Path(work))
        if output.returncode != 0 or not results.is_file():
            raise ToolRunError(f"PMD failed (exit {output.returncode}):\n{output.tail()}")
        try:
            data = json.loads(results.read_text(encoding="utf-8"))
        except ValueError as error:
            raise ToolRunError(f"PMD wrote results that are not JSON: {error}") from error
    return parse_pmd_output(data, display)
