"""``stepforce doctor`` as a library call: deploy the probe package, run the probes
concurrently, judge them, remove the package.

Org time by design (docs/doctor.md): the deploy of the runtime and the probe package (a few
minutes), the longest probe (about 160 s: two retries with a 1-minute delay) while the others
run beside it, and the clean-up deploy; under 10 minutes in all. API calls: the deploy's
(docs/deploy.md), 1 userinfo, per probe 1 start and 1 GET per poll, 1 clean-up deploy and its
status checks.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stepforce.errors import FailureError, StepforceError, StillRunningError, UsageError
from stepforce.generator.writer import read_deploy_plan
from stepforce.runtime_client.client import StepforceClient
from stepforce.runtime_client.deploy import Deployer, DeployRequest, OrgKind, Poller, deploy_zip
from stepforce.runtime_client.deploy_flow import Lifecycle, deploy_with_lifecycle
from stepforce.runtime_client.doctor.drives import DRIVES, Driver
from stepforce.runtime_client.doctor.package import ProbePackage, build_probe_package
from stepforce.runtime_client.doctor.probes import ENGINE_DOC, Observed, Probe
from stepforce.runtime_client.models import Run

PASS, FAIL, TIMEOUT = "PASS", "FAIL", "TIMEOUT"
CLEANUP_WAIT_MINUTES = 5.0


@dataclass
class Verdict:
    probe: Probe
    status: str
    seconds: float
    figure: str = ""
    problems: list[str] = field(default_factory=list)
    runs: list[str] = field(default_factory=list)
    jobs: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "probe": self.probe.name,
            "status": self.status,
            "assumption": self.probe.assumption,
            "docs": ENGINE_DOC,
            "expectedSeconds": self.probe.expected_seconds,
            "seconds": round(self.seconds, 1),
            "figure": self.figure,
            "problems": self.problems,
            "runs": self.runs,
            "jobs": self.jobs,
        }


@dataclass
class DoctorReport:
    verdicts: list[Verdict]
    deploy_id: str | None
    cleanup: str  # what became of the probe package
    seconds: float

    @property
    def exit_code(self) -> int:
        if any(v.status == FAIL for v in self.verdicts):
            return 1
        return 3 if any(v.status == TIMEOUT for v in self.verdicts) else 0

    def to_json(self) -> dict[str, Any]:
        return {
            "passed": self.exit_code == 0,
            "deployId": self.deploy_id,
            "cleanup": self.cleanup,
            "seconds": round(self.seconds, 1),
            "probes": [v.to_json() for v in self.verdicts],
        }


@dataclass
class DoctorOrg:
    """The org seen three ways: REST client (runs), Metadata API (deploys), its user."""

    client: StepforceClient
    deployer: Deployer
    poller: Poller
    progress: Callable[[str], None] = lambda _text: None


def user_id(client: StepforceClient) -> str:
    """The connection's user, from the OpenID Connect UserInfo endpoint (``user_id``)."""
    url = client.connection.instance_url.rstrip("/") + "/services/oauth2/userinfo"
    body = client.transport.request("GET", url, idempotent=True).body
    found = body.get("user_id") if isinstance(body, dict) else None
    if not found:
        raise FailureError("the org's userinfo endpoint named no user_id")
    return str(found)


def _run_evidence(run: Run) -> str:
    """The run id with its org time (startedAt to finishedAt) once it has ended."""
    took = run.duration() if run.finished_at else None
    return f"{run.id} ({took.total_seconds():.0f} s)" if took is not None else run.id


def judge(probe: Probe, seen: Observed, seconds: float, error: StepforceError | None) -> Verdict:
    latest: dict[str, Run] = {}
    for run in seen.runs.values():  # one run may be seen twice (an idempotent start)
        if run.id not in latest or run.finished_at is not None:
            latest[run.id] = run
    runs = [_run_evidence(run) for run in latest.values()]
    jobs = sorted({s.job_id for run in seen.runs.values() for s in run.steps if s.job_id})
    if isinstance(error, StillRunningError):
        return Verdict(probe, TIMEOUT, seconds, "", [str(error)], runs, jobs)
    if error is not None:
        return Verdict(probe, FAIL, seconds, "", [f"{type(error).__name__}: {error}"], runs, jobs)
    problems, figure = probe.judge(seen)
    return Verdict(probe, FAIL if problems else PASS, seconds, figure, problems, runs, jobs)


