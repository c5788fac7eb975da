"""Start-up stays light: ``import cloudaudit`` and ``cloudaudit --version`` import no heavy module.

Their time is measured by ``benchmarks/startup.py`` (never by a test); these tests pin *why*
they are fast, so that an eager import added later fails here rather than silently.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

import cloudaudit
from cloudaudit._entry import VERSION_LINE

HEAVY = ("pydantic", "yaml", "click", "rich", "cloudaudit.models", "cloudaudit.catalog")


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys; print(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(out.stdout.split())


def test_import_cloudaudit_loads_no_heavy_module() -> None:
    loaded = _modules_after("import cloudaudit")
    assert not [m for m in loaded if m.startswith(HEAVY)]


def test_version_is_answered_before_the_command_line_is_built() -> None:
    loaded = _modules_after(
        "import sys; sys.argv = ['cloudaudit', '--version']\n"
        "from cloudaudit._entry import run\nrun()"
    )
    assert not [m for m in loaded if m.startswith(HEAVY)]
    out = subprocess.run(
        [sys.executable, "-m", "cloudaudit", "--version"], capture_output=True, text=True
    )
    assert (out.returncode, out.stdout.strip()) == (0, VERSION_LINE)


def test_the_fast_version_line_is_clicks() -> None:
    from cloudaudit.cli import main

    assert CliRunner().invoke(main, ["--version"]).output.strip() == VERSION_LINE


def test_every_public_name_resolves_to_its_module() -> None:
    assert set(cloudaudit._EXPORTS) | {"__version__"} == set(cloudaudit.__all__)
    for name, module in cloudaudit._EXPORTS.items():
        if name.endswith("Provider") and name != "Provider":
            continue  # needs the cloud's extra
        assert getattr(cloudaudit, name) is getattr(__import__(module, fromlist=[name]), name)


def test_diff_stays_the_function_after_its_module_is_imported() -> None:
    import cloudaudit.diff

    assert callable(cloudaudit.diff)
    assert cloudaudit.diff.__name__ == "diff"
    from cloudaudit import diff

    assert diff is cloudaudit.diff


def test_a_one_account_aws_audit_imports_no_organization_module() -> None:
    pytest.importorskip("boto3")
    loaded = _modules_after("from cloudaudit.providers.aws import AwsProvider, make_session")
    assert not [m for m in loaded if m.startswith("cloudaudit.providers.aws._org")]
    from cloudaudit.providers import aws
    from cloudaudit.providers.aws._organization import AwsOrganization

    assert aws.AwsOrganization is AwsOrganization  # still exported, imported on first use
    with pytest.raises(AttributeError):
        aws.NoSuchName  # noqa: B018
