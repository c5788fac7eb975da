"""mkdocs hooks: the generated policy reference, and nav sections filled from the docs folder.

The page ``reference/policies.md`` does not exist on disk; it is built from
``cloudaudit.policies`` at every ``mkdocs build``, so it can never drift from the data.
The nav sections "Providers" and "Benchmarks" list the pages present under
``docs/providers/`` and ``docs/benchmarks/``, so a provider page is in the nav exactly when it
exists.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

PAGE = "reference/policies.md"
AUTO_SECTIONS = {"Providers": "providers", "Benchmarks": "benchmarks"}
TITLES = {"aws": "AWS", "gcp": "GCP", "azure": "Azure", "alibaba": "Alibaba Cloud"}


def _pages(docs_dir: Path, folder: str) -> list[dict[str, str]]:
    pages = sorted((docs_dir / folder).glob("*.md"))
    return [{TITLES.get(p.stem, p.stem.capitalize()): f"{folder}/{p.name}"} for p in pages]


def on_config(config: Any) -> Any:
    """Fill the nav sections in AUTO_SECTIONS with the pages present on disk."""
    docs_dir = Path(config["docs_dir"])
    for entry in config["nav"] or []:
        if not isinstance(entry, dict):
            continue
        for title, folder in AUTO_SECTIONS.items():
            if title in entry:
                fixed = [
                    e
                    for e in entry[title]
                    if not str(next(iter(e.values()))).startswith(f"{folder}/")
                ]
                entry[title] = [*fixed, *_pages(docs_dir, folder)]
    return config


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _policy_section(name: str) -> list[str]:
    from cloudaudit.catalog import country_name
    from cloudaudit.policies import load_lists, load_policy

    p = load_policy(name)
    rules = p.rules
    out = [
        f"## {p.id}",
        "",
        f"**{p.title}** (version {p.version})",
        "",
        p.description,
        "",
        "| | |",
        "| --- | --- |",
        f"| citation | {_cell(p.citation or '-')} |",
        f"| effective | {p.effective or '-'} |",
        f"| reviewed | {p.reviewed or '-'} |",
        f"| source | <{p.link}> |" if p.link else "| source | - |",
        f"| axes | {', '.join(p.axes)} |",
        f"| unknown counts as | {p.unknown} |",
        f"| mode | {rules.mode} |",
        "",
        f"{rules.mode.capitalize()} countries:",
        "",
        "| code | country | list |",
        "| --- | --- | --- |",
    ]
    for code in sorted(rules.countries):
        term = rules.countries[code]
        out.append(f"| {code} | {_cell(country_name(code))} | {_cell(term.list.citation)} |")
    for code, (_term, opt) in sorted(rules.excluded_by_option.items()):
        out.append(f"| {code} | {_cell(country_name(code))} | only with option `{opt}=true` |")
    lists = load_lists()
    for src in rules.sources:
        for opt_name, spec in lists[src].options.items() if src in lists else ():
            value = p.options.get(opt_name, spec.default)
            out += ["", f"Option `{opt_name}` (default `{str(value).lower()}`): {spec.doc}"]
    return [*out, ""]


def _page() -> str:
    from cloudaudit.policies import builtin_policy_names

    names = builtin_policy_names()
    head = [
        "# Built-in policy reference",
        "",
        "Generated from the policy data shipped with cloudaudit at documentation build time. "
        "`cloudaudit policies show NAME` prints the same facts.",
        "",
        *[f"- [{n}](#{n})" for n in names],
        "",
    ]
    body = [line for n in names for line in _policy_section(n)]
    return "\n".join([*head, *body])


def on_files(files: Files, config: Any) -> Files:
    """Add the generated policy reference page to the site."""
    files.append(File.generated(config, PAGE, content=_page()))
    return files
