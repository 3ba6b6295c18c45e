"""The plan document rules (rules/PLAN-*): one planted fault per rule in the plan resources of
a copy of rules_project, and generated plans pass.

Every fault here deploys: the Metadata API stores a static resource without reading it, so
before these rules a broken plan was found only when a run reached it.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from stepforce.generator.check.project import load_project
from stepforce.generator.check.rules import RULES, check_rules
from stepforce.generator.plan_document import (
    MAX_RESOURCE_BYTES,
    current_resource,
    document_text,
    document_version,
    plan_resources,
    version_resource,
)
from stepforce.generator.plan_names import is_plan_resource
from stepforce.generator.spec import load_spec
from tests.check.conftest import FIXTURES
from tests.check.test_end_to_end import run_check
from tests.check.test_rules import SRC, Fault, assert_reported, plant

REPO = Path(__file__).resolve().parents[2]
RESOURCES = "staticresources"
PLAN = plan_resources(load_spec(FIXTURES / "widget_plan.yaml"))
LATEST = current_resource("Widget_Plan")
BODY = PLAN[f"{LATEST}.resource"].decode("utf-8")
DOCUMENT: dict[str, Any] = json.loads(BODY)
PINNED = version_resource(DOCUMENT["version"])
L_BODY = f"{RESOURCES}/{LATEST}.resource"
V_BODY = f"{RESOURCES}/{PINNED}.resource"
V_META = f"{V_BODY}-meta.xml"
L_META = f"{L_BODY}-meta.xml"
#: The plan resources as generate writes them, added to the copy before a fault's edits.
WRITE_PLAN = tuple(
    (f"{RESOURCES}/{name}", None, data.decode("utf-8")) for name, data in PLAN.items()
)

Edit = tuple[str, str | None, str | None]


def faulty(rule: str, file: str, *edits: Edit) -> Fault:
    return Fault(rule, file, WRITE_PLAN + edits)


def in_both(old: str, new: str) -> tuple[Edit, Edit]:
    """The same edit of the latest plan and its pinned version (so only one rule fires)."""
    return (L_BODY, old, new), (V_BODY, old, new)


def consistent(change: Callable[[dict[str, Any]], None]) -> tuple[Edit, ...]:
    """Edits that replace the plan by a changed document, rehashed and written as generate
    would (canonical, under the right names, with matching descriptions): only what the
    document says is wrong."""
    document = json.loads(BODY)
    change(document)
    document["version"] = version = document_version(document)
    text = document_text(document)
    meta = PLAN[f"{PINNED}.resource-meta.xml"].decode("utf-8")
    new_pinned = f"{RESOURCES}/{version_resource(version)}.resource"
    latest_meta = PLAN[f"{LATEST}.resource-meta.xml"].decode("utf-8")
    return (
        (V_BODY, "", None),
        (V_META, "", None),
        (L_BODY, None, text),
        (L_META, None, latest_meta.replace(DOCUMENT["version"], version)),
        (new_pinned, None, text),
        (f"{new_pinned}-meta.xml", None, meta.replace(DOCUMENT["version"], version)),
    )


def _set(path: str, value: object) -> Callable[[dict[str, Any]], None]:
    """A change of one place (``steps.1.inputs.0.ref``) of the document."""

    def change(document: dict[str, Any]) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        node: Any = document
        for part in parents:
            node = node[part]
        node[last] = value

    return change


def impostor(rule: str, name: str, meta: str) -> Fault:
    """The plan's body under another resource ``name``, with a copy of ``meta``."""
    body = f"{RESOURCES}/{name}.resource"
    return faulty(rule, body, (body, None, BODY), (f"{body}-meta.xml", None, "COPY:" + meta))


