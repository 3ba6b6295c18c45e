"""The engine's deployable settings (``Stepforce_Setting__mdt``) ship consistently.

The Apex fallback (``StepforceSettings.DEFAULT_CHAIN_DEPTH``), the shipped ``Default`` record and
the field definition must agree, and the record must reach generated projects, or an org would
run with a cap nobody chose (docs/runtime.md, "Chain depth and the relay").
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from stepforce.generator.project import runtime_files

DEFAULT = Path(__file__).resolve().parents[2] / "templates" / "force-app" / "main" / "default"
NS = {
    "md": "http://soap.sforce.com/2006/04/metadata",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
RECORD = DEFAULT / "customMetadata" / "Stepforce_Setting.Default.md-meta.xml"
SETTING_TYPE = DEFAULT / "objects" / "Stepforce_Setting__mdt"
FIELD = SETTING_TYPE / "fields" / "Max_Chain_Depth__c.field-meta.xml"
SETTINGS_CLASS = DEFAULT / "classes" / "StepforceSettings.cls"


def _record_values() -> dict[str, tuple[str | None, str | None]]:
    root = etree.parse(str(RECORD)).getroot()
    values: dict[str, tuple[str | None, str | None]] = {}
    for item in root.findall("md:values", NS):
        value = item.find("md:value", NS)
        assert value is not None
        field = item.findtext("md:field", namespaces=NS) or ""
        values[field] = (value.get(f"{{{NS['xsi']}}}type"), value.text)
    return values


def _apex_constant(name: str) -> int:
    source = SETTINGS_CLASS.read_text(encoding="utf-8")
    match = re.search(rf"static final Integer {name} = (\d+);", source)
    assert match, f"StepforceSettings declares no {name}"
    return int(match.group(1))


def test_the_default_record_ships_the_apex_fallback_depth() -> None:
    assert _record_values() == {
        "Max_Chain_Depth__c": ("xsd:double", str(_apex_constant("DEFAULT_CHAIN_DEPTH")))
    }
    # Deep enough that runs do not relay (the setting lifts the Developer Edition cap of 5).
    assert _apex_constant("DEFAULT_CHAIN_DEPTH") == 1000


def test_the_depth_field_is_a_whole_number_that_fits_an_apex_integer() -> None:
    root = etree.parse(str(FIELD)).getroot()
    assert root.findtext("md:type", namespaces=NS) == "Number"
    assert root.findtext("md:scale", namespaces=NS) == "0"
    precision = int(root.findtext("md:precision", namespaces=NS) or "0")
    assert 4 <= precision <= 9, "large enough for 1000, small enough for Integer.MAX_VALUE"


def test_the_setting_type_and_record_ship_in_the_runtime_package_data() -> None:
    shipped = runtime_files()
    assert "main/default/customMetadata/Stepforce_Setting.Default.md-meta.xml" in shipped
    assert (
        "main/default/objects/Stepforce_Setting__mdt/Stepforce_Setting__mdt.object-meta.xml"
        in shipped
    )
    assert "main/default/classes/StepforceSettings.cls" in shipped


def test_the_engine_reads_the_cap_from_the_setting_not_a_constant() -> None:
    classes = DEFAULT / "classes"
    for name in ("StepforceEngine.cls", "StepforceFinalizer.cls"):
        source = (classes / name).read_text(encoding="utf-8")
        assert "StepforceSettings.maxChainDepth()" in source, name
        assert "CHAIN_DEPTH" not in source, f"{name} still uses a fixed depth"
