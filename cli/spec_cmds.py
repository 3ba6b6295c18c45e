"""Spec commands: validate, schema, graph and init. Thin: parse, call the generator, print."""

from __future__ import annotations

from pathlib import Path

import click

from stepforce.cli.output import emit_json, print_diagnostics
from stepforce.cli.source_option import source_option
from stepforce.diagnostics import errors_only
from stepforce.errors import SpecError
from stepforce.generator.ci_workflow import CI_SYSTEMS, ci_files
from stepforce.generator.graph import build_graph, to_dot, to_mermaid
from stepforce.generator.scaffold import (
    GENERATED_DIR,
    project_files,
    project_name,
    write_new_files,
)
from stepforce.generator.sources import cross_check_all, source_index
from stepforce.generator.spec import load_spec, validate_paths
from stepforce.generator.spec.schema import schema_text

_SPEC_PATH = click.Path(dir_okay=False, path_type=Path)


@click.command("validate")
@click.argument("specs", nargs=-1, required=True, type=_SPEC_PATH)
@source_option
@click.option("--no-sources", is_flag=True, help="Check the specs only, not their Flow/Apex.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def validate_command(
    specs: tuple[Path, ...], sources: tuple[Path, ...], no_sources: bool, as_json: bool
) -> None:
    """Check orchestration specs and report every problem at once.

    Prints `ok: FILE (N steps)` for each valid file; problems go to stderr as
    `file:line:col: path: message`. Exits 2 when any spec has an error (warnings don't fail).
    When the steps' Flow and Apex sources are found (see --source), they are checked
    against the specs exactly as `generate` checks them.

    \b
    Example:
      stepforce validate orchestrations/*.yaml
      stepforce validate examples/invoice_sync.yaml --json
      stepforce validate orchestrations/*.yaml --source force-app
    """
    orchestrations, diagnostics = validate_paths(list(specs))
    if orchestrations and not no_sources:
        index = source_index(list(specs), list(sources) if sources else None)
        if index.directories:  # no sources found: nothing to compare the specs with
            orchestrations, found = cross_check_all(orchestrations, index)
            diagnostics += found
    if as_json:
        emit_json(
            {
                "files": [
                    {"file": o.source_file, "orchestration": o.name, "steps": len(o.steps)}
                    for o in orchestrations
                ],
                "problems": [d.to_json() for d in diagnostics],
            }
        )
    else:
        for orchestration in orchestrations:
            count = len(orchestration.steps)
            click.echo(f"ok: {orchestration.source_file} ({count} step{'s' * (count != 1)})")
        print_diagnostics(diagnostics)
    errors = errors_only(diagnostics)
    if errors and as_json:
        # The JSON document above is the whole answer; a second one from main() would break
        # parsers, so exit with the usage code directly.
        raise click.exceptions.Exit(SpecError.exit_code)
    if errors:
        # Every problem is printed above: the summary alone keeps main() from repeating them.
        raise SpecError([], _summary(len(errors)))


def _summary(count: int) -> str:
    return f"{count} problem{'s' if count != 1 else ''} found"


@click.command("schema")
@click.option("--json", "as_json", is_flag=True, help="Accepted for symmetry; always JSON.")
def schema_command(as_json: bool) -> None:
    """Print the JSON Schema (draft 2020-12) of orchestration specs.

    Save it next to your specs and point your editor at it with a first line
    `# yaml-language-server: $schema=../stepforce.schema.json`.

    \b
    Example:
      stepforce schema > stepforce.schema.json
    """
    click.echo(schema_text(), nl=False)


@click.command("graph")
@click.argument("spec", type=_SPEC_PATH)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["mermaid", "dot"]),
    default="mermaid",
    show_default=True,
    help="Mermaid (renders on GitHub) or Graphviz DOT.",
)
@click.option("--json", "as_json", is_flag=True, help="Print nodes and edges as JSON.")
def graph_command(spec: Path, fmt: str, as_json: bool) -> None:
    """Draw an orchestration: steps, the data flowing between them, repeats and retries.

    \b
    Example:
      stepforce graph examples/invoice_sync.yaml
      stepforce graph examples/invoice_sync.yaml --format dot | dot -Tsvg > flow.svg
    """
    graph = build_graph(load_spec(spec))
    if as_json:
        emit_json(graph.to_json())
    else:
        click.echo(to_mermaid(graph) if fmt == "mermaid" else to_dot(graph), nl=False)


#: What ``init`` suggests next: the README's tour, which its tests run verbatim.
NEXT_COMMANDS = (
    "stepforce validate orchestrations/*.yaml",
    "stepforce simulate orchestrations/example.yaml --steps fixtures/example.yaml",
    f"stepforce generate orchestrations/*.yaml --out {GENERATED_DIR}",
    f"stepforce check {GENERATED_DIR}",
)


@click.command("init")
@click.argument(
    "directory",
    required=False,
    default=".",
    type=click.Path(file_okay=False, path_type=Path),
)
@click.option(
    "--ci",
    type=click.Choice(CI_SYSTEMS),
    help="Also write a CI pipeline (github: .github/workflows/stepforce.yml, see docs/deploy.md).",
)
@click.option("--json", "as_json", is_flag=True, help="List the files written as JSON.")
def init_command(directory: Path, ci: str | None, as_json: bool) -> None:
    """Start a project: sfdx-project.json, cumulusci.yml, an example spec and its step class.

    Also fixtures/example.yaml for `stepforce simulate`. Generate into force-app-generated
    (ignored by git; cumulusci.yml and the CI pipeline deploy it): your own code stays in
    force-app. Never overwrites: when a file it would write exists, nothing is written (exit 2).

    \b
    Example:
      stepforce init my-project --ci github
      cd my-project && stepforce validate orchestrations/example.yaml
    """
    files = project_files(project_name(directory)) + (ci_files(ci) if ci else [])
    written = write_new_files(directory, files)
    if as_json:
        emit_json({"directory": str(directory), "files": [str(p) for p in written]})
        return
    for path in written:
        click.echo(f"created {path}")
    click.echo("next" + ("" if directory == Path() else f", in {directory}") + ":")
    for command in NEXT_COMMANDS:
        click.echo(f"  {command}")


COMMANDS: list[click.Command] = [validate_command, schema_command, graph_command, init_command]
