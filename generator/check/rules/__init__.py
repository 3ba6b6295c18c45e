"""Check 6, ``rules``: the Metadata API's deploy-time rules that no schema expresses.

Text limits, API names, per-field-type companions, cross-file references, meta files, the
API-version policy and the WSDL's element order, in pure Python over the parsed metadata.
Each rule has a stable ID (``rules/FIELD-TEXT-LENGTH``) and cites its source; see
docs/check.md for the list.
"""

from __future__ import annotations

from stepforce.diagnostics import Diagnostic
from stepforce.generator.check.project import SfdxProject
from stepforce.generator.check.rules import code, fields, names, order, plans, references, ui
from stepforce.generator.check.rules.model import SOURCE, ProjectIndex, load_index
from stepforce.generator.check.rules.registry import Check, Rule, run_rules

_MODULES = (names, fields, references, code, ui, order, plans)
#: Every rule, in the order docs/check.md lists them.
RULES: tuple[Rule, ...] = tuple(rule for module in _MODULES for rule in module.RULES)
_CHECKS: tuple[Check, ...] = tuple(check for module in _MODULES for check in module.CHECKS)


def check_index(index: ProjectIndex) -> list[Diagnostic]:
    """Every rule's findings on an already-built index."""
    return run_rules(index, _CHECKS)


def check_rules(project: SfdxProject) -> tuple[list[Diagnostic], int]:
    """(findings, number of files read) for one sfdx project."""
    index = load_index(project)
    return check_index(index), len(index.components) + len(index.sources)


__all__ = ["RULES", "SOURCE", "Rule", "check_index", "check_rules"]
