"""Runs pinned to their plan version (issue 14): v1 of a spec is built as a package offline
and "deployed", a run starts on it, v2 with the steps reordered is deployed while the run is
in flight; the run finishes on v1 and a new run takes v2."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from stepforce.generator.generate import generate
from stepforce.generator.plan_document import plan_document
from stepforce.generator.simulate.engine import simulate
from stepforce.generator.simulate.fixtures import Fixtures, Outcome, OutcomeKind
from stepforce.generator.simulate.trace import AttemptEvent, Position, RunStatus, Trace
from stepforce.generator.simulate.versions import PlanShelf, orchestration_of
from stepforce.generator.spec import load_spec_text
from stepforce.generator.spec.model import Orchestration
from stepforce.runtime_client.plans import Usage, plan_cleanup, prune

SPEC = """\
orchestration: Versioned_Sync
inputs:
  seed: {{type: Text, default: s}}
steps:
{steps}
"""
STEP = """\
  - name: {name}
    apex: Step{name}
    inputs: {{seed: $input.seed, day: {{value: "2026-01-02", type: Date}}}}
    outputs: {{out: Text}}
"""
FIXTURES = Fixtures(
    steps={
        name: (Outcome(OutcomeKind.OUTPUTS, {"out": name.lower()}),)
        for name in ("Alpha", "Beta", "Gamma")
    }
)


def _spec(order: tuple[str, ...]) -> str:
    return SPEC.format(steps="".join(STEP.format(name=name) for name in order))


def _package(tmp_path: Path, label: str, order: tuple[str, ...]) -> bytes:
    """Writes the spec and builds its metadata-format package offline, as `deploy` would."""
    spec = tmp_path / label / "versioned.yaml"
    spec.parent.mkdir(parents=True)
    spec.write_text(_spec(order), encoding="utf-8")
    zip_path = tmp_path / f"{label}.zip"
    generate([spec], zip_path, source_dirs=[], mdapi=True)
    return zip_path.read_bytes()


def _steps_run(trace: Trace) -> list[str]:
    return [e.step for e in trace.events if isinstance(e, AttemptEvent)]


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes]:
    folder = tmp_path_factory.mktemp("versions")
    v1 = _package(folder, "v1", ("Alpha", "Beta", "Gamma"))
    v2 = _package(folder, "v2", ("Gamma", "Beta", "Alpha"))
    return v1, v2


def _run(
    shelf: PlanShelf,
    deploy_during: bytes | None = None,
    pinned: bool = True,
    fixtures: Fixtures = FIXTURES,
) -> Trace:
    """A run started on the latest plan; ``deploy_during`` is deployed after its first job.
    Pinned, the engine reads the run's version at every hop; unpinned (before issue 14) it
    read the latest plan by name."""
    version = shelf.latest_version("Versioned_Sync")
    hops: list[Position] = []

    def on_hop(position: Position) -> None:
        hops.append(position)
        if len(hops) == 2 and deploy_during is not None:
            shelf.deploy(deploy_during)

    def plan() -> Orchestration:
        if pinned:
            return orchestration_of(shelf.document(version))
        return orchestration_of(shelf.document(shelf.latest_version("Versioned_Sync")))

    return simulate(plan(), fixtures, plan=plan, on_hop=on_hop)


def test_a_run_finishes_on_its_version_while_new_runs_take_the_next(
    packages: tuple[bytes, bytes],
) -> None:
    v1, v2 = packages
    shelf = PlanShelf()
    shelf.deploy(v1)
    first_version = shelf.latest_version("Versioned_Sync")

    in_flight = _run(shelf, deploy_during=v2)

    assert _steps_run(in_flight) == ["Alpha", "Beta", "Gamma"]
    assert in_flight.status is RunStatus.SUCCEEDED
    assert shelf.latest_version("Versioned_Sync") != first_version
    assert shelf.document(first_version)["version"] == first_version  # v1 is kept
    assert _steps_run(_run(shelf)) == ["Gamma", "Beta", "Alpha"]


def test_an_unpinned_run_would_continue_at_the_same_index_of_another_step_list(
    packages: tuple[bytes, bytes],
) -> None:
    v1, v2 = packages
    shelf = PlanShelf()
    shelf.deploy(v1)

    twice = Outcome(OutcomeKind.OUTPUTS, {"out": "alpha"})
    fixtures = Fixtures(steps={**FIXTURES.steps, "Alpha": (twice, twice)})
    unpinned = _run(shelf, deploy_during=v2, pinned=False, fixtures=fixtures)

    # The defect pinning removes: Alpha, then index 1 and 2 of v2 (Beta, Alpha).
    assert _steps_run(unpinned) == ["Alpha", "Beta", "Alpha"]


def test_a_document_describes_its_orchestration_completely(
    packages: tuple[bytes, bytes],
) -> None:
    shelf = PlanShelf()
    shelf.deploy(packages[0])
    document = shelf.document(shelf.latest_version("Versioned_Sync"))
    assert plan_document(orchestration_of(document)) == document
    original = load_spec_text(_spec(("Alpha", "Beta", "Gamma")), "versioned.yaml")
    assert plan_document(original) == document


def _org_resources(*packages: bytes) -> list[dict[str, str]]:
    """The StaticResource rows an org holds after deploying ``packages`` in order, as the
    deploy's query sees them (Id, Name, Description from each ``-meta.xml``): the latest
    plan's row is replaced, versions are added."""
    rows: dict[str, dict[str, str]] = {}
    for package in packages:
        with zipfile.ZipFile(io.BytesIO(package)) as archive:
            for name in archive.namelist():
                if name.startswith("staticresources/") and name.endswith(".resource-meta.xml"):
                    stem = name.removeprefix("staticresources/").removesuffix(".resource-meta.xml")
                    meta = etree.fromstring(archive.read(name))
                    description = meta.findtext("{*}description") or ""
                    rows[stem] = {
                        "Id": f"081{stem[-15:]}",
                        "Name": stem,
                        "Description": description,
                    }
    return list(rows.values())


def test_deploy_prunes_v1_only_once_its_run_has_finished_and_a_later_deploy_began(
    packages: tuple[bytes, bytes],
) -> None:
    """The generated packages' resource descriptions feed deploy's selection: v1 is in use
    while its run is unfinished, then replaced-during-this-deploy, then pruned."""
    v1, v2 = packages
    shelf = PlanShelf()
    shelf.deploy(v1)
    v1_version = shelf.latest_version("Versioned_Sync")
    owned = frozenset({"Versioned_Sync"})
    before, after = _org_resources(v1), _org_resources(v1, v2)

    def candidates(before_rows: list[dict[str, str]]) -> list[str]:
        found = plan_cleanup(
            before_rows, after, owned=owned, removed=frozenset(), delete_removed=False
        )
        return [r.version for r in found.candidates]

    # The deploy of v2 (v1 was the latest when it began): v1 waits, whatever the runs.
    assert candidates(before) == []
    # The next deploy (v2 the latest already): v1 is a candidate, kept while a run uses it.
    (resource,) = plan_cleanup(
        after, after, owned=owned, removed=frozenset(), delete_removed=False
    ).candidates
    assert resource.version == v1_version
    in_use: Usage = {("Versioned_Sync", v1_version): 1}
    assert prune([resource], in_use) == []
    assert prune([resource], {}) == [resource]
