"""The estate the interface tests audit: the demo estate plus resources with hostile names."""

from __future__ import annotations

import random

from cloudaudit import audit
from cloudaudit.catalog import default_catalog
from cloudaudit.demo import demo_policy, demo_providers
from cloudaudit.models import Location, ProviderId, Resource
from cloudaudit.report import Report
from cloudaudit.testing import FakeProvider, make_resource

EVIL_NAME = "<script>alert(1)</script>"
FORMULA_NAME = '=HYPERLINK("http://x","y")'


def hostile_provider() -> FakeProvider:
    """Resources whose names try to break out of HTML, Markdown and spreadsheets."""
    return FakeProvider(
        [
            make_resource(
                "aws",
                "ap-east-1",
                name=EVIL_NAME,
                account="999988887777",
                tags={"owner": "<img src=x onerror=alert(2)>"},
                id="arn:aws:s3:::evil-bucket",
            ),
            make_resource(
                "aws", "eu-west-1", name=FORMULA_NAME, account="999988887777", id="arn:aws:s3:::f"
            ),
        ],
        name="aws-hostile",
    )


def demo_report() -> Report:
    """The demo audit, with hostile resources added: violations, unknowns, exempt and gaps."""
    return audit([*demo_providers(), hostile_provider()], demo_policy())


TEAMS = ("data", "web", "ml", "payments", "search", "ops", "growth", "risk", "infra", "mobile")
KINDS = (("s3", "bucket"), ("ec2", "instance"), ("rds", "db"), ("storage", "bucket"))


def large_estate(n: int, seed: int = 11) -> list[Resource]:
    """``n`` varied resources: every catalogued region of four clouds, 60 accounts, copies,
    four tags with many distinct owners and cost centres, unmapped regions, multi-regions."""
    rng = random.Random(seed)
    cat = default_catalog()
    locs: list[Location] = []
    for pid in (ProviderId.AWS, ProviderId.GCP, ProviderId.AZURE, ProviderId.ALIBABA):
        for region, entry in cat.regions(pid).items():
            locs.append(Location(provider=pid, region=region, kind=entry.kind))
    locs += [Location(provider=ProviderId.AWS, region=f"xx-unmapped-{i}") for i in range(5)]
    accounts = [f"{rng.randrange(10**11, 10**12)}" for _ in range(60)]
    out = []
    for i in range(n):
        loc = rng.choice(locs)
        team = rng.choice(TEAMS)
        service, rtype = rng.choice(KINDS)
        name = f"acme-{team}-{rng.choice(('logs', 'raw', 'curated', 'backup', 'app'))}-{i:05d}"
        account = rng.choice(accounts)
        copies = tuple(
            Location(provider=loc.provider, region=c.region)
            for c in rng.sample(locs, rng.choice((0, 0, 0, 1, 2)))
            if c.provider is loc.provider
        )
        out.append(
            Resource(
                provider=loc.provider,
                account=account,
                service=service,
                type=rtype,
                id=f"arn:aws:{service}:{loc.region}:{account}:{rtype}/{name}",
                name=name,
                location=loc,
                data_locations=copies,
                tags={
                    "team": team,
                    "env": rng.choice(("prod", "staging", "dev")),
                    "owner": f"user{rng.randrange(400)}@acme.example",
                    "cost-center": f"cc-{rng.randrange(1000, 1300)}",
                },
            )
        )
    return out
