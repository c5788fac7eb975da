"""A small Alibaba Cloud fake over real HTTP (werkzeug): ECS/RDS/STS RPC and OSS REST XML.

The real SDK clients talk to it: RPC calls arrive with the action in the ``x-acs-action`` header
(ACS3 signature) or the ``Action`` query parameter; OSS calls are path-style REST requests whose
V4 ``Authorization`` header names the signing region. Pages are capped server-side (``page_cap``)
so that the clients must follow ``NextToken``, ``PageNumber`` and ``NextMarker``.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

logging.getLogger("werkzeug").setLevel(logging.ERROR)

KEY_ID = "LTAI5tFakeKeyId000000000"
SECRET = "fake-secret-value-never-printed"
_OSS_SCOPE = re.compile(r"Credential=([^/,]+)/\d{8}/([^/]+)/oss/aliyun_v4_request")
_ACS3 = re.compile(r"ACS3-HMAC-SHA256 Credential=([^,]+),")


@dataclass
class Bucket:
    name: str
    region: str
    replicate_to: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class FakeAlibaba:
    """State of one fake account. Tests mutate it before collecting."""

    account: str = "5123456789012345"
    regions: list[str] = field(default_factory=lambda: ["cn-hangzhou", "us-east-1"])
    items: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    buckets: list[Bucket] = field(default_factory=list)
    denied_regions: dict[str, str] = field(default_factory=dict)
    denied_buckets: set[str] = field(default_factory=set)
    page_cap: int = 7
    calls: list[tuple[str, str]] = field(default_factory=list)
    cross_backup: dict[str, dict[str, Any]] = field(default_factory=dict)
    denied_actions: dict[str, str] = field(default_factory=dict)  # action -> error code
    untotalled: set[str] = field(default_factory=set)  # page-numbered actions without a total
    nameless_region: bool = False  # DescribeRegions adds an entry without its RegionId
    attribute_empty: bool = False  # DescribeDBInstanceAttribute answers an empty list

    def add(self, action: str, region: str, item: dict[str, Any]) -> None:
        self.items.setdefault((action, region), []).append(item)

    # --- RPC (ECS, RDS, STS) -------------------------------------------------------------
    def rpc(self, req: Request) -> Response:
        params = {**req.args.to_dict(), **req.form.to_dict()}
        action = req.headers.get("x-acs-action") or params.get("Action", "")
        region = params.get("RegionId", "")
        self.calls.append((action, region))
        auth = _ACS3.match(req.headers.get("Authorization", ""))
        if auth is None or auth.group(1) != KEY_ID:
            return _json({"Code": "InvalidAccessKeyId.NotFound", "Message": "bad key"}, 404)
        if action == "GetCallerIdentity":
            return _json({"AccountId": self.account, "IdentityType": "Account"})
        if action in self.denied_actions:
            code = self.denied_actions[action]
            message = f"User not authorized to operate on the specified resource. {code}"
            return _json({"Code": code, "Message": message}, 403)
        if action == "DescribeRegions":
            regions = [{"RegionId": r, "LocalName": r} for r in self.regions]
            if self.nameless_region:
                regions.append({"LocalName": "Middle East (Riyadh)"})
            return _json({"Regions": {"Region": regions}})
        if region in self.denied_regions:
            code = self.denied_regions[region]
            message = f"User not authorized to operate on the specified resource. {code}"
            return _json({"Code": code, "Message": message}, 403)
        if action == "DescribeInstanceCrossBackupPolicy":
            return self._cross_backup(params, region)
        if action == "DescribeDBInstanceAttribute":
            return self._attribute(params)
        rows = self.items.get((action, region), [])
        return self._page(action, params, rows)

    def _cross_backup(self, params: dict[str, str], region: str) -> Response:
        """Shape: the RDS API reference's DescribeInstanceCrossBackupPolicy response example.

        ``cross_backup[id]`` gives ``BackupEnabled`` and ``CrossBackupRegion``; a key it
        leaves out is left out of the answer.
        """
        ident = params.get("DBInstanceId", "")
        policy = self.cross_backup.get(ident, {"BackupEnabled": "Disable", "CrossBackupRegion": ""})
        body = {
            "RequestId": "7F5F7C6E-2B4E-4E9B-9E1A-3C0E1F2A3B4C",
            "DBInstanceId": ident,
            "RegionId": region,
            "CrossBackupType": "default",
            "LogBackupEnabled": policy.get("BackupEnabled") or "Disable",
            "RetentType": 1,
            "Retention": 7,
            "LockMode": "Unlock",
            "DBInstanceStatus": "1",
            "Engine": "MySQL",
            "EngineVersion": "8.0",
            **policy,
        }
        return _json(body)

    def _attribute(self, params: dict[str, str]) -> Response:
        """Shape: the RDS API reference's DescribeDBInstanceAttribute response example
        (``Items.DBInstanceAttribute[]``, each with ``DBInstanceId``, ``RegionId``,
        ``ZoneId``, ``DBInstanceType``...): the instance as ``DescribeDBInstances`` lists it in
        its region, or ``InvalidDBInstanceId.NotFound`` (404) for an instance no region has.
        """
        ident = params.get("DBInstanceId", "")
        if self.attribute_empty:
            return _json({"Items": {"DBInstanceAttribute": []}, "RequestId": "0A1B2C3D"})
        for (action, region), rows in self.items.items():
            for row in rows:
                if action == "DescribeDBInstances" and row.get("DBInstanceId") == ident:
                    found = {"RegionId": region, **row}
                    body = {"Items": {"DBInstanceAttribute": [found]}, "RequestId": "0A1B2C3D"}
                    return _json(body)
        message = "The specified instance is not found."
        return _json({"Code": "InvalidDBInstanceId.NotFound", "Message": message}, 404)

    def _page(self, action: str, params: dict[str, str], rows: list[dict[str, Any]]) -> Response:
        spec = _RPC_LISTS.get(action)
        if spec is None:
            return _json({"Code": "InvalidAction.NotFound", "Message": action}, 400)
        container, member, style = spec
        if style == "token":
            size = min(int(params.get("MaxResults", "10")), self.page_cap)
            start = int(params.get("NextToken") or 0)
            page = rows[start : start + size]
            nxt = str(start + size) if start + size < len(rows) else ""
            return _json({container: {member: page}, "NextToken": nxt})
        size = min(int(params.get("PageSize", "10")), self.page_cap)
        number = int(params.get("PageNumber", "1"))
        page = rows[(number - 1) * size : number * size]
        total = "TotalRecordCount" if action == "DescribeDBInstances" else "TotalCount"
        counted = {} if action in self.untotalled else {total: len(rows)}
        return _json({container: {member: page}, **counted, "PageNumber": number, "PageSize": size})

    # --- OSS ---------------------------------------------------------------------------
    def oss(self, req: Request) -> Response:
        scope = _OSS_SCOPE.search(req.headers.get("Authorization", ""))
        if scope is None or scope.group(1) != KEY_ID:
            return _oss_error("InvalidAccessKeyId", 403)
        signed_region = scope.group(2)
        name = req.path.strip("/")
        self.calls.append(("oss:" + ("ListBuckets" if not name else "GetBucketReplication"), name))
        if not name:
            return self._list_buckets(req)
        bucket = next((b for b in self.buckets if b.name == name), None)
        if bucket is None:
            return _oss_error("NoSuchBucket", 404)
        if signed_region != bucket.region:
            return _oss_error("SignatureDoesNotMatch", 403)
        if "replication" not in req.args:
            return _oss_error("NotImplemented", 501)
        if name in self.denied_buckets:
            return _oss_error("AccessDenied", 403)
        if not bucket.replicate_to:
            return _oss_error("NoSuchReplicationConfiguration", 404)
        # Shape: the OSS API reference's GetBucketReplication response example (an empty
        # bucket or region in replicate_to leaves its <Bucket> or <Location> out)
        rules = "".join(
            f"<Rule><ID>rule-{i}</ID><Action>ALL</Action><Destination>"
            + (f"<Bucket>{escape(b)}</Bucket>" if b else "")
            + (f"<Location>oss-{escape(r)}</Location>" if r else "")
            + "<TransferType>internal</TransferType></Destination><Status>doing</Status></Rule>"
            for i, (b, r) in enumerate(bucket.replicate_to)
        )
        return _xml(f"<ReplicationConfiguration>{rules}</ReplicationConfiguration>")

    def _list_buckets(self, req: Request) -> Response:
        size = min(int(req.args.get("max-keys", "100")), self.page_cap)
        marker = req.args.get("marker", "")
        ordered = sorted(self.buckets, key=lambda b: b.name)
        rest = [b for b in ordered if b.name > marker]
        page, more = rest[:size], len(rest) > size
        body = "".join(
            f"<Bucket><CreationDate>2024-01-01T00:00:00.000Z</CreationDate>"
            f"<Location>oss-{b.region}</Location><Name>{escape(b.name)}</Name>"
            f"<StorageClass>Standard</StorageClass></Bucket>"
            for b in page
        )
        nxt = f"<NextMarker>{escape(page[-1].name)}</NextMarker>" if more else ""
        return _xml(
            f"<ListAllMyBucketsResult><Prefix></Prefix><Marker>{escape(marker)}</Marker>"
            f"<MaxKeys>{size}</MaxKeys><IsTruncated>{str(more).lower()}</IsTruncated>{nxt}"
            f"<Owner><ID>{self.account}</ID><DisplayName>{self.account}</DisplayName></Owner>"
            f"<Buckets>{body}</Buckets></ListAllMyBucketsResult>"
        )

    def __call__(self, environ: Any, start_response: Any) -> Any:
        req = Request(environ)
        auth = req.headers.get("Authorization", "")
        handler = self.oss if auth.startswith("OSS4-") else self.rpc
        return handler(req)(environ, start_response)


_RPC_LISTS = {
    "DescribeInstances": ("Instances", "Instance", "token"),
    "DescribeDisks": ("Disks", "Disk", "token"),
    "DescribeSnapshots": ("Snapshots", "Snapshot", "token"),
    "DescribeImages": ("Images", "Image", "page"),
    "DescribeDBInstances": ("Items", "DBInstance", "page"),
}


def _json(body: dict[str, Any], status: int = 200) -> Response:
    body = {"RequestId": "fake-request-id", **body}
    return Response(json.dumps(body), status=status, content_type="application/json")


def _xml(body: str, status: int = 200) -> Response:
    text = '<?xml version="1.0" encoding="UTF-8"?>\n' + body
    return Response(text, status=status, content_type="application/xml")


def _oss_error(code: str, status: int) -> Response:
    return _xml(
        f"<Error><Code>{code}</Code><Message>{code} (fake)</Message>"
        f"<RequestId>fake-request-id</RequestId><HostId>fake</HostId><EC>0000-00000000</EC></Error>",
        status,
    )


class Server:
    """Runs a FakeAlibaba on 127.0.0.1 in a background thread.

    ``wrap`` puts a WSGI middleware in front of the fake (the reliability tests' fault layer:
    errors, dropped connections, held requests, malformed bodies, repeated page tokens).
    """

    def __init__(self, fake: FakeAlibaba, wrap: Callable[[Any], Any] | None = None) -> None:
        self.fake = fake
        app = wrap(self._app) if wrap is not None else self._app
        self._srv = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._srv.server_port}"
        self._thread = threading.Thread(target=self._srv.serve_forever, args=(0.05,), daemon=True)

    def _app(self, environ: Any, start_response: Any) -> Any:
        return self.fake(environ, start_response)

    def __enter__(self) -> Server:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._srv.shutdown()
        self._srv.server_close()
