import importlib
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import cloudaudit

# Packages whose public names are exactly ``__all__`` (the two lazy ones first).
PACKAGES = (
    "cloudaudit",
    "cloudaudit.evidence",
    "cloudaudit.providers",
    "cloudaudit.inventory",
    "cloudaudit.policies",
    "cloudaudit.guardrails",
    "cloudaudit.errors",
    "cloudaudit.dora",
)


def test_all_is_sorted_and_complete() -> None:
    public = sorted(n for n in cloudaudit.__all__)
    assert cloudaudit.__all__ == public
    for name in cloudaudit.__all__:
        if name.endswith("Provider") and name != "Provider":
            continue  # lazily imported; needs the cloud extra (checked below)
        assert hasattr(cloudaudit, name), name


def unlisted(module: ModuleType) -> set[str]:
    """httpx's rule: a public name of a package is in ``__all__``, or it is private.

    Only the package's own submodules (``cloudaudit.diff``...) may be public without being
    listed; ``annotations`` (from __future__) and ``TYPE_CHECKING`` (a name mypy recognises)
    stay.
    """
    unavoidable = {"annotations", "TYPE_CHECKING"}
    public = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and not (isinstance(value, ModuleType) and value.__name__ == f"{module.__name__}.{name}")
    }
    return public - unavoidable - set(module.__all__)


@pytest.mark.parametrize("name", PACKAGES)
def test_every_public_name_is_listed(name: str) -> None:
    module = importlib.import_module(name)
    for listed in module.__all__:  # every name resolves (and the lazy ones land in vars())
        assert hasattr(module, listed), listed
    assert not unlisted(module), unlisted(module)
    assert not {"importlib", "sys", "types"} & set(vars(module))


def test_a_public_name_that_is_not_listed_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rule fails on a leaked import (a module too) and on an unlisted function."""
    import json

    monkeypatch.setattr(cloudaudit, "json", json, raising=False)
    monkeypatch.setattr(cloudaudit, "leaked_function", lambda: None, raising=False)
    assert unlisted(cloudaudit) == {"json", "leaked_function"}


def test_the_recorder_loads_neither_the_bundle_format_nor_replay() -> None:
    """Providers import the recorder; the evidence package's other names load on first use."""
    code = (
        "import sys\n"
        "import cloudaudit.evidence._record\n"
        "import cloudaudit.providers.aws, cloudaudit.providers.gcp\n"
        "import cloudaudit.providers.azure, cloudaudit.providers.alibaba\n"
        "loaded = lambda: sorted(m for m in sys.modules if m.startswith('cloudaudit.evidence.'))\n"
        "print(*loaded())\n"
        "from cloudaudit.evidence import replay, verify_bundle\n"
        "print(*loaded())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    providers, faces = (line.split() for line in out.stdout.splitlines())
    assert providers == ["cloudaudit.evidence._record"]
    assert faces == [f"cloudaudit.evidence.{m}" for m in ("_bundle", "_record", "_replay")]


def test_unknown_attribute_raises() -> None:
    try:
        cloudaudit.NoSuchThing  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as exc:
        assert "NoSuchThing" in str(exc)
    else:
        raise AssertionError("expected AttributeError")


def test_import_loads_no_cloud_sdk_and_does_no_io() -> None:
    code = (
        "import sys, socket\n"
        "def deny(*a, **k): raise RuntimeError('network used at import')\n"
        "socket.socket.connect = deny\n"
        "import cloudaudit, cloudaudit.cli, cloudaudit.policies, cloudaudit.catalog\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('boto3','botocore','google','azure','alibabacloud_ecs20140526','alibabacloud_oss_v2')]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", out.stdout


def test_importing_does_not_load_catalog_data() -> None:
    code = (
        "import cloudaudit\n"
        "from cloudaudit.catalog import default_catalog\n"
        "from cloudaudit.catalog._data import load_catalog_file\n"
        "print(default_catalog.cache_info().currsize, load_catalog_file.cache_info().currsize)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "0"]


TYPED_SNIPPET = """\
import cloudaudit
import cloudaudit.evidence

cloudaudit.AwsProvider(regions=["eu-west-1"])
cloudaudit.AwsProvider(regionz=["eu-west-1"])
cloudaudit.GcpProvider(projectz=["p"])
cloudaudit.audit([], "eea-only", deadlin=1.0)
cloudaudit.evidence.replay
cloudaudit.AwsProviderr
cloudaudit.evidence.replya
"""


@pytest.mark.slow
def test_provider_classes_are_typed_through_the_package(tmp_path: Path) -> None:
    """``cloudaudit.AwsProvider`` is the class to type checkers, not ``Any`` (lazy at run time).

    The same holds for every lazy name of ``cloudaudit`` and ``cloudaudit.evidence``, and a
    name neither exports is an error, not ``Any``.
    """
    api = pytest.importorskip("mypy.api")
    snippet = tmp_path / "snippet.py"
    snippet.write_text(TYPED_SNIPPET, encoding="utf-8")
    out, err, _status = api.run(["--strict", "--no-error-summary", str(snippet)])
    errors = {
        int(line.split(".py:")[1].split(":")[0]): line
        for line in out.splitlines()
        if ": error: " in line
    }
    assert sorted(errors) == [5, 6, 7, 9, 10], (out, err)
    assert '"regionz" for "AwsProvider"' in errors[5]
    assert '"projectz" for "GcpProvider"' in errors[6]
    assert '"deadlin" for "audit"' in errors[7]
    # the lazy packages' __getattr__ is hidden from type checkers: a misspelt name is an error
    assert 'has no attribute "AwsProviderr"' in errors[9]
    assert 'has no attribute "replya"' in errors[10]
