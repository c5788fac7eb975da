"""The docs site builds with mkdocs --strict, with a policy reference generated from the data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cloudaudit.policies import builtin_policy_names, load_policy

ROOT = Path(__file__).resolve().parents[2]


def test_mkdocs_build_strict(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs")
    site = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    reference = (site / "reference" / "policies.html").read_text()
    for name in builtin_policy_names():
        p = load_policy(name)
        assert f'id="{name}"' in reference
        if p.citation:
            assert p.citation.split(";")[0].replace("&", "&amp;") in reference
    for page in ("index", "concepts", "formats", "deploy/lambda", "notebooks/index"):
        assert (site / f"{page}.html").exists(), page
    assert (site / "notebooks" / "audit.ipynb").exists()
    assert not (site / "_hooks").exists()
    index = (site / "index.html").read_text()
    for page in sorted((ROOT / "docs" / "providers").glob("*.md")):
        assert f'href="providers/{page.stem}.html"' in index, page.name
