"""The README as a new user reads it: its opening example and its five-minute tour work.

The tour runs verbatim, line by line, through bash and the installed ``stepforce`` entry point
in a fresh directory, with nothing on PATH but stepforce, node and java (no ``sf``, no org).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from stepforce.cli.main import cli
from stepforce.cli.spec_cmds import NEXT_COMMANDS
from stepforce.generator.ci_workflow import ci_files
from stepforce.generator.plan_document import current_resource
from stepforce.generator.scaffold import GENERATED_DIR, project_files
from tests.conftest import EXAMPLES, REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
ENTRY_POINT = Path(sys.executable).parent / "stepforce"
_CD = re.compile(r"&& cd (\S+)")


def _blocks(language: str, after: str = "") -> list[str]:
    """The fenced ``language`` blocks of the README after the heading ``after``."""
    text = README[README.index(after) :] if after else README
    return re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


def opening_example() -> str:
    return _blocks("yaml")[0]


def tour_lines() -> list[str]:
    return [line for line in _blocks("sh", "## A five-minute tour")[0].splitlines() if line]


def _command(line: str) -> list[str]:
    """The words of a tour line before its comment."""
    return line.split("#", 1)[0].split()


def _tour_line(word: str) -> list[str]:
    (line,) = [_command(line) for line in tour_lines() if _command(line)[1:2] == [word]]
    return line


# --- the opening example -------------------------------------------------------------------


def test_the_opening_example_validates_and_generates_against_the_bundled_sources(
    tmp_path: Path,
) -> None:
    spec = tmp_path / "invoice_sync.yaml"
    spec.write_text(opening_example(), encoding="utf-8")
    runner = CliRunner()
    validated = runner.invoke(cli, ["validate", str(spec)])
    assert validated.exit_code == 0, validated.output
    assert "ok:" in validated.output
    source = str(EXAMPLES / "force-app")
    out = tmp_path / "out"
    generated = runner.invoke(cli, ["generate", str(spec), "--out", str(out), "--source", source])
    assert generated.exit_code == 0, generated.output
    assert "warning" not in generated.output  # both step sources were found and match
    classes = out / "force-app/main/default"
    plan = f"staticresources/{current_resource('Invoice_Sync')}.resource"
    assert (classes / plan).is_file()  # the plan is data, no class
    assert not list((classes / "classes").glob("SfPlan*"))
    assert (classes / "classes/InvoicePager.cls").is_file()
    assert (classes / "flows/Post_Invoice_Summary.flow-meta.xml").is_file()


def _is_excerpt(short: Any, full: Any, where: str) -> list[str]:
    """Where ``short`` says something ``full`` does not (descriptions aside)."""
    if isinstance(short, dict) and isinstance(full, dict):
        problems = []
        for key, value in short.items():
            if key == "description":
                continue
            if key not in full:
                problems.append(f"{where}.{key} is not in the example")
            else:
                problems += _is_excerpt(value, full[key], f"{where}.{key}")
        return problems
    if isinstance(short, list) and isinstance(full, list) and where.endswith("steps"):
        names = [s.get("name") for s in short], [f.get("name") for f in full]
        if names[0] != names[1]:
            return [f"{where}: steps {names[0]} differ from the example's {names[1]}"]
        return [p for i, s in enumerate(short) for p in _is_excerpt(s, full[i], f"{where}[{i}]")]
    return [] if short == full else [f"{where}: {short!r} where the example has {full!r}"]


def test_the_opening_example_is_examples_invoice_sync_in_short() -> None:
    short = yaml.safe_load(opening_example())
    full = yaml.safe_load((EXAMPLES / "invoice_sync.yaml").read_text(encoding="utf-8"))
    assert _is_excerpt(short, full, "spec") == []
    assert short["orchestration"] == full["orchestration"]


# --- one layout ------------------------------------------------------------------------------


def test_the_tour_init_cumulusci_ci_and_docs_use_one_generated_folder() -> None:
    generate, check, deploy = _tour_line("generate"), _tour_line("check"), _tour_line("deploy")
    assert generate[generate.index("--out") + 1] == GENERATED_DIR
    assert check[2] == GENERATED_DIR
    assert deploy[2] == GENERATED_DIR
    files = {str(f.path): f.content for f in project_files("acme")}
    assert f"{GENERATED_DIR}/" in files[".gitignore"].splitlines()
    tasks = yaml.safe_load(files["cumulusci.yml"])["tasks"]
    for task in ("stepforce_generate", "stepforce_check", "stepforce_deploy"):
        assert tasks[task]["options"]["path"] == GENERATED_DIR, task
    (workflow,) = ci_files("github", "1.0")
    assert f"--out {GENERATED_DIR}\n" in workflow.content
    assert f"stepforce check {GENERATED_DIR}\n" in workflow.content
    assert workflow.content.count(f"stepforce deploy {GENERATED_DIR} ") == 2
    for doc in ("generate.md", "check.md", "deploy.md"):
        text = (REPO / "docs" / doc).read_text(encoding="utf-8")
        assert GENERATED_DIR in text, doc


def test_the_tour_names_files_init_writes() -> None:
    simulate = _tour_line("simulate")
    written = {str(f.path) for f in project_files("acme")}
    assert simulate[2] in written
    assert simulate[simulate.index("--steps") + 1] in written


def test_init_suggests_the_tours_next_commands(tmp_path: Path) -> None:
    tour = [" ".join(_command(line)) for line in tour_lines()[1:5]]
    assert tour == list(NEXT_COMMANDS)
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "acme")])
    assert result.exit_code == 0, result.output
    assert result.output.endswith(
        f"next, in {tmp_path / 'acme'}:\n" + "".join(f"  {c}\n" for c in NEXT_COMMANDS)
    )


# --- the tour, verbatim ---------------------------------------------------------------------


@dataclass
class Step:
    line: str
    code: int
    stdout: str
    stderr: str


def _tour_env(tmp_path: Path) -> dict[str, str]:
    """PATH holds stepforce and the runtimes of the offline checks, and no Salesforce CLI."""
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "stepforce").symlink_to(ENTRY_POINT)
    for runtime in ("node", "java"):
        found = shutil.which(runtime)
        if found:
            (tools / runtime).symlink_to(found)
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("SF_", "SFDX_", "CUMULUS"))}
    return {**keep, "PATH": str(tools)}


def run_tour(tmp_path: Path, *, full_check: bool) -> dict[str, Step]:
    """Every tour line in order, in a fresh directory; cd lines move the next ones."""
    env = _tour_env(tmp_path)
    cwd = tmp_path / "fresh"
    cwd.mkdir()
    steps: dict[str, Step] = {}
    for line in tour_lines():
        word = _command(line)[1]
        run = line if full_check or word != "check" else f"{line.split('#')[0]} --only schema"
        done = subprocess.run(
            ["/bin/bash", "-c", run], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
        )
        steps[word] = Step(line, done.returncode, done.stdout, done.stderr)
        moved = _CD.search(line.split("#")[0])
        if moved and done.returncode == 0:
            cwd = cwd / moved.group(1)
    return steps


def _assert_tour(tmp_path: Path, steps: dict[str, Step]) -> None:
    assert list(steps) == ["init", "validate", "simulate", "generate", "check", "deploy", "run"]
    for word in ("init", "validate", "simulate", "generate", "check"):
        step = steps[word]
        assert step.code == 0, f"{step.line}\n{step.stdout}\n{step.stderr}"
    project = tmp_path / "fresh" / "acme"
    assert "ok: orchestrations/example.yaml" in steps["validate"].stderr + steps["validate"].stdout
    assert "Status: Succeeded" in steps["simulate"].stdout
    # generate built its own project and poured nothing into the user's force-app.
    init_files = {
        str(f.path) for f in project_files("acme") if str(f.path).startswith("force-app/")
    }
    user_files = {
        p.relative_to(project).as_posix() for p in (project / "force-app").rglob("*") if p.is_file()
    }
    assert user_files == init_files
    classes = project / GENERATED_DIR / "force-app/main/default/classes"
    resources = classes.parent / "staticresources"
    assert (resources / f"{current_resource('Example_Countdown')}.resource").is_file()
    assert not list(classes.glob("SfPlan*"))
    assert (classes / "StepforceEngine.cls").is_file()
    assert (classes / "CountdownStep.cls").is_file()
    assert f"ok: {GENERATED_DIR} passed" in steps["check"].stderr
    # With no org: a clear message of what is needed, exit 2, never a traceback.
    for word in ("deploy", "run"):
        step = steps[word]
        said = step.stdout + step.stderr
        assert step.code == 2, f"{step.line}\n{said}"
        assert "Traceback" not in said
        assert "internal error" not in said
        assert "SF_INSTANCE_URL" in said or "--instance-url" in said, said


def test_the_tour_works_up_to_deploy_which_says_what_it_needs(tmp_path: Path) -> None:
    """Verbatim but for `check`, limited to the schema check here (Python only)."""
    steps = run_tour(tmp_path, full_check=False)
    _assert_tour(tmp_path, steps)
    assert "schema:" in steps["check"].stderr


@pytest.mark.slow
def test_the_tour_runs_verbatim_with_every_offline_check(tmp_path: Path) -> None:
    steps = run_tour(tmp_path, full_check=True)
    _assert_tour(tmp_path, steps)
    for name in ("syntax", "semantics", "pmd", "format"):
        assert f"{name}: " in steps["check"].stderr, steps["check"].stderr
