"""Run Apex tests in an org through the Tooling API and read back typed results.

Shapes (Tooling API Developer Guide):
- "Run Unit Tests Asynchronously": ``POST /services/data/vXX.X/tooling/runTestsAsynchronous/``
  with ``{"tests": [{"className": ..., "testMethods": [...]}], "testLevel":
  "RunSpecifiedTests"}`` (``testMethods`` optional: without it the whole class runs); the answer
  is the AsyncApexJob id of the run, a JSON string.
- "ApexTestQueueItem": one row per class of the run (``ParentJobId`` = that job); ``Status`` is
  Holding, Queued, Preparing, Processing, Aborted, Completed or Failed; ``ExtendedStatus``
  holds e.g. "(4/6)" or why the class could not run.
- "ApexTestResult": one row per test method (``AsyncApexJobId``): ``Outcome`` Pass, Fail,
  CompileFail or Skip, ``MethodName``, ``Message``, ``StackTrace``, ``RunTime`` (ms).
- "ApexCodeCoverageAggregate": per class or trigger, ``NumLinesCovered`` and
  ``NumLinesUncovered``, aggregated over every test run in the org so far (not only this one).

All reads go through the tooling ``query`` endpoint (one call each, plus one per further page
of 2,000 rows); polling waits grow (``deploy.Poller``), so a 10-minute run costs ~45 calls.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from simple_salesforce.format import format_soql

from stepforce.apex_text import IDENTIFIER
from stepforce.errors import FailureError, OrgError, StillRunningError, UsageError
from stepforce.runtime_client.deploy import Poller
from stepforce.runtime_client.http import Transport
from stepforce.runtime_client.junit import JUnitCase, JUnitClassError
from stepforce.runtime_client.junit import junit_xml as write_junit
from stepforce.runtime_client.network import UnreachableError

FINISHED = frozenset({"Completed", "Failed", "Aborted"})
FAILED_OUTCOMES = frozenset({"Fail", "CompileFail"})
_JOB_ID = re.compile(r"707[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?")
_TEST_CLASS = r"@istest\b(?:\s*\([^)]*\))?[^;{}]*?\bclass\s+{name}\b"


@dataclass(frozen=True)
class TestSelection:
    """One class to run, all its methods or only ``methods``."""

    class_name: str
    methods: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"className": self.class_name}
        if self.methods:
            entry["testMethods"] = list(self.methods)
        return entry


def _identifier(name: str, what: str) -> str:
    if not IDENTIFIER.fullmatch(name):
        raise UsageError(f"{what} {name!r} is not an Apex class or method name")
    return name


def select_tests(tests: Iterable[str], class_names: Iterable[str]) -> list[TestSelection]:
    """``Class`` or ``Class.method`` names (``--tests``) and class names, merged per class."""
    whole: set[str] = set()
    methods: dict[str, list[str]] = {}
    for name in class_names:
        whole.add(_identifier(name, "--class-names:"))
    for name in tests:
        class_name, _, method = name.partition(".")
        _identifier(class_name, "--tests:")
        if method:
            methods.setdefault(class_name, []).append(_identifier(method, "--tests:"))
        else:
            whole.add(class_name)
    ordered = sorted(whole | set(methods))
    return [
        TestSelection(name, () if name in whole else tuple(dict.fromkeys(methods[name])))
        for name in ordered
    ]


def find_classes(directories: Sequence[Path]) -> tuple[list[str], list[str]]:
    """The project's Apex classes under ``directories``: (test classes, other classes).

    A test class is a ``.cls`` whose own declaration is annotated ``@IsTest``.
    """
    tests: list[str] = []
    others: list[str] = []
    for directory in directories:
        for path in sorted(directory.rglob("*.cls")):
            name = path.stem
            text = path.read_text(encoding="utf-8")
            source = re.sub(r"/\*.*?\*/|//[^\n]*", " ", text, flags=re.DOTALL)
            pattern = _TEST_CLASS.replace("{name}", re.escape(name))
            (tests if re.search(pattern, source, re.IGNORECASE) else others).append(name)
    return sorted(set(tests)), sorted(set(others))


@dataclass(frozen=True)
class ClassStatus:
    """An ApexTestQueueItem: how far one class of the run is."""

    class_name: str
    status: str
    extended_status: str = ""


@dataclass(frozen=True)
class MethodOutcome:
    """An ApexTestResult: one test method's outcome."""

    class_name: str
    method: str
    outcome: str
    message: str = ""
    stack_trace: str = ""
    run_time_ms: int = 0

    @property
    def failed(self) -> bool:
        return self.outcome in FAILED_OUTCOMES

    def to_json(self) -> dict[str, Any]:
        return {
            "class": self.class_name,
            "method": self.method,
            "outcome": self.outcome,
            "message": self.message,
            "stackTrace": self.stack_trace,
            "runTimeMs": self.run_time_ms,
        }


