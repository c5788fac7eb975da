"""The engine's hot loop gives exactly what a straightforward, validated evaluation gives.

The reference below judges each resource with a fresh engine (no cache shared between
resources), completes it with ``model_copy`` and builds the finding with ``model_validate``.
The fast path caches verdicts by the identity of location objects and copy tuples, shares the
copy model's completed copies and fields sets, and builds findings without validation; on
varied resources (shared and fresh location objects, declared, undeclared and unread copy
mechanisms, edge caches, sites, exemptions, fields sets with and without ``data_locations``)
and varied policies, both must agree in every finding: equality, JSON and fields set.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloudaudit import Finding, Location, LocationKind, ProviderId, Resource, Status, _finding_table
from cloudaudit._finding_table import build_findings
from cloudaudit.copymodel import unread_copies
from cloudaudit.policies import Engine, Policy, _engine, load_policy, policy_from_mapping
from cloudaudit.policies._judge import LABEL

# Every test here runs on the compiled loops and on the Python ones (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("loops")

AWS, GCP, AZURE, ALI = ProviderId.AWS, ProviderId.GCP, ProviderId.AZURE, ProviderId.ALIBABA
TODAY = date(2026, 11, 22)

LOCATIONS = (
    Location(provider=AWS, region="us-east-1"),
    Location(provider=AWS, region="ap-east-1"),
    Location(provider=AWS, region="cn-north-1"),
    Location(provider=AWS, region="eu-central-1", zone="eu-central-1a", kind=LocationKind.ZONE),
    Location(provider=AWS, region="xx-unmapped-1"),
    Location(provider=AWS, region="eu-central-1", site="arn:aws:outposts:x:1:outpost/op-1"),
    Location(provider=AWS, region="us-east-1", site="op-unmapped"),
    Location(provider=AWS, kind=LocationKind.UNKNOWN, note="the region could not be read"),
    Location(provider=AWS, region="ap-east-1", via="aws.cloudfront.edge-cache"),
    Location(provider=AWS, region="eu-west-1", via="aws.s3.replication"),
    Location(provider=GCP, region="global", kind=LocationKind.GLOBAL),
    Location(provider=GCP, region="ASIA", kind=LocationKind.MULTI_REGION),
    Location(provider=GCP, region="EU", kind=LocationKind.MULTI_REGION),
    Location(provider=GCP, region="asia-east2"),
    Location(provider=AZURE, region="southcentralus"),
    Location(provider=AZURE, region="chinaeast2"),
    Location(provider=ALI, region="us-east-1"),
    Location(provider=ALI, region="eu-central-1"),
    Location(provider=ProviderId("tencent"), region="eu-moscow"),
)
TYPES = (
    (AWS, "s3", "bucket"),  # declared, every mechanism read
    (AWS, "opensearch", "domain"),  # declared with an unread mechanism
    (AWS, "cloudfront", "distribution"),  # edge caches
    (AWS, "somesvc", "bucket"),  # undeclared (same provider and type as s3/bucket)
    (GCP, "bigquery", "dataset"),
    (GCP, "s3", "bucket"),  # undeclared on that cloud
    (AZURE, "Microsoft.Storage", "storageAccounts"),
    (ALI, "oss", "bucket"),
    (ProviderId("tencent"), "cos", "bucket"),  # a provider the copy model does not cover
)


def _policy(name: str, **changes: object) -> Policy:
    raw = load_policy(name).model_dump(mode="json", exclude_none=True)
    raw.update(changes)
    return policy_from_mapping(raw)


EXEMPTIONS = [
    {"resource": "arn:x:keep-*", "reason": "approved by DPO", "expires": "2030-01-01"},
    {"tags": {"exception": "T-*"}, "reason": "old approval", "expires": "2024-01-01"},
]
POLICIES = (
    load_policy("us-foreign-adversaries"),
    load_policy("eu-gdpr"),
    load_policy("eea-only"),
    _policy("us-foreign-adversaries", unknown="violation", exemptions=EXEMPTIONS),
    _policy("us-foreign-adversaries", edge_caches=False, premises={"op-1": "DE"}),
    _policy("eu-gdpr", axes=["location"], exemptions=EXEMPTIONS),
    _policy("eu-gdpr", unknown="violation", edge_caches=False),
)


def reference(policy: Policy, resources: list[Resource]) -> list[Finding]:
    """One fresh engine per resource, ``model_copy`` and ``model_validate``: no shortcut."""
    out = []
    for r in resources:
        engine = Engine(policy, today=TODAY)
        done, copies = r, r.data_locations
        if "copies" in policy.axes:
            extra = unread_copies(r)
            if extra:
                done = r.model_copy(update={"data_locations": (*r.data_locations, *extra)})
            copies = done.data_locations
            if not policy.edge_caches:
                copies = tuple(c for c in copies if c.via != "aws.cloudfront.edge-cache")
        j = engine.judge(done.location, copies)
        status, reasons = j.status, tuple(x.replace(LABEL, r.label) for x in j.reasons)
        exemption = None
        if policy.exemptions and status is not Status.COMPLIANT:
            status, reasons, exemption = engine._exempt(r, status, reasons)
        data = {
            "policy_id": policy.id,
            "resource": done,
            "status": status,
            "reasons": reasons,
            "jurisdictions": j.jurisdictions,
            "evidence": j.evidence,
            "exemption": exemption,
        }
        out.append(Finding.model_validate(data))
    return out


def _fresh(loc: Location) -> Location:
    """An equal location that is another object (a provider that builds one per resource)."""
    return Location.model_validate(loc.model_dump())


@st.composite
def resources(draw: st.DrawFn) -> list[Resource]:
    # A few types and locations per example, so that resources share them (the caches' case).
    types = draw(st.lists(st.sampled_from(TYPES), min_size=1, max_size=3))
    locations = draw(st.lists(st.sampled_from(LOCATIONS), min_size=1, max_size=4))
    out = []
    shared_copies: dict[tuple[int, ...], tuple[Location, ...]] = {}
    for i in range(draw(st.integers(1, 16))):
        provider, service, type_ = draw(st.sampled_from(types))
        loc = draw(st.sampled_from(locations))
        if draw(st.booleans()):
            loc = _fresh(loc)
        picks = tuple(draw(st.lists(st.integers(0, len(locations) - 1), max_size=3)))
        if draw(st.booleans()):  # the same tuple object for the same picks, as providers share
            copies = shared_copies.setdefault(picks, tuple(locations[p] for p in picks))
        else:
            copies = tuple(_fresh(locations[p]) for p in picks)
        keep = draw(st.booleans())
        fields: dict[str, object] = {
            "provider": provider,
            "account": draw(st.sampled_from(["111111111111", "222222222222"])),
            "service": service,
            "type": type_,
            "id": f"arn:x:keep-{i}" if keep else f"arn:x:r-{i}",
            "name": draw(st.text(max_size=6)),
            "location": loc,
        }
        if copies or draw(st.booleans()):  # some resources leave data_locations unset
            fields["data_locations"] = copies
        if draw(st.booleans()):
            fields["tags"] = {"exception": "T-9"}
        out.append(Resource.model_validate(fields))
    return out


def _assert_same(fast: list[Finding], slow: list[Finding]) -> None:
    assert len(fast) == len(slow)
    for f, s in zip(fast, slow, strict=True):
        assert f == s
        assert f.model_dump_json() == s.model_dump_json()
        assert f.model_fields_set == s.model_fields_set
        assert f.resource.model_fields_set == s.resource.model_fields_set
        assert type(f.resource) is type(s.resource)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(POLICIES),
    resources(),
    st.sampled_from([1, 2, 4096]),
    st.sampled_from([(1, 1), (1, 3), (64, 15)]),
)
def test_fast_path_equals_a_validated_evaluation(
    policy: Policy, rs: list[Resource], limit: int, by_value: tuple[int, int]
) -> None:
    expected = reference(policy, rs)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_engine, "_FAST_LIMIT", limit)  # 1, 2: the identity cache is emptied often
        # (1, n): a chunk of one resource the identity cache misses turns the lookups by value
        # on for n chunks (the chunks of findings() are single resources below)
        mp.setattr(_engine, "_BY_VALUE_MIN", by_value[0])
        mp.setattr(_engine, "_BY_VALUE_RUN", by_value[1])
        if by_value[0] == 1:
            mp.setattr(_engine, "_CHUNK", 1)
        mp.setattr(_engine, "_FAST_MAX", 4 * limit)  # grows when its old entries come back
        mp.setattr(_finding_table, "_WIDEN_LIMIT", limit)  # and so are the widened fields sets
        engine = Engine(policy, today=TODAY)
        _assert_same(list(engine.findings(rs)), expected)
        _assert_same(list(engine.findings(rs)), expected)  # again, from warm caches
        _assert_same(list(engine.findings(reversed(rs))), expected[::-1])
        table = engine.table(rs)  # the bulk path: the same findings, built when read
        _assert_same(list(table), expected)
        _assert_same([table[i] for i in range(-len(rs), 0)], expected)
        assert table == tuple(expected) and tuple(expected) == table


def test_completion_shares_copies_and_fields_sets_but_not_the_resource() -> None:
    """The completed copies and fields set are shared objects; the input is left untouched."""
    policy = load_policy("us-foreign-adversaries")
    a, b = (
        Resource(
            provider=GCP,
            account="p",
            service="bigquery",
            type="dataset",
            id=f"d{i}",
            name=f"d{i}",
            location=LOCATIONS[13],
        )
        for i in range(2)
    )
    assert "data_locations" not in a.model_fields_set
    fa, fb = Engine(policy).findings([a, b])
    assert fa.resource is not a and a.data_locations == ()
    assert fa.resource.data_locations is fb.resource.data_locations
    assert fa.resource.data_locations == unread_copies(a)
    assert fa.resource.model_fields_set is fb.resource.model_fields_set
    assert fa.resource.model_fields_set == a.model_fields_set | {"data_locations"}
    assert fa.resource.model_copy(update={"name": "x"}).model_fields_set >= {"name"}
    assert fb.resource.model_fields_set == fa.resource.model_fields_set  # not changed in place


def test_types_that_differ_in_one_part_get_their_own_completion() -> None:
    """The identity cache is keyed by provider, service and type, not by the location alone."""
    loc = LOCATIONS[0]
    rs = [
        Resource(provider=p, account="1", service=s, type=t, id=f"{s}/{t}", name=s, location=loc)
        for p, s, t in ((AWS, "s3", "bucket"), (AWS, "somesvc", "bucket"), (AWS, "s3", "other"))
    ]
    policy = load_policy("us-foreign-adversaries")
    _assert_same(list(Engine(policy).findings(rs)), reference(policy, rs))


def test_a_dropped_location_whose_id_is_reused_is_not_mistaken_for_another() -> None:
    """Streamed resources die once judged, and CPython reuses their addresses; the cache holds
    the objects its keys name, so a new object at an old address is never a stale hit."""
    policy = load_policy("us-foreign-adversaries")
    regions = ("ap-east-1", "eu-central-1", "cn-north-1", "us-east-1")

    def stream() -> Iterator[Resource]:
        for i in range(400):
            loc = Location(provider=AWS, region=regions[i % 4])
            copy = Location(provider=AWS, region=regions[(i // 4) % 4])
            yield Resource(
                provider=AWS,
                account="1",
                service="s3",
                type="bucket",
                id=str(i),
                name=str(i),
                location=loc,
                data_locations=(copy,),
            )

    got = [f.model_dump_json() for f in Engine(policy).findings(stream())]
    assert got == [f.model_dump_json() for f in reference(policy, list(stream()))]


def test_stream_dedupe_key_is_provider_account_and_id_exactly() -> None:
    """The stream judges each (provider, account, id) once, across batches, in arrival order.

    Keys that a joined or hashed key could confuse (a NUL inside an id or an account, the
    same id under another account or provider) stay apart; with ``dedupe=False`` every
    resource is judged.
    """
    from cloudaudit import audit_iter
    from cloudaudit.testing import FakeProvider

    def res(provider: ProviderId, account: str, id_: str) -> Resource:
        loc = next(x for x in LOCATIONS if x.provider is provider)
        return Resource(
            provider=provider,
            account=account,
            service="s",
            type="t",
            id=id_,
            name=id_,
            location=loc,
        )

    a, b = ProviderId.AWS, ProviderId.GCP
    first = [
        res(a, "1", "x\x00y"),
        res(a, "1\x00x", "y"),
        res(a, "2", "x\x00y"),
        res(b, "1", "x\x00y"),
    ]
    again = [res(a, "1", "x\x00y"), res(b, "1", "z"), res(b, "1", "x\x00y"), res(b, "1", "z")]
    providers = [FakeProvider(first, name="one"), FakeProvider(again, name="two")]
    got = [
        (f.resource.provider, f.resource.account, f.resource.id)
        for f in audit_iter(providers, "eu-gdpr")
    ]
    want = {(r.provider, r.account, r.id) for r in first + again}
    assert sorted(got) == sorted(want) and len(got) == len(want) == 5
    everything = list(audit_iter(providers, "eu-gdpr", dedupe=False))
    assert len(everything) == len(first + again)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(
            st.tuples(
                st.sampled_from([ProviderId.AWS, ProviderId.GCP]),
                st.sampled_from("12"),
                st.sampled_from("abcd"),
            ),
            max_size=8,
        ),
        max_size=4,
    )
)
def test_stream_dedupe_keeps_each_key_once_in_order(
    batches: list[list[tuple[ProviderId, str, str]]],
) -> None:
    """``_unseen`` keeps the first resource of each (provider, account, id), batch by batch.

    Accounts are new but equal string objects per resource (the set is looked up again when
    the object changes); a batch with nothing seen before comes back as the same object.
    """
    from cloudaudit._dedupe import unseen as _unseen

    loc = LOCATIONS[0]
    seen: dict[tuple[str, str], set[str]] = {}
    known: set[tuple[str, str, str]] = set()
    for batch in batches:
        rs = [
            Resource.model_construct(provider=p, account="".join(["acct", a]), id=i, location=loc)
            for p, a, i in batch
        ]
        want = []
        for r in rs:
            key = (r.provider, r.account, r.id)
            if key not in known:
                known.add(key)
                want.append(r)
        got = _unseen(rs, seen)
        assert list(got) == want and all(x is y for x, y in zip(got, want, strict=True))
        assert (got is rs) == (len(want) == len(rs))


def test_objects_of_every_resource_own_are_looked_up_by_value_then_by_identity_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A chunk the identity cache mostly misses turns lookups by value on for a few chunks.

    A cold cache, which misses each shared place once, does not. The estate here changes
    from a location object per resource to shared ones: the findings equal the reference's
    throughout, the lookups by value ran (the identity cache stays empty meanwhile) and,
    once shared objects come back, the identity cache answers again.
    """
    monkeypatch.setattr(_engine, "_BY_VALUE_RUN", 2)
    policy = load_policy("us-foreign-adversaries")
    fresh = _estate(200, 30, shared=False)  # 18,000 resources: several chunks of 4,096
    shared = _estate(50, 200, shared=True)  # 30,000
    engine = Engine(policy, today=TODAY)
    rows = engine._rows(fresh[:4096])
    assert engine._by_value_chunks == _engine._BY_VALUE_RUN  # the first chunk missed
    rows += engine._rows(fresh[4096:8192])
    assert engine._by_value_chunks == _engine._BY_VALUE_RUN - 1
    assert len(engine._fast) <= 4096 and engine._hits == 0
    records = engine._records
    want = reference(policy, fresh[:8192:97])
    got = list(
        build_findings(((r, records[rows[i]]) for i, r in list(enumerate(fresh))[:8192:97]), {})
    )
    _assert_same(got, want)
    cold = Engine(policy, today=TODAY)  # a cold cache misses shared places once each:
    cold._rows(shared[:4096])  # that is no reason to stop looking them up by identity
    assert cold._by_value_chunks == 0 and len(cold._fast) == 50
    every = fresh + shared
    findings = list(Engine(policy, today=TODAY).findings(every))
    _assert_same(findings[::211], reference(policy, every[::211]))
    engine = Engine(policy, today=TODAY)
    list(engine.findings(every))
    assert engine._hits > 0  # shared objects are looked up by identity again


