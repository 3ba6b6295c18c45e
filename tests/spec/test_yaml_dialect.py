"""The YAML dialect everywhere stepforce reads YAML: YAML 1.2 core-schema scalars, ambiguous
numbers refused with the quoted form to write, impossible dates as located errors (exit 2)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from stepforce.cli.run_inputs import as_json, parse_value, read_inputs_file
from stepforce.errors import SpecError
from tests.spec.support import errors, load, run_cli

SPEC = """\
orchestration: Zips
inputs:
  since: {type: Date, default: 2026-11-01}
steps:
  - name: Fetch
    apex: ZipFetcher
    inputs: {INPUTS}
    outputs: {account: Id, zip: Text, n: Number, at: Date}
"""


def spec_with(inputs: str) -> str:
    return SPEC.replace("{INPUTS}", inputs)


def one_literal(inputs: str) -> object:
    binding = load(spec_with(inputs)).steps[0].inputs[0]
    return getattr(binding.value, "value", None)


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("00501", "'00501' is ambiguous: write '00501' (quoted) for text, or 501 for a number"),
        ("-007.50", "'-007.50' is ambiguous: write '-007.50' (quoted) for text, or -7.50 for a"),
        ("0x1F", "'0x1F' is ambiguous: write '0x1F' (quoted) for text, or 31 for a number"),
        ("0o17", "'0o17' is ambiguous: write '0o17' (quoted) for text, or 15 for a number"),
        ("[001000000000001]", "'001000000000001' is ambiguous: write '001000000000001' (q"),
    ],
)
def test_an_untyped_number_that_yaml_reads_differently_is_refused_with_the_form_to_write(
    written: str, message: str
) -> None:
    (problem,) = errors(spec_with("{j: " + written + "}"))
    assert problem.startswith("steps[0].inputs.j: " + message), problem


def test_a_declared_type_settles_a_leading_zero_number_exactly_as_written() -> None:
    assert one_literal("{k: {value: 00501, type: Number}}") == Decimal(501)  # not octal 321
    assert one_literal("{z: {value: 00501, type: Text}}") == "00501"
    assert one_literal("{a: {value: 001000000000001, type: Id}}") == "001000000000001AAA"
    assert one_literal("{t: {value: 0x1F, type: Text}}") == "0x1F"
    (problem,) = errors(spec_with("{h: {value: 0x1F, type: Number}}"))
    assert "write '0x1F' (quoted) for text, or 31 for a number" in problem


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("1:30", "1:30"),  # YAML 1.1: 90 (sexagesimal)
        ("yes", "yes"),  # YAML 1.1: true
        ("off", "off"),
        ("1_000", "1_000"),  # YAML 1.1: 1000
        ("=", "="),  # YAML 1.1: a 'value' tag
        ("1e3", Decimal("1E+3")),  # YAML 1.2: a float without a dot
        ("+5", Decimal(5)),
        ("0", Decimal(0)),
        ("0.50", Decimal("0.50")),
        ("True", True),
        ("~", None),
    ],
)
def test_plain_scalars_follow_the_yaml_1_2_core_schema(written: str, value: object) -> None:
    assert one_literal("{j: " + written + "}") == value


@pytest.mark.parametrize(
    ("where", "text", "line", "col"),
    [
        ("a default", spec_with("{j: 1}").replace("2026-11-01", "2026-02-30"), 3, 32),
        ("a step input", spec_with("{d: 2026-13-01}"), 7, 17),
        ("a long-form input", spec_with("{d: {value: 2026-02-30, type: Date}}"), 7, 25),
        (
            "a schedule input",
            spec_with("{j: 1}") + 'schedule: {cron: "0 0 2 * * ?", inputs: {since: 2026-02-29}}\n',
            9,
            49,
        ),
    ],
)
def test_an_impossible_date_is_a_located_spec_error_with_exit_2(
    tmp_path: Path, where: str, text: str, line: int, col: int
) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    code, out, err = run_cli("validate", str(path))
    assert code == 2, (where, out, err)
    assert f"spec.yaml:{line}:{col}: " in err, (where, err)
    assert "is not a real date or date-time" in err
    assert "internal error" not in err
    code, out, _ = run_cli("validate", str(path), "--json")
    assert code == 2
    (problem,) = json.loads(out)["problems"]
    assert (problem["line"], problem["col"]) == (line, col), where


FIXTURE_SPEC = """\
orchestration: Fixture_Ids
steps:
  - name: Find
    apex: Finder
    outputs: {account: Id, at: Date}
