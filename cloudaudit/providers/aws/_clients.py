"""One cached, thread-shared boto3 client per (service, region), all from one session."""

from __future__ import annotations

import threading
from typing import Any

__all__ = ["ClientCache", "RegionClients", "make_config"]


def make_config(
    max_workers: int,
    *,
    max_attempts: int = 5,
    connect_timeout: float = 5.0,
    read_timeout: float = 20.0,
) -> Any:
    """Build the botocore ``Config`` used by every client.

    Adaptive retries handle throttling; connect and read timeouts bound how long an
    unreachable region can cost; the connection pool matches the number of workers.

    Args:
        max_workers: Most units in flight at once (sizes the connection pool).
        max_attempts: Total HTTP attempts per call, the first one included.
        connect_timeout: Seconds to wait for a TCP connection.
        read_timeout: Seconds to wait for a response once connected.
    """
    from botocore.config import Config

    return Config(
        retries={"mode": "adaptive", "total_max_attempts": max_attempts},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        max_pool_connections=max(10, max_workers),
        user_agent_extra="cloudaudit",
    )


class ClientCache:
    """Builds each (service, region) client once and shares it between threads.

    boto3 clients are thread-safe once built; building one costs ~10 ms of CPU and is not
    safe to do concurrently from one session, so building is serialised by one lock while
    lookups of built clients take no lock at all.

    Args:
        session: The one ``boto3.Session`` every client comes from.
        config: botocore ``Config`` for every client.
    """

    def __init__(self, session: Any, config: Any) -> None:
        self._session = session
        self._config = config
        self._clients: dict[tuple[str, str], Any] = {}
        self._build_lock = threading.Lock()

    def get(self, service: str, region: str) -> Any:
        """Return the client for ``service`` in ``region``, building it on first use."""
        key = (service, region)
        client = self._clients.get(key)
        if client is not None:
            return client
        with self._build_lock:
            client = self._clients.get(key)
            if client is None:
                client = self._session.client(service, region_name=region, config=self._config)
                self._clients[key] = client
        return client

    def built(self) -> int:
        """Number of clients built so far."""
        return len(self._clients)

    def for_region(self, region: str) -> RegionClients:
        """Return a ``client(service)`` callable bound to ``region``."""
        return RegionClients(self, region)


class RegionClients:
    """``client(service)`` for one region, with access to the other regions' clients."""

    def __init__(self, cache: ClientCache, region: str) -> None:
        self.cache = cache
        self.region = region

    def __call__(self, service: str) -> Any:
        """Return the shared client of ``service`` in this region."""
        return self.cache.get(service, self.region)
