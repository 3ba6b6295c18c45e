"""The Python layout against prettier-plugin-apex on random specs: differences and speed.

Renders the Apex generate still writes for N random valid specs (their schedule scripts;
tests/layout/random_specs.py: names and texts of every length, every input type) and every
scenario's Apex test class (tests/scenarios), formats them with prettier
(the check's script, installed into the tools cache if missing) and with the Python layout,
and prints how many classes differ (the first differences in full), how many the layout left
to prettier, and the time each took.
Run: .venv/bin/python benchmarks/layout_vs_prettier.py [N [FIRST_SEED]]
"""

from __future__ import annotations

import difflib
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stepforce.generator.apex_format import prettier_available, prettier_format
from stepforce.generator.apex_layout.batch import layout_all
from stepforce.generator.plan_document import schedule_input_values
from stepforce.generator.schedule_script import schedule_script
from stepforce.generator.simulate.apex_scenarios import render_apex_tests
from stepforce.generator.simulate.scenarios import load_scenario
from stepforce.generator.spec import load_spec_text
from tests.conftest import REPO
from tests.layout.random_specs import random_spec

SHOWN = 3


def main(argv: list[str]) -> int:
    count = int(argv[1]) if len(argv) > 1 else 200
    first = int(argv[2]) if len(argv) > 2 else 1000
    os.environ["STEPFORCE_FORMAT_CACHE"] = "off"
    if prettier_available(install=True) is None:
        print("prettier-plugin-apex is not installed and could not be: nothing to compare with")
        return 1
    sources: dict[str, str] = {}
    for seed in range(first, first + count):
        orch = load_spec_text(random_spec(seed), "r")
        script = schedule_script(orch, schedule_input_values(orch)[0])
        if script is not None:
            sources[f"{seed}_schedule_{orch.name}.apex"] = script
    scenarios = [load_scenario(p) for p in sorted((REPO / "tests/scenarios").glob("*.yaml"))]
    sources.update(render_apex_tests(scenarios))
    started = time.perf_counter()
    expected, ran = prettier_format(sources)
    prettier_seconds = time.perf_counter() - started
    started = time.perf_counter()
    laid_out = layout_all(sources)
    layout_seconds = time.perf_counter() - started
    different = [n for n, text in laid_out.items() if text is not None and text != expected[n]]
    left = [n for n, text in laid_out.items() if text is None]
    chars = sum(len(text) for text in sources.values())
    print(
        f"{count} random specs (seeds {first}-{first + count - 1}): {len(sources)} classes, "
        f"{chars:,} characters"
    )
    print(f"  prettier: {prettier_seconds:.2f} s{'' if ran else ' (did not run)'}")
    print(f"  Python layout, one process: {layout_seconds:.2f} s")
    print(f"  classes laid out differently from prettier: {len(different)}")
    print(f"  classes left to prettier (not modelled): {len(left)}")
    for name in different[:SHOWN]:
        diff = difflib.unified_diff(
            expected[name].splitlines(),
            (laid_out[name] or "").splitlines(),
            "prettier",
            "layout",
            lineterm="",
            n=1,
        )
        print(f"--- {name}")
        print("\n".join(list(diff)[:40]))
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
