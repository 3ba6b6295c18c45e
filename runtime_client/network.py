"""Why a request got no answer, in the user's words, and what to do about it.

``requests`` reports a DNS typo, a closed port, a rejected certificate and a slow org all as
some ``ConnectionError`` whose text is a wall of urllib3 internals. :func:`classify` walks the
exception chain (requests -> urllib3 ``MaxRetryError`` -> ``NameResolutionError`` /
``NewConnectionError`` / ``SSLError`` -> the socket error) and names the cause, the host and
whether asking again can help. A DNS name that does not exist or a certificate that is refused
will not fix itself within seconds, so those are not retried; a refused or reset connection, a
timeout and a temporary resolver failure are.

Retries are announced on the ``stepforce.runtime_client`` logger (the CLI shows them on
stderr), so a user never waits through seconds of silence.
"""

from __future__ import annotations

import logging
import re
import socket
import ssl
from dataclasses import dataclass
from enum import Enum
from urllib.parse import urlparse

import requests

from stepforce.errors import OrgError
from stepforce.runtime_client.redact import scrub

LOG = logging.getLogger("stepforce.runtime_client")


class Cause(Enum):
    DNS = "name not resolved"
    DNS_TEMPORARY = "DNS lookup failed for now"
    REFUSED = "connection refused"
    TLS = "TLS/certificate error"
    CONNECT_TIMEOUT = "connect timeout"
    READ_TIMEOUT = "read timeout"
    RESET = "connection reset"
    OTHER = "connection error"


# getaddrinfo's "no such name" codes (EAI_NONAME, EAI_NODATA where defined): retrying is useless.
_NO_SUCH_NAME = {getattr(socket, n) for n in ("EAI_NONAME", "EAI_NODATA") if hasattr(socket, n)}
_TEXT_CAUSES = (
    (re.compile(r"Name or service not known|nodename nor servname|No such host"), Cause.DNS),
    (re.compile(r"Temporary failure in name resolution|Failed to resolve"), Cause.DNS_TEMPORARY),
    (re.compile(r"Connection refused|actively refused", re.I), Cause.REFUSED),
    (re.compile(r"CERTIFICATE_VERIFY_FAILED|certificate verify failed|SSL|TLS"), Cause.TLS),
    (re.compile(r"Connection reset|Connection aborted|RemoteDisconnected", re.I), Cause.RESET),
)


@dataclass(frozen=True)
class NetworkFailure:
    """A request that got no HTTP answer: the cause, the host, and what the cause means."""

    cause: Cause
    host: str
    detail: str = ""

    @property
    def retryable(self) -> bool:
        return self.cause not in (Cause.DNS, Cause.TLS)

    @property
    def reached_org(self) -> bool:
        """False when the request cannot have reached the org (so it cannot have acted)."""
        return self.cause in (Cause.READ_TIMEOUT, Cause.RESET, Cause.OTHER)

    def describe(self) -> str:
        repeats = self.detail.lower() == self.cause.value.lower()
        said = f": {self.detail}" if self.detail and not repeats else ""
        return f"{self.cause.value} for {self.host}{said}"

    def hint(self, timeout: float) -> str:
        host = self.host
        hints = {
            Cause.DNS: f"check the host name {host} (a typo? a renamed My Domain?) or your DNS",
            Cause.DNS_TEMPORARY: "the DNS resolver did not answer: check the network or VPN",
            Cause.REFUSED: (
                f"nothing accepts connections at {host}: check the URL's port, and the proxy "
                "settings (HTTPS_PROXY)"
            ),
            Cause.TLS: (
                f"the certificate of {host} was not accepted: check the URL; behind a proxy "
                "that inspects TLS, point REQUESTS_CA_BUNDLE at its CA certificate"
            ),
            Cause.CONNECT_TIMEOUT: (
                f"{host} did not accept a connection within {timeout:g} s: a firewall, VPN or "
                "proxy (HTTPS_PROXY) may be dropping it"
            ),
            Cause.READ_TIMEOUT: (
                f"{host} took the request but sent no answer within {timeout:g} s: the org may "
                "be slow or still working on it; try again"
            ),
            Cause.RESET: f"the connection to {host} broke: check the network, VPN or proxy",
            Cause.OTHER: f"check the URL and your network connection to {host}",
        }
        return hints[self.cause]