@dataclass(frozen=True)
class Coverage:
    """ApexCodeCoverageAggregate of one class or trigger."""

    name: str
    covered: int
    uncovered: int

    @property
    def percent(self) -> Decimal | None:
        total = self.covered + self.uncovered
        if not total:
            return None
        return (Decimal(100) * self.covered / total).quantize(Decimal("0.1"))

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "linesCovered": self.covered,
            "linesUncovered": self.uncovered,
            "percent": self.percent,
        }


@dataclass(frozen=True)
class TestRun:
    """A finished test run: every class's status, every method's outcome, coverage."""

    job_id: str
    classes: tuple[ClassStatus, ...]
    tests: tuple[MethodOutcome, ...]
    coverage: tuple[Coverage, ...] = ()

    @property
    def failures(self) -> tuple[MethodOutcome, ...]:
        return tuple(test for test in self.tests if test.failed)

    @property
    def classes_not_run(self) -> tuple[ClassStatus, ...]:
        """Classes whose run failed or was aborted as a whole (e.g. they do not compile)."""
        return tuple(item for item in self.classes if item.status in ("Failed", "Aborted"))

    @property
    def ok(self) -> bool:
        return not self.failures and not self.classes_not_run

    def count(self, outcome: str) -> int:
        return sum(1 for test in self.tests if test.outcome == outcome)

    def coverage_percent(self) -> Decimal | None:
        covered = sum(c.covered for c in self.coverage)
        total = covered + sum(c.uncovered for c in self.coverage)
        return (Decimal(100) * covered / total).quantize(Decimal("0.1")) if total else None

    def to_json(self) -> dict[str, Any]:
        return {
            "jobId": self.job_id,
            "success": self.ok,
            "summary": {
                "tests": len(self.tests),
                "passed": self.count("Pass"),
                "failed": len(self.failures),
                "skipped": self.count("Skip"),
                "classesNotRun": len(self.classes_not_run),
                "coveragePercent": self.coverage_percent(),
            },
            "classes": [
                {"class": c.class_name, "status": c.status, "extendedStatus": c.extended_status}
                for c in self.classes
            ],
            "tests": [test.to_json() for test in self.tests],
            "coverage": [c.to_json() for c in self.coverage],
        }


class TestsStillRunning(StillRunningError):
    """The wait ran out; the tests go on in the org and can be collected later."""

    def __init__(self, job_id: str, classes: Sequence[ClassStatus], minutes: float) -> None:
        self.job_id = job_id
        done = sum(1 for item in classes if item.status in FINISHED)
        super().__init__(
            f"Apex tests {job_id} still running after {minutes:g} minute(s) ({done} of "
            f"{len(classes)} classes done); they go on in the org: collect the results with "
            f"`stepforce test --job-id {job_id}`"
        )


class TestsFailedError(FailureError):
    """At least one test failed or a class could not run."""


def check_job_id(job_id: str) -> str:
    if not _JOB_ID.fullmatch(job_id):
        raise UsageError(f"{job_id!r} is not a test run id (an AsyncApexJob id: 707...)")
    return job_id


def _name(record: dict[str, Any], relation: str) -> str:
    related = record.get(relation)
    return str(related.get("Name") or "") if isinstance(related, dict) else ""


