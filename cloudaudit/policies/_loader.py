"""Load built-in and user policies from YAML or JSON, with errors that name file, field and fix."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from cloudaudit.catalog._data import load_country_names
from cloudaudit.errors import PolicyError
from cloudaudit.policies._lists import load_lists
from cloudaudit.policies._model import Policy

__all__ = ["builtin_policy_names", "load_policy", "policy_from_mapping"]

MAX_POLICY_BYTES = 1_000_000
MAX_DEPTH = 20
MAX_NODES = 200_000
_SUFFIXES = (".yaml", ".yml", ".json")


def builtin_policy_names() -> list[str]:
    """Return the names of the built-in policies."""
    data = resources.files("cloudaudit.policies").joinpath("data")
    return sorted(p.name[:-5] for p in data.iterdir() if p.name.endswith(".yaml"))


def load_policy(name_or_path: str | Path, *, options: Mapping[str, bool] | None = None) -> Policy:
    """Load a built-in policy by name, or a user policy from a YAML or JSON file.

    Args:
        name_or_path: A built-in name (``us-foreign-adversaries``, ``eu-gdpr``, ...) or a path.
        options: Overrides for the policy's options, e.g. ``{"us_dpf": True}`` for ``eu-gdpr``.

    Raises:
        PolicyError: The file is unreadable or invalid; the message names the field and the fix.
    """
    text_name = str(name_or_path)
    if text_name in builtin_policy_names():
        raw = _builtin_mapping(text_name)
        source = f"built-in policy {text_name}"
    else:
        path = Path(name_or_path)
        source = str(path)
        raw = _read_file(path, source)
        raw = _resolve_extends(raw, source, path)
        raw.setdefault("id", path.stem)
    if options:
        raw = {**raw, "options": {**raw.get("options", {}), **dict(options)}}
    return policy_from_mapping(raw, source=source)


def _builtin_mapping(name: str) -> dict[str, Any]:
    text = resources.files("cloudaudit.policies").joinpath("data", f"{name}.yaml").read_text()
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # e.g. a name longer than the file system allows: not an existing file
        return False


def _read_file(path: Path, source: str) -> dict[str, Any]:
    if not _exists(path):
        known = ", ".join(builtin_policy_names())
        close = difflib.get_close_matches(str(path), builtin_policy_names(), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise PolicyError(
            source,
            [
                (
                    "(policy)",
                    "no built-in policy has this name and no such file exists.",
                    f"use one of: {known}; or give the path of a .yaml or .json policy file.{hint}",
                )
            ],
        )
    if path.suffix.lower() not in _SUFFIXES:
        raise PolicyError(
            source,
            [
                (
                    "(file)",
                    f"unsupported file type {path.suffix!r}.",
                    "name the file *.yaml, *.yml or *.json.",
                )
            ],
        )
    try:
        size = path.stat().st_size
        if size > MAX_POLICY_BYTES:
            raise PolicyError(
                source,
                [
                    (
                        "(file)",
                        f"file is {size} bytes; the limit is {MAX_POLICY_BYTES}.",
                        "split or shorten the policy.",
                    )
                ],
            )
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(
            source,
            [
                (
                    "(file)",
                    f"cannot read the file: {exc}.",
                    "check the path and permissions; the file must be UTF-8.",
                )
            ],
        ) from exc
    return parse_policy_text(text, source, json_only=path.suffix.lower() == ".json")


def _problem(source: str, message: str, fix: str) -> PolicyError:
    """A file-level policy error."""
    return PolicyError(source, [("(file)", message, fix)])


def parse_policy_text(text: str, source: str, *, json_only: bool = False) -> dict[str, Any]:
    """Parse policy text (safe YAML or JSON) into a mapping, with bounded size and depth."""
    if len(text) > MAX_POLICY_BYTES:
        raise PolicyError(source, [("(file)", "policy text is too large.", "shorten it.")])
    try:
        data = (
            json.loads(text, object_pairs_hook=_unique_pairs)
            if json_only
            else yaml.load(text, Loader=_PolicyLoader)  # a SafeLoader subclass
        )
    except _DuplicateKeyError as exc:
        raise PolicyError(
            source,
            [
                (
                    exc.key,
                    f"the key {exc.key!r} appears more than once{exc.where}; "
                    "only the last would count.",
                    f"keep a single {exc.key!r} entry and merge the values into it.",
                )
            ],
        ) from None
    except json.JSONDecodeError as exc:
        raise PolicyError(
            source,
            [
                (
                    "(file)",
                    f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}.",
                    "fix the JSON syntax.",
                )
            ],
        ) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise PolicyError(
            source, [("(file)", f"invalid YAML{where}: {problem}.", "fix the YAML syntax.")]
        ) from exc
    except RecursionError as exc:
        raise PolicyError(
            source,
            [
                (
                    "(file)",
                    "the document is nested too deeply.",
                    f"keep nesting under {MAX_DEPTH} levels.",
                )
            ],
        ) from exc
    if not isinstance(data, dict):
        raise PolicyError(
            source,
            [
                (
                    "(file)",
                    "the top level must be a mapping of keys to values.",
                    "start the file with `id:` and `restricted:` or `allowed:`.",
                )
            ],
        )
    depth, nodes = _measure(data)
    if depth > MAX_DEPTH:
        raise _problem(
            source, "the document is nested too deeply.", f"keep nesting under {MAX_DEPTH} levels."
        )
    if nodes > MAX_NODES:
        raise _problem(
            source,
            f"the document expands to more than {MAX_NODES} values (YAML "
            "aliases count once per use).",
            "write the values out without aliases.",
        )
    return data


class _DuplicateKeyError(ValueError):
    """A key appears twice in one mapping of a policy file."""

    def __init__(self, key: object, line: int | None = None) -> None:
        super().__init__(key)
        self.key = str(key)
        self.where = f" (again at line {line})" if line else ""


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """JSON object hook: a mapping, refusing a key given twice."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKeyError(key)
        out[key] = value
    return out


