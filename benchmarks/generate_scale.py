"""How fast `stepforce generate` writes big orchestrations, and how big the result is.

Cases: one orchestration of 1,000 steps, of 400 steps, of 150 steps, and 100 orchestrations
of 10 steps. A plan is a static resource (JSON), not Apex. Times are for validate + plan
documents alone, then the whole generate (documents, runtime, write: the target is under 2 s
each) with an empty format cache, a regeneration with nothing changed, a generate into a new
directory and an mdapi zip; file counts, the largest plan document and the Metadata API zip
size are compared with the limits (10,000 files, 5 MB per static resource, 39 MB per zip).
Run: .venv/bin/python benchmarks/generate_scale.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from stepforce.errors import SpecError, UsageError
from stepforce.generator.generate import generate
from stepforce.generator.plan_document import MAX_RESOURCE_BYTES, plan_resources
from stepforce.generator.spec import load_spec_text

MAX_FILES = 10_000
MAX_ZIP_BYTES = 39 * 1024 * 1024


def chain_spec(name: str, steps: int) -> str:
    lines = [f"orchestration: {name}", "inputs:", "  start: {type: Number, default: 1}", "steps:"]
    for index in range(steps):
        source = "$input.start" if index == 0 else f"$steps.S{index - 1}.value"
        lines += [
            f"  - name: S{index}",
            "    apex: ChainStep",
            f"    inputs: {{value: {source}, label: 'step {index}', day: 2026-01-02}}",
            "    outputs: {value: Number, note: Text}",
        ]
    return "\n".join(lines) + "\n"


def measure(label: str, specs: dict[str, str]) -> None:
    started = time.perf_counter()
    documents: dict[str, bytes] = {}
    for filename, text in specs.items():
        documents.update(plan_resources(load_spec_text(text, filename)))
    build_seconds = time.perf_counter() - started
    bodies = {n: b for n, b in documents.items() if n.endswith(".resource")}
    largest = max(bodies, key=lambda name: len(bodies[name]))
    print(f"{label}:")
    print(f"  plan documents only (validate+build): {build_seconds:.2f} s; 0 Apex lines")
    print(
        f"  largest plan document: {largest}, {len(bodies[largest]):,} bytes "
        f"(a static resource holds {MAX_RESOURCE_BYTES:,})"
    )
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        paths = []
        for filename, text in specs.items():
            paths.append(root / filename)
            paths[-1].write_text(text, encoding="utf-8")
        try:
            _write_and_package(paths, root)
        except SpecError as error:
            print(f"  generate refused it: {error.diagnostics[0].message}")


def _write_and_package(paths: list[Path], root: Path) -> None:
    os.environ["STEPFORCE_FORMAT_CACHE"] = str(root / "format-cache")  # cold: empty
    started = time.perf_counter()
    result = generate(paths, root / "out", source_dirs=[])
    write_seconds = time.perf_counter() - started
    files = sum(1 for p in (root / "out").rglob("*") if p.is_file())
    plan_classes = list((root / "out").rglob("SfPlan*.cls"))
    started = time.perf_counter()
    generate(paths, root / "out", source_dirs=[])
    again_seconds = time.perf_counter() - started
    started = time.perf_counter()
    generate(paths, root / "fresh", source_dirs=[])
    fresh_seconds = time.perf_counter() - started
    started = time.perf_counter()
    try:
        zip_text = f"{generate(paths, root / 'z.zip', source_dirs=[], mdapi=True).zip_bytes:,} B"
    except UsageError as error:  # the converter refuses an inconsistent runtime tree
        zip_text = f"not built ({error})"
    zip_seconds = time.perf_counter() - started
    formatted = "laid out as prettier prints it" if result.formatted else "NOT FORMATTED"
    verdict = "ok" if write_seconds < 2 else "SLOWER THAN 2 s"
    print(f"  full generate (documents, {formatted}, write): {write_seconds:.2f} s ({verdict})")
    print(f"  regenerate with nothing changed: {again_seconds:.2f} s (layout skipped)")
    print(f"  generate into a new directory: {fresh_seconds:.2f} s")
    print(f"  files in project: {files:,} of {MAX_FILES:,} allowed per deploy")
    print(f"  plan classes generated: {len(plan_classes)} (a plan is data)")
    print(f"  mdapi zip: {zip_text} (limit {MAX_ZIP_BYTES:,} B = 39 MB), {zip_seconds:.2f} s")


def main() -> int:
    measure("1 orchestration x 1,000 steps", {"big.yaml": chain_spec("Big_Chain", 1000)})
    measure("1 orchestration x 400 steps", {"big.yaml": chain_spec("Big_Chain", 400)})
    measure("1 orchestration x 150 steps", {"big.yaml": chain_spec("Big_Chain", 150)})
    many = {f"o{n}.yaml": chain_spec(f"Chain_{n}", 10) for n in range(100)}
    measure("100 orchestrations x 10 steps", many)
    return 0


if __name__ == "__main__":
    sys.exit(main())
