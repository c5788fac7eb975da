"""The compiled dedupe set (``cloudaudit._speedups.IdSet``) is as exact as a set of strings.

It keeps a 32-bit tag (a keyed hash) of each id beside the id's place, so two ids whose tags
are equal must still both be held: the strings are compared whenever the tags match. These
tests find such pairs, cross every growth of the table, mix the string kinds, and check
that the C and the Python dedupe loops agree on either kind of set.
"""

from __future__ import annotations

import random
import sys
from typing import Any

import pytest

from cloudaudit import Location, ProviderId, Resource
from cloudaudit._dedupe import Seen, _unseen, unseen
from cloudaudit._finding_table import speedups_module

LOC = Location(provider=ProviderId.AWS, region="eu-west-1")


def _module() -> Any:
    module = speedups_module()
    if module is None:
        pytest.skip("the C loops are not built here (no compiler, or CLOUDAUDIT_PURE_PYTHON)")
    return module


def _colliding_pair() -> tuple[str, str]:
    """Two different ids with the same 32-bit tag (the bits of its hash an IdSet keeps)."""
    tag = _module().IdSet.tag
    by_tag: dict[int, str] = {}
    for i in range(2_000_000):
        s = f"arn:aws:s3:::bucket-{i}"
        other = by_tag.setdefault(tag(s), s)
        if other != s:
            return other, s
    raise AssertionError("no 32-bit collision among two million ids")  # ~1 in 10^200


def _resource(id_: str, account: str = "1", location: Location = LOC) -> Resource:
    return Resource.model_construct(
        provider=ProviderId.AWS, account=account, service="s3", type="bucket", id=id_,
        location=location,
    )  # fmt: skip


def test_ids_whose_kept_hash_bits_collide_are_both_held() -> None:
    a, b = _colliding_pair()
    ids = _module().IdSet()
    ids.add(a)
    assert a in ids and b not in ids and len(ids) == 1
    ids.add(b)
    assert a in ids and b in ids and len(ids) == 2
    ids.add("".join([a]))  # an equal new object is the same id
    ids.add(b[:1] + b[1:])
    assert len(ids) == 2 and ids.to_set() == {a, b}


def test_the_dedupe_loop_keeps_both_resources_of_a_collision() -> None:
    _module()
    a, b = _colliding_pair()
    batch = [_resource(a), _resource(b), _resource(a[:1] + a[1:])]
    seen: Seen = {}
    got = unseen(batch, seen)
    assert [r.id for r in got] == [a, b]
    assert unseen([_resource(b)], seen) == []


def test_an_idset_answers_as_a_set_through_every_growth() -> None:
    """Random ids of every string kind, with repeats, past the table's growths (16 to 2**18)."""
    rng = random.Random(7)
    alphabet = ["a", "Z", "0", "-", ":", "é", "ß", "€", "中", "\U0001f600"]
    pool = ["".join(rng.choices(alphabet, k=rng.randint(0, 12))) for _ in range(60_000)]
    ids, want = _module().IdSet(), set()
    for i in range(150_000):
        s = rng.choice(pool) if i % 3 else f"id-{i}"
        s = s[:1] + s[1:]  # a new object each time
        ids.add(s)
        want.add(s)
        assert len(ids) == len(want)
    assert ids.to_set() == want
    probe = [*pool, "absent", "", "é" * 3, "id-1", "id-150000"]
    assert [s in ids for s in probe] == [s in want for s in probe]


def test_str_subclasses_are_held_by_value_and_other_ids_refused() -> None:
    class Name(str):
        def __hash__(self) -> int:  # a subclass's own hash must not decide
            return 1

        def __eq__(self, other: object) -> bool:
            return True

    ids = _module().IdSet()
    ids.add(Name("x"))
    assert "x" in ids and "y" not in ids and Name("x") in ids
    ids.add("x")
    assert len(ids) == 1 and type(next(iter(ids.to_set()))) is str
    with pytest.raises(TypeError, match="must be a str"):
        ids.add(3)
    assert 3 not in ids
    with pytest.raises(TypeError, match="no arguments"):
        _module().IdSet(["x"])


def test_an_idset_releases_its_ids() -> None:
    ids = _module().IdSet()
    s = "".join(["held-", "once"])
    before = sys.getrefcount(s)
    ids.add(s)
    ids.add(s[:1] + s[1:])  # equal, not kept
    assert sys.getrefcount(s) == before + 1
    del ids
    assert sys.getrefcount(s) == before


def test_each_loop_refuses_the_others_sets() -> None:
    module = _module()
    batch = [_resource(f"b{i % 7}", account=str(i % 2)) for i in range(20)]
    seen_c: Seen = {}
    seen_py: Seen = {}
    assert list(unseen(batch, seen_c)) == list(_unseen(batch, seen_py))
    assert {k: v.to_set() for k, v in seen_c.items()} == {k: set(v) for k, v in seen_py.items()}
    with pytest.raises(TypeError, match="another type"):
        module.unseen(batch, seen_py)
    with pytest.raises(TypeError, match="another type"):
        _unseen(batch, seen_c)
