"""Element order: the Metadata API reads each type as the WSDL's ``xsd:sequence`` and rejects
a misplaced element ("Element {...}X invalid at this location in type Y"), while the schema
check deliberately accepts any order. Inherited elements come first, as in the WSDL.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from stepforce.diagnostics import Diagnostic
from stepforce.generator.check.rules.model import Component, ProjectIndex, local_name
from stepforce.generator.check.rules.registry import Check, Rule
from stepforce.generator.check.xsd import METADATA_NS, XSD_NS, metadata_wsdl_schema

ORDER = "ELEMENT-ORDER"
RULES = (
    Rule(
        ORDER,
        "child elements in the order of the type's xsd:sequence in the Metadata API "
        "WSDL (inherited elements first)",
        "Metadata API WSDL (simple-salesforce "
        "metadata.wsdl, API 63.0); Metadata API Developer Guide: Deploy errors",
    ),
)
_X = f"{{{XSD_NS}}}"
#: LWC meta files are read by the LWC compiler, not as WSDL sequences (see schema.py).
_UNORDERED = frozenset({"LightningComponentBundle"})


@dataclass(frozen=True)
class _Sequence:
    position: dict[str, int]  # element name -> place in the sequence
    child_type: dict[str, str]  # element name -> its complexType (when complex)


def _local(qname: str) -> str:
    return qname.split(":", 1)[-1]


@functools.cache
def sequences() -> dict[str, _Sequence]:
    """Every complexType of the WSDL as an ordered sequence, built once per process."""
    types = {ct.get("name", ""): ct for ct in metadata_wsdl_schema().iterfind(f"{_X}complexType")}
    names: dict[str, list[tuple[str, str]]] = {}

    def flat(name: str) -> list[tuple[str, str]]:
        if name not in names:
            complex_type = types[name]
            extension = complex_type.find(f"{_X}complexContent/{_X}extension")
            base = [] if extension is None else flat(_local(extension.get("base", "")))
            holder = complex_type if extension is None else extension
            sequence = holder.find(f"{_X}sequence")
            own = [
                (e.get("name", ""), _local(e.get("type", "")))
                for e in ([] if sequence is None else sequence.iterfind(f"{_X}element"))
            ]
            names[name] = base + own
        return names[name]

    result: dict[str, _Sequence] = {}
    for name in types:
        pairs = flat(name)
        position: dict[str, int] = {}
        for place, (element, _type) in enumerate(pairs):
            position.setdefault(element, place)
        child_type = {element: kind for element, kind in pairs if kind in types}
        result[name] = _Sequence(position, child_type)
    return result


def _misplaced(
    element: etree._Element, type_name: str, table: dict[str, _Sequence]
) -> Iterator[tuple[etree._Element, str]]:
    sequence = table.get(type_name)
    if sequence is None:
        return
    furthest: tuple[int, str] = (-1, "")
    for item in element:
        if not isinstance(item.tag, str) or etree.QName(item).namespace != METADATA_NS:
            continue
        name = local_name(item)
        place = sequence.position.get(name)
        if place is None:
            continue  # an unknown element: the schema check reports it
        if place < furthest[0]:
            yield item, f"<{name}> must come before <{furthest[1]}> in {type_name}"
        else:
            furthest = (place, name)
        if name in sequence.child_type:
            yield from _misplaced(item, sequence.child_type[name], table)


def _component_order(component: Component, table: dict[str, _Sequence]) -> Iterator[Diagnostic]:
    for element, message in _misplaced(component.root, component.kind, table):
        yield component.problem(ORDER, message, element)


def element_order(index: ProjectIndex) -> Iterator[Diagnostic]:
    todo = [c for c in index.components if c.kind not in _UNORDERED]
    if not todo:
        return
    table = sequences()
    for component in todo:
        yield from _component_order(component, table)


CHECKS: tuple[Check, ...] = (element_order,)