def _estate(places: int, rounds: int, *, shared: bool) -> list[Resource]:
    """Three resources in each of ``places`` regions in turn, ``rounds`` times over."""
    locs = [Location(provider=AWS, region=f"xx-{i}") for i in range(places)]
    return [
        Resource(
            provider=AWS,
            account="1",
            service="ec2",
            type="volume",
            id=f"v{n}-{i}-{k}",
            name=f"v{n}-{i}-{k}",
            location=locs[i] if shared else locs[i].model_copy(),
        )
        for n in range(rounds)
        for i in range(places)
        for k in range(3)
    ]


def test_identity_cache_grows_when_shared_places_outnumber_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """More shared places than the cache holds make it grow instead of being emptied.

    Resources that go through more shared places than the cache holds (three in a row per
    place here, so it answers two lookups in three) once emptied it over and over and looked
    every place up by value again; it now doubles (up to its maximum). Objects of every
    resource's own never hit it: it stays small.
    """
    monkeypatch.setattr(_engine, "_FAST_LIMIT", 8)
    monkeypatch.setattr(_engine, "_FAST_MAX", 64)
    policy = load_policy("us-foreign-adversaries")
    rs = _estate(40, 10, shared=True)
    engine = Engine(policy, today=TODAY)
    _assert_same(list(engine.findings(rs)), reference(policy, rs))
    assert engine._fast_limit == 64  # 40 places: 8 -> 16 -> 32 -> 64
    assert len(engine._fast) == 40
    fresh = _estate(40, 10, shared=False)
    engine = Engine(policy, today=TODAY)
    _assert_same(list(engine.findings(fresh)), reference(policy, fresh))
    assert engine._fast_limit == 8
    assert len(engine._fast) <= 8
