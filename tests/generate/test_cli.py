"""`stepforce generate` on the command line: output, --json and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from stepforce.cli.generate_cmd import generate_command
from stepforce.cli.main import main
from stepforce.errors import SpecError, UsageError
from stepforce.generator.plan_document import current_resource
from tests.generate.conftest import SMALL_SPEC, write_spec


def test_generate_prints_what_it_created_then_what_is_unchanged(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, "small.yaml", SMALL_SPEC)
    out = tmp_path / "out"
    first = CliRunner().invoke(generate_command, [str(spec), "--out", str(out)])
    assert first.exit_code == 0, first.output
    assert "created (" in first.output
    plan = f"force-app/main/default/staticresources/{current_resource('Small_Sync')}.resource"
    assert (out / plan).is_file()
    assert plan in json.loads((out / ".stepforce/manifest.json").read_text())["files"]
    assert "classes/SfPlan_" not in first.output  # a plan is data, not a class
    second = CliRunner().invoke(generate_command, [str(spec), "--out", str(out)])
    assert second.exit_code == 0
    assert "0 created, 0 changed, 0 removed" in second.output


def test_generate_json_lists_counts_and_paths(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, "small.yaml", SMALL_SPEC)
    result = CliRunner().invoke(
        generate_command, [str(spec), "--out", str(tmp_path / "out"), "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["orchestrations"] == ["Small_Sync"]
    assert data["counts"]["created"] == len(data["created"]) > 0
    assert "manifest/package.xml" in data["created"]
    assert data["warnings"][0]["severity"] == "warning"  # SmallFetcher is not in any source


def test_bad_api_version_is_a_usage_error(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, "small.yaml", SMALL_SPEC)
    result = CliRunner().invoke(
        generate_command, [str(spec), "--out", str(tmp_path / "o"), "--api-version", "abc"]
    )
    assert isinstance(result.exception, UsageError)
    assert result.exception.exit_code == 2
    assert "--api-version 'abc'" in str(result.exception)


def test_an_api_version_older_than_the_runtime_is_a_usage_error(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, "small.yaml", SMALL_SPEC)
    result = CliRunner().invoke(
        generate_command, [str(spec), "--out", str(tmp_path / "o"), "--api-version", "61.0"]
    )
    assert isinstance(result.exception, UsageError)
    assert "older than the runtime's API 62.0" in str(result.exception)
    assert not (tmp_path / "o").exists()


def test_invalid_spec_raises_spec_error(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, "bad.yaml", "orchestration: Bad\nstpes: []\n")
    result = CliRunner().invoke(generate_command, [str(spec), "--out", str(tmp_path / "o")])
    assert isinstance(result.exception, SpecError)
    assert result.exception.exit_code == 2
    assert not (tmp_path / "o").exists()


def test_help_shows_an_example() -> None:
    result = CliRunner().invoke(generate_command, ["--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert "--format mdapi" in result.output


def test_main_exits_2_and_names_the_file_on_a_collision(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write_spec(tmp_path, "small.yaml", SMALL_SPEC)
    resources = tmp_path / "out/force-app/main/default/staticresources"
    theirs = resources / f"{current_resource('Small_Sync')}.resource"
    theirs.parent.mkdir(parents=True)
    theirs.write_text("// mine\n")
    with pytest.raises(SystemExit) as exit_info:
        main(["generate", str(spec), "--out", str(tmp_path / "out"), "--json"])
    assert exit_info.value.code == 2
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["type"] == "UsageError"
    assert theirs.read_text() == "// mine\n"


def test_main_reports_spec_problems_as_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write_spec(tmp_path, "bad.yaml", "orchestration: Bad\nstpes: []\n")
    with pytest.raises(SystemExit) as exit_info:
        main(["generate", str(spec), "--out", str(tmp_path / "o"), "--json"])
    assert exit_info.value.code == 2
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert problems
    assert all(p["file"].endswith("bad.yaml") for p in problems)


def test_a_script_left_to_an_uninstallable_prettier_is_written_with_a_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stepforce.generator import apex_format

    monkeypatch.setattr(apex_format, "prettier_available", lambda **kwargs: None)
    emoji = "\U0001f680 launch"  # prettier measures an emoji's width with its own tables
    spec = write_spec(
        tmp_path,
        "emoji.yaml",
        "orchestration: Emoji_Sync\ninputs:\n  note: Text\nsteps:\n  - name: Only\n"
        "    apex: OnlyStep\n    inputs: {note: $input.note}\n"
        f'schedule:\n  cron: "0 0 2 * * ?"\n  inputs: {{note: "{emoji}"}}\n',
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(generate_command, [str(spec), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "written unformatted" in result.stderr
    assert "stepforce check --fix-format" in result.stderr
    script = (out / "scripts/apex/schedule_Emoji_Sync.apex").read_text(encoding="utf-8")
    assert emoji in script
