from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from stepforce.errors import SpecError
from stepforce.generator.spec import load_spec, load_spec_text, validate_paths, yaml_source
from stepforce.generator.spec.yaml_source import MAX_ALIASES, MAX_BYTES
from tests.spec.support import MINIMAL, errors, load, one_error


def test_minimal_spec_loads_with_positions() -> None:
    spec = load(MINIMAL)
    assert spec.name == "Demo"
    assert [s.name for s in spec.steps] == ["First", "Second"]
    assert spec.steps[1].location.line == 10
    assert spec.steps[0].inputs[0].value.location.col == 21


def test_duplicate_keys_name_both_lines() -> None:
    problem = one_error("orchestration: A\norchestration: B\nsteps: []\n")
    assert "duplicate key 'orchestration' (first given on line 1)" in problem.message
    assert problem.location.line == 2
    assert problem.related[0].line == 1


def test_duplicate_keys_deep_inside_steps_are_found() -> None:
    text = MINIMAL.replace("    flow: Second_Flow\n", "    flow: Second_Flow\n    flow: Other\n")
    problem = one_error(text)
    assert problem.message.startswith("duplicate key 'flow'")
    assert problem.location.line == 12


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 12)]
    problem = one_error("\n".join(lines))
    assert f"more than {MAX_ALIASES} aliases" in problem.message


def test_expansion_bomb_under_the_alias_limit_is_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [
        f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]"
        for i in range(1, 9)
    ]
    problem = one_error("\n".join(lines))
    assert "expands to more than" in problem.message


def test_recursive_alias_is_refused() -> None:
    problem = one_error("a: &a [*a]\n")
    assert "nested more than" in problem.message


def test_huge_text_is_refused_without_parsing() -> None:
    problem = one_error("# " + "x" * MAX_BYTES + "\n")
    assert "larger than" in problem.message


def test_huge_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("# " + "x" * MAX_BYTES)
    with pytest.raises(SpecError, match="larger than"):
        load_spec(path)


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    problem = one_error("a: " + "[" * 5000 + "]" * 5000)
    assert "nest" in problem.message  # libyaml and the composer word it differently


def test_unknown_key_gets_a_hint() -> None:
    assert errors(MINIMAL.replace("steps:", "stpes:")) == [
        "steps: missing required key 'steps'",
        "stpes: unknown key 'stpes' (did you mean 'steps'?)",
    ]


def test_unknown_step_key_gets_a_hint() -> None:
    text = MINIMAL.replace(
        "    flow: Second_Flow", "    flow: Second_Flow\n    retyr: {attempts: 2}"
    )
    assert errors(text) == ["steps[1].retyr: unknown key 'retyr' (did you mean 'retry'?)"]


def test_tabs_give_the_line_and_a_hint() -> None:
    problem = one_error("orchestration: A\nsteps:\n\t- name: x\n")
    assert problem.location.line == 3
    assert "invalid YAML" in problem.message
    assert "tabs" in problem.message


def test_invalid_yaml_gives_line_and_column() -> None:
    problem = one_error("orchestration: A\nsteps: [\n  {name: x\n")
    assert problem.location.line >= 3
    assert problem.message.startswith("invalid YAML")


def test_top_level_must_be_a_mapping() -> None:
    assert errors("- a\n- b\n") == [
        ": expected a mapping (with orchestration, steps), found a list"
    ]


def test_empty_file_is_an_error() -> None:
    assert "empty" in one_error("# nothing\n").message


def test_wrong_scalar_types_are_clear() -> None:
    text = MINIMAL.replace("orchestration: Demo", "orchestration: 42")
    assert errors(text) == ["orchestration: expected text, found a number (put it in quotes)"]


def test_python_tags_are_never_constructed() -> None:
    text = MINIMAL.replace("{since: $input.since}", "{since: !!python/object:os.system ls}")
    assert errors(text) == [
        "steps[0].inputs.since: YAML tag 'tag:yaml.org,2002:python/object:os.system' is not "
        "supported; write a plain value"
    ]


def test_yaml_11_booleans_stay_text() -> None:
    spec = load(MINIMAL.replace("{total: $steps.First.count}", "{country: NO, flag: on}"))
    values = [b.value.value for b in spec.steps[1].inputs]  # type: ignore[union-attr]
    assert values == ["NO", "on"]


def test_non_text_keys_are_errors() -> None:
    text = MINIMAL.replace("{total: $steps.First.count}", "{1: a}")
    assert "keys must be plain names" in one_error(text).message


def test_merge_keys_are_errors() -> None:
    text = "base: &b {apex: X}\n" + MINIMAL.replace("    flow: Second_Flow\n", "    <<: *b\n")
    assert any("merge keys" in e for e in errors(text))


def test_all_problems_are_reported_at_once() -> None:
    text = MINIMAL.replace("apex: FirstStep", "apex: 1st").replace(
        "flow: Second_Flow", "flow: x__y"
    )
    found = errors(text)
    assert len(found) == 2
    assert "must start with a letter" in found[0]
    assert "two underscores" in found[1]


def test_load_spec_text_raises_with_file_summary() -> None:
    with pytest.raises(SpecError) as caught:
        load_spec_text("orchestration: A\n", "mine.yaml")
    assert str(caught.value).startswith("mine.yaml: 1 problem found")


def test_unreadable_and_non_utf8_files(tmp_path: Path) -> None:
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00orchestration")
    missing = tmp_path / "missing.yaml"
    specs, diagnostics = validate_paths([binary, missing])
    assert specs == []
    assert "not UTF-8" in diagnostics[0].message
    assert "cannot read" in diagnostics[1].message


def test_duplicate_orchestration_names_across_files(tmp_path: Path) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text(MINIMAL)
    second.write_text(MINIMAL.replace("Demo", "DEMO"))
    specs, diagnostics = validate_paths([first, second])
    assert [s.name for s in specs] == ["Demo"]
    assert len(diagnostics) == 1
    assert "already defined in" in diagnostics[0].message
    assert diagnostics[0].location.file == str(second)


def test_control_characters_are_located() -> None:
    problem = one_error("orchestration: A\nsteps: x\x07\n")
    assert (problem.location.line, problem.location.col) == (2, 9)
    assert "not allowed" in problem.message


def test_lone_surrogates_are_an_error() -> None:
    assert "not valid Unicode" in one_error("orchestration: \ud800\n").message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\na: 2\n", "duplicate key 'a'"),
        ("a:\n\t- x\n", "tabs"),
        ("a: " + "[" * 200 + "]" * 200, "nested more than"),
        ("x: 1\ny: \x07\n", "is not allowed"),
        ("a: *nothing\n", "has no anchor"),
        ("a: 1\n---\nb: 2\n", "expected one document"),
    ],
)
def test_pure_python_parser_fallback(
    monkeypatch: pytest.MonkeyPatch, text: str, expected: str
) -> None:
    """Without libyaml the same problems come out of PyYAML's own parser."""
    monkeypatch.setattr(yaml_source, "_PARSER_LOADER", yaml.SafeLoader)
    assert expected in one_error(text).message