class ApexTestRunner:
    """Starts a test run and follows it, through one org's Transport."""

    def __init__(self, transport: Transport, poller: Poller | None = None) -> None:
        self.transport = transport
        self.poller = poller or Poller()

    @property
    def _tooling(self) -> str:
        return self.transport.data_url + "tooling/"

    def start(self, selection: Sequence[TestSelection]) -> str:
        """Queue the tests (one call, not repeated: a repeat would queue a second run)."""
        if not selection:
            raise UsageError("no Apex tests to run")
        body = {"tests": [s.to_json() for s in selection], "testLevel": "RunSpecifiedTests"}
        url = self._tooling + "runTestsAsynchronous/"
        answer = self.transport.request("POST", url, json=body, idempotent=False).body
        job_id = answer if isinstance(answer, str) else None
        if not job_id or not _JOB_ID.fullmatch(job_id.strip()):
            raise OrgError(f"runTestsAsynchronous answered no job id: {str(answer)[:200]}")
        return job_id.strip()

    def query(self, soql: str) -> list[dict[str, Any]]:
        """Every record of a tooling SOQL query (``Transport.query``: all pages)."""
        return self.transport.query(soql, tooling=True)

    def class_statuses(self, job_id: str) -> list[ClassStatus]:
        soql = format_soql(
            "SELECT ApexClass.Name, Status, ExtendedStatus FROM ApexTestQueueItem "
            "WHERE ParentJobId = {} ORDER BY ApexClass.Name",
            check_job_id(job_id),
        )
        return [
            ClassStatus(_name(r, "ApexClass"), str(r.get("Status")), r.get("ExtendedStatus") or "")
            for r in self.query(soql)
        ]

    def outcomes(self, job_id: str) -> list[MethodOutcome]:
        soql = format_soql(
            "SELECT ApexClass.Name, MethodName, Outcome, Message, StackTrace, RunTime "
            "FROM ApexTestResult WHERE AsyncApexJobId = {} ORDER BY ApexClass.Name, MethodName",
            check_job_id(job_id),
        )
        return [
            MethodOutcome(
                _name(r, "ApexClass"),
                str(r.get("MethodName") or ""),
                str(r.get("Outcome") or ""),
                r.get("Message") or "",
                r.get("StackTrace") or "",
                int(r.get("RunTime") or 0),
            )
            for r in self.query(soql)
        ]

    def coverage(self, class_names: Sequence[str]) -> list[Coverage]:
        if not class_names:
            return []
        soql = format_soql(
            "SELECT ApexClassOrTrigger.Name, NumLinesCovered, NumLinesUncovered "
            "FROM ApexCodeCoverageAggregate WHERE ApexClassOrTrigger.Name IN {} "
            "ORDER BY ApexClassOrTrigger.Name",
            list(class_names),
        )
        return [
            Coverage(
                _name(r, "ApexClassOrTrigger"),
                int(r.get("NumLinesCovered") or 0),
                int(r.get("NumLinesUncovered") or 0),
            )
            for r in self.query(soql)
        ]

    def wait(
        self,
        job_id: str,
        *,
        wait_minutes: float,
        on_progress: Callable[[list[ClassStatus]], None] = lambda _classes: None,
    ) -> list[ClassStatus]:
        """Poll the queue items until every class is finished; TestsStillRunning at the end
        of ``wait_minutes``."""
        deadline = self.poller.clock() + wait_minutes * 60
        waits = self.poller.waits()
        while True:
            try:
                classes = self.class_statuses(job_id)
            except UnreachableError as error:
                raise UnreachableError(
                    f"{error} Apex test run {job_id} goes on in the org: collect it with "
                    f"`stepforce test --job-id {job_id}`",
                    error.failure,
                    url=error.url,
                ) from None
            on_progress(classes)
            if classes and all(item.status in FINISHED for item in classes):
                return classes
            remaining = deadline - self.poller.clock()
            if remaining <= 0:
                raise TestsStillRunning(job_id, classes, wait_minutes)
            self.poller.sleep(min(next(waits), remaining))

    def collect(
        self, job_id: str, classes: Sequence[ClassStatus], coverage_of: Sequence[str]
    ) -> TestRun:
        """The finished run's outcomes and the coverage of ``coverage_of`` (two calls)."""
        return TestRun(
            job_id, tuple(classes), tuple(self.outcomes(job_id)), tuple(self.coverage(coverage_of))
        )


def junit_xml(run: TestRun) -> bytes:
    """The run as JUnit XML: one ``testsuite`` per class, a ``failure`` per failed method and
    an ``error`` case for a class that could not run at all."""
    cases = [
        JUnitCase(
            t.class_name,
            t.method,
            Decimal(t.run_time_ms),
            t.failed,
            t.outcome,
            t.message,
            t.stack_trace,
        )
        for t in run.tests
    ]
    errors = [
        JUnitClassError(item.class_name, item.status, item.extended_status)
        for item in run.classes_not_run
    ]
    return write_junit(f"stepforce test {run.job_id}", cases, errors)
