from __future__ import annotations

import json
from pathlib import Path

import pytest

from stepforce.cli.main import main
from tests.conftest import EXAMPLES
from tests.spec.support import MINIMAL


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def test_validate_examples_ok(capsys: pytest.CaptureFixture[str]) -> None:
    paths = sorted(str(p) for p in EXAMPLES.glob("*.yaml"))
    code, out, err = run(["validate", *paths], capsys)
    assert code == 0, err
    assert out.splitlines() == [f"ok: {p} (2 steps)" for p in paths]


def test_validate_errors_exit_2_with_located_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINIMAL.replace("$input.since", "$input.sinse"))
    good = tmp_path / "good.yaml"
    good.write_text(MINIMAL.replace("Demo", "Other"))
    code, out, err = run(["validate", str(bad), str(good)], capsys)
    assert code == 2
    assert out == f"ok: {good} (2 steps)\n"
    assert f"{bad}:8:21: spec: steps[0].inputs.since: $input.sinse: there is no run input" in err
    assert err.rstrip().endswith("error: 1 problem found")


def test_validate_warnings_do_not_fail(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "warn.yaml"
    spec.write_text(
        MINIMAL.replace(
            "{type: Number, default: 10}", "{type: Number, default: 10, required: true}"
        )
    )
    code, _, err = run(["validate", str(spec)], capsys)
    assert code == 0
    assert "warning:" in err


def test_validate_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("orchestration: A\n")
    code, out, _ = run(
        ["validate", "--json", str(bad), str(EXAMPLES / "invoice_sync.yaml")], capsys
    )
    assert code == 2
    data = json.loads(out)
    assert data["files"] == [
        {"file": str(EXAMPLES / "invoice_sync.yaml"), "orchestration": "Invoice_Sync", "steps": 2}
    ]
    assert data["problems"][0]["message"] == "missing required key 'steps'"
    assert data["problems"][0]["line"] == 1


def test_schema_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["schema"], capsys)
    assert code == 0
    assert json.loads(out)["title"] == "stepforce orchestration spec"


def test_graph_formats(capsys: pytest.CaptureFixture[str]) -> None:
    spec = str(EXAMPLES / "invoice_sync.yaml")
    code, out, _ = run(["graph", spec], capsys)
    assert (code, out.splitlines()[0]) == (0, "flowchart TD")
    code, out, _ = run(["graph", spec, "--format", "dot"], capsys)
    assert (code, out.splitlines()[0]) == (0, 'digraph "Invoice_Sync" {')
    code, out, _ = run(["graph", spec, "--json"], capsys)
    assert json.loads(out)["orchestration"] == "Invoice_Sync"


def test_graph_of_invalid_spec_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("orchestration: A\n")
    code, _, err = run(["graph", str(bad)], capsys)
    assert code == 2
    assert "missing required key 'steps'" in err


def test_init_then_refuse(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "proj"
    code, out, _ = run(["init", str(target), "--json"], capsys)
    assert code == 0
    written = json.loads(out)["files"]
    assert str(target / "orchestrations" / "example.yaml") in written
    code, _, _ = run(["validate", str(target / "orchestrations" / "example.yaml")], capsys)
    assert code == 0
    code, _, err = run(["init", str(target)], capsys)
    assert code == 2
    assert "refusing to overwrite existing files" in err
    assert "sfdx-project.json" in err
