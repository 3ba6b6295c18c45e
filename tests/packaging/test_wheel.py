"""The wheel is what users get: build it, install it into a fresh virtual environment outside
the repository, and use it there. Proves the package layout, the console script and that the
runtime templates ship as package data."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with only the built wheel installed; dependencies come from the dev venv
    through a plain path entry (no network, and no editable-install hook leaks in)."""
    root = tmp_path_factory.mktemp("wheel")
    dist = root / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(REPO)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheels = list(dist.glob("stepforce-*.whl"))
    assert len(wheels) == 1, f"expected one wheel, got {wheels}"
    env_dir = root / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", str(wheels[0])],
        check=True,
        capture_output=True,
        timeout=300,
    )
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "stepforce_test_deps.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    return env_dir


def _run(env_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    return subprocess.run(
        [str(env_dir / "bin" / "stepforce"), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )


def _python(env_dir: Path, code: str, *, cwd: Path) -> str:
    """Run ``code`` with the fresh venv's interpreter; its stdout."""
    return subprocess.run(
        [str(env_dir / "bin" / "python"), "-c", code],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=True,
    ).stdout


def test_console_script_runs_from_outside_the_repo(installed: Path, tmp_path: Path) -> None:
    result = _run(installed, "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "validate" in result.stdout
    assert "generate" in result.stdout


def test_package_imports_from_the_venv_not_the_source_tree(installed: Path, tmp_path: Path) -> None:
    probe = (
        "import stepforce, stepforce.cli.main, stepforce.generator, stepforce.runtime_client;"
        "from importlib.resources import files;"
        "print(stepforce.__file__);"
        "print(files('stepforce').joinpath('templates/force-app/main/default/classes').is_dir());"
        "import stepforce.runtime_client.doctor.package as p;"
        "print(len(p.probe_specs()), (p.doctor_root() / 'force-app').is_dir())"
    )
    out = _python(installed, probe, cwd=tmp_path).split()
    assert out[0].startswith(str(installed)), f"stepforce imported from {out[0]}"
    assert out[1] == "True", "the runtime templates are missing from the wheel"
    assert out[2:] == ["8", "True"], "the doctor's probe package is missing from the wheel"


def test_no_top_level_cli_or_generator_modules(installed: Path, tmp_path: Path) -> None:
    probe = (
        "import importlib.util as u;"
        "print([m for m in ('cli', 'generator', 'runtime_client') if u.find_spec(m)])"
    )
    out = _python(installed, probe, cwd=tmp_path).strip()
    assert out == "[]"


def test_validate_an_example_from_outside_the_repo(installed: Path, tmp_path: Path) -> None:
    spec = tmp_path / "invoice_sync.yaml"
    spec.write_text((REPO / "examples" / "invoice_sync.yaml").read_text(encoding="utf-8"))
    result = _run(installed, "validate", str(spec), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("orchestration: Bad Name\nsteps: []\n", encoding="utf-8")
    result = _run(installed, "validate", str(broken), cwd=tmp_path)
    assert result.returncode == 2
    assert "broken.yaml:1" in result.stderr
    assert "Traceback" not in result.stderr
