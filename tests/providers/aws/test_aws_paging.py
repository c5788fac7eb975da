"""Every AWS client built by the provider guards its listings: token cycles and the page cap.

The clients of the organization path (built from its shared base session) are guarded too, and
a client guarded twice (an account's client held by a ClientCache) counts each page once.
"""

from __future__ import annotations

import socket

import pytest

boto3 = pytest.importorskip("boto3")

from botocore.config import Config  # noqa: E402
from botocore.exceptions import EndpointConnectionError  # noqa: E402

from cloudaudit.providers._paging import MAX_PAGES_ENV, PageCapReached, PaginationLoop  # noqa: E402
from cloudaudit.providers.aws._clients import ClientCache  # noqa: E402
from cloudaudit.providers.aws._org_tasks import _AccountSession, _Base  # noqa: E402
from cloudaudit.providers.aws._paging import continuation_token  # noqa: E402


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(params=["provider", "organization", "organization account"])
def ec2(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> object:
    """A real EC2 client whose endpoint refuses connections: a call that passes the guard fails
    to connect, a call the guard stops never leaves the process."""
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{_closed_port()}")
    config = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=1)
    session = boto3.Session(region_name="eu-west-1")
    if request.param == "organization":
        return _Base(session).client("ec2", "eu-west-1", config)
    if request.param == "organization account":
        account = _AccountSession(_Base(session), "eu-west-1")
        return ClientCache(account, config).get("ec2", "eu-west-1")
    return ClientCache(session, config).get("ec2", "eu-west-1")


def _page(client: object, token: str | None) -> None:
    kwargs = {"NextToken": token} if token else {}
    with pytest.raises(EndpointConnectionError):
        client.describe_volumes(**kwargs)  # type: ignore[attr-defined]


def test_a_token_that_comes_back_pages_later_stops_the_listing(ec2: object) -> None:
    for token in (None, "A", "B", "C"):
        _page(ec2, token)
    with pytest.raises(PaginationLoop, match="ec2:DescribeVolumes"):
        ec2.describe_volumes(NextToken="A")  # type: ignore[attr-defined]
    _page(ec2, None)  # a new listing starts afresh
    _page(ec2, "A")


def test_a_listing_past_the_page_cap_stops(ec2: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MAX_PAGES_ENV, "3")
    for token in (None, "t1", "t2"):
        _page(ec2, token)
    with pytest.raises(PageCapReached):
        ec2.describe_volumes(NextToken="t3")  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("params", "token"),
    [
        ({}, None),
        ({"NextToken": "x"}, "NextToken=x"),
        ({"Marker": "m", "MaxRecords": 20}, "Marker=m"),
        ({"ExclusiveStartTableName": "t"}, "ExclusiveStartTableName=t"),
        ({"nextToken": ""}, None),
        ({"OwnerIds": ["self"]}, None),
    ],
)
def test_continuation_tokens_are_recognised(params: dict[str, object], token: str | None) -> None:
    assert continuation_token(params) == token
