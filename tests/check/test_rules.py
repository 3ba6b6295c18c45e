"""The `rules` check: one planted fault per rule, each in a copy of a clean project.

Every fault here passes the schema check (and, being metadata, the Apex tools never see it),
so before the rules check existed `stepforce check` exited 0 on all of them.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from stepforce.generator.check import CHECK_NAMES, run_checks
from stepforce.generator.check.project import load_project
from stepforce.generator.check.rules import RULES, check_rules
from stepforce.generator.check.rules.names import api_name_problem
from stepforce.generator.generate import generate
from tests.check.conftest import FIXTURES
from tests.check.test_end_to_end import run_check

BASE = FIXTURES / "rules_project"
SRC = "force-app/main/default"
WIDGET = "objects/Widget__c/Widget__c.object-meta.xml"
PART = "objects/Part__c/Part__c.object-meta.xml"
PERMSET = "permissionsets/Widget_Editor.permissionset-meta.xml"
RECORD = "customMetadata/Setting.Default.md-meta.xml"
CLASS_META = "classes/WidgetService.cls-meta.xml"
LWC_META = "lwc/widgetBoard/widgetBoard.js-meta.xml"


def _value_set() -> str:
    text = (BASE / SRC / COLOR).read_text(encoding="utf-8")
    return text[text.index("<valueSet>") : text.index("</valueSet>") + len("</valueSet>")]


def field_file(obj: str, name: str) -> str:
    return f"objects/{obj}/fields/{name}.field-meta.xml"


def field_xml(name: str, body: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">\n'
        f"    <fullName>{name}</fullName>\n{body}\n</CustomField>\n"
    )


COLOR = field_file("Widget__c", "Color__c")
VALUE_SET = _value_set()
MD_BODY = (
    "<label>{0}</label><referenceTo>{0}</referenceTo><relationshipLabel>P{0}</relationshipLabel>"
    "<relationshipName>P{1}</relationshipName><type>MasterDetail</type>"
)


@dataclass(frozen=True)
class Fault:
    """``rule`` must be reported on ``file``; ``edits`` are (file, old, new) on the copy:
    ``old`` None writes ``new`` as the whole file, ``new`` None deletes the file."""

    rule: str
    file: str
    edits: tuple[tuple[str, str | None, str | None], ...]

    @property
    def id(self) -> str:
        return f"{self.rule}:{Path(self.file).name}"


def replace(rule: str, file: str, old: str, new: str) -> Fault:
    return Fault(rule, file, ((file, old, new),))


FAULTS = [
    replace("LABEL-LENGTH", WIDGET, "<label>Widget</label>", f"<label>{'W' * 41}</label>"),
    replace("LABEL-LENGTH", PART, "<pluralLabel>Parts", f"<pluralLabel>{'P' * 41}"),
    replace("LABEL-LENGTH", PERMSET, "<label>Widget Editor", f"<label>{'E' * 81}"),
    replace(
        "LABEL-LENGTH",
        "flows/Widget_Note.flow-meta.xml",
        "<label>Widget Note",
        f"<label>{'N' * 256}",
    ),
    replace(
        "DESCRIPTION-LENGTH",
        PERMSET,
        "<description>Edit widgets and their parts.",
        f"<description>{'d' * 256}",
    ),
    replace("DESCRIPTION-LENGTH", WIDGET, "<description>A Widget", f"<description>{'d' * 1001}"),
    replace("HELP-TEXT-LENGTH", field_file("Widget__c", "Code__c"), "The code.", "h" * 511),
    replace(
        "RELATIONSHIP-LABEL-LENGTH",
        field_file("Part__c", "Widget__c"),
        "<relationshipLabel>Parts",
        f"<relationshipLabel>{'r' * 81}",
    ),
    Fault(
        "API-NAME",
        "classes/Widget_.cls-meta.xml",
        (
            ("classes/Widget_.cls", None, "public with sharing class Widget_ {\n}\n"),
            ("classes/Widget_.cls-meta.xml", None, "COPY:" + CLASS_META),
        ),
    ),
    Fault(
        "API-NAME",
        field_file("Widget__c", f"{'L' * 41}__c"),
        (
            (
                field_file("Widget__c", f"{'L' * 41}__c"),
                None,
                field_xml(
                    f"{'L' * 41}__c", "<label>Long</label><length>5</length><type>Text</type>"
                ),
            ),
        ),
    ),
    Fault(
        "DUPLICATE-NAME",
        "classes/more/widgetservice.cls-meta.xml",
        (
            (
                "classes/more/widgetservice.cls",
                None,
                "public with sharing class widgetservice {\n}\n",
            ),
            ("classes/more/widgetservice.cls-meta.xml", None, "COPY:" + CLASS_META),
        ),
    ),
    replace("FIELD-TEXT-LENGTH", field_file("Widget__c", "Code__c"), "<length>20", "<length>256"),
    replace(
        "FIELD-LONG-TEXT", field_file("Widget__c", "Notes__c"), "<visibleLines>5</visibleLines>", ""
    ),
    replace(
        "FIELD-LONG-TEXT", field_file("Widget__c", "Notes__c"), "<length>32768", "<length>131073"
    ),
    replace(
        "FIELD-NUMBER-PRECISION",
        field_file("Widget__c", "Size__c"),
        "<precision>18",
        "<precision>19",
    ),
    replace("FIELD-NUMBER-PRECISION", field_file("Part__c", "Weight__c"), "<scale>1", "<scale>6"),
    replace(
        "FIELD-CHECKBOX-DEFAULT",
        field_file("Widget__c", "Active__c"),
        "<defaultValue>false</defaultValue>",
        "",
    ),
    replace("FIELD-PICKLIST-VALUES", COLOR, VALUE_SET, ""),
    replace(
        "FIELD-RELATIONSHIP",
        field_file("Widget__c", "Owner_Account__c"),
        "<relationshipName>Widgets</relationshipName>",
        "",
    ),
    replace(
        "FIELD-DELETE-CONSTRAINT",
        field_file("Widget__c", "Owner_Account__c"),
        "<required>false",
        "<required>true",
    ),
    replace(
        "FIELD-UNIQUE-EXTERNAL-ID",
        field_file("Widget__c", "Active__c"),
        "<label>Active",
        "<externalId>true</externalId><label>Active",
    ),
    replace(
        "MASTER-DETAIL-SHARING", PART, "<sharingModel>ControlledByParent", "<sharingModel>Read"
    ),
    Fault(
        "MASTER-DETAIL-COUNT",
        field_file("Part__c", "Zed__c"),
        tuple(
            (
                field_file("Part__c", f"{name}__c"),
                None,
                field_xml(
                    f"{name}__c", MD_BODY.format("Widget__c" if name != "Zed" else "Account", name)
                ),
            )
            for name in ("Extra", "Zed")
        ),
    ),
    replace("EVENT-FIELD-TYPE", field_file("Ping__e", "Message__c"), "<type>Text", "<type>Email"),
    replace(
        "MDT-FIELD-TYPE", field_file("Setting__mdt", "Limit__c"), "<type>Number", "<type>Currency"
    ),
    replace("OBJECT-REQUIRED", WIDGET, "<deploymentStatus>Deployed</deploymentStatus>", ""),
    Fault(  # a custom setting needs only its label, but that one it needs
        "OBJECT-REQUIRED",
        "objects/Config__c/Config__c.object-meta.xml",
        (
            (
                "objects/Config__c/Config__c.object-meta.xml",
                None,
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                '<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">\n'
                "    <customSettingsType>List</customSettingsType>\n"
                "    <visibility>Protected</visibility>\n</CustomObject>\n",
            ),
        ),
    ),
    replace("PERMSET-UNKNOWN-REFERENCE", PERMSET, "<object>Widget__c", "<object>Gadget__c"),
    replace(
        "PERMSET-UNKNOWN-REFERENCE", PERMSET, "<field>Widget__c.Code__c", "<field>Widget__c.Kode__c"
    ),
    replace(
        "PERMSET-UNKNOWN-REFERENCE", PERMSET, "<apexClass>WidgetService", "<apexClass>GadgetService"
    ),
    replace("PERMSET-UNKNOWN-REFERENCE", PERMSET, "<tab>Widget__c", "<tab>Gadget_Board"),
    replace("PERMSET-UNKNOWN-REFERENCE", PERMSET, "<application>Widgets<", "<application>Gadgets<"),
    replace(
        "PERMSET-REQUIRED-FIELD", PERMSET, "<field>Widget__c.Code__c", "<field>Part__c.Weight__c"
    ),
    replace(
        "PERMSET-REQUIRED-FIELD", PERMSET, "<field>Widget__c.Code__c", "<field>Part__c.Widget__c"
    ),
    replace(
        "TRIGGER-UNKNOWN-OBJECT", "triggers/WidgetTrigger.trigger", "on Widget__c", "on Gadget__c"
    ),
    replace(
        "EVENT-TRIGGER-TIMING", "triggers/PingTrigger.trigger", "(after insert)", "(before insert)"
    ),
    replace("MDT-RECORD-FIELD", RECORD, "<field>Mode__c", "<field>Mood__c"),
    replace("MDT-RECORD-VALUE-TYPE", RECORD, 'xsi:type="xsd:double"', 'xsi:type="xsd:string"'),
    Fault("META-FILE", "classes/WidgetService.cls", ((CLASS_META, "", None),)),
    Fault("META-FILE", LWC_META.rsplit("/", 1)[0], ((LWC_META, "", None),)),
    replace("API-VERSION", CLASS_META, "62.0", "63.0"),
    replace("API-VERSION", "triggers/PingTrigger.trigger-meta.xml", "62.0", "30.0"),
    replace("TAB-REFERENCE", "tabs/Widget_Board.tab-meta.xml", ">widgetBoard<", ">gadgetBoard<"),
    Fault(
        "TAB-REFERENCE",
        "tabs/Gadget__c.tab-meta.xml",
        (("tabs/Gadget__c.tab-meta.xml", None, "COPY:tabs/Widget__c.tab-meta.xml"),),
    ),
    replace(
        "APP-REFERENCE",
        "applications/Widgets.app-meta.xml",
        "<tabs>Widget_Board",
        "<tabs>Gadget_Board",
    ),
    replace(
        "LAYOUT-REFERENCE",
        "layouts/Widget__c-Widget Layout.layout-meta.xml",
        "<field>Code__c",
        "<field>Kode__c",
    ),
    replace(
        "FLEXIPAGE-REFERENCE",
        "flexipages/Widget_Record_Page.flexipage-meta.xml",
        "<sobjectType>Widget__c",
        "<sobjectType>Gadget__c",
    ),
    replace("LWC-TARGET", LWC_META, "<target>lightning__RecordPage</target>", ""),
    replace(
        "ELEMENT-ORDER",
        WIDGET,
        "<deploymentStatus>Deployed</deploymentStatus>",
        "<sharingModel>ReadWrite</sharingModel><deploymentStatus>Deployed</deploymentStatus>",
    ),
    replace(
        "ELEMENT-ORDER",
        "flows/Widget_Note.flow-meta.xml",
        "<description>A name.</description>",
        "<isInput>true</isInput>",
    ),
]


def plant(tmp_path: Path, fault: Fault) -> Path:
    project = tmp_path / "project"
    shutil.copytree(BASE, project)
    for rel, old, new in fault.edits:
        path = project / SRC / rel
        if new is None:
            path.unlink()
        elif old is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            text = (project / SRC / new[5:]).read_text() if new.startswith("COPY:") else new
            path.write_text(text, encoding="utf-8")
        else:
            text = path.read_text(encoding="utf-8")
            assert old in text, f"{old!r} is not in {rel}: the fault would not be planted"
            path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return project


def test_the_base_project_passes_schema_and_rules() -> None:
    report = run_checks(BASE, only={"schema", "rules"})
    assert [str(d) for d in report.diagnostics] == []


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.id)
def test_a_planted_fault_is_reported_with_its_rule_and_file(tmp_path: Path, fault: Fault) -> None:
    assert_reported(tmp_path, fault)


def assert_reported(tmp_path: Path, fault: Fault) -> list[str]:
    """Plants ``fault``, checks ``--only rules`` exits 1 naming its rule on its file, and
    returns the printed lines of that rule."""
    project = plant(tmp_path, fault)
    outcome = run_check(str(project), "--only", "rules")
    assert outcome.code == 1, outcome.stdout + outcome.stderr
    expected = f"{project}/{SRC}/{fault.file}"
    printed = outcome.stdout + outcome.stderr
    lines = [line for line in printed.splitlines() if f"rules/{fault.rule}:" in line]
    assert any(line.startswith(expected) for line in lines), printed
    return lines


@pytest.mark.parametrize("fault", FAULTS[:3], ids=lambda f: f.id)
def test_the_schema_check_alone_misses_the_fault(tmp_path: Path, fault: Fault) -> None:
    outcome = run_check(str(plant(tmp_path, fault)), "--only", "schema")
    assert outcome.code == 0, outcome.stdout + outcome.stderr


def test_every_rule_has_a_planted_fault() -> None:
    """The plan document rules (PLAN-*) have theirs in test_plan_rules.py."""
    ours = {rule.id for rule in RULES if not rule.id.startswith("PLAN-")}
    assert ours == {fault.rule for fault in FAULTS}


def test_every_rule_is_listed_in_docs_with_its_source() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "check.md").read_text()
    for rule in RULES:
        assert f"`{rule.id}`" in docs, rule.id


def test_rules_runs_by_default_and_reports_in_json(tmp_path: Path) -> None:
    project = plant(tmp_path, FAULTS[0])
    assert "rules" in CHECK_NAMES
    outcome = run_check(str(project), "--only", "schema,rules", "--json")
    report = json.loads(outcome.stdout)
    assert outcome.code == 1
    assert [(c["name"], c["status"]) for c in report["checks"]] == [
        ("schema", "passed"),
        ("rules", "failed"),
    ]
    [problem] = report["problems"]
    assert problem["source"] == "rules/LABEL-LENGTH"
    assert problem["file"].endswith(WIDGET)
    assert problem["line"] > 1


@pytest.mark.slow  # generate runs prettier on the plans
def test_a_generated_project_has_no_rule_errors(tmp_path: Path) -> None:
    specs = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
    generate(specs, tmp_path / "out")
    found, files = check_rules(load_project(tmp_path / "out"))
    assert files > 100
    assert [str(d) for d in found] == []


@pytest.mark.parametrize("project", ["templates", "examples"])
def test_the_runtime_and_the_examples_have_no_rule_errors(project: str) -> None:
    root = Path(__file__).resolve().parents[2] / project
    found, files = check_rules(load_project(root))
    assert files > 10
    assert [str(d) for d in found] == []


def test_standard_and_namespaced_references_are_left_to_the_org(tmp_path: Path) -> None:
    edits = (
        (PERMSET, "<object>Account<", "<object>pkg__Thing__c<"),
        (PERMSET, "<field>Account.Rating<", "<field>pkg__Thing__c.pkg__Size__c<"),
        (PERMSET, "<tab>standard-Account<", "<tab>pkg__Board<"),
        ("triggers/WidgetTrigger.trigger", "on Widget__c", "on Contact"),
        ("applications/Widgets.app-meta.xml", "<tabs>standard-Account", "<tabs>pkg__Board"),
    )
    project = plant(tmp_path, Fault("none", "", edits))
    outcome = run_check(str(project), "--only", "rules")
    assert outcome.code == 0, outcome.stdout + outcome.stderr


@pytest.mark.parametrize(
    ("name", "namespace", "ok"),
    [
        ("Widget__c", "", True),
        ("acme__Widget__c", "acme", True),
        ("other__Widget__c", "acme", False),
        ("acme__Widget__c", "", False),
        ("Widget_Count__c", "", True),
        ("Widget__Count__c", "", False),
        ("_Widget__c", "", False),
        ("9Lives", "", False),
        ("Widget_", "", False),
        ("W" * 40 + "__c", "", True),
        ("W" * 41 + "__c", "", False),
    ],
)
def test_api_names_are_judged_namespace_aware(name: str, namespace: str, ok: bool) -> None:
    assert (api_name_problem(name, 40, namespace) is None) is ok
