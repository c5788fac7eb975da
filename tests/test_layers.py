"""The import arrows of docs/architecture.md point one way: read from the source with ``ast``.

Every ``import`` and ``from ... import`` of every module of the package counts, at module level,
inside functions and under ``if TYPE_CHECKING:`` alike. A new top-level module must be given a
layer here (and in docs/architecture.md), or the first test fails.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "cloudaudit"

CORE = {
    "_filemode",
    "_finding_order",
    "_finding_table",
    "_finding_views",
    "_guardrail_model",
    "_lazy",
    "_provider_table",
    "_sources",
    "_speedups",
    "_text",
    "_version",
    "catalog",
    "copymodel",
    "diff",
    "errors",
    "guardrails",
    "models",
    "outcome",
    "policies",
    "report",
}
RUN = {"", "_audit", "_dedupe", "_evaluate"}  # __init__ (lazy exports), audit(), evaluate()
FACES = {
    "__main__",
    "_entry",
    "_lambda_event",
    "_lambda_notify",
    "_lambda_spec",
    "aws_lambda",
    "cli",
    "demo",
    "dora",
    "evidence",
    "formats",
    "notebook",
}
PROVIDERS = {"inventory", "testing"}  # besides providers/<cloud>: file imports, FakeProvider
# Evidence: the recorder (what a unit read) and the bundle format are core (they import only
# the core); the package and replay (which re-runs the audit) are a face.
EVIDENCE_CORE = {"cloudaudit.evidence._record", "cloudaudit.evidence._bundle"}

# The one arrow back up: a report's notebook views import the notebook inside the method.
LAZY_UP = {
    ("cloudaudit.models", "cloudaudit.notebook"),
    ("cloudaudit.report", "cloudaudit.notebook"),
}


def _name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer(module: str) -> str:
    """``core``, ``run``, ``kit``, ``face`` or ``provider:<name>``."""
    parts = module.split(".")
    first = parts[1] if len(parts) > 1 else ""
    if module in EVIDENCE_CORE:
        return "core"
    if first == "providers":
        cloud = parts[2] if len(parts) > 2 else "_"
        return "kit" if cloud.startswith("_") else f"provider:{cloud}"
    if first in PROVIDERS:
        return f"provider:{first}"
    for name, group in (("core", CORE), ("run", RUN), ("face", FACES)):
        if first in group:
            return name
    raise AssertionError(f"{module}: give it a layer in tests/test_layers.py")


def imports(module: str) -> Iterator[tuple[str, bool]]:
    """``(imported module, at module level)`` for every cloudaudit import of ``module``."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    top = {id(node) for node in tree.body} | {
        id(child) for node in tree.body if isinstance(node, ast.If) for child in node.body
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, *([node.module] if node.module else [])])
            targets = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names
            ]
        else:
            continue
        for target in targets:
            if target.split(".")[0] == "cloudaudit":
                yield target, id(node) in top


@functools.cache
def _all_arrows() -> tuple[tuple[str, str, bool], ...]:
    return tuple((m, t, at_top) for m in MODULES for t, at_top in imports(m))


def _arrows() -> Iterator[tuple[str, str, bool]]:
    """``(importer, imported, at module level)`` for every import in the package."""
    return iter(_all_arrows())


def test_every_module_has_a_layer() -> None:
    assert all(layer(m) for m in MODULES)


def test_core_imports_no_provider_and_no_face() -> None:
    bad = [
        (m, t)
        for m, t, at_top in _arrows()
        if layer(m) == "core" and layer(t) != "core" and not ((m, t) in LAZY_UP and not at_top)
    ]
    assert not bad, bad


def test_the_kit_imports_only_the_core() -> None:
    bad = [(m, t) for m, t, _ in _arrows() if layer(m) == "kit" and layer(t) not in ("core", "kit")]
    assert not bad, bad


def test_providers_import_no_face_and_no_other_provider() -> None:
    bad = [
        (m, t)
        for m, t, _ in _arrows()
        if layer(m).startswith("provider:") and layer(t) not in ("core", "kit", layer(m))
    ]
    assert not bad, bad


def test_the_run_imports_no_face() -> None:
    bad = [(m, t) for m, t, _ in _arrows() if layer(m) == "run" and layer(t) == "face"]
    assert not bad, bad


