"""An XML Schema for source-format metadata, derived from Salesforce's Metadata API WSDL.

simple-salesforce ships the WSDL (``simple_salesforce/metadata.wsdl``). Its ``<xsd:schema>``
describes every metadata type, but as SOAP payloads: no global element per type, and every
complexType is an ordered ``<xsd:sequence>`` that puts inherited elements first. Source-format
files (``*-meta.xml``) are written in a different order, so we:

* add a global element for every type that extends ``tns:Metadata`` (the file's root element);
* rewrite each complexType as an unbounded ``<xsd:choice>`` of its own and inherited elements,
  which keeps element names and value types (enums, booleans, numbers) checked but lets them
  come in any order and any number of times.

The price of the relaxation: required elements and "at most once" are not enforced.
"""

from __future__ import annotations

import copy
import functools
from importlib import resources
from pathlib import Path

from lxml import etree

XSD_NS = "http://www.w3.org/2001/XMLSchema"
METADATA_NS = "http://soap.sforce.com/2006/04/metadata"
_X = f"{{{XSD_NS}}}"
_OCCURS = ("minOccurs", "maxOccurs")
_NSMAP = {"xsd": XSD_NS, "tns": METADATA_NS}


def wsdl_path() -> Path:
    """Where simple-salesforce keeps the Metadata API WSDL."""
    return Path(str(resources.files("simple_salesforce").joinpath("metadata.wsdl")))


def _local(qname: str) -> str:
    """``tns:Metadata`` -> ``Metadata`` (the WSDL uses one prefix for its own namespace)."""
    return qname.split(":", 1)[-1]


def _base_name(complex_type: etree._Element) -> str | None:
    extension = complex_type.find(f"{_X}complexContent/{_X}extension")
    return None if extension is None else _local(extension.get("base", ""))


def _own_particles(complex_type: etree._Element) -> list[etree._Element]:
    """The element/any declarations a complexType adds itself (not inherited)."""
    sequence = complex_type.find(f"{_X}sequence")
    if sequence is None:
        sequence = complex_type.find(f"{_X}complexContent/{_X}extension/{_X}sequence")
    return [] if sequence is None else [p for p in sequence if isinstance(p.tag, str)]


def _flattened(
    name: str,
    types: dict[str, etree._Element],
    memo: dict[str, list[etree._Element]],
) -> list[etree._Element]:
    """Own elements first, then inherited ones not redefined, each name once."""
    if name in memo:
        return memo[name]
    complex_type = types[name]
    particles = list(_own_particles(complex_type))
    base = _base_name(complex_type)
    if base is not None and base in types:
        seen = {p.get("name") for p in particles}
        particles += [p for p in _flattened(base, types, memo) if p.get("name") not in seen]
    memo[name] = particles
    return particles


def metadata_type_names(types: dict[str, etree._Element]) -> set[str]:
    """Every complexType that extends ``Metadata`` directly or through other types."""
    found: set[str] = set()
    for name in types:
        current: str | None = name
        while current is not None and current in types:
            if current == "Metadata":
                found.add(name)
                break
            current = _base_name(types[current])
    found.discard("Metadata")
    return found


def _relaxed(name: str, particles: list[etree._Element]) -> etree._Element:
    relaxed = etree.Element(f"{_X}complexType", name=name)
    choice = etree.SubElement(relaxed, f"{_X}choice", minOccurs="0", maxOccurs="unbounded")
    for particle in particles:
        item = copy.deepcopy(particle)
        for attribute in _OCCURS:
            if attribute in item.attrib:
                del item.attrib[attribute]
        choice.append(item)
    return relaxed


def wsdl_schema(wsdl: bytes) -> etree._Element:
    """The WSDL's own ``<xsd:schema>`` element, as Salesforce wrote it (ordered sequences)."""
    definitions = etree.fromstring(wsdl, parser=etree.XMLParser(huge_tree=True))
    original = definitions.find(f".//{_X}schema")
    if original is None:
        raise ValueError("the WSDL has no <xsd:schema>")
    return original


@functools.cache
def metadata_wsdl_schema() -> etree._Element:
    """The shipped WSDL's ``<xsd:schema>``, parsed once per process (the schema check and the
    rules check's element order share it). Callers must not modify it."""
    return wsdl_schema(wsdl_path().read_bytes())


def build_schema_document(wsdl: bytes | etree._Element) -> etree._Element:
    """The relaxed ``<xsd:schema>`` for source-format metadata, from the WSDL's bytes (or its
    already parsed ``<xsd:schema>``, which is copied, not changed)."""
    original: etree._Element = wsdl_schema(wsdl) if isinstance(wsdl, bytes) else wsdl
    # A fresh root that declares both prefixes: the WSDL declares ``tns`` on <definitions>, and
    # QName values such as type="tns:Flow" resolve through in-scope declarations only.
    schema = etree.Element(
        original.tag, attrib={str(k): str(v) for k, v in original.items()}, nsmap=_NSMAP
    )
    schema.extend(copy.deepcopy(child) for child in original)
    types = {ct.get("name", ""): ct for ct in schema.findall(f"{_X}complexType")}
    memo: dict[str, list[etree._Element]] = {}
    for name, complex_type in types.items():
        particles = _flattened(name, types, memo)
        # A wildcard next to named elements in one choice breaks the "unique particle
        # attribution" rule; the only such type is a SOAP error detail, not metadata.
        if any(p.tag == f"{_X}any" for p in particles):
            continue
        complex_type.addnext(_relaxed(name, particles))
        schema.remove(complex_type)
    taken = {e.get("name") for e in schema.findall(f"{_X}element")}
    for name in sorted(metadata_type_names(types) - taken):
        etree.SubElement(schema, f"{_X}element", name=name, type=f"tns:{name}")
    return schema


@functools.cache
def _compiled() -> tuple[etree.XMLSchema, frozenset[str], frozenset[str]]:
    document = build_schema_document(metadata_wsdl_schema())
    roots = frozenset(e.get("name", "") for e in document.findall(f"{_X}element"))
    names = frozenset(e.get("name", "") for e in document.iter(f"{_X}element"))
    return etree.XMLSchema(document), roots, names


def metadata_schema() -> etree.XMLSchema:
    """The compiled schema, built once per process (the first call takes about 0.3 s)."""
    return _compiled()[0]


def root_type_names() -> frozenset[str]:
    """Names of the global elements a metadata file may have as its root."""
    return _compiled()[1]


def element_names() -> frozenset[str]:
    """Every element name the schema knows, for "did you mean" hints."""
    return _compiled()[2]
