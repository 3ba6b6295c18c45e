"""Org failures that explain themselves: the cause of a failed connection (DNS, refused, TLS,
timeouts) with the host, announced retries, the runtime-not-deployed hint, and the real
error of a failing ``sf`` or ``cci``.

The connection errors are built the way requests/urllib3 2.x chain them (checked against
real failures: ``requests.get("https://127.0.0.1:1")`` and an unknown ``.invalid`` host).
"""

from __future__ import annotations

import logging
import socket
import ssl
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
import requests
import responses
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ReadTimeoutError,
)
from urllib3.exceptions import SSLError as Urllib3SSLError

from stepforce.errors import CredentialsError, NotFoundError
from stepforce.runtime_client.auth import OrgConnection, OrgOptions, resolve_org
from stepforce.runtime_client.client import StepforceClient
from stepforce.runtime_client.external_cli import explain_failure
from stepforce.runtime_client.network import Cause, UnreachableError, classify
from stepforce.runtime_client.retry import RetryPolicy

from .conftest import APEX, INSTANCE, RUN_ID, TOKEN, VERSIONS, FakeClock, invoke
from .test_auth import FakeRunner

HOST = "acme.my.salesforce.com"
TYPO = "https://acme.my.salesforce.con"


def _wrapped(reason: Exception, kind: type[requests.RequestException]) -> Exception:
    """requests' error around urllib3's MaxRetryError around ``reason``, as requests raises."""
    return kind(MaxRetryError(None, "/services/data/", reason))  # type: ignore[arg-type]


def dns_error(host: str = HOST) -> Exception:
    gai = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    reason = NameResolutionError(host, None, gai)  # type: ignore[arg-type]
    reason.__cause__ = gai
    return _wrapped(reason, requests.exceptions.ConnectionError)


def refused_error() -> Exception:
    refused = ConnectionRefusedError(111, "Connection refused")
    reason = NewConnectionError(
        None,  # type: ignore[arg-type]
        "Failed to establish a new connection: [Errno 111] Connection refused",
    )
    reason.__cause__ = refused
    return _wrapped(reason, requests.exceptions.ConnectionError)


def tls_error() -> Exception:
    verify = ssl.SSLCertVerificationError(
        1,
        "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate "
        "in certificate chain (_ssl.c:1006)",
    )
    return _wrapped(Urllib3SSLError(verify), requests.exceptions.SSLError)


def connect_timeout_error() -> Exception:
    reason = ConnectTimeoutError(None, f"Connection to {HOST} timed out. (connect timeout=30)")
    return _wrapped(reason, requests.exceptions.ConnectTimeout)


def read_timeout_error() -> Exception:
    return requests.exceptions.ReadTimeout(
        ReadTimeoutError(None, "/x", "Read timed out. (read timeout=30)")  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("error", "cause", "detail"),
    [
        (dns_error(), Cause.DNS, "Name or service not known"),
        (refused_error(), Cause.REFUSED, "Connection refused"),
        (tls_error(), Cause.TLS, "self-signed certificate in certificate chain"),
        (connect_timeout_error(), Cause.CONNECT_TIMEOUT, ""),
        (read_timeout_error(), Cause.READ_TIMEOUT, ""),
    ],
)
def test_each_connection_failure_is_named_with_its_host(
    error: Exception, cause: Cause, detail: str
) -> None:
    failure = classify(error, f"https://{HOST}/services/data/")
    assert failure.cause is cause
    assert failure.host == HOST
    assert failure.detail == detail
    assert HOST in failure.describe()


def test_a_temporary_dns_failure_is_retryable_but_an_unknown_name_is_not() -> None:
    gai = socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
    reason = NameResolutionError(HOST, None, gai)  # type: ignore[arg-type]
    reason.__cause__ = gai
    temporary = classify(_wrapped(reason, requests.exceptions.ConnectionError), "https://x.y/")
    assert temporary.cause is Cause.DNS_TEMPORARY
    assert temporary.retryable
    assert not classify(dns_error(), "https://x.y/").retryable
    assert not classify(tls_error(), "https://x.y/").retryable


def test_a_real_refused_connection_is_classified_as_refused() -> None:
    with socket.socket() as probe:  # a port nobody listens on: bind, then close
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"https://127.0.0.1:{port}/services/data/"
    with pytest.raises(requests.RequestException) as info:
        requests.get(url, timeout=5)
    failure = classify(info.value, url)
    assert (failure.cause, failure.host) == (Cause.REFUSED, f"127.0.0.1:{port}")