def run_probe(probe: Probe, driver: Driver) -> Verdict:
    seen = Observed(driver.user_id)
    clock = driver.client.clock
    started = clock.monotonic()
    error: StepforceError | None = None
    try:
        DRIVES[probe.name](driver, seen)
    except StepforceError as caught:
        error = caught
    return judge(probe, seen, clock.monotonic() - started, error)


def deploy_probes(org: DoctorOrg, probe_package: ProbePackage, minutes: float) -> str:
    """Deploy the runtime and the probe package the way ``stepforce deploy`` does."""
    ids: list[str] = []
    outcome = deploy_with_lifecycle(
        org.deployer,
        probe_package.package.to_zip,
        DeployRequest(),
        Lifecycle(plan=read_deploy_plan(probe_package.project), unschedule_first=True),
        has_apex=True,
        wait_minutes=minutes,
        poller=org.poller,
        on_warning=lambda text: org.progress(f"warning: {text}"),
        on_started=lambda deploy_id, _request: ids.append(deploy_id),
    )
    if not outcome.succeeded:
        problems = "; ".join(
            f"{f.full_name or f.file_name}: {f.problem}" for f in outcome.result.component_failures
        )
        raise FailureError(f"the probe package did not deploy ({outcome.result.id}): {problems}")
    return outcome.result.id


def remove_probes(org: DoctorOrg, probe_package: ProbePackage) -> str:
    """Deactivate the probe Flow, then delete every probe component (two deploys)."""
    result = None
    try:
        for zip_bytes in (probe_package.deactivate_zip(), probe_package.cleanup_zip()):
            result = deploy_zip(
                org.deployer,
                zip_bytes,
                DeployRequest(),
                has_apex=False,
                wait_minutes=CLEANUP_WAIT_MINUTES,
                poller=org.poller,
            )
            if result.status != "Succeeded":
                problems = "; ".join(f.problem for f in result.component_failures)
                return f"not removed: deploy {result.id} {result.status} {problems}".rstrip()
    except StepforceError as error:
        return f"not removed: {error}"
    assert result is not None
    return f"removed (deploy {result.id})"


def run_doctor(
    org: DoctorOrg, probes: Sequence[Probe], *, timeout_minutes: float, keep: bool
) -> DoctorReport:
    if org.deployer.org_kind() is OrgKind.PRODUCTION:
        raise UsageError(
            "stepforce doctor deploys the runtime and a probe package: run it in a scratch org, "
            "a sandbox or a Developer Edition org, never in production"
        )
    started = org.client.clock.monotonic()
    deadline = started + timeout_minutes * 60
    driver = Driver(org.client, user_id(org.client), deadline)
    with tempfile.TemporaryDirectory(prefix="stepforce-doctor-") as work:
        org.progress("Generating the probe package")
        probe_package = build_probe_package(Path(work), org.client.connection.instance_url)
        org.progress("Deploying the runtime and the probe package")
        deploy_id = deploy_probes(org, probe_package, max(driver.remaining(), 1) / 60)
        org.progress(f"Deployed ({deploy_id}); running {len(probes)} probe(s)")
        with ThreadPoolExecutor(max_workers=max(len(probes), 1)) as pool:
            verdicts = list(pool.map(lambda probe: _announced(org, probe, driver), probes))
        if keep:
            cleanup = "kept (--keep)"
        elif any(v.status == TIMEOUT for v in verdicts):
            cleanup = "kept: probe runs are still going; run the doctor again to remove it"
        else:
            org.progress("Removing the probe package")
            cleanup = remove_probes(org, probe_package)
    seconds = org.client.clock.monotonic() - started
    return DoctorReport(verdicts, deploy_id, cleanup, seconds)


def _announced(org: DoctorOrg, probe: Probe, driver: Driver) -> Verdict:
    verdict = run_probe(probe, driver)
    org.progress(f"{verdict.status} {probe.name} ({verdict.seconds:.0f} s)")
    return verdict
