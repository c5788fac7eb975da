"""Validate every answer before trusting it: one mechanism for every cloud.

A list call that comes back with status 200 but a body that is not the service's document (an
HTML page from a proxy, a body cut short) or a document without the list the collector relies
on must never read as "audited, 0 resources". Each provider declares, per operation, the fields
its code relies on (:data:`Needs`), and checks every successful answer at its SDK's transport
hook (botocore's ``after-call`` event, a ``requests`` response hook for Google, an azure-core
pipeline policy, the Tea/OSS response for Alibaba) with :func:`check`. A failure raises
:class:`MalformedResponse`, which the fan-out turns into a ``MalformedResponse`` gap for the
scope (or, for a secondary call, an unknown axis on the resource it concerns).

Field paths: ``Table`` must be present and not null; ``TableNames[]`` must be a list (an
empty list is an answer, a missing one is not); ``Table{}`` must be an object; ``Keys[].KeyId``
applies the rest of the path to every item of the list.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "MalformedResponse",
    "Needs",
    "PartialAnswer",
    "check",
    "check_json",
    "classify_own",
]

Needs = Mapping[str, Sequence[str]]
"""Per operation name, the field paths its answer must hold."""


class MalformedResponse(Exception):
    """A successful (2xx) answer that is not the document the operation returns.

    Attributes:
        operation: The operation (``dynamodb:ListTables``, ``GET /v1/...:searchAllResources``).
        problem: What is wrong (``the body is not JSON``, ``TableNames is missing``).
    """

    code = "MalformedResponse"

    def __init__(self, operation: str, problem: str) -> None:
        self.operation = operation
        self.problem = problem
        super().__init__(f"{operation} answered with status 200 but {problem}")


class PartialAnswer(Exception):
    """A successful answer that says it left part of what was asked out.

    Compute's ``aggregatedList``, for one, answers for the zones it reached and names the
    others (a scope ``warning`` ``UNREACHABLE``, the ``unreachables`` list): what it returned
    is kept, and what it left out is a gap (:func:`~cloudaudit.providers._detail.left_out`).

    Attributes:
        operation: The call (``compute.instances.aggregatedList``).
        target: What it left out (``zones/us-central1-a``).
        code: The cloud's word for why (``UNREACHABLE``).
        detail: What the answer said about it.
    """

    def __init__(self, operation: str, target: str, code: str, detail: str) -> None:
        self.operation = operation
        self.target = target
        self.code = code
        self.detail = detail
        super().__init__(f"{operation} answered without {target}: {code}: {detail}")


def classify_own(exc: BaseException) -> tuple[str, str] | None:
    """Classifier for cloudaudit's own transport errors (every provider shares it)."""
    if isinstance(exc, MalformedResponse):
        return MalformedResponse.code, str(exc)
    if isinstance(exc, PartialAnswer):
        return exc.code, f"{exc.code}: {exc.detail}" if exc.detail else exc.code
    return None


def check(operation: str, doc: object, needs: Sequence[str] = ()) -> None:
    """Raise :class:`MalformedResponse` unless ``doc`` is an object holding every field path.

    Args:
        operation: For the message.
        doc: The decoded answer.
        needs: Field paths (see the module docstring).
    """
    if not isinstance(doc, Mapping):
        raise MalformedResponse(operation, f"the body is a {type(doc).__name__}, not an object")
    for path in needs:
        problem = _missing(doc, path.split("."), "")
        if problem:
            raise MalformedResponse(operation, problem)


def check_json(operation: str, body: bytes | str, needs: Sequence[str] = ()) -> Any:
    """Decode a JSON body and :func:`check` it; return the decoded document."""
    try:
        doc = json.loads(body or b"null")
    except ValueError:
        raise MalformedResponse(operation, f"the body is not JSON ({_peek(body)})") from None
    check(operation, doc, needs)
    return doc


def _peek(body: bytes | str) -> str:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    head = " ".join(text[:40].split())
    return f"{len(text)} characters, starting {head!r}" if text else "empty"


def _missing(node: object, parts: list[str], where: str) -> str:
    if not parts:
        return ""
    part, rest = parts[0], parts[1:]
    kind = part[-2:] if part.endswith(("[]", "{}")) else ""
    name = part[: -len(kind)] if kind else part
    here = f"{where}.{name}" if where else name
    if not isinstance(node, Mapping):
        return f"{where or 'the body'} is not an object"
    value = node.get(name)
    if value is None:
        return f"{here} is missing"
    if kind == "[]":
        if not isinstance(value, list):
            return f"{here} is a {type(value).__name__}, not a list"
        for i, item in enumerate(value):
            problem = _missing(item, rest, f"{here}[{i}]")
            if problem:
                return problem
        return ""
    if kind == "{}" and not isinstance(value, Mapping):
        return f"{here} is a {type(value).__name__}, not an object"
    return _missing(value, rest, here)
