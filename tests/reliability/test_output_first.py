"""An unwritable ``--output`` / ``--output-dir`` is refused before any cloud call.

The GCP fake (real Google clients over HTTP) sits behind the fault layer, which logs every
request it receives. A bad output target must end the command with exit code 2 and one line
naming the path and the fix, with ZERO requests logged and nothing left in the directory; the
same command with a good target reaches the fake (so the count can fail).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("google.cloud.asset_v1")

from bound_cases import CLOUDS, KNOBS
from click.testing import CliRunner
from faultkit import FaultLayer
from gcp_fake import FakeGcp
from hung import HungServer
from test_call_bounds import alibaba_keys  # noqa: F401 - a fixture, requested by name
from test_interrupt import command

from cloudaudit.cli import main

pytestmark = pytest.mark.http


@pytest.fixture
def served() -> Iterator[tuple[str, FaultLayer]]:
    layers: list[FaultLayer] = []

    def wrap(app: Any) -> FaultLayer:
        layers.append(FaultLayer(app))
        return layers[0]

    fake = FakeGcp()
    fake.add_project("p-a", 1001)
    with fake.serve(wrap=wrap) as running:
        yield running.url, layers[0]


def _args(url: str, fmt: str, output: Path) -> list[str]:
    return [
        "audit", "gcp", "--project", "p-a", "--api-endpoint", url, "--anonymous",
        "--format", fmt, "--output", str(output), "--quiet",
    ]  # fmt: skip


def _bad(tmp_path: Path, case: str) -> tuple[str, Path]:
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "dir" / "report.json").mkdir(parents=True)
    return {
        "missing-directory": ("json", tmp_path / "nowhere" / "report.json"),
        "parent-is-a-file": ("json", tmp_path / "a-file" / "report.json"),
        "directory-where-the-file-goes": ("json", tmp_path / "dir"),
        "output-dir-is-a-file": ("json,sarif", tmp_path / "a-file"),
    }[case]


CASES = [
    "missing-directory",
    "parent-is-a-file",
    "directory-where-the-file-goes",
    "output-dir-is-a-file",
]


@pytest.mark.parametrize("case", CASES)
def test_bad_output_is_refused_before_any_call(
    case: str, served: tuple[str, FaultLayer], tmp_path: Path
) -> None:
    url, layer = served
    fmt, output = _bad(tmp_path, case)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    result = CliRunner().invoke(main, _args(url, fmt, output))
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot write the report" in lines[0], result.stderr
    assert str(output) in lines[0] or str(output.parent) in lines[0], lines[0]
    assert layer.log == [], layer.log
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # nothing written


def test_good_output_reaches_the_fake(served: tuple[str, FaultLayer], tmp_path: Path) -> None:
    url, layer = served
    result = CliRunner().invoke(main, _args(url, "json,sarif", tmp_path / "new" / "reports"))
    assert result.exit_code in (0, 1), result.output
    assert layer.log, "the audit made no call: the zero counts above would show nothing"
    assert sorted(p.name for p in (tmp_path / "new" / "reports").iterdir()) == [
        "report.json",
        "report.sarif",
    ]


@pytest.fixture
def locked(tmp_path: Path) -> Iterator[Path]:
    """A directory that refuses new files: mode 0500, or immutable (``chattr +i``) for root,
    whom file modes do not stop (as a read-only file system would refuse them)."""
    folder = tmp_path / "locked"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o500)
        yield folder
        folder.chmod(0o700)
        return
    if shutil.which("chattr") is None:
        pytest.skip("root, and no chattr to make a directory refuse new files")
    done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"chattr +i is not permitted here: {done.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


def test_unwritable_directory_is_refused_before_any_call(
    served: tuple[str, FaultLayer], locked: Path
) -> None:
    url, layer = served
    output = locked / "report.json"
    result = CliRunner().invoke(main, _args(url, "json", output))
    assert result.exit_code == 2, result.output
    line = result.stderr.strip()
    assert "\n" not in line and "cannot write the report" in line and str(output) in line, line
    assert "Permission denied" in line or "not permitted" in line, line
    assert layer.log == [], layer.log
    assert list(locked.iterdir()) == []


@pytest.mark.parametrize("cloud", CLOUDS)
def test_every_cloud_checks_the_output_before_any_call(
    cloud: str, hung: HungServer, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Each cloud's command, aimed at a hung endpoint: a bad --output makes no connection."""
    if cloud == "alibaba":  # its credential SDK read the environment at import
        request.getfixturevalue("alibaba_keys")
    args, env = command(cloud, hung.url)
    base = ["audit", *args, *KNOBS, "--format", "json", "--quiet", "--output"]
    bad = CliRunner().invoke(main, [*base, str(tmp_path / "nowhere" / "r.json")], env=env)
    assert bad.exit_code == 2 and "cannot write the report" in bad.stderr, bad.output
    assert hung.connections == 0
    good = CliRunner().invoke(main, [*base, str(tmp_path / "r.json")], env=env)
    assert good.exit_code != 2, good.output
    assert hung.connections > 0  # the same command reaches the endpoint: the zero above counts
