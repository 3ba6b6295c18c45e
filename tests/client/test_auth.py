from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from pathlib import Path

import jwt
import pytest
import responses
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from stepforce.errors import CredentialsError, OrgError, ToolMissingError, UsageError
from stepforce.runtime_client.auth import OrgOptions, resolve_org

from .conftest import FRESH_TOKEN, INSTANCE, TOKEN, VERSIONS

SF_DISPLAY = {
    "status": 0,
    "result": {
        "id": "00D5g000004ABCDEAA",
        "apiVersion": "67.0",
        "accessToken": "[REDACTED] Use 'sf org auth show-access-token' to view",
        "instanceUrl": INSTANCE,
        "username": "admin@acme.example",
        "clientId": "PlatformCLI",
        "connectedStatus": "Connected",
        "alias": "dev",
    },
    "warnings": [],
}
SF_SHOW_TOKEN = {"status": 0, "result": {"accessToken": TOKEN}, "warnings": []}
SF_NO_ORG = {
    "name": "NamedOrgNotFoundError",
    "message": "No authorization information found for nope.",
    "exitCode": 1,
    "status": 1,
    "context": "OrgDisplay",
}


class FakeRunner:
    """Stands in for subprocess.run: answers by the command's first words."""

    def __init__(self, answers: dict[str, object | BaseException]) -> None:
        self.answers = answers
        self.calls: list[list[str]] = []

    def __call__(self, args: Sequence[str], timeout: float) -> subprocess.CompletedProcess[str]:
        self.calls.append(list(args))
        assert timeout > 0
        key = " ".join(args[:4]) if args[0] == "sf" else " ".join(args[:3])
        answer = next((v for k, v in self.answers.items() if key.startswith(k)), None)
        if isinstance(answer, BaseException):
            raise answer
        if answer is None:
            return subprocess.CompletedProcess(args, 127, "", f"{args[0]}: command not found")
        return subprocess.CompletedProcess(args, 0, json.dumps(answer), "")


@pytest.fixture
def versions(mocked: responses.RequestsMock) -> responses.RequestsMock:
    mocked.get(f"{INSTANCE}/services/data/", json=VERSIONS)
    return mocked


def test_explicit_token_wins_and_negotiates_the_highest_version(
    versions: responses.RequestsMock,
) -> None:
    conn = resolve_org(OrgOptions(instance_url=INSTANCE + "/", access_token=TOKEN), environ={})
    assert (conn.instance_url, conn.api_version) == (INSTANCE, "67.0")
    assert "--instance-url and --access-token" in conn.source
    assert TOKEN not in repr(conn)
    assert TOKEN not in str(conn)
    assert not conn.can_refresh


def test_api_version_cap_picks_the_highest_not_above_it(versions: responses.RequestsMock) -> None:
    conn = resolve_org(
        OrgOptions(instance_url=INSTANCE, access_token=TOKEN, api_version="66"), environ={}
    )
    assert conn.api_version == "66.0"
    with pytest.raises(UsageError, match=r"oldest API version is 65\.0"):
        resolve_org(
            OrgOptions(instance_url=INSTANCE, access_token=TOKEN, api_version="60.0"), environ={}
        )


def test_version_listing_rides_out_a_503(mocked: responses.RequestsMock) -> None:
    mocked.get(f"{INSTANCE}/services/data/", status=503)
    mocked.get(f"{INSTANCE}/services/data/", json=VERSIONS)
    waits: list[float] = []
    conn = resolve_org(
        OrgOptions(instance_url=INSTANCE, access_token=TOKEN), environ={}, sleep=waits.append
    )
    assert conn.api_version == "67.0"
    assert waits == [1.0]


def test_env_pair_is_used_when_no_option_is_given(versions: responses.RequestsMock) -> None:
    env = {"SF_INSTANCE_URL": INSTANCE, "SF_ACCESS_TOKEN": TOKEN}
    conn = resolve_org(OrgOptions(), environ=env, runner=FakeRunner({}))
    assert conn.access_token == TOKEN
    assert "SF_INSTANCE_URL and SF_ACCESS_TOKEN" in conn.source


def test_half_a_pair_is_a_credentials_error() -> None:
    with pytest.raises(CredentialsError, match="need both"):
        resolve_org(OrgOptions(instance_url=INSTANCE), environ={})
    with pytest.raises(CredentialsError, match="SF_INSTANCE_URL and SF_ACCESS_TOKEN need both"):
        resolve_org(OrgOptions(), environ={"SF_ACCESS_TOKEN": TOKEN})


