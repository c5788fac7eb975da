"""Every unit gap names the call that failed (cloudaudit.providers._calls, FanOut.gap)."""

from __future__ import annotations

import pytest

from cloudaudit.providers import FanOut, Scope
from cloudaudit.providers._calls import call_of, calling, note_call, with_call


def test_the_innermost_call_named_wins() -> None:
    with pytest.raises(ConnectionError) as caught, calling("outer:List"), calling("inner:Get"):
        raise ConnectionError("reset")
    assert call_of(caught.value) == "inner:Get"
    note_call(caught.value, "other:Call")
    assert call_of(caught.value) == "inner:Get"


def test_a_message_is_led_by_its_call_once() -> None:
    exc = TimeoutError("read timed out")
    assert with_call(exc, "read timed out") == "read timed out"
    note_call(exc, "compute.instances.list")
    assert with_call(exc, "read timed out") == "compute.instances.list: read timed out"
    assert with_call(exc, "compute.instances.list failed") == "compute.instances.list failed"


def test_an_aws_client_error_names_its_call_in_its_response() -> None:
    from botocore.exceptions import ClientError

    response = {"Error": {"Code": "Throttling"}, "cloudaudit_call": "ec2:DescribeVolumes"}
    assert call_of(ClientError(response, "DescribeVolumes")) == "ec2:DescribeVolumes"


def test_a_unit_gap_names_the_call_and_masks_credentials() -> None:
    fan = FanOut(max_workers=1, secrets=("SECRETKEY",))
    with pytest.raises(OSError, match="reset") as caught, calling("sts:AssumeRole"):
        raise OSError("connection reset while sending SECRETKEY")
    gap = fan.gap(Scope("aws", "1", "eu-west-1", "ec2"), caught.value)
    assert gap.message == "sts:AssumeRole: connection reset while sending ***"
