"""A synthetic estate shaped as the providers report one: the ``declared`` estate of evaluate.py.

Every resource is of a type its cloud's collectors report (each declaration of
:mod:`cloudaudit.copymodel`), in one of that cloud's catalogued regions (a few in unmapped
regions), in one of several accounts (projects, subscriptions) per cloud, with ids shaped as
that cloud's. A third of the resources of a type with a copy mechanism the collectors read
have one or two copies by it (``via`` the mechanism) in other regions of the same cloud;
types with a mechanism that is not read get their unknown copy from the copy model, as real
ones do. Resources come grouped by unit of work (cloud, account, region, service), as the
providers report them, and :class:`UnitProvider` reports each group as one batch.

Locations are shared objects (one per cloud and region), as a provider that builds each
location once does; evaluate.py's ``--fresh-locations`` is the other case.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from functools import partial
from itertools import groupby, zip_longest

from cloudaudit import Location, ProviderId, Resource
from cloudaudit.catalog import default_catalog
from cloudaudit.copymodel import DECLARATIONS
from cloudaudit.providers import Batch, Scope, Unit

ACCOUNTS = 10
"""Accounts (projects, subscriptions) per cloud."""


def _account(pid: ProviderId, n: int) -> str:
    if pid is ProviderId.AWS:
        return f"{123456789000 + n:012d}"
    if pid is ProviderId.GCP:
        return f"prj-data-{n:03d}"
    if pid is ProviderId.AZURE:
        return f"6b1d2c3e-0000-4a5b-8c9d-{n:012x}"
    return f"{1234567890123400 + n}"


def _id(pid: ProviderId, account: str, region: str, service: str, type_: str, name: str) -> str:
    if pid is ProviderId.AWS:
        return f"arn:aws:{service}:{region}:{account}:{type_}/{name}"
    if pid is ProviderId.GCP:
        return f"//{service}.googleapis.com/projects/{account}/locations/{region}/{type_}/{name}"
    if pid is ProviderId.AZURE:
        return (
            f"/subscriptions/{account}/resourceGroups/rg-{region}/providers/"
            f"{service}/{type_}/{name}"
        )
    return f"acs:{service}:{region}:{account}:{type_}/{name}"


def declared(n: int, seed: int = 7) -> list[Resource]:
    """``n`` resources of declared types, grouped by (cloud, account, region, service)."""
    rng = random.Random(seed)
    cat = default_catalog()
    fields = set(Resource.model_fields)  # shared, as pydantic would otherwise copy it per object
    tags = {"team": "data", "env": "prod"}
    Group = tuple[ProviderId, str, Location, list[tuple[str, str, list[str]]]]
    per_cloud: list[list[Group]] = []
    for pid in (ProviderId.AWS, ProviderId.GCP, ProviderId.AZURE, ProviderId.ALIBABA):
        types = [
            (d.service, d.type, [m.id for m in d.mechanisms if m.read])
            for d in DECLARATIONS
            if d.provider is pid
        ]
        locs = [
            Location(provider=pid, region=region, kind=entry.kind)
            for region, entry in cat.regions(pid).items()
        ]
        locs += [Location(provider=pid, region=f"xx-unmapped-{i}") for i in range(2)]
        per_cloud.append(
            [(pid, _account(pid, a), loc, types) for a in range(ACCOUNTS) for loc in locs]
        )
    # the clouds' units taken in turn, so that a small estate has every cloud too
    groups = [g for turn in zip_longest(*per_cloud) for g in turn if g is not None]
    per_group = max(1, n // sum(len(g[3]) for g in groups))
    copies_of: dict[tuple[ProviderId, str], list[tuple[Location, ...]]] = {}
    out: list[Resource] = []
    while len(out) < n:
        for pid, account, loc, types in groups:
            for service, type_, mechanisms in types:
                pool = copies_of.setdefault(
                    (pid, service), _copy_sets(rng, pid, mechanisms, [g[2] for g in groups])
                )
                for _ in range(per_group):
                    if len(out) == n:
                        return out
                    i = len(out)
                    name = f"{type_.split('/')[-1].lower()}-{i}"
                    out.append(
                        Resource.model_construct(
                            fields,
                            provider=pid,
                            account=account,
                            service=service,
                            type=type_,
                            id=_id(pid, account, loc.region or "", service, type_, name),
                            name=name,
                            location=loc,
                            data_locations=pool[i % len(pool)],
                            tags=tags,
                        )
                    )
    return out


def _copy_sets(
    rng: random.Random, pid: ProviderId, mechanisms: list[str], locs: list[Location]
) -> list[tuple[Location, ...]]:
    """Six copy tuples, two of them with copies by a read mechanism (shared objects)."""
    if not mechanisms:
        return [()]
    mine = [loc for loc in locs if loc.provider is pid and loc.region]
    regions = sorted({loc.region or "" for loc in mine})

    def copy() -> Location:
        return Location(provider=pid, region=rng.choice(regions), via=rng.choice(mechanisms))

    return [(), (), (), (), (copy(),), (copy(), copy())]


def _unit_key(r: Resource) -> tuple[str, str, str, str]:
    d = r.__dict__
    return (d["provider"].value, d["account"], d["location"].region or "", d["service"])


class UnitProvider:
    """Reports resources as a provider does: one unit of work, and one batch, per group."""

    def __init__(self, resources: Sequence[Resource], name: str = "estate") -> None:
        self._units = [
            (Scope(name, *key[1:]), tuple(group))
            for key, group in groupby(resources, key=_unit_key)
        ]
        self._name = name

    @property
    def name(self) -> str:
        """The provider id."""
        return self._name

    def classifiers(self) -> Sequence[object]:
        """No SDK errors to classify."""
        return ()

    def secrets(self) -> Sequence[str]:
        """No credentials."""
        return ()

    def collect(self, work: object) -> Iterator[Batch]:
        """One unit per group, each listing its resources."""
        units = [Unit(scope=s, run=partial(tuple, g)) for s, g in self._units]
        for outcome in work.run(units):  # type: ignore[attr-defined]
            yield Batch.from_outcome(outcome)
