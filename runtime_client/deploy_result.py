"""Typed results of a Metadata API deploy, read from ``checkDeployStatus``'s ``DeployResult``.

Element names follow the Metadata API Developer Guide (``DeployResult``, ``DeployDetails``,
``RunTestsResult``); a missing element reads as empty/zero, because Salesforce omits the
ones that do not apply (no ``runTestResult`` when no tests ran).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any
from xml.etree.ElementTree import Element, SubElement, fromstring, tostring

from stepforce.runtime_client.junit import JUnitCase
from stepforce.runtime_client.junit import junit_xml as write_junit

MD_NS = "http://soap.sforce.com/2006/04/metadata"
_NS = {"md": MD_NS}
FINISHED_STATUSES = frozenset({"Succeeded", "SucceededPartial", "Failed", "Canceled"})


@dataclass(frozen=True)
class ComponentFailure:
    """A component the org rejected; ``source`` is the source-format file when known."""

    file_name: str
    component_type: str
    full_name: str
    problem: str
    problem_type: str
    line: int = 0
    column: int = 0
    source: str = ""

    def location(self) -> str:
        where = self.source or self.file_name or self.full_name
        return f"{where}:{self.line}" if self.line else where

    def __str__(self) -> str:
        return f"{self.location()}: {self.problem}"

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.source or self.file_name,
            "metadataFile": self.file_name,
            "line": self.line,
            "column": self.column,
            "type": self.component_type,
            "fullName": self.full_name,
            "problemType": self.problem_type,
            "problem": self.problem,
        }


@dataclass(frozen=True)
class TestOutcome:
    """One Apex test method's result; ``message``/``stack_trace`` are empty when it passed."""

    class_name: str
    method: str
    time_ms: Decimal = Decimal(0)
    passed: bool = True
    message: str = ""
    stack_trace: str = ""

    def __str__(self) -> str:
        return f"{self.class_name}.{self.method}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {
            "class": self.class_name,
            "method": self.method,
            "passed": self.passed,
            "timeMs": self.time_ms,
            "message": self.message,
            "stackTrace": self.stack_trace,
        }


@dataclass(frozen=True)
class CoverageWarning:
    name: str
    message: str

    def __str__(self) -> str:
        return f"{self.name}: {self.message}" if self.name else self.message


@dataclass(frozen=True)
class ClassCoverage:
    name: str
    locations: int
    not_covered: int


@dataclass(frozen=True)
class DeployResult:
    """A snapshot of one deploy: progress counters while it runs, details once it is done."""

    id: str
    done: bool
    status: str
    success: bool = False
    check_only: bool = False
    state_detail: str = ""
    error_message: str = ""
    error_status_code: str = ""
    components_total: int = 0
    components_deployed: int = 0
    component_errors: int = 0
    tests_total: int = 0
    tests_completed: int = 0
    test_errors: int = 0
    component_failures: tuple[ComponentFailure, ...] = ()
    tests: tuple[TestOutcome, ...] = ()
    coverage: tuple[ClassCoverage, ...] = ()
    coverage_warnings: tuple[CoverageWarning, ...] = field(default=())
    tests_run: int = 0  # runTestResult.numTestsRun
    tests_failed: int = 0  # runTestResult.numFailures

    @property
    def test_classes(self) -> tuple[str, ...]:
        return tuple(sorted({t.class_name for t in self.tests}))

    def tests_summary(self, level: str | None) -> dict[str, Any]:
        """Which tests ran: the test level, the counts ``runTestResult`` gives, the classes."""
        return {
            "level": level or "",
            "run": self.tests_run or len(self.tests),
            "failures": self.tests_failed or len(self.test_failures),
            "classes": list(self.test_classes),
        }

    def tests_line(self, level: str | None) -> str:
        summary = self.tests_summary(level)
        where = f"test level {summary['level']}: " if summary["level"] else ""
        if not summary["run"]:
            return f"tests: {where}no Apex test ran"
        classes = ", ".join(summary["classes"])
        return (
            f"tests: {where}{summary['run']} run, {summary['failures']} failure(s) "
            f"in {len(summary['classes'])} class(es): {classes}"
        )

    @property
    def test_failures(self) -> tuple[TestOutcome, ...]:
        return tuple(t for t in self.tests if not t.passed)

    @property
    def tests_ran(self) -> bool:
        return bool(self.tests)

    def coverage_percent(self) -> Decimal | None:
        """Lines covered over lines to cover, across the classes the tests measured."""
        total = sum(c.locations for c in self.coverage)
        if not total:
            return None
        covered = total - sum(c.not_covered for c in self.coverage)
        return (Decimal(100) * covered / total).quantize(Decimal("0.1"))

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "done": self.done,
            "status": self.status,
            "success": self.success,
            "checkOnly": self.check_only,
            "stateDetail": self.state_detail,
            "errorMessage": self.error_message,
            "components": {
                "total": self.components_total,
                "deployed": self.components_deployed,
                "errors": self.component_errors,
            },
            "tests": {
                "total": self.tests_total,
                "completed": self.tests_completed,
                "errors": self.test_errors,
            },
            "componentFailures": [f.to_json() for f in self.component_failures],
            "testFailures": [t.to_json() for t in self.test_failures],
            "coveragePercent": self.coverage_percent(),
            "coverageWarnings": [str(w) for w in self.coverage_warnings],
        }


_SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"


def check_deploy_status_request(session_id: str, deploy_id: str) -> bytes:
    """The SOAP body of ``checkDeployStatus`` with ``includeDetails=true`` (Metadata API),
    built as XML so no value can break out of its element."""
    envelope = Element(f"{{{_SOAP_NS}}}Envelope")
    header = SubElement(envelope, f"{{{_SOAP_NS}}}Header")
    options = SubElement(header, f"{{{MD_NS}}}CallOptions")
    SubElement(options, f"{{{MD_NS}}}client").text = "stepforce"
    session = SubElement(header, f"{{{MD_NS}}}SessionHeader")
    SubElement(session, f"{{{MD_NS}}}sessionId").text = session_id
    call = SubElement(SubElement(envelope, f"{{{_SOAP_NS}}}Body"), f"{{{MD_NS}}}checkDeployStatus")
    SubElement(call, f"{{{MD_NS}}}asyncProcessId").text = deploy_id
    SubElement(call, f"{{{MD_NS}}}includeDetails").text = "true"
    body = tostring(envelope, encoding="utf-8", xml_declaration=True)
    assert isinstance(body, bytes)
    return body


def deploy_result_element(response: bytes) -> Element | None:
    """The ``result`` element of a ``checkDeployStatusResponse`` envelope, if there is one."""
    # The answer of the org over TLS; expat fetches no external entity and limits expansion.
    root = fromstring(response)  # noqa: S314
    return root.find(f"{{{_SOAP_NS}}}Body/{{{MD_NS}}}checkDeployStatusResponse/{{{MD_NS}}}result")


def parse_deploy_result(result: Element) -> DeployResult:
    """Read a ``DeployResult`` element (the ``result`` of ``checkDeployStatusResponse``)."""
    details = result.find("md:details", _NS)
    tests_root = details.find("md:runTestResult", _NS) if details is not None else None
    return DeployResult(
        id=_text(result, "id"),
        done=_bool(result, "done"),
        status=_text(result, "status") or "Pending",
        success=_bool(result, "success"),
        check_only=_bool(result, "checkOnly"),
        state_detail=_text(result, "stateDetail"),
        error_message=_text(result, "errorMessage"),
        error_status_code=_text(result, "errorStatusCode"),
        components_total=_int(result, "numberComponentsTotal"),
        components_deployed=_int(result, "numberComponentsDeployed"),
        component_errors=_int(result, "numberComponentErrors"),
        tests_total=_int(result, "numberTestsTotal"),
        tests_completed=_int(result, "numberTestsCompleted"),
        test_errors=_int(result, "numberTestErrors"),
        component_failures=tuple(_component_failure(e) for e in _all(details, "componentFailures")),
        tests=tuple(_tests(tests_root)),
        coverage=tuple(_coverage(e) for e in _all(tests_root, "codeCoverage")),
        coverage_warnings=tuple(
            CoverageWarning(_text(e, "name"), _text(e, "message"))
            for e in _all(tests_root, "codeCoverageWarnings")
        ),
        tests_run=_int(tests_root, "numTestsRun") if tests_root is not None else 0,
        tests_failed=_int(tests_root, "numFailures") if tests_root is not None else 0,
    )


