"""build_mdapi_zip: source format in, a deterministic metadata-format zip out."""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from stepforce.errors import UsageError
from stepforce.generator.mdapi import (
    MD_NS,
    build_mdapi_package,
    build_mdapi_zip,
    mdapi_component_map,
)
from tests.deploy.conftest import write_project

NS = {"md": MD_NS}
SRC = "force-app/main/default"


def _unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _package_types(package_xml: bytes) -> list[tuple[str, list[str]]]:
    root = etree.fromstring(package_xml)
    return [
        (t.findtext("md:name", namespaces=NS) or "", t.xpath("md:members/text()", namespaces=NS))
        for t in root.findall("md:types", NS)
    ]


def test_zip_holds_package_xml_at_the_root_listing_every_member_sorted(project: Path) -> None:
    files = _unzip(build_mdapi_zip(project, "62.0"))
    assert sorted(files) == [
        "classes/SfPlan_Invoice_Sync.cls",
        "classes/SfPlan_Invoice_Sync.cls-meta.xml",
        "classes/StepforceEngine.cls",
        "classes/StepforceEngine.cls-meta.xml",
        "customMetadata/Stepforce_Setting.Default.md",
        "flows/Post_Summary.flow",
        "objects/Stepforce_Relay__e.object",
        "objects/Stepforce_Run__c.object",
        "package.xml",
        "permissionsets/Stepforce_Admin.permissionset",
        "triggers/StepforceRelay.trigger",
        "triggers/StepforceRelay.trigger-meta.xml",
    ]
    assert _package_types(files["package.xml"]) == [
        ("ApexClass", ["SfPlan_Invoice_Sync", "StepforceEngine"]),
        ("ApexTrigger", ["StepforceRelay"]),
        (
            "CustomField",
            [
                "Stepforce_Relay__e.Run_Id__c",
                "Stepforce_Run__c.Error__c",
                "Stepforce_Run__c.Status__c",
            ],
        ),
        ("CustomMetadata", ["Stepforce_Setting.Default"]),
        ("CustomObject", ["Stepforce_Relay__e", "Stepforce_Run__c"]),
        ("Flow", ["Post_Summary"]),
        ("ListView", ["Stepforce_Run__c.All"]),
        ("PermissionSet", ["Stepforce_Admin"]),
    ]
    version = etree.fromstring(files["package.xml"]).findtext("md:version", namespaces=NS)
    assert version == "62.0"
    assert files["package.xml"].startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<Package')


def test_code_files_are_copied_byte_for_byte(project: Path) -> None:
    files = _unzip(build_mdapi_zip(project, "62.0"))
    source = project / SRC / "classes"
    assert files["classes/StepforceEngine.cls"] == (source / "StepforceEngine.cls").read_bytes()
    assert (
        files["classes/StepforceEngine.cls-meta.xml"]
        == (source / "StepforceEngine.cls-meta.xml").read_bytes()
    )


def test_object_file_is_composed_from_its_field_and_list_view_files(project: Path) -> None:
    files = _unzip(build_mdapi_zip(project, "62.0"))
    root = etree.fromstring(files["objects/Stepforce_Run__c.object"])
    assert root.tag == f"{{{MD_NS}}}CustomObject"
    fields = root.findall("md:fields", NS)
    # Sorted by file name; a missing fullName is taken from the file name, and comes first.
    assert [f[0].text for f in fields] == ["Error__c", "Status__c"]
    assert [etree.QName(f[0]).localname for f in fields] == ["fullName", "fullName"]
    assert fields[1].findtext("md:label", namespaces=NS) == "Status"
    assert root.find("md:listViews/md:fullName", NS).text == "All"  # type: ignore[union-attr]
    # Elements in the CustomObject sequence order (ASCII order of their names).
    names = [etree.QName(child).localname for child in root]
    assert names == [
        "deploymentStatus",
        "description",
        "fields",
        "fields",
        "label",
        "listViews",
        "pluralLabel",
        "sharingModel",
    ]


def test_platform_event_is_a_custom_object_with_its_fields(project: Path) -> None:
    files = _unzip(build_mdapi_zip(project, "62.0"))
    root = etree.fromstring(files["objects/Stepforce_Relay__e.object"])
    assert root.xpath("md:fields/md:fullName/text()", namespaces=NS) == ["Run_Id__c"]


def test_fields_on_an_object_defined_elsewhere_list_only_the_fields(project: Path) -> None:
    field_dir = project / SRC / "objects" / "Account" / "fields"
    field_dir.mkdir(parents=True)
    shutil.copy(
        project / SRC / "objects/Stepforce_Run__c/fields/Status__c.field-meta.xml",
        field_dir / "Sync_Flag__c.field-meta.xml",
    )
    package = build_mdapi_package(project, "62.0")
    assert "Account" not in package.members["CustomObject"]
    assert "Account.Sync_Flag__c" in package.members["CustomField"]
    root = etree.fromstring(package.files["objects/Account.object"])
    assert root.xpath("md:fields/md:fullName/text()", namespaces=NS) == ["Sync_Flag__c"]


