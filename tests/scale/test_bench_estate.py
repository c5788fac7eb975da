"""The ``declared`` estate of benchmarks/evaluate.py is what its name says, and streams right.

The benchmark's figures stand on it: every resource is of a type a cloud's collectors report
(so the row does not quietly skip the undeclared-type path it claims to leave out, nor add
it), its copies are by mechanisms those collectors read, and a provider that reports it a
batch per unit of work gives ``audit_iter`` the same findings as ``evaluate`` gives.
"""

from __future__ import annotations

import importlib
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from cloudaudit import audit_iter, evaluate, load_policy
from cloudaudit.copymodel import declaration, mechanism
from cloudaudit.models import Status

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture
def estate(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    sys.modules.pop("_estate", None)
    return importlib.import_module("_estate")


def test_every_resource_is_of_a_declared_type_with_read_copies(estate: ModuleType) -> None:
    resources = estate.declared(5000)
    assert len(resources) == 5000
    assert len({r.id for r in resources}) == 5000
    clouds = Counter(r.provider.value for r in resources)
    assert set(clouds) == {"aws", "gcp", "azure", "alibaba"}
    for r in resources:
        assert declaration(r.provider, r.service, r.type) is not None, (r.service, r.type)
        for copy in r.data_locations:
            found = mechanism(copy.via)
            assert found is not None and found.read, copy.via
            assert copy.provider is r.provider
    assert sum(1 for r in resources if r.data_locations) > 500


def test_a_batch_per_unit_streams_the_findings_evaluate_gives(estate: ModuleType) -> None:
    resources = estate.declared(3000)
    policy = load_policy("us-foreign-adversaries")
    provider = estate.UnitProvider(resources)
    assert len(provider._units) > 100  # many small batches, as an estate's units are
    streamed = list(audit_iter(provider, policy))
    evaluated = list(evaluate(resources, policy).findings)
    assert sorted(streamed, key=lambda f: f.resource.id) == sorted(
        evaluated, key=lambda f: f.resource.id
    )
    statuses = Counter(f.status for f in evaluated)
    assert statuses[Status.VIOLATION] and statuses[Status.COMPLIANT] and statuses[Status.UNKNOWN]


def test_the_paired_benchmark_gives_the_dedupe_run_new_id_strings(estate: ModuleType) -> None:
    """Its dedupe run hashes every id as a stream's would: equal resources, new id objects."""
    sys.modules.pop("paired_stream", None)
    paired = importlib.import_module("paired_stream")
    resources = estate.declared(500)
    own = paired.fresh_ids(resources)
    assert own == resources
    for a, b in zip(own, resources, strict=True):
        assert a.id == b.id and a.id is not b.id
        assert a.__pydantic_fields_set__ is b.__pydantic_fields_set__  # no per-copy widening


def test_the_paired_benchmark_times_every_path(
    estate: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    sys.modules.pop("paired_stream", None)
    paired = importlib.import_module("paired_stream")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sys, "argv", ["paired_stream.py", "--resources", "800", "--rounds", "2"])
        paired.main()
    out = capsys.readouterr().out
    for path in (
        "evaluate_materialize",
        "engine_stream",
        "audit_iter_dedupe_off",
        "audit_iter_dedupe_on",
        "floor_dedupe_set_in_c",
        "floor_region_lookup",
    ):
        assert path in out
    assert out.count("vs evaluate + materialize") == 2
