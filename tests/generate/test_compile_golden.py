"""Golden assertions on the Apex compiled from a small spec: every reference kind and
literal type maps to the expected, typed code."""

from __future__ import annotations

import re

import pytest

from stepforce.generator.compile import compile_plan
from stepforce.generator.render import render_plan
from stepforce.generator.spec import load_spec_text
from tests.generate.conftest import SMALL_SPEC


def _flat(code: str) -> str:
    """Whitespace-insensitive form, so the assertions hold with or without prettier."""
    flat = re.sub(r"\s+", " ", code)
    return re.sub(r"\( ", "(", re.sub(r" \)", ")", flat)).replace(", )", ")").replace(",)", ")")


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    files = render_plan(compile_plan(load_spec_text(SMALL_SPEC, "small.yaml")))
    return {name: _flat(text) for name, text in files.items()}


@pytest.mark.parametrize(
    "expected",
    [
        # $input, $self and $steps references, each coerced to the binding's effective type
        "result.put('since', StepforceCoerce.toDate(inputValue(state, 'since'), "
        "'Fetch.inputs.since'));",
        "result.put('cursor', StepforceCoerce.toText(selfOutput(state, 'Fetch', 'cursor'), "
        "'Fetch.inputs.cursor'));",
        "result.put('total', StepforceCoerce.toNumber(stepOutput(state, 'Fetch', 'total'), "
        "'Report.inputs.total'));",
        # widening: Id -> Text and Date -> DateTime
        "StepforceCoerce.toText(inputValue(state, 'owner'), 'Report.inputs.asText')",
        "StepforceCoerce.toDatetime(inputValue(state, 'since'), 'Report.inputs.startedOn')",
        # literals of every type
        "StepforceCoerce.toNumber(12.5, 'Report.inputs.rate')",
        "StepforceCoerce.toNumber(Decimal.valueOf('7'), 'Report.inputs.count')",
        "StepforceCoerce.toBoolean(true, 'Report.inputs.flag')",
        "StepforceCoerce.toDate(Date.newInstance(2026, 3, 4), 'Report.inputs.day')",
        "StepforceCoerce.toDatetime(Datetime.newInstanceGmt(2026, 3, 4, 5, 6, 7), "
        "'Report.inputs.at')",
        "StepforceCoerce.toId('005000000000001AAA', 'Report.inputs.who')",
        "StepforceCoerce.toTextList(new List<String>{ 'a', 'b' }, 'Report.inputs.tags')",
        "result.put('nothing', null);",
        "StepforceCoerce.toText('It\\'s \\\\ here', 'Report.inputs.label')",
        # outputs, run inputs and completion
        "result.put('seenAt', StepforceCoerce.toDatetime(raw.get('seenAt'), "
        "'Fetch.outputs.seenAt'));",
        "StepforceCoerce.toDate(required(given, 'since'), 'inputs.since')",
        "StepforceCoerce.toNumber(withDefault(given.get('pageSize'), Decimal.valueOf('200')), "
        "'inputs.pageSize')",
        "return isTrue(outputs, 'isDone', 'Fetch.outputs.isDone');",
        # step definitions: texts (name, kind, target, namespace, until), flags, counts
        "stepDef(new List<String>{ 'Fetch', 'Apex', 'SmallFetcher', null, 'isDone' }, "
        "new List<Boolean>{ true, true, false }, new List<Integer>{ 3, 50 }, "
        "new List<String>{ 'cursor', 'total', 'isDone', 'seenAt' }, new List<Integer>{ 1, 5 })",
        "stepDef(new List<String>{ 'Report', 'Flow', 'Small_Report', null, null }, "
        "new List<Boolean>{ false, false, false }, new List<Integer>{ 1, 1 }, "
        "new List<String>(), new List<Integer>{ 1 })",
        "global with sharing class SfPlan_Small_Sync extends StepforcePlan {",
    ],
)
def test_plan_holds_the_compiled_mapping(rendered: dict[str, str], expected: str) -> None:
    assert expected in rendered["SfPlan_Small_Sync.cls"]


