"""The client cache's shared client classes and models (botocore internals, pinned here).

botocore regenerates a client class (one method per API operation) and a service model for every
client it builds; ``cache_client_classes`` makes the provider's sessions reuse one of each per
service. These tests fail if botocore renames or changes ``ClientCreator._create_client_class``
or ``ClientCreator._load_service_model`` (or ``EventAliaser.__copy__``, whose copies share the
session's alias cache) so that the reuse stops, or if the reuse leaks into sessions the provider
did not opt in.
"""

from __future__ import annotations

import copy
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest

from cloudaudit.providers.aws._clients import (
    ClientCache,
    Countdown,
    cache_client_classes,
    make_config,
)
from cloudaudit.providers.aws._shared_parts import SharedTrie


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


def _handlers(client_or_events: Any, event: str) -> list[Any]:
    events = getattr(getattr(client_or_events, "meta", None), "events", client_or_events)
    return list(events._emitter._handlers.prefix_search(event))


def test_clients_share_the_sessions_handlers_until_one_registers() -> None:
    session = boto3.Session(region_name="us-east-1")
    cache = ClientCache(session, make_config(8))
    a, b = cache.get("ec2", "eu-west-1"), cache.get("ec2", "ap-east-1")
    assert isinstance(a.meta.events._emitter._handlers, SharedTrie)
    event = "before-call.ec2.DescribeRegions"
    on_a, on_session = _Handler(), _Handler()
    a.meta.events.register(event, on_a)
    session.events.register(event, on_session)
    assert on_a in _handlers(a, event) and on_a not in _handlers(b, event)
    assert on_session not in _handlers(a, event) + _handlers(b, event)
    assert on_session in _handlers(cache.get("ec2", "us-west-2"), event)
    assert on_a not in _handlers(session.events, event)
    # each client keeps its own signer and retry handlers, in botocore's order
    signed = _handlers(a, "request-created.ec2.DescribeRegions")
    assert a._request_signer.handler in signed
    assert b._request_signer.handler not in signed
    a.meta.events.unregister(event, on_a)
    assert on_a not in _handlers(a, event)
    with pytest.raises(ValueError, match="not in trie"):
        a.meta.events._emitter._handlers.remove_item("no-such.event", on_a)


def test_shared_handlers_keep_botocore_order() -> None:
    from botocore.hooks import HierarchicalEmitter

    ours, theirs = HierarchicalEmitter(), HierarchicalEmitter()
    ours._handlers = SharedTrie.adopt(ours._handlers)
    calls = [_Handler() for _ in range(6)]
    for emitter in (ours, theirs):
        emitter.register("a.b", calls[0])
        emitter.register_first("a.b", calls[1])
        emitter.register_last("a", calls[2])
        emitter.register("a.*.c", calls[3])
    copy_ours, copy_theirs = copy.copy(ours), copy.copy(theirs)
    for emitter in (copy_ours, copy_theirs):
        emitter.register("a.b.c", calls[4])
        emitter.register_first("a", calls[5])
    for event in ("a.b", "a.b.c", "a.x.c", "a"):
        assert list(copy_ours._handlers.prefix_search(event)) == list(
            copy_theirs._handlers.prefix_search(event)
        )
        assert list(ours._handlers.prefix_search(event)) == list(
            theirs._handlers.prefix_search(event)
        )


def test_clients_of_one_service_share_their_endpoint_rules() -> None:
    session = boto3.Session(region_name="us-east-1")
    cache = ClientCache(session, make_config(8))
    a, b = cache.get("ec2", "eu-west-1"), cache.get("ec2", "ap-east-1")
    assert a._ruleset_resolver._provider is b._ruleset_resolver._provider
    assert cache.get("rds", "eu-west-1")._ruleset_resolver._provider is not (
        a._ruleset_resolver._provider
    )
    assert "eu-west-1" in a.meta.endpoint_url and "ap-east-1" in b.meta.endpoint_url
    theirs = boto3.Session(region_name="us-east-1")
    one, two = theirs.client("ec2"), theirs.client("ec2", region_name="eu-west-1")
    assert one._ruleset_resolver._provider is not two._ruleset_resolver._provider


def test_paginators_are_loaded_once_when_clients_are_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache = ClientCache(boto3.Session(region_name="us-east-1"), make_config(8))
    clients = [cache.get("ec2", r) for r in ("eu-west-1", "ap-east-1", "us-west-2")]
    listed: list[str] = []
    real = os.listdir
    monkeypatch.setattr(os, "listdir", lambda path=".": listed.append(str(path)) or real(path))
    with ThreadPoolExecutor(3) as pool:
        list(pool.map(lambda c: c.get_paginator("describe_volumes"), clients))
    assert listed == []  # no thread searched botocore's data for the paginator file


class _Handler:
    def __call__(self, **kwargs: Any) -> None:
        return None


def test_opted_in_sessions_read_models_as_plain_dicts_in_the_same_order() -> None:
    from collections import OrderedDict

    ours, theirs = boto3.Session(region_name="us-east-1"), boto3.Session(region_name="us-east-1")
    assert cache_client_classes(ours)
    mine = ours._session.get_component("data_loader").load_service_model("ec2", "service-2")
    stock = theirs._session.get_component("data_loader").load_service_model("ec2", "service-2")
    assert type(mine) is dict and type(mine["shapes"]["Instance"]) is dict
    assert type(stock) is OrderedDict  # botocore's own loader, for any other session
    assert mine == stock
    assert list(mine["shapes"]) == list(stock["shapes"])  # same order (members, operations)
    assert list(mine["operations"]) == list(stock["operations"])
    client = ours.client("ec2", region_name="eu-west-1")
    assert client.meta.service_model.operation_names == list(stock["operations"])


