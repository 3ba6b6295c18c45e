"""Hostile specs: each fails validation with a located error, or generates code in which the
payload lives only inside escaped string literals (and round-trips exactly)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from stepforce.errors import SpecError
from stepforce.generator.apex_text import UnsafeTextError, apex_string
from stepforce.generator.generate import generate
from stepforce.generator.render import UnsafeRenderError, _finalize
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


@pytest.mark.parametrize(
    "name", sorted(p.name for p in HOSTILE.glob("*.yaml") if p.name not in REFUSED)
)
def test_payload_stays_inside_string_literals(tmp_path: Path, name: str) -> None:
    spec = HOSTILE / name
    generate([spec], tmp_path / "out", source_dirs=[])
    classes = sorted((tmp_path / "out" / CLASSES).glob("SfPlan_*.cls"))
    assert len(classes) == 2
    classes += sorted((tmp_path / "out" / "scripts/apex").glob("*.apex"))
    strings: list[str] = []
    for cls in classes:
        lexed = lex(cls.read_text(encoding="utf-8"))
        # A block comment's own closing "*/" is ours; anything else in a comment is not.
        bodies = [c[2:-2] if c.startswith("/*") else c[2:] for c in lexed.comments]
        outside = "".join(lexed.code + bodies)
        for payload in PAYLOADS:
            assert payload not in outside, f"{payload!r} outside a string literal in {cls.name}"
        strings += lexed.strings
    for text in _spec_texts(spec):
        assert text in strings, f"{text!r} does not round-trip through a string literal"
    for xml in (tmp_path / "out").rglob("*.xml"):
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


def test_templates_cannot_print_unescaped_text() -> None:
    with pytest.raises(UnsafeRenderError):
        _finalize("'); delete [SELECT Id FROM Account]; //")
    assert _finalize(True) == "true"
    assert _finalize(3) == "3"


@pytest.mark.slow
def test_hostile_output_passes_syntax_and_schema_checks(tmp_path: Path) -> None:
    from stepforce.generator.check import run_checks

    specs = sorted(p for p in HOSTILE.glob("*.yaml") if p.name not in REFUSED)
    generate(specs, tmp_path / "out", source_dirs=[])
    report = run_checks(tmp_path / "out", offline=True, only={"syntax", "schema"})
    generated = [d for d in report.errors if "SfPlan_" in d.location.file]
    assert generated == []
    assert {c.name for c in report.checks} == {"syntax", "schema"}
