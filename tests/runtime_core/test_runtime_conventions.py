"""Conventions of the runtime package that no Salesforce tool enforces.

Every object and field carries a description, the field files name themselves, Long Text
Areas fit the platform's bounds, and every Apex class states its sharing (docs/runtime.md).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
DEFAULT = TEMPLATES / "force-app" / "main" / "default"
NS = {"md": "http://soap.sforce.com/2006/04/metadata"}
OBJECT_FILES = sorted((DEFAULT / "objects").glob("*/*.object-meta.xml"))
FIELD_FILES = sorted((DEFAULT / "objects").glob("*/fields/*.field-meta.xml"))
CLASS_FILES = sorted((DEFAULT / "classes").glob("*.cls"))
# A top-level type declaration, after comments and annotations.
_DECLARATION = re.compile(
    r"^\s*(?:global|public|private)\b[^{;]*\b(class|interface|enum)\s+\w+", re.MULTILINE
)


def _text(path: Path, element: str) -> str | None:
    found = etree.parse(str(path)).getroot().find(f"md:{element}", NS)
    return None if found is None else (found.text or "")


@pytest.mark.parametrize("path", OBJECT_FILES + FIELD_FILES, ids=lambda p: p.name)
def test_every_object_and_field_has_a_description(path: Path) -> None:
    description = _text(path, "description") or ""
    assert description.strip(), f"{path.name} has no description"


@pytest.mark.parametrize("path", FIELD_FILES, ids=lambda p: p.name)
def test_every_field_file_names_its_field(path: Path) -> None:
    assert _text(path, "fullName") == path.name.removesuffix(".field-meta.xml")


@pytest.mark.parametrize("path", FIELD_FILES, ids=lambda p: p.name)
def test_long_text_areas_fit_the_platform_bounds(path: Path) -> None:
    if _text(path, "type") != "LongTextArea":
        return
    length = int(_text(path, "length") or "0")
    assert 256 <= length <= 131072, f"{path.name}: length {length}"
    assert _text(path, "visibleLines"), f"{path.name} needs visibleLines"


def test_the_runtime_objects_are_there() -> None:
    names = {p.parent.name for p in OBJECT_FILES}
    assert {"Stepforce_Run__c", "Stepforce_Step_Run__c", "Stepforce_Relay__e"} <= names
    run = DEFAULT / "objects" / "Stepforce_Run__c"
    key = run / "fields" / "Request_Key__c.field-meta.xml"
    assert (_text(key, "unique"), _text(key, "caseSensitive"), _text(key, "externalId")) == (
        "true",
        "true",
        "true",
    )
    step = DEFAULT / "objects" / "Stepforce_Step_Run__c" / "Stepforce_Step_Run__c.object-meta.xml"
    assert _text(step, "sharingModel") == "ControlledByParent"


@pytest.mark.parametrize("path", CLASS_FILES, ids=lambda p: p.name)
def test_every_apex_class_declares_its_sharing(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    match = _DECLARATION.search(source)
    assert match, f"{path.name}: no type declaration found"
    if match.group(1) != "class" or "@IsTest" in source[: match.start()]:
        return  # interfaces and test classes carry no sharing
    header = match.group(0)
    assert re.search(r"\b(with|without|inherited) sharing\b", header), (
        f"{path.name} must declare with/without/inherited sharing: {header.strip()}"
    )
    if "without sharing" in header:
        comment = source[: match.start()]
        assert "without sharing" in comment, f"{path.name}: say why it runs without sharing"


@pytest.mark.parametrize("path", CLASS_FILES, ids=lambda p: p.name)
def test_every_apex_class_has_its_meta_file(path: Path) -> None:
    meta = path.with_name(path.name + "-meta.xml")
    assert meta.is_file(), f"{path.name} has no -meta.xml"
    assert _text(meta, "status") == "Active"
