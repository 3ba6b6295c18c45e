"""The probe package: the probe specs through the public ``generate``, plus the probe steps.

Everything is built the way a user's project is (spec YAML -> ``generate`` -> source project
-> metadata zip), so the doctor never depends on how plans are compiled. The probe's own
components are the package's members that the runtime does not have; those are what the
clean-up deletes (``destructiveChanges.xml``), whatever ``generate`` named them.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import urlparse
from xml.sax.saxutils import escape

from stepforce.errors import UsageError
from stepforce.generator.generate import generate
from stepforce.generator.mdapi import MdapiPackage, build_mdapi_package, package_xml
from stepforce.generator.project import DEFAULT_API_VERSION

REMOTE_SITE = "Stepforce_Probe_My_Domain"
PROBE_FLOW = "Stepforce_Probe_Flow"
_MD_NS = "http://soap.sforce.com/2006/04/metadata"


def _templates() -> Path:
    return Path(str(resources.files("stepforce") / "templates"))


def doctor_root() -> Path:
    """The probe specs, fixtures and sources shipped as package data."""
    return _templates() / "doctor"


def probe_specs() -> list[Path]:
    return sorted((doctor_root() / "orchestrations").glob("*.yaml"))


def remote_site_xml(instance_url: str) -> str:
    """A Remote Site Setting for the org's own My Domain (the callout probe's target)."""
    parsed = urlparse(instance_url)
    if parsed.scheme != "https" or not parsed.hostname:
        raise UsageError(f"the org URL {instance_url!r} is not an https URL")
    url = f"https://{parsed.hostname}"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<RemoteSiteSetting xmlns="{_MD_NS}">\n'
        "    <description>stepforce doctor: the callout probe GETs this org's own "
        "/services/data/. Removed with the probe package.</description>\n"
        "    <disableProtocolSecurity>false</disableProtocolSecurity>\n"
        "    <isActive>true</isActive>\n"
        f"    <url>{escape(url)}</url>\n"
        "</RemoteSiteSetting>\n"
    )


@dataclass(frozen=True)
class ProbePackage:
    project: Path
    package: MdapiPackage
    probe_members: dict[str, list[str]]  # what the clean-up deletes
    orchestrations: tuple[str, ...]

    def deactivate_zip(self) -> bytes:
        """The probe Flow again with status Obsolete: an active flow version cannot be deleted
        (Metadata API Developer Guide, Flow: "You can delete a flow version if it isn't
        active"), so the clean-up deactivates it first."""
        version = self.package.api_version
        path = f"flows/{PROBE_FLOW}.flow"
        flow = self.package.files[path].replace(
            b"<status>Active</status>", b"<status>Obsolete</status>"
        )
        files = {"package.xml": package_xml({"Flow": [PROBE_FLOW]}, version), path: flow}
        return MdapiPackage(files, {"Flow": [PROBE_FLOW]}, {}, {}, version).to_zip()

    def cleanup_zip(self) -> bytes:
        """A deploy that deploys nothing and deletes the probe's components."""
        version = self.package.api_version
        empty = MdapiPackage({"package.xml": package_xml({}, version)}, {}, {}, {}, version)
        return empty.to_zip(self.probe_members)


def runtime_members(api_version: str) -> dict[str, set[str]]:
    runtime = build_mdapi_package(_templates(), api_version)
    return {kind: set(names) for kind, names in runtime.members.items()}


def probe_members(package: MdapiPackage, runtime: dict[str, set[str]]) -> dict[str, list[str]]:
    """The package's members the runtime does not have, by metadata type."""
    found: dict[str, list[str]] = {}
    for kind, names in package.members.items():
        extra = sorted(set(names) - runtime.get(kind, set()))
        if extra:
            found[kind] = extra
    return found


def build_probe_package(
    work: Path, instance_url: str, api_version: str = DEFAULT_API_VERSION
) -> ProbePackage:
    """Generate the probe project under ``work`` and convert it to a metadata package."""
    sources = doctor_root() / "force-app"
    result = generate(
        probe_specs(), work / "project", api_version=api_version, source_dirs=[sources]
    )
    project = work / "project"
    default = project / "force-app" / "main" / "default"
    shutil.copytree(sources / "main" / "default", default, dirs_exist_ok=True)
    sites = default / "remoteSiteSettings"
    sites.mkdir(parents=True, exist_ok=True)
    (sites / f"{REMOTE_SITE}.remoteSite-meta.xml").write_text(
        remote_site_xml(instance_url), encoding="utf-8"
    )
    package = build_mdapi_package(project, api_version)
    members = probe_members(package, runtime_members(api_version))
    return ProbePackage(project, package, members, tuple(result.orchestrations))
