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
from cloudaudit.errors import ConfigurationError, ProviderUnavailable
from cloudaudit.providers import get_provider, provider_names
from cloudaudit.providers._extras import EXTRAS
from cloudaudit.providers._registry import BUILTIN_PROVIDERS

PLUGIN = '''
from cloudaudit.providers import Batch, Scope, Unit
from cloudaudit.testing import make_resource


def row_to_resource(row):
    return make_resource("aws", row["region"], name=row["name"], account="acct-1")


class PlanetProvider:
    """Audit the planet's buckets."""

    name = "planet"
    inventory_records = {"row": "planet_plugin:row_to_resource", "gone": "planet_sdk:to_resource"}

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


def test_an_installed_plugin_runs_in_the_lambda(
    plugin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole Lambda run (its default factory, its S3 in moto) audits the plugin by name."""
    pytest.importorskip("moto")
    from reliability.lambda_run import run_lambda

    event = {"providers": [{"name": plugin, "regions": ["ap-east-1"]}]}
    summary, stored = run_lambda(monkeypatch, event)
    report = json.loads(stored)
    assert [f["resource"]["name"] for f in report["findings"]] == ["b-ap-east-1"]
    assert summary["exit_code"] == 1  # ap-east-1 is outside the EEA


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
    from cloudaudit.providers._extras import require

    assert require("json", "aws").dumps([]) == "[]"
    with pytest.raises(ProviderUnavailable, match=r"pip install 'cloudaudit\[gcp\]'") as err:
        require("google.cloud.no_such_sdk_module", "gcp")
    assert err.value.extra == "gcp" and err.value.provider == "gcp"


def _sdk_modules_imported(source: str) -> set[str]:
    """Modules a provider's source imports at run time, or names in a ``require*`` call.

    Standard-library and cloudaudit modules are left out, and so are imports under ``if
    TYPE_CHECKING:`` (type stubs, never imported at run time).
    """
    import ast
    import sys

    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id.lstrip("_").startswith("require")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source))
    local = set(sys.stdlib_module_names) | {"cloudaudit", "__future__", "pydantic"}
    return {m for m in found if m.partition(".")[0] not in local}


def test_every_sdk_module_a_provider_imports_is_checked_before_work_starts() -> None:
    """Every SDK module a built-in provider imports is one ``require_extra`` checks up front.

    Otherwise an extra installed without it (a partial install, a pinned-out package) would
    be found missing only mid-run, by the one call that needs it.
    """
    package = Path(cloudaudit.__file__).parent / "providers"
    for spec in BUILTINS:
        if spec.extra is None:
            continue
        imported = set().union(
            *(
                _sdk_modules_imported(path.read_text(encoding="utf-8"))
                for path in (package / spec.name).rglob("*.py")
            )
        )
        assert imported, spec.name
        unchecked = {
            module
            for module in imported
            if not any(module == m or module.startswith(m + ".") for m in spec.modules)
        }
        assert not unchecked, f"{spec.name}: add {sorted(unchecked)} to its modules"


def test_inventory_reads_a_plugins_record_transform_through_the_registry(plugin: str) -> None:
    from cloudaudit.providers._registry import record_transform

    resource = record_transform(plugin, "row")({"region": "eu-west-1", "name": "b"})
    assert (resource.name, resource.location.region) == ("b", "eu-west-1")
    with pytest.raises(ConfigurationError, match=r"no inventory record kind 'disk'.*gone, row"):
        record_transform(plugin, "disk")
    with pytest.raises(ModuleNotFoundError, match="planet_sdk"):
        record_transform(plugin, "gone")


def test_every_built_in_record_transform_resolves_without_its_sdk() -> None:
    """The table's references are real; the cloud packages import no SDK to offer them."""
    import subprocess
    import sys

    from cloudaudit.providers._registry import record_transform

    assert all(callable(record_transform(s.name, k)) for s in BUILTINS for k, _ in s.records)
    script = (
        "import sys\n"
        "from cloudaudit.inventory import read_resources\n"
        "from cloudaudit.providers._registry import record_transform\n"
        "record_transform('aws', 'config-item'); record_transform('azure', 'locations')\n"
        "record_transform('gcp', 'asset-search-result')\n"
        "sdks = ('boto3', 'botocore', 'google.cloud', 'azure.core')\n"
        "print(sorted(m for m in sys.modules if m in sdks))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_record_transform_whose_sdk_is_missing_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cloudaudit._provider_table import ProviderSpec
    from cloudaudit.providers import _registry

    gcp = next(s for s in BUILTINS if s.name == "gcp")
    broken = ProviderSpec("gcp", gcp.target, "gcp", records=(("x", "google.cloud.no_sdk:f"),))
    monkeypatch.setitem(_registry._BY_NAME, "gcp", broken)
    monkeypatch.setitem(_registry._RECORDS, "gcp", dict(broken.records))
    with pytest.raises(ProviderUnavailable, match=r"pip install 'cloudaudit\[gcp\]'") as err:
        _registry.record_transform("gcp", "x")
    assert err.value.extra == "gcp"
