"""AzureProvider: subscriptions, locations, Resource Graph (or ARM listing) and copies."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from cloudaudit.catalog import Catalog, default_catalog
from cloudaudit.models import CoverageGap, ProviderId
from cloudaudit.providers._choose import chosen, one
from cloudaudit.providers._extras import require_extra
from cloudaudit.providers._protocol import Batch
from cloudaudit.providers._stop import phase
from cloudaudit.providers._work import Classifier, Scope, Work, make_gap
from cloudaudit.providers.azure import _arm, _graph
from cloudaudit.providers.azure._answers import answer_policy
from cloudaudit.providers.azure._auth import default_credential
from cloudaudit.providers.azure._calls import call_policy
from cloudaudit.providers.azure._clouds import AzureCloud, resolve_cloud
from cloudaudit.providers.azure._errors import classify, require_sdk
from cloudaudit.providers.azure._guardrails import read_guardrails
from cloudaudit.providers.azure._run import Run

__all__ = ["AzureProvider"]

NAME = ProviderId.AZURE.value


class AzureProvider:
    """Read-only Azure adapter: every located resource of the chosen subscriptions.

    Args:
        credential: An azure-core ``TokenCredential``; ``DefaultAzureCredential`` (with the
            cloud's authority) is built lazily when omitted.
        subscriptions: Subscription ids to audit; default: every subscription the credential
            sees (or those under ``management_group``).
        management_group: Audit the subscriptions under this management group.
        cloud: ``public``, ``china`` (operated by 21Vianet) or ``usgov``.
        arm_endpoint: ARM base URL override (Azure Stack Hub, local fakes); https only.
        use_resource_graph: Use the Resource Graph fast path (falls back per chunk of
            subscriptions to ``resources.list`` when Resource Graph fails).
        connection_verify: CA bundle path (or ``False``) for TLS verification.
        retry_total: azure-core retry count (``None``: the SDK default).
        retry_backoff_factor: azure-core retry backoff factor (``None``: the SDK default).
        connection_timeout: Seconds to wait for a TCP/TLS connection to ARM.
        read_timeout: Seconds to wait for a response once connected (an endpoint that accepts
            and never answers fails after this, per attempt).
        max_attempts: HTTP attempts per call, the first one included (sets azure-core's
            ``retry_total``, ``retry_connect``, ``retry_read`` and ``retry_status`` to one
            less); ``None``: the SDK's defaults (at most 4 attempts for a timeout).
        page_size: Rows per Resource Graph page (at most 1,000).
        catalog: Region catalog used for the location rule and the catalog check.
        sleep: Called to wait when the Resource Graph quota is exhausted.
        guardrails: Also read the Azure Policy "Allowed locations" assignments (and custom
            definitions of the same shape) that apply to each subscription.
    """

    def __init__(
        self,
        credential: Any = None,
        subscriptions: Sequence[str] | None = None,
        management_group: str | None = None,
        cloud: str = "public",
        arm_endpoint: str | None = None,
        *,
        use_resource_graph: bool = True,
        connection_verify: str | bool | None = None,
        retry_total: int | None = None,
        retry_backoff_factor: float | None = None,
        connection_timeout: float = 10.0,
        read_timeout: float = 60.0,
        page_size: int = 1000,
        catalog: Catalog | None = None,
        sleep: Callable[[float], None] = time.sleep,
        guardrails: bool = False,
        max_attempts: int | None = None,
    ) -> None:
        require_extra(NAME)
        self._guardrails = guardrails
        self.cloud: AzureCloud = resolve_cloud(cloud, arm_endpoint)
        self._credential = credential
        self._subscriptions = list(chosen(subscriptions, "subscriptions", "subscription id") or ())
        self._management_group = one(management_group, "management_group", "management group id")
        self._use_graph = use_resource_graph
        self._page_size = max(1, min(1000, page_size))
        self._catalog = catalog
        self._sleep = sleep
        options: dict[str, Any] = {
            "connection_verify": connection_verify,
            "retry_total": retry_total,
            "retry_backoff_factor": retry_backoff_factor,
            "connection_timeout": connection_timeout,
            "read_timeout": read_timeout,
        }
        if max_attempts is not None:  # azure-core counts retries, per kind of failure
            retries = {"total", "connect", "read", "status"}
            options.update({f"retry_{k}": max(0, max_attempts - 1) for k in retries})
        self._client_kwargs = {k: v for k, v in options.items() if v is not None}
        self._lock = threading.Lock()
        self.graph_stats = _graph.GraphStats()

    @property
    def name(self) -> str:
        """The provider id, ``azure``."""
        return NAME

    def classifiers(self) -> Sequence[Classifier]:
        """The azure-core exception classifier."""
        return (classify,)

    def check_credentials(self) -> None:
        """Build the credential now (no call): bad settings raise ConfigurationError (CLI)."""
        self._cred()

    def secrets(self) -> Sequence[str]:
        """The bearer token of a static credential (masked in gap messages)."""
        get = getattr(self._credential, "secret", None)
        return (str(get()),) if callable(get) else ()

    # ----- clients ----------------------------------------------------------------------------
    def _cred(self) -> Any:
        with self._lock:
            if self._credential is None:
                self._credential = default_credential(self.cloud)
            return self._credential

    def _kwargs(self) -> dict[str, Any]:
        kwargs = {
            "base_url": self.cloud.arm_endpoint,
            "credential_scopes": [self.cloud.credential_scope],
            **self._client_kwargs,
        }
        # every request names its ARM action on its errors; every answer is checked before it
        # is trusted (providers/_answers.py)
        policies = [call_policy(), *kwargs.get("per_call_policies", ()), answer_policy()]
        kwargs["per_call_policies"] = policies
        return kwargs

    def subscription_client(self) -> Any:
        """A ``SubscriptionClient`` for this cloud."""
        require_sdk("azure.mgmt.resource.subscriptions")
        from azure.mgmt.resource.subscriptions import SubscriptionClient

        return SubscriptionClient(self._cred(), **self._kwargs())

    def graph_client(self) -> Any:
        """A ``ResourceGraphClient`` for this cloud."""
        require_sdk("azure.mgmt.resourcegraph")
        from azure.mgmt.resourcegraph import ResourceGraphClient

        return ResourceGraphClient(self._cred(), **self._kwargs())

    def resource_client(self, subscription: str) -> Any:
        """A ``ResourceManagementClient`` for one subscription."""
        require_sdk("azure.mgmt.resource.resources")
        from azure.mgmt.resource.resources import ResourceManagementClient

        return ResourceManagementClient(self._cred(), subscription, **self._kwargs())

    # ----- collect ----------------------------------------------------------------------------
    def collect(self, fanout: Work) -> Iterator[Batch]:
        """Yield one batch per subscription, then the tenant-wide gaps."""
        run = Run(
            self,
            fanout,
            self._catalog or default_catalog(),
            page_size=self._page_size,
            sleep=self._sleep,
            graph_stats=self.graph_stats,
            lock=self._lock,
        )
        with (
            phase("subscriptions.list and management-group descendants (scope discovery)"),
            fanout.evidence(Scope(NAME, None, None, "subscriptions")),  # what it read
        ):
            subs, hidden = self._scope()
        if hidden:
            yield Batch(gaps=hidden)
        yield from run.scan(subs, graph=self._use_graph)
        run.properties()
        run.sql()
        if self._guardrails and run.live:
            client = self.resource_client(run.live[0])
            yield from read_guardrails(fanout, client, run.live, self.cloud.partition)
        yield from run.batches()

    def discover(self) -> list[str]:
        """The subscription ids to audit (explicit, under the management group, or all).

        A failure here fails the provider as a whole: ``audit`` turns it into one gap.
        """
        return self._scope()[0]

    def _scope(self) -> tuple[list[str], tuple[CoverageGap, ...]]:
        """The subscriptions to audit, and a gap per subscription of the group it cannot read.

        Under a management group, its descendants (which the Management Groups API lists
        whether or not the caller may read them) are compared with ``GET /subscriptions``.
        """
        if self._subscriptions:  # once each, however it is written (ARM ids ignore case)
            first: dict[str, str] = {}
            for sub in self._subscriptions:
                first.setdefault(sub.lower(), sub)
            return list(first.values()), ()
        client = self.subscription_client()
        rows = _arm.fetch_subscriptions(client)
        listed = {str(r["subscriptionId"]) for r in rows if r.get("subscriptionId")}
        group = self._management_group
        if not group:
            return sorted(listed), ()
        under = _arm.descendant_subscriptions(_arm.fetch_descendants(client, group))
        readable = {s.lower() for s in listed}
        gaps = tuple(
            make_gap(
                Scope(NAME, sub, None, "subscription"),
                "SubscriptionNotReadable",
                f"subscription {sub} ({name}) is under management group {group}, but the "
                "caller cannot read it (GET /subscriptions does not list it): its resources "
                "are not audited",
            )
            for sub, name in sorted(under.items())
            if sub.lower() not in readable
        )
        return sorted(s for s in under if s.lower() in readable), gaps
