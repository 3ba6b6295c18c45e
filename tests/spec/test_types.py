"""Type compatibility along mappings: the full matrix, literals and the long form."""

from __future__ import annotations

import itertools

import pytest

from stepforce.generator.spec.model import Scalar, ValueType
from tests.spec.support import errors, load, with_step

ALL = [ValueType(s, is_list) for is_list in (False, True) for s in Scalar]
WIDENING = {("Text", "Id"), ("DateTime", "Date")}


@pytest.mark.parametrize(("slot", "source"), list(itertools.product(ALL, ALL)), ids=str)
def test_matrix_of_references_into_declared_slots(slot: ValueType, source: ValueType) -> None:
    """A run input of type ``source`` passed through the long form into a ``slot``."""
    text = with_step(
        f"name: T\napex: X\ninputs: {{v: {{value: $input.src, type: '{slot}'}}}}",
    ).replace("inputs:\n  since:", f"inputs:\n  src: '{source}'\n  since:", 1)
    same_shape = slot.is_list == source.is_list
    expected = same_shape and (
        slot.scalar == source.scalar or (slot.scalar.value, source.scalar.value) in WIDENING
    )
    assert slot.accepts(source) is expected
    if expected:
        binding = load(text).steps[2].inputs[0]
        assert (binding.source_type, binding.declared) == (source, slot)
    else:
        assert errors(text) == [
            f"steps[2].inputs.v: $input.src is {source}, which cannot be passed as {slot}"
        ]


@pytest.mark.parametrize(
    ("literal", "type_name", "problem"),
    [
        ("'12.50'", "Number", None),
        ("'abc'", "Number", "'abc' is not a Number"),
        ("'TRUE'", "Boolean", None),
        ("1", "Boolean", "'1' is not a Boolean"),
        ("'2026-02-30'", "Date", "'2026-02-30' is not a Date (YYYY-MM-DD)"),
        ("2026-02-03T10:00:00", "DateTime", "DateTime '2026-02-03T10:00:00' needs a time zone"),
        ("'2026-02-03T10:00:00.000+0000'", "DateTime", None),
        ("2026-02-03", "DateTime", None),
        ("'001000000000001'", "Id", None),
        ("'001000000000001AAA'", "Id", None),
        ("'001000000000001AAB'", "Id", "its last 3 characters do not match"),
        ("'not-an-id'", "Id", "is not a Salesforce Id"),
        ("[a, b]", "Text", "expected a single Text value, found a list"),
        ("a", "List<Text>", "expected a list for List<Text>, found a single value"),
        ("[1, x]", "List<Number>", "'x' is not a Number"),
        (".inf", "Number", "'.inf' is not a Number"),
    ],
)
def test_literals_against_declared_types(literal: str, type_name: str, problem: str | None) -> None:
    text = with_step(f"name: T\napex: X\ninputs: {{v: {{value: {literal}, type: '{type_name}'}}}}")
    if problem is None:
        assert load(text).steps[2].inputs[0].declared == ValueType.parse(type_name)
    else:
        (message,) = errors(text)
        assert problem in message


def test_defaults_are_typed_to_the_input() -> None:
    text = with_step("name: T\napex: X").replace(
        "  size: {type: Number, default: 10}",
        "  size: {type: Number, default: 10}\n  day: {type: Date, default: 2026-05-01}\n"
        "  tags: {type: List<Text>, default: [a, b]}\n  at: {type: DateTime, default: 2026-05-01}",
    )
    spec = load(text)
    assert str(spec.input("day").default) == "2026-05-01"  # type: ignore[union-attr]
    assert spec.input("tags").default == ["a", "b"]  # type: ignore[union-attr]
    assert spec.input("at").default.isoformat() == "2026-05-01T00:00:00+00:00"  # type: ignore[union-attr]


def test_id_literals_normalise_to_18_characters() -> None:
    text = with_step("name: T\napex: X\ninputs: {v: {value: '0015e00000AbCdE', type: Id}}")
    assert load(text).steps[2].inputs[0].value.value == "0015e00000AbCdEAAV"  # type: ignore[union-attr]
