"""Read-only proof: every cloud operation cloudaudit's own code makes is recorded.

botocore's ``BaseClient._make_api_call`` is wrapped (it still runs) for the whole session;
a call is recorded when a ``cloudaudit.providers`` frame is on the stack, so the tests' own
seeding calls (``create_bucket``...) are not counted. At the end of the session (of each
xdist worker) every recorded operation must be a read listed in the shipped IAM policy.
"""

from __future__ import annotations

import json
import re
import sys
from importlib import resources
from typing import Any

READS = ("List", "Describe", "Get", "Head", "Search", "Lookup", "SelectAggregateResourceConfig")
"""Read verbs. AWS Config's SelectAggregateResourceConfig is a query (IAM access level Read)."""
EXCHANGES = {"sts:AssumeRole"}
"""Credential exchanges that change nothing; allowed only when the IAM policy lists them."""
CALLS: set[tuple[str, str]] = set()


def _from_cloudaudit() -> bool:
    frame: Any = sys._getframe(2)
    while frame is not None:
        if frame.f_globals.get("__name__", "").startswith("cloudaudit.providers."):
            return True
        frame = frame.f_back
    return False


def install() -> None:
    try:
        from botocore.client import BaseClient
    except ImportError:
        return
    original = BaseClient._make_api_call
    if getattr(original, "_cloudaudit_recorder", False):
        return

    def recording(self: Any, operation_name: str, api_params: Any) -> Any:
        if _from_cloudaudit():
            CALLS.add((self.meta.service_model.signing_name, operation_name))
        return original(self, operation_name, api_params)

    recording._cloudaudit_recorder = True  # type: ignore[attr-defined]
    BaseClient._make_api_call = recording  # type: ignore[method-assign]


def not_allowed(calls: set[tuple[str, str]]) -> list[str]:
    """The recorded operations that are not reads listed in the packaged IAM policies.

    Two documents ship: the member-account audit policy (``iam_policy.json``) and the
    organization caller's policy (``org_policy.json``: list accounts, assume the audit role).
    """
    from cloudaudit.providers.aws._iam import iam_action, load_policy_document
    from cloudaudit.providers.aws._organization import load_org_policy_document

    allowed = {a for st in load_policy_document()["Statement"] for a in st["Action"]}
    allowed |= {a for st in load_org_policy_document()["Statement"] for a in st["Action"]}
    bad = []
    for signing_name, operation in sorted(calls):
        action = iam_action(signing_name, operation)
        read = operation.startswith(READS) or action in EXCHANGES
        if not read or action not in allowed:
            bad.append(action)
    return bad


# ----- GCP, Azure, Alibaba ----------------------------------------------------------------
# The GCP and Azure fakes record every (method, path) they serve in a module-level
# ``REQUESTS`` set (every request in the suite comes from the real SDK clients cloudaudit
# drives); Alibaba calls are recorded at the SDK, like AWS.

ALIBABA_CALLS: set[tuple[str, str]] = set()
"""(product, action) of every Alibaba Cloud API call made from provider code."""
ALIBABA_FREE = {"sts:GetCallerIdentity"}
"""Calls any identity may make without a RAM permission (the RAM policy doc says so)."""
_ALIBABA_PRODUCT = re.compile(r"^alibabacloud_([a-z]+?)\d{8}")


def _load(provider: str, name: str) -> Any:
    text = resources.files(f"cloudaudit.providers.{provider}").joinpath(name).read_text()
    return json.loads(text)


def _template(http: str) -> tuple[str, re.Pattern[str]]:
    """``GET /v1/{scope=*/*}:search`` → ("GET", regex of the path)."""
    verb, path = http.split(" ", 1)
    pattern = ""
    for literal, var in re.findall(r"([^{]*)(\{[^}]*\})?", path):
        pattern += re.escape(literal)
        if var:
            pattern += r"[^/]+/[^/]+" if "=*/*" in var else r"[^/]+"
    return verb, re.compile(f"^{pattern}$")


def gcp_permission(method: str, path: str) -> str | None:
    """The IAM permission of a request, from the shipped ``permissions.json`` (None: unlisted)."""
    for entry in _load("gcp", "permissions.json")["methods"]:
        verb, regex = _template(entry["http"])
        if verb == method and regex.match(path):
            return str(entry["permission"])
    return None


