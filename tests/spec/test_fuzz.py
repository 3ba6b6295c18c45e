"""Whatever the input, loading ends in an orchestration or a SpecError: nothing else."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stepforce.errors import SpecError
from stepforce.generator.spec import load_spec_text
from tests.conftest import EXAMPLES

EXAMPLE_TEXTS = [p.read_text() for p in sorted(EXAMPLES.glob("*.yaml"))]
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(
        [
            "$input.x",
            "$steps.A.b",
            "$self.c",
            "$$x",
            "$",
            "Text",
            "List<Id>",
            "2026-01-01",
            "0 0 2 * * ?",
            "steps",
            "apex",
            "flow",
            "repeat",
        ]
    ),
)
_yaml_data = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(
                [
                    "orchestration",
                    "steps",
                    "inputs",
                    "outputs",
                    "name",
                    "apex",
                    "flow",
                    "repeat",
                    "retry",
                    "until",
                    "value",
                    "type",
                    "schedule",
                    "cron",
                    "x",
                ]
            )
            | st.text(max_size=6),
            inner,
            max_size=5,
        ),
    ),
    max_leaves=25,
)


def _load(text: str) -> None:
    problems: list[object] = []
    try:
        load_spec_text(text, "fuzz.yaml")
    except SpecError as error:
        problems = list(error.diagnostics)
        assert problems, "a SpecError always carries its diagnostics"


@SETTINGS
@given(st.text(max_size=300))
def test_random_text(text: str) -> None:
    _load(text)


@SETTINGS
@given(_yaml_data)
def test_random_yaml_structures(data: Any) -> None:
    _load(yaml.safe_dump(data, allow_unicode=True))


@SETTINGS
@given(
    st.sampled_from(EXAMPLE_TEXTS),
    st.lists(st.tuples(st.integers(0, 5000), st.integers(0, 30), st.text(max_size=8)), max_size=4),
)
def test_mutated_examples(text: str, edits: list[tuple[int, int, str]]) -> None:
    for position, length, insert in edits:
        at = position % (len(text) + 1)
        text = text[:at] + insert + text[at + length :]
    _load(text)


@SETTINGS
@given(st.sampled_from(EXAMPLE_TEXTS), st.data())
def test_examples_with_values_swapped(text: str, data: st.DataObject) -> None:
    lines = text.splitlines()
    index = data.draw(st.integers(0, len(lines) - 1))
    key, colon, _ = lines[index].partition(":")
    if colon:
        replacement = data.draw(_scalars)
        lines[index] = f"{key}: {yaml.safe_dump(replacement).splitlines()[0]}"
    _load("\n".join(lines))
