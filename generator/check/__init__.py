"""Offline checks of an sfdx project with real Salesforce tooling (no org needed).

``run_checks(project_dir, offline=False, only=None) -> CheckReport`` is the stable entry point:
Metadata API schema validation, apex-parser syntax, apex-ls semantics, PMD rules,
prettier-plugin-apex formatting and the Metadata API's deploy-time rules (``rules/``). See
docs/check.md.
"""

from __future__ import annotations

from stepforce.generator.check.report import (
    CHECK_NAMES,
    CheckReport,
    CheckResult,
    CheckStatus,
    parse_only,
)
from stepforce.generator.check.runner import run_checks
from stepforce.generator.check.tools import tools_dir

__all__ = [
    "CHECK_NAMES",
    "CheckReport",
    "CheckResult",
    "CheckStatus",
    "parse_only",
    "run_checks",
    "tools_dir",
]
