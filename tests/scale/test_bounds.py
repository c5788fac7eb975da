"""One set of bounds: every provider's units (and every account's) share one pool."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import Any

from cloudaudit import audit
from cloudaudit.models import Resource
from cloudaudit.providers import Batch, FanOut, Scope, Unit
from cloudaudit.testing import make_resource


class Meter:
    """Counts units running at once, over every provider."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.active = self.peak = 0

    def work(self, provider: str, name: str) -> list[Resource]:
        with self.lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
        threading.Event().wait(0.005)
        with self.lock:
            self.active -= 1
        return [make_resource(provider, "eu-west-1", name=name, id=f"{provider}:{name}")]


class Multi:
    """A provider that, like GCP or an AWS organization, runs several fan-outs at once
    (one per account, from its own threads) and then one more (nested units included)."""

    def __init__(self, name: str, meter: Meter, accounts: int = 4, units: int = 6) -> None:
        self.name = name
        self.meter = meter
        self.accounts = accounts
        self.units = units

    def classifiers(self) -> Sequence[Any]:
        return ()

    def secrets(self) -> Sequence[str]:
        return ()

    def _account(self, fanout: FanOut, acct: int, out: list[Batch]) -> None:
        units = [
            Unit(Scope(self.name, str(acct), f"r{i}"), self._runner(f"{acct}-{i}"))
            for i in range(self.units)
        ]
        out.extend(Batch(resources=o.resources) for o in fanout.run(units))

    def _runner(self, name: str) -> Any:
        return lambda: self.meter.work(self.name, name)

    def _nested(self, fanout: FanOut) -> list[Resource]:
        inner = [Unit(Scope(self.name, "n", f"i{i}"), self._runner(f"n{i}")) for i in range(3)]
        return [r for o in fanout.run(inner) for r in o.resources]

    def collect(self, fanout: FanOut) -> Iterator[Batch]:
        out: list[Batch] = []
        threads = [
            threading.Thread(target=self._account, args=(fanout, a, out))
            for a in range(self.accounts)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        yield from out
        for o in fanout.run([Unit(Scope(self.name, "n"), lambda: self._nested(fanout))]):
            yield Batch(resources=o.resources)


def test_peak_concurrency_never_exceeds_max_workers_across_providers() -> None:
    meter = Meter()
    providers = [Multi(name, meter) for name in ("aws", "gcp", "azure")]
    calls: list[tuple[str, int, int]] = []
    lock = threading.Lock()

    def progress(done: int, total: int, scope: Scope) -> None:
        with lock:
            calls.append((scope.provider, done, total))

    report = audit(providers, "us-foreign-adversaries", max_workers=3, progress=progress)
    assert report.summary.total == 3 * (4 * 6 + 3)
    assert 1 < meter.peak <= 3  # 12 account fan-outs ran at once, in 3 slots
    for name in ("aws", "gcp", "azure"):
        mine = [(d, t) for p, d, t in calls if p == name]
        # cumulative per provider: done counts 1, 2, 3... over every run, and ends at total
        assert [d for d, _ in mine] == list(range(1, 4 * 6 + 1 + 3 + 1))
        assert mine[-1][0] == mine[-1][1]


def _mapping_unit(fanout: FanOut, meter: Meter, name: str, n: int) -> Unit:
    def run() -> list[Resource]:
        meter.work("aws", name)  # the unit's own call, in its slot
        items = fanout.map(lambda i: meter.work("aws", f"{name}-{i}")[0], range(n))
        return [*items, *meter.work("aws", f"{name}-after")]

    return Unit(Scope("aws", name), run)


def test_map_items_and_units_share_the_slots() -> None:
    meter = Meter()
    with FanOut(max_workers=3) as fanout:
        units = [_mapping_unit(fanout, meter, f"m{u}", 12) for u in range(2)]
        units += [Unit(Scope("aws", f"p{u}"), meter_runner(meter, f"p{u}")) for u in range(6)]
        outcomes = list(fanout.run(units))
    assert all(o.gap is None for o in outcomes)
    mapped = {o.scope.account: [r.name for r in o.resources] for o in outcomes}
    # in the order of the items, then the unit's call made after the map
    assert mapped["m0"] == [*(f"m0-{i}" for i in range(12)), "m0-after"]
    assert 1 < meter.peak <= 3


def meter_runner(meter: Meter, name: str) -> Any:
    return lambda: meter.work("aws", name)


def test_map_with_one_slot_does_not_deadlock() -> None:
    """The waiting unit gives its slot to its items; a nested map runs inline."""
    meter = Meter()
    with FanOut(max_workers=1) as fanout:

        def nested(i: int) -> int:
            return sum(fanout.map(lambda j: len(meter.work("aws", f"{i}.{j}")), range(3)))

        unit = Unit(Scope("aws"), lambda: [make_resource("aws", "eu-west-1", name="x")])
        inner = Unit(Scope("aws", "m"), lambda: [*unit.run()] * sum(fanout.map(nested, range(4))))
        (outcome,) = fanout.run([inner])
    assert outcome.gap is None and len(outcome.resources) == 12
    assert meter.peak == 1


def test_map_raises_the_first_failure_and_the_unit_becomes_a_gap() -> None:
    def item(i: int) -> int:
        if i == 3:
            raise PermissionError("AccessDenied on item 3")
        return i

    with FanOut(max_workers=2) as fanout:
        assert fanout.map(item, range(3)) == [0, 1, 2]  # outside a unit: no slot to give back
        (outcome,) = fanout.run([Unit(Scope("aws", "a"), lambda: fanout.map(item, range(9)))])
        # the slot came back: later units still run, within the bound
        (later,) = fanout.run([Unit(Scope("aws", "b"), lambda: fanout.map(str, range(5)))])
    assert outcome.gap is not None and outcome.gap.code == "PermissionError"
    assert list(later.resources) == ["0", "1", "2", "3", "4"]  # the unit's own list, uncopied
    assert fanout._slots.free() == 2  # every slot released
