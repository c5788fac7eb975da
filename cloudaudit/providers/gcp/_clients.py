"""Lazily built, per-thread Google API clients sharing one set of credentials.

The REST transports use a ``requests`` session per client; giving each worker thread its own
clients avoids sharing a connection pool across threads. Clients are built on first use, never
at import time, and the SDK modules are imported inside the factories.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

from cloudaudit.errors import AuthenticationError, ConfigurationError
from cloudaudit.providers._extras import require
from cloudaudit.providers.gcp._answers import install
from cloudaudit.providers.gcp._methods import named

__all__ = ["READ_ONLY_SCOPE", "Clients"]

READ_ONLY_SCOPE = "https://www.googleapis.com/auth/cloud-platform.read-only"


def bound(client: Any, timeouts: tuple[float, float] | None) -> Any:
    """Give every request of ``client``'s HTTP session its method and the timeouts.

    Whatever a request raises, or the error the client library raises from its answer, names
    the API method it called (:func:`~cloudaudit.providers.gcp._methods.named`). The client
    libraries pass one timeout (what is left of the call's deadline); the session is given
    ``(connect, min(read, that number))`` instead, so a silent endpoint costs at most the
    connect and read timeouts per attempt.
    """
    session = getattr(getattr(client, "_transport", None), "_session", None)
    if session is None:
        session = getattr(client, "_http", None)  # google-cloud-storage
    send = getattr(session, "request", None)
    if session is None or send is None or getattr(send, "_cloudaudit_bound", False):
        return client
    send = named(send)

    def request(method: str, url: str, *args: Any, timeout: Any = None, **kwargs: Any) -> Any:
        if timeouts is not None:
            connect, read = timeouts
            asked = timeout[1] if isinstance(timeout, tuple) else timeout
            limit = read if not isinstance(asked, (int, float)) else min(read, float(asked))
            timeout = (connect, limit)
        return send(method, url, *args, timeout=timeout, **kwargs)

    request._cloudaudit_bound = True  # type: ignore[attr-defined]
    session.request = request
    return client


def _require(module: str) -> None:
    """Import a Google SDK module, or raise ProviderUnavailable naming the ``gcp`` extra."""
    require(module, "gcp")


class Clients:
    """Builds and caches (per thread) the Google clients the provider needs.

    Args:
        credentials: Google credentials, or ``None`` for ``google.auth.default()`` (lazily).
        client_options: Passed to every client (``api_endpoint`` for private endpoints).
        timeouts: ``(connect, read)`` seconds, per attempt, for every request of every client.
    """

    def __init__(
        self,
        credentials: Any = None,
        client_options: Any = None,
        timeouts: tuple[float, float] | None = None,
    ) -> None:
        self._credentials = credentials
        self._options = client_options
        self._timeouts = timeouts
        self._lock = threading.Lock()
        self._local = threading.local()

    @property
    def given(self) -> Any:
        """The credentials passed in or resolved so far (never resolves them)."""
        return self._credentials

    def check_file(self) -> None:
        """Read ``GOOGLE_APPLICATION_CREDENTIALS`` now, when it names a file (no call is made).

        Raises:
            ConfigurationError: The file is not a credentials file google-auth can read.
        """
        path = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
        if self._credentials is not None or not path or not os.path.isfile(path):
            return  # given credentials, or none configured: found (or not) on first use
        _require("google.auth")
        import google.auth
        from google.auth import exceptions as auth_exc

        try:
            google.auth.load_credentials_from_file(path, scopes=[READ_ONLY_SCOPE])  # type: ignore[no-untyped-call]
        except (auth_exc.DefaultCredentialsError, ValueError) as exc:
            why = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
            raise ConfigurationError(
                f"GOOGLE_APPLICATION_CREDENTIALS={path}: {why} (fix the file, or unset the "
                "variable to use gcloud's application default credentials)"
            ) from None

    def credentials(self) -> Any:
        """The credentials, resolved with ``google.auth.default()`` on first use."""
        with self._lock:
            if self._credentials is None:
                _require("google.auth")
                import google.auth
                from google.auth import exceptions as auth_exc

                try:
                    self._credentials, _ = google.auth.default(scopes=[READ_ONLY_SCOPE])
                except auth_exc.DefaultCredentialsError as exc:
                    raise AuthenticationError(
                        "no Google credentials: run `gcloud auth application-default login` "
                        "or set GOOGLE_APPLICATION_CREDENTIALS"
                    ) from exc
            return self._credentials

    def _get(self, key: str, factory: Callable[[], Any]) -> Any:
        cache: dict[str, Any] | None = getattr(self._local, "clients", None)
        if cache is None:
            cache = {}
            self._local.clients = cache
        if key not in cache:
            # every answer is checked (providers/_answers.py); every request is bounded
            cache[key] = bound(install(factory()), self._timeouts)
        return cache[key]

    def folders(self) -> Any:
        """A ``resourcemanager_v3.FoldersClient`` (REST)."""
        return self._get("folders", lambda: self._rm("FoldersClient"))

    def projects(self) -> Any:
        """A ``resourcemanager_v3.ProjectsClient`` (REST)."""
        return self._get("projects", lambda: self._rm("ProjectsClient"))

    def _rm(self, name: str) -> Any:
        _require("google.cloud.resourcemanager_v3")
        from google.cloud import resourcemanager_v3

        cls = getattr(resourcemanager_v3, name)
        return cls(credentials=self.credentials(), transport="rest", client_options=self._options)

    def orgpolicy(self) -> Any:
        """An ``orgpolicy_v2.OrgPolicyClient`` (REST)."""

        def build() -> Any:
            _require("google.cloud.orgpolicy_v2")
            from google.cloud import orgpolicy_v2

            return orgpolicy_v2.OrgPolicyClient(
                credentials=self.credentials(), transport="rest", client_options=self._options
            )

        return self._get("orgpolicy", build)

    def asset(self) -> Any:
        """An ``asset_v1.AssetServiceClient`` (REST)."""

        def build() -> Any:
            _require("google.cloud.asset_v1")
            from google.cloud import asset_v1

            return asset_v1.AssetServiceClient(
                credentials=self.credentials(), transport="rest", client_options=self._options
            )

        return self._get("asset", build)

    def storage(self, project: str) -> Any:
        """A ``storage.Client`` (the project is only a default; listings name their project)."""

        def build() -> Any:
            _require("google.cloud.storage")
            from google.cloud.storage import Client

            return Client(
                project=project, credentials=self.credentials(), client_options=self._options
            )

        return self._get("storage", build)

    def compute(self, name: str) -> Any:
        """A ``compute_v1`` client by class name (``InstancesClient``, ``SnapshotsClient``)."""

        def build() -> Any:
            _require("google.cloud.compute_v1")
            from google.cloud import compute_v1

            cls = getattr(compute_v1, name)
            return cls(credentials=self.credentials(), client_options=self._options)

        return self._get(f"compute.{name}", build)
