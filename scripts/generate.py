"""Write the files derived from code declarations; ``--check`` fails when one is stale.

Usage::

    python scripts/generate.py          # rewrite every derived file
    python scripts/generate.py --check  # exit 1 naming each stale file, write nothing

Each entry of ``TARGETS`` maps a path (relative to the repository root) to a function that
returns the file's text.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import _aws_types

ROOT = Path(__file__).resolve().parents[1]


def _aws_copies() -> str:
    """copymodel/aws.json: the copy declarations of the AWS collectors, in collector order."""
    from cloudaudit.copymodel._types import declarations_json
    from cloudaudit.providers.aws.services import copy_declarations

    return declarations_json(copy_declarations())


def _copies() -> str:
    """docs/copies.md from the copy model, its AWS part as ``_aws_copies`` writes it.

    The AWS declarations are read from the text about to be written, not from the imported
    model (loaded from the file as it was), so one run leaves nothing stale.
    """
    from cloudaudit.copymodel import DECLARATIONS
    from cloudaudit.copymodel._docs import render_markdown
    from cloudaudit.copymodel._types import declarations_from_json
    from cloudaudit.models import ProviderId

    aws = declarations_from_json(_aws_copies())
    others = [d for d in DECLARATIONS if d.provider is not ProviderId.AWS]
    return render_markdown((*aws, *others))


def _iam_policy() -> str:
    import json

    from cloudaudit.providers.aws._iam import policy_document
    from cloudaudit.providers.aws.services import all_collectors

    return json.dumps(policy_document(all_collectors()), indent=2) + "\n"


def _aws_doc() -> str:
    """docs/providers/aws.md: the service names its options list, the current IAM policy."""
    text = (ROOT / "docs/providers/aws.md").read_text(encoding="utf-8")
    text = _aws_types.with_service_names(text)
    start = text.index('```json\n{\n  "Version": "2012-10-17"')
    end = text.index("```", start + 7)
    return text[:start] + "```json\n" + _iam_policy() + text[end:]


def _sam_template() -> str:
    """docs/deploy/template.yaml whose ReadOnlyInventory actions include the IAM policy's.

    The template may allow more (the Lambda's other readers); every provider read is added.
    """
    import json
    import re

    text = (ROOT / "docs/deploy/template.yaml").read_text(encoding="utf-8")
    actions = json.loads(_iam_policy())["Statement"][0]["Action"]
    block = re.compile(r"(Sid: ReadOnlyInventory\n(?:.*\n)*?\s*Action:\n)((?:\s+- .+\n)+)")
    match = block.search(text)
    if match is None:
        raise SystemExit("docs/deploy/template.yaml: no ReadOnlyInventory action list")
    indent = re.match(r"\s*", match.group(2)).group(0)  # type: ignore[union-attr]
    listed = [line.strip()[2:] for line in match.group(2).splitlines()]
    lines = "".join(f"{indent}- {a}\n" for a in sorted({*listed, *actions}))
    return text[: match.start(2)] + lines + text[match.end(2) :]


def _doc_block(doc: str, document: str, opening: str) -> Callable[[], str]:
    """A provider doc whose ```json block starting with ``opening`` shows ``document``."""

    def make() -> str:
        text = (ROOT / doc).read_text(encoding="utf-8")
        shipped = (ROOT / document).read_text(encoding="utf-8")
        start = text.index("```json\n{\n" + opening)
        end = text.index("```", start + 7)
        return text[:start] + "```json\n" + shipped + text[end:]

    return make


def _client_types() -> str:
    """providers/aws/_client_types.py with its generated blocks from the typed services."""
    text = (ROOT / _aws_types.CLIENT_TYPES).read_text(encoding="utf-8")
    return _aws_types.render_client_types(text)


def _pyproject() -> str:
    """pyproject.toml whose dev extra lists the stubs of every service the package types."""
    return _aws_types.render_pyproject((ROOT / "pyproject.toml").read_text(encoding="utf-8"), ROOT)


def _reliability_doc() -> str:
    """docs/reliability.md with the fault matrix and the stop bounds the tests declare.

    The table of malformed answers is written by ``python tests/reliability/answer_cases.py``
    (it reads the test modules themselves); ``test_fault_matrix_doc.py`` checks all three.
    """
    import re

    folder = str(ROOT / "tests" / "reliability")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    import bound_cases
    import fault_matrix

    text = (ROOT / "docs/reliability.md").read_text(encoding="utf-8")
    begin, end = fault_matrix.BEGIN, fault_matrix.END
    block = f"{begin}\n{fault_matrix.render_table()}\n{end}"
    text = re.sub(re.escape(begin) + r".*" + re.escape(end), lambda _m: block, text, flags=re.S)
    return bound_cases.with_table(text)


TARGETS: dict[str, Callable[[], str]] = {
    "docs/providers/azure.md": _doc_block(
        "docs/providers/azure.md",
        "cloudaudit/providers/azure/role.json",
        '  "Name": "cloudaudit reader"',
    ),
    "docs/providers/alibaba.md": _doc_block(
        "docs/providers/alibaba.md",
        "cloudaudit/providers/alibaba/ram_policy.json",
        '  "Version": "1"',
    ),
    "docs/scale.md": _doc_block(
        "docs/scale.md",
        "cloudaudit/providers/aws/org_policy.json",
        '  "Version": "2012-10-17"',
    ),
    "docs/deploy/template.yaml": _sam_template,
    "cloudaudit/copymodel/aws.json": _aws_copies,
    "docs/copies.md": _copies,
    "cloudaudit/providers/aws/iam_policy.json": _iam_policy,
    "docs/providers/aws.md": _aws_doc,
    "docs/reliability.md": _reliability_doc,
    "cloudaudit/providers/aws/_client_types.py": _client_types,
    "pyproject.toml": _pyproject,
}


def stale() -> list[str]:
    """Paths whose content differs from what the declarations generate."""
    out = []
    for rel, make in TARGETS.items():
        path = ROOT / rel
        if not path.exists() or path.read_text(encoding="utf-8") != make():
            out.append(rel)
    return out


def main(argv: list[str]) -> int:
    """Write (or with ``--check`` verify) every target."""
    if "--check" in argv:
        bad = stale()
        for rel in bad:
            print(f"{rel} is stale: run python scripts/generate.py", file=sys.stderr)
        return 1 if bad else 0
    for rel, make in TARGETS.items():
        (ROOT / rel).write_text(make(), encoding="utf-8")
        print(f"wrote {rel}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