class _SetAfter(threading.Event):
    """An event that reads as set from its ``n``-th check on (the answers came in then)."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.checks = 0
        self.n = n

    def is_set(self) -> bool:
        self.checks += 1
        return self.checks > self.n or super().is_set()


def test_warm_builds_clients_in_order_until_the_answers_are_in() -> None:
    pairs = [("ec2", "eu-west-1"), ("rds", "eu-west-1"), ("ec2", "eu-west-2")]
    cache = ClientCache(boto3.Session(region_name="us-east-1"), make_config(8))
    cache.warm(pairs, _SetAfter(2))
    assert cache.built() == 2  # the first two, then it stopped
    built = cache.get("ec2", "eu-west-1"), cache.get("rds", "eu-west-1")
    assert cache.built() == 2 and built[0].meta.region_name == "eu-west-1"
    cache.warm(pairs, threading.Event())
    assert cache.built() == 3
    done = threading.Event()
    done.set()
    cache.warm([("dynamodb", "eu-west-1")], done)
    assert cache.built() == 3  # the answers were already in: nothing more is built


def test_countdown_is_done_when_every_call_has_ended_failures_included() -> None:
    countdown = Countdown(2)
    ok, fails = countdown.wrap(lambda: 1), countdown.wrap(lambda: 1 / 0)
    assert ok() == 1 and not countdown.done.is_set()
    with pytest.raises(ZeroDivisionError):
        fails()
    assert countdown.done.is_set()


_PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


def _clear_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


def _proxy_for(client: Any) -> str | None:
    url = client.meta.endpoint_url
    proxy: str | None = client._endpoint.http_session._proxy_config.proxy_url_for(url)
    return proxy


def test_without_a_proxy_clients_skip_botocore_s_environment_scan(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import botocore.endpoint

    _clear_proxies(monkeypatch)

    def scanned(url: str) -> dict[str, str]:
        raise AssertionError(f"botocore scanned the environment for {url}")

    monkeypatch.setattr(botocore.endpoint, "get_environ_proxies", scanned)
    cache = ClientCache(boto3.Session(region_name="us-east-1"), make_config(8))
    assert _proxy_for(cache.get("ec2", "eu-west-1")) is None
    assert _proxy_for(cache.get("s3", "ap-east-1")) is None


def test_a_configured_proxy_is_used_as_botocore_would(monkeypatch: pytest.MonkeyPatch) -> None:
    from botocore.utils import get_environ_proxies

    _clear_proxies(monkeypatch)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "rds.eu-west-1.amazonaws.com")
    cache = ClientCache(boto3.Session(region_name="us-east-1"), make_config(8))
    ec2, rds = cache.get("ec2", "eu-west-1"), cache.get("rds", "eu-west-1")
    assert _proxy_for(ec2) == "http://proxy.example:3128"
    assert _proxy_for(rds) is None  # no_proxy is honoured per endpoint
    for client in (ec2, rds):
        expected = get_environ_proxies(client.meta.endpoint_url).get("https")
        assert _proxy_for(client) == expected


class _Handlers:
    def method(self, **kwargs: Any) -> None:
        """A bound method that takes keyword arguments."""

    def strict(self, event_name: str) -> None:
        """A bound method that does not."""

    def __call__(self, **kwargs: Any) -> None:
        """A callable object."""


def _with_kwargs(**kwargs: Any) -> None:
    """A function that takes keyword arguments."""


def _without_kwargs(a: int, b: int = 2) -> None:
    """A function that does not."""


def test_handler_check_is_botocore_s_without_inspecting_signatures(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import functools

    import botocore.hooks

    session = boto3.Session(region_name="us-east-1")
    ClientCache(session, make_config(8))
    own = session.events._emitter._verify_accept_kwargs
    stock = botocore.hooks.HierarchicalEmitter()._verify_accept_kwargs
    h = _Handlers()
    for ok in (_with_kwargs, h.method, functools.partial(_with_kwargs, x=1), h, lambda **kw: 0):
        assert own(ok) is stock(ok) is None
    for bad in (_without_kwargs, h.strict, functools.partial(_without_kwargs, 1)):
        with pytest.raises(ValueError, match="must accept keyword arguments") as ours:
            own(bad)
        with pytest.raises(ValueError, match="must accept keyword arguments") as theirs:
            stock(bad)
        assert str(ours.value) == str(theirs.value)
    # plain functions and methods no longer go through inspect; clients inherit the check
    calls: list[object] = []
    real = botocore.hooks.accepts_kwargs
    monkeypatch.setattr(botocore.hooks, "accepts_kwargs", lambda f: calls.append(f) or real(f))
    client = ClientCache(session, make_config(8)).get("ec2", "eu-west-1")
    client.meta.events.register("after-call", _with_kwargs)
    assert calls == []
    client.meta.events.register("after-call", h)
    assert calls == [h]


def test_a_session_not_opted_in_keeps_botocore_s_handler_check() -> None:
    import botocore.hooks

    session = boto3.Session(region_name="us-east-1")
    assert "_verify_accept_kwargs" not in vars(session.events._emitter)
    client = session.client("ec2")
    assert "_verify_accept_kwargs" not in vars(client.meta.events._emitter)
    assert type(client.meta.events._emitter)._verify_accept_kwargs is (
        botocore.hooks.BaseEventHooks._verify_accept_kwargs
    )
