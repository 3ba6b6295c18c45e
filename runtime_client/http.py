"""Every HTTP request the client makes: timeouts, bounded retries, one session refresh, and
Salesforce's error bodies turned into stepforce's typed errors with no token in them.

Retries happen only where repeating the request cannot change the org twice: GETs, a start
that carries a request key, and the pause/resume/cancel transitions (see ``client.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests

from stepforce.errors import (
    ApiLimitError,
    ConflictError,
    CredentialsError,
    NotFoundError,
    OrgError,
    StepforceError,
)
from stepforce.runtime_client.auth import DEFAULT_TIMEOUT, LOGIN_HINT, OrgConnection
from stepforce.runtime_client.network import announce_retry, classify, unreachable
from stepforce.runtime_client.redact import scrub
from stepforce.runtime_client.retry import (
    TRANSIENT_STATUSES,
    RetryPolicy,
    Sleeper,
    real_sleep,
)

RUNTIME_NOT_DEPLOYED = (
    "the stepforce runtime is not deployed in this org (or your user lacks Stepforce access): "
    "run stepforce deploy"
)


def _no_apex_route(code: str | None, message: str) -> bool:
    """Apex REST's own 404 when no class maps the URL (or the user may not run that class):
    ``[{"errorCode": "NOT_FOUND", "message": "Could not find a match for URL"}]``, as opposed
    to the runtime's 404 for an unknown run or orchestration. (Apex Developer Guide,
    "RestResource Annotation": "If no wildcard match is found, an HTTP response status code 404
    is returned"; the body is the REST API's error array.)"""
    return code == "NOT_FOUND" and message.startswith("Could not find a match for URL")


@dataclass(frozen=True)
class HttpResult:
    """A successful (or tolerated) answer; ``lost_attempts`` counts earlier attempts whose
    outcome is unknown (no answer, or a gateway error): the org may have acted on them."""

    status: int
    body: Any
    lost_attempts: int = 0


def first_error(body: Any) -> tuple[str | None, str]:
    """Salesforce's ``[{"errorCode": ..., "message": ...}]`` (or an OAuth error object)."""
    first = body[0] if isinstance(body, list) and body else body
    if isinstance(first, Mapping):
        code = first.get("errorCode") or first.get("error")
        message = first.get("message") or first.get("error_description") or ""
        return (str(code) if code else None), str(message)
    return None, str(body or "")[:500]


