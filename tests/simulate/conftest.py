"""Builders for orchestration models, so engine tests do not depend on the spec loader."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stepforce.generator.simulate.fixtures import Fixtures, parse_fixtures
from stepforce.generator.simulate.yamlsrc import load_yaml
from stepforce.generator.spec.model import (
    Binding,
    InputDecl,
    Literal,
    OnFailure,
    Orchestration,
    OutputDecl,
    Ref,
    RefKind,
    Repeat,
    Retry,
    Step,
    StepKind,
    ValueType,
)

NO_RETRY = Retry()


def vtype(text: str) -> ValueType:
    parsed = ValueType.parse(text)
    assert parsed is not None, text
    return parsed


def binding(target: str, value: Any, type_text: str) -> Binding:
    """``value`` is a ``$`` reference text or a literal; ``type_text`` its type."""
    bound: Ref | Literal
    if isinstance(value, str) and value.startswith("$"):
        parts = value[1:].split(".")
        kind = RefKind(parts[0])
        bound = Ref(kind, parts[-1], parts[1] if kind is RefKind.STEPS else None)
    else:
        bound = Literal(value)
    return Binding(target, bound, vtype(type_text))


def make_step(
    name: str,
    inputs: dict[str, tuple[Any, str]] | None = None,
    outputs: dict[str, str] | None = None,
    *,
    repeat: Repeat | None = None,
    retry: Retry = NO_RETRY,
    on_failure: OnFailure = OnFailure.FAIL,
) -> Step:
    return Step(
        name=name,
        kind=StepKind.APEX,
        target=name + "Step",
        inputs=tuple(binding(k, v, t) for k, (v, t) in (inputs or {}).items()),
        outputs=tuple(OutputDecl(k, vtype(t)) for k, t in (outputs or {}).items()),
        repeat=repeat,
        retry=retry,
        on_failure=on_failure,
    )


def make_orch(*steps: Step, inputs: tuple[InputDecl, ...] = ()) -> Orchestration:
    return Orchestration(name="Demo", steps=steps, inputs=inputs)


def fixtures_from(text: str, file: str = "fixtures.yaml") -> Fixtures:
    return parse_fixtures(load_yaml(text, file))


@pytest.fixture
def write(tmp_path: Path) -> Any:
    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return _write
