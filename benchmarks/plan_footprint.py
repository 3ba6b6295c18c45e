"""What an orchestration costs in the org: Apex characters and plan-document bytes.

Prints, for orchestrations of 1, 10, 200 and 1,000 steps (the chain of generate_scale.py):
the Apex characters ``generate`` writes for them (measured on the generated project: every
class that is not the fixed runtime, test classes excluded as the org's 6 MB Apex allowance
excludes tests) per orchestration and per step — the target is 0, a plan document being
executed by the fixed runtime's StepforceInterpreter; the plan document's bytes against a
static resource's 5 MB and the org's 250 MB of static resources; and the time to build the
document of 1,000 steps, and a whole generate of it (target: under 2 s).
Run: .venv/bin/python benchmarks/plan_footprint.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from stepforce.generator.generate import generate
from stepforce.generator.plan_document import document_text, plan_document
from stepforce.generator.project import runtime_files
from stepforce.generator.spec import load_spec_text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_scale import chain_spec

STATIC_RESOURCE_BYTES = 5 * 1024 * 1024  # per file ("Access Static Resources", LWC guide)
ORG_STATIC_RESOURCE_BYTES = 250 * 1024 * 1024  # per org (same page)
ORG_APEX_CHARS = 6_000_000  # Execution Governors and Limits: 6 MB of Apex per org
RUNTIME = Path(__file__).resolve().parents[1] / "templates" / "force-app" / "main" / "default"


def runtime_apex_chars() -> int:
    """The fixed runtime's non-test Apex (what every org pays once)."""
    total = 0
    for path in (RUNTIME / "classes").glob("*.cls"):
        text = path.read_text(encoding="utf-8")
        if "@IsTest" not in text.split("class", 1)[0]:
            total += len(text)
    return total


def generated_apex_chars(steps: int) -> int:
    """Non-test Apex characters a generate of a ``steps``-step chain adds to the runtime."""
    runtime = {name.rsplit("/", 1)[-1] for name in runtime_files()}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        spec = root / "chain.yaml"
        spec.write_text(chain_spec("Chain", steps), encoding="utf-8")
        generate([spec], root / "out", source_dirs=[])
        total = 0
        for path in (root / "out").rglob("*.cls"):
            text = path.read_text(encoding="utf-8")
            if path.name not in runtime and "@IsTest" not in text.split("class", 1)[0]:
                total += len(text)
        return total


def main() -> None:
    print(f"fixed runtime: {runtime_apex_chars():,} Apex characters (non-test)")
    print("steps | generated Apex chars (per step) | plan document bytes (per step)")
    for steps in (1, 10, 200, 1000):
        orchestration = load_spec_text(chain_spec("Chain", steps), "chain.yaml")
        apex = generated_apex_chars(steps)
        size = len(document_text(plan_document(orchestration)).encode("utf-8"))
        print(f"{steps:5} | {apex:12,} ({apex // steps:,}) | {size:,} ({size // steps:,})")
    thousand = load_spec_text(chain_spec("Chain", 1000), "chain.yaml")
    started = time.perf_counter()
    document = document_text(plan_document(thousand)).encode("utf-8")
    build_seconds = time.perf_counter() - started
    print(
        f"1,000 steps: {len(document):,} bytes = {len(document) / STATIC_RESOURCE_BYTES:.1%} "
        f"of a static resource (5 MB); one version per deploy, so "
        f"{ORG_STATIC_RESOURCE_BYTES // (2 * len(document)):,} such versions (latest + pinned "
        f"copy) fit the org's 250 MB"
    )
    print(f"  plan document built in {build_seconds:.3f} s")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        spec = root / "chain.yaml"
        spec.write_text(chain_spec("Chain", 1000), encoding="utf-8")
        os.environ["STEPFORCE_FORMAT_CACHE"] = str(root / "format-cache")
        started = time.perf_counter()
        generate([spec], root / "out", source_dirs=[])
        print(
            f"  whole generate of 1,000 steps (target < 2 s): {time.perf_counter() - started:.2f} s"
        )
    ten = 100 * generated_apex_chars(10)
    print(
        f"100 orchestrations of 10 steps: {ten:,} generated Apex characters "
        f"({ten / ORG_APEX_CHARS:.0%} of the org's 6 MB beyond the runtime)"
    )


if __name__ == "__main__":
    main()
