"""The external tools the checks run: where they live, whether they are there, installing them.

npm packages go to a per-user cache (never the repository): ``$STEPFORCE_TOOLS_DIR`` if set,
else ``${XDG_CACHE_HOME:-~/.cache}/stepforce/tools``, laid out as ``<dir>/node_modules/...``.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from stepforce.errors import ToolMissingError

#: Every npm package the checks use, pinned in this one place.
NPM_PACKAGES: dict[str, str] = {
    "@apexdevtools/apex-parser": "5.2.0",
    "@salesforce/code-analyzer-pmd-engine": "0.46.0",
    "prettier": "3.10.1",
    "prettier-plugin-apex": "2.3.0",
}
# prettier-plugin-apex parses with Salesforce's jorje; this native build of it avoids a Java
# server. Published per platform; elsewhere the plugin falls back to its Java serializer.
_NATIVE_SERIALIZER = ("@prettier-apex/apex-ast-serializer-linux-x64", "2.3.0")

MIN_JAVA = 17
MIN_NODE = 18
INSTALL_TIMEOUT = 900.0


def pinned_packages() -> dict[str, str]:
    """The packages to install on this machine, name -> exact version."""
    packages = dict(NPM_PACKAGES)
    if platform.system() == "Linux" and platform.machine() in ("x86_64", "AMD64"):
        packages[_NATIVE_SERIALIZER[0]] = _NATIVE_SERIALIZER[1]
    return packages


def tools_dir(env: Mapping[str, str] | None = None, home: Path | None = None) -> Path:
    """Where the npm tools live: ``$STEPFORCE_TOOLS_DIR``, else the user's cache directory."""
    env = os.environ if env is None else env
    explicit = env.get("STEPFORCE_TOOLS_DIR")
    if explicit:
        # Absolute: the tools run with the project (or a temp dir) as working directory.
        return Path(explicit).expanduser().absolute()
    cache = env.get("XDG_CACHE_HOME") or str((home or Path.home()) / ".cache")
    return Path(cache) / "stepforce" / "tools"


def package_dir(tools: Path, name: str) -> Path:
    return tools / "node_modules" / name


def installed_version(tools: Path, name: str) -> str | None:
    manifest = package_dir(tools, name) / "package.json"
    try:
        text = manifest.read_text(encoding="utf-8")
    except OSError:
        return None
    found = re.search(r'"version"\s*:\s*"([^"]+)"', text)
    return found.group(1) if found else None


def missing_packages(tools: Path, wanted: Sequence[str]) -> list[str]:
    """``name@version`` of each wanted package that is absent or at another version."""
    pins = pinned_packages()
    return [
        f"{name}@{pins[name]}"
        for name in wanted
        if name in pins and installed_version(tools, name) != pins[name]
    ]


#: apex-ls and PMD run for seconds: the quick (C1) JIT alone halves their CPU time, measured
#: on the runtime package (2.0 s instead of 5 s of CPU for apex-ls).
JAVA_FLAGS: tuple[str, ...] = ("-XX:TieredStopAtLevel=1",)


def java_lib_dir(tools: Path) -> Path:
    """apex-ls and PMD jars, shipped inside the code-analyzer PMD engine package."""
    return package_dir(tools, "@salesforce/code-analyzer-pmd-engine") / "dist" / "java-lib"


@dataclass(frozen=True)
class Runtime:
    """A language runtime found on PATH, or why not."""

    name: str
    path: str | None
    problem: str | None


def parse_java_version(banner: str) -> int | None:
    """Major version from ``java -version`` output (``"17.0.15"`` -> 17, ``"1.8.0"`` -> 8)."""
    found = re.search(r'version "(\d+)(?:\.(\d+))?', banner)
    if not found:
        return None
    major = int(found.group(1))
    return int(found.group(2) or 0) if major == 1 else major


def parse_node_version(banner: str) -> int | None:
    found = re.match(r"v?(\d+)\.", banner.strip())
    return int(found.group(1)) if found else None


def _probe(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout + done.stderr


def _find_runtime(
    command: str, version_flag: str, parse: Callable[[str], int | None], label: str, minimum: int
) -> Runtime:
    """``command`` on PATH at version ``minimum`` or later, or why not."""
    path = shutil.which(command)
    if path is None:
        return Runtime(command, None, f"no `{command}` on PATH ({label} {minimum}+ is needed)")
    version = parse(_probe([path, version_flag]))
    if version is None or version < minimum:
        shown = "an unknown version" if version is None else f"{label} {version}"
        return Runtime(command, path, f"`{path}` is {shown}; {label} {minimum}+ is needed")
    return Runtime(command, path, None)


def find_java() -> Runtime:
    return _find_runtime("java", "-version", parse_java_version, "Java", MIN_JAVA)


def find_node() -> Runtime:
    return _find_runtime("node", "--version", parse_node_version, "Node.js", MIN_NODE)


def install_packages(
    tools: Path, packages: Sequence[str], progress: Callable[[str], None] | None = None
) -> None:
    """``npm install`` the given ``name@version`` specs into ``tools``; ToolMissingError if not."""
    npm = shutil.which("npm")
    if npm is None:
        raise ToolMissingError(
            f"no `npm` on PATH: cannot install {', '.join(packages)} into {tools} "
            "(install Node.js, or run with --offline to skip the checks that need them)"
        )
    tools.mkdir(parents=True, exist_ok=True)
    if progress:
        progress(f"installing {', '.join(packages)} into {tools} (once; needs the network)")
    command = [npm, "install", "--prefix", str(tools), "--no-audit", "--no-fund", *packages]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise ToolMissingError(
            f"npm install of {', '.join(packages)} did not finish in {INSTALL_TIMEOUT:.0f} s"
        ) from error
    still_missing = missing_packages(tools, [p.rsplit("@", 1)[0] for p in packages])
    if done.returncode != 0 or still_missing:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-8:])
        failed = ", ".join(still_missing or packages)
        raise ToolMissingError(f"npm could not install {failed} into {tools}:\n{tail}")


class ToolRunError(Exception):
    """A tool could not run to the end (timeout, crash, unreadable output)."""


@dataclass(frozen=True)
class ProcessOutput:
    returncode: int
    stdout: str
    stderr: str

    def tail(self, lines: int = 8) -> str:
        """The last lines of what the tool said, for an error message."""
        text = (self.stderr.strip() or self.stdout.strip()).splitlines()
        return "\n".join(text[-lines:])


def run_process(
    command: Sequence[str], *, timeout: float, cwd: Path | None = None, stdin: str | None = None
) -> ProcessOutput:
    """Run one tool and capture its output; ToolRunError when it cannot start or times out."""
    try:
        done = subprocess.run(
            list(command),
            cwd=cwd,
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise ToolRunError(f"{Path(command[0]).name} did not finish in {timeout:.0f} s") from error
    except OSError as error:
        raise ToolRunError(f"cannot run {command[0]}: {error}") from error
    return ProcessOutput(done.returncode, done.stdout, done.stderr)