WRONG = "SfPlanV_000000000000000000000000"
PLAN_FAULTS = [
    faulty("PLAN-DOCUMENT", L_BODY, (L_BODY, None, BODY[:120])),
    faulty("PLAN-DOCUMENT", V_BODY, (V_BODY, '"format":1', '"format":2')),
    faulty("PLAN-DOCUMENT", L_BODY, (L_BODY, '"attempts":1', '"attempts":"1"')),
    faulty("PLAN-DOCUMENT", V_BODY, (V_META, "", None)),
    faulty("PLAN-DOCUMENT", L_BODY, (L_BODY, None, BODY + " " * MAX_RESOURCE_BYTES)),
    faulty("PLAN-VERSION", L_BODY, *in_both('"max":100', '"max":200')),
    faulty("PLAN-VERSION", V_BODY, (V_BODY, '{"description"', '{ "description"')),
    impostor("PLAN-NAME", WRONG, V_META),
    impostor("PLAN-NAME", "SfPlan_000000000000000000000000", V_META),
    faulty("PLAN-META", V_META, (V_META, "stepforce plan ", "stepforce latest ")),
    faulty("PLAN-META", V_META, (V_META, "Widget_Plan<", "Gadget_Plan<")),
    faulty("PLAN-META", V_META, (V_META, "application/json", "text/plain")),
    faulty("PLAN-PINNED", L_BODY, (V_BODY, "", None), (V_META, "", None)),
    faulty("PLAN-PINNED", L_BODY, (V_BODY, '"who"', '"whom"')),
    impostor("PLAN-PINNED", "SfPlan_000000000000000000000000", L_META),
    faulty("PLAN-MODEL", L_BODY, *consistent(_set("steps.1.inputs.1.ref", ["steps", "Note", "x"]))),
    faulty("PLAN-MODEL", L_BODY, *consistent(_set("steps.0.inputs.0.ref", ["input", "sinse"]))),
    faulty("PLAN-MODEL", L_BODY, *consistent(_set("steps.1.inputs.0.ref", ["self", "who"]))),
    faulty("PLAN-MODEL", L_BODY, *consistent(_set("steps.0.repeat.until", "total"))),
    faulty("PLAN-MODEL", L_BODY, *consistent(_set("steps.0.outputs.0.type", "Txet"))),
    faulty("PLAN-MODEL", L_BODY, *consistent(_set("inputs.1.required", True))),
    faulty("PLAN-MODEL", L_BODY, *consistent(_set("schedule.cron", "0 0 25 * * ?"))),
    faulty(
        "PLAN-TARGET",
        L_BODY,
        ("classes/WidgetCounter.cls", "implements StepforceStep ", ""),
    ),
    faulty(
        "PLAN-TARGET",
        V_BODY,
        ("flows/Widget_Note.flow-meta.xml", ">AutoLaunchedFlow<", ">Flow<"),
    ),
    faulty(
        "PLAN-TARGET",
        L_BODY,
        ("flows/Widget_Note.flow-meta.xml", "<name>total<", "<name>Total<"),
    ),
]


@pytest.mark.parametrize(
    "fault", PLAN_FAULTS, ids=[f"{f.rule}-{i}" for i, f in enumerate(PLAN_FAULTS)]
)
def test_a_planted_plan_fault_is_reported_with_its_rule_and_file(
    tmp_path: Path, fault: Fault
) -> None:
    lines = assert_reported(tmp_path, fault)
    errors = [line for line in lines if ": warning: " not in line]
    assert all("stepforce generate" in line for line in errors), lines


def test_every_plan_rule_has_a_planted_fault() -> None:
    planted = {fault.rule for fault in PLAN_FAULTS}
    assert planted == {rule.id for rule in RULES if rule.id.startswith("PLAN-")}


def test_the_plan_as_generated_passes(tmp_path: Path) -> None:
    outcome = run_check(str(plant(tmp_path, faulty("none", ""))), "--only", "schema,rules")
    assert outcome.code == 0, outcome.stdout + outcome.stderr
    assert "warning:" not in outcome.stdout + outcome.stderr


def test_a_consistent_but_invalid_plan_fails_only_the_model_rule(tmp_path: Path) -> None:
    """A document rehashed and rewritten as generate would: only what it says is wrong."""
    edits = consistent(_set("steps.0.inputs.0.ref", ["input", "sinse"]))
    found, _files = check_rules(load_project(plant(tmp_path, faulty("PLAN-MODEL", "", *edits))))
    assert {(d.source, d.path) for d in found} == {("rules/PLAN-MODEL", "steps[0].inputs.since")}
    assert "did you mean 'since'" in found[0].message