def test_same_project_gives_identical_bytes_whatever_the_file_times(
    project: Path, tmp_path: Path
) -> None:
    first = build_mdapi_zip(project, "62.0")
    copy = write_project(tmp_path / "again")
    for path in copy.rglob("*"):
        os.utime(path, (1_900_000_000, 1_900_000_000))
    second = build_mdapi_zip(copy, "62.0")
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_component_map_points_back_at_source_files(project: Path) -> None:
    mapping = mdapi_component_map(project, "62.0")
    assert mapping["classes/SfPlan_Invoice_Sync.cls"] == f"{SRC}/classes/SfPlan_Invoice_Sync.cls"
    assert (
        mapping["objects/Stepforce_Run__c.object"]
        == f"{SRC}/objects/Stepforce_Run__c/Stepforce_Run__c.object-meta.xml"
    )
    assert mapping["flows/Post_Summary.flow"] == f"{SRC}/flows/Post_Summary.flow-meta.xml"
    package = build_mdapi_package(project, "62.0")
    assert (
        package.member_map[("CustomField", "Stepforce_Run__c.Status__c")]
        == f"{SRC}/objects/Stepforce_Run__c/fields/Status__c.field-meta.xml"
    )


def test_every_package_directory_is_read(project: Path) -> None:
    (project / "sfdx-project.json").write_text(
        '{"packageDirectories": [{"path": "force-app"}, {"path": "steps"}]}', encoding="utf-8"
    )
    extra = project / "steps" / "classes"
    extra.mkdir(parents=True)
    (extra / "InvoicePager.cls").write_text("public class InvoicePager {}\n", encoding="utf-8")
    shutil.copy(
        project / SRC / "classes/StepforceEngine.cls-meta.xml", extra / "InvoicePager.cls-meta.xml"
    )
    package = build_mdapi_package(project, "62.0")
    assert "InvoicePager" in package.members["ApexClass"]
    assert package.component_map["classes/InvoicePager.cls"] == "steps/classes/InvoicePager.cls"


def test_no_sfdx_project_json_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"no sfdx-project\.json"):
        build_mdapi_zip(tmp_path, "62.0")


def test_package_directory_outside_the_project_is_refused(project: Path) -> None:
    (project / "sfdx-project.json").write_text(
        '{"packageDirectories": [{"path": "../elsewhere"}]}', encoding="utf-8"
    )
    with pytest.raises(UsageError, match="outside the project"):
        build_mdapi_zip(project, "62.0")


def test_class_without_meta_file_is_named(project: Path) -> None:
    (project / SRC / "classes/StepforceEngine.cls-meta.xml").unlink()
    with pytest.raises(UsageError, match=r"classes/StepforceEngine\.cls: missing"):
        build_mdapi_zip(project, "62.0")


