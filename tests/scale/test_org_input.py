"""Organization input that can never work is refused before any call, naming the field and fix.

Over the gated moto server (real HTTP): a refused run must leave the server untouched (no
``ListAccounts``, no ``AssumeRole``), from the CLI (exit 2), the library (``ConfigurationError``)
and the Lambda (a configuration error naming the provider spec, nothing written to S3).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from click.testing import CliRunner

from cloudaudit import aws_lambda
from cloudaudit.cli import main
from cloudaudit.errors import ConfigurationError
from cloudaudit.providers.aws import AwsOrganization
from tests.scale.conftest import ROLE, Org

pytestmark = pytest.mark.http


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--role", "arn:aws:iam::123456789012:role/Audit"], "give the role's name"),
        (["--role", "Bad Role!"], "is not an IAM role name"),
        (["--role", ROLE, "--session-name", "my session"], "session_name (--session-name)"),
        (["--role", ROLE, "--external-id", "x"], "external_id (--external-id)"),
        (["--role", ROLE, "--ou", "Engineering"], "is not an OU or root id"),
    ],
)
def test_the_cli_refuses_bad_organization_input_before_any_call(
    org_factory: Callable[..., Org], args: list[str], says: str
) -> None:
    org = org_factory(2)
    org.gate.ops.clear()  # the organization's own setup
    argv = ["audit", "aws", "--organization", *args, "--regions", "eu-west-1"]
    argv += ["--services", "s3", "--inventory", "direct", "--format", "json", "--quiet"]
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 2, result.output
    assert says in result.stderr and result.stdout == ""
    assert org.gate.ops == []  # not one call: no ListAccounts, no AssumeRole


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"role_name": 5}, "role_name (--role): 5 is not a role name"),
        ({"role_name": "ops/Bad Role"}, "is not an IAM role name"),
        ({"session_name": "x"}, "is not a valid RoleSessionName"),
        ({"external_id": 123}, "is not a valid ExternalId"),
        ({"duration": 60}, "give 900 to 43200"),
        ({"duration": "3600"}, "duration (--role-duration): '3600' is not an integer"),
        ({"include_management": "no"}, "'no' is not a boolean"),
        ({"guardrails": 1}, "guardrails (--guardrails): 1 is not a boolean"),
        ({"max_accounts": "8"}, "max_accounts (--max-accounts-in-flight): '8' is not an integer"),
        ({"max_accounts": 0}, "is below 1"),
        ({"max_workers": 2.5}, "max_workers (--max-workers): 2.5 is not an integer"),
        ({"read_timeout": "20"}, "read_timeout (--read-timeout)"),
        ({"max_attempts": True}, "max_attempts (--max-attempts)"),
        ({"aggregator_region": "Ireland"}, "aggregator_region"),
    ],
)
def test_the_library_refuses_each_ill_typed_or_impossible_argument(
    kwargs: dict[str, Any], says: str
) -> None:
    args: dict[str, Any] = {"role_name": ROLE, **kwargs}
    with pytest.raises(ConfigurationError) as err:
        AwsOrganization(boto3.Session(region_name="us-east-1"), **args)
    assert says in str(err.value)


def test_a_role_is_its_name_with_its_path_never_an_arn() -> None:
    """An ARN names one account's role; the name (and path) it holds is what to give."""
    session = boto3.Session(region_name="us-east-1")
    with pytest.raises(ConfigurationError, match=r"give the role's name .*: 'ops/Audit'"):
        AwsOrganization(session, "arn:aws:iam::123456789012:role/ops/Audit")
    org = AwsOrganization(
        boto3.Session(region_name="us-east-1"),
        "/ops/team/Audit.Role@x/",
        session_name="cloudaudit-nightly",
        external_id="tenant:42/prod",
        duration=43_200,
        include_management=False,
        ous=["r-ab12", "ou-ab12-cd34ef56"],
    )
    assert org.settings.duration == 43_200 and org.settings.external_id == "tenant:42/prod"


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ({"organization": "false"}, "providers[0] (aws): organization: 'false' is not a boolean"),
        ({"role_name": 5}, "providers[0] (aws): role_name (--role): 5 is not a role name"),
        ({"duration": "3600"}, "'3600' is not an integer"),
        ({"include_management": "no"}, "include_management"),
        ({"max_accounts": "8"}, "max_accounts"),
    ],
)
def test_the_lambda_refuses_an_ill_typed_organization_spec_before_any_call(
    org_factory: Callable[..., Org], spec: dict[str, Any], says: str
) -> None:
    org = org_factory(1)
    session = boto3.Session(region_name="us-east-1")
    s3 = session.client("s3")
    s3.create_bucket(Bucket="reports")
    org.gate.ops.clear()
    provider = {"name": "aws", "organization": True, "role_name": ROLE, **spec}
    event = {"bucket": "reports", "policy": "eea-only", "providers": [provider]}
    with pytest.raises(ConfigurationError) as err:
        aws_lambda.run(event, lambda: 600_000, session=session)
    assert says in str(err.value)
    assert org.gate.ops == []  # no audit call, and no S3 object written
    assert s3.list_objects_v2(Bucket="reports").get("KeyCount") == 0
