"""The org options every org-facing command takes, as one decorator.

Usage::

    @click.command()
    @org_options
    def deploy(path: str, org: OrgOptions) -> None:
        connection = resolve_org(org)

The decorated function receives a single ``org: OrgOptions`` keyword instead of the separate
options, so commands stay thin and every command spells the options the same way.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from stepforce.runtime_client.auth import OrgOptions

F = TypeVar("F", bound=Callable[..., Any])

_FIELDS = (
    "target_org",
    "instance_url",
    "access_token",
    "cci_org",
    "jwt_key_file",
    "client_id",
    "username",
    "login_url",
    "api_version",
)

_OPTIONS = (
    click.option(
        "-o",
        "--target-org",
        metavar="ALIAS",
        help="sf CLI alias or username (default: the sf CLI's default org).",
    ),
    click.option(
        "--instance-url", metavar="URL", help="Org URL, with --access-token (or SF_INSTANCE_URL)."
    ),
    click.option(
        "--access-token",
        metavar="TOKEN",
        help=(
            "Access token, with --instance-url. Prefer the SF_ACCESS_TOKEN environment variable: "
            "a command line is visible to every user of the machine (ps)."
        ),
    ),
    click.option("--cci-org", metavar="NAME", help="CumulusCI org name (uses `cci org info`)."),
    click.option(
        "--jwt-key-file",
        metavar="FILE",
        help="JWT bearer flow: private key file (or SF_JWT_KEY_FILE).",
    ),
    click.option("--client-id", metavar="KEY", help="JWT: connected app consumer key."),
    click.option("--username", metavar="USER", help="JWT: the user to log in as."),
    click.option(
        "--login-url",
        metavar="URL",
        help="JWT: login URL (default https://login.salesforce.com).",
    ),
    click.option(
        "--api-version", metavar="N.0", help="Highest API version to use (default: org's latest)."
    ),
)


COMMAND_LINE_WARNING = (
    "warning: --access-token puts the token on the command line, where other users of this "
    "machine can read it (ps, shell history); export SF_ACCESS_TOKEN instead."
)
_warned: list[bool] = []


def _warn_token_on_command_line() -> None:
    """Say once per process that --access-token leaks the token; stderr, so --json stays clean."""
    if not _warned:
        _warned.append(True)
        click.echo(COMMAND_LINE_WARNING, err=True)


def org_options(func: F) -> F:
    """Add the org options to a click command and pass them on as ``org: OrgOptions``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = {name: kwargs.pop(name, None) for name in _FIELDS}
        if values["access_token"]:
            _warn_token_on_command_line()
        kwargs["org"] = OrgOptions(**values)
        return func(*args, **kwargs)

    decorated: Any = wrapper
    for option in reversed(_OPTIONS):
        decorated = option(decorated)
    return decorated  # type: ignore[no-any-return]
