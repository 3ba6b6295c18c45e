"""The source-format -> metadata-format naming rules the converter in ``mdapi.py`` knows.

Suffixes and folders follow the Metadata API Developer Guide ("File Suffix and Directory
Location" of each type). Source format names every file ``<member><suffix>-meta.xml``; metadata
format drops ``-meta.xml`` (code types keep a separate ``-meta.xml`` beside the body).
"""

from __future__ import annotations

from dataclasses import dataclass

# Body suffix -> (metadata type, metadata-format folder); the body has a "-meta.xml" sibling.
CODE_TYPES: dict[str, tuple[str, str]] = {
    ".cls": ("ApexClass", "classes"),
    ".trigger": ("ApexTrigger", "triggers"),
    ".page": ("ApexPage", "pages"),
    ".component": ("ApexComponent", "components"),
}

# Source suffix -> (metadata type, metadata-format folder, metadata-format suffix).
SIMPLE_TYPES: dict[str, tuple[str, str, str]] = {
    ".flow-meta.xml": ("Flow", "flows", ".flow"),
    ".permissionset-meta.xml": ("PermissionSet", "permissionsets", ".permissionset"),
    ".md-meta.xml": ("CustomMetadata", "customMetadata", ".md"),
    ".layout-meta.xml": ("Layout", "layouts", ".layout"),
    ".tab-meta.xml": ("CustomTab", "tabs", ".tab"),
    ".app-meta.xml": ("CustomApplication", "applications", ".app"),
    ".flexipage-meta.xml": ("FlexiPage", "flexipages", ".flexipage"),
    ".customPermission-meta.xml": ("CustomPermission", "customPermissions", ".customPermission"),
    ".remoteSite-meta.xml": ("RemoteSiteSetting", "remoteSiteSettings", ".remoteSite"),
    ".namedCredential-meta.xml": ("NamedCredential", "namedCredentials", ".namedCredential"),
    ".externalCredential-meta.xml": (
        "ExternalCredential",
        "externalCredentials",
        ".externalCredential",
    ),
    ".labels-meta.xml": ("CustomLabels", "labels", ".labels"),
    ".globalValueSet-meta.xml": ("GlobalValueSet", "globalValueSets", ".globalValueSet"),
    ".queue-meta.xml": ("Queue", "queues", ".queue"),
    ".platformEventSubscriberConfig-meta.xml": (
        "PlatformEventSubscriberConfig",
        "PlatformEventSubscriberConfigs",
        ".platformEventSubscriberConfig",
    ),
}


@dataclass(frozen=True)
class ObjectChild:
    """A kind of file source format splits out of an object (``objects/O/fields/F...``).

    ``element`` is its element inside ``<CustomObject>``, ``type_name`` its metadata type (and
    the root element of its source file), ``folder`` its folder under ``objects/O/``.
    """

    folder: str
    element: str
    type_name: str
    suffix: str


OBJECT_CHILDREN: tuple[ObjectChild, ...] = (
    ObjectChild("fields", "fields", "CustomField", ".field-meta.xml"),
    ObjectChild("listViews", "listViews", "ListView", ".listView-meta.xml"),
    ObjectChild("validationRules", "validationRules", "ValidationRule", ".validationRule-meta.xml"),
    ObjectChild("recordTypes", "recordTypes", "RecordType", ".recordType-meta.xml"),
    ObjectChild("webLinks", "webLinks", "WebLink", ".webLink-meta.xml"),
    ObjectChild("compactLayouts", "compactLayouts", "CompactLayout", ".compactLayout-meta.xml"),
    ObjectChild(
        "businessProcesses", "businessProcesses", "BusinessProcess", ".businessProcess-meta.xml"
    ),
    ObjectChild("fieldSets", "fieldSets", "FieldSet", ".fieldSet-meta.xml"),
    ObjectChild("sharingReasons", "sharingReasons", "SharingReason", ".sharingReason-meta.xml"),
    ObjectChild("indexes", "indexes", "Index", ".index-meta.xml"),
)
