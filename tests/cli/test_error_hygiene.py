"""No token on screen or in the error log, an owner-only error log, and a warning when a
token is typed on the command line (issue 13, item 8)."""

from __future__ import annotations

import os
import stat

import click
import pytest

from stepforce.cli import main as main_module
from stepforce.cli import org_options as org_options_module
from stepforce.cli.main import cli, main
from stepforce.errors import OrgError

# Shaped like a session id, and an opaque one only the command line knows about.
SESSION = "00D5g000004ABCD!AQ0AQSecretSessionValue.abc_DEF-123"
OPAQUE = "opaque-test-token-7f3a9c21"


def _boom(error: Exception) -> click.Command:
    @click.command("boom")
    @click.option("--access-token")
    def boom(access_token: str | None) -> None:
        raise error

    return boom


def _run(args: list[str]) -> int:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    return int(exit_info.value.code or 0)


def test_internal_error_text_and_its_log_carry_no_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    error = RuntimeError(f"header Authorization: Bearer {SESSION} and {OPAQUE} in a URL")
    monkeypatch.setitem(cli.commands, "boom", _boom(error))
    assert _run(["boom", "--access-token", OPAQUE]) == 1
    err = capsys.readouterr().err
    assert "RuntimeError: header Authorization: Bearer [hidden] and [hidden] in a URL" in err
    assert SESSION not in err
    assert OPAQUE not in err
    log = main_module._error_log_path().read_text()
    assert log.startswith("Traceback")
    assert SESSION not in log
    assert OPAQUE not in log


def test_stepforce_errors_are_scrubbed_with_the_env_token_too(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SF_ACCESS_TOKEN", OPAQUE)
    monkeypatch.setitem(cli.commands, "boom", _boom(OrgError(f"the org echoed {OPAQUE}")))
    assert _run(["boom"]) == 1
    assert _run(["boom", "--json"]) == 2  # --json is no option of this command: usage error
    captured = capsys.readouterr()
    assert "error: the org echoed [hidden]" in captured.err
    assert OPAQUE not in captured.err + captured.out


def test_a_token_echoed_in_a_usage_error_is_scrubbed(capsys: pytest.CaptureFixture[str]) -> None:
    # click names an unexpected extra argument, here a token pasted in the wrong place.
    assert _run(["run", "status", "a015g00000ABCDEAA2", SESSION]) == 2
    err = capsys.readouterr().err
    assert "Error: Got unexpected extra argument ([hidden])" in err
    assert "Usage: stepforce run status" in err
    assert SESSION not in err


def test_the_error_log_is_owner_only_even_when_it_existed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = main_module._error_log_path()
    path.parent.mkdir(parents=True)
    path.write_text("old")
    path.chmod(0o644)
    monkeypatch.setitem(cli.commands, "boom", _boom(RuntimeError("a bug")))
    assert _run(["boom"]) == 1
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "RuntimeError: a bug" in path.read_text()
    path.unlink()
    assert _run(["boom"]) == 1
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert f"(traceback in {path})" in capsys.readouterr().err


def test_a_symlink_planted_as_the_error_log_is_not_followed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: os.PathLike[str], capsys: pytest.CaptureFixture[str]
) -> None:
    path = main_module._error_log_path()
    path.parent.mkdir(parents=True)
    victim = main_module.Path(tmp_path) / "victim.txt"
    victim.write_text("keep me")
    path.symlink_to(victim)
    monkeypatch.setitem(cli.commands, "boom", _boom(RuntimeError("a bug")))
    assert _run(["boom"]) == 1
    assert victim.read_text() == "keep me"
    assert "internal error: RuntimeError: a bug" in capsys.readouterr().err


def test_access_token_option_warns_once_and_help_recommends_the_env_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(org_options_module, "_warned", [])

    @click.command("who")
    @org_options_module.org_options
    def who(org: object) -> None:
        click.echo("ran")

    monkeypatch.setitem(cli.commands, "who", who)
    for _ in range(2):
        assert (
            _run(["who", "--instance-url", "https://a.my.salesforce.com", "--access-token", OPAQUE])
            == 0
        )
    captured = capsys.readouterr()
    assert captured.out == "ran\nran\n"
    assert captured.err.count("export SF_ACCESS_TOKEN instead") == 1
    assert OPAQUE not in captured.err
    assert _run(["who", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert "Prefer the SF_ACCESS_TOKEN environment variable" in help_text
