"""Which records a resource names: those of units that read it, never a discovery step's."""

from __future__ import annotations

from collections.abc import Sequence

from cloudaudit.evidence import Record, Recorder, record
from cloudaudit.testing import make_resource


def _recorder() -> tuple[Recorder, dict[str, Sequence[Record]]]:
    written: dict[str, Sequence[Record]] = {}
    rec = Recorder(lambda s: s, on_unit=lambda scope, records: written.update({scope: records}))
    return rec, written


def test_a_discovery_step_is_written_and_never_searched() -> None:
    rec, written = _recorder()
    bucket = make_resource("aws", "ap-east-1", id="arn:aws:s3:::hk-data", name="hk-data")
    with rec.unit("aws/*/*/discovery", False):  # an answer that happens to name it
        record("organizations:ListAccounts", {"response": {"Accounts": [{"Name": "hk-data"}]}})
    assert [r.operation for r in written["aws/*/*/discovery"]] == ["organizations:ListAccounts"]
    assert rec.link(bucket).records == ()
    with rec.unit(f"aws/{bucket.account}/*/s3"):
        record("s3:ListBuckets", {"response": {"Buckets": [{"Name": "hk-data"}]}})
    (listing,) = written[f"aws/{bucket.account}/*/s3"]
    assert rec.link(bucket).records == (listing.sha256,)


def test_an_id_inside_a_json_document_carried_as_a_string_links() -> None:
    """AWS Config's aggregator answers each configuration item as a JSON string."""
    rec, written = _recorder()
    vol = make_resource(
        "aws", "eu-west-1", id="vol-0123456789abcdef0", name="vol-0123456789abcdef0"
    )
    item = '{"resourceId":"vol-0123456789abcdef0","awsRegion":"eu-west-1"}'
    with rec.unit("aws/*/*/config"):
        record("config:SelectAggregateResourceConfig", {"response": {"Results": [item]}})
    (page,) = written["aws/*/*/config"]
    assert rec.link(vol).records == (page.sha256,)
