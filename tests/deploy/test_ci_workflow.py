"""`stepforce init --ci github`: the workflow renders, parses, and never prints a secret."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from stepforce.cli.deploy_cmd import deploy_command
from stepforce.cli.spec_cmds import init_command
from stepforce.generator.ci_workflow import ci_files

SECRETS = {"SF_CLIENT_ID", "SF_JWT_KEY", "SF_USERNAME"}


def _workflow(version: str = "1.2.3") -> dict[Any, Any]:
    (file,) = ci_files("github", version)
    assert str(file.path) == ".github/workflows/stepforce.yml"
    loaded = yaml.safe_load(file.content)
    assert isinstance(loaded, dict)
    return loaded


def _steps() -> list[dict[str, Any]]:
    steps = _workflow()["jobs"]["deploy"]["steps"]
    assert isinstance(steps, list)
    return steps


def _step(name_part: str) -> dict[str, Any]:
    (step,) = [s for s in _steps() if name_part in s["name"]]
    return step


def test_runs_on_pull_requests_and_on_main() -> None:
    triggers = _workflow()[True]  # YAML 1.1 reads the key `on` as true
    assert "pull_request" in triggers
    assert triggers["push"]["branches"] == ["main"]


def test_steps_generate_check_deploy_and_publish_in_order() -> None:
    runs = [s.get("run", s.get("uses", "")) for s in _steps()]
    order = [
        next(i for i, r in enumerate(runs) if marker in r)
        for marker in (
            "actions/checkout@",
            'pip install "stepforce==1.2.3"',
            "stepforce generate",
            "stepforce check",
            "umask 077",
            "stepforce deploy force-app-generated --check-only",
            "actions/upload-artifact@",
        )
    ]
    assert order == sorted(order)


def test_pull_requests_validate_and_main_deploys_for_real_with_local_tests() -> None:
    validate = _step("pull request")
    deploy = _step("(main)")
    assert validate["if"] == "github.event_name == 'pull_request'"
    assert deploy["if"] == "github.event_name != 'pull_request'"
    assert "--check-only" in validate["run"]
    assert "--check-only" not in deploy["run"]
    for step in (validate, deploy):
        args = shlex.split(step["run"])
        assert args[:2] == ["stepforce", "deploy"]
        # The options exist: click parses them exactly as the workflow spells them.
        context = deploy_command.make_context("deploy", args[2:])
        assert context.params["test_level"] == "RunLocalTests"
        assert context.params["junit"] == Path("test-results/apex-tests.xml")
        assert step["env"]["SF_JWT_KEY_FILE"] == "${{ runner.temp }}/stepforce-jwt.key"


def test_a_second_deploy_is_not_stopped_by_the_sweeper_the_first_one_scheduled() -> None:
    """After the first deploy the sweeper stays scheduled, and deploy's preflight stops any
    further deploy of a class with scheduled jobs: main unschedules stepforce's own jobs around
    the deploy; a validation cannot (it changes nothing) and relies on the org setting."""
    deploy = deploy_command.make_context("deploy", shlex.split(_step("(main)")["run"])[2:])
    assert deploy.params["unschedule_first"] is True
    assert deploy.params["force"] is False
    validate = deploy_command.make_context("deploy", shlex.split(_step("pull request")["run"])[2:])
    assert validate.params["force"] is True
    assert validate.params["unschedule_first"] is False


def test_test_results_are_uploaded_even_when_the_deploy_fails() -> None:
    upload = _step("Upload")
    assert upload["if"] == "always()"
    assert upload["with"]["path"] == "test-results/"
    assert _step("Remove the JWT key")["if"] == "always()"


def test_secrets_reach_stepforce_only_through_environment_variables() -> None:
    workflow = _workflow()
    job_env = workflow["jobs"]["deploy"]["env"]
    named = {
        match
        for env in [job_env, *(s.get("env", {}) for s in _steps())]
        for value in env.values()
        for match in re.findall(r"secrets\.(\w+)", str(value))
    }
    assert named == SECRETS
    for step in _steps():
        script = step.get("run", "")
        assert "secrets." not in script, f"{step['name']}: a secret is expanded into the script"
        assert "set -x" not in script
        for line in script.splitlines():
            if re.search(r"\b(echo|cat|printenv|env)\b", line):
                assert not any(name in line for name in SECRETS), f"{step['name']}: {line}"
    key_step = _step("Write the JWT key")
    lines = key_step["run"].splitlines()
    assert lines[0] == "umask 077", "the key file is created readable by its owner only"
    assert lines[1] == 'printf \'%s\\n\' "$SF_JWT_KEY" > "$SF_JWT_KEY_FILE"'


def test_init_with_ci_github_writes_the_workflow(tmp_path: Path) -> None:
    result = CliRunner().invoke(init_command, [str(tmp_path / "acme"), "--ci", "github"])
    assert result.exit_code == 0, result.output
    workflow = tmp_path / "acme" / ".github" / "workflows" / "stepforce.yml"
    assert yaml.safe_load(workflow.read_text(encoding="utf-8"))["name"] == "stepforce"
    assert (tmp_path / "acme" / "orgs" / "dev.json").is_file()
    plain = CliRunner().invoke(init_command, [str(tmp_path / "plain")])
    assert plain.exit_code == 0, plain.output
    assert not (tmp_path / "plain" / ".github").exists()


def test_unknown_ci_system_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown CI system"):
        ci_files("jenkins")


def test_the_doctor_step_is_opt_in_on_main_after_the_deploy() -> None:
    doctor = _step("stepforce doctor")
    assert doctor["run"] == "stepforce doctor --json > test-results/doctor.json"
    assert "vars.STEPFORCE_DOCTOR == 'true'" in doctor["if"]
    assert "github.event_name != 'pull_request'" in doctor["if"]
    names = [s["name"] for s in _steps()]
    assert names.index(doctor["name"]) < names.index("Remove the JWT key")
    assert names.index("Deploy and run the Apex tests (main)") < names.index(doctor["name"])
