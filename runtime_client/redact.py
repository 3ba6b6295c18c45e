"""Keep access tokens out of every message, log line and repr.

Salesforce access tokens have a recognisable shape (``00D<org id>!<opaque>``), so besides the
exact secrets a connection knows, anything shaped like a token, a bearer header or a
``sid``/``access_token`` parameter is masked. Text from other libraries (simple-salesforce's
exceptions include URLs and response bodies; requests' include URLs) passes through here
before it reaches a user.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

MASK = "[hidden]"

_PATTERNS = (
    # A Salesforce session id / OAuth access token: org id, "!", opaque part.
    re.compile(r"\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9._\-]+"),
    re.compile(r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?(?:bearer\s+|oauth\s+)?)[^\s\"',;}]+"),
    re.compile(r"(?i)(bearer\s+)[^\s\"',;}]+"),
    re.compile(
        r"(?i)((?:access_token|session_?id|sid|assertion)[\"']?\s*[:=]\s*[\"']?)[^\"'&,;}\s]+"
    ),
)


def scrub(text: str, secrets: Iterable[str | None] = ()) -> str:
    """Return ``text`` with every known secret and anything token-shaped replaced by a mask."""
    for secret in secrets:
        # Very short "secrets" would mask ordinary words; real tokens are long.
        if secret and len(secret) >= 8:
            text = text.replace(secret, MASK)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + MASK, text)
    return text


def command_line_secrets(args: Sequence[str], environ: Mapping[str, str]) -> list[str]:
    """Tokens a command line carries: ``--access-token``'s value and ``SF_ACCESS_TOKEN``.

    Messages about a failed command pass through :func:`scrub` with these, so even a token that
    does not look like a Salesforce session id (e.g. a test org's opaque token) is never shown.
    """
    found = [environ.get("SF_ACCESS_TOKEN", "")]
    for index, arg in enumerate(args):
        if arg == "--access-token" and index + 1 < len(args):
            found.append(args[index + 1])
        elif arg.startswith("--access-token="):
            found.append(arg.split("=", 1)[1])
    return [secret for secret in found if secret]
