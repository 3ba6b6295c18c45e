"""The types users put beside ours: CustomTab, CustomApplication, Layout, FlexiPage and LWC
bundle meta files naming components the project lacks. (Their label and description limits
are in names.py.)
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from stepforce.diagnostics import Diagnostic
from stepforce.generator.check.rules.model import (
    Component,
    ProjectIndex,
    child,
    child_text,
    children,
)
from stepforce.generator.check.rules.references import ours
from stepforce.generator.check.rules.registry import Check, Rule

TAB = "TAB-REFERENCE"
APP = "APP-REFERENCE"
LAYOUT = "LAYOUT-REFERENCE"
FLEXIPAGE = "FLEXIPAGE-REFERENCE"
LWC_TARGET = "LWC-TARGET"

RULES = (
    Rule(
        TAB,
        "a custom object tab names an object of the project; an LWC or FlexiPage tab "
        "names a bundle or page of the project",
        "Metadata API Developer Guide: CustomTab",
    ),
    Rule(
        APP,
        "an app's tabs are the project's tabs (or standard/namespaced ones)",
        "Metadata API Developer Guide: CustomApplication",
    ),
    Rule(
        LAYOUT,
        "a layout's object and custom fields are in the project",
        "Metadata API Developer Guide: Layout",
    ),
    Rule(
        FLEXIPAGE,
        "a record page's sobjectType is in the project",
        "Metadata API Developer Guide: FlexiPage",
    ),
    Rule(
        LWC_TARGET,
        "every targetConfig names a target listed in <targets>, and targets "
        "look like namespace__Name",
        "Lightning Web Components Developer Guide: XML Configuration File Elements",
    ),
)


def _platform(name: str) -> bool:
    """A standard or namespaced tab/app (``standard-Account``, ``standard__Sales``, ``ns__X``)."""
    return name.startswith("standard-") or "__" in name.removesuffix("__c")


def tabs(index: ProjectIndex) -> Iterator[Diagnostic]:
    objects = index.objects
    pages = {
        "lwcComponent": index.names("LightningComponentBundle"),
        "flexiPage": index.names("FlexiPage"),
    }
    for tab in index.of_kind("CustomTab"):
        custom = tab.text("customObject") == "true" and ours(tab.name)
        if custom and tab.name.lower() not in objects:
            message = f"the tab is for object {tab.name}, which is not in this project"
            yield tab.problem(TAB, message)
        for tag, known in pages.items():
            name = tab.text(tag)
            if name and "__" not in name and name.lower() not in known:
                yield tab.problem(
                    TAB, f"<{tag}> {name!r} is not in this project", child(tab.root, tag)
                )


def apps(index: ProjectIndex) -> Iterator[Diagnostic]:
    known = index.names("CustomTab")
    for app in index.of_kind("CustomApplication"):
        for element in children(app.root, "tabs"):
            name = (element.text or "").strip()
            if name and not _platform(name) and name.lower() not in known:
                yield app.problem(APP, f"tab {name!r} is not in this project", element)


def _layout_fields(layout: Component) -> Iterator[tuple[str, etree._Element | None]]:
    for section in children(layout.root, "layoutSections"):
        for column in children(section, "layoutColumns"):
            for item in children(column, "layoutItems"):
                name = child_text(item, "field")
                if name:
                    yield name, child(item, "field")


def layouts(index: ProjectIndex) -> Iterator[Diagnostic]:
    objects, fields = index.objects, index.fields
    for layout in index.of_kind("Layout"):
        obj = layout.name.split("-", 1)[0]
        if not ours(obj):
            continue
        if obj.lower() not in objects:
            yield layout.problem(
                LAYOUT, f"the layout is for object {obj}, which is not in this project"
            )
            continue
        for name, element in _layout_fields(layout):
            if ours(name) and f"{obj}.{name}".lower() not in fields:
                yield layout.problem(LAYOUT, f"{obj} has no field {name!r}", element)


def flexipages(index: ProjectIndex) -> Iterator[Diagnostic]:
    objects = index.objects
    for page in index.of_kind("FlexiPage"):
        obj = page.text("sobjectType")
        if obj and ours(obj) and obj.lower() not in objects:
            yield page.problem(
                FLEXIPAGE,
                f"<sobjectType> {obj} is not in this project",
                child(page.root, "sobjectType"),
            )


def lwc_targets(index: ProjectIndex) -> Iterator[Diagnostic]:
    for bundle in index.of_kind("LightningComponentBundle"):
        targets_element = child(bundle.root, "targets")
        listed = set()
        for element in [] if targets_element is None else children(targets_element, "target"):
            target = (element.text or "").strip()
            listed.add(target)
            prefix, sep, rest = target.partition("__")
            if not (prefix and sep and rest):
                yield bundle.problem(
                    LWC_TARGET,
                    f"{target!r} is not a target (lightning__RecordPage, lightning__AppPage, ...)",
                    element,
                )
        configs = child(bundle.root, "targetConfigs")
        for config in [] if configs is None else children(configs, "targetConfig"):
            for target in (config.get("targets") or "").split(","):
                if target.strip() and target.strip() not in listed:
                    yield bundle.problem(
                        LWC_TARGET,
                        f"targetConfig names {target.strip()!r}, which <targets> does not list",
                        config,
                    )


CHECKS: tuple[Check, ...] = (tabs, apps, layouts, flexipages, lwc_targets)
