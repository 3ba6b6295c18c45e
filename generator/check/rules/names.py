"""Text limits, API names and name uniqueness: what a deploy checks before anything else."""

from __future__ import annotations

import re
from collections.abc import Iterator

from stepforce.diagnostics import Diagnostic, Location
from stepforce.generator.check.rules.model import Component, ProjectIndex, child
from stepforce.generator.check.rules.registry import Check, Rule

LABEL = "LABEL-LENGTH"
DESCRIPTION = "DESCRIPTION-LENGTH"
HELP = "HELP-TEXT-LENGTH"
RELATIONSHIP_LABEL = "RELATIONSHIP-LABEL-LENGTH"
API_NAME = "API-NAME"
DUPLICATE = "DUPLICATE-NAME"

_OBJECT_PAGE = (
    "Metadata API Developer Guide: CustomObject; Salesforce Help: Custom Field Attributes"
)
RULES = (
    Rule(LABEL, "labels and plural labels within their type's limit", _OBJECT_PAGE),
    Rule(DESCRIPTION, "descriptions within their type's limit", _OBJECT_PAGE),
    Rule(HELP, "inline help text at most 510 characters", "Metadata API: CustomField"),
    Rule(
        RELATIONSHIP_LABEL, "relationship labels at most 80 characters", "Metadata API: CustomField"
    ),
    Rule(
        API_NAME,
        "API names: letters, digits, single underscores, start with a letter, "
        "no trailing underscore, within the length limit (namespace and suffix aside)",
        "Metadata API: CustomObject (fullName), CustomField, ApexClass, PermissionSet, Flow",
    ),
    Rule(
        DUPLICATE,
        "one component per type and name, compared case-insensitively",
        "Metadata API Developer Guide: Deploying (names are case-insensitive in an org)",
    ),
)

# (type, element, limit, rule). Sources: Metadata API Developer Guide "CustomObject" and
# "CustomField" (label 40, pluralLabel 40, description 1,000, inlineHelpText 510); SOAP API
# object reference "PermissionSet" (Label 80, Description 255); Tooling API "CustomTab",
# "CustomApplication", "FlexiPage", "Flow", "LightningComponentBundle" (MasterLabel/Label 255
# unless named; believed, see docs/check.md); custom metadata records: Label 40 (Metadata API
# "CustomMetadata"). relationshipLabel: 80, the related-list label limit (believed).
_LIMITS: tuple[tuple[str, str, int, str], ...] = (
    ("CustomObject", "label", 40, LABEL),
    ("CustomObject", "pluralLabel", 40, LABEL),
    ("CustomObject", "description", 1000, DESCRIPTION),
    ("CustomField", "label", 40, LABEL),
    ("CustomField", "description", 1000, DESCRIPTION),
    ("CustomField", "inlineHelpText", 510, HELP),
    ("CustomField", "relationshipLabel", 80, RELATIONSHIP_LABEL),
    ("PermissionSet", "label", 80, LABEL),
    ("PermissionSet", "description", 255, DESCRIPTION),
    ("CustomMetadata", "label", 40, LABEL),
    ("CustomTab", "label", 255, LABEL),
    ("CustomTab", "description", 1000, DESCRIPTION),
    ("CustomApplication", "label", 255, LABEL),
    ("CustomApplication", "description", 255, DESCRIPTION),
    ("FlexiPage", "masterLabel", 255, LABEL),
    ("FlexiPage", "description", 255, DESCRIPTION),
    ("Flow", "label", 255, LABEL),
    ("Flow", "description", 2000, DESCRIPTION),
    ("LightningComponentBundle", "masterLabel", 255, LABEL),
    ("LightningComponentBundle", "description", 255, DESCRIPTION),
)


def text_limits(index: ProjectIndex) -> Iterator[Diagnostic]:
    by_type: dict[str, list[tuple[str, int, str]]] = {}
    for kind, tag, limit, rule in _LIMITS:
        by_type.setdefault(kind, []).append((tag, limit, rule))
    for component in index.components:
        for tag, limit, rule in by_type.get(component.kind, ()):
            element = child(component.root, tag)
            value = "" if element is None else (element.text or "")
            if len(value) > limit:
                yield component.problem(
                    rule,
                    f"<{tag}> has {len(value)} characters; a {component.kind} allows {limit}",
                    element,
                )


# An API name: a letter, then letters, digits and single underscores, no trailing underscore.
_WORD = re.compile(r"[A-Za-z](?:[A-Za-z0-9]|_(?!_))*(?<!_)")
_SUFFIX = re.compile(r"__(c|e|mdt|b|x|r|kav|xo|chn)$")
#: Length limits without namespace prefix and suffix: CustomObject/CustomField "40 characters";
#: ApexClass/ApexTrigger names 40 (the deploy says "class name is too long" beyond it:
#: forcedotcom/salesforcedx-vscode issue 3624 and PR 4580; the object reference's
#: ApexClass.Name length of 255 is not what deploys accept); PermissionSet Name 80
#: (object reference); Flow API name 80 (Metadata API: Flow, fullName); record names 40.
_NAME_LIMITS = {
    "CustomObject": 40,
    "CustomField": 40,
    "ApexClass": 40,
    "ApexTrigger": 40,
    "PermissionSet": 80,
    "Flow": 80,
    "CustomMetadata": 40,
}


def api_name_problem(name: str, limit: int, namespace: str = "") -> str | None:
    """Why ``name`` is not a valid API name (suffix and namespace prefix aside), or None."""
    base = _SUFFIX.sub("", name)
    if "__" in base:
        prefix, _sep, rest = base.partition("__")
        if prefix.lower() != namespace.lower() or not namespace:
            where = f"the project's namespace is {namespace!r}" if namespace else "it has none"
            return (
                f"{name!r}: {prefix!r} is not this project's namespace prefix ({where}); "
                "a name holds no double underscore except before its suffix"
            )
        base = rest
    if not _WORD.fullmatch(base):
        return (
            f"{name!r} is not an API name: it must start with a letter and hold only letters, "
            "digits and single underscores, not ending with one"
        )
    if len(base) > limit:
        return f"{name!r} has {len(base)} characters before its suffix; the limit is {limit}"
    return None


def api_names(index: ProjectIndex) -> Iterator[Diagnostic]:
    for component in index.components:
        limit = _NAME_LIMITS.get(component.kind)
        if limit is None:
            continue
        names = component.name.split(".")
        if component.kind == "CustomMetadata":
            names = names[1:]  # Type.Record: the type is judged as an object
        elif component.kind == "CustomField":
            names = names[1:]
        for name in names:
            problem = api_name_problem(name, limit, index.namespace)
            if problem:
                yield component.problem(API_NAME, problem)


def duplicates(index: ProjectIndex) -> Iterator[Diagnostic]:
    seen: dict[tuple[str, str], Component] = {}
    for component in index.components:
        key = (component.kind, component.name.lower())
        first = seen.setdefault(key, component)
        if first is not component:
            yield Diagnostic(
                Location(component.display, 1),
                f"{component.kind} {component.name!r} is defined twice (names are "
                "case-insensitive in an org)",
                source=f"rules/{DUPLICATE}",
                related=(Location(first.display, 1),),
            )


CHECKS: tuple[Check, ...] = (text_limits, api_names, duplicates)
