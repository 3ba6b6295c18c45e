"""Find the Flow and Apex sources a spec's steps name, and check them against the spec.

Salesforce ignores a wrong Flow input name silently and only fails a missing class at run
time, so the generator looks first: a Flow must exist, be autolaunched, and have an input
variable of a compatible type for every input the step maps (names are case-sensitive) and
an output variable for every declared output; an Apex class must implement StepforceStep.
A mismatch is an error pointing at the spec line and the source line; a step whose source is
not in the searched directories gets a warning (it may already be in the org).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from stepforce.diagnostics import Diagnostic, Location, Severity
from stepforce.errors import UsageError
from stepforce.generator.spec.model import Orchestration, Scalar, Step, StepKind, ValueType

MD_NS = "http://soap.sforce.com/2006/04/metadata"
_SKIPPED = frozenset({"node_modules", ".sfdx", ".sf", ".git", ".stepforce"})
# Flow variable dataType -> the spec scalars it can carry (Id travels as Text in Flows).
_FLOW_TYPES: dict[str, frozenset[Scalar]] = {
    "String": frozenset({Scalar.TEXT, Scalar.ID}),
    "Picklist": frozenset({Scalar.TEXT}),
    "Multipicklist": frozenset({Scalar.TEXT}),
    "Number": frozenset({Scalar.NUMBER}),
    "Currency": frozenset({Scalar.NUMBER}),
    "Boolean": frozenset({Scalar.BOOLEAN}),
    "Date": frozenset({Scalar.DATE}),
    "DateTime": frozenset({Scalar.DATETIME}),
}
_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)
_STRING = re.compile(r"'(?:\\.|[^'\\\n])*'")


@dataclass(frozen=True)
class StepSource:
    """The files of one step's Flow or Apex class; ``files[0]`` is the one checked."""

    step: str
    kind: StepKind
    files: tuple[Path, ...]
    package_dir: Path


def default_source_dirs(spec_paths: list[Path]) -> list[Path]:
    """The package directories of the sfdx project each spec sits in, plus ``force-app``
    folders next to the specs, in a stable order without duplicates."""
    found: list[Path] = []
    for spec in spec_paths:
        folder = spec.resolve().parent
        for parent in (folder, *folder.parents):
            config = parent / "sfdx-project.json"
            if config.is_file():
                found.extend(_package_dirs(config))
                break
        found.append(folder / "force-app")
    unique = dict.fromkeys(p for p in found if p.is_dir())
    return list(unique)


def _package_dirs(config: Path) -> list[Path]:
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
        entries = data.get("packageDirectories", [])
        return [config.parent / e["path"] for e in entries if isinstance(e.get("path"), str)]
    except (OSError, ValueError, AttributeError, TypeError):
        return []


def source_index(spec_paths: list[Path], source_dirs: list[Path] | None) -> SourceIndex:
    """The index of ``source_dirs`` (``--source``), or of the default places for the specs."""
    dirs = source_dirs if source_dirs is not None else default_source_dirs(spec_paths)
    missing = [d for d in dirs if not d.is_dir()]
    if missing:
        raise UsageError(f"--source {missing[0]} is not a directory")
    return SourceIndex(dirs)


class SourceIndex:
    """Every Flow and Apex class under the given directories, found once."""

    def __init__(self, directories: list[Path]) -> None:
        self.directories = list(directories)
        self.flows: dict[str, tuple[Path, Path]] = {}
        self.classes: dict[str, tuple[Path, Path]] = {}
        for root in self.directories:
            for path in sorted(root.rglob("*")):
                if _SKIPPED.intersection(path.relative_to(root).parts) or not path.is_file():
                    continue
                if path.name.endswith(".flow-meta.xml"):
                    name = path.name[: -len(".flow-meta.xml")]
                    self.flows.setdefault(name, (path, root))
                elif path.suffix == ".cls":
                    self.classes.setdefault(path.stem.lower(), (path, root))

    def find(self, step: Step) -> StepSource | None:
        if step.namespace:
            return None
        if step.kind is StepKind.FLOW:
            hit = self.flows.get(step.target)
            return StepSource(step.name, step.kind, (hit[0],), hit[1]) if hit else None
        hit = self.classes.get(step.target.lower())
        if hit is None:
            return None
        main, root = hit
        extra = [main.with_name(main.name + "-meta.xml")]
        for test_name in (f"{main.stem}_Tests", f"{main.stem}Test", f"{main.stem}_Test"):
            test = self.classes.get(test_name.lower())
            if test is not None:
                extra += [test[0], test[0].with_name(test[0].name + "-meta.xml")]
        files = (main, *(p for p in extra if p.is_file()))
        return StepSource(step.name, step.kind, files, root)


