"""Formatting generated Apex with prettier (for what the Python layout does not model):
parallel workers give prettier's bytes, and the content-hash cache returns exactly what
prettier printed before without running it again."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from stepforce.generator import apex_format, format_cache
from stepforce.generator.apex_format import balanced_groups, prettier_available, prettier_format
from stepforce.generator.format_cache import FormatCache
from stepforce.generator.plan_document import schedule_input_values
from stepforce.generator.schedule_script import schedule_script
from stepforce.generator.simulate.apex_scenarios import render_apex_tests
from stepforce.generator.simulate.scenarios import load_scenario
from stepforce.generator.spec import load_spec
from tests.conftest import EXAMPLES, REPO

needs_prettier = pytest.mark.skipif(
    prettier_available() is None, reason="prettier-plugin-apex is not installed"
)


def _sources() -> dict[str, str]:
    """Unformatted Apex stepforce generates: scenario test classes and a schedule script."""
    scenarios = [
        load_scenario(REPO / "tests" / "scenarios" / f"{name}.yaml")
        for name in ("happy_path", "retry_then_success")
    ]
    sources = render_apex_tests(scenarios)
    nightly = load_spec(EXAMPLES / "nightly_cleanup.yaml")
    script = schedule_script(nightly, schedule_input_values(nightly)[0])
    assert script is not None
    sources["schedule_Nightly_Cleanup.apex"] = script
    return sources


def test_groups_are_balanced_by_size_and_deterministic() -> None:
    sizes = {"a.cls": 90, "b.cls": 50, "c.cls": 40, "d.cls": 10}
    assert balanced_groups(sizes, 2) == [["a.cls", "d.cls"], ["b.cls", "c.cls"]]
    assert balanced_groups(sizes, 8) == [["a.cls"], ["b.cls"], ["c.cls"], ["d.cls"]]


@needs_prettier
def test_two_workers_print_the_same_bytes_as_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STEPFORCE_FORMAT_CACHE", "off")
    sources = _sources()
    monkeypatch.setattr(apex_format, "_worker_count", lambda chars, files: 1)
    single, ran = prettier_format(sources)
    assert ran
    monkeypatch.setattr(apex_format, "_worker_count", lambda chars, files: 2)
    assert prettier_format(sources) == (single, True)
    assert single != sources  # prettier wrapped long lines


@needs_prettier
def test_a_cached_text_is_reused_without_running_prettier(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STEPFORCE_FORMAT_CACHE", str(tmp_path / "cache"))
    sources = {**_sources(), "Broken.cls": "public class Broken {"}
    first, ran = prettier_format(sources)
    assert ran
    assert first["Broken.cls"] == sources["Broken.cls"]  # did not parse: left as rendered
    entries = list((tmp_path / "cache").glob("??/*"))
    assert len(entries) == len(sources) - 1  # every file but the broken one

    def no_prettier(*args: object) -> None:
        raise AssertionError("prettier ran although every file was cached")

    del sources["Broken.cls"]
    monkeypatch.setattr(apex_format, "_run_workers", no_prettier)
    again, ran = prettier_format(sources)
    assert ran
    assert again == {name: first[name] for name in sources}


def test_the_cache_key_holds_the_tool_versions_and_file_kind(tmp_path: Path) -> None:
    old = FormatCache(tmp_path, "prettier 3.0 prettier-plugin-apex 2.2")
    old.put_all({"A.cls": ("class A {}", "class A {\n}\n")})
    assert old.get("B.cls", "class A {}") == "class A {\n}\n"  # same kind, same text
    assert old.get("A.apex", "class A {}") is None  # anonymous Apex is parsed differently
    new = FormatCache(tmp_path, "prettier 3.0 prettier-plugin-apex 2.3")
    assert new.get("A.cls", "class A {}") is None


def test_the_cache_keeps_the_most_recently_used_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(format_cache, "MAX_ENTRIES", 2)
    cache = FormatCache(tmp_path, "v")
    for number in range(3):
        cache.put_all({"A.cls": (f"text {number}", f"formatted {number}")})
        for path in tmp_path.glob("??/*"):  # distinct ages without sleeping
            os.utime(path, (path.stat().st_atime, path.stat().st_mtime - 10))
    assert cache.get("A.cls", "text 0") is None
    assert cache.get("A.cls", "text 2") == "formatted 2"


def test_the_cache_can_be_turned_off(tmp_path: Path) -> None:
    assert format_cache.open_cache(tmp_path, {"STEPFORCE_FORMAT_CACHE": "off"}) is None
    default = format_cache.open_cache(tmp_path, {})
    assert default is not None
    assert default.folder == tmp_path / "format-cache"


def test_generating_the_examples_needs_no_node_and_no_prettier(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stepforce.generator.generate import generate

    def no_prettier(*args: object, **kwargs: object) -> None:
        raise AssertionError("generate looked for prettier although the layout models it all")

    monkeypatch.setattr(apex_format, "prettier_available", no_prettier)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no node, no java, no npm
    result = generate(sorted(EXAMPLES.glob("*.yaml")), tmp_path / "out", source_dirs=[EXAMPLES])
    assert result.formatted
    script = tmp_path / "out/scripts/apex/schedule_Nightly_Cleanup.apex"
    # A call too long for 80 columns, broken the way prettier-plugin-apex breaks it.
    assert (
        "StepforceScheduledStart.schedule(\n  'Stepforce Nightly_Cleanup',\n"
        in script.read_text(encoding="utf-8")
    )
