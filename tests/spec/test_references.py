"""Reference resolution: inputs, earlier steps, later steps, $self, $$ and the long form."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from stepforce.generator.spec.model import Literal, Ref, RefKind, Scalar, ValueType
from tests.spec.support import MINIMAL, errors, load, with_step


def _third(inputs: str, extra: str = "") -> str:
    return with_step(f"name: Third\napex: X\ninputs: {inputs}\n{extra}")


def test_references_resolve_with_their_types() -> None:
    spec = load(
        _third(
            "{a: $input.size, b: $steps.First.ids, c: $steps.Second_Alias.x}".replace(
                ", c: $steps.Second_Alias.x", ""
            )
        )
    )
    a, b = spec.steps[2].inputs
    assert a.value == Ref(RefKind.INPUT, "size")
    assert a.source_type == ValueType(Scalar.NUMBER)
    assert b.value == Ref(RefKind.STEPS, "ids", step="First")
    assert b.source_type == ValueType(Scalar.ID, is_list=True)
    assert str(b.value) == "$steps.First.ids"


def test_unknown_input_gets_a_hint() -> None:
    assert errors(_third("{a: $input.sise}")) == [
        "steps[2].inputs.a: $input.sise: there is no run input named 'sise' (did you mean 'size'?)"
    ]
    assert errors(_third("{a: $input.nothing}")) == [
        "steps[2].inputs.a: $input.nothing: there is no run input named 'nothing' "
        "(declare it under 'inputs:')"
    ]


def test_reference_to_a_later_step_says_it_runs_later() -> None:
    text = MINIMAL.replace("{since: $input.since}", "{since: $steps.Second.x}")
    (message,) = errors(text)
    assert message == (
        "steps[0].inputs.since: $steps.Second.x: step 'Second' runs later (step 2; this is "
        "step 1); a step can only use outputs of earlier steps"
    )


def test_reference_to_an_unknown_step_or_output() -> None:
    assert errors(_third("{a: $steps.Frist.count}")) == [
        "steps[2].inputs.a: $steps.Frist.count: there is no step named 'Frist' "
        "(did you mean 'First'?)"
    ]
    assert errors(_third("{a: $steps.first.count}")) == [
        "steps[2].inputs.a: $steps.first.count: there is no step named 'first' "
        "(did you mean 'First'?)"
    ]
    assert errors(_third("{a: $steps.First.cont}")) == [
        "steps[2].inputs.a: $steps.First.cont: step 'First' has no output 'cont' "
        "(did you mean 'count'?)"
    ]
    assert errors(_third("{a: $steps.Second.total}")) == [
        "steps[2].inputs.a: $steps.Second.total: step 'Second' has no output 'total' "
        "(it declares no outputs)"
    ]


def test_a_step_cannot_read_itself_through_steps() -> None:
    assert errors(_third("{a: $steps.Third.x}", "outputs: {x: Text}")) == [
        "steps[2].inputs.a: $steps.Third.x: a step cannot read its own outputs with $steps; "
        "use $self.X in a repeating step"
    ]


def test_self_only_in_repeating_steps_and_only_own_outputs() -> None:
    repeat = "outputs: {next: Text, done: Boolean}\nrepeat: {until: done}"
    spec = load(_third("{cursor: $self.next}", repeat))
    assert spec.steps[2].inputs[0].value == Ref(RefKind.SELF, "next")
    assert errors(_third("{cursor: $self.next}", "outputs: {next: Text}")) == [
        "steps[2].inputs.cursor: $self.next: $self is only for repeating steps (add 'repeat:' "
        "to read this step's previous iteration)"
    ]
    assert errors(_third("{cursor: $self.cursor}", repeat)) == [
        "steps[2].inputs.cursor: $self.cursor: this step has no output 'cursor' "
        "(it declares next, done)"
    ]


def test_malformed_references() -> None:
    for text in ("$inptu.since", "$steps.First", "$self", "$input.", "$ 5"):
        (message,) = errors(_third(f"{{a: '{text}'}}"))
        assert message.startswith(f"steps[2].inputs.a: '{text}' is not a valid reference")
        assert "'$$'" in message


def test_double_dollar_is_a_literal_dollar() -> None:
    spec = load(_third("{a: '$$5 off', b: '$$input.size', c: ['$$x', y]}"))
    values = [b.value for b in spec.steps[2].inputs]
    assert values == [Literal("$5 off"), Literal("$input.size"), Literal(["$x", "y"])]


def test_literals_are_typed_never_float() -> None:
    spec = load(
        _third("{n: 0.1, i: 7, b: true, d: 2026-11-25, t: 2026-11-25T10:00:00Z, s: hi, z: null}")
    )
    got = {b.target: (b.value.value, b.source_type) for b in spec.steps[2].inputs}  # type: ignore[union-attr]
    assert got["n"] == (Decimal("0.1"), ValueType(Scalar.NUMBER))
    assert got["i"] == (Decimal(7), ValueType(Scalar.NUMBER))
    assert got["b"] == (True, ValueType(Scalar.BOOLEAN))
    assert got["d"] == (dt.date(2026, 11, 25), ValueType(Scalar.DATE))
    assert got["t"] == (dt.datetime(2026, 11, 25, 10, tzinfo=dt.UTC), ValueType(Scalar.DATETIME))
    assert got["s"] == ("hi", ValueType(Scalar.TEXT))
    assert got["z"] == (None, None)


def test_list_literals() -> None:
    spec = load(_third("{ns: [1, 2.5], ds: [2026-01-01]}"))
    ns, ds = spec.steps[2].inputs
    assert ns.value == Literal([Decimal(1), Decimal("2.5")])
    assert ns.source_type == ValueType(Scalar.NUMBER, is_list=True)
    assert ds.source_type == ValueType(Scalar.DATE, is_list=True)
    assert errors(_third("{x: [1, a]}")) == [
        "steps[2].inputs.x: a list must hold values of one type, this one mixes Number, Text"
    ]
    assert errors(_third("{x: []}"))[0].startswith("steps[2].inputs.x: the type of an empty list")
    assert errors(_third("{x: [[1]]}")) == [
        "steps[2].inputs.x: a list value may only hold plain values, not lists or maps"
    ]
    assert errors(_third("{x: [$input.size]}"))[0].startswith(
        "steps[2].inputs.x: references are not allowed here"
    )


def test_long_form_declares_the_slot_type() -> None:
    spec = load(
        _third(
            "{d: {value: '2026-01-01', type: Date}, t: {value: $input.since, type: DateTime},"
            " code: {value: 00501, type: Text}, e: {value: [], type: List<Text>}}"
        )
    )
    d, t, code, e = spec.steps[2].inputs
    assert d.value == Literal(dt.date(2026, 1, 1))
    assert d.declared == d.effective_type == ValueType(Scalar.DATE)
    assert t.source_type == ValueType(Scalar.DATE)
    assert t.effective_type == ValueType(Scalar.DATETIME)
    assert code.value == Literal("00501")
    assert e.value == Literal([])
    assert e.effective_type == ValueType(Scalar.TEXT, is_list=True)


def test_long_form_needs_value_and_type() -> None:
    assert errors(_third("{d: {value: 1}}")) == ["steps[2].inputs.d: missing required key 'type'"]
    assert errors(_third("{d: {value: 1, type: Number, kind: x}}")) == [
        "steps[2].inputs.d.kind: unknown key 'kind' (known keys: value, type)"
    ]