def test_faces_reach_a_cloud_only_through_its_package() -> None:
    bad = [
        (m, t)
        for m, t, _ in _arrows()
        if layer(m) in ("face", "run") and layer(t).startswith("provider:") and t.count(".") > 2
    ]
    assert not bad, bad


def _on_a_circle() -> set[str]:
    """Modules that reach themselves through imports (any import, but the ``LAZY_UP`` ones)."""
    graph: dict[str, set[str]] = {}
    for m, t, at_top in _arrows():
        if t in MODULES and t != m and not ((m, t) in LAZY_UP and not at_top):
            graph.setdefault(m, set()).add(t)

    def reached(start: str) -> set[str]:
        seen: set[str] = set()
        todo = list(graph.get(start, ()))
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(graph.get(node, ()))
        return seen

    return {m for m in graph if m in reached(m)}


def test_no_import_circle_but_the_documented_lazy_one() -> None:
    """Within a layer too (and under ``TYPE_CHECKING``): only ``_repr_html_``'s import loops."""
    circle = _on_a_circle()
    assert not circle, sorted(circle)


@pytest.mark.parametrize(
    ("module", "target", "rule"),
    [
        ("cloudaudit.models", "cloudaudit.cli._run", test_core_imports_no_provider_and_no_face),
        (
            "cloudaudit.providers.gcp._asset",
            "cloudaudit.providers.aws",
            test_providers_import_no_face_and_no_other_provider,
        ),
        (
            "cloudaudit.providers.azure._arm",
            "cloudaudit.evidence",
            test_providers_import_no_face_and_no_other_provider,
        ),
        (
            "cloudaudit.inventory._aws",
            "cloudaudit.providers.aws",
            test_providers_import_no_face_and_no_other_provider,
        ),
        (
            "cloudaudit.models",
            "cloudaudit.report",
            test_no_import_circle_but_the_documented_lazy_one,
        ),
        (
            "cloudaudit.cli.aws",
            "cloudaudit.providers.aws._provider",
            test_faces_reach_a_cloud_only_through_its_package,
        ),
    ],
)
def test_a_wrong_arrow_fails(
    module: str, target: str, rule: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each rule fails on an arrow it forbids (so that the tests above can fail)."""
    real = _arrows

    def with_one_more() -> Iterator[tuple[str, str, bool]]:
        yield from real()
        yield module, target, True

    monkeypatch.setitem(globals(), "_arrows", with_one_more)
    with pytest.raises(AssertionError):
        rule()  # type: ignore[operator]


def test_only_pinned_code_touches_pydantic_internals() -> None:
    """A module that uses pydantic's private slots names the test that pins their behaviour.

    Today that is the engine's fast path (``tests/test_engine_fast_path.py``): the pinning test
    fails when the installed pydantic changes what the code relies on.
    """
    internals = re.compile(r"__pydantic_\w+__|BaseModel\.__dict__\[")
    pinned = re.compile(r"tests/(test_\w+\.py)")
    tests = Path(__file__).resolve().parent
    bad = []
    for module, path in MODULES.items():
        text = path.read_text(encoding="utf-8")
        if internals.search(text) and not any(
            (tests / name).is_file() for name in pinned.findall(text)
        ):
            bad.append(module)
    assert not bad, f"pydantic internals used without a pinning test named beside them: {bad}"


def _written_lines(text: str) -> int:
    """Lines of a module outside its ``# BEGIN generated`` ... ``# END generated`` blocks."""
    count, generated = 0, False
    for line in text.splitlines():
        if line.strip().startswith("# BEGIN generated"):
            generated = True
        elif line.strip() == "# END generated":
            generated = False
        elif not generated:
            count += 1
    return count


def test_no_module_is_much_over_400_lines() -> None:
    """The house rule is modules of about 400 lines at most: split one before it grows on.

    Blocks written by ``scripts/generate.py`` (one line per AWS service in ``_client_types``)
    are not read by hand and do not count.
    """
    limit = 420
    long = {m: n for m, p in MODULES.items() if (n := _written_lines(p.read_text("utf-8"))) > limit}
    assert not long, f"split these modules (lines): {long}"
    assert _written_lines("a\n# BEGIN generated x\nb\n# END generated\nc\n") == 2
