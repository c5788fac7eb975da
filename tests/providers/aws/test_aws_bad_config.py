"""A broken AWS SDK configuration file is a one-line error and exit 2, before any call."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from cloudaudit.cli import main
from cloudaudit.errors import ConfigurationError
from cloudaudit.providers.aws import make_session

_BROKEN = "[profile\ngarbage = = \n[[[\n"


@pytest.mark.parametrize("variable", ["AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"])
def test_malformed_sdk_file_is_a_configuration_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    broken = tmp_path / "broken-config"
    broken.write_text(_BROKEN)
    monkeypatch.setenv(variable, str(broken))
    with pytest.raises(ConfigurationError, match="does not parse") as info:
        make_session()
    assert str(broken) in str(info.value) and variable in str(info.value)

    result = CliRunner().invoke(main, ["audit", "aws", "--regions", "eu-west-1"])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(broken) in lines[0], result.stderr
    assert "Traceback" not in result.output
