from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from stepforce.cli import main as main_module
from stepforce.cli.main import cli, main
from stepforce.diagnostics import Diagnostic, Location
from stepforce.errors import SpecError, UsageError


def _all_commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in group.commands.items():
        found.append((prefix + name, command))
        if isinstance(command, click.Group):
            found.extend(_all_commands(command, prefix + name + " "))
    return found


def test_every_command_has_help_with_an_example() -> None:
    for name, command in _all_commands(cli):
        help_text = command.help or ""
        assert help_text.strip(), f"`stepforce {name}` has no help text"
        if not isinstance(command, click.Group):
            assert "Example" in help_text, f"`stepforce {name}` help shows no example"


def test_version_prints_and_exits_zero() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert "stepforce, version" in result.output


def test_usage_error_exits_2_without_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    @click.command("boom-usage")
    def boom() -> None:
        raise UsageError("the spec file is missing")

    monkeypatch.setitem(cli.commands, "boom-usage", boom)
    with pytest.raises(SystemExit) as exit_info:
        main(["boom-usage"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "error: the spec file is missing" in err
    assert "Traceback" not in err


def test_spec_error_as_json_lists_problems(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    problem = Diagnostic(Location("a.yaml", 3, 5), "unknown key 'stpes'", path="stpes")

    @click.command("boom-spec")
    @click.option("--json", "as_json", is_flag=True)
    def boom(as_json: bool) -> None:
        raise SpecError([problem])

    monkeypatch.setitem(cli.commands, "boom-spec", boom)
    with pytest.raises(SystemExit) as exit_info:
        main(["boom-spec", "--json"])
    assert exit_info.value.code == 2
    out = capsys.readouterr().out
    assert '"line": 3' in out
    assert "unknown key 'stpes'" in out


def test_unexpected_error_is_logged_not_shown(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    @click.command("boom-bug")
    def boom() -> None:
        raise RuntimeError("a bug")

    monkeypatch.setitem(cli.commands, "boom-bug", boom)
    with pytest.raises(SystemExit) as exit_info:
        main(["boom-bug"])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: a bug" in err
    assert "Traceback" not in err
    assert main_module._error_log_path().read_text().startswith("Traceback")


def test_click_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["no-such-command"])
    assert exit_info.value.code == 2


@pytest.mark.parametrize(
    "name", [name for name, command in _all_commands(cli) if not isinstance(command, click.Group)]
)
def test_every_commands_usage_error_with_json_prints_the_json_error_report(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*name.split(), "--no-such-option", "--json"])
    assert exit_info.value.code == 2
    out, err = capsys.readouterr()
    assert json.loads(out) == {
        "error": {"type": "UsageError", "message": "No such option '--no-such-option'."}
    }
    assert err == ""


def test_a_bad_option_value_with_json_is_reported_as_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "start", "Sync", "--input", "novalue", "--json"])
    assert exit_info.value.code == 2
    report = json.loads(capsys.readouterr().out)
    assert report["error"]["type"] == "UsageError"
    assert "'novalue' is not KEY=VALUE" in report["error"]["message"]
