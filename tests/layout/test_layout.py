"""The layout's rules, one construct at a time, with prettier-plugin-apex's output (captured
from prettier 3 with plugin 2.3) as the expected text; and what it refuses to model."""

from __future__ import annotations

import os
import textwrap

import pytest

from stepforce.generator import apex_format
from stepforce.generator.apex_layout import LayoutUnsupported, layout_apex, layout_unit
from stepforce.generator.apex_layout.doc import text_width


def _lines(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


def test_a_statement_that_fits_is_left_on_its_line() -> None:
    assert layout_unit("result.put('since', given.get('since'));", 4) == (
        "    result.put('since', given.get('since'));"
    )


def test_call_arguments_break_one_a_line_and_nested_calls_break_only_when_needed() -> None:
    text = (
        "result.put('pageSize', StepforceCoerce.toNumber(withDefault(given.get('pageSize'), "
        "Decimal.valueOf('200')), 'inputs.pageSize'));"
    )
    assert layout_unit(text, 4) == "\n".join(
        [
            "    result.put(",
            "      'pageSize',",
            "      StepforceCoerce.toNumber(",
            "        withDefault(given.get('pageSize'), Decimal.valueOf('200')),",
            "        'inputs.pageSize'",
            "      )",
            "    );",
        ]
    )


def test_a_string_chain_in_a_lone_argument_is_indented_and_two_operands_are_not() -> None:
    chain = (
        "throw new StepforceCoerce.CoercionException('inputs.' + name + ': required input of ' "
        "+ ORCHESTRATION + ' is missing');"
    )
    assert layout_unit(chain, 6) == "\n".join(
        [
            "      throw new StepforceCoerce.CoercionException(",
            "        'inputs.' +",
            "          name +",
            "          ': required input of ' +",
            "          ORCHESTRATION +",
            "          ' is missing'",
            "      );",
        ]
    )
    pair = (
        "Assert.isNull(actual.get('cursor'), 'Fetch_Page.inputs.cursor (from $self.cursor)' + "
        "' should be null on iteration 1');"
    )
    assert layout_unit(pair, 4) == "\n".join(
        [
            "    Assert.isNull(",
            "      actual.get('cursor'),",
            "      'Fetch_Page.inputs.cursor (from $self.cursor)' +",
            "      ' should be null on iteration 1'",
            "    );",
        ]
    )


def test_a_call_on_a_new_object_breaks_before_the_dot() -> None:
    text = "Map<String, Object> actual = new SfPlan_Invoice_Sync().resolveInputs(0, state);"
    assert layout_unit(text, 4) == "\n".join(
        [
            "    Map<String, Object> actual = new SfPlan_Invoice_Sync()",
            "      .resolveInputs(0, state);",
        ]
    )


def test_collection_literals_break_one_item_a_line() -> None:
    text = (
        "private static final Set<String> INPUT_NAMES = new Set<String>{ 'since', 'pageSize', "
        "'notifyChannel' };"
    )
    assert layout_unit(text, 2) == "\n".join(
        [
            "  private static final Set<String> INPUT_NAMES = new Set<String>{",
            "    'since',",
            "    'pageSize',",
            "    'notifyChannel'",
            "  };",
        ]
    )


def test_method_parameters_break_when_the_header_is_too_long() -> None:
    text = (
        "global override Map<String, Object> resolveInputs(Integer index, "
        "StepforcePlan.State state) {"
    )
    assert layout_unit(text, 2) == "\n".join(
        [
            "  global override Map<String, Object> resolveInputs(",
            "    Integer index,",
            "    StepforcePlan.State state",
            "  ) {",
        ]
    )


def test_a_class_header_is_never_broken() -> None:
    name = "SfPlan_" + "A" * 40
    assert layout_unit(f"global with sharing class {name} extends StepforcePlan {{", 0) == (
        f"global with sharing class {name} extends StepforcePlan {{"
    )


def test_a_literal_spread_over_lines_is_joined_when_it_fits() -> None:
    source = _lines(
        """
        class A {
          void f() {
            state.outputs = new Map<String, Map<String, Object>>{
              'Fetch_Page' => new Map<String, Object>{
                'totalFetched' => 6.5
              }
            };
          }
        }
        """
    )
    assert (
        layout_apex(source + "\n")
        == _lines(
            """
        class A {
          void f() {
            state.outputs = new Map<String, Map<String, Object>>{
              'Fetch_Page' => new Map<String, Object>{ 'totalFetched' => 6.5 }
            };
          }
        }
        """
        )
        + "\n"
    )


def test_wide_characters_count_twice_as_prettier_counts_them() -> None:
    assert text_width("abc") == 3
    assert text_width("漢字") == 4
    assert text_width("é") == 1
    assert text_width("e\u0301") == 1  # a combining accent takes no column


@pytest.mark.parametrize(
    ("source", "why"),
    [
        ("class A {\n  String s = '\U0001f680';\n}\n", "emoji"),
        ("class A {\n  Integer i = 1; // one\n}\n", "comment"),
        (
            "class A {\n  void f() {\n    List<Account> a = [SELECT Id FROM Account];\n  }\n}\n",
            "'\\['",
        ),
        ("class A {\n  void f() {\n", "ends"),
    ],
)
def test_what_the_layout_does_not_model_is_refused(source: str, why: str) -> None:
    long_source = source.replace("Account];", "Account WHERE Name = 'x' AND Id != null LIMIT 10];")
    with pytest.raises(LayoutUnsupported, match=why):
        layout_apex(long_source)


def test_refused_classes_go_to_prettier_and_the_rest_do_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    given: list[set[str]] = []

    def fake_prettier(sources: dict[str, str]) -> tuple[dict[str, str], bool]:
        given.append(set(sources))
        return {name: "formatted by prettier\n" for name in sources}, True

    monkeypatch.setattr(apex_format, "prettier_format", fake_prettier)
    sources = {
        "Plain.cls": "public class Plain {\n  Integer i = 1;\n}\n",
        "Emoji.cls": "public class Emoji {\n  String s = '\U0001f680';\n}\n",
        "meta.xml": "<not apex/>",
    }
    formatted, complete = apex_format.format_apex(sources)
    assert given == [{"Emoji.cls"}]
    assert complete
    assert formatted == {
        "Plain.cls": sources["Plain.cls"],
        "Emoji.cls": "formatted by prettier\n",
        "meta.xml": "<not apex/>",
    }


def _classes() -> dict[str, str]:
    from stepforce.generator.simulate.apex_scenarios import render_apex_tests
    from stepforce.generator.simulate.scenarios import load_scenario
    from tests.conftest import REPO

    names = ("happy_path", "retry_then_success", "pause_then_resume")
    scenarios = [load_scenario(REPO / "tests" / "scenarios" / f"{n}.yaml") for n in names]
    sources = render_apex_tests(scenarios)
    sources["Emoji.cls"] = "public class Emoji {\n  String s = '\U0001f680';\n}\n"
    return sources


def test_forked_processes_lay_out_the_same_bytes_as_one(monkeypatch: pytest.MonkeyPatch) -> None:
    from stepforce.generator.apex_layout import batch

    sources = _classes()
    alone = batch.layout_all(sources)
    assert alone["Emoji.cls"] is None
    monkeypatch.setattr(batch, "CHARS_PER_WORKER", 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert batch.worker_count(10_000, len(sources)) == 2
    assert batch.layout_many(sources) == alone


def test_the_work_stays_in_this_process_when_no_process_can_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from stepforce.generator.apex_layout import batch

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("no more processes")

    sources = _classes()
    monkeypatch.setattr(batch, "CHARS_PER_WORKER", 1)
    monkeypatch.setattr(batch, "worker_count", lambda chars, files: 2)
    monkeypatch.setattr(batch, "ProcessPoolExecutor", refuse)
    assert batch.layout_many(sources) == batch.layout_all(sources)


def test_blank_lines_follow_prettier_at_most_one_and_none_at_block_edges() -> None:
    source = (
        "public class A {\n\n\n  Integer x;\n\n\n  void f() {\n\n    x = 1;\n\n\n"
        "    x = 2;\n\n  }\n\n}\n\n\n"
    )
    assert layout_apex(source) == (
        "public class A {\n  Integer x;\n\n  void f() {\n    x = 1;\n\n    x = 2;\n  }\n}\n"
    )
    commented = "/**\n * doc\n */\n\npublic class B {\n  // c\n\n  Integer x;\n}\n"
    assert layout_apex(commented) == commented  # a blank line after a comment stays
