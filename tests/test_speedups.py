"""The compiled hot loops (cloudaudit/_speedups.c) give what the Python loops give.

The engine's reference tests (tests/test_engine_reference.py, test_engine_fast_path.py,
test_finding_table.py) run on both versions through the ``loops`` fixture. Here: the cases
the C loop hands back to Python, errors, reference counts, the build hook, and that CI
really runs the compiled loops.
"""

from __future__ import annotations

import gc
import hashlib
import importlib.util
import os
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import Any

import pytest

from cloudaudit import Location, ProviderId, Resource, Status
from cloudaudit._dedupe import Seen, _unseen, unseen
from cloudaudit._finding_table import (
    LABEL,
    _build_findings,
    make_record,
    speedups,
    speedups_module,
)

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "cloudaudit" / "_speedups.c"
LOC = Location(provider=ProviderId.AWS, region="eu-west-1")
EXTRA = (Location(provider=ProviderId.AWS, note="not read"),)


def _compiled() -> Any:
    module = speedups_module()
    if module is None:
        pytest.skip("the C loops are not built here (no compiler, or CLOUDAUDIT_PURE_PYTHON)")
    return module


def test_ci_runs_the_compiled_loops() -> None:
    """CI installs with a compiler, so the compiled loops must be what its tests measure."""
    if os.environ.get("CI") != "true":
        pytest.skip("outside CI the C loops are optional")
    assert speedups(), "the C loops did not build: see the warning of `pip install -e .`"


def test_the_compiled_module_is_built_from_this_source() -> None:
    """A module compiled from an older ``_speedups.c`` fails here: reinstall to rebuild it."""
    module = _compiled()
    digest = hashlib.sha256(SOURCE.read_bytes()).hexdigest()
    assert digest == module.SOURCE_SHA256, "stale build: run `pip install -e .` again"


def _resource(i: int, **fields: Any) -> Resource:
    values: dict[str, Any] = {
        "provider": ProviderId.AWS,
        "account": "1",
        "service": "s3",
        "type": "bucket",
        "id": f"b{i}",
        "name": f"b{i}",
        "location": LOC,
    }
    values.update(fields)
    return Resource(**values)


def _record(tails: tuple[str, ...] | None, fixed: tuple[str, ...] = (), extra: Any = None) -> Any:
    return make_record("p", Status.UNKNOWN, tails, fixed, ("US",), (), extra, None)


CASES = [
    (_resource(1), _record((" is in x",))),
    (_resource(2), _record((" a", " b", " c"), extra=EXTRA)),
    (_resource(3), _record((" a", " b", " c", " d"))),  # more than three tails
    (_resource(4), _record((" a",), fixed=("fixed reason",), extra=EXTRA)),
    (_resource(5), _record(None, fixed=(f"{LABEL} first", f"x {LABEL} and {LABEL}"))),
    (_resource(6, data_locations=EXTRA), _record((" a",), extra=EXTRA)),  # had copies
    (_resource(7, name="ünïcödé ☃"), _record(("  é",), extra=EXTRA)),
    (Resource.model_construct(type="t", name=None, location=LOC), _record((" a",))),
]


def _dump(findings: Any) -> list[tuple[str, Any]]:
    return [(f.model_dump_json(), f.model_fields_set) for f in findings]


def test_every_kind_of_record_gives_the_python_loops_findings() -> None:
    """Tails of any number, fixed reasons, placeholders, completion, odd names: all equal."""
    module = _compiled()
    fast = list(module.Findings(CASES, {}))
    slow = list(_build_findings(CASES, {}))
    assert fast == slow
    assert [f.resource.model_fields_set for f in fast] == [
        f.resource.model_fields_set for f in slow
    ]
    assert [f.model_fields_set for f in fast] == [f.model_fields_set for f in slow]
    # the label of a resource built without validation is formatted as Python formats it
    assert fast[-1].reasons == ("t `None` a",)