"""


@pytest.mark.parametrize(
    ("fixture", "message", "line"),
    [
        ("steps:\n  Find:\n    - outputs: {account: 001000000000001}\n", "'001000000000001'", 3),
        ("steps:\n  Find:\n    - outputs: {at: 2026-02-30}\n", "not a real date", 3),
        ("inputs: {x: 0x10}\nsteps: {}\n", "'0x10' is ambiguous", 1),
    ],
)
def test_fixtures_are_read_with_the_same_dialect_and_refused_with_their_line(
    tmp_path: Path, fixture: str, message: str, line: int
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(FIXTURE_SPEC)
    steps = tmp_path / "steps.yaml"
    steps.write_text(fixture)
    code, out, err = run_cli("simulate", str(spec), "--steps", str(steps), "--json")
    assert code == 2, (out, err)
    report = json.loads(out)
    (problem,) = report["problems"]
    assert message in problem["message"]
    assert (Path(problem["file"]).name, problem["line"]) == ("steps.yaml", line)


def test_a_fixture_id_quoted_as_written_is_an_id(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(FIXTURE_SPEC)
    steps = tmp_path / "steps.yaml"
    steps.write_text("steps:\n  Find:\n    - outputs: {account: '001000000000001'}\n")
    code, out, err = run_cli("simulate", str(spec), "--steps", str(steps), "--json")
    assert code == 0, err
    assert json.loads(out)["context"]["steps"]["Find"]["account"] == "001000000000001AAA"


@pytest.mark.parametrize(
    ("text", "message", "line", "col"),
    [
        ("since: 2026-02-30\n", "'2026-02-30' is not a real date", 1, 8),
        ("pageSize: 10\nzip: 00501\n", "write '00501' (quoted) for text, or 501", 2, 6),
        ("- a\n", "inputs must be a mapping of name to value", 1, 1),
        ("a: [1\n", "invalid YAML", 2, 1),
    ],
)
def test_a_bad_inputs_file_is_a_located_usage_error_before_any_org_call(
    tmp_path: Path, text: str, message: str, line: int, col: int
) -> None:
    path = tmp_path / "inputs.yaml"
    path.write_text(text)
    with pytest.raises(SpecError) as caught:
        read_inputs_file(path)
    (problem,) = caught.value.diagnostics
    assert message in problem.message
    assert (problem.location.line, problem.location.col) == (line, col)
    # Through the CLI: exit 2 and the JSON error report, before any org is needed.
    code, out, err = run_cli("run", "start", "Zips", "--inputs-file", str(path), "--json")
    assert code == 2, err
    assert json.loads(out)["problems"][0]["message"] == problem.message


def test_an_inputs_file_keeps_values_exact_and_dates_as_text(tmp_path: Path) -> None:
    path = tmp_path / "inputs.yaml"
    path.write_text(
        "since: 2026-11-01\nzip: '00501'\nn: 12345678901234567.89\nr: 0.5\nc: NO\nt: 1:30\n"
    )
    assert read_inputs_file(path) == {
        "since": "2026-11-01",
        "zip": "00501",
        "n": "12345678901234567.89",  # text: a double would round it; the engine converts
        "r": 0.5,
        "c": "NO",
        "t": "1:30",
    }
    bad_json = tmp_path / "inputs.json"
    bad_json.write_text('{"a": 1,\n "b": }')
    with pytest.raises(SpecError) as caught:
        read_inputs_file(bad_json)
    assert caught.value.diagnostics[0].location.line == 2


@pytest.mark.parametrize(
    ("written", "sent"),
    [
        ("00501", "00501"),  # not JSON: the text as written; the engine types it
        ("1:30", "1:30"),
        ("0x1F", "0x1F"),
        ("yes", "yes"),
        ("2026-02-30", "2026-02-30"),
        ("200", "200"),  # numbers too: a Number input reads numeric text exactly, and a
        ("0.10", "0.10"),  # Text input accepts only text (docs/engine.md, Coercion rules)
        ("[0.5, 2]", [0.5, 2]),
        ("12345678901234567.89", "12345678901234567.89"),
        ("true", True),
        ("null", None),
        ('"42"', "42"),
        ('["a", 1]', ["a", 1]),
        ("[a, b]", "[a, b]"),
        ("NaN", "NaN"),
        ("", ""),
    ],
)
def test_one_typing_rule_for_input_values(written: str, sent: object) -> None:
    assert as_json(parse_value(written)) == sent


def test_simulate_redrive_inputs_follow_the_same_rule(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "orchestration: Redrive\ninputs: {zip: Text, n: Number}\n"
        "steps:\n  - name: A\n    apex: A\n    inputs: {zip: $input.zip, n: $input.n}\n"
    )
    steps = tmp_path / "steps.yaml"
    steps.write_text(
        "inputs: {zip: '1', n: 1}\nsteps:\n  A:\n    - error: boom\n    - outputs: {}\n"
    )
    args = ["simulate", str(spec), "--steps", str(steps), "--redrive", "--json"]
    code, out, err = run_cli(*args, "--input", "zip=00501", "--input", "n=00501")
    assert code == 0, err
    # YAML 1.1 made both 321; the engine converts the text to each input's type.
    assert json.loads(out)["context"]["inputs"] == {"zip": "00501", "n": 501}


def test_dates_in_inputs_files_travel_as_iso_text() -> None:
    assert as_json([dt.date(2026, 11, 1), Decimal(7)]) == ["2026-11-01", 7]


def test_an_impossible_redrive_date_is_refused_as_the_org_would_naming_the_option(
    tmp_path: Path,
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "orchestration: Redrive\ninputs: {d: Date}\n"
        "steps:\n  - name: A\n    apex: A\n    inputs: {d: $input.d}\n"
    )
    steps = tmp_path / "steps.yaml"
    steps.write_text("inputs: {d: 2026-01-01}\nsteps:\n  A:\n    - error: boom\n")
    args = ["simulate", str(spec), "--steps", str(steps), "--redrive", "--json"]
    code, out, err = run_cli(*args, "--input", "d=2026-02-30")
    assert code == 2, err
    (problem,) = json.loads(out)["problems"]
    assert (problem["file"], problem["message"]) == (
        "--input",
        "inputs.d: expected Date, got Text '2026-02-30'",
    )


@pytest.mark.parametrize(
    ("declared", "written", "message"),
    [
        ("Number", '"１２"', "'１２' is not a Number (write its digits as 0-9)"),
        ("DateTime", '"２０２６-01-01"', "'２０２６-01-01' is not a DateTime"),
        ("Date", '"２０２６-01-01"', "'２０２６-01-01' is not a Date (YYYY-MM-DD)"),
        ("DateTime", '"２０２６-01-01T10:00:00Z"', "is not a DateTime (2026-11-25T10:00:00Z)"),
    ],
)
def test_non_ascii_digits_are_refused_at_their_line_as_apex_would(
    tmp_path: Path, declared: str, written: str, message: str
) -> None:
    """Python reads "１２" as 12 (Decimal, fromisoformat); Apex's Decimal.valueOf and its date
    parsing take ASCII digits only, so the spec refuses them where they are written."""
    path = tmp_path / "spec.yaml"
    path.write_text(
        "orchestration: Wide\n"
        f"inputs:\n  v: {{type: {declared}, default: {written}}}\n"
        "steps:\n  - name: A\n    apex: Foo\n    inputs: {x: $input.v}\n",
        encoding="utf-8",
    )
    code, out, err = run_cli("validate", str(path))
    assert code == 2, (out, err)
    assert "spec.yaml:3:" in err, err
    assert message in err, err
    assert "internal error" not in err


def test_an_exponent_number_is_a_yaml_1_2_float_read_exactly() -> None:
    assert one_literal("{n: 1.5e3}") == Decimal("1.5e3")
