"""The suppression policy: a PMD finding may be silenced on one place, with the reason why.

Accepted: ``// NOPMD - <reason>`` at the end of the one offending line, and
``@SuppressWarnings('PMD.RuleName')`` naming the rules, with a ``//`` comment saying why on the
same line or the line above. Refused: a bare ``NOPMD``, and ``@SuppressWarnings('PMD')``, which
silences every rule on a whole class or method. Reported as part of the ``pmd`` check.
"""

from __future__ import annotations

import re

from stepforce.diagnostics import Diagnostic, Location

SOURCE = "pmd/Suppression"
MIN_REASON = 10

_NOPMD = re.compile(r"//.*?\bNOPMD\b(?P<reason>.*)$")
_SUPPRESS = re.compile(r"@SuppressWarnings\s*\(\s*'(?P<names>[^']*)'\s*\)", re.IGNORECASE)
_COMMENT = re.compile(r"//\s*\S")


def _reason_of(text: str) -> str:
    return text.strip().lstrip("-:").strip()


def _suppress_problems(line: str, previous: str, location: Location) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for match in _SUPPRESS.finditer(line):
        names = [n.strip() for n in match["names"].split(",")]
        pmd = [n for n in names if n.upper() == "PMD" or n.upper().startswith("PMD.")]
        if any(n.upper() == "PMD" for n in pmd):
            message = "@SuppressWarnings('PMD') silences every PMD rule; name each rule (PMD.X)"
            found.append(Diagnostic(location, message, source=SOURCE))
        elif pmd and not (_COMMENT.search(line[match.end() :]) or _COMMENT.search(previous)):
            message = (
                f"@SuppressWarnings('{match['names']}') needs a // comment saying why, "
                "on the same line or the line above"
            )
            found.append(Diagnostic(location, message, source=SOURCE))
    return found


def check_suppressions(source: str, display: str) -> list[Diagnostic]:
    """Suppressions in one Apex file that break the policy."""
    found: list[Diagnostic] = []
    previous = ""
    for number, line in enumerate(source.splitlines(), start=1):
        nopmd = _NOPMD.search(line)
        if nopmd and len(_reason_of(nopmd["reason"])) < MIN_REASON:
            message = "NOPMD without a reason: write `// NOPMD - <why this line is safe>`"
            found.append(Diagnostic(Location(display, number), message, source=SOURCE))
        found += _suppress_problems(line, previous, Location(display, number))
        previous = line
    return found
