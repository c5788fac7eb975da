"""Builds and caches Alibaba Cloud SDK clients (ECS, RDS, OSS, STS) for one set of credentials.

Nothing here runs at import time and every SDK is imported lazily; a missing SDK raises
:class:`~cloudaudit.errors.ProviderUnavailable`. Every ECS, RDS and STS call names itself
(``ecs:DescribeInstances``) on any error it raises, whatever the error (:func:`_naming`).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from cloudaudit.errors import AuthenticationError
from cloudaudit.evidence._record import recorded
from cloudaudit.providers._answers import MalformedResponse, check
from cloudaudit.providers._calls import calling
from cloudaudit.providers._extras import require as _require

__all__ = ["ClientFactory", "body_of", "count_of", "fetch_account_id", "require"]

DISCOVERY_REGION = "cn-hangzhou"


def require(module: str) -> Any:
    """Import an SDK module, or raise ProviderUnavailable naming the ``alibaba`` extra."""
    return _require(module, "alibaba")


def _split_endpoint(endpoint: str | None) -> tuple[str | None, str]:
    """``http://127.0.0.1:8080`` → (``127.0.0.1:8080``, ``http``); a bare host means https."""
    if not endpoint:
        return None, "https"
    if "://" not in endpoint:
        return endpoint.rstrip("/"), "https"
    parts = urlsplit(endpoint)
    return parts.netloc, parts.scheme or "https"


def body_of(response: Any, operation: str, needs: Sequence[str] = ()) -> Any:
    """The body of a Tea response as a dict, checked to hold ``needs`` (``_answers.check``).

    The SDK reads an answer into its models; an answer of another shape (a string or a list
    where an object belongs) it keeps aside, raw, and leaves ``body`` empty. That raw body is
    checked then, so the gap says what is wrong with it for ``operation``.

    Raises:
        MalformedResponse: The body is not an object or lacks a field of ``needs``.
    """
    body = response.body
    raw = getattr(response, "_map", None)
    doc = body.to_map() if body is not None else (raw or {}).get("body")
    check(operation, doc, needs)
    return doc


def count_of(body: Any, key: str, operation: str) -> int:
    """A page-numbered answer's total (``TotalCount``), which decides whether to page on.

    Raises:
        MalformedResponse: The total is missing or not a whole number (never "no more pages").
    """
    value = body.get(key) if isinstance(body, dict) else None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise MalformedResponse(operation, f"{key} is {value!r}, not a number")


def _naming(product: str, client: Any) -> Any:
    """``client`` (a Tea/OpenAPI client), each of whose calls names itself on its errors.

    Every operation of a Tea client goes through ``call_api`` with the API action in its
    ``params``: a refusal, a reset, a timeout or a body that is not JSON raised there is noted
    as ``<product>:<Action>`` (:func:`~cloudaudit.providers._calls.calling`).
    """
    send = client.call_api

    def call_api(params: Any, request: Any, runtime: Any) -> Any:
        with calling(f"{product}:{params.action}"):
            return send(params, request, runtime)

    client.call_api = call_api
    return client


