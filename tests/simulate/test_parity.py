"""The parity test (issue 18): random orchestrations and fixtures run through the simulator,
become an emitted SfScn_* Apex test, and every value that test asserts is recomputed by an
independent model of the Apex side (tests/simulate/apex_model.py) from the Apex values the
test scripts: step statuses, outputs (exact decimals, Date and Datetime literals), error
texts (String.valueOf, UTF-16 cuts, the LimitException prefix), the run's status, error and
context. A drift between the simulator and the runtime's rules fails here, offline."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from stepforce.errors import SpecError
from stepforce.generator.simulate.apex_scenarios import render_scenario_test
from stepforce.generator.simulate.controls import (
    Action,
    Control,
    FixtureProblemsError,
    InputsRejectedError,
)
from stepforce.generator.simulate.fixtures import Fixtures, Outcome, OutcomeKind
from stepforce.generator.simulate.scenarios import Expected, Scenario
from stepforce.generator.spec.model import (
    Binding,
    InputDecl,
    OnFailure,
    Orchestration,
    OutputDecl,
    Ref,
    RefKind,
    Repeat,
    Retry,
    Scalar,
    Step,
    StepKind,
    ValueType,
)
from tests.simulate import apex_model as model
from tests.simulate.apex_reader import ApexReader, read_value
from tests.simulate.conftest import vtype

SCALARS = ["Text", "Number", "Boolean", "Date", "DateTime", "Id"]
TYPES = [*SCALARS, "List<Text>", "List<Number>", "List<Date>"]
UTC = dt.UTC
KINDS = [*[OutcomeKind.OUTPUTS] * 6, OutcomeKind.ERROR, OutcomeKind.LIMIT]
ERRORS = ["Too many SOQL queries: 201", "boom: it's 'x'", "é" * 40000]

# -- random values ---------------------------------------------------------------------------

decimals = st.one_of(
    st.decimals(
        allow_nan=False, allow_infinity=False, places=2, min_value=-(10**18), max_value=10**18
    ),
    st.sampled_from([Decimal("12345678901234567.89"), Decimal("0.10"), Decimal("-0.0010")]),
)
datetimes = st.datetimes(
    min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2150, 1, 1), timezones=st.just(UTC)
).map(lambda v: v.replace(microsecond=v.microsecond // 1000 * 1000))
texts = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=70),
    st.sampled_from(
        [
            "42\n",
            "１２",
            "it's",
            "0.10",
            "1e3",
            "2026-02-30",
            "2026-11-01",
            "2026-11-25T10:00:00.5+01:00",
            "2026-11-25T10:00:00Z\n",
            "😀" * 40,
            "a" + "😀" * 40,
            "TRUE",
            "001000000000abc",
            "001000000000ABCAA2",
        ]
    ),
)
dates = st.dates(dt.date(1950, 1, 1), dt.date(2150, 1, 1))
scalars = st.one_of(st.none(), st.booleans(), decimals, texts, dates, datetimes)
raw_values = st.one_of(scalars, st.lists(scalars, max_size=3))
ids = st.sampled_from(["001000000000abc", "001000000000ABCAA2", "a0B5g00000AbCdEfGh"])
stamps = st.builds(
    lambda v, zone: v.astimezone(dt.timezone(dt.timedelta(minutes=zone))).isoformat(
        timespec="milliseconds"
    ),
    datetimes,
    st.integers(-18 * 60, 18 * 60),
)
GOOD = {
    "Text": texts,
    "Number": st.one_of(decimals, decimals.map(str)),
    "Boolean": st.one_of(st.booleans(), st.sampled_from(["TRUE", "false"])),
    "Date": st.one_of(dates, dates.map(dt.date.isoformat)),
    "DateTime": st.one_of(datetimes, dates, stamps),
    "Id": ids,
}


def values_for(type_text: str) -> st.SearchStrategy[Any]:
    """Mostly values the type accepts (in every form), sometimes anything at all."""
    if type_text.startswith("List<"):
        item = GOOD[type_text[5:-1]]
        good = st.lists(st.one_of(item, st.none()), max_size=3)
    else:
        good = GOOD[type_text]
    return st.one_of(*[good] * 8, st.none(), raw_values)


def widened(source: ValueType) -> st.SearchStrategy[ValueType | None]:
    """No declared type, or one the source widens to (Date -> DateTime, Id -> Text)."""
    wider = {"Date": "DateTime", "Id": "Text"}.get(source.scalar.value)
    if wider is None:
        return st.none()
    return st.sampled_from([None, ValueType(Scalar(wider), source.is_list)])


@st.composite
def orchestrations(draw: st.DrawFn) -> Orchestration:
    inputs = tuple(
        InputDecl(f"in{i}", vtype(draw(st.sampled_from(TYPES))), required=draw(st.booleans()))
        for i in range(draw(st.integers(0, 2)))
    )
    steps: list[Step] = []
    for index in range(draw(st.integers(1, 3))):
        outputs = [
            OutputDecl(f"out{i}", vtype(draw(st.sampled_from(TYPES))))
            for i in range(draw(st.integers(1, 3)))
        ]
        repeat = None
        if draw(st.booleans()):
            outputs.append(OutputDecl("isDone", vtype("Boolean")))
            repeat = Repeat("isDone", draw(st.integers(1, 3)))
        if index == 0:
            bindings = [
                Binding(d.name, Ref(RefKind.INPUT, d.name), d.type, draw(widened(d.type)))
                for d in inputs
            ]
        else:
            prev = steps[-1]
            bindings = [
                Binding(
                    o.name, Ref(RefKind.STEPS, o.name, prev.name), o.type, draw(widened(o.type))
                )
                for o in prev.outputs
            ]
        steps.append(
            Step(
                name=f"S{index}",
                kind=draw(st.sampled_from([StepKind.APEX, StepKind.FLOW])),
                target=f"Target{index}",
                inputs=tuple(bindings),
                outputs=tuple(outputs),
                repeat=repeat,
                retry=Retry(draw(st.integers(1, 3)), (draw(st.integers(1, 5)),)),
                on_failure=draw(st.sampled_from([OnFailure.FAIL, OnFailure.CONTINUE])),
            )
        )
    return Orchestration(name="Parity", steps=tuple(steps), inputs=inputs)


@st.composite
def fixtures_for(draw: st.DrawFn, orch: Orchestration) -> Fixtures:
    steps: dict[str, tuple[Outcome, ...]] = {}
    for step in orch.steps:
        entries = []
        for _ in range(draw(st.integers(1, 9))):
            kind = draw(
                st.sampled_from([OutcomeKind.OUTPUTS] * 4 + [OutcomeKind.ERROR, OutcomeKind.LIMIT])
            )
            if kind is OutcomeKind.OUTPUTS:
                outputs = {
                    o.name: draw(values_for(str(o.type)))
                    for o in step.outputs
                    if draw(st.integers(0, 9)) > 0
                }
                entries.append(Outcome(kind, outputs=outputs))
            else:
                text = draw(
                    st.sampled_from(["Too many SOQL queries: 201", "boom: it's 'x'", "é" * 40000])
                )
                entries.append(Outcome(kind, error=text))
        steps[step.name] = tuple(entries)
    inputs = {d.name: draw(values_for(str(d.type))) for d in orch.inputs if draw(st.integers(0, 9))}
    return Fixtures(inputs=inputs, steps=steps)


# -- reading the emitted test --------------------------------------------------------------------

_SCRIPT = re.compile(r"^\s*\.(returns|fails|failsUncatchably)\(('(?:[^'\\]|\\.)*'), (.*)\);?$")
_STEP_RUN = re.compile(r"assertStepRun\(stepRuns\[\d+\], new List<Object>\{ (.*) \}, '")


def _script(apex: str) -> dict[str, list[tuple[str, Any]]]:
    script: dict[str, list[tuple[str, Any]]] = {}
    for line in apex.splitlines():
        match = _SCRIPT.match(line)
        if match:
            kind, step, body = match.groups()
            value = read_value(body)
            script.setdefault(read_value(step), []).append((kind, value))
    return script


def _line_value(apex: str, pattern: str) -> Any:
    match = re.search(pattern, apex, re.MULTILINE)
    assert match is not None, pattern
    return read_value(match.group(1))


def _same_json(asserted: Any, expected: Any) -> bool:
    """Numbers equal by value and, written without an exponent, digit for digit."""
    if isinstance(expected, Decimal):
        if not isinstance(asserted, Decimal) or asserted != expected:
            return False
        return "E" in str(expected) or str(asserted) == str(expected)
    if isinstance(expected, list):
        return (
            isinstance(asserted, list)
            and len(asserted) == len(expected)
            and all(_same_json(a, e) for a, e in zip(asserted, expected, strict=True))
        )
    if isinstance(expected, dict):
        return (
            isinstance(asserted, dict)
            and asserted.keys() == expected.keys()
            and all(_same_json(asserted[k], e) for k, e in expected.items())
        )
    return type(asserted) is type(expected) and asserted == expected


def _check_error(asserted: str | None, exact: bool, expected: str | None) -> None:
    if expected is None:
        assert asserted is None
        return
    assert asserted is not None, expected
    whole = model.abbreviate(expected, 32768)
    if exact:
        assert asserted == whole
    else:
        assert whole.startswith(asserted), (asserted, whole)


# -- the Apex side, recomputed ------------------------------------------------------------------


def _prepare(orch: Orchestration, given: dict[str, Any]) -> dict[str, Any]:
    """The generated prepareInputs (no defaults are generated here); raises model.Refused."""
    prepared = {}
    for decl in orch.inputs:
        value = given.get(decl.name)
        if value is None and decl.required:
            raise model.Refused(f"inputs.{decl.name}: required input of {orch.name} is missing")
        prepared[decl.name] = model.json_form(
            model.coerce(value, str(decl.type), f"inputs.{decl.name}")
        )
    return prepared


def _from_json(value: Any) -> Any:
    """A context value as JSON.deserializeUntyped hands it to resolveInputs."""
    if isinstance(value, Decimal):
        return model.ADecimal.value_of(str(value))
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    return value


def _resolved(step: Step, prepared: dict[str, Any], steps: dict[str, Any]) -> dict[str, Any]:
    """The generated resolveInputs: each binding's value from the context, coerced to its
    effective type, as JSON."""
    resolved = {}
    for binding in step.inputs:
        ref = binding.value
        assert isinstance(ref, Ref)
        source = prepared if ref.kind is RefKind.INPUT else steps.get(ref.step or "", {})
        value = _from_json(source.get(ref.name))
        target = binding.effective_type
        assert target is not None
        field = f"{step.name}.inputs.{binding.target}"
        resolved[binding.target] = model.json_form(model.coerce(value, str(target), field))
    return resolved


def _expected_run(
    step: Step, entry: tuple[str, Any], iteration: int
) -> tuple[str, Any, str | None]:
    """(status, outputs JSON, error) the finalizer records for one scripted result."""
    kind, value = entry
    if kind != "returns":
        return "Failed", None, value
    outputs = {}
    try:
        for decl in step.outputs:
            field = f"{step.name}.outputs.{decl.name}"
            outputs[decl.name] = model.json_form(
                model.coerce(value.get(decl.name), str(decl.type), field)
            )
    except model.Refused as refused:
        return "Failed", None, str(refused)
    done = step.repeat is None or outputs.get(step.repeat.until) is True
    if step.repeat is not None and not done and iteration >= step.repeat.max_iterations:
        limit = step.repeat.max_iterations
        return "Failed", outputs, f"max_iterations ({limit}) reached before isDone was true"
    return "Succeeded", outputs, None


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_every_value_an_emitted_test_asserts_is_what_the_apex_side_computes(
    data: st.DataObject,
) -> None:
    orch = data.draw(orchestrations())
    fixtures = data.draw(fixtures_for(orch))
    controls: tuple[Control, ...] = ()
    if data.draw(st.integers(0, 3)) == 0:  # a cancel requested while some attempt runs
        step = data.draw(st.sampled_from(orch.steps))
        last = step.repeat.max_iterations if step.repeat else 1
        iteration = data.draw(st.sampled_from([None, 1, 2, last, last]))
        controls = (Control(Action.CANCEL, step=step.name, iteration=iteration),)
    scenario = Scenario("parity", "", orch, fixtures, controls, Expected(status="Succeeded"))
    try:
        scenario.run()
    except FixtureProblemsError:
        assume(False)  # the run needs more results than were drawn
    except InputsRejectedError:
        pass
    except SpecError:
        assume(False)  # the cancel never found its attempt
    apex = render_scenario_test(scenario)
    given_inputs = _line_value(apex, r"^\s*Map<String, Object> inputs = (.*);$")
    try:
        prepared = _prepare(orch, given_inputs)
    except model.Refused as refused:
        assert "} catch (StepforceCoerce.CoercionException e) {" in apex
        match = re.search(r"assertError\((.*), (true|false), e\.getMessage\(\)", apex)
        assert match is not None
        _check_error(read_value(match.group(1)), match.group(2) == "true", str(refused))
        event("start refused")
        return
    assert "driver.run();" in apex
    event("ran")

    script = _script(apex)
    used: dict[str, int] = {}
    context_steps: dict[str, Any] = {}
    last: tuple[Step, str, str | None] | None = None
    for match in _STEP_RUN.finditer(apex):
        reader = ApexReader(match.group(1))
        fields = reader.arguments()
        name, iteration, _attempt, status, inputs, outputs, error, exact = fields
        step = next(s for s in orch.steps if s.name == name)
        assert inputs is not None, "a valid spec's bindings always resolve"
        want_inputs = _resolved(step, prepared, context_steps)
        if isinstance(inputs, int):  # cut to Inputs__c: not with these small values
            raise AssertionError(f"inputs cut to {inputs}")
        assert _same_json(model.from_json_text(inputs), want_inputs), (inputs, want_inputs)
        position = used.get(name, 0)
        entries = script.get(name, [])
        assert position < len(entries), f"the Apex test would run out of scripted results: {name}"
        used[name] = position + 1
        want_status, want_outputs, want_error = _expected_run(step, entries[position], iteration)
        assert status == want_status
        _check_error(error, exact, want_error)
        if want_outputs is None:
            assert outputs is None
        else:
            assert _same_json(model.from_json_text(outputs), want_outputs), (outputs, want_outputs)
            if not controls or not _cancelled_at(controls[0], name, iteration):
                context_steps[name] = want_outputs  # a cancelled attempt stores nothing
        last = (step, status, want_error)
        event(
            f"step run {status}"
            + (" (coercion error)" if want_error and ": expected " in want_error else "")
        )

    run_status = _line_value(apex, r"Assert\.areEqual\(('[A-Za-z]+'), run\.Status__c")
    error_match = re.search(r"assertError\((.*), (true|false), run\.Error__c", apex)
    assert error_match is not None
    run_error = read_value(error_match.group(1))
    assert last is not None
    step, status, step_error = last
    if controls:
        event("cancelled")
        assert run_status == "Cancelled"
        assert run_error is None
        assert _cancelled_at(controls[0], step.name, _last_field(apex, 1))
    elif (
        status == "Failed"
        and step.on_failure is OnFailure.FAIL
        and (step_error.startswith("max_iterations") or _last_attempt(apex, step))
    ):
        assert run_status == "Failed"
        _check_error(
            run_error, error_match.group(2) == "true", f"Step {step.name} failed: {step_error}"
        )
    else:
        assert run_status == "Succeeded"
        assert run_error is None
    context = model.from_json_text(
        _line_value(apex, r"assertSameJson\(('.*'), StepforceTestSupport\.context")
    )
    assert _same_json(context["inputs"], prepared)
    assert _same_json(context["steps"], context_steps)


def _last_field(apex: str, index: int) -> Any:
    runs = [m.group(1) for m in _STEP_RUN.finditer(apex)]
    return ApexReader(runs[-1]).arguments()[index]


def _last_attempt(apex: str, step: Step) -> bool:
    return bool(_last_field(apex, 2) >= step.retry.attempts)


def _cancelled_at(control: Control, step: str, iteration: int) -> bool:
    """Whether the cancel applies at this Step Run (the first that matches it)."""
    return control.step == step and control.iteration in (None, iteration)
