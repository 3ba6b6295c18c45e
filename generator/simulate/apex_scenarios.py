"""Scenario files as Apex tests: the real engine must produce the simulator's trace.

Each scenario becomes ``SfScn_<file stem>_Tests``: it scripts the fixture results on the
runtime's ``StepforceTestSupport`` executor and, as a user holding the Stepforce_Admin
permission set (``StepforceEntryTestSupport.admin()``), starts the run and lets
``SfScn_Driver`` run every job and finalizer hop by hop while applying the scenario's
controls; then it asserts every Step Run (step, iteration, attempt, status, inputs, outputs,
error), the run's status, current step, error and context, and the retry delays -- all taken
from the simulator's trace of the same scenario, which pytest has already compared with the
scenario's expectations.

Every value from a scenario reaches Apex through :func:`apex_string` or as a number/date
constructor built here, never as raw text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from stepforce.errors import SpecError, UsageError
from stepforce.generator.apex_format import format_apex
from stepforce.generator.apex_text import IDENTIFIER, Apex, apex_string
from stepforce.generator.literals import epoch_millis
from stepforce.generator.plan_document import plan_resources
from stepforce.generator.project import DEFAULT_API_VERSION, apex_class_meta
from stepforce.generator.simulate.apex_driver import DRIVER_CLASS, DRIVER_CLASS_NAME
from stepforce.generator.simulate.apex_strings import (
    ERROR_LIMIT,
    LONG_TEXT_LIMIT,
    SHOWN_LIMIT,
    apex_length,
    uncatchable_text,
)
from stepforce.generator.simulate.controls import Action, Control, InputsRejectedError
from stepforce.generator.simulate.fixtures import RECORDER_DELAYS, OutcomeKind
from stepforce.generator.simulate.scenarios import Scenario
from stepforce.generator.simulate.trace import STARTER, AttemptEvent, Trace
from stepforce.generator.simulate.yamlsrc import problem

CLASS_PREFIX = "SfScn_"
#: A run of more than 80 equal characters is written as 'x'.repeat(n) (size-rule scenarios).
_RUN = re.compile(r"(.)\1{80,}", re.DOTALL)
MAX_CLASS_NAME = 40


def test_class_name(scenario: Scenario) -> str:
    name = f"{CLASS_PREFIX}{scenario.name}_Tests"
    if not IDENTIFIER.match(name) or len(name) > MAX_CLASS_NAME:
        raise problem(
            scenario.location,
            f"scenario file name '{scenario.name}' cannot name an Apex class ({name}): use "
            f"letters, digits and single underscores, at most "
            f"{MAX_CLASS_NAME - len(CLASS_PREFIX) - len('_Tests')} characters",
        )
    return name


def apex_value(value: Any) -> Apex:
    """A fixture value as the Apex object a Flow or Apex step would hand back."""
    if value is None:
        return Apex("null")
    if isinstance(value, bool):
        return Apex("true" if value else "false")
    if isinstance(value, int | Decimal):
        return Apex(f"Decimal.valueOf({apex_string(format(Decimal(value), 'f'))})")
    if isinstance(value, dt.datetime):
        return Apex(f"Datetime.newInstance({epoch_millis(value)}L)")
    if isinstance(value, dt.date):
        return Apex(f"Date.newInstance({value.year}, {value.month}, {value.day})")
    if isinstance(value, str):
        return text_literal(value)
    if isinstance(value, list | tuple):
        return Apex("new List<Object>{ " + ", ".join(apex_value(v) for v in value) + " }")
    if isinstance(value, Mapping):
        return apex_map(value)
    raise UsageError(f"a {type(value).__name__} value cannot be written as Apex")


def apex_map(values: Mapping[str, Any]) -> Apex:
    if not values:
        return Apex("new Map<String, Object>()")
    pairs = ", ".join(f"{apex_string(str(k))} => {apex_value(v)}" for k, v in values.items())
    return Apex("new Map<String, Object>{ " + pairs + " }")


def json_text(value: Any) -> str:
    """JSON of a trace value (Decimal as a plain number), for the Apex-side comparison."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return format(Decimal(value), "f")
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return '"' + "".join(c if ord(c) >= 0x20 else f"\\u{ord(c):04x}" for c in escaped) + '"'
    if isinstance(value, list | tuple):
        return "[" + ",".join(json_text(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{json_text(str(k))}:{json_text(v)}" for k, v in value.items()) + "}"
    raise UsageError(f"a {type(value).__name__} value is not JSON")


#: A coercion message: everything up to the offending value's kind, the kind, the value shown.
_COERCION = re.compile(r"^(.*?: expected [\w<>]+, got (\w+)) (.*)$", re.DOTALL)
#: Kinds whose String.valueOf rendering the org does not document (element formats vary).
_UNKNOWN_RENDERING = {"List", "Map"}


def error_is_exact(error: str | None) -> bool:
    """Whether the org's whole text of ``error`` is known: every error but a coercion error
    showing a List, a Map or an exponent-form Number, or one whose text was cut inside a
    surrogate pair (the org keeps half a character there; see apex_strings.apex_left)."""
    if error is None:
        return True
    if error.endswith("...") and apex_length(error[:-3]) == ERROR_LIMIT - 4:
        return False
    match = _COERCION.match(error)
    if match is None:
        return True
    shown = match.group(3)
    if shown.endswith("...") and apex_length(shown[:-3]) == SHOWN_LIMIT - 4:
        return False
    if match.group(2) == "Number" and "E" in shown:
        return False  # exponent form: emitted as plain digits (see apex_value)
    return match.group(2) not in _UNKNOWN_RENDERING


def comparable_error(error: str | None) -> tuple[Apex, Apex]:
    """The error as an Apex literal (or null) and whether it is compared whole (``true``) or
    as a substring up to the value's kind (``false``)."""
    if error is None:
        return Apex("null"), Apex("true")
    if error_is_exact(error):
        return apex_string(error), Apex("true")
    match = _COERCION.match(error)
    assert match is not None or error.endswith("...")
    return apex_string(match.group(1) if match else error[:-3]), Apex("false")


def text_literal(text: str) -> Apex:
    """``text`` as an Apex String expression: a literal, with long runs of one character as
    ``'x'.repeat(n)`` so a value of 131,100 characters does not become a literal that long."""
    parts: list[str] = []
    start = 0
    for run in _RUN.finditer(text):
        if run.start() > start:
            parts.append(apex_string(text[start : run.start()]))
        parts.append(f"{apex_string(run.group(1))}.repeat({len(run.group())})")
        start = run.end()
    if start < len(text) or not parts:
        parts.append(apex_string(text[start:]))
    return Apex(" + ".join(parts))


def _nullable_json(value: Any) -> Apex:
    return Apex("null") if value is None else text_literal(json_text(value))


def _script_lines(scenario: Scenario) -> list[str]:
    lines = ["    StepforceTestSupport.script()"]
    for step in scenario.orchestration.steps:
        name = apex_string(step.name)
        for outcome in scenario.fixtures.steps.get(step.name, ()):
            if outcome.kind is OutcomeKind.OUTPUTS:
                lines.append(f"      .returns({name}, {apex_map(outcome.outputs)})")
            elif outcome.kind is OutcomeKind.ERROR:
                lines.append(f"      .fails({name}, {apex_string(outcome.error)})")
            else:
                text = uncatchable_text(outcome.error)  # what the org's finalizer records
                lines.append(f"      .failsUncatchably({name}, {apex_string(text)})")
    return [*lines[:-1], lines[-1] + ";"] if len(lines) > 1 else []


def _control_line(control: Control) -> str:
    step = "null" if control.step is None else apex_string(control.step)
    numbers = [str(n) if n is not None else "null" for n in (control.iteration, control.attempt)]
    if control.action is Action.RETRY:
        start = "null" if control.from_step is None else apex_string(control.from_step)
        if control.step is not None:  # while the cancelled attempt's job runs: a 409
            return (
                f"    driver.retryWhileRunning({step}, {', '.join(numbers)}, {start}, "
                f"{apex_map(control.inputs)});"
            )
        return f"    driver.retry({start}, {apex_map(control.inputs)});"
    moment = apex_string(control.moment.value)
    started = ".alreadyStarted()" if control.started else ""
    return (
        f"    driver.control({apex_string(control.action.value)}, {moment}, {step}, "
        f"{', '.join(numbers)}){started};"
    )


def _attempt_line(number: int, event: AttemptEvent) -> str:
    fields = [
        apex_string(event.step),
        str(event.iteration),
        str(event.attempt),
        apex_string(event.status.value),
        # Inputs the org cuts: the driver checks the cut (its length), not the JSON.
        Apex(str(LONG_TEXT_LIMIT)) if event.inputs_cut else _nullable_json(event.inputs),
        _nullable_json(event.outputs),
        *comparable_error(event.error),
    ]
    label = apex_string(f"step run {number} ({event.step})")
    return (
        f"    SfScn_Driver.assertStepRun(stepRuns[{number - 1}], "
        f"new List<Object>{{ {', '.join(fields)} }}, {label});"
    )


def _run_assertions(trace: Trace) -> list[str]:
    attempts = trace.attempts
    lines = [
        "    List<Stepforce_Step_Run__c> stepRuns = StepforceTestSupport.stepRuns(driver.runId);",
        f"    Assert.areEqual({len(attempts)}, stepRuns.size(), "
        f"'the engine should record {len(attempts)} step attempts, as the simulator did');",
    ]
    lines += [_attempt_line(n, event) for n, event in enumerate(attempts, start=1)]
    delays = ", ".join(str(d) for d in trace.delays)
    error, exact = comparable_error(trace.error)
    lines += [
        "    Stepforce_Run__c run = StepforceTestSupport.reload(driver.runId);",
        f"    Assert.areEqual({apex_string(trace.status.value)}, run.Status__c, 'run status');",
        f"    Assert.areEqual({apex_string(trace.current_step or '')}, run.Current_Step__c, "
        "'current step');",
        f"    SfScn_Driver.assertError({error}, {exact}, run.Error__c, 'run error');",
        f"    SfScn_Driver.assertSameJson({text_literal(json_text(trace.context))}, "
        "StepforceTestSupport.context(driver.runId).toJson(), 'run context');",
        f"    Assert.areEqual(new List<Integer>{{ {delays} }}, driver.nonZeroDelays(), "
        "'retry delays in minutes');",
        *_engine_action_lines(trace),
    ]
    return lines


def _engine_action_lines(trace: Trace) -> list[str]:
    """Who each Step Run ran as, the relays and the refused retries of the trace."""
    lines = [
        f"    Assert.areEqual(UserInfo.getUserId(), stepRuns[{number - 1}].Ran_As__c, "
        f"{apex_string(f'step run {number} should run as the user who started the run')});"
        for number, event in enumerate(trace.attempts, start=1)
        if event.ran_as == STARTER
    ]
    lines += [
        f"    Assert.areEqual({len(trace.relays)}, driver.relayBatches(), "
        "'relay batches: the chain reaches its depth cap of 5 every 4 jobs');",
        "    Assert.areEqual(0, driver.relayEvents(), "
        "'no relay by platform event, whose trigger runs as the Automated Process user');",
        f"    Assert.areEqual({len(trace.refusals)}, driver.refusals.size(), "
        "'retries refused while the cancelled job ran');",
        f"    Assert.areEqual(new List<Integer>{{ {', '.join(_recorder_delays(trace))} }}, "
        "driver.recorderDelays, 'recorder tries after failed bookkeeping, in minutes');",
    ]
    for number, refusal in enumerate(trace.refusals):
        shown = f"yet: the job of its step {refusal.step} is still running"
        lines.append(
            f"    SfScn_Driver.assertContains({apex_string(shown)}, driver.refusals[{number}], "
            f"{apex_string(f'refused retry {number + 1}')});"
        )
    return lines


def _recorder_delays(trace: Trace) -> list[str]:
    return [
        str(RECORDER_DELAYS[n]) for event in trace.attempts for n in range(event.bookkeeping_fails)
    ]


def _bookkeeping_lines(trace: Trace) -> list[str]:
    """Which jobs (numbered as the driver runs them: one per attempt) fail their bookkeeping."""
    return [
        f"    driver.failBookkeeping({number}, {event.bookkeeping_fails});"
        for number, event in enumerate(trace.attempts, start=1)
        if event.bookkeeping_fails
    ]


def _rejected_lines(message: str, exception: str) -> list[str]:
    return [
        "    try {",
        "      driver.start(inputs);",
        "      Assert.fail('the start should be refused');",
        f"    }} catch ({exception} e) {{",
        f"      SfScn_Driver.assertError({', '.join(comparable_error(message))}, "
        "e.getMessage(), 'the refusal');",
        "    }",
    ]


def _as_admin(lines: Sequence[str]) -> list[str]:
    """``lines`` run as a new Stepforce_Admin user: the driver starts and controls the run
    through StepforceService in user mode, which enforces the running user's object and field
    permissions -- those the permission set grants, not whatever the profile of the user who
    runs the tests holds."""
    return [
        "    User admin = StepforceEntryTestSupport.admin();",
        "    System.runAs(admin) {",
        *("  " + line for line in lines),
        "    }",
    ]


def render_scenario_test(scenario: Scenario) -> str:
    """The Apex test class of one scenario (SpecError when its simulation does not run)."""
    name = test_class_name(scenario)
    header = [
        "/**",
        f" * Scenario {scenario.name}: the Apex engine must produce the simulator's trace.",
        " * Generated by `stepforce simulate-scenarios --emit-apex-tests`; do not edit.",
        " */",
        "@IsTest",
        f"private with sharing class {name} {{",
        "  @IsTest",
        f"  static void it_should_match_the_simulated_trace_when_{scenario.name}() {{",
        f"    SfScn_Driver driver = new SfScn_Driver({apex_string(scenario.orchestration.name)}, "
        "StepforceTestSupport.install());",
        *_script_lines(scenario),
        *(_control_line(c) for c in scenario.controls),
        f"    Map<String, Object> inputs = {apex_map(scenario.fixtures.inputs)};",
    ]
    try:
        trace = scenario.run()
    except InputsRejectedError as error:
        body = _as_admin(_rejected_lines(error.diagnostics[0].message, error.apex_exception))
    else:
        # Read back as the same user: runs are Private and this test class is with sharing,
        # so the user who runs the tests might not see a run another user started.
        body = _as_admin(
            [
                *_bookkeeping_lines(trace),
                "    Test.startTest();",
                "    driver.start(inputs);",
                "    driver.run();",
                "    Test.stopTest();",
                *_run_assertions(trace),
            ]
        )
    return "\n".join([*header, *body, "  }", "}", ""])


def plan_documents(scenarios: Iterable[Scenario]) -> dict[str, bytes]:
    """``staticresources/`` file name -> content: the plan documents of the scenarios'
    orchestrations, which the runtime's interpreter runs (no plan is Apex)."""
    files: dict[str, bytes] = {}
    for scenario in scenarios:
        files.update(plan_resources(scenario.orchestration))
    return files


def render_apex_tests(scenarios: Sequence[Scenario]) -> dict[str, str]:
    """File name -> Apex source: the driver and one test class per scenario."""
    sources = {f"{DRIVER_CLASS_NAME}.cls": DRIVER_CLASS}
    for scenario in scenarios:
        file_name = f"{test_class_name(scenario)}.cls"
        if file_name in sources:
            raise SpecError([], f"two scenarios are both named {scenario.name}")
        sources[file_name] = render_scenario_test(scenario)
    return sources


def write_apex_tests(
    directory: Path,
    scenarios: Sequence[Scenario],
    *,
    include_plans: bool = False,
    api_version: str = DEFAULT_API_VERSION,
) -> list[Path]:
    """Write the classes (formatted with prettier-plugin-apex when it is installed) and their
    ``-meta.xml`` under ``directory/classes``, and with ``include_plans`` the scenarios' plan
    documents under ``directory/staticresources``; returns the paths written."""
    formatted, _ = format_apex(render_apex_tests(scenarios))
    classes = directory / "classes"
    classes.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for file_name, text in sorted(formatted.items()):
        path = classes / file_name
        path.write_text(text, encoding="utf-8")
        meta = classes / f"{file_name}-meta.xml"
        meta.write_bytes(apex_class_meta(api_version))
        written += [path, meta]
    if include_plans:
        resources = directory / "staticresources"
        resources.mkdir(parents=True, exist_ok=True)
        for file_name, content in sorted(plan_documents(scenarios).items()):
            (resources / file_name).write_bytes(content)
            written.append(resources / file_name)
    return written
