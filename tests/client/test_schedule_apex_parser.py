"""The anonymous Apex of a schedule, checked with the real Apex parser (apex-parser, Node)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from stepforce.generator.check.toolbox import packages_for
from stepforce.generator.check.tools import install_packages, missing_packages, tools_dir
from stepforce.runtime_client.schedule import abort_body, schedule_body

# Resolved at import, before the autouse fixture points HOME at a temporary directory.
TOOLS = tools_dir(dict(os.environ), Path.home())
PARSER = TOOLS / "node_modules/@apexdevtools/apex-parser"


@pytest.fixture
def parser() -> Path:
    """apex-parser in the tools cache, installed first when missing (as `stepforce check`
    does), so this test runs in CI whatever ran before it."""
    if shutil.which("node") is None:
        pytest.skip("needs Node.js")
    missing = missing_packages(TOOLS, packages_for("syntax"))
    if missing:
        install_packages(TOOLS, missing)
    return PARSER


SCRIPT = """
const { ApexParserFactory, ApexParseTreeWalker, ApexParserBaseListener } = require(process.argv[2]);
const bodies = JSON.parse(require("fs").readFileSync(process.argv[3], "utf8"));
const out = bodies.map((body) => {
  const parser = ApexParserFactory.createParser(body);
  const errors = [];
  parser.removeErrorListeners();
  parser.addErrorListener({ syntaxError: (r, s, l, c, msg) => errors.push(msg),
    reportAmbiguity() {}, reportAttemptingFullContext() {}, reportContextSensitivity() {} });
  const tree = parser.anonymousUnit();
  let statements = 0; const literals = [];
  class Listener extends ApexParserBaseListener {
    enterStatement() { statements++; }
    enterLiteral(ctx) { literals.push(ctx.getText()); }
  }
  ApexParseTreeWalker.DEFAULT.walk(new Listener(), tree);
  return { errors, statements, literals: literals.length };
});
console.log(JSON.stringify(out));
"""

PAYLOADS = [
    "x'); System.abortJob('08e000000000001'); //",
    "x\\'); delete [SELECT Id FROM Account]; //",
    "line1\nSystem.debug('injected');\r\t\b\f",
    "\\",
    "'",
    "\u0000\u001f\u007f",
    'ünïcødé \u2028 "dq" /* comment',
]


def _printable(text: str) -> str:
    return "".join(char for char in text if char >= " ")


@pytest.mark.slow
def test_injection_payloads_parse_as_one_call_with_four_literals(
    tmp_path: Path, parser: Path
) -> None:
    bodies = [
        # A control character in a name is refused before any call (tests/client/test_schedule);
        # in the inputs it travels as JSON's own escape.
        schedule_body(_printable("Nightly " + p[:10]), "0 0 2 * * ?", "Invoice_Sync", {"n": p})
        for p in PAYLOADS
    ]
    (tmp_path / "bodies.json").write_text(json.dumps([*bodies, abort_body(["08e5g00000ABCDEAAA"])]))
    (tmp_path / "parse.cjs").write_text(SCRIPT)
    done = subprocess.run(
        ["node", str(tmp_path / "parse.cjs"), str(parser), str(tmp_path / "bodies.json")],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    results = json.loads(done.stdout)
    assert results[:-1] == [{"errors": [], "statements": 1, "literals": 4}] * len(PAYLOADS)
    assert results[-1] == {"errors": [], "statements": 1, "literals": 1}
