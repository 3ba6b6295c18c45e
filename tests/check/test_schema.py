"""The Metadata API schema derived from the WSDL, and checking metadata files with it."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from stepforce.generator.check.schema import (
    SUFFIX_TYPES,
    check_metadata_xml,
    friendly_message,
    suffix_of,
)
from stepforce.generator.check.xsd import (
    METADATA_NS,
    XSD_NS,
    build_schema_document,
    root_type_names,
)
from tests.check.conftest import CLEAN_PROJECT

X = f"{{{XSD_NS}}}"
FIELD = """<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Size__c</fullName>
    <label>Size</label>
    <type>{type}</type>
    <{length}>10</{length}>
</CustomField>
"""


def _field(type_: str = "Text", length: str = "length") -> bytes:
    return FIELD.format(type=type_, length=length).encode()


def _check(content: bytes, name: str = "Size__c.field-meta.xml") -> list[str]:
    return [f"{d.location.line}: {d.message}" for d in check_metadata_xml(content, name, name)]


WSDL_SNIPPET = b"""<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:tns="http://soap.sforce.com/2006/04/metadata">
 <types><xsd:schema elementFormDefault="qualified"
     targetNamespace="http://soap.sforce.com/2006/04/metadata">
  <xsd:complexType name="Metadata"><xsd:sequence>
   <xsd:element name="fullName" minOccurs="0" type="xsd:string"/></xsd:sequence></xsd:complexType>
  <xsd:complexType name="Widget"><xsd:complexContent><xsd:extension base="tns:Metadata">
   <xsd:sequence><xsd:element name="size" type="xsd:int"/>
    <xsd:element name="tags" minOccurs="0" maxOccurs="unbounded" type="xsd:string"/>
   </xsd:sequence></xsd:extension></xsd:complexContent></xsd:complexType>
  <xsd:complexType name="Part"><xsd:sequence>
   <xsd:element name="name" type="xsd:string"/></xsd:sequence></xsd:complexType>
 </xsd:schema></types></definitions>"""


def test_builder_adds_root_elements_only_for_metadata_types() -> None:
    schema = build_schema_document(WSDL_SNIPPET)
    roots = {e.get("name") for e in schema.findall(f"{X}element")}
    assert roots == {"Widget"}


def test_builder_relaxes_order_and_keeps_inherited_elements() -> None:
    schema = build_schema_document(WSDL_SNIPPET)
    widget = schema.find(f"{X}complexType[@name='Widget']")
    assert widget is not None
    choice = widget.find(f"{X}choice")
    assert choice is not None
    assert (choice.get("minOccurs"), choice.get("maxOccurs")) == ("0", "unbounded")
    assert [e.get("name") for e in choice] == ["size", "tags", "fullName"]
    assert all(e.get("minOccurs") is None and e.get("maxOccurs") is None for e in choice)
    compiled = etree.XMLSchema(schema)
    tail_first = (
        f'<Widget xmlns="{METADATA_NS}"><tags>a</tags><size>2</size><fullName>w</fullName></Widget>'
    )
    assert compiled.validate(etree.fromstring(tail_first))
    not_an_int = f'<Widget xmlns="{METADATA_NS}"><size>big</size></Widget>'
    assert not compiled.validate(etree.fromstring(not_an_int))


def test_every_suffix_maps_to_a_type_the_wsdl_defines() -> None:
    missing = {t for types in SUFFIX_TYPES.values() for t in types} - root_type_names()
    assert missing == set()
    assert {
        "CustomObject",
        "CustomField",
        "Flow",
        "PermissionSet",
        "ApexClass",
    } <= root_type_names()


def test_an_unknown_enum_value_is_caught_on_its_line_with_a_suggestion() -> None:
    problems = _check(_field(type_="Txet"))
    assert len(problems) == 1
    assert problems[0].startswith(
        "5: <type>: 'Txet' is not an allowed value (did you mean 'Text'?)"
    )
    assert "allowed: AutoNumber" in problems[0]


def test_a_misspelled_element_is_caught_on_its_line() -> None:
    assert _check(_field(length="lenght")) == [
        "6: unknown element <lenght> inside <CustomField> (did you mean 'length'?)"
    ]


def test_a_non_number_is_caught_where_a_number_belongs() -> None:
    content = _field().replace(b"<length>10</length>", b"<length>ten</length>")
    problems = _check(content)
    assert len(problems) == 1
    assert problems[0].startswith("6: Element 'length': 'ten' is not a valid value")


@pytest.mark.parametrize(
    "relative",
    [
        "objects/Widget__c/Widget__c.object-meta.xml",
        "objects/Widget__c/fields/Size__c.field-meta.xml",
        "permissionsets/Widget_Reader.permissionset-meta.xml",
        "flows/Count_Widgets.flow-meta.xml",
        "classes/WidgetService.cls-meta.xml",
    ],
)
def test_valid_metadata_passes(relative: str) -> None:
    path = CLEAN_PROJECT / "force-app/main/default" / relative
    assert check_metadata_xml(path.read_bytes(), path.name, relative) == []


def test_elements_in_any_order_pass() -> None:
    reordered = _field().replace(b"<fullName>Size__c</fullName>\n", b"") + b""
    reordered = reordered.replace(b"</CustomField>", b"<fullName>Size__c</fullName></CustomField>")
    assert _check(reordered) == []


def test_the_root_must_match_the_file_suffix() -> None:
    assert _check(_field(), "Thing.object-meta.xml") == [
        "2: root element is <CustomField>, a .object-meta.xml file holds <CustomObject>"
    ]


def test_the_root_must_be_in_the_metadata_namespace() -> None:
    content = _field().replace(METADATA_NS.encode(), b"urn:wrong")
    assert _check(content) == [f"2: root element <CustomField> must be in namespace {METADATA_NS}"]


def test_an_unknown_root_type_is_named() -> None:
    content = f'<CustomFeild xmlns="{METADATA_NS}"/>'.encode()
    assert _check(content, "X.unknownSuffix-meta.xml") == [
        "1: <CustomFeild> is not a Metadata API type (did you mean 'CustomField'?)"
    ]


def test_xml_that_is_not_well_formed_is_located() -> None:
    content = _field().replace(b"</label>", b"</lable>")
    problems = _check(content)
    assert len(problems) == 1
    assert problems[0].startswith("4: not well-formed XML")


def test_entities_are_not_expanded_from_files(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    content = (
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY s SYSTEM "file://{secret}">]>'
        f'<CustomField xmlns="{METADATA_NS}"><label>&s;</label></CustomField>'
    ).encode()
    assert _check(content) == ["1: a DOCTYPE is not allowed here"]


def test_lwc_bundles_are_not_schema_checked() -> None:
    content = b'<LightningComponentBundle xmlns="http://soap.sforce.com/2006/04/metadata">' + (
        b'<targetConfigs><targetConfig targets="x"/></targetConfigs></LightningComponentBundle>'
    )
    assert _check(content, "widget.js-meta.xml") == []


def test_suffixes_are_read_from_source_format_names() -> None:
    assert suffix_of("Size__c.field-meta.xml") == "field"
    assert suffix_of("Account.settings-meta.xml") == "settings"
    assert suffix_of("odd-meta.xml") == ""


def test_friendly_message_drops_the_namespace() -> None:
    raw = "Element '{http://soap.sforce.com/2006/04/metadata}scale': 'x' is not a valid value."
    assert friendly_message(raw) == "Element 'scale': 'x' is not a valid value."


CMDT_RECORD = b"""<?xml version="1.0" encoding="UTF-8"?>
<CustomMetadata xmlns="http://soap.sforce.com/2006/04/metadata"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema">
    <label>Default</label>
    <protected>false</protected>
    <values>
        <field>Max_Depth__c</field>
        <value xsi:type="xsd:double">5.0</value>
    </values>
    <values>
        <field>Note__c</field>
        <value xsi:nil="true"/>
    </values>
</CustomMetadata>
"""


def test_custom_metadata_values_are_checked_against_their_xsi_type() -> None:
    assert _check(CMDT_RECORD, "Setting.Default.md-meta.xml") == []
    wrong = CMDT_RECORD.replace(b">5.0<", b">five<")
    problems = _check(wrong, "Setting.Default.md-meta.xml")
    assert problems == [
        "9: Element 'value': 'five' is not a valid value of the atomic type 'xs:double'."
    ]


def test_an_element_of_another_type_is_named_with_its_parent() -> None:
    content = f"""<CustomObject xmlns="{METADATA_NS}">
    <label>Widget</label>
    <length>3</length>
</CustomObject>""".encode()
    assert _check(content, "Widget__c.object-meta.xml") == [
        "3: <length> is not allowed inside <CustomObject>"
    ]
