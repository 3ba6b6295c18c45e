"""The Python layout prints what prettier-plugin-apex prints, byte for byte, for everything
the generator writes as Apex (plans are data, not Apex): every scenario's test class and the
schedule scripts of the examples, the hostile specs and random specs whose names and texts
have every length.

Prettier is the reference: it is installed into the tools cache if missing, as `stepforce
check` does, so this comparison runs wherever CI runs.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from stepforce.errors import SpecError
from stepforce.generator.apex_format import prettier_available, prettier_format
from stepforce.generator.apex_layout import LayoutUnsupported, layout_apex
from stepforce.generator.plan_document import schedule_input_values
from stepforce.generator.schedule_script import schedule_script, script_name
from stepforce.generator.simulate.apex_scenarios import render_apex_tests
from stepforce.generator.simulate.scenarios import load_scenario
from stepforce.generator.spec import load_spec_text
from tests.conftest import EXAMPLES, REPO
from tests.layout.random_specs import random_spec

RANDOM_SPECS = 60
#: The one generated class the layout leaves to prettier: its spec text holds emoji, whose
#: width prettier measures with tables of its own.
EXPECTED_FALLBACKS = {
    # its fixtures hold emoji, whose width prettier measures with its own tables
    "scenarios/SfScn_error_wording_Tests.cls",
}


def _script(text: str, origin: str) -> dict[str, str]:
    """The schedule script of a spec (none without a schedule or for a refused spec)."""
    with contextlib.suppress(SpecError):  # refused hostile specs generate nothing
        orch = load_spec_text(text, origin)
        script = schedule_script(orch, schedule_input_values(orch)[0])
        if script is not None:
            return {script_name(orch.name): script}
    return {}


def _corpus() -> dict[str, str]:
    """``origin/File.cls`` -> rendered, unformatted Apex."""
    corpus: dict[str, str] = {}

    def add(origin: str, sources: dict[str, str]) -> None:
        corpus.update({f"{origin}/{name}": text for name, text in sources.items()})

    specs = sorted(EXAMPLES.glob("*.yaml")) + sorted(
        (REPO / "tests/generate/hostile").glob("*.yaml")
    )
    for path in specs:
        text = path.read_text(encoding="utf-8")
        add(path.stem, _script(text, str(path)))
    for seed in range(RANDOM_SPECS):
        add(f"random{seed}", _script(random_spec(seed), "r"))
    scenarios = [load_scenario(p) for p in sorted((REPO / "tests/scenarios").glob("*.yaml"))]
    add("scenarios", render_apex_tests(scenarios))
    return corpus


@pytest.fixture(scope="module")
def prettier_output() -> dict[str, tuple[str, str]]:
    """``key -> (rendered, prettier's output)`` for the whole corpus, prettier run once."""
    if prettier_available(install=True) is None:
        pytest.fail("prettier-plugin-apex could not be installed; it is the layout's reference")
    corpus = _corpus()
    # File names must be unique and keep their extension for the parser choice.
    flat = {f"{number:04d}_{Path(key).name}": key for number, key in enumerate(sorted(corpus))}
    formatted, ran = prettier_format({name: corpus[key] for name, key in flat.items()})
    assert ran
    return {key: (corpus[key], formatted[name]) for name, key in flat.items()}


@pytest.mark.slow
def test_every_generated_class_is_laid_out_as_prettier_prints_it(
    prettier_output: dict[str, tuple[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STEPFORCE_FORMAT_CACHE", "off")
    different: list[str] = []
    unsupported: set[str] = set()
    for key, (rendered, expected) in sorted(prettier_output.items()):
        try:
            if layout_apex(rendered) != expected:
                different.append(key)
        except LayoutUnsupported:
            unsupported.add(key)
    assert different == []
    assert unsupported == EXPECTED_FALLBACKS
    assert len(prettier_output) > 50  # the corpus is really there


@pytest.mark.slow
def test_the_corpus_breaks_lines_so_the_comparison_means_something(
    prettier_output: dict[str, tuple[str, str]],
) -> None:
    rewrapped = [
        key for key, (rendered, expected) in prettier_output.items() if rendered != expected
    ]
    assert len(rewrapped) > 50
