"""An option or argument that chooses what to audit and names nothing is an error, not "all".

Before, ``cloudaudit audit aws --regions ,`` audited every region of the partition, an empty
``--project ''`` fell through to a credential error, and ``AwsProvider(regions=[])`` (a Lambda
event's ``"regions": []``) audited every region: an audit of everything is not what was asked.
"""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from cloudaudit.cli import main
from cloudaudit.errors import ConfigurationError
from cloudaudit.providers._choose import chosen

BLANK = [
    (["audit", "aws", "--regions", ","], "--regions", "names no region"),
    (["audit", "aws", "--regions", " ", "--regions", ""], "--regions", "names no region"),
    (["audit", "aws", "--services", ""], "--services", "names no service"),
    (["audit", "aws", "--organization", "--role", "r", "--ou", ","], "--ou", "names no OU"),
    (["audit", "gcp", "--project", ""], "--project", "names no project id"),
    (["audit", "gcp", "--folder", ","], "--folder", "names no folder id"),
    (["audit", "gcp", "--organization", " "], "--organization", "is blank"),
    (["audit", "azure", "--subscription", ",,"], "--subscription", "names no subscription"),
    (["audit", "azure", "--management-group", ""], "--management-group", "is blank"),
    (["audit", "alibaba", "--region", ""], "--region", "names no region"),
    (["audit", "aws", "--regions", "eu-west-1,eu-west1"], "--regions", "'eu-west1' is not an AWS"),
]


@pytest.mark.parametrize(("args", "option", "says"), BLANK, ids=lambda v: str(v))
def test_a_choice_that_names_nothing_is_a_usage_error(
    args: list[str], option: str, says: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # no cloud is reachable: had the option been accepted, the run would have tried one
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    result = CliRunner().invoke(main, [*args, "--format", "json"])
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{option}'" in result.output
    assert says in result.output
    assert '"findings"' not in result.output


def test_every_list_option_of_the_audit_commands_refuses_blanks() -> None:
    """A new option that chooses what to audit must get a callback (see cloudaudit.cli._lists)."""
    chooses = {"--regions", "--services", "--ou", "--project", "--folder", "--subscription"}
    chooses |= {"--region", "--management-group"}
    audit = main.get_command(click.Context(main), "audit")
    assert isinstance(audit, click.Group)
    seen = set()
    for name in audit.list_commands(click.Context(audit)):
        command = audit.get_command(click.Context(audit), name)
        assert command is not None
        for p in command.params:
            if not isinstance(p, click.Option) or p.name in ("policy_options", "fail_on"):
                continue
            if p.multiple or p.opts[0] in chooses:
                seen.add(p.opts[0])
                assert p.callback is not None, f"audit {name} {p.opts[0]} takes blanks"
    assert chooses <= seen


@pytest.mark.parametrize("value", [[], [""], " ", ", ,", ()])
def test_the_library_refuses_an_empty_choice(value: object) -> None:
    with pytest.raises(ConfigurationError, match="names no region"):
        chosen(value, "regions", "region")  # type: ignore[arg-type]


def test_the_library_reads_a_string_as_a_list_not_its_characters() -> None:
    assert chosen("eu-west-1, us-east-1,eu-west-1", "regions", "region") == (
        "eu-west-1",
        "us-east-1",
    )
    assert chosen(None, "regions", "region") is None
    with pytest.raises(ConfigurationError, match="is not a region"):
        chosen(["eu-west-1", 3], "regions", "region")  # type: ignore[list-item]


def test_the_aws_provider_refuses_an_empty_region_list() -> None:
    pytest.importorskip("boto3")
    from cloudaudit.providers.aws import AwsOrganization, AwsProvider

    with pytest.raises(ConfigurationError, match=r"regions=\[\] names no region"):
        AwsProvider(regions=[])
    with pytest.raises(ConfigurationError, match="names no service"):
        AwsProvider(services=[" "])
    with pytest.raises(ConfigurationError, match="names no region"):
        AwsOrganization(role_name="r", regions=())
    # as the CLI, the library refuses what is not a region name (a Lambda event's providers)
    with pytest.raises(ConfigurationError, match="'eu-west1' is not an AWS region name"):
        AwsProvider(regions="eu-west-1,eu-west1")
    with pytest.raises(ConfigurationError, match="is not an AWS region name"):
        AwsOrganization(role_name="r", regions=["EU-WEST-1"])
    assert AwsProvider(regions="eu-west-1, us-east-1")._regions == ("eu-west-1", "us-east-1")


def test_the_azure_and_alibaba_providers_refuse_an_empty_choice() -> None:
    pytest.importorskip("azure.identity")
    pytest.importorskip("alibabacloud_ecs20140526")
    from cloudaudit.providers.alibaba import AlibabaProvider
    from cloudaudit.providers.azure import AzureProvider

    with pytest.raises(ConfigurationError, match="names no subscription id"):
        AzureProvider(subscriptions=[""])
    with pytest.raises(ConfigurationError, match="names no management group id"):
        AzureProvider(management_group=" ")
    with pytest.raises(ConfigurationError, match="names no region"):
        AlibabaProvider(regions=[], access_key_id="id", access_key_secret="secret")


def test_the_gcp_provider_refuses_an_empty_choice_and_reads_a_string_as_one_id() -> None:
    pytest.importorskip("google.auth")
    from google.auth.credentials import AnonymousCredentials

    from cloudaudit.providers.gcp import GcpProvider

    creds = AnonymousCredentials()  # type: ignore[no-untyped-call]
    with pytest.raises(ConfigurationError, match="names no project id"):
        GcpProvider(projects=[""], credentials=creds)
    with pytest.raises(ConfigurationError, match="names no organization id"):
        GcpProvider(organization=" ", credentials=creds)
    provider = GcpProvider(projects="p-a", credentials=creds)  # type: ignore[arg-type]
    assert provider._projects == ["p-a"]  # not ["p", "-", "a"]