def test_unsupported_file_is_named_rather_than_silently_dropped(project: Path) -> None:
    reports = project / SRC / "reports" / "Ops"
    reports.mkdir(parents=True)
    (reports / "Runs.report-meta.xml").write_text("<Report/>\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"reports/Ops/Runs\.report-meta\.xml: stepforce cannot"):
        build_mdapi_zip(project, "62.0")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_lightning_bundles_keep_their_layout_without_jest_tests(project: Path) -> None:
    lwc = project / SRC / "lwc" / "runPanel"
    _write(lwc / "runPanel.js", "export default class RunPanel {}\n")
    _write(lwc / "runPanel.html", "<template></template>\n")
    _write(lwc / "runPanel.js-meta.xml", "<LightningComponentBundle/>\n")
    _write(lwc / "__tests__" / "runPanel.test.js", "it('renders', () => {});\n")
    aura = project / SRC / "aura" / "runBanner"
    _write(aura / "runBanner.cmp", "<aura:component/>\n")
    _write(aura / "runBanner.cmp-meta.xml", "<AuraDefinitionBundle/>\n")
    package = build_mdapi_package(project, "62.0")
    assert {n for n in package.files if n.startswith(("lwc/", "aura/"))} == {
        "lwc/runPanel/runPanel.js",
        "lwc/runPanel/runPanel.html",
        "lwc/runPanel/runPanel.js-meta.xml",
        "aura/runBanner/runBanner.cmp",
        "aura/runBanner/runBanner.cmp-meta.xml",
    }
    assert package.files["lwc/runPanel/runPanel.js"] == b"export default class RunPanel {}\n"
    assert package.members["LightningComponentBundle"] == ["runPanel"]
    assert package.members["AuraDefinitionBundle"] == ["runBanner"]
    assert (
        package.component_map["lwc/runPanel/runPanel.html"] == f"{SRC}/lwc/runPanel/runPanel.html"
    )


def test_a_web_component_without_its_js_meta_file_is_named(project: Path) -> None:
    _write(project / SRC / "lwc" / "bare" / "bare.js", "export default class {}\n")
    with pytest.raises(
        UsageError, match=r"lwc/bare: a Lightning web component needs bare\.js-meta"
    ):
        build_mdapi_zip(project, "62.0")


def test_static_resources_become_name_dot_resource_a_folder_zipped(project: Path) -> None:
    resources = project / SRC / "staticresources"
    _write(resources / "runIcons.resource-meta.xml", "<StaticResource/>\n")
    _write(resources / "runIcons" / "img" / "ok.svg", "<svg/>\n")
    _write(resources / "runIcons" / "readme.txt", "icons\n")
    _write(resources / "chart.resource-meta.xml", "<StaticResource/>\n")
    _write(resources / "chart.js", "window.chart = 1;\n")
    first = build_mdapi_package(project, "62.0")
    assert first.files["staticresources/chart.resource"] == b"window.chart = 1;\n"
    assert first.files["staticresources/chart.resource-meta.xml"] == b"<StaticResource/>\n"
    assert _unzip(first.files["staticresources/runIcons.resource"]) == {
        "img/ok.svg": b"<svg/>\n",
        "readme.txt": b"icons\n",
    }
    assert first.members["StaticResource"] == ["chart", "runIcons"]
    os.utime(resources / "runIcons" / "readme.txt", (1, 1))
    assert build_mdapi_package(project, "62.0").to_zip() == first.to_zip()  # deterministic


def test_static_resource_content_without_its_meta_file_is_named(project: Path) -> None:
    _write(project / SRC / "staticresources" / "orphan.js", "1;\n")
    with pytest.raises(UsageError, match=r"orphan\.js: no orphan\.resource-meta\.xml"):
        build_mdapi_zip(project, "62.0")


def test_labels_pages_and_named_credentials_convert(project: Path) -> None:
    _write(project / SRC / "labels" / "CustomLabels.labels-meta.xml", "<CustomLabels/>\n")
    _write(project / SRC / "pages" / "RunStatus.page", "<apex:page/>\n")
    _write(project / SRC / "pages" / "RunStatus.page-meta.xml", "<ApexPage/>\n")
    _write(project / SRC / "namedCredentials" / "ERP.namedCredential-meta.xml", "<N/>\n")
    package = build_mdapi_package(project, "62.0")
    assert package.files["labels/CustomLabels.labels"] == b"<CustomLabels/>\n"
    assert package.files["pages/RunStatus.page"] == b"<apex:page/>\n"
    assert "namedCredentials/ERP.namedCredential" in package.files
    assert package.members["CustomLabels"] == ["CustomLabels"]
    assert package.members["ApexPage"] == ["RunStatus"]
    assert package.members["NamedCredential"] == ["ERP"]


def test_field_whose_full_name_disagrees_with_its_file_is_refused(project: Path) -> None:
    path = project / SRC / "objects/Stepforce_Run__c/fields/Status__c.field-meta.xml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "<label>", "<fullName>Other__c</fullName>\n    <label>"
        ),
        encoding="utf-8",
    )
    with pytest.raises(UsageError, match="does not match the file name"):
        build_mdapi_zip(project, "62.0")


def test_metadata_with_a_doctype_is_refused(project: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    path = project / SRC / "objects/Stepforce_Run__c/fields/Status__c.field-meta.xml"
    path.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY s SYSTEM "file://{secret}">]>\n'
        f'<CustomField xmlns="{MD_NS}"><label>&s;</label><type>Text</type></CustomField>\n',
        encoding="utf-8",
    )
    with pytest.raises(UsageError, match="DOCTYPE is not allowed"):
        build_mdapi_zip(project, "62.0")


def test_custom_object_sequence_in_the_wsdl_is_ascii_ordered() -> None:
    """The converter sorts object children by name; that is only right if the WSDL does."""
    import simple_salesforce

    wsdl = Path(simple_salesforce.__file__).parent / "metadata.wsdl"
    tree = etree.parse(str(wsdl))
    xsd = {"xsd": "http://www.w3.org/2001/XMLSchema"}
    names = tree.xpath(
        "//xsd:complexType[@name='CustomObject']//xsd:sequence/xsd:element/@name", namespaces=xsd
    )
    assert "fields" in names
    assert "sharingModel" in names
    assert names == sorted(names)


def test_flexipages_convert_to_flexipages_folder(project: Path) -> None:
    # Metadata API Developer Guide, FlexiPage: suffix .flexipage in the flexipages folder.
    _write(project / SRC / "flexipages" / "Run_Page.flexipage-meta.xml", "<FlexiPage/>\n")
    package = build_mdapi_package(project, "62.0")
    assert package.files["flexipages/Run_Page.flexipage"] == b"<FlexiPage/>\n"
    assert package.members["FlexiPage"] == ["Run_Page"]
