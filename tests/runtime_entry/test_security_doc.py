"""docs/security.md's threat model names tests that exist.

A renamed or deleted test would leave a threat with a control nobody proves; no Salesforce tool
notices, this does.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "security.md"
CLASSES = REPO / "templates" / "force-app" / "main" / "default" / "classes"
APEX_TEST = re.compile(r"`(\w+_Tests)\.(it_should_\w+)`")
PYTHON_TEST = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def _threat_rows() -> list[str]:
    section = DOC.read_text().split("## Threat model", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("| ")][2:]


def test_every_threat_names_a_control_and_a_proof() -> None:
    rows = _threat_rows()
    assert len(rows) >= 12
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split(" | ")]
        assert len(cells) == 5, row
        assert all(cells), row


def test_every_apex_test_the_threat_model_names_exists() -> None:
    named = APEX_TEST.findall(DOC.read_text())
    assert len(named) >= 15
    for cls, method in named:
        source = (CLASSES / f"{cls}.cls").read_text()
        assert re.search(rf"@IsTest\s+static void {method}\(", source), f"{cls}.{method}"


def test_every_python_test_the_threat_model_names_exists() -> None:
    named = PYTHON_TEST.findall(DOC.read_text())
    assert named
    for path, name in named:
        assert f"def {name}(" in (REPO / path).read_text(), f"{path}::{name}"