def test_pairs_that_are_not_tuples_are_built_too() -> None:
    module = _compiled()
    as_lists = [[r, rec] for r, rec in CASES[:3]]
    assert list(module.Findings(as_lists, {})) == list(_build_findings(CASES[:3], {}))


def test_an_error_of_the_pairs_stops_the_loop_as_a_generator_would() -> None:
    module = _compiled()

    def pairs() -> Any:
        yield CASES[0]
        raise OSError("the stream broke")

    it = module.Findings(pairs(), {})
    assert next(it).resource.id == "b1"
    with pytest.raises(OSError, match="the stream broke"):
        next(it)
    assert list(it) == []  # exhausted, as a generator after an exception


def test_a_bad_record_raises_as_the_python_loop_does() -> None:
    module = _compiled()
    bad = [(_resource(1), ({"policy_id": "p"}, (1,), (), None, 1))]  # a tail that is no str
    with pytest.raises(TypeError):
        list(_build_findings(bad, {}))
    with pytest.raises(TypeError):
        list(module.Findings(bad, {}))


def test_close_drops_the_pairs() -> None:
    module = _compiled()
    closed = []

    def pairs() -> Any:
        try:
            yield from CASES
        finally:
            closed.append(True)

    it = module.Findings(pairs(), {})
    next(it)
    it.close()
    assert closed == [True]
    assert list(it) == []


def test_no_reference_is_leaked() -> None:
    """Building and dropping findings leaves every shared object's reference count as it was."""
    module = _compiled()
    shared = [CASES[1][0], CASES[1][1], CASES[1][1][0], CASES[1][1][1], EXTRA, LOC]
    widened: dict[Any, Any] = {}
    list(module.Findings(CASES * 10, widened))  # warm: fields sets widened, caches filled
    gc.collect()
    before = [sys.getrefcount(x) for x in shared]
    for _ in range(3):
        for f in module.Findings(CASES * 1000, widened):
            del f
    gc.collect()
    assert [sys.getrefcount(x) for x in shared] == before


def test_dedupe_gives_the_python_loops_answer() -> None:
    """The compiled dedupe keeps the same resources, as the same objects, as the Python one."""
    _compiled()
    a = [_resource(i % 5, account="".join(["acc", str(i % 2)])) for i in range(40)]
    b = [_resource(i, provider=ProviderId.GCP) for i in range(3)] + a[:3]
    seen_c: Seen = {}
    seen_py: Seen = {}
    for batch in (a, b, a, []):
        got, want = unseen(batch, seen_c), _unseen(batch, seen_py)
        assert list(got) == list(want)
        assert all(x is y for x, y in zip(got, want, strict=True))
        assert (got is batch) == (want is batch)
    assert {k: v.to_set() for k, v in seen_c.items()} == {k: set(v) for k, v in seen_py.items()}


def test_pure_python_is_chosen_by_the_environment(tmp_path: Path) -> None:
    """``CLOUDAUDIT_PURE_PYTHON=1`` turns the compiled loops off; the report is the same."""
    code = (
        "from cloudaudit import evaluate\n"
        "from cloudaudit._finding_table import speedups\n"
        "from cloudaudit.demo import demo_policy, demo_resources\n"
        "r = evaluate(demo_resources(), demo_policy())\n"
        "print(speedups(), r.model_dump_json(include={'findings', 'summary'}))\n"
    )
    out = {}
    for pure in ("1", "0"):
        env = {**os.environ, "CLOUDAUDIT_PURE_PYTHON": pure}
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        out[pure] = done.stdout.split(" ", 1)
    assert out["1"][0] == "False"
    assert out["0"][0] == str(speedups())
    assert out["1"][1] == out["0"][1]