class ClientFactory:
    """Creates SDK clients per (service, region) and caches them; safe to share between threads.

    Args:
        access_key_id: AccessKey id; when ``None`` the SDK's default credential chain is used
            (``ALIBABA_CLOUD_ACCESS_KEY_ID``/``..._SECRET``/``..._SECURITY_TOKEN``, the
            ``~/.alibabacloud`` profile, ECS RAM role, OIDC).
        access_key_secret: AccessKey secret.
        security_token: STS security token for temporary credentials.
        endpoint: Send every API call to this endpoint instead of the product's regional one
            (a proxy, a private endpoint, or a test fake): ``https://host:port`` or ``host``.
        connect_timeout: Seconds to wait for a TCP connection.
        read_timeout: Seconds to wait for an answer (an unreachable region costs this much).
        max_attempts: Attempts per OSS call (the RPC clients do not retry).
    """

    def __init__(
        self,
        access_key_id: str | None = None,
        access_key_secret: str | None = None,
        security_token: str | None = None,
        endpoint: str | None = None,
        *,
        connect_timeout: float = 10.0,
        read_timeout: float = 30.0,
        max_attempts: int = 3,
    ) -> None:
        if (access_key_id is None) != (access_key_secret is None):
            raise AuthenticationError(
                "alibaba: give both access_key_id and access_key_secret, or neither "
                "(to use the default credential chain)"
            )
        self._static = (access_key_id, access_key_secret, security_token)
        self._host, self._protocol = _split_endpoint(endpoint)
        self._endpoint = endpoint
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str], Any] = {}
        self._credential: Any = None
        self._timeouts = (connect_timeout, read_timeout)
        self._attempts = max(1, max_attempts)

    def _chain(self) -> Any:
        """The default-chain credential client (built once, on first use)."""
        with self._lock:
            if self._credential is None:
                mod = require("alibabacloud_credentials.client")
                self._credential = mod.Client()
            return self._credential

    def check_credentials(self) -> None:
        """Fail early, with a clear message, when the default chain finds no credentials.

        Raises:
            AuthenticationError: No credentials were found.
        """
        if self._static[0] is not None:
            return
        exceptions = require("alibabacloud_credentials.exceptions")
        try:
            self._chain().get_credential()
        except exceptions.CredentialException as exc:
            raise AuthenticationError(
                "alibaba: no credentials found. Set ALIBABA_CLOUD_ACCESS_KEY_ID and "
                "ALIBABA_CLOUD_ACCESS_KEY_SECRET, configure a profile, or run on an ECS "
                f"instance with a RAM role. ({type(exc).__name__})"
            ) from None

    def secrets(self) -> tuple[str, ...]:
        """The secret and token in use (given, or found by the default chain), to mask."""
        _key, secret, token = self._static
        if _key is None and self._credential is not None:
            current = self._credential.get_credential()
            secret, token = current.access_key_secret, current.security_token
        return tuple(s for s in (secret, token) if s)

    def _openapi_config(self, region: str, endpoint: str | None = None) -> Any:
        models = require("alibabacloud_tea_openapi.models")
        key_id, secret, token = self._static
        cfg = models.Config(
            region_id=region,
            endpoint=self._host or endpoint,
            protocol=self._protocol,
            connect_timeout=int(self._timeouts[0] * 1000),
            read_timeout=int(self._timeouts[1] * 1000),
        )
        if key_id is not None:
            cfg.access_key_id, cfg.access_key_secret, cfg.security_token = key_id, secret, token
        else:
            cfg.credential = self._chain()
        return cfg

    def _cached(self, service: str, region: str, build: Any) -> Any:
        key = (service, region)
        with self._lock:
            hit = self._cache.get(key)
        if hit is None:
            hit = build()
            with self._lock:
                hit = self._cache.setdefault(key, hit)
        return hit

    def ecs(self, region: str) -> Any:
        """An ECS (2014-05-26) client for ``region``."""
        mod = require("alibabacloud_ecs20140526.client")
        return self._cached("ecs", region, lambda: self._tea("ecs", mod, region))

    def rds(self, region: str) -> Any:
        """An ApsaraDB RDS (2014-08-15) client for ``region``."""
        mod = require("alibabacloud_rds20140815.client")
        return self._cached("rds", region, lambda: self._tea("rds", mod, region))

    def openapi(self, product: str, region: str, endpoint: str) -> Any:
        """A generic OpenAPI client (used for STS, which has no SDK in the extra)."""
        mod = require("alibabacloud_tea_openapi.client")
        return self._cached(product, region, lambda: self._tea(product, mod, region, endpoint))

    def _tea(self, product: str, mod: Any, region: str, endpoint: str | None = None) -> Any:
        return _naming(product, mod.Client(self._openapi_config(region, endpoint)))

    def oss(self, region: str) -> Any:
        """An OSS v2 client signing for ``region``."""
        return self._cached("oss", region, lambda: self._build_oss(region))

    def _build_oss(self, region: str) -> Any:
        oss = require("alibabacloud_oss_v2")
        cfg = oss.config.load_default()
        cfg.region = region
        cfg.connect_timeout, cfg.readwrite_timeout = self._timeouts
        cfg.retry_max_attempts = self._attempts
        key_id, secret, token = self._static
        if key_id is not None:
            cfg.credentials_provider = oss.credentials.StaticCredentialsProvider(
                key_id, secret, token
            )
        else:
            chain = self._chain()

            def current() -> Any:
                c = chain.get_credential()
                return oss.credentials.Credentials(
                    c.access_key_id, c.access_key_secret, c.security_token
                )

            cfg.credentials_provider = oss.credentials.CredentialsProviderFunc(current)
        if self._endpoint:
            cfg.endpoint = f"{self._protocol}://{self._host}"
            cfg.use_path_style = True
        return oss.Client(cfg)


@recorded("sts:GetCallerIdentity")
def fetch_account_id(factory: ClientFactory, region: str = DISCOVERY_REGION) -> str:
    """Return the account (UID) of the caller with STS ``GetCallerIdentity``.

    Any identity may call it; no RAM permission is needed.
    """
    models = require("alibabacloud_tea_openapi.models")
    util = require("darabonba.runtime")
    client = factory.openapi("sts", region, "sts.aliyuncs.com")
    params = models.Params(
        action="GetCallerIdentity",
        version="2015-04-01",
        protocol="HTTPS",
        pathname="/",
        method="POST",
        auth_type="AK",
        style="RPC",
        req_body_type="formData",
        body_type="json",
    )
    result = client.call_api(params, models.OpenApiRequest(), util.RuntimeOptions())
    body = result.get("body")
    account = body.get("AccountId") if isinstance(body, dict) else None
    if not account:
        raise AuthenticationError("alibaba: sts:GetCallerIdentity returned no AccountId")
    return str(account)
