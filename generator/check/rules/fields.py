"""Custom objects and fields: per-field-type companions, master-detail, platform events and
custom metadata types.

Sources: Metadata API Developer Guide "CustomField" (length, precision, scale, visibleLines,
defaultValue, valueSet, referenceTo, relationshipName, relationshipLabel, deleteConstraint,
externalId, unique) and "CustomObject" (sharingModel); Salesforce Help "Considerations for
Relationships" (two master-detail relationships per object, ControlledByParent); Platform
Events Developer Guide "Platform Event Fields" (supported field types); Salesforce Help
"Custom Metadata Type Fields" (supported field types).
"""

from __future__ import annotations

from collections.abc import Iterator

from stepforce.diagnostics import Diagnostic
from stepforce.generator.check.rules.model import Component, ProjectIndex, child
from stepforce.generator.check.rules.registry import Check, Rule

TEXT = "FIELD-TEXT-LENGTH"
LONG_TEXT = "FIELD-LONG-TEXT"
NUMBER = "FIELD-NUMBER-PRECISION"
CHECKBOX = "FIELD-CHECKBOX-DEFAULT"
PICKLIST = "FIELD-PICKLIST-VALUES"
RELATIONSHIP = "FIELD-RELATIONSHIP"
DELETE = "FIELD-DELETE-CONSTRAINT"
UNIQUE = "FIELD-UNIQUE-EXTERNAL-ID"
MD_SHARING = "MASTER-DETAIL-SHARING"
MD_COUNT = "MASTER-DETAIL-COUNT"
EVENT_FIELD = "EVENT-FIELD-TYPE"
MDT_FIELD = "MDT-FIELD-TYPE"
OBJECT_REQUIRED = "OBJECT-REQUIRED"

_FIELD = "Metadata API Developer Guide: CustomField"
_OBJECT_REQUIRED_TAGS = ("label", "pluralLabel", "nameField", "deploymentStatus", "sharingModel")
RULES = (
    Rule(
        OBJECT_REQUIRED,
        "a custom object (__c) has label, pluralLabel, nameField, "
        "deploymentStatus and sharingModel; a custom setting (customSettingsType) label",
        "Metadata API Developer Guide: CustomObject (Custom settings)",
    ),
    Rule(TEXT, "Text fields have a length from 1 to 255", _FIELD),
    Rule(
        LONG_TEXT,
        "LongTextArea/Html fields have a length from 256 to 131,072 and visibleLines",
        _FIELD,
    ),
    Rule(NUMBER, "Number/Currency/Percent: precision 1-18, scale 0..precision", _FIELD),
    Rule(CHECKBOX, "Checkbox fields have a defaultValue", _FIELD),
    Rule(
        PICKLIST,
        "Picklist/MultiselectPicklist fields have a valueSet "
        "(MultiselectPicklist also visibleLines)",
        _FIELD,
    ),
    Rule(
        RELATIONSHIP,
        "Lookup/MasterDetail have referenceTo and a valid relationshipName; "
        "MasterDetail also relationshipLabel",
        _FIELD,
    ),
    Rule(
        DELETE,
        "deleteConstraint only on Lookup; a required Lookup uses Restrict or Cascade, not SetNull",
        _FIELD,
    ),
    Rule(UNIQUE, "externalId and unique only on Text, Number, Email and AutoNumber", _FIELD),
    Rule(
        MD_SHARING,
        "an object with a master-detail field has sharingModel ControlledByParent",
        "Metadata API: CustomObject (sharingModel)",
    ),
    Rule(
        MD_COUNT,
        "at most two master-detail fields per object",
        "Salesforce Help: Considerations for Relationships",
    ),
    Rule(
        EVENT_FIELD,
        "platform event (__e) fields: Checkbox, Date, DateTime, Number, Text, "
        "LongTextArea; no unique/externalId",
        "Platform Events Developer Guide: Platform Event Fields",
    ),
    Rule(
        MDT_FIELD,
        "custom metadata type (__mdt) fields use a supported type",
        "Salesforce Help: Custom Metadata Type Fields",
    ),
)

_NUMERIC = frozenset({"Number", "Currency", "Percent"})
_UNIQUE_TYPES = frozenset({"Text", "Number", "Email", "AutoNumber"})
_EVENT_TYPES = frozenset({"Checkbox", "Date", "DateTime", "Number", "Text", "LongTextArea"})
_MDT_TYPES = frozenset(
    {
        "Checkbox", "Date", "DateTime", "Email", "MetadataRelationship", "Number", "Percent",
        "Phone", "Picklist", "Text", "TextArea", "LongTextArea", "Url",
    }
)  # fmt: skip


def _int(component: Component, tag: str) -> int | None:
    text = component.text(tag)
    try:
        return None if text is None else int(float(text))
    except ValueError:
        return None  # the schema check reports a non-number


def _object_of(field: Component) -> str:
    return field.name.split(".", 1)[0]


def _type(field: Component) -> str:
    return field.text("type") or ""


def _true(component: Component, tag: str) -> bool:
    return component.text(tag) == "true"


def _text_field(field: Component) -> Iterator[Diagnostic]:
    kind, length = _type(field), _int(field, "length")
    if kind == "Text" and (length is None or not 1 <= length <= 255):
        got = "no <length>" if length is None else f"<length> {length}"
        yield field.problem(
            TEXT,
            f"a Text field needs a <length> from 1 to 255, not {got}",
            child(field.root, "length"),
        )
    if kind in ("LongTextArea", "Html"):
        if length is None or not 256 <= length <= 131_072:
            got = "no <length>" if length is None else f"<length> {length}"
            yield field.problem(
                LONG_TEXT,
                f"a {kind} field needs a <length> from 256 to 131,072, not {got}",
                child(field.root, "length"),
            )
        if _int(field, "visibleLines") is None:
            yield field.problem(LONG_TEXT, f"a {kind} field needs <visibleLines>")


