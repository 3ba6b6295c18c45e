"""``stepforce generate`` as a library call: specs in, a written sfdx project (or zip) out."""

from __future__ import annotations

import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from stepforce.deploy_plan import MANIFEST_SECTION, DeployPlan
from stepforce.diagnostics import Diagnostic, errors_only
from stepforce.errors import SpecError, UsageError
from stepforce.generator.mdapi import build_mdapi_zip
from stepforce.generator.plan_names import is_plan_resource
from stepforce.generator.project import DEFAULT_API_VERSION, PACKAGE_XML, build_project
from stepforce.generator.sources import SourceIndex, source_index
from stepforce.generator.spec import validate_paths
from stepforce.generator.spec.model import Orchestration
from stepforce.generator.writer import WriteReport, write_project

_API_VERSION_TEXT = "an API version such as 62.0"


def _is_plan_file(path: str) -> bool:
    """A plan document's body or metadata (``.../staticresources/SfPlan_*``, ``SfPlanV_*``)."""
    folder, _slash, name = path.rpartition("/")
    return folder.rpartition("/")[2] == "staticresources" and is_plan_resource(name)


@dataclass
class GenerateResult:
    orchestrations: list[str]
    report: WriteReport | None  # None for --format mdapi
    zip_path: Path | None = None
    zip_bytes: int = 0
    formatted: bool = False
    seconds: float = 0.0
    diagnostics: list[Diagnostic] = field(default_factory=list)
    deploy_plan: DeployPlan = field(default_factory=DeployPlan)

    @property
    def plans_only(self) -> bool:
        """Only plan documents changed in what a deploy sends (``deploy --plans-only`` will
        do, with no Apex and so no test run). Schedule scripts are not deployed, and the
        manifest only follows the components."""
        if self.report is None:
            return False
        report = self.report
        changes = [*report.created, *report.changed, *report.removed]
        sent = [p for p in changes if not p.startswith("scripts/") and p != PACKAGE_XML]
        return bool(sent) and all(_is_plan_file(p) for p in sent)

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "orchestrations": self.orchestrations,
            "plansOnly": self.plans_only,
            "formatted": self.formatted,
            "warnings": [d.to_json() for d in self.diagnostics],
            "schedules": [
                {"orchestration": s.orchestration, "job": s.job_name, "cron": s.cron}
                for s in self.deploy_plan.schedules
            ],
            "unscheduled": list(self.deploy_plan.unscheduled),
            "removed": list(self.deploy_plan.removed),
        }
        if self.report is not None:
            data.update(self.report.to_json())
        if self.zip_path is not None:
            data["zip"] = {"path": str(self.zip_path), "bytes": self.zip_bytes}
        return data


def check_api_version(text: str) -> str:
    parts = text.split(".")
    if len(parts) != 2 or not parts[0].isdigit() or parts[1] != "0" or int(parts[0]) < 30:
        raise UsageError(f"--api-version {text!r} is not {_API_VERSION_TEXT}")
    if float(text) < float(DEFAULT_API_VERSION):
        # The runtime's own files are written for DEFAULT_API_VERSION; a project whose
        # sourceApiVersion is older than its files fails the rules check (API-VERSION).
        raise UsageError(
            f"--api-version {text} is older than the runtime's API {DEFAULT_API_VERSION}; "
            f"use {DEFAULT_API_VERSION} or later"
        )
    return text


def generate(
    specs: list[Path],
    out: Path,
    *,
    api_version: str = DEFAULT_API_VERSION,
    source_dirs: list[Path] | None = None,
    mdapi: bool = False,
) -> GenerateResult:
    """Validate ``specs``, cross-check their sources, and write the project to ``out``
    (or, with ``mdapi``, a metadata-format zip to the file ``out``)."""
    started = time.perf_counter()
    check_api_version(api_version)
    orchestrations, diagnostics = validate_paths(specs)
    if errors_only(diagnostics):
        raise SpecError(diagnostics)
    index = source_index(specs, source_dirs)
    names = [o.name for o in orchestrations]
    if mdapi:
        return _generate_zip(orchestrations, out, api_version, index, names, diagnostics, started)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file; give a directory for --format source")
    project = build_project(orchestrations, out, api_version, index)
    report = write_project(
        out,
        project.files,
        project.keep_if_present,
        project.format_record,
        project.copied,
        {MANIFEST_SECTION: project.deploy_plan.to_json()},
    )
    return GenerateResult(
        names,
        report,
        formatted=project.formatted,
        seconds=time.perf_counter() - started,
        diagnostics=diagnostics + project.diagnostics,
        deploy_plan=project.deploy_plan,
    )


def _generate_zip(
    orchestrations: list[Orchestration],
    out: Path,
    api_version: str,
    index: SourceIndex,
    names: list[str],
    diagnostics: list[Diagnostic],
    started: float,
) -> GenerateResult:
    if out.is_dir() or (out.exists() and not zipfile.is_zipfile(out)):
        raise UsageError(f"--out {out} exists and is not a zip file; --format mdapi writes a zip")
    with tempfile.TemporaryDirectory(prefix="stepforce-mdapi-") as folder:
        staging = Path(folder)
        project = build_project(orchestrations, staging, api_version, index)
        write_project(staging, project.files, project.keep_if_present)
        content = build_mdapi_zip(staging, api_version)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(content)
    return GenerateResult(
        names,
        None,
        zip_path=out,
        zip_bytes=len(content),
        formatted=project.formatted,
        seconds=time.perf_counter() - started,
        diagnostics=diagnostics + project.diagnostics,
    )