def cross_check(orch: Orchestration, index: SourceIndex) -> list[Diagnostic]:
    """Errors for mismatches, warnings for steps whose source was not found."""
    problems: list[Diagnostic] = []
    for position, step in enumerate(orch.steps):
        path = f"steps[{position}]"
        where = _spec_location(step.location, orch)
        if step.namespace:
            problems.append(
                _warn(
                    where,
                    f"{step.kind.value} {step.namespace}__{step.target} is "
                    "from a managed package: not checked",
                    path,
                )
            )
            continue
        source = index.find(step)
        if source is None:
            searched = ", ".join(str(d) for d in index.directories)
            place = f"in {searched}" if searched else "anywhere (no source directory; see --source)"
            what = "Flow" if step.kind is StepKind.FLOW else "Apex class"
            problems.append(
                _warn(
                    where,
                    f"{what} {step.target} was not found {place}: its "
                    "inputs and outputs were not checked",
                    path,
                )
            )
        elif step.kind is StepKind.FLOW:
            problems.extend(_check_flow(orch, step, source.files[0], path))
        else:
            problems.extend(_check_apex(orch, step, source.files[0], path))
    return problems


def cross_check_all(
    orchestrations: list[Orchestration], index: SourceIndex
) -> tuple[list[Orchestration], list[Diagnostic]]:
    """The orchestrations whose sources match, and every source diagnostic of all of them."""
    matching: list[Orchestration] = []
    diagnostics: list[Diagnostic] = []
    for orch in orchestrations:
        found = cross_check(orch, index)
        diagnostics += found
        if not any(d.is_error for d in found):
            matching.append(orch)
    return matching, diagnostics


def _spec_location(location: Location, orch: Orchestration) -> Location:
    return location if location.file else Location(orch.source_file)


def _warn(location: Location, message: str, path: str) -> Diagnostic:
    return Diagnostic(location, message, Severity.WARNING, path, source="generate/sources")


def _error(location: Location, message: str, path: str, related: Location) -> Diagnostic:
    return Diagnostic(location, message, Severity.ERROR, path, "generate/sources", (related,))


def _line(element: etree._Element) -> int:
    # lxml-stubs types sourceline oddly; at run time it is an int or None.
    line: object = element.sourceline
    return line if isinstance(line, int) else 0


def _text(element: etree._Element, tag: str) -> str:
    found = element.find(f"{{{MD_NS}}}{tag}")
    return (found.text or "").strip() if found is not None else ""


@dataclass(frozen=True)
class FlowProblem:
    """Why a Flow cannot run a step: the message, the Flow file's line (0: none) and the
    part of the step it concerns (``inputs.X``, ``outputs.X``, ``""``: the step)."""

    message: str
    line: int
    part: str = ""


def _check_flow(orch: Orchestration, step: Step, flow: Path, path: str) -> list[Diagnostic]:
    where = _spec_location(step.location, orch)
    try:
        root = etree.parse(
            str(flow), etree.XMLParser(resolve_entities=False, no_network=True)
        ).getroot()
    except (OSError, etree.XMLSyntaxError) as error:
        return [
            _error(where, f"Flow {step.target} cannot be read: {error}", path, Location(str(flow)))
        ]
    spots = {f"inputs.{b.target}": b.location for b in step.inputs}
    spots.update({f"outputs.{o.name}": o.location for o in step.outputs})
    return [
        _error(
            _spec_location(spots.get(problem.part, step.location), orch),
            problem.message,
            f"{path}.{problem.part}".rstrip("."),
            Location(str(flow), problem.line),
        )
        for problem in flow_problems(root, step)
    ]


