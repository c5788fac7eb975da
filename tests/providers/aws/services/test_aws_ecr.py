from __future__ import annotations

import json

from cloudaudit.providers.aws.services import ecr

(REPOSITORIES,) = ecr.COLLECTORS


def test_repositories_with_registry_replication(aws):
    # moto accepts a single rule; several rules are covered by the JSON test below.
    rules = [
        {
            "destinations": [
                {"region": "ap-east-1", "registryId": "123456789012"},
                {"region": "ap-southeast-2", "registryId": "123456789012"},
            ],
            "repositoryFilters": [{"filter": "prod/", "filterType": "PREFIX_MATCH"}],
        },
    ]
    us, eu = aws.client("ecr", "us-east-1"), aws.client("ecr", "eu-west-1")
    us.put_replication_configuration(replicationConfiguration={"rules": rules})
    for name in ("prod/api", "dev/tool"):
        us.create_repository(repositoryName=name)
    eu.create_repository(repositoryName="prod/api")

    in_us = aws.run(REPOSITORIES, "us-east-1")
    in_eu = aws.run(REPOSITORIES, "eu-west-1")

    prod = in_us["prod/api"]
    assert prod.id == "arn:aws:ecr:us-east-1:123456789012:repository/prod/api"
    assert prod.location.region == "us-east-1"
    assert aws.copies(prod) == {"ap-east-1", "ap-southeast-2"}
    assert aws.copies(in_us["dev/tool"]) == set()
    # Registry replication is configured per region: eu-west-1 has none.
    assert in_eu["prod/api"].id == "arn:aws:ecr:eu-west-1:123456789012:repository/prod/api"
    assert aws.copies(in_eu["prod/api"]) == set()


def test_replica_regions_from_documented_describe_registry():
    registry = json.loads(
        """{
        "registryId": "123456789012",
        "replicationConfiguration": {"rules": [
            {"destinations": [{"region": "eu-central-1", "registryId": "210987654321"}],
             "repositoryFilters": [{"filter": "team-a", "filterType": "PREFIX_MATCH"},
                                   {"filter": "shared", "filterType": "PREFIX_MATCH"}]},
            {"destinations": [{"region": "ap-east-1", "registryId": "123456789012"}]}
        ]}
    }"""
    )
    rules = registry["replicationConfiguration"]["rules"]
    # Moto accepts a single rule: this checks the documented DescribeRegistry shape.
    assert ecr.replica_regions(rules, "team-a/web") == ["eu-central-1", "ap-east-1"]
    assert ecr.replica_regions(rules, "shared-base") == ["eu-central-1", "ap-east-1"]
    assert ecr.replica_regions(rules, "team-b/web") == ["ap-east-1"]
