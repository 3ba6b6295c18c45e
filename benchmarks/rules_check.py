"""Time the `rules` check on the runtime (templates/) plus the examples (examples/) with
their plan documents (the SfPlan_/SfPlanV_ static resources `generate` writes), which is what
`make demo` checks.

Run from the repository root:  .venv/bin/python benchmarks/rules_check.py

Budget: the check adds under 0.5 s. Two figures: "cold" is `stepforce check --only rules` in a
fresh process (it parses the Metadata API WSDL for the element order itself); "in check" is
what it adds to a default `stepforce check`, where the schema check has parsed the WSDL
already. Each is the best of five runs.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from stepforce.generator.check.project import load_project
from stepforce.generator.check.rules import check_rules
from stepforce.generator.check.rules.model import load_index
from stepforce.generator.check.rules.plans import plan_documents
from stepforce.generator.check.xsd import metadata_wsdl_schema
from stepforce.generator.plan_document import plan_resources
from stepforce.generator.spec import load_spec

REPO = Path(__file__).resolve().parent.parent
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


def examples_with_plans(folder: Path) -> Path:
    """A copy of examples/ with the plan resources of its specs, as generate writes them."""
    project = folder / "examples"
    shutil.copytree(REPO / "examples", project)
    resources = project / "force-app" / "main" / "default" / "staticresources"
    resources.mkdir(exist_ok=True)
    for spec in sorted((REPO / "examples").glob("*.yaml")):
        for name, data in plan_resources(load_spec(spec)).items():
            (resources / name).write_bytes(data)
    return project


def cold(projects: tuple[Path, ...]) -> tuple[float, int]:
    """Best of five fresh processes: imports, WSDL parse, reading and every rule."""
    runs = []
    for _ in range(5):
        out = subprocess.run(
            [sys.executable, "-c", COLD, *map(str, projects)],
            capture_output=True, text=True, check=True, cwd=REPO,
        )  # fmt: skip
        seconds, files = out.stdout.split()
        runs.append((float(seconds), int(files)))
    return min(runs)


def in_check(projects: tuple[Path, ...]) -> tuple[float, int]:
    """Best of five in one process after the schema check's WSDL parse."""
    metadata_wsdl_schema()
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        files = sum(check_rules(load_project(p))[1] for p in projects)
        runs.append((time.perf_counter() - started, files))
    return min(runs)


def plan_rules(project: Path) -> float:
    """Best of five: the plan document rules alone, on an index already read."""
    index = load_index(load_project(project))
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        list(plan_documents(index))
        runs.append(time.perf_counter() - started)
    return min(runs)


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        examples = examples_with_plans(Path(folder))
        projects = (REPO / "templates", examples)
        cold_seconds, files = cold(projects)
        warm_seconds, _ = in_check(projects)
        plans_seconds = plan_rules(examples)
    print(f"rules on the runtime + examples with their plans: {files} files")
    print(f"  cold (--only rules, fresh process): {cold_seconds:.3f} s")
    print(f"  added to a default check:           {warm_seconds:.3f} s")
    print(f"  of which the plan rules (PLAN-*):   {plans_seconds:.3f} s")
    print(f"  budget: {BUDGET} s -> {'ok' if max(cold_seconds, warm_seconds) < BUDGET else 'OVER'}")
    return 0 if max(cold_seconds, warm_seconds) < BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
