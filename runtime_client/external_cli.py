"""Ask the Salesforce CLI (``sf``) or CumulusCI (``cci``) for an org's instance URL and token.

Both run as subprocesses with a timeout; cumulusci is never imported (it is an optional extra
whose pins would fight the user's environment). Error messages quote what the tool said, but
never its stdout wholesale, because that is where the token lives.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from stepforce.errors import CredentialsError, ToolMissingError
from stepforce.runtime_client.redact import scrub

Runner = Callable[[Sequence[str], float], "subprocess.CompletedProcess[str]"]

DEFAULT_TIMEOUT = 60.0


def run_subprocess(args: Sequence[str], timeout: float) -> subprocess.CompletedProcess[str]:
    """The real runner: no shell, captured output, a hard timeout."""
    return subprocess.run(list(args), capture_output=True, text=True, timeout=timeout, check=False)


@dataclass(frozen=True)
class ToolCredentials:
    """What a tool reported: where the org is and a token for it."""

    instance_url: str
    access_token: str = field(repr=False)
    username: str | None = None


def _run_json(args: Sequence[str], runner: Runner, timeout: float, install_hint: str) -> Any:
    shown = " ".join(args)
    try:
        completed = runner(args, timeout)
    except FileNotFoundError as error:
        raise ToolMissingError(
            f"`{args[0]}` is not installed or not on PATH ({install_hint}); or set "
            "SF_INSTANCE_URL and SF_ACCESS_TOKEN instead."
        ) from error
    except subprocess.TimeoutExpired as error:
        raise CredentialsError(f"`{shown}` did not answer within {timeout:g} s.") from error
    text = completed.stdout or ""
    try:
        return json.loads(text[text.index("{") :] if "{" in text else text)
    except ValueError as error:
        lines = (completed.stderr or "").strip().splitlines()
        detail = scrub(lines[-1]) if lines else f"exit code {completed.returncode}, no JSON"
        raise CredentialsError(f"`{shown}` failed: {detail}") from error


def _sf_failure(payload: Any, alias: str | None) -> CredentialsError:
    message = payload.get("message") if isinstance(payload, dict) else None
    name = payload.get("name") if isinstance(payload, dict) else None
    login = f"sf org login web -a {alias}" if alias else "sf org login web -a NAME --set-default"
    said = scrub(str(message or name or "no details"))
    return CredentialsError(
        f"The Salesforce CLI has no usable login for {alias or 'the default org'} ({said}); "
        f"log in with `{login}`, or set SF_INSTANCE_URL and SF_ACCESS_TOKEN."
    )


def _is_redacted(token: Any) -> bool:
    return not isinstance(token, str) or not token or "redacted" in token.lower()


def sf_org_credentials(
    alias: str | None, runner: Runner = run_subprocess, timeout: float = DEFAULT_TIMEOUT
) -> ToolCredentials:
    """Instance URL from ``sf org display``; token from ``sf org auth show-access-token``.

    ``show-access-token`` (sf 2.136+) refreshes the token and is the only command that still
    reveals it; older CLIs lack it but show the token in ``org display``, so fall back to that.
    ``alias=None`` lets sf use its configured default org (``target-org``).
    """
    target = ["--target-org", alias] if alias else []
    hint = "npm install --global @salesforce/cli"
    display = _run_json(["sf", "org", "display", *target, "--json"], runner, timeout, hint)
    result = display.get("result") if isinstance(display, dict) else None
    if display.get("status") != 0 or not isinstance(result, dict) or not result.get("instanceUrl"):
        raise _sf_failure(display, alias)
    try:
        shown = _run_json(
            ["sf", "org", "auth", "show-access-token", *target, "--json"], runner, timeout, hint
        )
    except CredentialsError:  # an sf older than the command answers without JSON
        shown = {}
    shown_result = shown.get("result") if isinstance(shown, dict) else None
    token: Any = None
    if shown.get("status") == 0 and isinstance(shown_result, dict):
        token = shown_result.get("accessToken")
    if _is_redacted(token):
        token = result.get("accessToken")
    if _is_redacted(token):
        raise _sf_failure(shown or {"message": "the CLI revealed no access token"}, alias)
    return ToolCredentials(str(result["instanceUrl"]), str(token), result.get("username"))


def cci_org_credentials(
    org_name: str, runner: Runner = run_subprocess, timeout: float = DEFAULT_TIMEOUT
) -> ToolCredentials:
    """``cci org info NAME --json`` prints the org config, refreshing its token first."""
    hint = "pip install 'stepforce[cumulusci]'"
    info = _run_json(["cci", "org", "info", org_name, "--json"], runner, timeout, hint)
    if not isinstance(info, dict) or not info.get("instance_url") or not info.get("access_token"):
        raise CredentialsError(
            f"CumulusCI has no usable login for org '{org_name}'; connect it with "
            f"`cci org connect {org_name}` (or create it with `cci org scratch dev {org_name}`)."
        )
    return ToolCredentials(
        str(info["instance_url"]), str(info["access_token"]), info.get("username")
    )
