"""How runs look on screen: the live table, plain change lines, summaries, logs and lists.

Only text building and printing; the numbers come from ``runtime_client.analysis``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Protocol

import click
from rich.console import Console
from rich.table import Table

from stepforce.errors import StepforceError
from stepforce.runtime_client.analysis import (
    StepLog,
    limit_flags,
    step_rows,
    where_time_went,
)
from stepforce.runtime_client.models import Run, RunPage
from stepforce.runtime_client.plan_diff import plan_changes


def _num(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _seconds(value: float) -> str:
    if value >= 3600:
        return f"{value / 3600:.1f} h"
    if value >= 60:
        return f"{value / 60:.1f} min"
    return f"{value:.1f} s"


def _time(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "-"


def run_headline(run: Run) -> str:
    where = f" at {run.current_step}" if run.current_step and not run.is_terminal else ""
    # Paused while a step still runs: that step ends (and may end the run) before the pause holds.
    finishing = " (the step in flight finishes first)" if run.is_paused and run.job_id else ""
    return f"Run {run.id} ({run.orchestration}): {run.status}{where}{finishing}"


def started_by(run: Run) -> str:
    """``", started by <id>"`` when the runtime says who asked for the run, else nothing."""
    return f", started by {run.started_by}" if run.started_by else ""


def ran_as_warnings(run: Run) -> list[str]:
    """One warning per user other than the run's starter that steps ran as, naming the steps.

    An event relay after a refused batch (or a sweeper revival) continues a run as the
    Automated Process user (or the sweeper's user): those steps' DML, sharing and permissions
    are that user's, not the starter's (docs/runtime.md, "Chain depth and the relay")."""
    steps_by_user: dict[str, dict[str, None]] = {}
    for step_run in run.steps_run_as_others:
        steps_by_user.setdefault(step_run.ran_as or "", {})[step_run.step] = None
    return [
        f"warning: {', '.join(steps)} ran as {user}, not as the run's starter "
        f"{run.started_by} (an event relay or the sweeper continued the run): their data "
        "access was that user's"
        for user, steps in steps_by_user.items()
    ]


def version_move(before: str | None, after: str | None) -> str:
    """What `run retry --latest` did to the run's plan version."""
    if before == after:
        return f"Plan version unchanged ({after or 'no version'}): it already was the latest."
    return f"Plan version {before or '(no version)'} -> {after or '(no version)'} (latest)."


class PlanReader(Protocol):
    def plan_document(self, version: str) -> dict[str, Any]: ...


def plan_change_lines(client: PlanReader, before: str | None, run: Run) -> list[str]:
    """What differs between the run's old plan version and the latest for the steps it still
    runs (two documents read: four calls), or why that cannot be shown."""
    after = run.plan_version
    if not before or not after or before == after:
        return []
    try:
        old, new = client.plan_document(before), client.plan_document(after)
    except StepforceError as error:
        return [f"Cannot show what differs: {error}"]
    changes = plan_changes(old, new, run.current_step)
    if not changes:
        return ["No difference in the steps still to run or in the run inputs."]
    return [f"What differs from {run.current_step or 'the first step'} on:", *changes]


def _now_for(run: Run) -> dt.datetime | None:
    """A running run's open attempt lasts until now; a finished one has its own end."""
    return None if run.is_terminal else dt.datetime.now(dt.UTC)


def run_table(run: Run) -> Table:
    """The live table: one row per step, its latest attempt and governor use."""
    table = Table(title=run_headline(run) + started_by(run), title_justify="left")
    for header in ("step", "status", "attempt", "iteration", "duration", "SOQL", "DML", "CPU ms"):
        numeric = header not in ("step", "status")
        table.add_column(header, justify="right" if numeric else "left", no_wrap=not numeric)
    for row in step_rows(run, _now_for(run)):
        table.add_row(
            row.step,
            row.status,
            str(row.attempt),
            str(row.iteration),
            _seconds(row.seconds),
            _num(row.soql),
            _num(row.dml),
            _num(row.cpu_ms),
        )
    return table


def paused_note(run: Run) -> str:
    """One line for stderr when a watch stops because the run is Paused."""
    where = f" at step {run.current_step}" if run.current_step else ""
    return (
        f"Run {run.id} is Paused{where} and starts no further step until resumed: "
        f"`stepforce run resume {run.id}`, then `stepforce run watch {run.id}` to follow it."
    )


def change_line(run: Run) -> str:
    """One plain line per observed change (for logs and pipes)."""
    line = run_headline(run)
    if run.steps:
        last = run.steps[-1]
        limits = last.limits
        line += (
            f" | {last.step} {last.status} attempt {last.attempt} iteration {last.iteration}"
            f" SOQL {_num(limits.soql)} DML {_num(limits.dml)} CPU {_num(limits.cpu_ms)} ms"
        )
    return line


def print_summary(run: Run, console: Console) -> None:
    """Where time went, and every step that came within 20% of an async governor limit."""
    if run.error:
        console.print(f"error: {run.error}", markup=False)
    report = where_time_went(run, _now_for(run))
    if report.steps:
        console.print(f"Time: {_seconds(report.total_seconds)} in all")
        for share in sorted(report.steps, key=lambda s: s.seconds, reverse=True):
            runs = f" over {share.runs} attempts/iterations" if share.runs > 1 else ""
            console.print(
                f"  {share.step}: {_seconds(share.seconds)} ({share.share:.0%}){runs}",
                markup=False,
            )
        if report.waiting_seconds > 0:
            console.print(
                f"  waiting (queue, retry delays, pauses): {_seconds(report.waiting_seconds)} "
                f"({report.waiting_share:.0%})"
            )
    for flag in limit_flags(run):
        console.print(f"warning: {flag.message()}", markup=False)
    _print_ran_as_warning(run, console)


def _print_ran_as_warning(run: Run, console: Console) -> None:
    for warning in ran_as_warnings(run):
        console.print(warning, markup=False)


def print_logs(run: Run, logs: list[StepLog], console: Console, step: str | None = None) -> None:
    """Every attempt of ``logs`` (the steps of ``run``), under the run's headline and starter;
    an attempt that ran as another user than the starter says as whom."""
    console.print(run_headline(run) + started_by(run), markup=False)
    if not logs:
        console.print(f"No attempt of step {step} yet." if step else "No step has run yet.")
    for log in logs:
        console.print(f"Step {log.step} (#{log.index if log.index is not None else '?'})")
        for attempt in log.attempts:
            duration = attempt.duration()
            took = _seconds(duration.total_seconds()) if duration else "-"
            console.print(
                f"  attempt {attempt.attempt} iteration {attempt.iteration}: {attempt.status}, "
                f"{took}, started {_time(attempt.started_at)}, job {attempt.job_id or '-'}",
                markup=False,
            )
            if run.ran_as_another_user(attempt):
                console.print(f"    ran as:  {attempt.ran_as}", markup=False)
            if attempt.inputs:
                console.print(f"    inputs:  {_compact(attempt.inputs)}", markup=False)
            if attempt.outputs:
                console.print(f"    outputs: {_compact(attempt.outputs)}", markup=False)
            if attempt.error:
                console.print(f"    error:   {attempt.error}", markup=False)
    _print_ran_as_warning(run, console)


def logs_json(logs: list[StepLog]) -> list[dict[str, Any]]:
    return [
        {"step": log.step, "index": log.index, "attempts": [a.to_json() for a in log.attempts]}
        for log in logs
    ]


def print_run_list(page: RunPage, console: Console) -> None:
    table = Table(show_edge=False)
    for header in ("id", "orchestration", "status", "current step", "started", "finished"):
        # Ids must stay copyable: never wrapped.
        table.add_column(header, no_wrap=header in ("id", "status"))
    for run in page.runs:
        table.add_row(
            run.id,
            run.orchestration,
            run.status,
            run.current_step or "-",
            _time(run.started_at),
            _time(run.finished_at),
        )
    console.print(table)
    first = page.offset + 1 if page.runs else page.offset
    more = "; more: raise --limit, or --all" if page.has_more else ""
    console.print(f"runs {first}-{page.offset + len(page.runs)} of {page.total}{more}")


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(", ", ": "), ensure_ascii=False, default=str)


def stderr_note(message: str) -> None:
    click.echo(message, err=True)
