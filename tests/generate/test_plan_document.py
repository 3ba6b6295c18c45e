"""The plan document: what the interpreter executes, built from a validated spec."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from stepforce.errors import SpecError
from stepforce.generator.generate import generate
from stepforce.generator.plan_document import (
    current_resource,
    document_text,
    document_version,
    plan_document,
    version_resource,
)
from stepforce.generator.spec import load_spec_text

from .conftest import SMALL_SPEC, write_spec

RESOURCE_NAME = re.compile(r"^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*[A-Za-z0-9]$")


def _document(text: str = SMALL_SPEC) -> dict[str, Any]:
    return plan_document(load_spec_text(text, "small.yaml"))


def test_inputs_keep_order_types_and_coerced_defaults() -> None:
    document = _document()
    assert document["inputs"] == [
        {"name": "since", "type": "Date", "required": True, "default": None},
        {"name": "pageSize", "type": "Number", "required": False, "default": "200"},
        {"name": "owner", "type": "Id", "required": False, "default": None},
    ]


def test_every_binding_kind_is_data_with_its_type() -> None:
    steps = _document()["steps"]
    assert isinstance(steps, list)
    fetch, report = steps
    assert fetch["inputs"] == [
        {"name": "since", "type": "Date", "ref": ["input", "since"]},
        {"name": "cursor", "type": "Text", "ref": ["self", "cursor"]},
        {"name": "owner", "type": "Id", "ref": ["input", "owner"]},
    ]
    by_name = {b["name"]: b for b in report["inputs"]}
    assert by_name["total"] == {
        "name": "total",
        "type": "Number",
        "ref": ["steps", "Fetch", "total"],
    }
    assert by_name["asText"]["type"] == "Text"  # the declared type wins over the source's
    assert by_name["rate"]["value"] == "12.5"  # Numbers as exact decimal text
    assert by_name["count"]["value"] == "7"
    assert by_name["flag"]["value"] is True
    assert by_name["day"]["value"] == "2026-03-04"
    assert by_name["at"]["value"] == "2026-03-04T05:06:07Z"
    assert by_name["who"]["value"] == "005000000000001AAA"
    assert by_name["tags"] == {"name": "tags", "type": "List<Text>", "value": ["a", "b"]}
    assert by_name["nothing"] == {"name": "nothing", "type": None, "value": None}
    assert by_name["label"]["value"] == "It's \\ here"


def test_a_dollar_escaped_literal_is_stored_unescaped() -> None:
    spec = SMALL_SPEC.replace(
        "      nothing: null\n", '      nothing: null\n      label2: "$$5 off"\n'
    )
    report = _document(spec)["steps"][1]
    assert {b["name"]: b for b in report["inputs"]}["label2"]["value"] == "$5 off"


def test_steps_carry_kind_target_outputs_retry_and_repeat() -> None:
    fetch, report = _document()["steps"]
    assert fetch["kind"] == "Apex"
    assert fetch["target"] == "SmallFetcher"
    assert fetch["callouts"] is True
    assert fetch["namespace"] is None
    assert fetch["outputs"][2] == {"name": "isDone", "type": "Boolean"}
    assert (fetch["attempts"], fetch["delays"]) == (3, [1, 5])
    assert fetch["repeat"] == {"until": "isDone", "max": 50}
    assert report["repeat"] is None
    assert report["continue"] is False


def test_the_version_is_the_hash_of_the_content() -> None:
    document = _document()
    assert document["version"] == document_version(document)
    assert document == _document()  # same spec, same version
    reordered = _document(SMALL_SPEC.replace("owner: {type: Id}", "owner: {type: Text}"))
    assert reordered["version"] != document["version"]


def test_the_stored_text_reads_back_as_the_document() -> None:
    document = _document()
    text = document_text(document)
    assert text.endswith("\n")
    assert "\n" not in text[:-1]
    assert json.loads(text) == document


def test_resource_names_are_valid_static_resource_names_for_any_orchestration() -> None:
    version = str(_document()["version"])
    for name in (version_resource(version), current_resource("A" * 80), current_resource("x")):
        assert RESOURCE_NAME.match(name), name
        assert len(name) <= 40
    assert current_resource("Invoice_Sync") != current_resource("Invoice_Sync2")


def test_a_schedule_keeps_its_cron_and_typed_inputs() -> None:
    spec = (
        SMALL_SPEC
        + 'schedule: {cron: "0 0 2 * * ?", inputs: {since: "2026-01-02", pageSize: 50}}\n'
    )
    assert _document(spec)["schedule"] == {
        "cron": "0 0 2 * * ?",
        "inputs": {"pageSize": "50", "since": "2026-01-02"},
    }


def test_a_literal_that_does_not_fit_its_type_is_a_spec_error() -> None:
    spec = SMALL_SPEC.replace(
        'day: {value: "2026-03-04", type: Date}', "day: {value: 5, type: Date}"
    )
    with pytest.raises(SpecError):
        _document(spec)


def test_generate_writes_the_latest_plan_and_its_version_as_static_resources(
    tmp_path: Path,
) -> None:
    spec = write_spec(tmp_path / "specs", "small.yaml", SMALL_SPEC)
    out = tmp_path / "out"
    generate([spec], out, source_dirs=[])
    document = _document()
    folder = out / "force-app" / "main" / "default" / "staticresources"
    for name in (current_resource("Small_Sync"), version_resource(document["version"])):
        assert json.loads((folder / f"{name}.resource").read_text("utf-8")) == document
        meta = (folder / f"{name}.resource-meta.xml").read_text("utf-8")
        assert "<contentType>application/json</contentType>" in meta
        assert "<description>stepforce " in meta  # the name, validated and escaped


def test_the_manifest_lists_the_plan_resources(tmp_path: Path) -> None:
    spec = write_spec(tmp_path / "specs", "small.yaml", SMALL_SPEC)
    out = tmp_path / "out"
    generate([spec], out, source_dirs=[])
    manifest = (out / "manifest" / "package.xml").read_text("utf-8")
    version = version_resource(_document()["version"])
    assert "<name>StaticResource</name>" in manifest
    assert f"<members>{version}</members>" in manifest
    assert f"<members>{current_resource('Small_Sync')}</members>" in manifest


def test_a_control_character_in_any_text_is_refused_with_its_path() -> None:
    spec = SMALL_SPEC.replace(
        "      nothing: null\n", '      nothing: null\n      bell: "a\\x07b"\n'
    )
    with pytest.raises(SpecError) as raised:
        _document(spec)
    [problem] = raised.value.diagnostics
    assert problem.path == "steps[1].inputs[11].value"  # after the 11 inputs before it
    assert "U+0007" in problem.message


def test_a_required_input_with_a_default_is_stored_as_optional_with_the_default() -> None:
    # docs/spec.md: such an input is never missing; the simulator applies the default too.
    spec = (
        "orchestration: Req_Default\ninputs:\n  region: {type: Text, required: true, "
        "default: EMEA}\nsteps:\n  - name: Only\n    apex: OnlyStep\n"
        "    inputs: {region: $input.region}\n"
    )
    assert _document(spec)["inputs"] == [
        {"name": "region", "type": "Text", "required": False, "default": "EMEA"}
    ]
