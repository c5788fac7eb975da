"""Check every AWS answer before a collector trusts it (botocore's ``after-call`` event).

botocore parses a JSON body that does not decode as ``{"message": body}`` and a well-formed
HTML page as an empty XML answer: either reads as "no resources". :func:`install` registers a
handler on each client that, for every successful call, checks that

* the body is the protocol's document: a JSON object (``json``, ``rest-json``), or an XML
  document whose root is ``<OperationResponse>`` (``query``, ``ec2``; ``rest-xml`` must at
  least parse, which botocore already enforces);
* the parsed answer holds the fields declared for the operation
  (:attr:`~cloudaudit.providers.aws._base.Collector.answers`, and :data:`CORE` for the
  provider's own calls).

Otherwise it raises :class:`~cloudaudit.providers._answers.MalformedResponse`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

from cloudaudit.providers._answers import MalformedResponse, Needs, check
from cloudaudit.providers._calls import CALL, note_call

if TYPE_CHECKING:
    from botocore.awsrequest import AWSResponse
    from botocore.client import BaseClient
    from botocore.model import OperationModel, Shape

    from cloudaudit.providers.aws._base import Collector

__all__ = ["CORE", "install", "needs_of"]

CORE: Mapping[str, Needs] = {
    "sts": {"GetCallerIdentity": ("Account",), "AssumeRole": ("Credentials{}",)},
    "ec2": {"DescribeRegions": ("Regions[]", "Regions[].RegionName")},
    "organizations": {
        "ListAccounts": ("Accounts[]", "Accounts[].Id"),
        "ListAccountsForParent": ("Accounts[]", "Accounts[].Id"),
        "ListOrganizationalUnitsForParent": ("OrganizationalUnits[]",),
        "DescribeOrganization": ("Organization{}",),
    },
}
"""What the provider's own calls (account, regions, organization) rely on."""


def needs_of(collectors: Iterable[Collector]) -> dict[str, dict[str, Sequence[str]]]:
    """Merge :data:`CORE` and the collectors' ``answers`` into ``{service: {operation: paths}}``."""
    out: dict[str, dict[str, Sequence[str]]] = {s: dict(ops) for s, ops in CORE.items()}
    for c in collectors:
        for op, paths in getattr(c, "answers", {}).items():
            service, _, name = op.rpartition(":")  # ``ec2:DescribeSubnets``: another service's
            out.setdefault(service or c.service, {})[name] = tuple(paths)
    return out


def install(client: BaseClient, needs: Mapping[str, Mapping[str, Sequence[str]]]) -> None:
    """Check every successful answer of ``client`` (see the module docstring)."""
    model = client.meta.service_model
    declared = needs.get(model.service_name, {})
    protocol = str(model.protocol)
    prefix = model.service_name

    is_json = protocol in ("json", "rest-json")

    def before_parse(
        response_dict: Mapping[str, Any], operation_model: OperationModel, **_: object
    ) -> None:
        # JSON is checked before botocore parses it: a JSON value that is not an object (a
        # string, a list) makes botocore's parser fail with an AttributeError of its own
        if int(response_dict.get("status_code") or 0) >= 300:
            return
        if operation_model.output_shape is not None and _has_body(operation_model.output_shape):
            body = response_dict.get("body")
            if isinstance(body, bytes):
                _check_body(f"{prefix}:{operation_model.name}", protocol, "", body)

    def after_call(
        http_response: AWSResponse | None,
        parsed: dict[str, Any],
        model: OperationModel,
        **_: object,
    ) -> None:
        name = f"{prefix}:{model.name}"
        if http_response is None or int(http_response.status_code) >= 300:
            if isinstance(parsed, dict):  # the ClientError botocore raises next holds it
                parsed[CALL] = _called(signing, model.name, name)
            return
        if not is_json and model.output_shape is not None and _has_body(model.output_shape):
            root = _xml_root(prefix, protocol, model)
            _check_body(name, protocol, root, http_response.content or b"")
        check(name, parsed, declared.get(model.name, ()))

    def after_error(
        exception: BaseException | None = None, event_name: str = "", **_: object
    ) -> None:
        # a call that got no answer (reset, timeout) or one botocore could not parse: its
        # exception does not say which call it was, and the gap must
        if exception is not None:
            operation = event_name.rsplit(".", 1)[-1]
            note_call(exception, _called(signing, operation, f"{prefix}:{operation}"))

    signing = str(getattr(model, "signing_name", None) or prefix)
    service_id = model.service_id.hyphenize()
    client.meta.events.register(f"after-call-error.{service_id}", after_error)
    if is_json:
        client.meta.events.register(f"before-parse.{service_id}", before_parse)
    client.meta.events.register(f"after-call.{service_id}", after_call)


def _called(signing: str, operation: str, name: str) -> str:
    """How a gap names a call, with its IAM action when that has another name.

    ``s3:ListBuckets (IAM action s3:ListAllMyBuckets)``: the fix can be read off the gap.
    """
    from cloudaudit.providers.aws._iam import iam_action

    action = iam_action(signing, operation)
    return name if action == name else f"{name} (IAM action {action})"


def _has_body(shape: Shape) -> bool:
    """True when the output has members carried in the body (not only headers)."""
    members = getattr(shape, "members", {}) or {}
    payload = shape.serialization.get("payload")
    if payload:
        return getattr(members.get(payload), "type_name", "") == "structure"
    return any(not m.serialization.get("location") for m in members.values())


_REST_XML_ROOTS: Mapping[tuple[str, str], str] = {
    ("s3", "GetBucketLocation"): "LocationConstraint",
    ("s3", "ListBuckets"): "ListAllMyBucketsResult",
}
"""The root element of REST-XML answers whose model does not name it (no payload member):
AWS's documented response syntax (S3 API Reference, GetBucketLocation and ListBuckets)."""


def _xml_root(service: str, protocol: str, model: OperationModel) -> str:
    """The root element an XML answer of ``model`` must have (``""``: any).

    ``query`` and ``ec2`` answers are ``<OperationResponse>``; a REST-XML answer is its payload
    member (``<ReplicationConfiguration>``, ``<DistributionList>``), or the root AWS documents
    for the operation (:data:`_REST_XML_ROOTS`).
    """
    if protocol in ("query", "ec2"):
        return f"{model.name}Response"
    shape = model.output_shape
    payload = shape.serialization.get("payload") if shape is not None else None
    if shape is not None and payload:
        member = shape.members[payload]
        if member.type_name == "structure":
            return str(member.serialization.get("name") or payload)
    return _REST_XML_ROOTS.get((service, model.name), "")


def _check_body(name: str, protocol: str, root_tag: str, body: bytes) -> None:
    if protocol in ("json", "rest-json"):
        try:
            doc = json.loads(body) if body.strip() else None
        except ValueError:
            doc = body
        if not isinstance(doc, dict):
            raise MalformedResponse(name, f"the body is not a JSON object ({_peek(body)})")
        return
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        raise MalformedResponse(name, f"the body is not XML ({_peek(body)})") from None
    tag = root.tag.rsplit("}", 1)[-1]
    if tag.lower() in ("html", "body", "head"):
        raise MalformedResponse(name, f"the body is an HTML page ({_peek(body)})")
    if root_tag and tag != root_tag:
        raise MalformedResponse(name, f"the XML document is <{tag}>, not <{root_tag}>")


def _peek(body: bytes) -> str:
    head = " ".join(body[:40].decode("utf-8", "replace").split())
    return f"{len(body)} bytes, starting {head!r}" if body else "empty"
