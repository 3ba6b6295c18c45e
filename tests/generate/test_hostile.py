"""Hostile specs: each fails validation with a located error, or generates a project in which
the payload is only data (the plan document's JSON, escaped literals of a schedule script)
and round-trips exactly; no Apex class holds it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from stepforce.errors import SpecError
from stepforce.generator.apex_text import UnsafeTextError, apex_string
from stepforce.generator.generate import generate
from stepforce.generator.plan_document import schedule_input_values
from stepforce.generator.project import runtime_files
from stepforce.generator.schedule_script import schedule_script
from stepforce.generator.spec import load_spec
from tests.generate.apex_lexer import lex

HOSTILE = Path(__file__).parent / "hostile"
REFUSED = {"nul_byte.yaml", "control_char.yaml", "bad_names.yaml"}
PAYLOADS = ("delete [SELECT", "System.debug(", "*/", "]]>", "<x>", "\u202e", "\u2028")
CLASSES = "force-app/main/default/classes"


def _spec_texts(path: Path) -> list[str]:
    """Every free text of the spec: description, text defaults and text literals."""
    orch = load_spec(path)
    texts = [orch.description]
    texts += [i.default for i in orch.inputs if isinstance(i.default, str)]
    for step in orch.steps:
        for binding in step.inputs:
            value = getattr(binding.value, "value", None)
            texts += [value] if isinstance(value, str) else []
            texts += [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
    return [t for t in texts if t]


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_specs_fail_with_a_located_error(tmp_path: Path, name: str) -> None:
    with pytest.raises(SpecError) as info:
        generate([HOSTILE / name], tmp_path / "out", source_dirs=[])
    assert info.value.exit_code == 2
    assert all(d.location.line > 0 for d in info.value.diagnostics if d.is_error)
    assert not (tmp_path / "out").exists()


def _json_strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for item in value.values() for t in _json_strings(item)]
    if isinstance(value, list):
        return [t for item in value for t in _json_strings(item)]
    return []


@pytest.mark.parametrize(
    "name", sorted(p.name for p in HOSTILE.glob("*.yaml") if p.name not in REFUSED)
)
def test_payload_stays_data(tmp_path: Path, name: str) -> None:
    spec = HOSTILE / name
    out = tmp_path / "out"
    generate([spec], out, source_dirs=[])
    # no class is generated from a spec: the classes are the runtime's own, byte for byte
    runtime = runtime_files()
    for cls in (out / CLASSES).iterdir():
        assert cls.read_bytes() == runtime[f"main/default/classes/{cls.name}"], cls.name
    documents = sorted((out / "force-app/main/default/staticresources").glob("SfPlan*.resource"))
    assert len(documents) == 2  # the latest plan and its version
    strings: list[str] = []
    for document in documents:
        strings += _json_strings(json.loads(document.read_text(encoding="utf-8")))
    for script in sorted((out / "scripts/apex").glob("*.apex")):
        lexed = lex(script.read_text(encoding="utf-8"))
        outside = "".join(lexed.code)
        for payload in PAYLOADS:
            assert payload not in outside, f"{payload!r} outside a string literal in {script}"
    for text in _spec_texts(spec):
        assert text in strings, f"{text!r} does not round-trip through the plan document"
    for xml in out.rglob("*.xml"):
        etree.parse(str(xml))  # every XML file stays well-formed


@pytest.mark.parametrize(
    ("text", "literal"),
    [
        ("it's", "'it\\'s'"),
        ("a\\b", "'a\\\\b'"),
        ("x\ny\r\tz", "'x\\ny\\r\\tz'"),
        ("a\u2028b\u202ec", "'a\\u2028b\\u202ec'"),
        ("*/ //", "'*/ //'"),
    ],
)
def test_apex_string_escapes(text: str, literal: str) -> None:
    assert apex_string(text) == literal
    assert lex(f"x = {literal};").strings == [text]


def test_apex_string_refuses_nul() -> None:
    with pytest.raises(UnsafeTextError, match="U\\+0000"):
        apex_string("a\0b")


def test_a_hostile_schedule_input_stays_inside_a_string_literal() -> None:
    orch = load_spec(HOSTILE / "quotes_and_sql.yaml")
    inputs, problems = schedule_input_values(orch)
    assert problems == []
    script = schedule_script(orch, inputs)
    assert script is not None
    lexed = lex(script)
    assert "delete [SELECT" not in "".join(lexed.code)
    assert any("'); delete [SELECT Id FROM Account]; //" in text for text in lexed.strings)


@pytest.mark.slow
def test_hostile_output_passes_syntax_and_schema_checks(tmp_path: Path) -> None:
    from stepforce.generator.check import run_checks

    specs = sorted(p for p in HOSTILE.glob("*.yaml") if p.name not in REFUSED)
    generate(specs, tmp_path / "out", source_dirs=[])
    report = run_checks(tmp_path / "out", offline=True, only={"syntax", "schema"})
    assert [str(d) for d in report.errors] == []
    assert {c.name for c in report.checks} == {"syntax", "schema"}
