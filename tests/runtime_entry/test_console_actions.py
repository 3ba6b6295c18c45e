"""The console offers exactly the actions StepforceService accepts for each run status.

StepforceConsoleController.ACTION_STATUSES mirrors the sets StepforceService.requireStatus
checks (the service's are inline, so Apex cannot share them); this test keeps the two equal,
so the console never shows a button the service would refuse, or hides one it would take.
"""

from __future__ import annotations

import re
from pathlib import Path

CLASSES = Path(__file__).resolve().parents[2] / "templates/force-app/main/default/classes"


def _statuses(body: str) -> frozenset[str]:
    return frozenset(
        part.strip().removeprefix("StepforceService.") for part in body.split(",") if part.strip()
    )


def _service_rules() -> dict[str, frozenset[str]]:
    source = (CLASSES / "StepforceService.cls").read_text()
    pattern = r"requireStatus\(\s*run,\s*'(\w+)',\s*new Set<String>\{([^}]*)\}\s*\)"
    return {action: _statuses(body) for action, body in re.findall(pattern, source)}


def _console_rules() -> dict[str, frozenset[str]]:
    source = (CLASSES / "StepforceConsoleController.cls").read_text()
    block = source[source.index("ACTION_STATUSES = new Map") :]
    block = block[: block.index("};")]
    pattern = r"'(\w+)' => new Set<String>\{([^}]*)\}"
    return {action: _statuses(body) for action, body in re.findall(pattern, block)}


def test_the_console_allows_each_action_in_the_statuses_the_service_accepts() -> None:
    service = _service_rules()
    assert set(service) == {"pause", "resume", "cancel", "retry"}
    assert _console_rules() == service
