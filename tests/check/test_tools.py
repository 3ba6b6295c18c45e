"""Finding, pinning and installing the external tools (no network: npm is a fake here)."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from stepforce.errors import ToolMissingError
from stepforce.generator.check.toolbox import packages_for, prepare_tools
from stepforce.generator.check.tools import (
    NPM_PACKAGES,
    find_java,
    install_packages,
    missing_packages,
    parse_java_version,
    parse_node_version,
    pinned_packages,
    tools_dir,
)

FAKE_NPM = """#!/bin/sh
# Records its arguments, then "installs" each name@version as node_modules/<name>/package.json.
echo "$@" > "{log}"
prefix="$3"
shift 5
for spec in "$@"; do
  name="${{spec%@*}}"; version="${{spec##*@}}"
  "{mkdir}" -p "$prefix/node_modules/$name"
  printf '{{"version": "%s"}}' "$version" > "$prefix/node_modules/$name/package.json"
done
"""


def _fake_npm(log: Path) -> str:
    # PATH holds only the fake tools in these tests, so the script names mkdir absolutely.
    return FAKE_NPM.format(log=log, mkdir=shutil.which("mkdir"))


def _bin_dir(tmp_path: Path, scripts: dict[str, str]) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name, body in scripts.items():
        script = bin_dir / name
        script.write_text(body, encoding="utf-8")
        script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return bin_dir


def _install_fake(tools: Path, name: str, version: str) -> None:
    package = tools / "node_modules" / name
    package.mkdir(parents=True)
    (package / "package.json").write_text(json.dumps({"version": version}), encoding="utf-8")


def test_tools_dir_prefers_the_explicit_variable_then_xdg_then_home() -> None:
    home = Path("/home/ana")
    assert tools_dir({"STEPFORCE_TOOLS_DIR": "/opt/sf"}, home) == Path("/opt/sf")
    assert tools_dir({"STEPFORCE_TOOLS_DIR": "rel/tools"}, home) == Path.cwd() / "rel/tools"
    assert tools_dir({"XDG_CACHE_HOME": "/c"}, home) == Path("/c/stepforce/tools")
    assert tools_dir({}, home) == Path("/home/ana/.cache/stepforce/tools")


def test_java_and_node_versions_are_read_from_their_banners() -> None:
    assert parse_java_version('openjdk version "17.0.15" 2025-04-15') == 17
    assert parse_java_version('java version "1.8.0_292"') == 8
    assert parse_java_version("no java here") is None
    assert parse_node_version("v20.20.2\n") == 20
    assert parse_node_version("garbage") is None


def test_every_package_is_pinned_to_an_exact_version() -> None:
    assert all(v.count(".") == 2 and v[0].isdigit() for v in pinned_packages().values())
    assert NPM_PACKAGES["@apexdevtools/apex-parser"] == "5.2.0"
    assert NPM_PACKAGES["@salesforce/code-analyzer-pmd-engine"] == "0.46.0"


def test_missing_packages_include_absent_and_other_versions(tmp_path: Path) -> None:
    _install_fake(tmp_path, "prettier", "3.0.0")
    _install_fake(tmp_path, "prettier-plugin-apex", NPM_PACKAGES["prettier-plugin-apex"])
    assert missing_packages(
        tmp_path, ["prettier", "prettier-plugin-apex", "@apexdevtools/apex-parser"]
    ) == [
        f"prettier@{NPM_PACKAGES['prettier']}",
        f"@apexdevtools/apex-parser@{NPM_PACKAGES['@apexdevtools/apex-parser']}",
    ]


def test_install_runs_npm_into_the_tools_dir_and_says_so_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "npm-args.txt"
    monkeypatch.setenv("PATH", str(_bin_dir(tmp_path, {"npm": _fake_npm(log)})))
    tools = tmp_path / "tools"
    messages: list[str] = []
    wanted = ["prettier@3.10.1", "@apexdevtools/apex-parser@5.2.0"]
    install_packages(tools, wanted, messages.append)
    assert log.read_text().split() == [
        "install",
        "--prefix",
        str(tools),
        "--no-audit",
        "--no-fund",
        *wanted,
    ]
    assert messages == [f"installing {', '.join(wanted)} into {tools} (once; needs the network)"]
    assert missing_packages(tools, ["prettier", "@apexdevtools/apex-parser"]) == []


def test_a_failed_install_names_the_packages_and_npm_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing = "#!/bin/sh\necho 'npm error 404 Not Found' >&2\nexit 1\n"
    monkeypatch.setenv("PATH", str(_bin_dir(tmp_path, {"npm": failing})))
    with pytest.raises(ToolMissingError) as error:
        install_packages(tmp_path / "tools", ["prettier@3.10.1"])
    assert "npm could not install prettier@3.10.1" in str(error.value)
    assert "404 Not Found" in str(error.value)


def test_without_npm_the_install_says_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(_bin_dir(tmp_path, {})))
    with pytest.raises(ToolMissingError, match="no `npm` on PATH"):
        install_packages(tmp_path / "tools", ["prettier@3.10.1"])


def test_an_old_java_is_refused_with_its_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = "#!/bin/sh\necho 'java version \"1.8.0_292\"' >&2\n"
    monkeypatch.setenv("PATH", str(_bin_dir(tmp_path, {"java": old})))
    found = find_java()
    assert found.problem is not None
    assert "is Java 8; Java 17+ is needed" in found.problem


def test_offline_skips_checks_whose_tools_are_absent_and_installs_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "npm-args.txt"
    monkeypatch.setenv("PATH", str(_bin_dir(tmp_path, {"npm": _fake_npm(log)})))
    tools = tmp_path / "tools"
    box = prepare_tools(["schema", "syntax", "pmd"], tools, offline=True)
    assert not log.exists()
    assert set(box.skipped) == {"syntax", "pmd"}
    assert "no `node` on PATH" in box.skipped["syntax"]
    assert "no `java` on PATH" in box.skipped["pmd"]


def test_offline_names_the_packages_that_are_not_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    node = "#!/bin/sh\necho v20.1.0\n"
    monkeypatch.setenv("PATH", str(_bin_dir(tmp_path, {"node": node})))
    box = prepare_tools(["format"], tmp_path, offline=True)
    assert box.skipped["format"].startswith(f"not installed in {tmp_path}: prettier@")


def test_online_a_missing_runtime_is_a_tool_missing_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(_bin_dir(tmp_path, {})))
    with pytest.raises(ToolMissingError) as error:
        prepare_tools(["semantics", "format"], tmp_path, offline=False)
    message = str(error.value)
    assert "no `java` on PATH" in message
    assert "no `node` on PATH" in message
    assert "--offline" in message


def test_online_missing_packages_are_installed_before_the_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "npm-args.txt"
    node = "#!/bin/sh\necho v20.1.0\n"
    scripts = {"npm": _fake_npm(log), "node": node}
    monkeypatch.setenv("PATH", str(_bin_dir(tmp_path, scripts)))
    tools = tmp_path / "tools"
    box = prepare_tools(["syntax"], tools, offline=False)
    assert box.skipped == {}
    assert box.runtime("node") == os.path.join(tmp_path, "bin", "node")
    assert log.read_text().split()[5:] == [
        f"{p}@{pinned_packages()[p]}" for p in packages_for("syntax")
    ]
