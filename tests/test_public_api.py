import subprocess
import sys

import cloudaudit


def test_all_is_sorted_and_complete() -> None:
    public = sorted(n for n in cloudaudit.__all__)
    assert cloudaudit.__all__ == public
    for name in cloudaudit.__all__:
        if name.endswith("Provider") and name != "Provider":
            continue  # lazily imported; needs the cloud extra (checked below)
        assert hasattr(cloudaudit, name), name


def test_every_public_name_is_listed() -> None:
    """httpx's rule: a public name of the package is in ``__all__``, or it is private."""
    # ``annotations`` (from __future__) and ``TYPE_CHECKING`` (a name mypy recognises) stay.
    unavoidable = {"annotations", "TYPE_CHECKING"}
    public = {n for n in vars(cloudaudit) if not n.startswith("_")} - unavoidable
    submodules = {n for n in public if type(vars(cloudaudit)[n]).__name__ == "module"}
    assert public - submodules <= set(cloudaudit.__all__), public - set(cloudaudit.__all__)
    assert not {"importlib", "sys", "types"} & public


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