def test_an_http_instance_url_is_refused(mocked: responses.RequestsMock) -> None:
    with pytest.raises(UsageError, match="https://"):
        resolve_org(OrgOptions(instance_url="http://acme.example", access_token=TOKEN), environ={})


def test_sf_alias_beats_env_and_reads_the_token_from_show_access_token(
    versions: responses.RequestsMock,
) -> None:
    runner = FakeRunner(
        {"sf org display": SF_DISPLAY, "sf org auth show-access-token": SF_SHOW_TOKEN}
    )
    env = {"SF_INSTANCE_URL": "https://stale.my.salesforce.com", "SF_ACCESS_TOKEN": "00Dstale"}
    conn = resolve_org(OrgOptions(target_org="dev"), environ=env, runner=runner)
    assert conn.access_token == TOKEN
    assert conn.instance_url == INSTANCE
    assert "Salesforce CLI org 'dev'" in conn.source
    assert conn.can_refresh
    assert [
        "sf",
        "org",
        "auth",
        "show-access-token",
        "--target-org",
        "dev",
        "--json",
    ] in runner.calls


def test_older_sf_without_show_access_token_falls_back_to_display(
    versions: responses.RequestsMock,
) -> None:
    display = json.loads(json.dumps(SF_DISPLAY))
    display["result"]["accessToken"] = TOKEN
    runner = FakeRunner({"sf org display": display})  # show-access-token: command not found
    conn = resolve_org(OrgOptions(target_org="dev"), environ={}, runner=runner)
    assert conn.access_token == TOKEN


def test_redacted_display_and_no_token_command_is_a_credentials_error() -> None:
    runner = FakeRunner({"sf org display": SF_DISPLAY})
    with pytest.raises(CredentialsError, match="sf org login web -a dev"):
        resolve_org(OrgOptions(target_org="dev"), environ={}, runner=runner)


def test_unknown_alias_says_how_to_log_in() -> None:
    runner = FakeRunner({"sf org display": SF_NO_ORG})
    with pytest.raises(CredentialsError) as info:
        resolve_org(OrgOptions(target_org="nope"), environ={}, runner=runner)
    message = str(info.value)
    assert "No authorization information found for nope" in message
    assert "sf org login web -a nope" in message


def test_missing_sf_binary_is_a_clear_message() -> None:
    runner = FakeRunner({"sf org display": FileNotFoundError(2, "No such file", "sf")})
    with pytest.raises(ToolMissingError, match="`sf` is not installed"):
        resolve_org(OrgOptions(target_org="dev"), environ={}, runner=runner)
    # With nothing given at all, the same absence is a "how to log in" sentence.
    with pytest.raises(CredentialsError, match="sf org login web -a NAME"):
        resolve_org(OrgOptions(), environ={}, runner=runner)


def test_sf_timeout_is_reported() -> None:
    runner = FakeRunner({"sf org display": subprocess.TimeoutExpired(["sf"], 60)})
    with pytest.raises(CredentialsError, match="did not answer within"):
        resolve_org(OrgOptions(target_org="dev"), environ={}, runner=runner)


def test_default_sf_org_is_used_last_without_target_flag(versions: responses.RequestsMock) -> None:
    runner = FakeRunner(
        {"sf org display": SF_DISPLAY, "sf org auth show-access-token": SF_SHOW_TOKEN}
    )
    conn = resolve_org(OrgOptions(), environ={}, runner=runner)
    assert "default org" in conn.source
    assert runner.calls[0] == ["sf", "org", "display", "--json"]


def test_sf_connection_refresh_runs_sf_again(versions: responses.RequestsMock) -> None:
    answers: dict[str, object | BaseException] = {
        "sf org display": SF_DISPLAY,
        "sf org auth show-access-token": SF_SHOW_TOKEN,
    }
    runner = FakeRunner(answers)
    conn = resolve_org(OrgOptions(target_org="dev"), environ={}, runner=runner)
    answers["sf org auth show-access-token"] = {"status": 0, "result": {"accessToken": FRESH_TOKEN}}
    conn.refresh()
    assert conn.access_token == FRESH_TOKEN
    assert TOKEN in conn.secrets()
    assert FRESH_TOKEN in conn.secrets()


# `cci org list --json` (CumulusCI 4.10 cli/org.py): a created scratch org shows days as
# "alive/total" and its domain.
CCI_LIST_QA_CREATED = {
    "qa": {
        "is_default": False,
        "name": "qa",
        "days": "2/7",
        "expired": False,
        "config": "qa",
        "domain": "acme",
        "is_scratch": True,
    }
}


