"""The suppression policy: one place, named rules, a reason."""

from __future__ import annotations

from stepforce.generator.check.suppressions import check_suppressions


def _problems(source: str) -> list[tuple[int, str]]:
    return [(d.location.line, d.message) for d in check_suppressions(source, "A.cls")]


def test_nopmd_with_a_reason_is_accepted() -> None:
    line = "return Database.query(soql); // NOPMD - the name is escaped by the caller\n"
    assert _problems(line) == []


def test_bare_nopmd_is_refused_on_its_line() -> None:
    source = "Integer a = 1;\nreturn Database.query(soql); // NOPMD\n"
    problems = _problems(source)
    assert [line for line, _ in problems] == [2]
    assert problems[0][1].startswith("NOPMD without a reason")


def test_a_too_short_reason_is_refused() -> None:
    assert len(_problems("update x; // NOPMD: ok\n")) == 1


def test_suppressing_every_pmd_rule_is_refused() -> None:
    source = "// legacy\n@SuppressWarnings('PMD')\npublic class A {}\n"
    problems = _problems(source)
    assert problems == [
        (2, "@SuppressWarnings('PMD') silences every PMD rule; name each rule (PMD.X)")
    ]


def test_named_rules_need_a_comment_on_the_line_or_above() -> None:
    bare = "\n@SuppressWarnings('PMD.ApexCRUDViolation')\nvoid m() {}\n"
    assert [line for line, _ in _problems(bare)] == [2]
    above = "// runs as the automated process user, CRUD does not apply\n" + bare.lstrip("\n")
    assert _problems(above) == []
    same = "@SuppressWarnings('PMD.ApexCRUDViolation') // the engine owns these rows\n"
    assert _problems(same) == []


def test_other_suppressions_are_not_pmd_business() -> None:
    assert _problems("@SuppressWarnings('all')\nvoid m() {}\n") == []
