from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stepforce.generator.simulate.coerce import CoercionError, coerce, id_suffix, to_json
from tests.simulate.conftest import vtype

UTC = dt.UTC


@pytest.mark.parametrize(
    ("type_text", "value", "expected"),
    [
        ("Text", "hello", "hello"),
        ("Number", 200, Decimal(200)),
        ("Number", Decimal("1.50"), Decimal("1.50")),
        ("Number", "-2.5e3", Decimal("-2500")),
        ("Number", 1.1, Decimal("1.1")),
        ("Boolean", True, True),
        ("Boolean", "FALSE", False),
        ("Boolean", "True", True),
        ("Date", "2026-02-28", dt.date(2026, 2, 28)),
        ("Date", dt.date(2026, 11, 1), dt.date(2026, 11, 1)),
        ("DateTime", "2026-11-25T10:00:00Z", dt.datetime(2026, 11, 25, 10, tzinfo=UTC)),
        ("DateTime", "2026-11-25T10:00:00.000+0000", dt.datetime(2026, 11, 25, 10, tzinfo=UTC)),
        (
            "DateTime",
            "2026-11-25T10:00:00.25-02:30",
            dt.datetime(2026, 11, 25, 12, 30, 0, 250000, tzinfo=UTC),
        ),
        ("DateTime", "2026-11-25", dt.datetime(2026, 11, 25, tzinfo=UTC)),
        ("DateTime", dt.date(2026, 11, 25), dt.datetime(2026, 11, 25, tzinfo=UTC)),
        ("Id", "001000000000001", "001000000000001AAA"),
        ("Id", "001000000000001aaa", "001000000000001AAA"),
        ("Id", "00O000000000001", "00O000000000001EAA"),
        ("List<Number>", ["1", 2, None], [Decimal(1), Decimal(2), None]),
        ("List<Text>", [], []),
    ],
)
def test_accepted_values_convert_by_the_table(type_text: str, value: Any, expected: Any) -> None:
    assert coerce(value, vtype(type_text), "f") == expected


@pytest.mark.parametrize(
    ("type_text", "value", "message"),
    [
        ("Text", 5, "x.f: expected Text, got Number 5"),
        ("Text", True, "x.f: expected Text, got Boolean true"),
        ("Number", True, "x.f: expected Number, got Boolean true"),
        ("Number", "12abc", "x.f: expected Number, got Text '12abc'"),
        ("Number", "NaN", "x.f: expected Number, got Text 'NaN'"),
        ("Number", " 1", "x.f: expected Number"),
        ("Boolean", "yes", "x.f: expected Boolean, got Text 'yes'"),
        ("Boolean", 1, "x.f: expected Boolean"),
        ("Date", "2026-02-30", "x.f: expected Date, got Text '2026-02-30'"),
        ("Date", dt.datetime(2026, 1, 1, tzinfo=UTC), "x.f: expected Date, got Datetime"),
        ("Date", "2026-11-25T10:00:00Z", "x.f: expected Date"),
        ("DateTime", "2026-11-25T10:00:00", "x.f: expected DateTime"),
        ("DateTime", "2026-11-25T10:00:00.1234Z", "x.f: expected DateTime"),
        ("DateTime", "2026-11-25T10:00:00+19:00", "x.f: expected DateTime"),
        ("Id", "001000000000001AAB", "x.f: expected Id, got Text '001000000000001AAB'"),
        ("Id", "0010000000001", "x.f: expected Id"),
        ("List<Text>", "a", "x.f: expected List<Text>, got Text 'a'"),
        ("List<Number>", [1, "b"], "x.f[1]: expected Number, got Text 'b'"),
    ],
)
def test_refused_values_name_the_field(type_text: str, value: Any, message: str) -> None:
    with pytest.raises(CoercionError) as error:
        coerce(value, vtype(type_text), "x.f")
    assert str(error.value).startswith(message)


@pytest.mark.parametrize(
    "type_text", ["Text", "Number", "Boolean", "Date", "DateTime", "Id", "List<Id>"]
)
def test_null_stays_null_for_every_type(type_text: str) -> None:
    assert coerce(None, vtype(type_text), "f") is None


def test_id_suffix_encodes_upper_case_positions() -> None:
    assert id_suffix("001000000000ABC") == "AA2"
    assert id_suffix("ABCDEabcdeABCDE") == "5A5"


def test_json_forms_match_apex_serialisation() -> None:
    stamp = dt.datetime(2026, 11, 25, 9, 0, 0, 500000, tzinfo=UTC)
    assert to_json(stamp) == "2026-11-25T09:00:00.500Z"
    assert to_json(dt.date(2026, 11, 1)) == "2026-11-01"
    assert to_json([1, {"a": 2.5}]) == [Decimal(1), {"a": Decimal("2.5")}]


_SCALARS = st.one_of(
    st.tuples(st.just("Number"), st.decimals(allow_nan=False, allow_infinity=False, places=4)),
    st.tuples(st.just("Boolean"), st.booleans()),
    st.tuples(
        st.just("Date"), st.dates(min_value=dt.date(1700, 1, 1), max_value=dt.date(4000, 1, 1))
    ),
    st.tuples(
        st.just("DateTime"),
        st.datetimes(
            min_value=dt.datetime(1900, 1, 2),
            max_value=dt.datetime(4000, 1, 1),
            timezones=st.just(UTC),
        ),
    ),
    st.tuples(st.just("Text"), st.text()),
    st.tuples(st.just("Id"), st.text(alphabet="abcXYZ0129", min_size=15, max_size=15)),
)


@given(_SCALARS)
def test_a_value_read_back_from_the_context_converts_to_itself(pair: tuple[str, Any]) -> None:
    """What the context stores (JSON) coerces again to the same value: a retry or a later
    step that reads it back never sees it change."""
    type_text, value = pair
    first = coerce(value, vtype(type_text), "f")
    assert coerce(to_json(first), vtype(type_text), "f") == first
