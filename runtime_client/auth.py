"""Find credentials for an org and say which method found them.

Order (first that applies wins): explicit ``--instance-url`` + ``--access-token``; an sf CLI
alias (``-o``); a CumulusCI org (``--cci-org``); JWT options; then the environment
(``SF_INSTANCE_URL`` + ``SF_ACCESS_TOKEN``, then ``SF_JWT_KEY_FILE``/``SF_CLIENT_ID``/
``SF_USERNAME``); then the sf CLI's default org. Anything given on the command line beats the
environment, so a stale exported token never silently overrides ``-o my-org``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

from stepforce.errors import CredentialsError, OrgError, ToolMissingError, UsageError
from stepforce.runtime_client import external_cli, jwt_auth
from stepforce.runtime_client.external_cli import Runner, ToolCredentials, run_subprocess
from stepforce.runtime_client.network import announce_retry, classify, unreachable
from stepforce.runtime_client.redact import scrub
from stepforce.runtime_client.retry import (
    TRANSIENT_STATUSES,
    RetryPolicy,
    Sleeper,
    real_sleep,
)

DEFAULT_TIMEOUT = 30.0
LOGIN_HINT = (
    "log in with `sf org login web -a NAME` and pass `-o NAME`, "
    "or set SF_INSTANCE_URL and SF_ACCESS_TOKEN"
)

Refresher = Callable[[], ToolCredentials]


@dataclass(frozen=True)
class OrgOptions:
    """The org options every org-facing command takes (see ``cli/org_options.py``)."""

    target_org: str | None = None
    instance_url: str | None = None
    access_token: str | None = field(default=None, repr=False)
    cci_org: str | None = None
    jwt_key_file: str | None = None
    client_id: str | None = None
    username: str | None = None
    login_url: str | None = None
    api_version: str | None = None


class TimeoutSession(requests.Session):
    """A requests session whose every request has a timeout unless the caller sets one.

    Handed to simple-salesforce, which sets none of its own.
    """

    def __init__(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        super().__init__()
        self.default_timeout = timeout

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", self.default_timeout)
        return super().request(method, url, *args, **kwargs)


@dataclass(eq=False)
class OrgConnection:
    """Where an org is, a token for it, the API version to use and how they were found.

    The token never appears in ``repr``/``str``. ``refresh()`` asks the original source for a
    new token (sf, cci and JWT can; a pasted token cannot).
    """

    instance_url: str
    access_token: str = field(repr=False)
    api_version: str
    source: str
    _refresher: Refresher | None = field(default=None, repr=False)
    _old_tokens: list[str] = field(default_factory=list, repr=False)

    @property
    def can_refresh(self) -> bool:
        return self._refresher is not None

    def refresh(self) -> None:
        """Replace the token with a fresh one from the same source, or raise CredentialsError."""
        if self._refresher is None:
            raise CredentialsError(
                f"The access token ({self.source.rstrip('.')}) was refused as expired or "
                f"invalid; {LOGIN_HINT}."
            )
        fresh = self._refresher()
        self._old_tokens.append(self.access_token)
        self.instance_url = _clean_url(fresh.instance_url)
        self.access_token = fresh.access_token

    def secrets(self) -> list[str]:
        """Every token this connection has held, for scrubbing text before it is shown."""
        return [self.access_token, *self._old_tokens]

    def salesforce(self, timeout: float = DEFAULT_TIMEOUT) -> Any:
        """A ``simple_salesforce.Salesforce`` for this org whose requests all time out."""
        from simple_salesforce.api import Salesforce

        return Salesforce(
            instance_url=self.instance_url,
            session_id=self.access_token,
            version=self.api_version,
            session=TimeoutSession(timeout),
        )


def _clean_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if not re.match(r"^https://[A-Za-z0-9.\-]+(:\d+)?$", url):
        raise UsageError(
            f"instance URL {scrub(url)!r} is not an https:// host URL "
            "(e.g. https://mydomain.my.salesforce.com)"
        )
    return url


def _version_key(version: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d+)(?:\.(\d+))?", version.strip())
    if not match:
        raise UsageError(f"API version {version!r} is not a number like 67.0")
    return int(match.group(1)), int(match.group(2) or 0)


def _get_with_retries(
    session: requests.Session, url: str, timeout: float, sleep: Sleeper
) -> requests.Response:
    """GET ``url`` (an unauthenticated, idempotent call), announcing each retry."""
    delays = RetryPolicy().delays()
    attempts = len(delays) + 1
    for attempt, delay in enumerate([*delays, None], start=1):
        try:
            response = session.get(url, timeout=timeout)
        except requests.RequestException as error:
            failure = classify(error, url)
            if delay is None or not failure.retryable:
                raise unreachable("GET", url, failure, attempt, timeout) from None
            reason = failure.describe()
        else:
            if response.status_code not in TRANSIENT_STATUSES:
                return response
            if delay is None:
                raise OrgError(
                    f"{url} answered HTTP {response.status_code} {attempts} times; "
                    "Salesforce may be down for maintenance: see status.salesforce.com",
                    status=response.status_code,
                    url=url,
                )
            reason = f"HTTP {response.status_code}"
        announce_retry(f"GET {url}", reason, attempt, attempts, delay)
        sleep(delay)
    raise AssertionError("unreachable: the loop returns or raises")


def negotiate_api_version(
    instance_url: str,
    cap: str | None,
    session: requests.Session,
    timeout: float = DEFAULT_TIMEOUT,
    sleep: Sleeper = real_sleep,
) -> str:
    """The highest version ``GET /services/data/`` lists, not above ``cap`` when given."""
    url = f"{instance_url}/services/data/"
    response = _get_with_retries(session, url, timeout, sleep)
    try:
        listed = response.json() if response.status_code == 200 else None
    except ValueError:
        listed = None
    entries = listed if isinstance(listed, list) else []
    versions = [str(v["version"]) for v in entries if isinstance(v, dict) and "version" in v]
    if not versions:
        raise OrgError(f"{url} listed no API versions", status=response.status_code, url=url)
    allowed = [v for v in versions if cap is None or _version_key(v) <= _version_key(cap)]
    if not allowed:
        oldest = min(versions, key=_version_key)
        raise UsageError(f"the org's oldest API version is {oldest}; --api-version {cap} is older")
    return max(allowed, key=_version_key)


@dataclass(frozen=True)
class _Method:
    source: str
    fetch: Refresher
    refreshable: bool


def _explicit_pair(url: str | None, token: str | None, what: str) -> _Method | None:
    if not url and not token:
        return None
    if not (url and token):
        raise CredentialsError(f"{what} need both the instance URL and the access token.")
    creds = ToolCredentials(url, token)
    return _Method(f"Credentials from {what}.", lambda: creds, refreshable=False)


def _jwt_method(
    values: tuple[str | None, ...],
    login_url: str,
    origin: str,
    session: requests.Session,
    timeout: float,
) -> _Method | None:
    key_file, client_id, username = values
    if not any(values):
        return None
    if not (key_file and client_id and username):
        raise CredentialsError(
            f"The JWT bearer flow ({origin}) needs a key file, a client id and a username."
        )

    def fetch() -> ToolCredentials:
        return jwt_auth.jwt_bearer_login(key_file, client_id, username, login_url, session, timeout)

    return _Method(
        f"Credentials from the JWT bearer flow as {username} via {login_url} ({origin}).",
        fetch,
        refreshable=True,
    )


def _choose(
    options: OrgOptions,
    env: Mapping[str, str],
    runner: Runner,
    session: requests.Session,
    timeout: float,
) -> _Method:
    explicit = _explicit_pair(
        options.instance_url, options.access_token, "--instance-url and --access-token"
    )
    if explicit:
        return explicit
    if options.target_org:
        alias = options.target_org
        return _Method(
            f"Credentials from the Salesforce CLI org '{alias}' (sf org auth show-access-token).",
            lambda: external_cli.sf_org_credentials(alias, runner),
            refreshable=True,
        )
    if options.cci_org:
        name = options.cci_org
        return _Method(
            f"Credentials from the CumulusCI org '{name}' (cci org info).",
            lambda: external_cli.cci_org_credentials(name, runner),
            refreshable=True,
        )
    login_url = options.login_url or env.get("SF_LOGIN_URL") or jwt_auth.DEFAULT_LOGIN_URL
    jwt_flags = (options.jwt_key_file, options.client_id, options.username)
    method = _jwt_method(jwt_flags, login_url, "command-line options", session, timeout)
    method = method or _explicit_pair(
        env.get("SF_INSTANCE_URL"),
        env.get("SF_ACCESS_TOKEN"),
        "SF_INSTANCE_URL and SF_ACCESS_TOKEN",
    )
    jwt_env = (env.get("SF_JWT_KEY_FILE"), env.get("SF_CLIENT_ID"), env.get("SF_USERNAME"))
    method = method or _jwt_method(jwt_env, login_url, "environment", session, timeout)
    return method or _Method(
        "Credentials from the Salesforce CLI default org (sf org auth show-access-token).",
        lambda: _default_sf_org(runner),
        refreshable=True,
    )


def _default_sf_org(runner: Runner) -> ToolCredentials:
    try:
        return external_cli.sf_org_credentials(None, runner)
    except ToolMissingError as error:
        raise CredentialsError(f"No org credentials were given; {LOGIN_HINT}.") from error


def resolve_org(
    options: OrgOptions,
    *,
    environ: Mapping[str, str] | None = None,
    runner: Runner = run_subprocess,
    session: requests.Session | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    sleep: Sleeper = real_sleep,
) -> OrgConnection:
    """Resolve ``options`` (and the environment) to a connection with a negotiated API version.

    Raises CredentialsError (exit 2) with one sentence on how to log in when nothing usable
    is found.
    """
    env = os.environ if environ is None else environ
    http = session or TimeoutSession(timeout)
    method = _choose(options, env, runner, http, timeout)
    creds = method.fetch()
    instance_url = _clean_url(creds.instance_url)
    cap = options.api_version or env.get("SF_API_VERSION")
    version = negotiate_api_version(instance_url, cap, http, timeout, sleep)
    return OrgConnection(
        instance_url=instance_url,
        access_token=creds.access_token,
        api_version=version,
        source=method.source,
        _refresher=method.fetch if method.refreshable else None,
    )


__all__ = [
    "OrgConnection",
    "OrgOptions",
    "TimeoutSession",
    "negotiate_api_version",
    "resolve_org",
]