def _chain(error: BaseException) -> list[BaseException]:
    """The error and everything it wraps: args, urllib3's ``reason``, cause and context."""
    seen: list[BaseException] = []
    todo: list[BaseException] = [error]
    while todo:
        current = todo.pop(0)
        if any(current is known for known in seen):
            continue
        seen.append(current)
        linked = [getattr(current, "reason", None), current.__cause__, current.__context__]
        linked += list(current.args)
        todo += [item for item in linked if isinstance(item, BaseException)]
    return seen


def _cause_of(error: BaseException) -> Cause:
    chain = _chain(error)
    for item in chain:
        if isinstance(item, socket.gaierror):
            return Cause.DNS if item.errno in _NO_SUCH_NAME else Cause.DNS_TEMPORARY
        if isinstance(item, ConnectionRefusedError):
            return Cause.REFUSED
        if isinstance(item, ssl.SSLError | requests.exceptions.SSLError):
            return Cause.TLS
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return Cause.CONNECT_TIMEOUT
    if isinstance(error, requests.exceptions.ReadTimeout):
        return Cause.READ_TIMEOUT
    if any(isinstance(item, ConnectionResetError | ConnectionAbortedError) for item in chain):
        return Cause.RESET
    text = " ".join(str(item) for item in chain)
    return next((cause for pattern, cause in _TEXT_CAUSES if pattern.search(text)), Cause.OTHER)


def _detail(error: BaseException, cause: Cause) -> str:
    """The one phrase of the underlying error worth showing (never a URL: it may carry a sid)."""
    text = " ".join(str(item) for item in _chain(error))
    errno_text = (r"\[Errno -?\d+\] ([^)\"']+)",)
    patterns: dict[Cause, tuple[str, ...]] = {
        Cause.TLS: (r"certificate verify failed: ([^(\"')]+)", r"(\[SSL[^\]]*\][^(\"')]*)"),
        Cause.DNS: errno_text,
        Cause.DNS_TEMPORARY: errno_text,
        Cause.REFUSED: errno_text,
    }
    for pattern in patterns.get(cause, ()):
        match = re.search(pattern, text)
        if match:
            return scrub(match.group(1).strip())
    return ""


def classify(error: BaseException, url: str) -> NetworkFailure:
    """Name the cause of a failed request to ``url`` (the host is taken from the URL)."""
    parsed = urlparse(url)
    host = parsed.hostname or "the org"
    if parsed.port:
        host = f"{host}:{parsed.port}"
    cause = _cause_of(error)
    return NetworkFailure(cause, host, _detail(error, cause))


class UnreachableError(OrgError):
    """The org could not be reached (no HTTP answer): exit 1, with the cause and a hint."""

    def __init__(self, message: str, failure: NetworkFailure, *, url: str | None = None) -> None:
        self.failure = failure
        super().__init__(message, url=url)


def unreachable(
    method: str,
    url: str,
    failure: NetworkFailure,
    attempts: int,
    timeout: float,
    *,
    unknown: bool = False,
) -> UnreachableError:
    """The error for ``method url`` (already scrubbed) after ``attempts`` tries.

    ``unknown``: the request was not safe to repeat, so say whether the org may have acted.
    """
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    maybe = "; whether the org acted on it is unknown" if unknown and failure.reached_org else ""
    return UnreachableError(
        f"{method} {url} got no answer{tries} ({failure.describe()}){maybe}. "
        f"Hint: {failure.hint(timeout)}.",
        failure,
        url=url,
    )


def announce_retry(what: str, reason: str, attempt: int, attempts: int, wait: float) -> None:
    """Say that attempt ``attempt`` of ``attempts`` failed and when the next one starts."""
    LOG.warning(
        "%s: %s (attempt %d of %d); retrying in %g s", what, reason, attempt, attempts, wait
    )
