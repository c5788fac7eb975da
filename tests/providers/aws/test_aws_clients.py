"""The client cache's shared client classes and models (botocore internals, pinned here).

botocore regenerates a client class (one method per API operation) and a service model for every
client it builds; ``cache_client_classes`` makes the provider's sessions reuse one of each per
service. These tests fail if botocore renames or changes ``ClientCreator._create_client_class``
or ``ClientCreator._load_service_model`` (or ``EventAliaser.__copy__``, whose copies share the
session's alias cache) so that the reuse stops, or if the reuse leaks into sessions the provider
did not opt in.
"""

from __future__ import annotations

import boto3
import pytest

from cloudaudit.providers.aws._clients import ClientCache, cache_client_classes, make_config


@pytest.fixture(autouse=True)
def _creds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


def test_botocore_still_has_the_method_the_cache_wraps() -> None:
    from botocore.client import ClientCreator
    from botocore.hooks import EventAliaser

    assert callable(ClientCreator._create_client_class)
    assert callable(ClientCreator._load_service_model)
    assert callable(EventAliaser.__copy__)
    assert getattr(ClientCreator._create_client_class, "_cloudaudit_cached", True)


def test_clients_of_one_service_share_a_class_across_regions() -> None:
    cache = ClientCache(boto3.Session(region_name="us-east-1"), make_config(8))
    a, b = cache.get("ec2", "eu-west-1"), cache.get("ec2", "ap-east-1")
    assert type(a) is type(b)
    assert (a.meta.region_name, b.meta.region_name) == ("eu-west-1", "ap-east-1")
    assert a.meta.endpoint_url != b.meta.endpoint_url
    assert type(cache.get("rds", "eu-west-1")) is not type(a)
    s3 = cache.get("s3", "eu-west-1")
    assert hasattr(s3, "upload_file")  # boto3's creating-client-class handlers still ran


def test_clients_of_one_service_share_a_service_model() -> None:
    cache = ClientCache(boto3.Session(region_name="us-east-1"), make_config(8))
    a, b = cache.get("ec2", "eu-west-1"), cache.get("ec2", "ap-east-1")
    assert a.meta.service_model is b.meta.service_model
    assert cache.get("rds", "eu-west-1").meta.service_model is not a.meta.service_model


def test_clients_share_the_sessions_cache_of_event_aliases() -> None:
    session = boto3.Session(region_name="us-east-1")
    cache = ClientCache(session, make_config(8))
    a, b = cache.get("ec2", "eu-west-1"), cache.get("rds", "ap-east-1")
    aliases = session.events._alias_name_cache
    assert a.meta.events._alias_name_cache is aliases
    assert b.meta.events._alias_name_cache is aliases
    assert aliases  # the first client filled it
    theirs = boto3.Session(region_name="us-east-1").client("ec2")
    assert theirs.meta.events._alias_name_cache is not aliases


def test_other_sessions_are_untouched() -> None:
    ours = boto3.Session(region_name="us-east-1")
    assert cache_client_classes(ours)
    theirs = boto3.Session(region_name="us-east-1")
    one, two = theirs.client("ec2"), theirs.client("ec2")
    assert type(one) is not type(two)
    assert one.meta.service_model is not two.meta.service_model
    assert type(ours.client("ec2")) is type(ours.client("ec2", region_name="eu-west-1"))
