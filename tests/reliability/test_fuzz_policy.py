"""Fuzzing policy input: only typed errors naming the file, never a traceback or execution."""

import string
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloudaudit import Policy, PolicyError
from cloudaudit.policies import parse_policy_text, policy_from_mapping

KEYS = [
    "id",
    "version",
    "restricted",
    "allowed",
    "axes",
    "unknown",
    "options",
    "exemptions",
    "extends",
    "title",
    "effective",
    "reviewd",
    "restricted ",
    "__class__",
]
leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.sampled_from(["CN", "HK", "eea", "UA-43", "XX", "2027-01-01", "violation"]),
)
values = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)
    ),
    max_leaves=20,
)
policies = st.dictionaries(st.sampled_from(KEYS), values, max_size=8)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(policies)
def test_random_policy_mappings_give_policy_or_policy_error(raw: dict[str, object]) -> None:
    try:
        result = policy_from_mapping(raw, source="fuzz.yaml")
    except PolicyError as exc:
        assert "fuzz.yaml" in str(exc)
        assert exc.problems
        for field, message, _fix in exc.problems:
            assert field and message
    else:
        assert isinstance(result, Policy)
        result.rules  # compiles  # noqa: B018


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=string.printable + "ü€{}[]:-!&*|>%@`", max_size=300))
def test_random_text_is_a_policy_error_or_a_mapping(text: str) -> None:
    try:
        data = parse_policy_text(text, "fuzz.yaml")
    except PolicyError as exc:
        assert "fuzz.yaml" in str(exc)
    else:
        assert isinstance(data, dict)


def test_python_tags_are_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f"id: !!python/object/apply:os.system ['touch {marker}']\nrestricted: [CN]\n"
    try:
        parse_policy_text(text, "evil.yaml")
    except PolicyError as exc:
        assert "evil.yaml" in str(exc)
    assert not marker.exists()


def test_billion_laughs_is_bounded() -> None:
    lol = "a: &a [x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lol += f"{cur}: &{cur} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
    for extra in range(9, 14):  # each level multiplies the expanded size by six
        prev, cur = chr(ord("a") + extra - 1), chr(ord("a") + extra)
        lol += f"{cur}: &{cur} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
    try:
        parse_policy_text(lol, "lol.yaml")
    except PolicyError as exc:
        assert "expands" in str(exc)
    else:
        raise AssertionError("an exponentially aliased document was accepted")
    assert isinstance(yaml.safe_load("a: 1"), dict)


def test_huge_file_is_refused(tmp_path: Path) -> None:
    from cloudaudit import load_policy

    path = tmp_path / "big.yaml"
    path.write_text("id: x\nrestricted: [CN]\n# " + "x" * 1_100_000 + "\n")
    try:
        load_policy(path)
    except PolicyError as exc:
        assert "limit" in str(exc)
    else:
        raise AssertionError("a 1.1 MB policy file was accepted")
