"""The Stepforce permission sets against the runtime on disk.

No Salesforce tool checks that a permission set still covers every class and field after the
runtime grows, or that the operator set stays short of deleting run history; these tests do
(docs/runtime.md, "Permission sets").
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

DEFAULT = Path(__file__).resolve().parents[2] / "templates" / "force-app" / "main" / "default"
NS = {"md": "http://soap.sforce.com/2006/04/metadata"}
RUN_OBJECTS = ("Stepforce_Run__c", "Stepforce_Step_Run__c")
# Engine bookkeeping an operator may read but never set by hand.
# The plan version a run is pinned to: only the engine (system mode) sets or moves it,
# admins included (docs/engine.md, "Plan documents").
PINNED_VERSION = "Stepforce_Run__c.Plan_Version__c"
OPERATOR_READ_ONLY = {
    "Stepforce_Run__c.Job_Id__c",
    "Stepforce_Run__c.Context_File_Id__c",
    PINNED_VERSION,
}
# An audit record nobody may rewrite, admins included: the user each attempt ran as.
READ_ONLY_FOR_ALL = {"Stepforce_Step_Run__c.Ran_As__c", PINNED_VERSION}


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


def test_admin_can_use_every_runtime_class() -> None:
    assert _class_access(_permission_set("Stepforce_Admin")) == _classes_on_disk()


@pytest.mark.parametrize("name", ["Stepforce_Admin", "Stepforce_Operator"])
def test_every_class_a_permission_set_names_exists(name: str) -> None:
    assert _class_access(_permission_set(name)) <= _classes_on_disk()


def test_operator_can_call_the_rest_resource_the_console_and_the_flow_action() -> None:
    assert _class_access(_permission_set("Stepforce_Operator")) == {
        "StepforceConsoleController",
        "StepforceRestResource",
        "StepforceStartRunAction",
    }


@pytest.mark.parametrize("obj", RUN_OBJECTS)
def test_admin_reads_every_field_and_edits_all_but_the_audit_ones(obj: str) -> None:
    granted = _field_permissions(_permission_set("Stepforce_Admin"))
    for field in _permissible_fields(obj):
        assert granted.get(field) == (True, field not in READ_ONLY_FOR_ALL), field


@pytest.mark.parametrize("obj", RUN_OBJECTS)
def test_operator_reads_every_field_and_edits_only_what_a_start_sets(obj: str) -> None:
    granted = _field_permissions(_permission_set("Stepforce_Operator"))
    for field in _permissible_fields(obj):
        editable = obj == "Stepforce_Run__c" and field not in OPERATOR_READ_ONLY
        assert granted.get(field) == (True, editable), field


def test_operator_sees_every_run_but_cannot_delete_one() -> None:
    operator = _permission_set("Stepforce_Operator")
    assert _object_permissions(operator, "Stepforce_Run__c") == {
        "allowCreate": True,
        "allowDelete": False,
        "allowEdit": True,
        "allowRead": True,
        "modifyAllRecords": False,
        "object": False,
        "viewAllRecords": True,
    }
    assert _object_permissions(operator, "Stepforce_Step_Run__c") == {
        "allowCreate": False,
        "allowDelete": False,
        "allowEdit": False,
        "allowRead": True,
        "modifyAllRecords": False,
        "object": False,
        "viewAllRecords": True,
    }


@pytest.mark.parametrize("name", ["Stepforce_Admin", "Stepforce_Operator"])
def test_both_sets_may_publish_start_events(name: str) -> None:
    start = _object_permissions(_permission_set(name), "Stepforce_Start__e")
    assert (start["allowCreate"], start["allowRead"]) == (True, True)


def test_nobody_may_publish_relay_events_by_hand() -> None:
    for name in ("Stepforce_Admin", "Stepforce_Operator"):
        relay = _object_permissions(_permission_set(name), "Stepforce_Relay__e")
        assert not relay.get("allowCreate", False), name


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
