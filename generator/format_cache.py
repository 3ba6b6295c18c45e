"""A cache of prettier's output by content hash, next to the tools that produced it.

Why: prettier is nearly all of the time of ``generate``, and the same rendered class is often
formatted again where the ownership manifest cannot help: every ``--format mdapi`` build (it
formats into a fresh staging directory), a new ``--out``, a CI job, the simulator's
``--emit-apex-tests --with-plans``. The formatted text depends only on the input text, the file
kind and the prettier and plugin versions, so those make the key and a hit is exactly what
prettier would print. Entries live in ``<tools dir>/format-cache`` (the user's cache, like the
tools themselves), or in ``$STEPFORCE_FORMAT_CACHE``; ``STEPFORCE_FORMAT_CACHE=off`` disables
it. The cache keeps the :data:`MAX_ENTRIES` most recently used entries.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from stepforce.generator.check.tools import installed_version

MAX_ENTRIES = 4_000
_ENV = "STEPFORCE_FORMAT_CACHE"


class FormatCache:
    def __init__(self, folder: Path, versions: str) -> None:
        self.folder = folder
        self.versions = versions

    def _path(self, name: str, text: str) -> Path:
        kind = Path(name).suffix  # .cls and .apex are parsed differently
        key = hashlib.sha256(f"{self.versions}\0{kind}\0{text}".encode()).hexdigest()
        return self.folder / key[:2] / key

    def get(self, name: str, text: str) -> str | None:
        path = self._path(name, text)
        try:
            found = path.read_text(encoding="utf-8")
            os.utime(path)  # recently used: kept when the cache is trimmed
        except (OSError, UnicodeDecodeError):
            return None
        return found

    def put_all(self, pairs: Mapping[str, tuple[str, str]]) -> None:
        """Store ``name -> (rendered text, formatted text)``; a failure only costs speed."""
        if not pairs:
            return
        try:
            for name, (text, formatted) in pairs.items():
                path = self._path(name, text)
                path.parent.mkdir(parents=True, exist_ok=True)
                temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
                temporary.write_text(formatted, encoding="utf-8")
                temporary.replace(path)  # atomic: a concurrent reader sees all or nothing
            self._trim()
        except OSError:
            return

    def _trim(self) -> None:
        entries = [p for p in self.folder.glob("??/*") if not p.name.startswith(".")]
        if len(entries) <= MAX_ENTRIES:
            return
        entries.sort(key=lambda p: p.stat().st_mtime)
        for path in entries[: len(entries) - MAX_ENTRIES]:
            path.unlink(missing_ok=True)


def open_cache(tools: Path, env: Mapping[str, str] | None = None) -> FormatCache | None:
    """The cache for the prettier installed in ``tools``, or None when it is turned off."""
    env = os.environ if env is None else env
    setting = env.get(_ENV, "")
    if setting.lower() == "off":
        return None
    folder = Path(setting).expanduser().absolute() if setting else tools / "format-cache"
    versions = "prettier {} prettier-plugin-apex {}".format(
        installed_version(tools, "prettier"), installed_version(tools, "prettier-plugin-apex")
    )
    return FormatCache(folder, versions)
