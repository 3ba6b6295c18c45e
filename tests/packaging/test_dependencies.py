"""Every third-party module the installed code imports is a declared dependency."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("cli", "generator", "runtime_client", "stepforce")
# Import name -> distribution name, where they differ.
DISTRIBUTION = {"jwt": "pyjwt", "yaml": "pyyaml", "simple_salesforce": "simple-salesforce"}
# Opt-in extras, imported lazily by the code that needs them.
OPTIONAL = {"cumulusci"}


def _declared() -> dict[str, str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    specs: list[str] = project["dependencies"]
    return {re.split(r"[\[<>=!~ ]", spec, maxsplit=1)[0].lower(): spec for spec in specs}


def _imported_top_levels() -> set[str]:
    found: set[str] = set()
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    found.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"stepforce", "__future__"} - OPTIONAL


def test_every_imported_third_party_module_is_declared() -> None:
    declared = _declared()
    missing = sorted(
        name for name in _imported_top_levels() if DISTRIBUTION.get(name, name) not in declared
    )
    assert missing == [], f"imported but not in [project] dependencies: {missing}"


def test_pyjwt_is_declared_with_its_crypto_extra_for_rs256() -> None:
    # jwt_auth signs with RS256, which PyJWT only supports with cryptography installed.
    assert _declared()["pyjwt"].startswith("pyjwt[crypto]")
