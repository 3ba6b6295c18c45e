from __future__ import annotations

import click
from click.testing import CliRunner

from stepforce.cli.org_options import org_options
from stepforce.runtime_client.auth import OrgOptions


def test_org_options_reach_the_command_as_one_value() -> None:
    received: list[OrgOptions] = []

    @click.command()
    @click.argument("name")
    @org_options
    def command(name: str, org: OrgOptions) -> None:
        received.append(org)

    args = [
        "x",
        "-o",
        "dev",
        "--cci-org",
        "qa",
        "--jwt-key-file",
        "k.pem",
        "--client-id",
        "c",
        "--username",
        "u@x",
        "--login-url",
        "https://test.salesforce.com",
        "--api-version",
        "66.0",
        "--instance-url",
        "https://a.my.salesforce.com",
        "--access-token",
        "t0ken-value",
    ]
    result = CliRunner().invoke(command, args)
    assert result.exit_code == 0, result.output
    assert received == [
        OrgOptions(
            target_org="dev",
            instance_url="https://a.my.salesforce.com",
            access_token="t0ken-value",
            cci_org="qa",
            jwt_key_file="k.pem",
            client_id="c",
            username="u@x",
            login_url="https://test.salesforce.com",
            api_version="66.0",
        )
    ]


def test_no_org_options_means_all_none() -> None:
    received: list[OrgOptions] = []

    @click.command()
    @org_options
    def command(org: OrgOptions) -> None:
        received.append(org)

    assert CliRunner().invoke(command, []).exit_code == 0
    assert received == [OrgOptions()]
