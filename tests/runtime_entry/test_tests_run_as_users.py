"""The runtime's Apex tests reach user-mode paths only as a user holding a Stepforce set.

User mode enforces the running user's object and field permissions, and in an org the profile
that runs the tests holds none on the fields a Metadata API deploy created. No Salesforce tool
notices a test that starts or reads runs as that user; this does (docs/runtime.md, "Who the
tests run as").
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CLASSES = Path(__file__).resolve().parents[2] / "templates/force-app/main/default/classes"
TEST_CLASSES = sorted(CLASSES.glob("*_Tests.cls"))
#: Calls that run in user mode: starts, reads, control actions, the Flow action, schedules.
USER_MODE_CALL = re.compile(
    r"StepforceService\.(?:start|startAll|pause|resume|cancel|retry)\("
    r"|StepforceRuns\.(?:getRun|listRuns)\("
    r"|StepforceEntryTestSupport\.start\("
    r"|StepforceRestResource\.do\w+\("
    r"|StepforceRestTestSupport\.call\("
    r"|StepforceStartRunAction\.startRuns\("
    r"|StepforceScheduledStart\.schedule\("
    r"|new StepforceScheduledStart\("
    r"|new StepforceStarter\(\s*System\.AccessLevel\.USER_MODE"
)
#: A static method at class level (two-space indent) and its body, up to its closing brace.
METHOD = re.compile(
    r"^(  @IsTest\n)?  (?:private |public )?static [\w<>., ]+? (\w+)\([^)]*\) \{\n(.*?)^  \}$",
    re.MULTILINE | re.DOTALL,
)


def _methods(path: Path) -> list[tuple[bool, str, str]]:
    """(is a test, name, body) of every static method of the class."""
    return [(bool(m.group(1)), m.group(2), m.group(3)) for m in METHOD.finditer(path.read_text())]


def _user_mode_position(body: str, helpers: set[str]) -> int | None:
    """Where the body first reaches user mode, directly or through one of `helpers`."""
    found = [m.start() for m in USER_MODE_CALL.finditer(body)]
    found += [m.start() for h in helpers for m in re.finditer(rf"(?<![.\w]){h}\(", body)]
    return min(found) if found else None


def _user_mode_helpers(methods: list[tuple[bool, str, str]]) -> set[str]:
    """Names of the non-test methods that reach user mode, directly or through each other."""
    helpers: set[str] = set()
    grew = True
    while grew:
        grew = False
        for is_test, name, body in methods:
            if is_test or name in helpers:
                continue
            if _user_mode_position(body, helpers) is not None:
                helpers.add(name)
                grew = True
    return helpers


def _user_mode_tests(path: Path) -> dict[str, int]:
    """For each test that reaches user mode: how far after its first System.runAs it does
    (0 or less when it reaches user mode first, -1 when it has no runAs at all)."""
    methods = _methods(path)
    helpers = _user_mode_helpers(methods)
    gaps: dict[str, int] = {}
    for is_test, name, body in methods:
        first = _user_mode_position(body, helpers)
        if is_test and first is not None:
            run_as = body.find("System.runAs(")
            gaps[name] = first - run_as if run_as >= 0 else -1
    return gaps


@pytest.mark.parametrize("path", TEST_CLASSES, ids=lambda p: p.stem)
def test_every_user_mode_call_of_a_test_runs_inside_system_run_as(path: Path) -> None:
    outside = [name for name, gap in _user_mode_tests(path).items() if gap <= 0]
    assert outside == [], f"{path.stem}: user mode reached before or without System.runAs"


def test_the_guard_sees_the_entry_point_tests() -> None:
    """The check above is not vacuous: it finds the tests that start, read and control runs."""
    counts = {path.stem: len(_user_mode_tests(path)) for path in TEST_CLASSES}
    assert counts["StepforceService_Tests"] == 28
    assert counts["StepforceRestResource_Tests"] == 11
    assert counts["StepforceRestHostile_Tests"] == 4
    assert counts["StepforceRestPaging_Tests"] == 7
    assert counts["StepforceStartRunAction_Tests"] == 4
    assert counts["StepforceScheduledStart_Tests"] == 8
    assert counts["StepforceSweeper_Tests"] == 8
    assert counts["StepforcePlatform_Tests"] == 3
    assert counts["StepforceStarter_Tests"] == 5
    assert counts["StepforcePermissions_Tests"] == 9
    assert counts["StepforceEngine_Tests"] == 0, "the engine's tests run in system mode"


def test_test_users_are_made_apart_from_the_tests_record_dml() -> None:
    """User and PermissionSetAssignment are setup objects: inserted inside the running
    user's runAs block, they never raise MIXED_DML_OPERATION with a test's run records."""
    path = CLASSES / "StepforceEntryTestSupport.cls"
    support = path.read_text()
    body = next(b for _, name, b in _methods(path) if name == "userWith")
    block = body.index("System.runAs(new User(Id = UserInfo.getUserId())) {")
    assert block < body.index("insert user;") < body.index("insert new PermissionSetAssignment(")
    assert "return userWith(ADMIN_PERMISSION_SET);" in support
    assert "public static final String ADMIN_PERMISSION_SET = 'Stepforce_Admin';" in support
    assert "public static final String OPERATOR_PERMISSION_SET = 'Stepforce_Operator';" in support
    assert "public static final String STARTER_PERMISSION_SET = 'Stepforce_Starter';" in support


#: Setup objects a test may insert (directly, or through StepforceEntryTestSupport's users).
SETUP_DML = re.compile(
    r"StepforceEntryTestSupport\.(?:admin|operator|starter|userWith)\("
    r"|\bnew (?:User|PermissionSet|PermissionSetAssignment|ObjectPermissions|FieldPermissions"
    r"|SetupEntityAccess|Group|GroupMember)\("
)


@pytest.mark.parametrize("path", TEST_CLASSES, ids=lambda p: p.stem)
def test_a_class_whose_tests_insert_users_does_not_run_in_parallel(path: Path) -> None:
    """Setup objects "also can't be used with the @IsTest(IsParallel=true) annotation"
    (Apex Developer Guide, "sObjects That Can't Be Used Together in DML Operations"): User,
    PermissionSet, PermissionSetAssignment, ObjectPermissions, SetupEntityAccess. A parallel
    class that makes a test user fails in an org, and with it a RunLocalTests deploy."""
    source = path.read_text()
    if SETUP_DML.search(source):
        assert not re.search(r"@IsTest\s*\(\s*IsParallel\s*=\s*true", source, re.IGNORECASE), (
            f"{path.stem} inserts users or permission sets: drop IsParallel=true"
        )