def flow_problems(root: etree._Element, step: Step) -> list[FlowProblem]:
    """Why the Flow ``root`` cannot run ``step``: not autolaunched, or without a variable of
    a compatible type, available for input or output, for each input and output of the step.
    ``stepforce check`` asks the same of plan documents' steps (rules/PLAN-TARGET)."""
    problems: list[FlowProblem] = []
    process = root.find(f"{{{MD_NS}}}processType")
    if process is None or (process.text or "").strip() != "AutoLaunchedFlow":
        found = (process.text or "").strip() if process is not None else "none"
        problems.append(
            FlowProblem(
                f"Flow {step.target} is not autolaunched (processType "
                f"{found}); only AutoLaunchedFlow can run as a step",
                _line(process if process is not None else root),
            )
        )
    variables = {_text(v, "name"): v for v in root.iter(f"{{{MD_NS}}}variables")}
    slots = [(b.target, b.effective_type, "isInput") for b in step.inputs]
    slots += [(o.name, o.type, "isOutput") for o in step.outputs]
    for name, vtype, flag in slots:
        message, line = _variable_problem(step, variables, name, vtype, flag)
        if message:
            part = f"{'inputs' if flag == 'isInput' else 'outputs'}.{name}"
            problems.append(FlowProblem(message, line, part))
    return problems


def _variable_problem(
    step: Step,
    variables: dict[str, etree._Element],
    name: str,
    vtype: ValueType | None,
    flag: str,
) -> tuple[str, int]:
    """(why the variable ``name`` cannot carry this input or output, its line); "" when it can."""
    role = "input" if flag == "isInput" else "output"
    variable = variables.get(name)
    if variable is None:
        near = next((n for n in variables if n.lower() == name.lower()), None)
        hint = f" (there is '{near}': Flow variable names are case-sensitive)" if near else ""
        return f"Flow {step.target} has no variable '{name}' for this {role}{hint}", 0
    line = _line(variable)
    if _text(variable, flag) != "true":
        return (
            f"Flow {step.target} variable '{name}' is not available for "
            f"{role} ({flag} is not true)",
            line,
        )
    if vtype is None:
        return "", line
    data_type = _text(variable, "dataType")
    is_list = _text(variable, "isCollection") == "true"
    accepts = _FLOW_TYPES.get(data_type, frozenset())
    if vtype.scalar not in accepts or vtype.is_list != is_list:
        shown = f"{data_type}{' collection' if is_list else ''}"
        return (
            f"Flow {step.target} variable '{name}' is {shown}, which does not match {vtype}",
            line,
        )
    return "", line


def blank_comments(source: str) -> str:
    """Comments and string literals replaced by spaces (newlines kept, so lines still count)."""

    def blank(match: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", match.group(0))

    return _COMMENT.sub(blank, _STRING.sub(blank, source))


def _check_apex(orch: Orchestration, step: Step, cls: Path, path: str) -> list[Diagnostic]:
    where = _spec_location(step.location, orch)
    try:
        code = blank_comments(cls.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        return [
            _error(
                where, f"Apex class {step.target} cannot be read: {error}", path, Location(str(cls))
            )
        ]
    found = step_class_problem(code, step.target, cls.name)
    if found is None:
        return []
    message, line = found
    return [_error(where, message, path, Location(str(cls), line))]


def step_class_problem(code: str, target: str, file_name: str) -> tuple[str, int] | None:
    """Why the Apex source ``code`` of ``file_name`` (comments and strings blanked) cannot
    run as the step class ``target``, and the line to show (0: none); None when it declares
    the class and the class implements StepforceStep. ``stepforce check`` asks the same of
    plan documents' steps (rules/PLAN-TARGET)."""
    declaration = re.search(rf"\bclass\s+{re.escape(target)}\b([^{{]*)\{{", code, re.IGNORECASE)
    if declaration is None:
        return f"{file_name} declares no class {target}", 0
    line = code.count("\n", 0, declaration.start()) + 1
    clause = re.search(r"\bimplements\b(.*)", declaration.group(1), re.IGNORECASE | re.DOTALL)
    if clause is None or not re.search(r"\bStepforceStep\b", clause.group(1), re.IGNORECASE):
        return (
            f"Apex class {target} does not implement StepforceStep "
            "(the engine runs only classes that do)",
            line,
        )
    return None
