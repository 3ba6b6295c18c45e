"""The ``repeat`` and ``retry`` policies of a step."""

from __future__ import annotations

from yaml.nodes import Node, SequenceNode

from stepforce.generator.spec.fields import read_fields, read_integer, read_scalar
from stepforce.generator.spec.keys import Integer, table
from stepforce.generator.spec.model import (
    DEFAULT_MAX_ITERATIONS,
    MAX_DELAY_MINUTES,
    Repeat,
    Retry,
    Scalar,
    Step,
    ValueType,
)
from stepforce.generator.spec.report import Reporter, did_you_mean

_REPEAT = table("repeat")
_RETRY = table("retry")
_DELAY = Integer(0, MAX_DELAY_MINUTES)
_BOOLEAN = ValueType(Scalar.BOOLEAN)


def read_repeat(rep: Reporter, node: Node, step: Step, path: str) -> Repeat | None:
    fields = read_fields(rep, node, "repeat", path)
    if fields is None or "until" not in fields:
        return None
    until_node = fields["until"][1]
    until = read_scalar(rep, until_node, path + ".until", _REPEAT["until"].kind)
    max_iterations: object = DEFAULT_MAX_ITERATIONS
    if "max_iterations" in fields:
        max_node = fields["max_iterations"][1]
        max_iterations = read_scalar(
            rep, max_node, path + ".max_iterations", _REPEAT["max_iterations"].kind
        )
    if not isinstance(until, str):
        return None
    problem = until_problem(step, until)
    if problem is not None:
        broken = f"{path.removesuffix('.repeat')}.outputs.{until}" in rep.broken
        if not (broken and step.output(until) is None):  # else its declaration's error is reported
            rep.error(until_node, path + ".until", problem)
        return None
    if not isinstance(max_iterations, int):
        return None
    return Repeat(until, max_iterations, rep.at(node))


def until_problem(step: Step, until: str) -> str | None:
    """Why ``until`` cannot end ``step``'s repeat (it must name a Boolean output of it), or
    None: the validator's rule on the model alone (``stepforce check`` applies it to plans)."""
    output = step.output(until)
    if output is None:
        names = [o.name for o in step.outputs]
        declared = f"; it declares {', '.join(names)}" if names else "; it declares no outputs"
        return (
            f"'{until}' is not an output of step '{step.name}'"
            f"{did_you_mean(until, names) or declared}"
        )
    if output.type != _BOOLEAN:
        return f"'{until}' is a {output.type} output; repeat.until needs a Boolean output"
    return None


def read_retry(rep: Reporter, node: Node, path: str) -> Retry | None:
    fields = read_fields(rep, node, "retry", path)
    if fields is None or "attempts" not in fields:
        return None
    attempts = read_scalar(rep, fields["attempts"][1], path + ".attempts", _RETRY["attempts"].kind)
    delays: tuple[int, ...] | None = (1,)
    if "delay_minutes" in fields:
        delays = _read_delays(rep, fields["delay_minutes"][1], path + ".delay_minutes")
    if not isinstance(attempts, int) or delays is None:
        return None
    if attempts == 1 and "delay_minutes" in fields:
        rep.warning(
            fields["delay_minutes"][0],
            path + ".delay_minutes",
            "attempts is 1, so there is no retry to delay",
        )
    elif len(delays) > attempts - 1:
        rep.warning(
            fields["delay_minutes"][0],
            path + ".delay_minutes",
            f"{len(delays)} delays given but only {attempts - 1} retries happen; "
            "the extra delays are never used",
        )
    return Retry(attempts, delays, rep.at(node))


def _read_delays(rep: Reporter, node: Node, path: str) -> tuple[int, ...] | None:
    if not isinstance(node, SequenceNode):
        single = read_integer(rep, node, path, _DELAY)
        return None if single is None else (single,)
    if not node.value:
        rep.error(node, path, "give at least one delay (minutes, 0 to 10)")
        return None
    delays = [read_integer(rep, item, f"{path}[{i}]", _DELAY) for i, item in enumerate(node.value)]
    if any(d is None for d in delays):
        return None
    return tuple(d for d in delays if d is not None)
