"""The doctor's probes: what each one proves, and its verdict from what the org showed.

Pure: a probe's ``judge`` reads the runs it drove (``Observed``) and returns the problems it
found (none: PASS) and the measured figure. Driving the runs through the REST API is
``runner.py``'s job, so the same judges also read runs the simulator predicts.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from stepforce.runtime_client.models import Run, StepRun, parse_time

ENGINE_DOC = "docs/engine.md, Platform assumptions"
PLANNED_FAILURE = "StepforceProbe planned failure"
ITERATIONS = 12
SPILL_CHARS = 140_000
FIELD_CHARS = 131_072
FLOW_EXPECTED: dict[str, Any] = {
    "textOut": "StepforceProbe ü ✓",
    "numberOut": Decimal("12.5"),
    "booleanOut": True,
    "dateOut": "2026-02-28",
    "dateTimeOut": dt.datetime(2026, 2, 28, 13, 45, tzinfo=dt.UTC),
    "textsOut": ["alpha", "beta"],
    "numbersOut": [Decimal(1), Decimal("2.25")],
}


@dataclass
class Observed:
    """What a probe saw: its runs by role, facts it measured, and the user who drove them."""

    user_id: str
    runs: dict[str, Run] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)


Judge = Callable[[Observed], tuple[list[str], str]]


@dataclass(frozen=True)
class Probe:
    name: str
    orchestration: str | None  # None: the probe starts no run
    assumption: str  # the docs/engine.md row it proves, in short
    expected_seconds: int  # org time, when the platform behaves as documented
    judge: Judge


def attempts(run: Run, step: str) -> list[StepRun]:
    """The Step Runs of ``step``, in (iteration, attempt) order."""
    found = [s for s in run.steps if s.step == step]
    return sorted(found, key=lambda s: (s.iteration, s.attempt))


def _succeeded(run: Run | None, role: str) -> list[str]:
    if run is None:
        return [f"no {role} run was observed"]
    if run.status != "Succeeded":
        return [f"run {run.id} ended {run.status}: {run.error or 'no error recorded'}"]
    return []


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def _fail_then_pass(run: Run, step: str, error_part: str) -> list[str]:
    """Attempt 1 failed with ``error_part`` in its error, attempt 2 succeeded, no attempt 3."""
    tries = attempts(run, step)
    statuses = [(s.attempt, s.status) for s in tries]
    if statuses != [(1, "Failed"), (2, "Succeeded")]:
        return [f"{step}: attempts were {statuses}, expected [(1, Failed), (2, Succeeded)]"]
    if error_part.lower() not in (tries[0].error or "").lower():
        return [f"{step}: attempt 1 recorded {tries[0].error!r}, expected {error_part!r}"]
    return []


RunJudge = Callable[[Run, Observed], tuple[list[str], str]]


def _on_succeeded_run(role: str) -> Callable[[RunJudge], Judge]:
    """Judge the probe's run only once it succeeded; otherwise its end is the problem."""

    def wrap(judge: RunJudge) -> Judge:
        @functools.wraps(judge)
        def checked(seen: Observed) -> tuple[list[str], str]:
            run = seen.runs.get("run")
            problems = _succeeded(run, role)
            if problems or run is None:
                return problems, ""
            return judge(run, seen)

        return checked

    return wrap


@_on_succeeded_run("limits")
def judge_limits(run: Run, seen: Observed) -> tuple[list[str], str]:
    problems: list[str] = []
    figures = []
    for step in ("First", "Second"):
        outputs = attempts(run, step)[-1].outputs or {}
        soql, dml = _number(outputs.get("soqlAtStart")), _number(outputs.get("dmlAtStart"))
        figures.append(f"{step} {soql} SOQL/{dml} DML before the step")
        if soql != 0 or dml != 0:
            problems.append(f"{step}: the engine spent {soql} SOQL and {dml} DML before it")
    return problems, "; ".join(figures)


def judge_idempotent(seen: Observed) -> tuple[list[str], str]:
    first, again = seen.runs.get("run"), seen.runs.get("again")
    if first is None or again is None:
        return ["the two starts did not both answer"], ""
    if first.id != again.id:
        return [f"the same request key started two runs: {first.id} and {again.id}"], ""
    return [], f"both starts answered run {first.id}"


