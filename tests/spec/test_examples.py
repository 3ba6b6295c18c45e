"""The examples' specs agree with the Flow and Apex sources they name."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from stepforce.generator.spec import load_spec
from stepforce.generator.spec.model import Scalar, StepKind, ValueType
from tests.conftest import EXAMPLES

SOURCES = EXAMPLES / "force-app" / "main" / "default"
NS = {"md": "http://soap.sforce.com/2006/04/metadata"}
FLOW_TYPES = {
    Scalar.TEXT: "String",
    Scalar.ID: "String",
    Scalar.NUMBER: "Number",
    Scalar.BOOLEAN: "Boolean",
    Scalar.DATE: "Date",
    Scalar.DATETIME: "DateTime",
}
SPECS = sorted(EXAMPLES.glob("*.yaml"))


def _flow_variables(name: str) -> dict[str, tuple[str, bool, bool, bool]]:
    tree = etree.parse(str(SOURCES / "flows" / f"{name}.flow-meta.xml"))
    assert tree.findtext("md:processType", namespaces=NS) == "AutoLaunchedFlow"
    found = {}
    for var in tree.iterfind("md:variables", NS):
        found[var.findtext("md:name", namespaces=NS) or ""] = (
            var.findtext("md:dataType", namespaces=NS) or "",
            var.findtext("md:isCollection", namespaces=NS) == "true",
            var.findtext("md:isInput", namespaces=NS) == "true",
            var.findtext("md:isOutput", namespaces=NS) == "true",
        )
    return found


def _flow_type(value_type: ValueType) -> tuple[str, bool]:
    return FLOW_TYPES[value_type.scalar], value_type.is_list


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
def test_flow_variables_match_the_spec(path: Path) -> None:
    for step in load_spec(path).steps:
        if step.kind is not StepKind.FLOW:
            continue
        variables = _flow_variables(step.target)
        for binding in step.inputs:
            assert binding.effective_type is not None
            data_type, is_list, is_input, _ = variables[binding.target]
            assert is_input, f"{step.target}.{binding.target} is not available for input"
            assert (data_type, is_list) == _flow_type(binding.effective_type), binding.target
        for output in step.outputs:
            data_type, is_list, _, is_output = variables[output.name]
            assert is_output, f"{step.target}.{output.name} is not available for output"
            assert (data_type, is_list) == _flow_type(output.type), output.name


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
def test_apex_step_classes_exist_with_tests(path: Path) -> None:
    for step in load_spec(path).steps:
        if step.kind is not StepKind.APEX:
            continue
        source = (SOURCES / "classes" / f"{step.target}.cls").read_text()
        assert f"with sharing class {step.target} implements StepforceStep" in source
        for binding in step.inputs:
            assert f"'{binding.target}'" in source, f"{step.target} never reads {binding.target}"
        for output in step.outputs:
            assert f"'{output.name}' =>" in source, f"{step.target} never returns {output.name}"
        assert (SOURCES / "classes" / f"{step.target}_Tests.cls").exists()
        meta = (SOURCES / "classes" / f"{step.target}.cls-meta.xml").read_text()
        assert "<apiVersion>62.0</apiVersion>" in meta