def _number_field(field: Component) -> Iterator[Diagnostic]:
    if _type(field) not in _NUMERIC:
        return
    precision, scale = _int(field, "precision"), _int(field, "scale")
    if precision is None or not 1 <= precision <= 18:
        yield field.problem(
            NUMBER,
            f"a {_type(field)} field needs a <precision> from 1 to 18",
            child(field.root, "precision"),
        )
    elif scale is None or not 0 <= scale <= precision:
        yield field.problem(
            NUMBER,
            f"a {_type(field)} field needs a <scale> from 0 to its precision ({precision})",
            child(field.root, "scale"),
        )


def _choice_fields(field: Component) -> Iterator[Diagnostic]:
    kind = _type(field)
    if kind == "Checkbox" and field.text("defaultValue") not in ("true", "false"):
        yield field.problem(CHECKBOX, "a Checkbox field needs <defaultValue> true or false")
    if kind in ("Picklist", "MultiselectPicklist"):
        if child(field.root, "valueSet") is None:
            yield field.problem(PICKLIST, f"a {kind} field needs a <valueSet>")
        if kind == "MultiselectPicklist" and _int(field, "visibleLines") is None:
            yield field.problem(PICKLIST, "a MultiselectPicklist field needs <visibleLines>")


def _relationship_field(field: Component) -> Iterator[Diagnostic]:
    kind = _type(field)
    constraint = field.text("deleteConstraint")
    if constraint is not None and kind != "Lookup":
        yield field.problem(
            DELETE,
            f"<deleteConstraint> is for Lookup fields, not {kind}",
            child(field.root, "deleteConstraint"),
        )
    if kind not in ("Lookup", "MasterDetail"):
        return
    needed = ["referenceTo", "relationshipName"]
    if kind == "MasterDetail":
        needed.append("relationshipLabel")
    for tag in needed:
        if not field.text(tag):
            yield field.problem(RELATIONSHIP, f"a {kind} field needs <{tag}>")
    if kind == "Lookup" and _true(field, "required") and constraint in (None, "SetNull"):
        yield field.problem(
            DELETE,
            "a required Lookup cannot clear itself when its record is deleted: set "
            "<deleteConstraint> to Restrict or Cascade",
        )


def _unique_field(field: Component) -> Iterator[Diagnostic]:
    for tag in ("externalId", "unique"):
        if _true(field, tag) and _type(field) not in _UNIQUE_TYPES:
            yield field.problem(
                UNIQUE,
                f"<{tag}> true is allowed on Text, Number, Email and AutoNumber "
                f"fields, not {_type(field)}",
                child(field.root, tag),
            )


def _special_objects(field: Component) -> Iterator[Diagnostic]:
    obj = _object_of(field).lower()
    kind = _type(field)
    if obj.endswith("__e"):
        if kind not in _EVENT_TYPES:
            allowed = ", ".join(sorted(_EVENT_TYPES))
            yield field.problem(
                EVENT_FIELD,
                f"a platform event field cannot be {kind}; allowed: {allowed}",
                child(field.root, "type"),
            )
        for tag in ("unique", "externalId"):
            if _true(field, tag):
                yield field.problem(EVENT_FIELD, f"a platform event field cannot be <{tag}>")
    if obj.endswith("__mdt") and kind not in _MDT_TYPES:
        allowed = ", ".join(sorted(_MDT_TYPES))
        yield field.problem(
            MDT_FIELD,
            f"a custom metadata type field cannot be {kind}; allowed: {allowed}",
            child(field.root, "type"),
        )


def field_companions(index: ProjectIndex) -> Iterator[Diagnostic]:
    for field in index.of_kind("CustomField"):
        for rule in (_text_field, _number_field, _choice_fields, _relationship_field,
                     _unique_field, _special_objects):  # fmt: skip
            yield from rule(field)


def objects(index: ProjectIndex) -> Iterator[Diagnostic]:
    masters: dict[str, list[Component]] = {}
    for field in index.of_kind("CustomField"):
        if _type(field) == "MasterDetail":
            masters.setdefault(_object_of(field).lower(), []).append(field)
    for obj in index.of_kind("CustomObject"):
        if obj.name.lower().endswith("__c"):
            # A custom setting is a CustomObject with customSettingsType and no records of
            # its own to share or name: only its label is required.
            setting = child(obj.root, "customSettingsType") is not None
            for tag in ("label",) if setting else _OBJECT_REQUIRED_TAGS:
                if child(obj.root, tag) is None:
                    yield obj.problem(OBJECT_REQUIRED, f"a custom object needs <{tag}>")
        details = masters.get(obj.name.lower(), [])
        sharing = obj.text("sharingModel")
        if details and sharing not in (None, "ControlledByParent"):
            yield obj.problem(
                MD_SHARING,
                f"{details[0].name} is a master-detail field, so <sharingModel> "
                f"must be ControlledByParent, not {sharing}",
                child(obj.root, "sharingModel"),
            )
    for fields in masters.values():
        for extra in fields[2:]:
            yield extra.problem(MD_COUNT, "an object can have at most two master-detail fields")


CHECKS: tuple[Check, ...] = (field_companions, objects)
