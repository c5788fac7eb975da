"""The README's commands and Python example stay true."""

import re
from pathlib import Path

import pytest

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_readme_has_the_two_commands() -> None:
    blocks = re.findall(r"```bash\n(.*?)```", README, re.S)
    assert any("pip install ." in b and "cloudaudit demo" in b for b in blocks)
    assert any('pip install -e ".[dev]"' in b and "python -m pytest" in b for b in blocks)


def test_readme_python_example_runs_against_moto(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    import boto3

    (code,) = re.findall(r"```python\n(.*?)```", README, re.S)
    for var, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
    }.items():
        monkeypatch.setenv(var, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with moto.mock_aws():
        s3 = boto3.client("s3", region_name="ap-east-1")
        s3.create_bucket(
            Bucket="hk-orders", CreateBucketConfiguration={"LocationConstraint": "ap-east-1"}
        )
        # the example names a profile; here the same code runs on the default (moto) session
        code = code.replace('boto3.Session(profile_name="prod")', "boto3.Session()")
        code = code.replace(
            "AwsProvider(session=", 'AwsProvider(regions=["ap-east-1"], services=["s3"], session='
        )
        exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "violation=1" in out
    assert "arn:aws:s3:::hk-orders" in out
    assert "15 CFR 791.4 counts as part of China" in out
