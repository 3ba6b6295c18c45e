"""Cross-file references: permission sets, triggers and custom metadata records naming
components the project does not hold, or holds in a form the deploy refuses.

Only references a deploy of this project must resolve are judged: custom (``__c``, ``__e``,
``__mdt``) components without a namespace prefix, the project's classes, tabs and apps.
Standard objects and fields, and namespaced components, live in the org and are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from stepforce.diagnostics import Diagnostic, Location
from stepforce.generator.check.rules.model import (
    Component,
    ProjectIndex,
    child,
    child_text,
    children,
    line_of,
)
from stepforce.generator.check.rules.registry import Check, Rule

PERMSET_REFERENCE = "PERMSET-UNKNOWN-REFERENCE"
PERMSET_FIELD = "PERMSET-REQUIRED-FIELD"
TRIGGER_OBJECT = "TRIGGER-UNKNOWN-OBJECT"
EVENT_TRIGGER = "EVENT-TRIGGER-TIMING"
RECORD_FIELD = "MDT-RECORD-FIELD"
RECORD_VALUE = "MDT-RECORD-VALUE-TYPE"

RULES = (
    Rule(
        PERMSET_REFERENCE,
        "permission sets name only objects, fields, classes, tabs and "
        "apps the project (or the platform) has",
        "Metadata API Developer Guide: PermissionSet",
    ),
    Rule(
        PERMSET_FIELD,
        "no field permissions on required or master-detail fields (the "
        "deploy rejects them: such fields are always readable and editable)",
        "Metadata API Developer Guide: PermissionSet (fieldPermissions); Profile",
    ),
    Rule(
        TRIGGER_OBJECT,
        "a trigger's object is a custom object of the project",
        "Apex Developer Guide: Triggers; Metadata API: ApexTrigger",
    ),
    Rule(
        EVENT_TRIGGER,
        "platform-event triggers are after insert only",
        "Platform Events Developer Guide: Subscribe to Platform Event Notifications with "
        "Apex Triggers",
    ),
    Rule(
        RECORD_FIELD,
        "custom metadata records name their type and its fields",
        "Metadata API Developer Guide: CustomMetadata",
    ),
    Rule(
        RECORD_VALUE,
        "custom metadata values carry the xsi:type of their field's type",
        "Metadata API Developer Guide: CustomMetadata (CustomMetadataValue)",
    ),
)

_CUSTOM = re.compile(r"^[A-Za-z][A-Za-z0-9_]*__(c|e|mdt)$", re.IGNORECASE)


def ours(name: str) -> bool:
    """A custom component without a namespace prefix: the project must hold it."""
    return bool(_CUSTOM.match(name)) and name.count("__") == 1


def _unknown(component: Component, element: object, what: str, name: str) -> Diagnostic:
    return Diagnostic(
        Location(component.display, line_of(element)),
        f"{what} {name!r} is not in this project",
        source=f"rules/{PERMSET_REFERENCE}",
    )


def _permission_set(perm: Component, index: ProjectIndex) -> Iterator[Diagnostic]:
    objects, fields = index.objects, index.fields
    for entry in children(perm.root, "objectPermissions"):
        name = child_text(entry, "object") or ""
        if ours(name) and name.lower() not in objects:
            yield _unknown(perm, child(entry, "object"), "object", name)
    for entry in children(perm.root, "fieldPermissions"):
        ref = child_text(entry, "field") or ""
        obj, _dot, name = ref.partition(".")
        element = child(entry, "field")
        if ours(obj) and obj.lower() not in objects:
            yield _unknown(perm, element, "object", obj)
            continue
        field = fields.get(ref.lower())
        if field is None:
            if ours(obj) and ours(name):
                yield _unknown(perm, element, "field", ref)
            continue
        if field.text("required") == "true" or field.text("type") == "MasterDetail":
            why = "master-detail" if field.text("type") == "MasterDetail" else "required"
            yield perm.problem(
                PERMSET_FIELD,
                f"{ref} is a {why} field: a permission set cannot grant field "
                "permissions on it (remove this entry)",
                element,
            )
    references = (
        ("classAccesses", "apexClass", "ApexClass", "class"),
        ("tabSettings", "tab", "CustomTab", "tab"),
        ("applicationVisibilities", "application", "CustomApplication", "app"),
    )
    for group, tag, kind, what in references:
        known = index.names(kind)
        for entry in children(perm.root, group):
            name = child_text(entry, tag) or ""
            platform = "__" in name.removesuffix("__c") or name.startswith("standard-")
            if name and not platform and name.lower() not in known:
                yield _unknown(perm, child(entry, tag), what, name)


def permission_sets(index: ProjectIndex) -> Iterator[Diagnostic]:
    for perm in index.of_kind("PermissionSet"):
        yield from _permission_set(perm, index)


_TRIGGER = re.compile(
    r"^\s*trigger\s+\w+\s+on\s+(?P<object>[\w.]+)\s*\((?P<events>[^)]*)\)",
    re.IGNORECASE | re.MULTILINE,
)
_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)


def triggers(index: ProjectIndex) -> Iterator[Diagnostic]:
    objects = index.objects
    for source in index.sources:
        if not source.display.endswith(".trigger"):
            continue
        code = _COMMENT.sub(lambda m: "\n" * m.group().count("\n"), source.text)
        match = _TRIGGER.search(code)
        if match is None:
            continue  # the syntax check reports it
        line = code.count("\n", 0, match.start("object")) + 1
        obj = match["object"]
        where = Location(source.display, line)
        if ours(obj) and obj.lower() not in objects:
            message = f"the trigger is on {obj!r}, which is not in this project"
            yield Diagnostic(where, message, source=f"rules/{TRIGGER_OBJECT}")
        events = [" ".join(e.split()).lower() for e in match["events"].split(",")]
        if obj.lower().endswith("__e") and events != ["after insert"]:
            message = (
                f"a platform-event trigger supports only 'after insert', not {', '.join(events)!r}"
            )
            yield Diagnostic(where, message, source=f"rules/{EVENT_TRIGGER}")


_XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
_XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
#: Field type -> the xsi:type its values carry (Metadata API: CustomMetadata, and records as
#: Salesforce retrieves them).
_VALUE_TYPES = {
    "Checkbox": "boolean",
    "Date": "date",
    "DateTime": "dateTime",
    "Number": "double",
    "Percent": "double",
}


def records(index: ProjectIndex) -> Iterator[Diagnostic]:
    objects, fields = index.objects, index.fields
    for record in index.of_kind("CustomMetadata"):
        type_name = record.name.split(".", 1)[0] + "__mdt"
        if type_name.lower() not in objects:
            yield record.problem(
                RECORD_FIELD, f"custom metadata type {type_name} is not in this project"
            )
            continue
        for value in children(record.root, "values"):
            name = child_text(value, "field") or ""
            field = fields.get(f"{type_name}.{name}".lower())
            if field is None:
                if name.endswith("__c"):
                    yield record.problem(
                        RECORD_FIELD, f"{type_name} has no field {name!r}", child(value, "field")
                    )
                continue
            element = child(value, "value")
            if element is None or element.get(_XSI_NIL) == "true":
                continue
            wanted = _VALUE_TYPES.get(field.text("type") or "", "string")
            got = (element.get(_XSI_TYPE) or "").rpartition(":")[2]
            if got != wanted:
                yield record.problem(
                    RECORD_VALUE,
                    f"{name} is a {field.text('type')} field: its value needs "
                    f'xsi:type="xsd:{wanted}", not {got or "none"!r}',
                    element,
                )


CHECKS: tuple[Check, ...] = (permission_sets, triggers, records)
