"""A built-in sample estate over several clouds, with the traps a residency audit must catch.

Nothing here touches a network or needs credentials: ``cloudaudit demo`` audits these resources
through the same engine and report as a real audit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cloudaudit._guardrail_model import Guardrail, GuardrailScope, LocationRule
from cloudaudit.models import CoverageGap, Location, LocationKind, ProviderId, Resource
from cloudaudit.policies import Policy, load_policy, policy_from_mapping
from cloudaudit.providers import Scope, make_gap
from cloudaudit.testing import FakeProvider, make_resource

__all__ = ["demo_guardrails", "demo_policy", "demo_providers", "demo_resources"]

AWS_ACCOUNT = "111122223333"
AWS_CN_ACCOUNT = "444455556666"
ALIBABA_ACCOUNT = "5123456789012345"
GCP_PROJECT = "acme-analytics"
AZURE_SUB = "0b1f6471-1bf0-4dda-aec3-cb9272f09590"
S3_REPLICATION = "aws.s3.replication"
GEO_REDUNDANCY = "azure.storage.geo-redundancy"

DEMO_EXEMPTIONS: list[dict[str, Any]] = [
    {
        "resource": "arn:aws:s3:::acme-hk-marketing-assets",
        "reason": "public marketing assets only; "
        "approved by the data-protection office (ticket DPO-112)",
        "expires": "2099-12-31",
        "approved_by": "dpo@acme.example",
    },
    {
        "tags": {"residency-exception": "LEGACY-7"},
        "reason": "legacy partner integration, migration planned",
        "expires": "2025-06-30",
    },
]


def _aws(region: str, name: str, **kw: Any) -> Resource:
    service, rtype = kw.pop("service", "s3"), kw.pop("type", "bucket")
    account = kw.pop("account", AWS_ACCOUNT)
    partition = "aws-cn" if region.startswith("cn-") else "aws"
    rid = kw.pop("id", None) or (
        f"arn:{partition}:s3:::{name}"
        if service == "s3"
        else f"arn:{partition}:{service}:{region}:{account}:{rtype}/{name}"
    )
    return make_resource(
        "aws", region, name=name, service=service, type=rtype, account=account, id=rid, **kw
    )


def demo_resources() -> list[Resource]:
    """Return the sample estate (about twenty resources on four clouds)."""
    return [
        _aws("eu-central-1", "acme-eu-customer-data"),
        _aws("ap-east-1", "acme-hk-orders"),
        _aws("ap-east-1", "acme-hk-marketing-assets"),
        _aws("us-east-1", "acme-us-backups", copies=["ap-east-1"], via=S3_REPLICATION),
        _aws("us-west-2", "acme-us-logs", copies=["eu-west-1"], via=S3_REPLICATION),
        _aws(
            "us-east-1",
            "i-0a1b2c3d4e5f60718",
            service="ec2",
            type="instance",
            zone="us-east-1-bue-1a",
        ),
        _aws(
            "eu-central-1",
            "orders-db",
            service="rds",
            type="db-instance",  # the AWS collector's type, so its declared copies apply
            zone="eu-central-1b",
            id=f"arn:aws:rds:eu-central-1:{AWS_ACCOUNT}:db:orders-db",
        ),
        _aws(
            "ap-northeast-1",
            "i-0feedfacefeed0042",
            service="ec2",
            type="instance",
            zone="ap-northeast-1-tpe-1a",  # the Taipei Local Zone: Taiwan, not Japan
            kind=LocationKind.ZONE,
        ),
        _aws(
            "cn-north-1",
            "i-0c0ffee0c0ffee001",
            service="ec2",
            type="instance",
            account=AWS_CN_ACCOUNT,
            zone="cn-north-1a",
        ),
        _aws("ap-southeast-9", "acme-new-region-bucket"),
        _aws(
            "ap-northeast-1",
            "partner-feed",
            tags={"residency-exception": "LEGACY-7"},
            copies=["ap-east-1"],
            via=S3_REPLICATION,
        ),
        make_resource(
            "alibaba",
            "us-east-1",
            name="acme-va-oss",
            service="oss",
            type="bucket",
            account=ALIBABA_ACCOUNT,
            id=f"acs:oss:us-east-1:{ALIBABA_ACCOUNT}:acme-va-oss",
        ),
        make_resource(
            "alibaba",
            "eu-central-1",
            name="acme-fra-oss",
            service="oss",
            type="bucket",
            account=ALIBABA_ACCOUNT,
            id=f"acs:oss:eu-central-1:{ALIBABA_ACCOUNT}:acme-fra-oss",
        ),
        make_resource(
            "gcp",
            "EU",
            name="acme-eu-lake",
            kind=LocationKind.MULTI_REGION,
            account=GCP_PROJECT,
            id="//storage.googleapis.com/projects/_/buckets/acme-eu-lake",
        ),
        make_resource(
            "gcp",
            "ASIA",
            name="acme-asia-cdn-origin",
            kind=LocationKind.MULTI_REGION,
            account=GCP_PROJECT,
            id="//storage.googleapis.com/projects/_/buckets/acme-asia-cdn-origin",
        ),
        make_resource(
            "gcp",
            "asia-east1",
            name="tw-render-node",
            service="compute",
            type="instance",
            zone="asia-east1-b",
            account=GCP_PROJECT,
            id=f"//compute.googleapis.com/projects/{GCP_PROJECT}/zones/asia-east1-b/"
            "instances/tw-render-node",
        ),
        make_resource(
            "gcp",
            "europe-west3",
            name="fra-disk-snapshot",
            service="compute",
            type="snapshot",
            account=GCP_PROJECT,
            copies=["us"],
            via="gcp.compute.snapshot-storage",
            id=f"//compute.googleapis.com/projects/{GCP_PROJECT}/global/snapshots/"
            "fra-disk-snapshot",
        ),
        _azure("westeurope", "acmeweu", copies=["northeurope"], via=GEO_REDUNDANCY),
        _key_vault_in_singapore(),
        _azure("brazilsouth", "acmebrs", copies=["southcentralus"], via=GEO_REDUNDANCY),
        _azure(
            "global",
            "acme.example",
            service="Microsoft.Network",
            type="dnszones",
            kind=LocationKind.GLOBAL,
        ),
    ]


def _azure(region: str, name: str, **kw: Any) -> Resource:
    service = kw.pop("service", "Microsoft.Storage")
    rtype = kw.pop("type", "storageAccounts")
    rid = f"/subscriptions/{AZURE_SUB}/resourceGroups/demo/providers/{service}/{rtype}/{name}"
    return make_resource(
        "azure", region, name=name, service=service, type=rtype, account=AZURE_SUB, id=rid, **kw
    )


def _key_vault_in_singapore() -> Resource:
    """A trap of the copy model: Microsoft replicates Key Vault contents to the paired region.

    No field of the vault names it: the copy is read from the region pair (southeastasia is
    paired with eastasia, Hong Kong), as the Azure provider does.
    """
    vault = _azure("southeastasia", "acme-sg-keys", service="Microsoft.KeyVault", type="vaults")
    pair = Location(
        provider=ProviderId.AZURE,
        region="eastasia",
        via="azure.keyvault.paired-region",
        note="the paired region of southeastasia",
    )
    return vault.model_copy(update={"data_locations": (pair,)})


def demo_gaps() -> list[CoverageGap]:
    """Return the coverage gaps of the sample estate: what the demo audit could not look at."""
    return [
        make_gap(
            Scope("aws", AWS_ACCOUNT, "me-south-1", "*"),
            "OptInRequired",
            "region me-south-1 is not enabled for this account; probed and refused",
        ),
        make_gap(
            Scope("aws", AWS_ACCOUNT, "eu-south-2", "rds"),
            "AccessDenied",
            "User is not authorized to perform: rds:DescribeDBInstances with an explicit "
            "deny in a service control policy",
        ),
    ]


def demo_guardrails() -> tuple[list[Guardrail], list[GuardrailScope]]:
    """The sample estate's declared guardrails, and the scopes whose guardrails were read.

    A region-deny SCP (AWS's documented example, with Hong Kong added to its list) on the
    workloads OU; the Azure subscription has no "Allowed locations" assignment at all.
    """
    scp = Guardrail(
        provider="aws",
        kind="scp",
        id="p-demo0001",
        name="deny-outside-approved-regions",
        attached_to=GuardrailScope(
            provider="aws", kind="ou", id="ou-demo-workloads", name="Workloads"
        ),
        applies_to=(AWS_ACCOUNT,),
        rule=LocationRule(
            allow=(
                "eu-central-1",
                "eu-west-1",
                "us-east-1",
                "us-west-2",
                "ap-east-1",
                "ap-northeast-1",
            )
        ),
        partition="aws",
        exempt_actions=(
            "cloudfront:*",
            "iam:*",
            "organizations:*",
            "route53:*",
            "sts:*",
            "support:*",
        ),
        exempt_principals=("arn:aws:iam::*:role/BreakGlass",),
        source="organizations:DescribePolicy p-demo0001 (SERVICE_CONTROL_POLICY)",
    )
    scopes = [
        GuardrailScope(provider="aws", kind="account", id=AWS_ACCOUNT, account=AWS_ACCOUNT),
        GuardrailScope(provider="azure", kind="subscription", id=AZURE_SUB, account=AZURE_SUB),
    ]
    return [scp], scopes


def demo_providers() -> Sequence[FakeProvider]:
    """Return fake providers serving the sample estate, its gaps and its guardrails."""
    res = demo_resources()
    by: dict[str, list[Resource]] = {}
    for r in res:
        by.setdefault(r.provider.value, []).append(r)
    guardrails, scopes = demo_guardrails()
    providers = [FakeProvider(v, name=k) for k, v in by.items()]
    providers[0] = FakeProvider(
        by["aws"],
        gaps=demo_gaps(),
        name="aws",
        guardrails=guardrails,
        guardrail_scopes=[s for s in scopes if s.provider == "aws"],
    )
    azure = next(i for i, p in enumerate(providers) if p.name == "azure")
    providers[azure] = FakeProvider(
        by["azure"], name="azure", guardrail_scopes=[s for s in scopes if s.provider == "azure"]
    )
    return providers


def demo_policy(
    name: str = "us-foreign-adversaries", *, options: Mapping[str, bool] | None = None
) -> Policy:
    """Return a built-in policy, with ``options`` set, and the demo's exemptions added."""
    base = load_policy(name, options=options)
    raw = base.model_dump(mode="json", exclude_none=True)
    raw["exemptions"] = [*raw.get("exemptions", []), *DEMO_EXEMPTIONS]
    return policy_from_mapping(raw, source=f"demo policy ({name})")
