"""The one exception tree of stepforce.

Two branches, after CumulusCI: :class:`UsageError` is something the user can fix (a bad spec,
missing credentials, a missing tool) and exits 2; :class:`FailureError` is the org or a check
saying no, and exits 1. :class:`StillRunningError` (exit 3) means a wait gave up while the work
goes on. The CLI catches :class:`StepforceError` once, in ``main()``, and prints the message
without a traceback. Messages never contain access tokens.
"""

from __future__ import annotations

from typing import Any, ClassVar

from stepforce.diagnostics import Diagnostic


class StepforceError(Exception):
    """Root of every error stepforce raises on purpose."""

    exit_code: ClassVar[int] = 1


class UsageError(StepforceError):
    """Bad input or usage the user can fix: exit code 2."""

    exit_code = 2


class SpecError(UsageError):
    """A spec (or fixtures file) failed loading or validation; carries every problem found."""

    def __init__(self, diagnostics: list[Diagnostic], summary: str | None = None) -> None:
        self.diagnostics = list(diagnostics)
        errors = [d for d in self.diagnostics if d.is_error]
        head = summary or f"{len(errors)} problem{'s' if len(errors) != 1 else ''} found"
        super().__init__("\n".join([head, *(str(d) for d in self.diagnostics)]))


class CredentialsError(UsageError):
    """No usable org credentials, or they expired: says how to log in."""


class ToolMissingError(UsageError):
    """A tool an operation needs (java, node, npm package) is not available."""


class FailureError(StepforceError):
    """The work was done and the answer was no: a check failed, a run failed, a deploy failed."""

    exit_code = 1


class CheckFailedError(FailureError):
    """Offline checks found errors."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        super().__init__(f"{len(self.diagnostics)} problem(s) found by the offline checks")


class OrgError(FailureError):
    """Salesforce answered with an error; carries what it said (never the session id)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error_code: str | None = None,
        url: str | None = None,
        body: Any = None,
    ) -> None:
        self.status = status
        self.error_code = error_code
        self.url = url
        self.body = body
        prefix = f"{error_code}: " if error_code else ""
        super().__init__(f"{prefix}{message}")


class NotFoundError(OrgError):
    """404: unknown run, orchestration or resource."""


class ConflictError(OrgError):
    """409: an illegal transition, e.g. resuming a run that already succeeded."""


class ApiLimitError(OrgError):
    """REQUEST_LIMIT_EXCEEDED: the org's shared daily API budget is spent; never retried."""


class RunFailedError(FailureError):
    """A run (real or simulated) ended Failed or Cancelled."""


class StillRunningError(StepforceError):
    """A wait gave up while the work continues: exit code 3."""

    exit_code = 3
