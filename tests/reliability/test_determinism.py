"""The same inventory gives byte-identical JSON reports, apart from timestamps."""

import json
import random
import re

import pytest

from cloudaudit import audit
from cloudaudit.demo import demo_gaps, demo_policy, demo_resources
from cloudaudit.formats import FORMATS, render
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


# Timestamps with or without seconds (Markdown stamps the minute): a run that crosses a
# minute must not differ.
_TIMES = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"
    r"|\b1[6-9]\d{8,11}\b"
)


def _render_shuffled(fmt: str, seed: int) -> str:
    resources = demo_resources()
    gaps = demo_gaps()
    random.Random(seed).shuffle(resources)
    random.Random(seed).shuffle(gaps)
    providers = [FakeProvider(resources, gaps=gaps, name="aws")]
    report = audit(providers, demo_policy(), max_workers=1 + seed)
    return _TIMES.sub("T", render(report, fmt))


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "table"])
def test_every_format_is_byte_identical_apart_from_timestamps(fmt: str) -> None:
    outputs = {_render_shuffled(fmt, seed) for seed in range(3)}
    assert len(outputs) == 1, f"{fmt} output depends on input order or concurrency"
