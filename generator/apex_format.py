"""Lay out generated Apex the way prettier-plugin-apex prints it, the formatter `stepforce
check` enforces.

Decision (replacing "run prettier on every generated class"): the templates print the
plugin's layout, and :mod:`stepforce.generator.apex_layout` does the part that depends on the
spec's text, breaking long statements exactly as the plugin would, in Python. Generating
therefore needs no Node and takes a fraction of the time (prettier was ~1 MB of Apex a second
and most of ``generate``). Tests hold the layout to prettier's bytes over the examples, the
hostile specs, every scenario and large synthetic specs; ``stepforce check`` verifies it on
every generated file.

A class the layout does not model (today: an emoji in a spec's text, whose width prettier
measures with its own tables) goes through prettier as before: the check's script
(``apex_format.cjs``) in up to :data:`MAX_WORKERS` Node processes, its output kept in a
cache by content hash (``format_cache``). When Node or the tools cannot be installed (no npm,
no network), such a class is written as rendered and ``stepforce check`` reports it as
unformatted; the code is the same either way. Same input -> same bytes.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from stepforce.errors import ToolMissingError
from stepforce.generator.apex_layout.batch import balanced_groups, layout_many
from stepforce.generator.check.prettier import plugin_entry, script_path
from stepforce.generator.check.toolbox import packages_for
from stepforce.generator.check.tools import (
    find_node,
    install_packages,
    missing_packages,
    package_dir,
    tools_dir,
)
from stepforce.generator.format_cache import open_cache

_log = logging.getLogger(__name__)

_TIMEOUT = 600
#: Node processes at most (each loads prettier, ~0.3 s of CPU, so more than the cores is waste).
MAX_WORKERS = 4
#: Files formatted at a time inside one Node process.
_JOBS_PER_WORKER = 4
#: Below this many characters one process is faster than starting another.
_CHARS_PER_EXTRA_WORKER = 400_000


def _worker_count(total_chars: int, files: int) -> int:
    cores = os.cpu_count() or 1
    wanted = 1 + total_chars // _CHARS_PER_EXTRA_WORKER
    return max(1, min(MAX_WORKERS, cores, wanted, files))


def _run_workers(node: str, tools: Path, root: Path, groups: list[list[Path]]) -> set[str] | None:
    """Rewrite the files in place, one script process per group, all at once; the names of
    the files prettier could not parse (they stay as rendered), or None when it failed."""
    command = [
        node,
        str(script_path()),
        str(package_dir(tools, "prettier")),
        str(plugin_entry(tools)),
        "write",
        str(_JOBS_PER_WORKER),
    ]
    running: list[subprocess.Popen[bytes]] = []
    reports = [root / f".report-{number}.json" for number in range(len(groups))]
    try:
        for number, group in enumerate(groups):
            listing = root / f".files-{number}.json"
            listing.write_text(json.dumps([str(p) for p in group]), encoding="utf-8")
            # Files on both ends: no pipe to fill while the other processes run. Errors are
            # not shown: a file that does not parse stays as rendered and `stepforce check`
            # says why.
            with listing.open("rb") as stdin, reports[number].open("wb") as stdout:
                running.append(
                    subprocess.Popen(
                        command, cwd=root, stdin=stdin, stdout=stdout, stderr=subprocess.DEVNULL
                    )
                )
        if not all(process.wait(timeout=_TIMEOUT) == 0 for process in running):
            return None
        return _unparsed(reports)
    except (OSError, ValueError, AttributeError, subprocess.TimeoutExpired):
        return None
    finally:
        for process in running:
            if process.poll() is None:
                process.kill()
                process.wait()


def _unparsed(reports: list[Path]) -> set[str]:
    """Names of the files the script reports as not parsing (``status: error``)."""
    failed: set[str] = set()
    for report in reports:
        for entry in json.loads(report.read_text(encoding="utf-8")):
            if entry.get("status") == "error":
                failed.add(Path(str(entry.get("file", ""))).name)
    return failed


def prettier_available(*, install: bool = True) -> tuple[str, Path] | None:
    """``(node, tools_dir)`` when prettier and its Apex plugin are there, else None.

    With ``install`` (the default) missing formatter packages are installed into the tools
    cache first, as ``stepforce check`` would do: otherwise a first ``generate`` on a new
    machine writes unformatted Apex that the following ``check`` rejects. Without npm or the
    network the template's layout is written and the caller says so.
    """
    node = find_node()
    tools = tools_dir()
    if node.path is None or node.problem:
        return None
    missing = missing_packages(tools, packages_for("format"))
    if missing and install:
        try:
            install_packages(tools, missing, _log.warning)
        except ToolMissingError as error:
            _log.warning("%s", error)
            return None
    if not (package_dir(tools, "prettier") / "index.cjs").is_file():
        return None
    if not plugin_entry(tools).is_file():
        return None
    return node.path, tools


def format_apex(sources: Mapping[str, str]) -> tuple[dict[str, str], bool]:
    """``(formatted sources, whether every Apex file is formatted)``.

    Keys are bare file names (``SfScn_X_Tests.cls``, ``schedule_X.apex``). Each class is laid out
    in Python; the few the layout does not model go to :func:`prettier_format`.
    """
    result = dict(sources)
    classes = {n: text for n, text in sources.items() if n.endswith((".cls", ".apex"))}
    fallback: dict[str, str] = {}
    for name, laid_out in layout_many(classes).items():
        if laid_out is None:
            fallback[name] = classes[name]
        else:
            result[name] = laid_out
    if not fallback:
        return result, True
    formatted, ran = prettier_format(fallback)
    result.update(formatted)
    return result, ran


def prettier_format(sources: Mapping[str, str]) -> tuple[dict[str, str], bool]:
    """``(formatted sources, whether prettier ran)``; files prettier cannot parse stay as given.

    The parser is chosen by extension (``.apex`` is anonymous Apex).
    """
    result = dict(sources)
    classes = {n: text for n, text in sources.items() if n.endswith((".cls", ".apex"))}
    found = prettier_available()
    if found is None or not classes:
        return result, False
    node, tools = found
    cache = open_cache(tools)
    todo: dict[str, str] = {}
    for name, text in classes.items():
        hit = cache.get(name, text) if cache else None
        if hit is None:
            todo[name] = text
        else:
            result[name] = hit
    if not todo:
        return result, True
    formatted = _format_files(node, tools, todo)
    if formatted is None:
        return dict(sources), False
    texts, unparsed = formatted
    result.update(texts)
    if cache:
        cache.put_all({n: (todo[n], texts[n]) for n in todo if n not in unparsed})
    return result, True


def _format_files(
    node: str, tools: Path, classes: dict[str, str]
) -> tuple[dict[str, str], set[str]] | None:
    """Prettier's output for every file and the names that did not parse; None on failure."""
    sizes = {name: len(text) for name, text in classes.items()}
    workers = _worker_count(sum(sizes.values()), len(classes))
    with tempfile.TemporaryDirectory(prefix="stepforce-format-") as folder:
        root = Path(folder)
        for name, text in sorted(classes.items()):
            (root / name).write_text(text, encoding="utf-8")
        groups = [[root / n for n in g] for g in balanced_groups(sizes, workers)]
        unparsed = _run_workers(node, tools, root, groups)
        if unparsed is None:
            return None
        return {n: (root / n).read_text(encoding="utf-8") for n in classes}, unparsed
