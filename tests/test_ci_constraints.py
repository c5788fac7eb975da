"""CI's pinned versions (``.ci/constraints.txt``) cover every dependency and satisfy its bounds.

CI installs with these pins (``PIP_CONSTRAINT`` in ``.ci/run``) so that a dependency's new
release reaches CI in a deliberate bump (docs/contributing.md). A dependency added to
``pyproject.toml`` without a pin, or a bound raised above its pin, fails here before it
makes CI install something nobody ran.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / ".ci" / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version and re.fullmatch(r"[\w.+!-]+", version), line
            pins[canonicalize_name(name)] = version
    return pins


def _requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    listed = [*project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        listed += extra
    reqs = [Requirement(r) for r in listed]
    return [r for r in reqs if canonicalize_name(r.name) != "cloudaudit"]


def test_every_dependency_is_pinned_within_its_bounds() -> None:
    pins = _pins()
    for req in _requirements():
        pinned = pins.get(canonicalize_name(req.name))
        assert pinned is not None, f"{req.name} is not in .ci/constraints.txt (see contributing)"
        assert req.specifier.contains(pinned, prereleases=True), (req, pinned)


def test_the_ci_script_installs_with_the_pins() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    assert 'export PIP_CONSTRAINT="$PWD/.ci/constraints.txt"' in script
    assert script.index("PIP_CONSTRAINT") < script.index('pip install -q -e ".[dev]"')
    assert "pip" in _pins() and "hatchling" in _pins()