@_on_succeeded_run("callout")
def judge_callout(run: Run, seen: Observed) -> tuple[list[str], str]:
    problems: list[str] = []
    outputs = attempts(run, "Get_Versions")[-1].outputs or {}
    status, count = _number(outputs.get("statusCode")), _number(outputs.get("versionCount"))
    if status != 200 or not count:
        problems.append(f"the callout answered HTTP {status} with {count} versions")
    return problems, f"HTTP {status}, {count} API versions listed"


def _gap_seconds(first: StepRun, second: StepRun) -> float | None:
    if first.finished_at is None or second.started_at is None:
        return None
    return (second.started_at - first.finished_at).total_seconds()


@_on_succeeded_run("retry")
def judge_retry(run: Run, seen: Observed) -> tuple[list[str], str]:
    problems: list[str] = []
    figures = []
    for step in ("First_Fails_Once", "Second_Fails_Once"):
        step_problems = _fail_then_pass(run, step, PLANNED_FAILURE)
        problems += step_problems
        if step_problems:
            continue
        tries = attempts(run, step)
        leftover = _number((tries[1].outputs or {}).get("leftover"))
        if leftover != 0:
            problems.append(f"{step}: {leftover} probe file(s) of the failed attempt remained")
        gap = _gap_seconds(tries[0], tries[1])
        if gap is None or gap < 55:
            problems.append(f"{step}: the retry came {gap} s after the failure, not >= 1 min")
        figures.append(f"{step} retried after {gap:.0f} s" if gap is not None else step)
    return problems, "; ".join(figures)


@_on_succeeded_run("LimitException")
def judge_uncatchable(run: Run, seen: Observed) -> tuple[list[str], str]:
    problems: list[str] = []
    problems += _fail_then_pass(run, "Too_Many_Queries", "Too many SOQL queries")
    first = attempts(run, "Too_Many_Queries")[0]
    return problems, f"attempt 1 recorded: {first.error}"


@_on_succeeded_run("repeat")
def judge_depth(run: Run, seen: Observed) -> tuple[list[str], str]:
    problems: list[str] = []
    done = [s for s in attempts(run, "Iterate") if s.status == "Succeeded"]
    if len(done) != ITERATIONS:
        problems.append(f"{len(done)} iterations succeeded, expected {ITERATIONS}")
    depths = [_number((s.outputs or {}).get("queueableDepth")) or 0 for s in done]
    strangers = sorted(
        {
            str(who)
            for s in done
            for who in (s.raw.get("ranAs"), (s.outputs or {}).get("ranAs"))
            if who != seen.user_id
        }
    )
    if strangers:
        problems.append(f"steps ran as {', '.join(strangers)}, not the starter {seen.user_id}")
    return problems, (
        f"{len(done)} iterations, deepest chain depth {max(depths, default=0)}, "
        f"all as {seen.user_id}"
    )


def _same(expected: Any, got: Any) -> bool:
    if isinstance(expected, bool | str):
        return bool(expected == got)
    if isinstance(expected, Decimal):
        return _number(got) == expected
    if isinstance(expected, dt.datetime):
        return parse_time(got) == expected
    if isinstance(expected, list):
        return (
            isinstance(got, list) and len(got) == len(expected) and all(map(_same, expected, got))
        )
    return False


@_on_succeeded_run("Flow")
def judge_flow(run: Run, seen: Observed) -> tuple[list[str], str]:
    problems: list[str] = []
    outputs = attempts(run, "Echo")[-1].outputs or {}
    expected = {**FLOW_EXPECTED, "idOut": seen.user_id}
    for name, value in expected.items():
        if not _same(value, outputs.get(name)):
            problems.append(f"{name}: got {outputs.get(name)!r}, expected {value!s}")
    return problems, f"{len(expected) - len(problems)} of {len(expected)} types round-tripped"


@_on_succeeded_run("spill")
def judge_spill(run: Run, seen: Observed) -> tuple[list[str], str]:
    problems: list[str] = []
    received = _number((attempts(run, "Read_Back")[-1].outputs or {}).get("receivedLength"))
    stored = len(json.dumps(run.context, ensure_ascii=False)) if run.context else 0
    if received != SPILL_CHARS:
        problems.append(f"the next step read {received} characters, expected {SPILL_CHARS}")
    where = "a file" if stored > FIELD_CHARS else "the Context__c field"
    return problems, f"{received} characters read back; context of {stored} characters ({where})"