class _PolicyLoader(yaml.SafeLoader):
    """Safe YAML that refuses duplicate keys and leaves dates as text.

    Dates stay strings so the policy model validates them and an impossible one
    (``2025-02-30``) is an error naming its field, not a ``ValueError`` from the parser.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[object] = set()
        for key_node, _value in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
                continue
            key = self.construct_object(key_node)
            if key in seen:
                raise _DuplicateKeyError(key, key_node.start_mark.line + 1)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _timestamp_as_text(loader: _PolicyLoader, node: yaml.Node) -> str:
    return str(loader.construct_scalar(node))  # type: ignore[arg-type]


_PolicyLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


def _measure(value: object, memo: dict[int, tuple[int, int]] | None = None) -> tuple[int, int]:
    """Return (nesting depth, expanded node count) of parsed YAML/JSON.

    YAML aliases share objects, so results are memoised per object: a "billion laughs"
    document is measured in time proportional to its text, and rejected by its expanded size.
    """
    if not isinstance(value, (dict, list)):
        return 0, 1
    memo = {} if memo is None else memo
    key = id(value)
    if key in memo:
        return memo[key]
    memo[key] = (MAX_DEPTH + 1, MAX_NODES + 1)  # a cycle counts as too deep
    children = value.values() if isinstance(value, dict) else value
    depth, nodes = 0, 1
    for child in children:
        d, n = _measure(child, memo)
        depth, nodes = max(depth, d), min(nodes + n, MAX_NODES + 1)
    memo[key] = (depth + 1, nodes)
    return memo[key]


def _resolve_extends(raw: dict[str, Any], source: str, path: Path) -> dict[str, Any]:
    base_name = raw.pop("extends", None)
    if base_name is None:
        return raw
    if not isinstance(base_name, str) or base_name not in builtin_policy_names():
        raise PolicyError(
            source,
            [
                (
                    "extends",
                    f"{base_name!r} is not a built-in policy.",
                    f"use one of: {', '.join(builtin_policy_names())}.",
                )
            ],
        )
    base = _builtin_mapping(base_name)
    merged = {**base, **{k: v for k, v in raw.items() if k != "exemptions"}}
    merged["exemptions"] = list(base.get("exemptions") or []) + list(raw.get("exemptions") or [])
    merged["options"] = {**(base.get("options") or {}), **(raw.get("options") or {})}
    merged.setdefault("id", path.stem)
    if "id" not in raw:
        merged["id"] = path.stem
    return merged


def policy_from_mapping(raw: Mapping[str, Any], *, source: str = "(policy)") -> Policy:
    """Validate a mapping as a policy, checking list names, codes and options.

    Raises:
        PolicyError: With one entry per problem (field, message, fix).
    """
    try:
        policy = Policy.model_validate(dict(raw))
    except ValidationError as exc:
        raise PolicyError(source, [_explain(err) for err in exc.errors()]) from None
    problems = _check_entries(policy) + _check_options(policy)
    if problems:
        raise PolicyError(source, problems)
    return policy


def _field_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(policy)"


def _explain(err: Any) -> tuple[str, str, str]:
    field = _field_path(tuple(err["loc"]))
    kind = err["type"]
    if kind == "extra_forbidden":
        key = str(err["loc"][-1])
        parent = Policy.model_fields if len(err["loc"]) == 1 else _exemption_fields()
        close = difflib.get_close_matches(key, list(parent), n=1)
        fix = f"did you mean {close[0]!r}? " if close else ""
        return field, f"unknown key {key!r}.", fix + f"allowed keys are: {', '.join(parent)}."
    if kind == "missing":
        return field, "this field is required.", f"add `{err['loc'][-1]}:`."
    if kind.startswith("date"):
        return field, f"{err['msg']} (got {err.get('input')!r}).", "write dates as YYYY-MM-DD."
    if kind in ("tuple_type", "list_type"):
        return field, f"{err['msg']} (got {err.get('input')!r}).", "write a list, e.g. [CN, RU]."
    if kind == "literal_error":
        return field, f"{err['msg']} (got {err.get('input')!r}).", "use one of the values shown."
    if kind == "bool_type":
        got = f"{err['msg']} (got {err.get('input')!r})."
        return field, got, "write true or false, unquoted (a quoted 'no' would read as true)."
    msg = str(err["msg"]).removeprefix("Value error, ")
    return field, f"{msg}.", "see docs/policies.md for the policy file format."


def _exemption_fields() -> list[str]:
    from cloudaudit.policies._model import Exemption

    return list(Exemption.model_fields)


def _check_entries(policy: Policy) -> list[tuple[str, str, str]]:
    lists = load_lists()
    names = load_country_names()
    key = "restricted" if policy.restricted is not None else "allowed"
    problems = []
    for i, entry in enumerate(policy.restricted or policy.allowed or ()):
        if entry in lists or entry in names.countries or entry in names.subdivisions:
            continue
        candidates = list(lists) + list(names.countries)
        close = difflib.get_close_matches(entry, candidates, n=2)
        if not close and entry.upper() in names.countries:
            close = [entry.upper()]
        hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
        problems.append(
            (
                f"{key}[{i}]",
                f"{entry!r} is neither a legal list name, an ISO 3166-1 alpha-2 country code "
                "nor an ISO 3166-2 subdivision code.",
                hint
                + f"use a list ({', '.join(sorted(lists))}) or a code such as 'CN' or 'UA-43'.",
            )
        )
    return problems


def _check_options(policy: Policy) -> list[tuple[str, str, str]]:
    lists = load_lists()
    declared: dict[str, str] = {}
    for entry in policy.restricted or policy.allowed or ():
        if entry in lists:
            for opt in lists[entry].options:
                declared[opt] = entry
    problems = []
    for opt in policy.options:
        if opt not in declared:
            known = ", ".join(sorted(declared)) or "none"
            problems.append(
                (
                    f"options.{opt}",
                    f"unknown option {opt!r} for the lists this policy uses.",
                    f"options available here: {known}.",
                )
            )
    return problems
