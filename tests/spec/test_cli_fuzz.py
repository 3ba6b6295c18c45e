"""Arbitrary YAML through the CLI: `validate`, `simulate` fixtures and `run start --inputs-file`
end in a report and exit 0 or 2 (1 only for a simulated run that failed), never a traceback or
an `internal error`. The YAML is generated as text, so it holds what a user can type: dates
(real and impossible), leading zeros, based and huge numbers, unicode, anchors and aliases,
deep nesting, broken syntax."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.spec.support import run_cli

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

_tokens = st.sampled_from(
    [
        "00501",
        "-007.50",
        "0x1F",
        "0o17",
        "0b101",
        "1:30",
        "12:30:00",
        "yes",
        "NO",
        "off",
        "~",
        "null",
        "",
        "true",
        "False",
        ".inf",
        "-.inf",
        ".nan",
        "1e999",
        "1_000",
        "=",
        "<<",
        "$input.since",
        "$steps.A.x",
        "$self.x",
        "$$x",
        "steps.A.x",
        "input.since",
        "'quoted'",
        '"\\u00e9t\\u00e9"',
        '"\\ud800"',
        "2026-02-30",
        "2026-13-01",
        "0000-01-01",
        "2026-11-01T10:00:00Z",
        "2026-11-01 10:00:00",
        "2026-1-5T1:00:00.123456789+14:00",
        "001000000000001",
        "001000000000001AAA",
        "!!python/object:os.system",
        "!!int 0o89",
        "!!bool yes",
        "!!timestamp nope",
        "!!float x",
        "*nowhere",
        "&a 1",
        "|\n  block",
    ]
)
_numbers = st.one_of(
    st.from_regex(r"\A[-+]?0[0-9]{1,20}(\.[0-9]{0,5})?\Z"),
    st.integers(min_value=-(10**400), max_value=10**400).map(str),
    st.from_regex(r"\A[-+]?[0-9]{1,3}(\.[0-9]{0,3})?[eE][-+]?[0-9]{1,4}\Z"),
)
_dates = st.from_regex(
    r"\A[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"([Tt ][0-9]{1,2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[-+][0-9]{1,2}(:[0-9]{2})?)?)?\Z"
)
_unicode = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=8
)
_scalars = st.one_of(
    _tokens,
    _numbers,
    _dates,
    _unicode.map(json.dumps),  # a double-quoted YAML scalar
    _unicode,  # plain: often not valid YAML, which must be a located error too
)


def _collections(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.lists(children, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(
            st.tuples(st.sampled_from(["a", "since", "x", "1", "<<"]), children), max_size=3
        ).map(lambda pairs: "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"),
        children.map(lambda value: f"&anchor {value}"),
    )


_values = st.one_of(
    st.recursive(_scalars, _collections, max_leaves=8),
    st.integers(min_value=1, max_value=60).map(lambda depth: "[" * depth + "1" + "]" * depth),
    st.just("*anchor"),
)

SPEC = """\
orchestration: Fuzz
inputs:
  since: {{type: Date, default: {v0}}}
  tag: {{type: Text, default: {v1}}}
steps:
  - name: A
    apex: Fuzzer
    inputs: {{a: {v2}, b: {{value: {v3}, type: {t}}}}}
    outputs: {{x: Number, t: Text, d: Date, i: Id, l: List<Text>}}
schedule: {{cron: "0 0 2 * * ?", inputs: {{since: {v4}}}}}
"""
SIM_SPEC = """\
orchestration: Fuzz_Sim
inputs: {since: Date, tag: Text}
steps:
  - name: A
    apex: Fuzzer
    inputs: {since: $input.since, tag: $input.tag}
    outputs: {x: Number, t: Text, d: Date, w: DateTime, i: Id, l: List<Number>, b: Boolean}
"""
_types = st.sampled_from(["Text", "Number", "Date", "DateTime", "Id", "Boolean", "List<Text>"])


def _assert_reported(code: int, out: str, err: str, allowed: set[int]) -> None:
    assert code in allowed, (code, out, err)
    assert "internal error" not in err, err
    assert "Traceback" not in err + out, err
    if out.strip():
        json.loads(out)  # with --json stdout is one JSON document, whatever happened


@SETTINGS
@given(values=st.lists(_values, min_size=5, max_size=5), slot_type=_types)
def test_validate_reports_any_spec_values(
    tmp_path: Path, values: list[str], slot_type: str
) -> None:
    spec = tmp_path / "fuzz.yaml"
    spec.write_text(SPEC.format(**{f"v{i}": v for i, v in enumerate(values)}, t=slot_type))
    code, out, err = run_cli("validate", str(spec), "--json")
    _assert_reported(code, out, err, {0, 2})
    if code == 0:
        assert json.loads(out)["files"][0]["orchestration"] == "Fuzz"


@SETTINGS
@given(inputs=st.lists(_values, min_size=2, max_size=2), outputs=st.lists(_values, max_size=7))
def test_simulate_reports_any_fixture_values(
    tmp_path: Path, inputs: list[str], outputs: list[str]
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SIM_SPEC)
    names = ["x", "t", "d", "w", "i", "l", "b"]
    fixture = (
        f"inputs: {{since: {inputs[0]}, tag: {inputs[1]}}}\n"
        "steps:\n  A:\n    - outputs: {"
        + ", ".join(f"{name}: {value}" for name, value in zip(names, outputs, strict=False))
        + "}\n"
    )
    steps = tmp_path / "steps.yaml"
    steps.write_text(fixture)
    code, out, err = run_cli("simulate", str(spec), "--steps", str(steps), "--json")
    _assert_reported(code, out, err, {0, 1, 2})
    if code == 1:  # only a run the engine would fail too: an output it cannot coerce
        assert json.loads(out)["status"] == "Failed"


@SETTINGS
@given(document=st.one_of(_values, st.lists(st.tuples(_unicode, _values), max_size=4)))
def test_an_inputs_file_is_read_or_refused_before_any_org_call(
    tmp_path: Path, document: str | list[tuple[str, str]]
) -> None:
    if isinstance(document, list):
        document = "".join(f"{json.dumps(key)}: {value}\n" for key, value in document)
    path = tmp_path / "inputs.yaml"
    path.write_text(document)
    code, out, err = run_cli("run", "start", "Fuzz", "--inputs-file", str(path), "--json")
    # 2 either way: the file's problem, or (when it reads) no org credentials in this test.
    _assert_reported(code, out, err, {2})
    assert json.loads(out)["error"]["type"] in {"SpecError", "CredentialsError"}
