"""One provider table: a provider another package installs appears in the CLI and the Lambda.

The plugin is a real installed distribution: a module and a ``.dist-info`` with an
``entry_points.txt`` on ``sys.path``, found through ``importlib.metadata`` like any ``pip
install``-ed package.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

import cloudaudit
from cloudaudit._provider_table import BUILTINS
from cloudaudit.cli import main
from cloudaudit.providers import get_provider, provider_names
from cloudaudit.providers._extras import EXTRAS
from cloudaudit.providers._registry import BUILTIN_PROVIDERS

PLUGIN = '''
from cloudaudit.providers import Batch, Scope, Unit
from cloudaudit.testing import make_resource


class PlanetProvider:
    """Audit the planet's buckets."""

    name = "planet"

    def __init__(self, regions: list[str] | None = None, account: str = "acct-1") -> None:
        self.regions = list(regions or ["eu-west-1"])
        self.account = account

    def classifiers(self):
        return ()

    def secrets(self):
        return ()

    def collect(self, work):
        units = [
            Unit(Scope("planet", self.account, r), lambda r=r: [
                make_resource("aws", r, name=f"b-{r}", account=self.account)
            ])
            for r in self.regions
        ]
        for outcome in work.run(units):
            yield Batch.from_outcome(outcome)
'''


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / "planet_plugin.py").write_text(PLUGIN)
    info = tmp_path / "planet_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: planet-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[cloudaudit.providers]\nplanet = planet_plugin:PlanetProvider\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    return "planet"


def test_an_installed_plugin_is_a_cli_command(plugin: str) -> None:
    runner = CliRunner()
    listing = runner.invoke(main, ["audit", "--help"])
    assert plugin in listing.output
    help_text = runner.invoke(main, ["audit", plugin, "--help"]).output
    assert "--regions" in help_text and "--account" in help_text and "--fail-on" in help_text
    result = runner.invoke(
        main,
        ["audit", plugin, "--regions", "ap-east-1", "--regions", "eu-west-1", "--format", "json"],
    )
    assert result.exit_code == 1, result.output  # ap-east-1 violates the default policy
    report = json.loads(result.stdout)
    assert sorted(f["resource"]["name"] for f in report["findings"]) == [
        "b-ap-east-1",
        "b-eu-west-1",
    ]


def test_an_installed_plugin_is_built_by_the_registry_and_the_lambda(plugin: str) -> None:
    assert plugin in provider_names()
    provider = get_provider(plugin, regions=["eu-west-1"])
    assert provider.regions == ["eu-west-1"]
    pytest.importorskip("boto3")
    from cloudaudit._lambda_event import ProviderSpec
    from cloudaudit.aws_lambda import default_factory

    built = default_factory(ProviderSpec(name=plugin, regions=["ap-east-1"]), None)
    assert type(built).__name__ == "PlanetProvider" and built.regions == ["ap-east-1"]


def test_every_list_of_providers_is_the_table() -> None:
    names = {spec.name for spec in BUILTINS}
    assert set(BUILTIN_PROVIDERS) == names
    assert set(EXTRAS) == names
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    entry_points = pyproject["project"]["entry-points"]["cloudaudit.providers"]
    assert entry_points == {spec.name: spec.target for spec in BUILTINS}
    table = {spec.class_name: spec.target.partition(":")[0] for spec in BUILTINS}
    exports = cloudaudit._EXPORTS  # type: ignore[attr-defined]
    lazy = {k: v for k, v in exports.items() if v.startswith("cloudaudit.providers.")}
    assert lazy == table
    assert _static_provider_imports() == table
    runner = CliRunner()
    listed = runner.invoke(main, ["audit", "--help"]).output
    assert all(name in listed for name in names)


def _static_provider_imports() -> dict[str, str]:
    """``from cloudaudit.providers.<cloud> import <Class>`` under ``if TYPE_CHECKING:``."""
    import ast

    tree = ast.parse(Path(cloudaudit.__file__).read_text(encoding="utf-8"))
    (block,) = [
        node
        for node in tree.body
        if isinstance(node, ast.If)
        and isinstance(node.test, ast.Name)
        and node.test.id == "TYPE_CHECKING"
    ]
    return {
        alias.name: node.module
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        and node.module
        and node.module.startswith("cloudaudit.providers.")
        for alias in node.names
    }


def test_the_one_lazy_sdk_import_names_the_extra() -> None:
    from cloudaudit.errors import ProviderUnavailable
    from cloudaudit.providers._extras import require

    assert require("json", "aws").dumps([]) == "[]"
    with pytest.raises(ProviderUnavailable, match=r"pip install 'cloudaudit\[gcp\]'") as err:
        require("google.cloud.no_such_sdk_module", "gcp")
    assert err.value.extra == "gcp" and err.value.provider == "gcp"
