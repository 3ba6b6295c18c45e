"""Ask the Salesforce CLI (``sf``) or CumulusCI (``cci``) for an org's instance URL and token.

Both run as subprocesses with a timeout; cumulusci is never imported (it is an optional extra
whose pins would fight the user's environment). Error messages quote what the tool said, but
never its stdout wholesale, because that is where the token lives.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable, Mapping, Sequence
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


def _json_in(text: str) -> Any:
    """The JSON document in a tool's output, or None.

    The document starts at a line that starts with ``{`` or ``[``: cci may print a log banner
    first, itself starting with ``[`` (``[12/04/26 11:40:23] Unable to store an encryption
    key...``), so each candidate line is tried in turn.
    """
    offset = 0
    for line in text.splitlines(keepends=True):
        if line.lstrip().startswith(("{", "[")):
            try:
                return json.loads(text[offset:])
            except ValueError:
                pass
        offset += len(line)
    return None


_NODE_TOO_OLD = re.compile(r"Unsupported Node\.js version [^\s,]+.*", re.IGNORECASE)
_NODE_VERSION = re.compile(r"^Node\.js (v\d+[\d.]*)\s*$", re.MULTILINE)
# "Error: ..." (click, oclif) or an exception line, e.g. "TypeError: ..." (Node) or
# "cumulusci.core.exceptions.OrgNotFound: ..." (the last line of a Python traceback).
_ERROR_LINE = re.compile(r"^(?:Error|ERROR|error)\b.*|^[\w.]*(?:Error|Exception|NotFound)\b.*:.*")
_NOISE = re.compile(r"^(?:at |\^|›?\s*Warning|\(node:\d+\)|$)")


def explain_failure(tool: str, stderr: str, returncode: int) -> str:
    """What a tool that printed no JSON said, in one line: not just its last stderr line.

    A Salesforce CLI that cannot run under the installed Node.js is named as such, both when
    it says so ("Unsupported Node.js version ...") and when it crashes with a stack trace that
    ends in Node's "Node.js vX.Y.Z" footer; otherwise the first error line wins.
    """
    text = stderr or ""
    too_old = _NODE_TOO_OLD.search(text)
    if too_old:
        return (
            f"{too_old.group(0).strip()} — {tool} cannot run on this Node.js: install a "
            "Node.js LTS release the CLI supports, or the CLI's installer (it bundles Node)"
        )
    lines = [line.strip() for line in text.splitlines()]
    meaningful = [line for line in lines if not _NOISE.match(line)]
    errors = [
        # "Error: Failed to create scratch org:" says why on the next meaningful line.
        f"{line} {meaningful[i + 1]}" if line.endswith(":") and i + 1 < len(meaningful) else line
        for i, line in enumerate(meaningful)
        if _ERROR_LINE.match(line)
    ]
    node = _NODE_VERSION.search(text)
    if node and errors:
        return (
            f"{tool} crashed under Node.js {node.group(1)}: {errors[0]} — this {tool} "
            f"probably does not support Node.js {node.group(1)}: check `node --version` "
            f"against the CLI's release notes, or update it "
            "(`npm install --global @salesforce/cli@latest`)"
        )
    if errors:
        return errors[0]
    if meaningful:
        return " ".join(meaningful[:2])
    return f"exit code {returncode} and no output"


def _run_json(args: Sequence[str], runner: Runner, timeout: float, install_hint: str) -> Any:
    """Run a tool with ``--json`` and return its JSON (an error document included: callers
    read ``status``/``message``); without any JSON, say what the tool said instead."""
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
    # sf writes its --json error document to stdout, some versions to stderr.
    for text in (completed.stdout or "", completed.stderr or ""):
        payload = _json_in(text)
        if payload is not None:
            return payload
    detail = explain_failure(args[0], completed.stderr or completed.stdout, completed.returncode)
    raise CredentialsError(f"`{shown}` failed: {scrub(detail)}")


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
    display = display if isinstance(display, dict) else {}
    result = display.get("result")
    if display.get("status") != 0 or not isinstance(result, dict) or not result.get("instanceUrl"):
        raise _sf_failure(display, alias)
    try:
        shown = _run_json(
            ["sf", "org", "auth", "show-access-token", *target, "--json"], runner, timeout, hint
        )
    except CredentialsError:  # an sf older than the command answers without JSON
        shown = {}
    shown = shown if isinstance(shown, dict) else {}
    shown_result = shown.get("result")
    token: Any = None
    if shown.get("status") == 0 and isinstance(shown_result, dict):
        token = shown_result.get("accessToken")
    if _is_redacted(token):
        token = result.get("accessToken")
    if _is_redacted(token):
        raise _sf_failure(shown or {"message": "the CLI revealed no access token"}, alias)
    return ToolCredentials(str(result["instanceUrl"]), str(token), result.get("username"))


def _cci_refusal(org_name: str, listed: Mapping[str, Any]) -> str | None:
    """Why ``cci org info NAME`` must not run, from ``cci org list --json``; None when it may.

    ``cci org info`` refreshes the org's token, and for a scratch org config that was never
    created that refresh *creates the scratch org* (CumulusCI 4.x: ``SfdxOrgConfig.sfdx_info``
    calls ``create_org()`` when ``createable and not created``; the keychain holds a config for
    every ``orgs: scratch:`` entry of cumulusci.yml, so ``dev``, ``qa`` ... always "exist").
    ``cci org list --json`` shows a created scratch org with ``days`` as "alive/total" and its
    ``domain``; one never created has plain ``days`` and an empty domain.
    """
    entry = listed.get(org_name)
    # `cci org scratch CONFIG NAME` only adds a configuration; the org is created by its first
    # use, e.g. the dev_org flow (which also deploys the project).
    create = f"create it with `cci flow run dev_org --org {org_name}`"
    if not isinstance(entry, Mapping):
        known = ", ".join(sorted(str(name) for name in listed)) or "none"
        return (
            f"CumulusCI has no org named '{org_name}' (it knows: {known}); add a scratch org "
            f"with `cci org scratch dev {org_name}` and {create}, or connect an existing org "
            f"with `cci org connect {org_name}`"
        )
    if not entry.get("is_scratch"):
        return None
    if entry.get("expired"):
        return (
            f"the CumulusCI scratch org '{org_name}' has expired; remove it with "
            f"`cci org scratch_delete {org_name}`, then {create}"
        )
    created = "/" in str(entry.get("days", "")) or bool(entry.get("domain"))
    if not created:
        return (
            f"the CumulusCI scratch org '{org_name}' is only a configuration: it has not been "
            f"created yet, and stepforce does not create scratch orgs as a side effect; {create}"
        )
    return None


def cci_org_credentials(
    org_name: str, runner: Runner = run_subprocess, timeout: float = DEFAULT_TIMEOUT
) -> ToolCredentials:
    """``cci org info NAME --json`` prints the org config, refreshing its token first.

    ``cci org list --json`` runs first, so that an uncreated scratch org is refused instead of
    created by ``org info`` (see ``_cci_refusal``).
    """
    hint = "pip install 'stepforce[cumulusci]'"
    listed = _run_json(["cci", "org", "list", "--json"], runner, timeout, hint)
    refusal = _cci_refusal(org_name, listed if isinstance(listed, Mapping) else {})
    if refusal:
        raise CredentialsError(refusal)
    info = _run_json(["cci", "org", "info", org_name, "--json"], runner, timeout, hint)
    if not isinstance(info, dict) or not info.get("instance_url") or not info.get("access_token"):
        raise CredentialsError(
            f"CumulusCI has no usable login for org '{org_name}'; connect it with "
            f"`cci org connect {org_name}` (or create it with "
            f"`cci flow run dev_org --org {org_name}`)."
        )
    return ToolCredentials(
        str(info["instance_url"]), str(info["access_token"]), info.get("username")
    )
