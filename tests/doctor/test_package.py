"""The probe package: built through ``generate``, its own components (not the runtime's)
listed for the clean-up, and the Remote Site Setting for the org's My Domain."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from stepforce.errors import UsageError
from stepforce.runtime_client.doctor.package import (
    build_probe_package,
    remote_site_xml,
    runtime_members,
)

MD = "{http://soap.sforce.com/2006/04/metadata}"


def test_it_should_list_only_the_probe_components_for_the_clean_up(tmp_path: Path) -> None:
    probe = build_probe_package(tmp_path, "https://acme.my.salesforce.com")
    members = probe.probe_members
    assert members["Flow"] == ["Stepforce_Probe_Flow"]
    assert members["RemoteSiteSetting"] == ["Stepforce_Probe_My_Domain"]
    assert "StepforceProbeRollback" in members["ApexClass"]
    runtime = runtime_members(probe.package.api_version)
    # Whatever generate made for the probe specs (classes, plan documents) goes; the runtime stays.
    assert all(
        name not in runtime.get(kind, set()) for kind, names in members.items() for name in names
    )
    assert sum(len(names) for names in members.values()) > 10
    assert "StepforceEngine" in probe.package.members["ApexClass"]
    assert "StepforceEngine" in runtime["ApexClass"]
    assert len(probe.orchestrations) == 8
    with zipfile.ZipFile(io.BytesIO(probe.cleanup_zip())) as cleanup:
        assert sorted(cleanup.namelist()) == ["destructiveChangesPost.xml", "package.xml"]
        package = etree.fromstring(cleanup.read("package.xml"))
        assert package.findall(f"{MD}types") == [], "the clean-up deploys nothing"


def test_it_should_escape_the_my_domain_in_the_remote_site_setting() -> None:
    xml = remote_site_xml("https://a&b.my.salesforce.com/some/path?x=1")
    root = etree.fromstring(xml.encode())
    assert root.findtext(f"{MD}url") == "https://a&b.my.salesforce.com"
    assert "a&amp;b" in xml
    assert root.findtext(f"{MD}isActive") == "true"


def test_it_should_refuse_an_org_url_that_is_not_https() -> None:
    with pytest.raises(UsageError, match="is not an https URL"):
        remote_site_xml("http://acme.my.salesforce.com")