def test_cci_org_uses_cci_org_info(versions: responses.RequestsMock) -> None:
    info = {"instance_url": INSTANCE, "access_token": TOKEN, "username": "u@x", "org_id": "00D"}
    runner = FakeRunner({"cci org list": CCI_LIST_QA_CREATED, "cci org info": info})
    conn = resolve_org(OrgOptions(cci_org="qa"), environ={}, runner=runner)
    assert runner.calls == [
        ["cci", "org", "list", "--json"],
        ["cci", "org", "info", "qa", "--json"],
    ]
    assert conn.access_token == TOKEN
    assert "CumulusCI org 'qa'" in conn.source


def test_cci_without_org_says_how_to_connect() -> None:
    runner = FakeRunner({})  # cci answers "command not found" with no JSON
    with pytest.raises(CredentialsError, match="cci org list --json` failed: cci: command not"):
        resolve_org(OrgOptions(cci_org="qa"), environ={}, runner=runner)


def _key_pair(tmp_path: Path) -> tuple[Path, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path / "server.key"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return path, public


def test_jwt_bearer_posts_a_signed_assertion(
    tmp_path: Path, versions: responses.RequestsMock
) -> None:
    key_file, public = _key_pair(tmp_path)
    token_call = versions.post(
        "https://login.salesforce.com/services/oauth2/token",
        json={"access_token": TOKEN, "instance_url": INSTANCE, "token_type": "Bearer"},
    )
    options = OrgOptions(
        jwt_key_file=str(key_file), client_id="3MVG9abc", username="ci@acme.example"
    )
    conn = resolve_org(options, environ={})
    assert conn.access_token == TOKEN
    assert conn.can_refresh
    assert "JWT bearer flow as ci@acme.example" in conn.source
    form = dict(p.split("=", 1) for p in str(token_call.calls[0].request.body).split("&"))
    assert form["grant_type"] == "urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"
    claims = jwt.decode(
        form["assertion"], public, algorithms=["RS256"], audience="https://login.salesforce.com"
    )
    assert (claims["iss"], claims["sub"]) == ("3MVG9abc", "ci@acme.example")


def test_jwt_from_env_and_refused_grant(tmp_path: Path, mocked: responses.RequestsMock) -> None:
    key_file, _ = _key_pair(tmp_path)
    mocked.post(
        "https://test.salesforce.com/services/oauth2/token",
        status=400,
        json={"error": "invalid_grant", "error_description": "user hasn't approved this consumer"},
    )
    env = {
        "SF_JWT_KEY_FILE": str(key_file),
        "SF_CLIENT_ID": "3MVG9",
        "SF_USERNAME": "ci@x",
        "SF_LOGIN_URL": "https://test.salesforce.com",
    }
    with pytest.raises(CredentialsError, match="user hasn't approved this consumer"):
        resolve_org(OrgOptions(), environ=env)


def test_jwt_needs_all_three_values_and_a_readable_key(tmp_path: Path) -> None:
    with pytest.raises(CredentialsError, match="needs a key file, a client id and a username"):
        resolve_org(OrgOptions(client_id="3MVG9"), environ={})
    with pytest.raises(CredentialsError, match="cannot read the JWT key file"):
        resolve_org(
            OrgOptions(jwt_key_file=str(tmp_path / "missing.key"), client_id="c", username="u"),
            environ={},
        )


def test_unreachable_instance_is_an_org_error(mocked: responses.RequestsMock) -> None:
    with pytest.raises(OrgError, match="got no answer"):
        resolve_org(
            OrgOptions(instance_url=INSTANCE, access_token=TOKEN), environ={}, sleep=lambda _s: None
        )


def test_the_real_runner_calls_subprocess_without_a_shell_and_with_a_timeout(
    versions: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[dict[str, object]] = []

    def fake_run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        seen.append({"args": args, **kwargs})
        payload = SF_DISPLAY if args[2] == "display" else SF_SHOW_TOKEN
        return subprocess.CompletedProcess(args, 0, json.dumps(payload), "")

    monkeypatch.setattr("stepforce.runtime_client.external_cli.subprocess.run", fake_run)
    conn = resolve_org(OrgOptions(target_org="dev"), environ={})
    assert conn.access_token == TOKEN
    assert all(call["timeout"] and "shell" not in call for call in seen)
    assert [call["args"][:3] for call in seen] == [["sf", "org", "display"], ["sf", "org", "auth"]]