def with_sources(
    result: DeployResult,
    component_map: Mapping[str, str],
    member_map: Mapping[tuple[str, str], str],
    project_dir: str = ".",
) -> DeployResult:
    """Point each component failure at the source-format file the user edits.

    Files copied as they are (``classes/X.cls``) keep their line numbers. Object files are
    composed from many source files, so a failure there points at the member's own file
    (``objects/O__c/fields/F__c.field-meta.xml``) and its line, which counted lines of the
    composed file, is dropped. Paths are given from ``project_dir`` so they open from where
    the user stands.
    """
    prefix = "" if project_dir in {"", "."} else project_dir.rstrip("/") + "/"
    mapped = []
    for failure in result.component_failures:
        zip_path = failure.file_name.removeprefix("unpackaged/")
        member_source = member_map.get((failure.component_type, failure.full_name))
        if zip_path.startswith("objects/"):
            source = member_source or component_map.get(zip_path, "")
            mapped.append(replace(failure, source=_join(prefix, source), line=0, column=0))
        else:
            source = component_map.get(zip_path) or member_source or ""
            mapped.append(replace(failure, source=_join(prefix, source)))
    return replace(result, component_failures=tuple(mapped))


def _join(prefix: str, source: str) -> str:
    return prefix + source if source else ""


def _component_failure(element: Element) -> ComponentFailure:
    return ComponentFailure(
        file_name=_text(element, "fileName"),
        component_type=_text(element, "componentType"),
        full_name=_text(element, "fullName"),
        problem=_text(element, "problem"),
        problem_type=_text(element, "problemType"),
        line=_int(element, "lineNumber"),
        column=_int(element, "columnNumber"),
    )


def _tests(root: Element | None) -> Iterable[TestOutcome]:
    for element in _all(root, "successes"):
        yield TestOutcome(_text(element, "name"), _text(element, "methodName"), _ms(element))
    for element in _all(root, "failures"):
        yield TestOutcome(
            class_name=_text(element, "name"),
            method=_text(element, "methodName"),
            time_ms=_ms(element),
            passed=False,
            message=_text(element, "message"),
            stack_trace=_text(element, "stackTrace"),
        )


def _coverage(element: Element) -> ClassCoverage:
    return ClassCoverage(
        name=_text(element, "name"),
        locations=_int(element, "numLocations"),
        not_covered=_int(element, "numLocationsNotCovered"),
    )


def _all(parent: Element | None, name: str) -> list[Element]:
    return [] if parent is None else parent.findall(f"md:{name}", _NS)


def _text(parent: Element, name: str) -> str:
    return (parent.findtext(f"md:{name}", "", _NS) or "").strip()


def _int(parent: Element, name: str) -> int:
    try:
        return int(_text(parent, name) or 0)
    except ValueError:
        return 0


def _ms(parent: Element) -> Decimal:
    try:
        return Decimal(_text(parent, "time") or 0)
    except ArithmeticError:
        return Decimal(0)


def _bool(parent: Element, name: str) -> bool:
    return _text(parent, name).lower() == "true"


def junit_xml(result: DeployResult) -> bytes:
    """The deploy's Apex test results as JUnit XML, one ``testsuite`` per test class."""
    cases = [
        JUnitCase(
            t.class_name,
            t.method,
            t.time_ms,
            not t.passed,
            "Pass" if t.passed else "Fail",
            t.message,
            t.stack_trace,
        )
        for t in result.tests
    ]
    return write_junit(f"stepforce deploy {result.id}", cases)
