"""Laying out many classes at once, shared among processes when there is enough work.

Why: the layout is pure Python and CPU-bound, so one process uses one core; a big generate
(hundreds of classes, megabytes of Apex) is split by size among up to one process per core.
Processes are forked (no re-import, a few milliseconds to start), and only where forking is
safe: Linux (macOS system frameworks can abort a forked child) and a single-threaded caller.
Anywhere else, or if a process cannot be started, the same work runs in this process: the
result is the same bytes either way.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from stepforce.generator.apex_layout import LayoutUnsupported, layout_apex

#: Processes at most.
MAX_WORKERS = 4
#: Below this many characters of Apex per process, starting another one is not worth it.
CHARS_PER_WORKER = 300_000


def balanced_groups(sizes: Mapping[str, int], groups: int) -> list[list[str]]:
    """Names split into ``groups`` lists of about equal total size (largest first, each to
    the lightest group; ties by name, so the split is deterministic)."""
    loads = [0] * groups
    result: list[list[str]] = [[] for _ in range(groups)]
    for name in sorted(sizes, key=lambda n: (-sizes[n], n)):
        lightest = loads.index(min(loads))
        result[lightest].append(name)
        loads[lightest] += sizes[name]
    return [group for group in result if group]


def layout_all(sources: Mapping[str, str]) -> dict[str, str | None]:
    """Name -> the laid-out text, or None for a class the layout does not model."""
    result: dict[str, str | None] = {}
    for name, text in sources.items():
        try:
            result[name] = layout_apex(text)
        except LayoutUnsupported:
            result[name] = None
    return result


def worker_count(total_chars: int, files: int) -> int:
    if not sys.platform.startswith("linux") or threading.active_count() > 1:
        return 1
    wanted = max(1, total_chars // CHARS_PER_WORKER)
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1, wanted, files))


def layout_many(sources: Mapping[str, str]) -> dict[str, str | None]:
    """:func:`layout_all`, in several processes when the sources are big enough."""
    sizes = {name: len(text) for name, text in sources.items()}
    workers = worker_count(sum(sizes.values()), len(sizes))
    if workers > 1:
        batches = [
            {name: sources[name] for name in group} for group in balanced_groups(sizes, workers)
        ]
        try:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=len(batches), mp_context=context) as pool:
                result: dict[str, str | None] = {}
                for part in pool.map(layout_all, batches):
                    result.update(part)
                return result
        except (OSError, BrokenProcessPool):
            pass  # no processes here (a sandbox, a limit): the same work, in this process
    return layout_all(sources)