def _hook() -> Any:
    spec = importlib.util.spec_from_file_location("hatch_build", ROOT / "hatch_build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_build_hook_compiles_a_module_that_loads(tmp_path: Path) -> None:
    hook = _hook()
    if not sysconfig.get_config_var("LDSHARED"):
        pytest.skip("this Python has no compiler settings")
    target = tmp_path / f"_speedups{sysconfig.get_config_var('EXT_SUFFIX')}"
    why = hook.compile_speedups(SOURCE, target)
    if why is not None and os.environ.get("CI") != "true":
        pytest.skip(f"no compiler here: {why}")
    assert why is None
    spec = importlib.util.spec_from_file_location("cloudaudit._speedups", target)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert hashlib.sha256(SOURCE.read_bytes()).hexdigest() == module.SOURCE_SHA256


def test_the_build_hook_says_why_it_stays_pure_python(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No compiler, a failing compiler or the opt-out: a reason, never a failed install."""
    hook = _hook()
    target = tmp_path / "_speedups.so"
    monkeypatch.setenv("CLOUDAUDIT_NO_SPEEDUPS", "1")
    assert hook.compile_speedups(SOURCE, target) == "CLOUDAUDIT_NO_SPEEDUPS is set"
    monkeypatch.delenv("CLOUDAUDIT_NO_SPEEDUPS")
    real = sysconfig.get_config_var

    def no_compiler(name: str) -> Any:
        return "" if name == "LDSHARED" else real(name)

    monkeypatch.setattr(sysconfig, "get_config_var", no_compiler)
    assert "no C compiler" in hook.compile_speedups(SOURCE, target)

    def missing_compiler(name: str) -> Any:
        return "no-such-compiler-xyz -shared" if name == "LDSHARED" else real(name)

    monkeypatch.setattr(sysconfig, "get_config_var", missing_compiler)
    assert "did not run" in hook.compile_speedups(SOURCE, target)
    broken = tmp_path / "broken.c"
    broken.write_text("this is not C\n", encoding="utf-8")
    monkeypatch.setattr(sysconfig, "get_config_var", real)
    if real("LDSHARED"):
        why = hook.compile_speedups(broken, target)
        assert why is not None and why.startswith(("the compiler failed", "the compiler did"))
    assert not target.exists()


def test_a_wheel_build_keeps_the_module_and_leaves_no_build_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hook compiles into a folder of its own for the wheel and removes it afterwards."""
    hook_module = _hook()
    if hook_module.BuildHookInterface is object:
        pytest.skip("hatchling is not installed")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    hook = hook_module.CustomBuildHook(str(ROOT), {}, None, None, str(tmp_path), "wheel")
    data: dict[str, Any] = {"force_include": {}}
    hook.initialize("standard", data)
    (folder,) = tmp_path.glob("cloudaudit-build-*")
    if os.environ.get("CI") == "true" or data["force_include"]:
        ((built, inside),) = data["force_include"].items()
        assert Path(built).parent == folder and Path(built).is_file()
        assert inside.startswith("cloudaudit/_speedups") and data["pure_python"] is False
    hook.finalize("standard", data, str(tmp_path / "cloudaudit.whl"))
    assert not folder.exists()


def test_the_compiled_value_keys_are_the_engines_keys() -> None:
    """``value_rows`` finds every resource the engine judged, as the Python keys do.

    A key built otherwise would only miss (the engine then keys the resource in Python):
    right verdicts, lost speed, which no verdict test shows.
    """
    from cloudaudit import load_policy
    from cloudaudit.policies import Engine, _engine

    module = _compiled()
    copies = (Location(provider=ProviderId.AWS, region="ap-east-1"), *EXTRA)
    rs = [_resource(i, data_locations=copies[: i % 3]) for i in range(30)]
    engine = Engine(load_policy("us-foreign-adversaries"))
    engine.table(rs)  # every place judged and keyed by value
    fresh = [r.model_copy(update={"location": r.location.model_copy()}) for r in rs]
    found = module.value_rows(fresh, engine._by_value, _engine._LOC_FIELDS)
    assert None not in found
    key_of = _engine._loc_key
    want = [
        engine._by_value[
            (
                key_of(r.location),
                tuple(map(key_of, r.data_locations)),
                (r.provider, r.service, r.type),
            )
        ]
        for r in fresh
    ]
    assert found == want
