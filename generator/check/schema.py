"""Check 1: every ``*-meta.xml`` against the Metadata API schema (see xsd.py)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any, cast

from lxml import etree

from stepforce.diagnostics import Diagnostic, Location
from stepforce.generator.check.xsd import (
    METADATA_NS,
    element_names,
    metadata_schema,
    root_type_names,
)

SOURCE = "schema"

#: Source-format suffix (``Name.<suffix>-meta.xml``) -> the root element(s) it must have.
SUFFIX_TYPES: dict[str, tuple[str, ...]] = {
    "app": ("CustomApplication", "AuraDefinitionBundle"),
    "assignmentRules": ("AssignmentRules",),
    "businessProcess": ("BusinessProcess",),
    "cachePartition": ("PlatformCachePartition",),
    "cls": ("ApexClass",),
    "cmp": ("AuraDefinitionBundle",),
    "compactLayout": ("CompactLayout",),
    "component": ("ApexComponent",),
    "connectedApp": ("ConnectedApp",),
    "customPermission": ("CustomPermission",),
    "dashboard": ("Dashboard",),
    "document": ("Document",),
    "email": ("EmailTemplate",),
    "externalCredential": ("ExternalCredential",),
    "field": ("CustomField",),
    "fieldSet": ("FieldSet",),
    "flexipage": ("FlexiPage",),
    "flow": ("Flow",),
    "flowDefinition": ("FlowDefinition",),
    "globalValueSet": ("GlobalValueSet",),
    "group": ("Group",),
    "index": ("Index",),
    "labels": ("CustomLabels",),
    "layout": ("Layout",),
    "listView": ("ListView",),
    "md": ("CustomMetadata",),
    "namedCredential": ("NamedCredential",),
    "notiftype": ("CustomNotificationType",),
    "object": ("CustomObject",),
    "objectTranslation": ("CustomObjectTranslation",),
    "page": ("ApexPage",),
    "permissionset": ("PermissionSet",),
    "permissionsetgroup": ("PermissionSetGroup",),
    "platformEventChannel": ("PlatformEventChannel",),
    "platformEventChannelMember": ("PlatformEventChannelMember",),
    "platformEventSubscriberConfig": ("PlatformEventSubscriberConfig",),
    "profile": ("Profile",),
    "queue": ("Queue",),
    "quickAction": ("QuickAction",),
    "recordType": ("RecordType",),
    "remoteSite": ("RemoteSiteSetting",),
    "report": ("Report",),
    "reportType": ("ReportType",),
    "resource": ("StaticResource",),
    "role": ("Role",),
    "sharingReason": ("SharingReason",),
    "sharingRules": ("SharingRules",),
    "standardValueSet": ("StandardValueSet",),
    "tab": ("CustomTab",),
    "translation": ("Translations",),
    "trigger": ("ApexTrigger",),
    "validationRule": ("ValidationRule",),
    "webLink": ("WebLink",),
    "workflow": ("Workflow",),
}

#: Suffixes whose source format embeds XML the WSDL types as opaque (LWC ``targetConfigs``).
UNCHECKED_SUFFIXES = frozenset({"js"})

_NS_BRACES = re.compile(r"\{" + re.escape(METADATA_NS) + r"\}")
_ENUM = re.compile(
    r"^Element '(?P<el>[^']+)': \[facet 'enumeration'\] The value '(?P<val>[^']*)' is not an "
    r"element of the set \{(?P<set>.*)\}\.$",
    re.DOTALL,
)
_UNEXPECTED = re.compile(r"^Element '(?P<el>[^']+)': This element is not expected\.")
_MAX_LISTED = 12


def suffix_of(file_name: str) -> str:
    """``Amount__c.field-meta.xml`` -> ``field``."""
    stem = file_name.removesuffix("-meta.xml")
    return stem.rsplit(".", 1)[-1] if "." in stem else ""


def _closest(word: str, choices: list[str] | frozenset[str]) -> str:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.75)
    return f" (did you mean {match[0]!r}?)" if match else ""


def friendly_message(raw: str, parent: str = "") -> str:
    """lxml's message without the namespace noise, with long value sets cut short.

    ``parent`` names the element that holds the offending one, when known.
    """
    message = _NS_BRACES.sub("", raw.strip())
    enum = _ENUM.match(message)
    if enum:
        allowed = [v.strip().strip("'") for v in enum["set"].split(",")]
        shown = ", ".join(allowed[:_MAX_LISTED])
        more = f", ... ({len(allowed) - _MAX_LISTED} more)" if len(allowed) > _MAX_LISTED else ""
        hint = _closest(enum["val"], allowed)
        return (
            f"<{enum['el']}>: {enum['val']!r} is not an allowed value{hint}; allowed: {shown}{more}"
        )
    unexpected = _UNEXPECTED.match(message)
    if unexpected:
        name = unexpected["el"]
        inside = f" inside <{parent}>" if parent else " here"
        if name in element_names():
            return f"<{name}> is not allowed{inside}"
        return f"unknown element <{name}>{inside}{_closest(name, element_names())}"
    return message


def _parent_name(root: etree._Element, path: str) -> str:
    """Local name of the parent of the element at lxml's error ``path`` ("" if unknown)."""
    try:
        found = root.getroottree().xpath(path)
    except etree.XPathError:
        return ""
    if not isinstance(found, list) or not found or not isinstance(found[0], etree._Element):
        return ""
    parent = found[0].getparent()
    return "" if parent is None else etree.QName(parent).localname