class Transport:
    """Sends requests for one org connection through simple-salesforce's session."""

    def __init__(
        self,
        connection: OrgConnection,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        sleep: Sleeper = real_sleep,
    ) -> None:
        self.connection = connection
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._sf = connection.salesforce(timeout)

    @property
    def apex_url(self) -> str:
        return f"{self.connection.instance_url}/services/apexrest/"

    @property
    def data_url(self) -> str:
        return f"{self.connection.instance_url}/services/data/v{self.connection.api_version}/"

    def scrub(self, text: str) -> str:
        return scrub(text, self.connection.secrets())

    def query(self, soql: str, *, tooling: bool = False) -> list[dict[str, Any]]:
        """Every record of ``soql`` (through the Tooling API with ``tooling``), following
        ``nextRecordsUrl`` while ``done`` is false (REST API Developer Guide, "Execute a SOQL
        Query" and "Query More Results"). OrgError for an answer that is not a query result,
        and for a cut list with no next page: a part must never be read as the whole."""
        base = self.data_url + ("tooling/" if tooling else "")
        body = self.request("GET", base + "query/", params={"q": soql}, idempotent=True).body
        records: list[dict[str, Any]] = []
        while True:
            if not isinstance(body, dict):
                raise OrgError("the org's query answer is not a query result")
            records += [r for r in body.get("records") or [] if isinstance(r, dict)]
            if body.get("done", True) is not False:
                return records
            next_url = body.get("nextRecordsUrl")
            if not isinstance(next_url, str) or not next_url.startswith("/services/data/"):
                raise OrgError("the org's query answer has more records but no nextRecordsUrl")
            url = self.connection.instance_url + next_url
            body = self.request("GET", url, idempotent=True).body

    def request(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        idempotent: bool,
        tolerate_conflict_after_loss: bool = False,
    ) -> HttpResult:
        """Send one request, retrying transient failures only when ``idempotent``."""
        delays = self.retry.delays() if idempotent else []
        lost = 0
        refreshed = False
        while True:
            try:
                response = self._send(method, url, json, params)
            except requests.RequestException as error:
                failure = classify(error, url)
                if failure.retryable and lost < len(delays):
                    self._wait(method, url, failure.describe(), lost, delays)
                    lost += 1
                    continue
                # Not chained: requests' own text can carry a URL or header with the token.
                raise unreachable(
                    method,
                    self.scrub(url),
                    failure,
                    lost + 1,
                    self.timeout,
                    unknown=not idempotent,
                ) from None
            status = response.status_code
            if status in TRANSIENT_STATUSES and lost < len(delays):
                self._wait(method, url, f"HTTP {status}", lost, delays)
                lost += 1
                continue
            body = _body(response)
            code, message = first_error(body) if status >= 400 else (None, "")
            if status == 401:
                if refreshed:
                    raise CredentialsError(
                        f"The org still refused the session after a refresh "
                        f"({code or 'HTTP 401'}: {self.scrub(message)}); {LOGIN_HINT}."
                    )
                self._refresh(code)
                refreshed = True
                continue
            if status == 409 and lost and tolerate_conflict_after_loss:
                return HttpResult(status, body, lost)
            if status >= 400:
                raise self._error(status, code, message, url, body, lost)
            return HttpResult(status, body, lost)

    def _send(
        self, method: str, url: str, json: Any, params: Mapping[str, Any] | None
    ) -> requests.Response:
        session: requests.Session = self._sf.session
        headers: dict[str, str] = dict(self._sf.headers)
        response: requests.Response = session.request(
            method, url, headers=headers, json=json, params=params, timeout=self.timeout
        )
        return response

    def _refresh(self, code: str | None) -> None:
        """An expired session (INVALID_SESSION_ID) gets one new token, where the source can."""
        if not self.connection.can_refresh:
            said = f" ({code})" if code else ""
            raise CredentialsError(
                f"The org refused the access token{said}: it expired or was revoked "
                f"({self.connection.source.rstrip('.')}); {LOGIN_HINT}."
            )
        try:
            self.connection.refresh()
        except StepforceError as error:
            raise CredentialsError(
                f"The session expired and could not be refreshed: {self.scrub(str(error))}"
            ) from error
        self._sf = self.connection.salesforce(self.timeout)

    def _wait(self, method: str, url: str, reason: str, lost: int, delays: list[float]) -> None:
        """Announce the retry (attempt ``lost + 1`` failed), then wait before the next one."""
        what = f"{method} {self.scrub(url)}"
        announce_retry(what, reason, lost + 1, len(delays) + 1, delays[lost])
        self._sleep(delays[lost])

    def _error(
        self, status: int, code: str | None, message: str, url: str, body: Any, lost: int
    ) -> OrgError:
        clean_url = self.scrub(url)
        said = self.scrub(message) or f"HTTP {status}"
        safe_body = self.scrub(str(body))
        if code == "REQUEST_LIMIT_EXCEEDED":
            return ApiLimitError(
                f"{said} The org's 24-hour API request limit (DailyApiRequests) is used up; "
                "no request was retried. Wait for the rolling window to free calls, or ask "
                "Salesforce to raise the limit.",
                status=status,
                error_code=code,
                url=clean_url,
                body=safe_body,
            )
        if status == 404 and _no_apex_route(code, message) and url.startswith(self.apex_url):
            return NotFoundError(
                f"{RUNTIME_NOT_DEPLOYED}. (Salesforce said: {said})",
                status=status,
                error_code=code,
                url=clean_url,
                body=safe_body,
            )
        kind: type[OrgError] = OrgError
        if status == 404:
            kind = NotFoundError
        elif status == 409:
            kind = ConflictError
        if status in TRANSIENT_STATUSES:
            said = f"{said} (still failing after {lost + 1} attempts)"
        return kind(said, status=status, error_code=code, url=clean_url, body=safe_body)


def translate_salesforce_error(error: Exception, secrets: list[str]) -> OrgError:
    """A simple-salesforce ``SalesforceError`` as stepforce's typed error, token-free.

    Its ``str()`` embeds the URL and the whole response body, which can echo headers or a
    session id; only the scrubbed error code and message are kept.
    """
    status = getattr(error, "status", None)
    content = getattr(error, "content", None)
    url = scrub(str(getattr(error, "url", "") or ""), secrets)
    code, message = first_error(content)
    said = scrub(message, secrets) or f"HTTP {status}"
    kwargs: dict[str, Any] = {
        "status": status,
        "error_code": code,
        "url": url,
        "body": scrub(str(content), secrets),
    }
    if code == "REQUEST_LIMIT_EXCEEDED":
        return ApiLimitError(f"{said} The org's 24-hour API request limit is used up.", **kwargs)
    if status == 404:
        return NotFoundError(said, **kwargs)
    if status == 409:
        return ConflictError(said, **kwargs)
    return OrgError(said, **kwargs)


def _body(response: requests.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text
