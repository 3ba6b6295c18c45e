"""The Stepforce permission sets and custom permissions against the runtime on disk.

No Salesforce tool checks that a permission set still covers every class and field after the
runtime grows, that no set lets a user write run state by hand, or that each set grants exactly
its custom permissions; these tests do (docs/security.md, docs/runtime.md "Permission sets").
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

DEFAULT = Path(__file__).resolve().parents[2] / "templates" / "force-app" / "main" / "default"
NS = {"md": "http://soap.sforce.com/2006/04/metadata"}
RUN_OBJECTS = ("Stepforce_Run__c", "Stepforce_Step_Run__c")
SETS = ("Stepforce_Admin", "Stepforce_Operator", "Stepforce_Starter")
#: The custom permissions each set grants (docs/security.md, "Permission sets").
CUSTOM_PERMISSIONS = {
    "Stepforce_Admin": {
        "Stepforce_Start",
        "Stepforce_Control",
        "Stepforce_Admin",
        "Stepforce_Schedule",
    },
    "Stepforce_Operator": {"Stepforce_Start", "Stepforce_Control", "Stepforce_Schedule"},
    "Stepforce_Starter": {"Stepforce_Start"},
}
#: Sets that read every run (View All); the starter reads the runs it owns.
VIEW_ALL = {"Stepforce_Admin": True, "Stepforce_Operator": True, "Stepforce_Starter": False}


def _permission_set(name: str) -> etree._Element:
    path = DEFAULT / "permissionsets" / f"{name}.permissionset-meta.xml"
    return etree.parse(str(path)).getroot()


def _classes_on_disk() -> set[str]:
    """Runtime classes, without test classes (annotated @IsTest)."""
    names = set()
    for path in (DEFAULT / "classes").glob("*.cls"):
        if not re.search(r"^\s*@IsTest", path.read_text(), re.MULTILINE | re.IGNORECASE):
            names.add(path.stem)
    return names


def _permissible_fields(obj: str) -> set[str]:
    """Fields that take field permissions: not master-detail, not required."""
    fields = set()
    for path in (DEFAULT / "objects" / obj / "fields").glob("*.field-meta.xml"):
        root = etree.parse(str(path)).getroot()
        kind = root.findtext("md:type", namespaces=NS)
        required = root.findtext("md:required", namespaces=NS) == "true"
        if kind != "MasterDetail" and not required:
            fields.add(f"{obj}.{path.name.removesuffix('.field-meta.xml')}")
    return fields


def _field_permissions(root: etree._Element) -> dict[str, tuple[bool, bool]]:
    """field -> (readable, editable)."""
    return {
        fp.findtext("md:field", namespaces=NS) or "": (
            fp.findtext("md:readable", namespaces=NS) == "true",
            fp.findtext("md:editable", namespaces=NS) == "true",
        )
        for fp in root.findall("md:fieldPermissions", NS)
    }


def _object_permissions(root: etree._Element, obj: str) -> dict[str, bool]:
    for op in root.findall("md:objectPermissions", NS):
        if op.findtext("md:object", namespaces=NS) == obj:
            # The <object> element itself reads as False: only the flags matter.
            return {etree.QName(child).localname: child.text == "true" for child in op}
    return {}


def _class_access(root: etree._Element) -> set[str]:
    return {
        ca.findtext("md:apexClass", namespaces=NS) or ""
        for ca in root.findall("md:classAccesses", NS)
        if ca.findtext("md:enabled", namespaces=NS) == "true"
    }


def _custom_permissions(root: etree._Element) -> set[str]:
    return {
        cp.findtext("md:name", namespaces=NS) or ""
        for cp in root.findall("md:customPermissions", NS)
        if cp.findtext("md:enabled", namespaces=NS) == "true"
    }


def _user_permissions(root: etree._Element) -> set[str]:
    return {
        up.findtext("md:name", namespaces=NS) or ""
        for up in root.findall("md:userPermissions", NS)
        if up.findtext("md:enabled", namespaces=NS) == "true"
    }


def test_admin_can_use_every_runtime_class() -> None:
    assert _class_access(_permission_set("Stepforce_Admin")) == _classes_on_disk()


@pytest.mark.parametrize("name", SETS)
def test_every_class_a_permission_set_names_exists(name: str) -> None:
    assert _class_access(_permission_set(name)) <= _classes_on_disk()


def test_operator_can_call_the_rest_resource_the_console_and_the_flow_action() -> None:
    assert _class_access(_permission_set("Stepforce_Operator")) == {
        "StepforceConsoleController",
        "StepforceRestResource",
        "StepforceStartRunAction",
    }


def test_starter_can_call_the_rest_resource_and_the_flow_action() -> None:
    assert _class_access(_permission_set("Stepforce_Starter")) == {
        "StepforceRestResource",
        "StepforceStartRunAction",
    }


@pytest.mark.parametrize("name", SETS)
@pytest.mark.parametrize("obj", RUN_OBJECTS)
def test_every_set_reads_every_run_field_and_edits_none(name: str, obj: str) -> None:
    """Engine-owned state: no user can write a run or step run field by hand (FLS)."""
    granted = _field_permissions(_permission_set(name))
    for field in _permissible_fields(obj):
        assert granted.get(field) == (True, False), field


@pytest.mark.parametrize("name", SETS)
@pytest.mark.parametrize("obj", RUN_OBJECTS)
def test_no_set_may_create_edit_or_delete_runs(name: str, obj: str) -> None:
    assert _object_permissions(_permission_set(name), obj) == {
        "allowCreate": False,
        "allowDelete": False,
        "allowEdit": False,
        "allowRead": True,
        "modifyAllRecords": False,
        "object": False,
        "viewAllRecords": VIEW_ALL[name],
    }


@pytest.mark.parametrize("name", SETS)
def test_each_set_grants_exactly_its_custom_permissions(name: str) -> None:
    assert _custom_permissions(_permission_set(name)) == CUSTOM_PERMISSIONS[name]


def test_every_granted_custom_permission_is_defined() -> None:
    defined = {
        p.name.removesuffix(".customPermission-meta.xml")
        for p in (DEFAULT / "customPermissions").glob("*.customPermission-meta.xml")
    }
    assert set().union(*CUSTOM_PERMISSIONS.values()) == defined


def test_only_the_starter_set_goes_without_api_enabled() -> None:
    """A Flow-only starter needs no API access; a REST caller gets API Enabled elsewhere."""
    assert _user_permissions(_permission_set("Stepforce_Admin")) == {"ApiEnabled"}
    assert _user_permissions(_permission_set("Stepforce_Operator")) == {"ApiEnabled"}
    assert _user_permissions(_permission_set("Stepforce_Starter")) == set()


@pytest.mark.parametrize("name", SETS)
def test_every_set_may_publish_start_events(name: str) -> None:
    start = _object_permissions(_permission_set(name), "Stepforce_Start__e")
    assert (start["allowCreate"], start["allowRead"]) == (True, True)


@pytest.mark.parametrize("name", SETS)
def test_nobody_may_publish_relay_events_by_hand(name: str) -> None:
    relay = _object_permissions(_permission_set(name), "Stepforce_Relay__e")
    assert not relay.get("allowCreate", False), name


def test_the_apex_checks_name_the_custom_permissions_the_sets_grant() -> None:
    access = (DEFAULT / "classes" / "StepforceAccess.cls").read_text()
    for name in ("Stepforce_Start", "Stepforce_Control", "Stepforce_Admin"):
        assert f"= '{name}';" in access, name


@pytest.mark.parametrize("name", ["Stepforce_Admin", "Stepforce_Operator"])
def test_the_console_app_and_its_tabs_are_visible(name: str) -> None:
    root = _permission_set(name)
    apps = {
        (a.findtext("md:application", namespaces=NS), a.findtext("md:visible", namespaces=NS))
        for a in root.findall("md:applicationVisibilities", NS)
    }
    tabs = {
        (t.findtext("md:tab", namespaces=NS), t.findtext("md:visibility", namespaces=NS))
        for t in root.findall("md:tabSettings", NS)
    }
    assert apps == {("Stepforce", "true")}
    assert tabs == {
        ("Stepforce_Overview", "Visible"),
        ("Stepforce_Run__c", "Visible"),
        ("Stepforce_Step_Run__c", "Visible"),
    }
