"""How two plan documents differ, for the steps a run still has to run.

``stepforce run retry --latest`` moves a run from the version it was pinned to onto the
latest plan, restarting at the step of the same name; the runtime refuses the move when the
remaining steps bind inputs or outputs the run does not have. What it cannot judge is whether
the change is the one the operator meant, so the CLI prints what differs: steps added,
removed, moved or changed (target, inputs, outputs, retry, repeat, on-failure) from the
restart step on, and the run inputs the plans declare differently. Pure: documents in, lines
out (documents as generator/plan_document.py writes them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

#: Step fields compared one by one, with the words a line uses for each (what a step runs,
#: its kind, namespace and target, is compared as one: ``_target``).
_STEP_FIELDS = (
    ("callouts", "callouts"),
    ("outputs", "outputs"),
    ("attempts", "retry attempts"),
    ("delays", "retry delays"),
    ("repeat", "repeat"),
    ("continue", "on-failure continue"),
)


def _steps(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    steps = document.get("steps")
    return [s for s in steps if isinstance(s, Mapping)] if isinstance(steps, list) else []


def _by_name(items: Any) -> dict[str, Mapping[str, Any]]:
    if not isinstance(items, list):
        return {}
    return {str(i.get("name")): i for i in items if isinstance(i, Mapping)}


def _target(step: Mapping[str, Any]) -> str:
    namespace = f"{step.get('namespace')}." if step.get("namespace") else ""
    return f"{step.get('kind')} {namespace}{step.get('target')}"


def _binding(binding: Mapping[str, Any]) -> str:
    ref = binding.get("ref")
    if isinstance(ref, list):
        return "$" + ".".join(str(part) for part in ref if part != "")
    return f"literal {binding.get('value')!r}"


def _step_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    changes = [
        f"{words} {old.get(key)!r} -> {new.get(key)!r}"
        for key, words in _STEP_FIELDS
        if old.get(key) != new.get(key)
    ]
    if _target(old) != _target(new):
        changes.insert(0, f"runs {_target(new)} (was {_target(old)})")
    was, now = _by_name(old.get("inputs")), _by_name(new.get("inputs"))
    for name in sorted(set(was) | set(now)):
        if name not in now:
            changes.append(f"input {name} no longer bound (was {_binding(was[name])})")
        elif name not in was:
            changes.append(f"input {name} = {_binding(now[name])} (new)")
        elif was[name] != now[name]:
            changes.append(f"input {name} = {_binding(now[name])} (was {_binding(was[name])})")
    return changes


def _input_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    was, now = _by_name(old.get("inputs")), _by_name(new.get("inputs"))
    lines = []
    for name in sorted(set(was) | set(now)):
        before, after = was.get(name), now.get(name)
        if after is None:
            lines.append(f"- run input {name}: no longer declared")
        elif before is None:
            needed = "required" if after.get("required") else f"default {after.get('default')!r}"
            lines.append(f"+ run input {name}: {after.get('type')}, {needed} (new)")
        elif before != after:
            lines.append(
                f"~ run input {name}: {after.get('type')}, "
                f"{'required' if after.get('required') else 'optional'}, default "
                f"{after.get('default')!r} (was {before.get('type')}, "
                f"{'required' if before.get('required') else 'optional'}, default "
                f"{before.get('default')!r})"
            )
    return lines


def plan_changes(old: Mapping[str, Any], new: Mapping[str, Any], restart: str | None) -> list[str]:
    """Lines saying how ``new`` differs from ``old`` for a run restarting at step ``restart``
    of ``new`` (None or unknown: its first step): ``+`` added, ``-`` removed, ``~`` changed;
    empty when the remaining steps and the run inputs are the same."""
    new_steps = _steps(new)
    names = [str(s.get("name")) for s in new_steps]
    start = names.index(restart) if restart in names else 0
    remaining = new_steps[start:]
    old_steps = _steps(old)
    old_names = [str(s.get("name")) for s in old_steps]
    old_start = old_names.index(names[start]) if names and names[start] in old_names else 0
    old_remaining = {str(s.get("name")): s for s in old_steps[old_start:]}
    old_all = {str(s.get("name")): s for s in old_steps}
    lines = _input_changes(old, new)
    for step in remaining:
        name = str(step.get("name"))
        before = old_all.get(name)
        if before is None:
            lines.append(f"+ step {name}: {_target(step)} (new)")
            continue
        if name not in old_remaining:
            lines.append(f"~ step {name}: ran before the restart point in the old plan; runs again")
        changes = _step_changes(before, step)
        if changes:
            lines.append(f"~ step {name}: " + "; ".join(changes))
    remaining_names = {str(s.get("name")) for s in remaining}
    for name in old_remaining:
        if name not in remaining_names:
            where = "no longer in the plan" if name not in names else "now before the restart point"
            lines.append(f"- step {name}: {where}, so it does not run")
    lines += _order_change(old_remaining, remaining)
    return lines


def _order_change(
    old_remaining: Mapping[str, Any], remaining: Sequence[Mapping[str, Any]]
) -> list[str]:
    now = [str(s.get("name")) for s in remaining if str(s.get("name")) in old_remaining]
    was = [name for name in old_remaining if name in set(now)]
    if now == was:
        return []
    return [f"~ order: {', '.join(now)} (was {', '.join(was)})"]
