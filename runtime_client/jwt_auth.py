"""OAuth 2.0 JWT bearer flow: a signed assertion buys an access token, no browser needed."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlparse

import jwt
import requests

from stepforce.errors import CredentialsError
from stepforce.runtime_client.external_cli import ToolCredentials
from stepforce.runtime_client.network import classify
from stepforce.runtime_client.redact import scrub

DEFAULT_LOGIN_URL = "https://login.salesforce.com"
GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# Salesforce accepts an assertion for up to 3 minutes after it is issued.
ASSERTION_LIFETIME_S = 180


def jwt_audience(login_url: str) -> str:
    """Salesforce wants ``aud`` to be login or test.salesforce.com, even for My Domain logins."""
    host = urlparse(login_url).hostname or ""
    if host in ("login.salesforce.com", "test.salesforce.com"):
        return f"https://{host}"
    sandbox = host.startswith("test.") or ".sandbox." in host or "--" in host
    return "https://test.salesforce.com" if sandbox else DEFAULT_LOGIN_URL


def jwt_bearer_login(
    key_file: str,
    client_id: str,
    username: str,
    login_url: str,
    session: requests.Session,
    timeout: float,
    now: float | None = None,
) -> ToolCredentials:
    """POST a signed assertion to ``/services/oauth2/token`` and return the org's URL and token."""
    try:
        private_key = Path(key_file).expanduser().read_text(encoding="utf-8")
    except OSError as error:
        raise CredentialsError(
            f"cannot read the JWT key file {key_file}: {error.strerror}"
        ) from error
    issued = int(time.time() if now is None else now)
    claims = {
        "iss": client_id,
        "sub": username,
        "aud": jwt_audience(login_url),
        "exp": issued + ASSERTION_LIFETIME_S,
    }
    try:
        assertion = jwt.encode(claims, private_key, algorithm="RS256")
    except (ValueError, TypeError, jwt.PyJWTError) as error:
        raise CredentialsError(
            f"the JWT key file {key_file} does not hold a usable RSA private key"
        ) from error
    token_url = login_url.rstrip("/") + "/services/oauth2/token"
    try:
        response = session.post(
            token_url, data={"grant_type": GRANT_TYPE, "assertion": assertion}, timeout=timeout
        )
    except requests.RequestException as error:
        failure = classify(error, token_url)
        raise CredentialsError(
            f"could not reach {token_url} for the JWT login ({failure.describe()}). "
            f"Hint: {failure.hint(timeout)}."
        ) from None
    body = _json_or_empty(response)
    if response.status_code != 200 or "access_token" not in body:
        said = body.get("error_description") or body.get("error") or f"HTTP {response.status_code}"
        raise CredentialsError(
            f"the JWT login as {username} was refused ({scrub(str(said))}); check that the "
            "connected app has the certificate and the user is pre-authorised."
        )
    return ToolCredentials(str(body["instance_url"]), str(body["access_token"]), username)


def _json_or_empty(response: requests.Response) -> dict[str, object]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
