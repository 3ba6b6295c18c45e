"""Apex test results as JUnit XML, one writer for ``deploy --junit`` and ``test --junit``.

One ``testsuite`` per test class, a ``failure`` per failed method (its stack trace as text), a
``skipped`` per skipped method, and an ``error`` case for a class that could not run at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from lxml import etree


@dataclass(frozen=True)
class JUnitCase:
    """One test method's outcome as JUnit sees it."""

    class_name: str
    method: str
    time_ms: Decimal
    failed: bool
    outcome: str  # Salesforce's word for it: Pass, Fail, CompileFail, Skip ...
    message: str = ""
    stack_trace: str = ""

    @property
    def skipped(self) -> bool:
        return self.outcome == "Skip"


@dataclass(frozen=True)
class JUnitClassError:
    """A test class that did not run at all (e.g. it failed to compile in the org)."""

    class_name: str
    status: str
    message: str = ""


def junit_xml(
    title: str, cases: Iterable[JUnitCase], class_errors: Iterable[JUnitClassError] = ()
) -> bytes:
    """The JUnit XML document named ``title``, classes and methods in name order."""
    root = etree.Element("testsuites", name=title)
    by_class: dict[str, list[JUnitCase]] = {}
    for case in cases:
        by_class.setdefault(case.class_name, []).append(case)
    not_run = {item.class_name: item for item in class_errors}
    for class_name in sorted(set(by_class) | set(not_run)):
        tests = sorted(by_class.get(class_name, []), key=lambda t: t.method)
        suite = etree.SubElement(
            root,
            "testsuite",
            name=class_name,
            tests=str(len(tests) + (class_name in not_run)),
            failures=str(sum(1 for t in tests if t.failed)),
            errors=str(int(class_name in not_run)),
            skipped=str(sum(1 for t in tests if t.skipped)),
            time=_seconds(sum((t.time_ms for t in tests), Decimal(0))),
        )
        for test in tests:
            element = etree.SubElement(
                suite,
                "testcase",
                classname=class_name,
                name=test.method,
                time=_seconds(test.time_ms),
            )
            if test.failed:
                failure = etree.SubElement(
                    element, "failure", message=test.message, type=test.outcome
                )
                failure.text = test.stack_trace or test.message
            elif test.skipped:
                etree.SubElement(element, "skipped")
        if class_name in not_run:
            item = not_run[class_name]
            element = etree.SubElement(suite, "testcase", classname=class_name, name="(class)")
            error = etree.SubElement(element, "error", message=item.message, type=item.status)
            error.text = item.message or item.status
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _seconds(milliseconds: Decimal) -> str:
    return str((milliseconds / 1000).quantize(Decimal("0.001")))
