"""Time the `rules` check on the runtime (templates/) plus the examples (examples/).

Run from the repository root:  .venv/bin/python benchmarks/rules_check.py

Budget: the check adds under 0.5 s. Two figures: "cold" is `stepforce check --only rules` in a
fresh process (it parses the Metadata API WSDL for the element order itself); "in check" is
what it adds to a default `stepforce check`, where the schema check has parsed the WSDL
already. Each is the best of five runs.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from stepforce.generator.check.project import load_project
from stepforce.generator.check.rules import check_rules
from stepforce.generator.check.xsd import metadata_wsdl_schema

REPO = Path(__file__).resolve().parent.parent
PROJECTS = (REPO / "templates", REPO / "examples")
BUDGET = 0.5
COLD = """
import sys, time
from pathlib import Path
started = time.perf_counter()
from stepforce.generator.check.project import load_project
from stepforce.generator.check.rules import check_rules
files = sum(check_rules(load_project(Path(p)))[1] for p in sys.argv[1:])
print(time.perf_counter() - started, files)
"""


def cold() -> tuple[float, int]:
    """Best of five fresh processes: imports, WSDL parse, reading and every rule."""
    runs = []
    for _ in range(5):
        out = subprocess.run(
            [sys.executable, "-c", COLD, *map(str, PROJECTS)],
            capture_output=True, text=True, check=True, cwd=REPO,
        )  # fmt: skip
        seconds, files = out.stdout.split()
        runs.append((float(seconds), int(files)))
    return min(runs)


def in_check() -> tuple[float, int]:
    """Best of five in one process after the schema check's WSDL parse."""
    metadata_wsdl_schema()
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        files = sum(check_rules(load_project(p))[1] for p in PROJECTS)
        runs.append((time.perf_counter() - started, files))
    return min(runs)


def main() -> int:
    cold_seconds, files = cold()
    warm_seconds, _ = in_check()
    print(f"rules on the runtime + examples: {files} files")
    print(f"  cold (--only rules, fresh process): {cold_seconds:.3f} s")
    print(f"  added to a default check:           {warm_seconds:.3f} s")
    print(f"  budget: {BUDGET} s -> {'ok' if max(cold_seconds, warm_seconds) < BUDGET else 'OVER'}")
    return 0 if max(cold_seconds, warm_seconds) < BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