def test_a_dns_typo_fails_at_once_with_the_host_and_a_hint(
    mocked: responses.RequestsMock,
) -> None:
    mocked.get(f"{TYPO}/services/data/", body=dns_error("acme.my.salesforce.con"))
    waits: list[float] = []
    with pytest.raises(UnreachableError) as info:
        resolve_org(
            OrgOptions(instance_url=TYPO, access_token=TOKEN), environ={}, sleep=waits.append
        )
    message = str(info.value)
    assert "name not resolved for acme.my.salesforce.con" in message
    assert "check the host name acme.my.salesforce.con" in message
    assert waits == []  # an unknown name does not come back within seconds
    assert info.value.exit_code == 1


def test_a_refused_port_is_retried_with_a_message_per_attempt(
    mocked: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    mocked.get(f"{INSTANCE}/services/data/", body=refused_error())
    waits: list[float] = []
    with (
        caplog.at_level(logging.INFO, logger="stepforce.runtime_client"),
        pytest.raises(UnreachableError) as info,
    ):
        resolve_org(
            OrgOptions(instance_url=INSTANCE, access_token=TOKEN), environ={}, sleep=waits.append
        )
    assert waits == [1.0, 2.0, 4.0]
    notes = [record.getMessage() for record in caplog.records]
    assert notes == [
        f"GET {INSTANCE}/services/data/: connection refused for {HOST} "
        f"(attempt {n} of 4); retrying in {wait:g} s"
        for n, wait in ((1, 1.0), (2, 2.0), (3, 4.0))
    ]
    assert "after 4 attempts (connection refused for acme.my.salesforce.com" in str(info.value)
    assert "nothing accepts connections at acme.my.salesforce.com" in str(info.value)


def test_the_cli_shows_the_retries_and_the_cause_on_stderr(
    mocked: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)  # real_sleep, the CLI's default
    mocked.get(f"{INSTANCE}/services/data/", body=connect_timeout_error())
    code, out, err = invoke(["run", "status", RUN_ID])
    assert code == 1
    assert out == ""
    assert "(attempt 1 of 4); retrying in 1 s" in err
    assert "(attempt 3 of 4); retrying in 4 s" in err
    assert f"error: GET {INSTANCE}/services/data/ got no answer after 4 attempts" in err
    assert f"connect timeout for {HOST}" in err
    assert "a firewall, VPN or proxy" in err
    assert slept == [1.0, 2.0, 4.0]


def test_a_tls_error_on_a_client_call_is_not_retried_and_names_the_certificate(
    mocked: responses.RequestsMock, connection: OrgConnection, clock: FakeClock
) -> None:
    mocked.get(f"{APEX}/{RUN_ID}", body=tls_error())
    client = StepforceClient(connection, clock=clock)
    with pytest.raises(UnreachableError) as info:
        client.get_run(RUN_ID)
    assert clock.sleeps == []
    assert "TLS/certificate error for acme.my.salesforce.com" in str(info.value)
    assert "REQUESTS_CA_BUNDLE" in str(info.value)


def test_a_read_timeout_on_a_retry_post_says_the_outcome_is_unknown(
    mocked: responses.RequestsMock, connection: OrgConnection, clock: FakeClock
) -> None:
    mocked.post(f"{APEX}/{RUN_ID}/retry", body=read_timeout_error())
    client = StepforceClient(connection, clock=clock, retry=RetryPolicy(attempts=2))
    with pytest.raises(UnreachableError, match="whether the org acted on it is unknown"):
        client.retry(RUN_ID)
    # A refused connection never reached the org: nothing to be unsure about.
    mocked.post(f"{APEX}/{RUN_ID}/retry", body=refused_error())
    mocked.replace(responses.POST, f"{APEX}/{RUN_ID}/retry", body=refused_error())
    with pytest.raises(UnreachableError) as info:
        client.retry(RUN_ID)
    assert "unknown" not in str(info.value)


# Apex REST's answer when no @RestResource maps the URL, or the user may not run the class.
NO_ROUTE = [{"errorCode": "NOT_FOUND", "message": "Could not find a match for URL"}]


def test_apex_rest_not_found_says_the_runtime_is_not_deployed(
    mocked: responses.RequestsMock, connection: OrgConnection, clock: FakeClock
) -> None:
    mocked.get(f"{APEX}/{RUN_ID}", status=404, json=NO_ROUTE)
    with pytest.raises(NotFoundError) as info:
        StepforceClient(connection, clock=clock).get_run(RUN_ID)
    assert "the stepforce runtime is not deployed in this org" in str(info.value)
    assert "(or your user lacks Stepforce access): run stepforce deploy" in str(info.value)
    assert info.value.error_code == "NOT_FOUND"


def test_the_runtimes_own_404_keeps_its_message(
    mocked: responses.RequestsMock, connection: OrgConnection, clock: FakeClock
) -> None:
    mocked.get(
        f"{APEX}/{RUN_ID}",
        status=404,
        json=[{"errorCode": "NOT_FOUND", "message": f"no run {RUN_ID}"}],
    )
    with pytest.raises(NotFoundError) as info:
        StepforceClient(connection, clock=clock).get_run(RUN_ID)
    assert str(info.value) == f"NOT_FOUND: no run {RUN_ID}"


# --- sf and cci failures -------------------------------------------------------------------

# forcedotcom/cli issue #3607: sf 2.142.7 crashing under Node 20.20.2.
SF_NODE_CRASH = """\
(node:4242) Warning: Closing file descriptor 23 on garbage collection
TypeError: webidl.util.markAsUncloneable is not a function
    at new CacheStorage (/usr/lib/node_modules/@salesforce/cli/node_modules/undici/lib/web/\
cache/cachestorage.js:20:17)
    at Object.<anonymous> (/usr/lib/node_modules/@salesforce/cli/node_modules/undici/\
index.js:179:25)
    at Module._compile (node:internal/modules/cjs/loader:1521:14)

Node.js v20.20.2
"""
# The CLI's own version check (bin/run.js of older releases).
SF_NODE_TOO_OLD = "Unsupported Node.js version 10.24.1, version 14.0.0 or later is required.\n"


class CrashingRunner(FakeRunner):
    def __init__(self, stderr: str, answers: dict[str, object | BaseException]) -> None:
        super().__init__(answers)
        self.stderr = stderr

    def __call__(self, args: Sequence[str], timeout: float) -> subprocess.CompletedProcess[str]:
        if args[0] == "sf":
            self.calls.append(list(args))
            return subprocess.CompletedProcess(args, 1, "", self.stderr)
        return super().__call__(args, timeout)


def test_sf_crashing_under_an_unsupported_node_is_named() -> None:
    runner = CrashingRunner(SF_NODE_CRASH, {})
    with pytest.raises(CredentialsError) as info:
        resolve_org(OrgOptions(target_org="dev"), environ={}, runner=runner)
    message = str(info.value)
    assert "sf crashed under Node.js v20.20.2" in message
    assert "TypeError: webidl.util.markAsUncloneable is not a function" in message
    assert "does not support Node.js v20.20.2" in message
    assert "Warning" not in message


def test_sf_refusing_an_old_node_is_named() -> None:
    message = explain_failure("sf", SF_NODE_TOO_OLD, 1)
    assert message.startswith("Unsupported Node.js version 10.24.1, version 14.0.0 or later")
    assert "sf cannot run on this Node.js" in message


def test_a_tool_error_line_beats_the_last_stderr_line() -> None:
    stderr = "Error: Org with name 'qa' does not exist.\nRun cci org list to see your orgs.\n"
    assert explain_failure("cci", stderr, 1) == "Error: Org with name 'qa' does not exist."
    assert explain_failure("cci", "", 3) == "exit code 3 and no output"
    traceback = (
        "Traceback (most recent call last):\n"
        '  File "/usr/lib/python3.11/site-packages/cumulusci/cli/org.py", line 306, in org_info\n'
        "    org_name, org_config = runtime.get_org(org_name)\n"
        "cumulusci.core.exceptions.OrgNotFound: Org with name 'qa' does not exist.\n"
    )
    assert explain_failure("cci", traceback, 1) == (
        "cumulusci.core.exceptions.OrgNotFound: Org with name 'qa' does not exist."
    )


def test_sf_json_error_on_stderr_gives_its_message() -> None:
    error = '{"name": "NoDefaultEnvError", "message": "No default environment found.", "status": 1}'

    class StderrJson(FakeRunner):
        def __call__(self, args: Sequence[str], timeout: float) -> subprocess.CompletedProcess[str]:
            return subprocess.CompletedProcess(args, 1, "", error)

    with pytest.raises(CredentialsError, match="No default environment found"):
        resolve_org(OrgOptions(target_org="dev"), environ={}, runner=StderrJson({}))


def _cci_list(**entry: object) -> dict[str, object]:
    base = {"is_default": False, "name": "feature", "expired": False, "config": "dev"}
    return {"feature": {**base, **entry}}


def test_cci_org_never_creates_an_uncreated_scratch_org() -> None:
    # `cci org list --json` for a scratch config that was never created: plain days, no domain.
    listed = _cci_list(days="7", domain="", is_scratch=True)
    runner = FakeRunner({"cci org list": listed, "cci org info": RuntimeError("must not run")})
    with pytest.raises(CredentialsError) as info:
        resolve_org(OrgOptions(cci_org="feature"), environ={}, runner=runner)
    message = str(info.value)
    assert "has not been created yet" in message
    assert "cci flow run dev_org --org feature" in message
    assert runner.calls == [["cci", "org", "list", "--json"]]


def test_cci_org_unknown_or_expired_is_refused_with_a_hint() -> None:
    runner = FakeRunner({"cci org list": _cci_list(days="7", domain="", is_scratch=True)})
    with pytest.raises(CredentialsError) as info:
        resolve_org(OrgOptions(cci_org="qa"), environ={}, runner=runner)
    assert "no org named 'qa' (it knows: feature)" in str(info.value)
    assert "cci org scratch dev qa" in str(info.value)
    expired = FakeRunner(
        {"cci org list": _cci_list(days="7", domain="", expired=True, is_scratch=True)}
    )
    with pytest.raises(CredentialsError, match=r"has expired.*cci org scratch_delete feature"):
        resolve_org(OrgOptions(cci_org="feature"), environ={}, runner=expired)


def test_cci_persistent_org_is_used(mocked: responses.RequestsMock) -> None:
    mocked.get(f"{INSTANCE}/services/data/", json=VERSIONS)
    listed = {
        "prod": {"name": "prod", "username": "a@b", "expires": "Unknown", "is_scratch": False}
    }
    info = {"instance_url": INSTANCE, "access_token": TOKEN}
    runner = FakeRunner({"cci org list": listed, "cci org info": info})
    conn = resolve_org(OrgOptions(cci_org="prod"), environ={}, runner=runner)
    assert conn.access_token == TOKEN
    assert runner.calls[-1] == ["cci", "org", "info", "prod", "--json"]


def test_an_unreachable_jwt_login_url_names_the_cause(
    mocked: responses.RequestsMock, tmp_path: Path
) -> None:
    key = tmp_path / "server.key"
    key.write_bytes(
        rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    login = "https://login.salesforce.con"
    mocked.post(f"{login}/services/oauth2/token", body=dns_error("login.salesforce.con"))
    options = OrgOptions(jwt_key_file=str(key), client_id="3MVG9", username="ci@x", login_url=login)
    with pytest.raises(CredentialsError) as info:
        resolve_org(options, environ={})
    assert "name not resolved for login.salesforce.con" in str(info.value)
    assert "check the host name login.salesforce.con" in str(info.value)


# Captured from CumulusCI 4.10.1 in this repository with an empty keychain: a log banner on
# stdout before the JSON, and the never-created scratch configs of cumulusci.yml.
CCI_LIST_STDOUT = """\
[12/04/26 11:40:28] Unable to store an encryption key. Any orgs or services
                    written to disk will not be encrypted.
{"dev": {"is_default": false, "name": "dev", "days": "7", "expired": false, "config": "dev", \
"domain": "", "is_scratch": true}}
"""
# ... and what `cci org info dev --json` then does: it tries to create the scratch org.
CCI_INFO_CREATES = """\
Error: Failed to create scratch org:

/bin/sh: 1: sf: not found

Run this command for more information about debugging errors: cci error --help
"""


class RawRunner(FakeRunner):
    """Answers with raw (stdout, stderr, exit code) per command."""

    def __init__(self, raw: dict[str, tuple[str, str, int]]) -> None:
        super().__init__({})
        self.raw = raw

    def __call__(self, args: Sequence[str], timeout: float) -> subprocess.CompletedProcess[str]:
        self.calls.append(list(args))
        out, err, code = self.raw[" ".join(args[:3])]
        return subprocess.CompletedProcess(args, code, out, err)


def test_the_real_cci_list_output_with_its_banner_is_read_and_dev_refused() -> None:
    runner = RawRunner(
        {"cci org list": (CCI_LIST_STDOUT, "", 0), "cci org info": ("", CCI_INFO_CREATES, 1)}
    )
    with pytest.raises(CredentialsError, match="'dev' is only a configuration"):
        resolve_org(OrgOptions(cci_org="dev"), environ={}, runner=runner)
    assert runner.calls == [["cci", "org", "list", "--json"]]


def test_an_error_line_ending_in_a_colon_takes_the_reason_from_the_next_line() -> None:
    assert explain_failure("cci", CCI_INFO_CREATES, 1) == (
        "Error: Failed to create scratch org: /bin/sh: 1: sf: not found"
    )
