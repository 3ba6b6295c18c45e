"""Collecting diagnostics while walking a spec, so validation reports every problem at once."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

from yaml.nodes import Node

from stepforce.diagnostics import Diagnostic, Location, Severity
from stepforce.generator.spec.yaml_source import location


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when a choice is close to ``word``, else an empty string."""
    options = list(choices)
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not close:
        lowered = {option.lower(): option for option in options}
        if word.lower() in lowered:
            close = [lowered[word.lower()]]
    return f" (did you mean '{close[0]}'?)" if close else ""


@dataclass
class Reporter:
    filename: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: Paths (``inputs.x``, ``steps[0].outputs.y``) of declarations whose error is already
    #: reported: a reference to one is not reported again as "no such input/output".
    broken: set[str] = field(default_factory=set)

    def at(self, node: Node) -> Location:
        return location(self.filename, node)

    def error(
        self, node: Node, path: str, message: str, related: tuple[Location, ...] = ()
    ) -> None:
        self.diagnostics.append(Diagnostic(self.at(node), message, path=path, related=related))

    def warning(self, node: Node, path: str, message: str) -> None:
        self.diagnostics.append(
            Diagnostic(self.at(node), message, severity=Severity.WARNING, path=path)
        )

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.diagnostics)