def judge_control(seen: Observed) -> tuple[list[str], str]:
    problems = []
    statuses = seen.facts.get("statuses", {})
    wanted = {"paused": "Paused", "resumed": "Failed", "retried": "Succeeded"}
    for moment, status in wanted.items():
        if statuses.get(moment) != status:
            problems.append(f"after {moment[:-1]}: run was {statuses.get(moment)}, not {status}")
    run = seen.runs.get("run")
    if run is not None and not problems:
        gate = (attempts(run, "Gate")[-1].outputs or {}).get("mode")
        if gate != "pass":
            problems.append(f"Gate ran with mode {gate!r} after the retry, not the patched 'pass'")
    cancelled = seen.runs.get("cancelled")
    if cancelled is None or cancelled.status != "Cancelled":
        problems.append(f"the cancelled run is {cancelled.status if cancelled else 'missing'}")
    shown = ", ".join(f"{k} {v}" for k, v in statuses.items())
    return problems, f"{shown}; cancel -> {cancelled.status if cancelled else '-'}"


def judge_guard(seen: Observed) -> tuple[list[str], str]:
    run = seen.runs.get("run")
    problems = _succeeded(run, "guard")
    refused = seen.facts.get("second_job_refused")
    if refused is not True:
        problems.append(f"a second job for the waiting attempt was not refused: {refused}")
    if run is not None:
        counts = {s: len(attempts(run, s)) for s in ("First_Fails_Once", "Second_Fails_Once")}
        if any(count != 2 for count in counts.values()):
            problems.append(f"attempts per step {counts}: a duplicate job ran")
    return problems, f"enqueue refused while job {seen.facts.get('waiting_job')} waited"


def judge_sweeper(seen: Observed) -> tuple[list[str], str]:
    jobs = seen.facts.get("sweeper_jobs", [])
    live = [job for job in jobs if job.get("state") in ("WAITING", "ACQUIRED", "EXECUTING")]
    if not live:
        return [f"the sweeper is not scheduled (CronTrigger: {jobs})"], ""
    job = live[0]
    return [], f"scheduled {job.get('cron')}, next at {job.get('next')} ({job.get('state')})"


PROBES: tuple[Probe, ...] = (
    Probe(
        "limits",
        "Stepforce_Probe_Limits",
        "Limits count per transaction; the engine spends 0 SOQL/0 DML before a step",
        30,
        judge_limits,
    ),
    Probe(
        "idempotent-start",
        "Stepforce_Probe_Limits",
        "A unique case-sensitive external id refuses a second request key (one run)",
        30,
        judge_idempotent,
    ),
    Probe(
        "callout",
        "Stepforce_Probe_Callout",
        "A Queueable with Database.AllowsCallouts may call out (no DML before the step)",
        20,
        judge_callout,
    ),
    Probe(
        "retry",
        "Stepforce_Probe_Retry",
        "A failed job's DML rolls back, its finalizer runs; enqueueJob with a delay",
        160,
        judge_retry,
    ),
    Probe(
        "uncatchable",
        "Stepforce_Probe_Uncatchable",
        "A finalizer runs after an uncatchable LimitException and sees the exception",
        30,
        judge_uncatchable,
    ),
    Probe(
        "depth",
        "Stepforce_Probe_Depth",
        "MaximumQueueableStackDepth lifts the depth cap of 5; a chain keeps its starter",
        120,
        judge_depth,
    ),
    Probe(
        "flow",
        "Stepforce_Probe_Flow",
        "Flow variables reach Apex as Decimal, Date, Datetime, Boolean, String, List",
        20,
        judge_flow,
    ),
    Probe(
        "spill",
        "Stepforce_Probe_Spill",
        "A Long Text Area holds 131,072 characters; a ContentVersion reads back as written",
        30,
        judge_spill,
    ),
    Probe(
        "control",
        "Stepforce_Probe_Control",
        "pause/resume/cancel/retry: System.abortJob; the finalizer moves only its own run",
        150,
        judge_control,
    ),
    Probe(
        "duplicate-guard",
        "Stepforce_Probe_Retry",
        "A second job with the same DuplicateSignature is refused while the first waits",
        160,
        judge_guard,
    ),
    Probe(
        "sweeper",
        None,
        "System.schedule: the sweeper is scheduled (CronTrigger) after a deploy",
        2,
        judge_sweeper,
    ),
)
PROBE_NAMES = tuple(probe.name for probe in PROBES)


def probe_named(name: str) -> Probe:
    return next(probe for probe in PROBES if probe.name == name)