def _root_problem(root: etree._Element, suffix: str) -> str | None:
    qname = etree.QName(root)
    if qname.namespace != METADATA_NS:
        return f"root element <{qname.localname}> must be in namespace {METADATA_NS}"
    expected = SUFFIX_TYPES.get(suffix)
    if expected and qname.localname not in expected:
        wanted = " or ".join(f"<{name}>" for name in expected)
        return f"root element is <{qname.localname}>, a .{suffix}-meta.xml file holds {wanted}"
    if suffix == "settings" and not qname.localname.endswith("Settings"):
        return f"root element is <{qname.localname}>, a .settings-meta.xml file holds <XSettings>"
    if qname.localname not in root_type_names():
        hint = _closest(qname.localname, root_type_names())
        return f"<{qname.localname}> is not a Metadata API type{hint}"
    return None


def check_metadata_xml(content: bytes, file_name: str, display: str) -> list[Diagnostic]:
    """Problems in one metadata file's bytes; ``display`` is the path shown in messages."""
    suffix = suffix_of(file_name)
    if suffix in UNCHECKED_SUFFIXES:
        return []
    # No entities, no network: a metadata file must never make the checker read other files.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(content, parser=parser)
    except etree.XMLSyntaxError as error:
        line = int(error.lineno) if isinstance(error.lineno, int) else 0
        return [
            Diagnostic(Location(display, line), f"not well-formed XML: {error.msg}", source=SOURCE)
        ]
    # (lxml-stubs lack DocInfo.doctype, which lxml has: "<!DOCTYPE ...>" or "")
    if getattr(root.getroottree().docinfo, "doctype", ""):
        # Salesforce never writes one, and unexpanded entities would crash the validator.
        return [Diagnostic(Location(display, 1), "a DOCTYPE is not allowed here", source=SOURCE)]
    problem = _root_problem(root, suffix)
    if problem:
        line = root.sourceline if isinstance(root.sourceline, int) else 1
        return [Diagnostic(Location(display, line), problem, source=SOURCE)]
    schema = metadata_schema()
    if schema.validate(root.getroottree()):
        return []
    # lxml's stubs do not type the error log as iterable; it yields _LogEntry objects.
    entries = cast(Iterable[Any], schema.error_log)
    return [
        Diagnostic(
            Location(display, int(e.line)),
            friendly_message(str(e.message), _parent_name(root, str(e.path))),
            source=SOURCE,
        )
        for e in entries
    ]