def gcp_not_allowed(requests: set[tuple[str, str]]) -> list[str]:
    """Requests that are not GET reads listed in ``permissions.json`` with a read permission."""
    bad = []
    for method, path in sorted(requests):
        permission = gcp_permission(method, path)
        verb = (permission or "").rsplit(".", 1)[-1]
        if method != "GET" or permission is None or not verb.startswith(("get", "list", "search")):
            bad.append(f"{method} {path} ({permission or 'not in permissions.json'})")
    return bad


def azure_action(method: str, path: str) -> str:
    """The ARM action of a request: ``Microsoft.Sql/servers/failoverGroups/read``."""
    if method == "POST" and path == "/providers/Microsoft.ResourceGraph/resources":
        return "Microsoft.ResourceGraph/resources/read"
    verb = {"GET": "read", "HEAD": "read", "DELETE": "delete"}.get(method, "write")
    parts = [p for p in path.split("/") if p]
    if "providers" in parts:
        at = len(parts) - 1 - parts[::-1].index("providers")
        namespace, rest = parts[at + 1], parts[at + 2 :]
        types = rest[0::2]  # type/name/child/name...: every other segment is a type
        return "/".join([namespace, *types, verb])
    kinds = [p for i, p in enumerate(parts) if i % 2 == 0]  # subscriptions/{id}/locations
    if kinds and kinds[0] == "subscriptions":
        return "/".join(["Microsoft.Resources", *kinds, verb])
    return f"{method} {path}"


def azure_not_allowed(requests: set[tuple[str, str]]) -> list[str]:
    """Requests whose action is not a read listed in the shipped custom role."""
    allowed = set(_load("azure", "role.json")["Actions"])
    actions = {azure_action(m, p) for m, p in requests}
    return sorted(a for a in actions if not a.endswith("/read") or a not in allowed)


def install_alibaba() -> None:
    """Record (product, action) of every Tea OpenAPI and OSS call made from provider code."""
    try:
        from alibabacloud_oss_v2._client import _SyncClientImpl as OssClient
        from alibabacloud_tea_openapi.client import Client as OpenApi
    except ImportError:
        return
    call_api = OpenApi.call_api
    if getattr(call_api, "_cloudaudit_recorder", False):
        return
    invoke = OssClient.invoke_operation

    def recording_call(self: Any, params: Any, *args: Any, **kwargs: Any) -> Any:
        if _from_cloudaudit():
            m = _ALIBABA_PRODUCT.match(type(self).__module__)
            product = m.group(1) if m else ("sts" if params.action == "GetCallerIdentity" else "")
            ALIBABA_CALLS.add((product, str(params.action)))
        return call_api(self, params, *args, **kwargs)

    def recording_invoke(self: Any, op_input: Any, *args: Any, **kwargs: Any) -> Any:
        if _from_cloudaudit():
            ALIBABA_CALLS.add(("oss", str(op_input.op_name)))
        return invoke(self, op_input, *args, **kwargs)

    recording_call._cloudaudit_recorder = True  # type: ignore[attr-defined]
    OpenApi.call_api = recording_call  # type: ignore[method-assign]
    OssClient.invoke_operation = recording_invoke  # type: ignore[method-assign]


def alibaba_not_allowed(calls: set[tuple[str, str]]) -> list[str]:
    """Calls that are not Describe/List/Get actions listed in the shipped RAM policy."""
    policy = _load("alibaba", "ram_policy.json")
    allowed = {a for st in policy["Statement"] for a in st["Action"]} | ALIBABA_FREE
    bad = []
    for product, action in sorted(calls):
        name = f"{product}:{action}"
        if not action.startswith(("Describe", "List", "Get")) or name not in allowed:
            bad.append(name)
    return bad


def fake_requests(module: str) -> set[tuple[str, str]]:
    """The ``REQUESTS`` a fake module recorded in this process (empty if never imported)."""
    mod = sys.modules.get(module)
    return set(getattr(mod, "REQUESTS", set()))
