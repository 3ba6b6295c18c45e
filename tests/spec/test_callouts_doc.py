"""`callouts: true` is informational (docs/spec.md): the claim, checked against the runtime."""

from __future__ import annotations

import re

from tests.conftest import REPO

CLASSES = REPO / "templates" / "force-app" / "main" / "default" / "classes"
#: Reading or writing a StepDef's flag: `def.callouts`, `step.callouts` ... (not the
#: per-attempt count `current.callouts`, which is Limits.getCallouts()).
_FLAG = re.compile(r"\b(?:def|step|stepDef|s)\.callouts\b")


def test_the_spec_reference_says_callouts_is_informational() -> None:
    row = next(
        line
        for line in (REPO / "docs" / "spec.md").read_text().splitlines()
        if line.startswith("| `callouts` |")
    )
    assert "**Informational.**" in row
    assert "the engine does not read it" in row
    assert "Database.AllowsCallouts" in row


def test_every_step_may_make_callouts_whatever_the_flag() -> None:
    engine = (CLASSES / "StepforceEngine.cls").read_text()
    assert re.search(
        r"class StepforceEngine implements Queueable, Database\.AllowsCallouts", engine
    )
    uses = {path.name for path in CLASSES.glob("*.cls") if _FLAG.search(path.read_text())}
    # Only where a plan sets the flag (the interpreter reads it from the document into the
    # StepDef): no runtime class branches on it.
    assert uses == {"StepforceInterpreter.cls", "StepforceTestPlan.cls"}
