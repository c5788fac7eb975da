from pathlib import Path

import pytest

from cloudaudit import PolicyError, load_policy
from cloudaudit.policies import builtin_policy_names


def _write(tmp_path: Path, text: str, name: str = "p.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_builtins_load_with_citations() -> None:
    for name in builtin_policy_names():
        p = load_policy(name)
        assert p.citation and p.effective and p.reviewed and p.link, name


def test_user_yaml_and_json(tmp_path: Path) -> None:
    y = load_policy(_write(tmp_path, "id: mine\nallowed: [DE, FR]\n"))
    j = load_policy(_write(tmp_path, '{"id": "mine2", "restricted": ["eea"]}', "p.json"))
    assert y.allowed == ("DE", "FR") and j.restricted == ("eea",)


def test_extends_adds_exemptions(tmp_path: Path) -> None:
    p = load_policy(
        _write(
            tmp_path,
            (
                "extends: eu-gdpr\noptions: {us_dpf: true}\nexemptions:\n"
                "  - resource: 'arn:aws:s3:::x'\n    reason: approved\n    expires: 2030-01-01\n"
            ),
            "team.yaml",
        )
    )
    assert p.id == "team" and p.allowed == ("eea", "eu-adequacy")
    assert p.options["us_dpf"] is True and len(p.exemptions) == 1


@pytest.mark.parametrize(
    ("text", "field", "fix"),
    [
        ("id: x\nrestricted: [CN]\nrestircted: [RU]\n", "restircted", "did you mean 'restricted'"),
        ("id: x\nrestricted: [XX]\n", "restricted[0]", "use a list"),
        (
            "id: x\nrestricted: [us-icts-foreign-adversary]\n",
            "restricted[0]",
            "did you mean 'us-icts-foreign-adversaries'",
        ),
        ("id: x\nrestricted: [cn]\n", "restricted[0]", "'CN'"),
        ("id: x\nallowed: [eea]\noptions: {us_dpf: true}\n", "options.us_dpf", "none"),
        (
            "id: x\nrestricted: [CN]\nexemptions:\n  - resource: a\n    reason: ok ok\n"
            "    expires: tomorrow\n",
            "exemptions[0].expires",
            "YYYY-MM-DD",
        ),
        (
            "id: x\nrestricted: [CN]\nexemptions:\n  - reason: no selector\n",
            "exemptions[0]",
            "resource",
        ),
        ("id: x\n", "(policy)", "restricted"),
        ("id: x\nrestricted: [CN]\nallowed: [DE]\n", "(policy)", "exactly one"),
        ("id: x\nrestricted: [CN]\nunknown: maybe\n", "unknown", "one of"),
        ("id: x\nrestricted: [CN\n", "(file)", "line"),
        ("- just\n- a list\n", "(file)", "mapping"),
        ("id: x\nrestricted: [CN]\nextends: nope\n", "extends", "built-in"),
    ],
)
def test_errors_name_file_field_and_fix(tmp_path: Path, text: str, field: str, fix: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    message = str(info.value)
    assert str(path) in message
    assert any(f == field for f, _m, _fx in info.value.problems), info.value.problems
    assert fix in message


def test_unknown_policy_name() -> None:
    with pytest.raises(PolicyError) as info:
        load_policy("us-foreign-adversary")
    assert "did you mean 'us-foreign-adversaries'" in str(
        info.value
    ).lower() or "us-foreign-adversaries" in str(info.value)


def test_unsafe_yaml_is_not_executed(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "id: !!python/object/apply:os.system ['echo hacked']\nrestricted: [CN]\n"
    )
    with pytest.raises(PolicyError):
        load_policy(path)


def test_deep_nesting_is_bounded(tmp_path: Path) -> None:
    deep = "id: x\nrestricted: [CN]\noptions: " + "[" * 50 + "]" * 50 + "\n"
    with pytest.raises(PolicyError) as info:
        load_policy(_write(tmp_path, deep))
    assert "nested" in str(info.value)


def test_wrong_suffix(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=r"\.yaml"):
        load_policy(_write(tmp_path, "id: x", "p.txt"))


def test_overlong_name_is_a_policy_error() -> None:
    with pytest.raises(PolicyError, match="no built-in policy"):
        load_policy("x" * 300)


@pytest.mark.parametrize(
    ("text", "name", "field", "fix"),
    [
        ("id: x\nrestricted: [CN]\nrestricted: [RU]\n", "p.yaml", "restricted", "line 3"),
        (
            "id: x\nrestricted: [CN]\nexemptions:\n  - {resource: a, reason: ok ok, reason: no}\n",
            "p.yaml",
            "reason",
            "more than once",
        ),
        (
            '{"id": "x", "restricted": ["CN"], "restricted": ["RU"]}',
            "p.json",
            "restricted",
            "single",
        ),
        ("id: x\nrestricted: [CN]\neffective: 2025-02-30\n", "p.yaml", "effective", "YYYY-MM-DD"),
        ("id: x\nrestricted: [CN]\nreviewed: 2025-13-01\n", "p.yaml", "reviewed", "month"),
        (
            "id: x\nrestricted: [CN]\nexemptions:\n"
            "  - {resource: a, reason: ok, expires: 2025-02-30}\n",
            "p.yaml",
            "exemptions[0].expires",
            "day value",
        ),
        ("id: x\nrestricted: [CN]\nreviewed: 0\n", "p.yaml", "reviewed", "not a number"),
        ("id: x\nrestricted: CN\n", "p.yaml", "restricted", "write a list"),
    ],
)
def test_duplicate_keys_bad_dates_and_types(
    tmp_path: Path, text: str, name: str, field: str, fix: str
) -> None:
    path = _write(tmp_path, text, name)
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert str(path) in str(info.value)
    assert any(f == field for f, _m, _fx in info.value.problems), info.value.problems
    assert fix in str(info.value)


def test_valid_dates_and_yaml_merge_keys_still_load(tmp_path: Path) -> None:
    p = load_policy(
        _write(
            tmp_path,
            "id: x\nrestricted: [CN]\neffective: 2025-02-28\nexemptions:\n"
            "  - &e {resource: a, reason: approved, expires: 2030-01-01}\n"
            "  - {<<: *e, resource: b}\n",
        )
    )
    assert str(p.effective) == "2025-02-28" and [e.resource for e in p.exemptions] == ["a", "b"]
    assert str(p.exemptions[1].expires) == "2030-01-01"


def test_cli_impossible_date_and_duplicate_key_exit_2(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cloudaudit.cli import main

    for text in (
        "id: x\nrestricted: [CN]\nreviewed: 2025-02-30\n",
        "id: x\nid: y\nallowed: [DE]\n",
    ):
        path = _write(tmp_path, text)
        result = CliRunner().invoke(main, ["demo", "--policy", str(path)])
        assert result.exit_code == 2, result.output
        assert str(path) in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("value", ["yes", "no", "false", 1, 0])
def test_an_option_must_be_a_boolean_not_a_string_or_number(value: object) -> None:
    # options were coerced: "yes", "no", "false", 1 and 0 were all taken as booleans, so a
    # Lambda environment's JSON string or a typo passed unnoticed; only true/false are options
    from cloudaudit.policies import policy_from_mapping

    raw = {"id": "p", "allowed": ["eea"], "options": {"us_dpf": value}}
    with pytest.raises(PolicyError) as info:
        policy_from_mapping(raw)
    assert [p[0] for p in info.value.problems] == ["options.us_dpf"]
    assert "write true or false" in str(info.value)
