"""What the CumulusCI task modules share: defaults, the task's org as a stepforce connection,
and stepforce's errors as CumulusCI's.

The task classes are in ``stepforce.cli.cumulusci_tasks`` (generate, check, deploy,
schedules) and ``stepforce.cli.cumulusci_run_tasks`` (start a run, doctor); with this one they
are the only modules of stepforce that import cumulusci (an optional extra,
``pip install 'stepforce[cumulusci]'``).
"""

from __future__ import annotations

from typing import Any

from cumulusci.core.exceptions import CommandException, CumulusCIFailure, TaskOptionsError

from stepforce.errors import StepforceError, StillRunningError, UsageError
from stepforce.generator.project import DEFAULT_API_VERSION
from stepforce.generator.scaffold import GENERATED_DIR
from stepforce.runtime_client.auth import OrgConnection

DEFAULT_SPECS = "orchestrations/*.yaml"
DEFAULT_GENERATED = GENERATED_DIR
DEFAULT_RUN_WAIT_MINUTES = 60.0


def as_cumulusci_error(error: StepforceError) -> Exception:
    """stepforce's two branches onto CumulusCI's: the user can fix it, or the org said no."""
    converted: Exception
    if isinstance(error, UsageError):
        converted = TaskOptionsError(str(error))
    elif isinstance(error, StillRunningError):
        converted = CumulusCIFailure(str(error))
    else:
        converted = CommandException(str(error))
    return converted


def project_api_version(task: Any) -> str:
    version = task.project_config.project__package__api_version
    return str(version) if version else DEFAULT_API_VERSION


def task_connection(task: Any) -> OrgConnection:
    """The task's org as a stepforce connection; CumulusCI refreshed the token already."""
    org = task.org_config
    return OrgConnection(
        instance_url=str(org.instance_url).rstrip("/"),
        access_token=str(org.access_token),
        api_version=project_api_version(task),
        source=f"Credentials from the CumulusCI org '{org.name}'.",
    )
