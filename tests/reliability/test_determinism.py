"""The same inventory gives byte-identical JSON reports, apart from timestamps."""

import json
import random

from cloudaudit import audit
from cloudaudit.demo import demo_gaps, demo_policy, demo_resources
from cloudaudit.testing import FakeProvider


def _normalised(text: str) -> str:
    data = json.loads(text)
    data["started_at"] = data["finished_at"] = "T"
    return json.dumps(data, sort_keys=False)


def test_same_inventory_in_any_order_gives_identical_json() -> None:
    outputs = set()
    for seed in range(5):
        resources = demo_resources()
        gaps = demo_gaps()
        random.Random(seed).shuffle(resources)
        random.Random(seed).shuffle(gaps)
        half = len(resources) // 2
        providers = [
            FakeProvider(resources[:half], gaps=gaps, name="aws"),
            FakeProvider(resources[half:], name="gcp"),
        ]
        report = audit(providers, demo_policy(), max_workers=1 + seed)
        outputs.add(_normalised(report.to_json()))
    assert len(outputs) == 1


def test_finding_order_is_sorted_by_provider_account_id() -> None:
    report = audit([FakeProvider(demo_resources(), name="aws")], demo_policy())
    keys = [(f.resource.provider.value, f.resource.account, f.resource.id) for f in report.findings]
    assert keys == sorted(keys)
