"""docs/engine.md's "Platform assumptions" table stays honest, and the runtime's Apex avoids the
platform traps the table records.

No Salesforce tool checks that a covering test named in the table exists (a renamed test leaves
a claim without a test), nor that a test finds a standard profile by its translated name.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ENGINE_DOC = REPO / "docs" / "engine.md"
CLASSES = REPO / "templates" / "force-app" / "main" / "default" / "classes"
#: `Class_Tests.it_should_...` as the table names a covering test.
TEST_REFERENCE = re.compile(r"`(\w+_Tests)\.(it_should_\w+)`")
#: An @IsTest method declaration (prettier puts the annotation on the line before).
TEST_METHOD = re.compile(r"@IsTest\s+static void (it_should_\w+)\(")
#: A query that finds a setup record by a Name the platform translates.
TRANSLATED_NAME_QUERY = re.compile(
    r"\bFROM\s+(?:Profile|UserRole|RecordType|PermissionSetLicense)\s+WHERE\s+[^\]]*?\bName\s*=",
    re.IGNORECASE,
)
#: A Python test that covers a row no Apex test can (e.g. shipped metadata), by file name.
PYTHON_TEST_REFERENCE = re.compile(r"`(?:[\w/]+/)?(test_\w+\.py)(?:::\w+)?`")
#: A scenario of tests/scenarios, which the simulator runs and which is emitted as an Apex test.
SCENARIO_REFERENCE = re.compile(r"`tests/scenarios/(\w+\.yaml)`")
TESTS_DIR = REPO / "tests"
CONFIDENCE = {"documented", "community-reported", "believed"}


def _table_rows(markdown: str) -> list[list[str]]:
    """The cells of every row of the table under "## Platform assumptions"."""
    section = markdown.split("## Platform assumptions", 1)[1]
    section = re.split(r"^## ", section, maxsplit=1, flags=re.MULTILINE)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in row.strip("|").split(" | ")] for row in rows[1:]]


def _apex_tests() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for path in CLASSES.glob("*_Tests.cls"):
        source = path.read_text(encoding="utf-8")
        found |= {(path.stem, name) for name in TEST_METHOD.findall(source)}
    return found


def _missing_tests(markdown: str, tests: set[tuple[str, str]]) -> list[str]:
    return [
        f"{cls}.{name}"
        for row in _table_rows(markdown)
        for cls, name in TEST_REFERENCE.findall(row[-1])
        if (cls, name) not in tests
    ]


def test_the_table_has_its_columns_a_confidence_and_the_marker_for_more_rows() -> None:
    markdown = ENGINE_DOC.read_text(encoding="utf-8")
    rows = _table_rows(markdown)
    assert len(rows) >= 30
    for row in rows:
        assert len(row) == 4, row
        assert any(row[2].startswith(level) for level in CONFIDENCE), row
        # A covering test, or "—" and the reason none can exist.
        covered = (
            TEST_REFERENCE.search(row[3])
            or PYTHON_TEST_REFERENCE.search(row[3])
            or SCENARIO_REFERENCE.search(row[3])
        )
        assert covered or row[3].startswith("— "), row
    section = markdown.split("## Platform assumptions", 1)[1]
    assert "<!-- engine rows -->" in section


def test_every_covering_test_named_in_the_table_exists() -> None:
    assert _missing_tests(ENGINE_DOC.read_text(encoding="utf-8"), _apex_tests()) == []


def test_every_python_test_named_in_the_table_exists() -> None:
    section = ENGINE_DOC.read_text(encoding="utf-8").split("## Platform assumptions", 1)[1]
    named = set(PYTHON_TEST_REFERENCE.findall(section))
    existing = {path.name for path in TESTS_DIR.rglob("test_*.py")}
    assert named - existing == set()
    scenarios = set(SCENARIO_REFERENCE.findall(section))
    assert {name for name in scenarios if not (TESTS_DIR / "scenarios" / name).is_file()} == set()


def test_a_renamed_covering_test_is_reported() -> None:
    table = (
        "## Platform assumptions\n| assumption | source | confidence | test |\n|---|---|---|---|\n"
        "| x | y | documented | `StepforceCoerce_Tests.it_should_not_exist_at_all` |\n"
    )
    assert _missing_tests(table, _apex_tests()) == [
        "StepforceCoerce_Tests.it_should_not_exist_at_all"
    ]


@pytest.mark.parametrize("path", sorted(CLASSES.glob("*.cls")), ids=lambda p: p.name)
def test_no_apex_finds_a_setup_record_by_its_translated_name(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert not TRANSLATED_NAME_QUERY.search(source), (
        f"{path.name}: standard profile (and role, record type) names are translated in orgs "
        "whose language is not English; find the record by its properties"
    )


@pytest.mark.parametrize(
    ("query", "flagged"),
    [
        ("[SELECT Id FROM Profile WHERE Name = 'Standard User' LIMIT 1]", True),
        ("[\n  SELECT Id\n  FROM Profile\n  WHERE UserType = 'Standard' AND Name = :n\n]", True),
        ("[SELECT Id FROM PermissionSet WHERE Name = :permissionSet]", False),
        ("[SELECT ProfileId FROM PermissionSet WHERE IsOwnedByProfile = TRUE]", False),
    ],
)
def test_the_translated_name_rule_flags_profile_names_only(query: str, flagged: bool) -> None:
    assert bool(TRANSLATED_NAME_QUERY.search(query)) is flagged
