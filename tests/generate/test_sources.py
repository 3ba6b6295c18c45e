"""Cross-checks of step Flows and Apex classes against the spec, with both locations."""

from __future__ import annotations

from pathlib import Path

import pytest

from stepforce.diagnostics import Severity
from stepforce.errors import SpecError
from stepforce.generator.generate import generate
from stepforce.generator.sources import SourceIndex, cross_check, default_source_dirs
from stepforce.generator.spec import load_spec_text
from tests.generate.conftest import write_spec

SPEC = """\
orchestration: Check_Me
steps:
  - name: Score
    apex: Scorer
    inputs: {leadId: "00Q000000000001AAA"}
    outputs: {score: Number}
  - name: Notify
    flow: Notify_Owner
    inputs:
      score: $steps.Score.score
      note: "hello"
    outputs: {sent: Boolean}
"""

FLOW = """<?xml version="1.0" encoding="UTF-8"?>
<Flow xmlns="http://soap.sforce.com/2006/04/metadata">
    <apiVersion>62.0</apiVersion>
    <label>Notify Owner</label>
    <processType>{process}</processType>
    <status>Active</status>
    <variables>
        <name>score</name>
        <dataType>{score_type}</dataType>
        <isCollection>false</isCollection>
        <isInput>true</isInput>
        <isOutput>false</isOutput>
    </variables>
    <variables>
        <name>{note_name}</name>
        <dataType>String</dataType>
        <isCollection>false</isCollection>
        <isInput>true</isInput>
        <isOutput>false</isOutput>
    </variables>
    <variables>
        <name>sent</name>
        <dataType>Boolean</dataType>
        <isCollection>false</isCollection>
        <isInput>false</isInput>
        <isOutput>{sent_output}</isOutput>
    </variables>
</Flow>
"""

GOOD_APEX = """// Scorer: a step
public with sharing class Scorer implements StepforceStep {
    public Map<String, Object> execute(StepforceStepContext context) {
        return new Map<String, Object>{ 'score' => 1 };
    }
}
"""


def _project(
    root: Path,
    *,
    process: str = "AutoLaunchedFlow",
    score_type: str = "Number",
    note_name: str = "note",
    sent_output: str = "true",
    apex: str = GOOD_APEX,
) -> Path:
    default = root / "force-app" / "main" / "default"
    (default / "flows").mkdir(parents=True)
    (default / "classes").mkdir(parents=True)
    flow = FLOW.format(
        process=process, score_type=score_type, note_name=note_name, sent_output=sent_output
    )
    (default / "flows" / "Notify_Owner.flow-meta.xml").write_text(flow)
    (default / "classes" / "Scorer.cls").write_text(apex)
    (default / "classes" / "Scorer.cls-meta.xml").write_text("<ApexClass/>")
    return root / "force-app"


def _problems(root: Path, **kwargs: str) -> list[str]:
    source = _project(root, **kwargs)
    orch = load_spec_text(SPEC, "check.yaml")
    return [str(d) for d in cross_check(orch, SourceIndex([source])) if d.is_error]


def test_matching_sources_pass(tmp_path: Path) -> None:
    assert _problems(tmp_path) == []


def test_flow_input_name_is_case_sensitive(tmp_path: Path) -> None:
    problems = _problems(tmp_path, note_name="Note")
    assert len(problems) == 1
    assert problems[0].startswith("check.yaml:11:")
    assert "no variable 'note'" in problems[0]
    assert "there is 'Note'" in problems[0]
    assert "Notify_Owner.flow-meta.xml" in problems[0]


def test_flow_type_mismatch_names_both_lines(tmp_path: Path) -> None:
    orch = load_spec_text(SPEC, "check.yaml")
    source = _project(tmp_path, score_type="String")
    [problem] = [d for d in cross_check(orch, SourceIndex([source])) if d.is_error]
    assert problem.location.line == 10
    assert "is String, which does not match Number" in problem.message
    assert problem.related[0].file.endswith("Notify_Owner.flow-meta.xml")
    assert problem.related[0].line == 7  # the <variables> element of 'score'


def test_output_must_be_available_for_output(tmp_path: Path) -> None:
    problems = _problems(tmp_path, sent_output="false")
    assert any("'sent' is not available for output" in p for p in problems)


def test_flow_must_be_autolaunched(tmp_path: Path) -> None:
    problems = _problems(tmp_path, process="Flow")
    assert any("is not autolaunched (processType Flow)" in p for p in problems)


def test_apex_class_must_implement_the_step_interface(tmp_path: Path) -> None:
    apex = "// implements StepforceStep in a comment does not count\n" + GOOD_APEX.replace(
        " implements StepforceStep", ""
    )
    problems = _problems(tmp_path, apex=apex)
    assert len(problems) == 1
    assert "does not implement StepforceStep" in problems[0]
    assert "Scorer.cls:3" in problems[0]


def test_missing_sources_are_warnings(tmp_path: Path) -> None:
    orch = load_spec_text(SPEC, "check.yaml")
    found = cross_check(orch, SourceIndex([]))
    assert [d.severity for d in found] == [Severity.WARNING, Severity.WARNING]
    assert "Apex class Scorer was not found" in found[0].message


def test_default_source_dirs_find_force_app_next_to_the_specs(tmp_path: Path) -> None:
    source = _project(tmp_path)
    spec = write_spec(tmp_path, "check.yaml", SPEC)
    assert default_source_dirs([spec]) == [source.resolve()]


def test_generate_copies_sources_and_refuses_mismatches(tmp_path: Path) -> None:
    _project(tmp_path / "src")
    spec = write_spec(tmp_path / "src", "check.yaml", SPEC)
    result = generate([spec], tmp_path / "out")
    assert result.diagnostics == []
    copied = tmp_path / "out/force-app/main/default"
    assert (copied / "flows/Notify_Owner.flow-meta.xml").is_file()
    assert (copied / "classes/Scorer.cls").read_text() == GOOD_APEX
    flow = tmp_path / "src/force-app/main/default/flows/Notify_Owner.flow-meta.xml"
    flow.write_text(flow.read_text().replace("<name>note</name>", "<name>message</name>"))
    with pytest.raises(SpecError, match="no variable 'note'"):
        generate([spec], tmp_path / "out")


def test_flow_files_never_resolve_external_entities(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("score")  # would make the variable name match if it were read
    source = _project(tmp_path)
    flow = source / "main/default/flows/Notify_Owner.flow-meta.xml"
    text = flow.read_text().replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<!DOCTYPE Flow [<!ENTITY leak SYSTEM "file://{secret}">]>',
    )
    flow.write_text(text.replace("<name>score</name>", "<name>&leak;</name>"))
    orch = load_spec_text(SPEC, "check.yaml")
    problems = [d.message for d in cross_check(orch, SourceIndex([source])) if d.is_error]
    assert any("has no variable 'score'" in p for p in problems)