def test_every_step_has_a_switch_branch(rendered: dict[str, str]) -> None:
    plan = rendered["SfPlan_Small_Sync.cls"]
    assert "when 0 { return inputsOfStep0(state); }" in plan
    assert "when 1 { return inputsOfStep1(state); }" in plan
    assert "when 1 { return outputsOfStep1(given); }" not in plan  # Report has no outputs
    assert "when 1 { return new Map<String, Object>(); }" in plan


@pytest.mark.parametrize(
    "expected",
    [
        "assertValue(Datetime.newInstanceGmt(2026, 2, 2, 0, 0, 0), actual.get('startedOn'), "
        "Datetime.class, 'Report.inputs.startedOn (from $input.since)');",
        "'owner' => sampleId(3)",
        "assertValue(String.valueOf(sampleId(3)), actual.get('asText'), String.class,",
        "assertStep(steps[0], new List<Object>{ 'Fetch', 'Apex', 'SmallFetcher', 3, true }, "
        "new List<String>{ 'cursor', 'total', 'isDone', 'seenAt' });",
        "state.iteration = 1;",
        "Assert.isNull(actual.get('cursor'), 'Fetch.inputs.cursor (from $self.cursor)' + "
        "' should be null on iteration 1');",
        "Assert.isFalse(plan.isComplete(0, new Map<String, Object>{ 'isDone' => false })",
        "'not a declared output' => 'ignored'",
        "rejected += error.getMessage().startsWith('inputs.since') ? 1 : 0;",
        "Assert.areEqual(Decimal.valueOf('200'), (Decimal) actual.get('pageSize')",
    ],
)
def test_tests_assert_mapping_and_coercion(rendered: dict[str, str], expected: str) -> None:
    assert expected in rendered["SfPlan_Small_Sync_Tests.cls"]


def test_every_assert_has_a_message(rendered: dict[str, str]) -> None:
    tests = render_plan(compile_plan(load_spec_text(SMALL_SPEC, "small.yaml")))
    calls = re.findall(r"Assert\.\w+\((.*?)\);\n", tests["SfPlan_Small_Sync_Tests.cls"], re.S)
    assert len(calls) > 20
    for call in calls:
        assert "'" in call.split(",")[-1], f"assert without a message: {call}"


def test_a_required_input_with_a_default_takes_the_default_in_prepare_inputs() -> None:
    # docs/spec.md: such an input is never missing; the simulator applies the default too.
    spec = (
        "orchestration: Req_Default\ninputs:\n  region: {type: Text, required: true, "
        "default: EMEA}\nsteps:\n  - name: Only\n    apex: OnlyStep\n"
        "    inputs: {region: $input.region}\n"
    )
    plan = render_plan(compile_plan(load_spec_text(spec, "spec.yaml")))["SfPlan_Req_Default.cls"]
    assert "withDefault(given.get('region'), 'EMEA')" in plan
    assert "required(given, 'region')" not in plan
    assert "private static Object required(" not in plan


def test_schedule_inputs_keep_every_digit_of_a_number() -> None:
    spec = (
        "orchestration: Exact_Schedule\ninputs:\n  amount: Number\n  at: DateTime\n"
        "steps:\n  - name: Only\n    apex: OnlyStep\n    inputs: {amount: $input.amount}\n"
        'schedule:\n  cron: "0 0 2 * * ?"\n'
        "  inputs: {amount: 12345678901234567.89, at: 2026-11-25T10:00:00.660Z}\n"
    )
    sources = render_plan(compile_plan(load_spec_text(spec, "spec.yaml")))
    schedule = "".join(text for name, text in sources.items() if name.endswith(".apex"))
    assert '{"amount":12345678901234567.89,"at":"2026-11-25T10:00:00.660Z"}' in schedule
