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
