"""Code and versions: a ``-meta.xml`` beside every source, and one apiVersion policy."""

from __future__ import annotations

from collections.abc import Iterator

from stepforce.diagnostics import Diagnostic, Location
from stepforce.generator.check.rules.model import ProjectIndex, child
from stepforce.generator.check.rules.registry import Check, Rule

META = "META-FILE"
API_VERSION = "API-VERSION"
#: The oldest API version a deploy still accepts: Salesforce retired SOAP/REST/Metadata API
#: versions 21.0 through 30.0 in Summer '25 (Salesforce Help: "Salesforce Platform API
#: Versions 21.0 through 30.0 Retirement").
OLDEST_API_VERSION = 31.0

RULES = (
    Rule(
        META,
        "every .cls and .trigger has its -meta.xml (and no -meta.xml lacks its "
        "source); every LWC bundle has <name>.js-meta.xml",
        "Metadata API Developer Guide: "
        "ApexClass, ApexTrigger, LightningComponentBundle (file suffix and directory)",
    ),
    Rule(
        API_VERSION,
        "every <apiVersion> is between 31.0 and the project's sourceApiVersion",
        "Salesforce Help: API Versions 21.0 through 30.0 Retirement; sfdx-project.json",
    ),
)


def meta_files(index: ProjectIndex) -> Iterator[Diagnostic]:
    source = f"rules/{META}"
    for code in index.sources:
        if not code.has_meta:
            message = f"no {code.display.rsplit('/', 1)[-1]}-meta.xml beside it: it does not deploy"
            yield Diagnostic(Location(code.display, 1), message, source=source)
    for display in index.orphan_metas:
        body = display.removesuffix("-meta.xml").rsplit("/", 1)[-1]
        message = f"{body} is missing: a -meta.xml without its source does not deploy"
        yield Diagnostic(Location(display, 1), message, source=source)
    for folder, has_meta in index.bundles:
        if not has_meta:
            name = folder.rsplit("/", 1)[-1]
            message = f"the LWC bundle {name} has no {name}.js-meta.xml"
            yield Diagnostic(Location(folder), message, source=source)


def _version(text: str | None) -> float | None:
    try:
        return None if text is None else float(text)
    except ValueError:
        return None


def api_versions(index: ProjectIndex) -> Iterator[Diagnostic]:
    newest = _version(index.source_api_version)
    if index.source_api_version is not None and (newest is None or newest < OLDEST_API_VERSION):
        yield Diagnostic(
            Location(index.project_file),
            f"sourceApiVersion {index.source_api_version!r} is not an API version from "
            f"{OLDEST_API_VERSION}",
            source=f"rules/{API_VERSION}",
        )
        return
    for component in index.components:
        element = child(component.root, "apiVersion")
        if element is None:
            continue
        version = _version(element.text)
        if version is None:
            continue  # the schema check reports a non-number
        if version < OLDEST_API_VERSION:
            yield component.problem(
                API_VERSION,
                f"apiVersion {element.text} is retired; use {OLDEST_API_VERSION} or later",
                element,
            )
        elif newest is not None and version > newest:
            yield component.problem(
                API_VERSION,
                f"apiVersion {element.text} is newer than the project's "
                f"sourceApiVersion {index.source_api_version}: orgs the project targets may "
                "not know it",
                element,
            )


CHECKS: tuple[Check, ...] = (meta_files, api_versions)