def test_a_problem_names_the_json_path_and_the_meta_line(tmp_path: Path) -> None:
    fault = faulty(
        "PLAN-DOCUMENT",
        L_BODY,
        (L_BODY, '"attempts":1', '"attempts":"1"'),
        (V_META, "application/json", "text/plain"),
    )
    project = plant(tmp_path, fault)
    found, _files = check_rules(load_project(project))
    shown = {(d.source, d.location.file.rsplit("/", 1)[-1], d.location.line, d.path) for d in found}
    assert ("rules/PLAN-DOCUMENT", f"{LATEST}.resource", 1, "steps[0].attempts") in shown
    assert ("rules/PLAN-META", f"{PINNED}.resource-meta.xml", 4, "") in shown


def test_a_target_outside_the_project_warns_and_a_namespaced_one_is_not_judged(
    tmp_path: Path,
) -> None:
    namespaced = consistent(_set("steps.1.namespace", "acme"))
    fault = faulty(
        "PLAN-TARGET",
        L_BODY,
        ("classes/WidgetCounter.cls", "", None),
        ("classes/WidgetCounter.cls-meta.xml", "", None),
        *namespaced,
    )
    project = plant(tmp_path, fault)
    outcome = run_check(str(project), "--only", "rules")
    printed = outcome.stdout + outcome.stderr
    assert outcome.code == 0, printed
    warnings = [line for line in printed.splitlines() if "warning: rules/PLAN-TARGET" in line]
    assert any("Apex class WidgetCounter is not in this project" in w for w in warnings), printed
    assert not any("Widget_Note" in w for w in warnings), printed  # acme__Widget_Note


def test_plans_of_the_examples_pass_every_plan_rule(tmp_path: Path) -> None:
    """The examples' plans, written beside their step sources as generate writes them (without
    the runtime and prettier, so this stays fast; the slow test in test_rules.py checks a
    whole generated project)."""
    project = tmp_path / "examples"
    shutil.copytree(REPO / "examples", project)
    resources = project / "force-app" / "main" / "default" / RESOURCES
    resources.mkdir()
    for spec in sorted((REPO / "examples").glob("*.yaml")):
        for name, data in plan_resources(load_spec(spec)).items():
            (resources / name).write_bytes(data)
    found, _files = check_rules(load_project(project))
    assert len(list(resources.glob("SfPlan*.resource"))) == 6
    assert [str(d) for d in found] == []


def test_the_index_knows_the_plan_resource_prefixes_generate_writes() -> None:
    assert is_plan_resource(current_resource("Invoice_Sync"))
    assert is_plan_resource(version_resource("0" * 24))
    assert not is_plan_resource("SfPlanner")  # a resource of the user's own


def test_a_flow_variable_the_plan_needs_is_named_by_the_step_input(tmp_path: Path) -> None:
    edit = ("flows/Widget_Note.flow-meta.xml", "<name>total<", "<name>Total<")
    found, _files = check_rules(load_project(plant(tmp_path, faulty("PLAN-TARGET", "", edit))))
    [problem, *_same_in_the_pinned_copy] = found
    assert (problem.source, problem.path) == ("rules/PLAN-TARGET", "steps[1].inputs.total")
    assert "there is 'Total': Flow variable names are case-sensitive" in problem.message
    assert problem.related[0].file.endswith("flows/Widget_Note.flow-meta.xml")


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (b"\xff\xfe{}", "not UTF-8"),
        (b"1" * 5000, "not JSON a plan can hold"),
        (b"[" * 5000 + b"]" * 5000, "not JSON a plan can hold"),
        (BODY.replace('"default":"ops"', '"default":' + "[" * 600 + "]" * 600).encode(), "deep"),
        (b'"a plan"', "not a plan document"),
    ],
    ids=["latin", "digits", "nested", "nested-value", "string"],
)
def test_a_body_no_parser_should_trust_is_one_finding_not_a_crash(
    tmp_path: Path, body: bytes, said: str
) -> None:
    project = plant(tmp_path, faulty("PLAN-DOCUMENT", ""))
    (project / SRC / L_BODY).write_bytes(body)
    found, _files = check_rules(load_project(project))
    [problem] = [d for d in found if d.location.file.endswith(f"{LATEST}.resource")]
    assert problem.source == "rules/PLAN-DOCUMENT"
    assert said in problem.message
