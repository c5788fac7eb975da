"""One cached, thread-shared boto3 client per (service, region), all from one session."""

from __future__ import annotations

import functools
import os
import threading
import weakref
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, cast

from cloudaudit.evidence._record import record, recording
from cloudaudit.providers.aws._paging import guard_listing

if TYPE_CHECKING:
    from botocore.client import BaseClient
    from botocore.config import Config
    from botocore.model import OperationModel, ServiceModel

    from cloudaudit.providers.aws._client_types import (
        ClientSession,
        ServiceClient,
        ServiceClientIn,
    )

__all__ = [
    "ClientCache",
    "Countdown",
    "RegionClients",
    "cache_client_classes",
    "make_config",
    "record_calls",
]

# What clients of one session share, per event emitter (one per botocore session) that opted
# in: the generated client class and the parsed service model, by (service, API version).
_SHARED: weakref.WeakKeyDictionary[Any, dict[tuple[str, str, str | None], Any]] = (
    weakref.WeakKeyDictionary()
)
_SHARED_LOCK = threading.Lock()


def cache_client_classes(session: object) -> bool:
    """Make every later client of ``session`` reuse one class and one model per service.

    botocore builds, for each client, a new client class (one Python method per API
    operation, 600+ for EC2) and a new ``ServiceModel``; the new model recomputes what the
    previous client's already knew (its endpoint-discovery check walks every operation; its
    operation and shape models are rebuilt at the first call of each operation). Both depend
    only on the service's JSON model and on the session's ``creating-client-class``
    handlers, not on the region or credentials, so clients of one service can share them:
    a client then costs 2-4 ms of CPU instead of 5-12 ms (EC2). Each client's copy of the
    session's event emitter also starts with an empty cache of event-name aliases and
    rebuilds it (a scan of botocore's alias table per new event name, about 50 per client);
    the copies share the session emitter's cache instead (a pure function of the name).
    The copies also share the session's handler nodes until one side registers a handler,
    and clients of one service share the parsed endpoint rule set
    (:mod:`~cloudaudit.providers.aws._shared_parts`): with these, a client costs about
    2 ms of CPU instead of 3.5-4 ms (132 clients of four services, measured).

    This wraps botocore's private ``ClientCreator._create_client_class``,
    ``ClientCreator._load_service_model``, ``EventAliaser.__copy__`` and the parts named in
    ``_shared_parts`` once per process; the wrappers only reuse objects for sessions passed
    here (any other session, the caller's own included, is untouched). A test pins the
    behaviour (and fails if botocore renames any of them):
    ``tests/providers/aws/test_aws_clients.py``.

    Args:
        session: A ``boto3.Session`` (or anything with its ``events`` emitter).

    Returns:
        True if classes are now cached for this session, False if it cannot be (no
        ``events``, or botocore no longer has the methods: clients are then built as usual).
    """
    emitter = getattr(session, "events", None)
    if emitter is None or not _install():
        return False
    from cloudaudit.providers.aws._shared_parts import share_handlers

    with _SHARED_LOCK:
        _SHARED.setdefault(emitter, {})
        share_handlers(emitter)
        _read_models_as_dicts(session)
    return True


def _read_models_as_dicts(session: object) -> None:
    """Have the session's data loader parse botocore's JSON files into plain dicts.

    botocore parses every model it reads (service, endpoint rule set, paginators, endpoints,
    partitions) with ``object_pairs_hook=OrderedDict``, which makes ``json.loads`` about three
    times slower (every JSON file of EC2, S3, RDS, DynamoDB and STS plus the shared ones:
    0.17 s against 0.06 s of CPU, measured). Plain dicts
    keep insertion order too (the language guarantees it), and botocore only reads these
    mappings (``get``, ``items``, ``in``, indexing, its own deep merge); the one difference,
    that two ``OrderedDict`` compare unequal when only their order differs, is not relied on.
    Only this session's loader is changed (its ``file_loader`` attribute, set in botocore's
    ``Loader.__init__``), and only if it is botocore's own JSON loader, so the loader's
    lookups, caches and search paths stay botocore's.
    """
    core = getattr(session, "_session", session)  # a boto3 Session wraps a botocore one
    get_component = getattr(core, "get_component", None)
    if get_component is None:
        return
    from botocore.loaders import JSONFileLoader

    loader = get_component("data_loader")
    if type(getattr(loader, "file_loader", None)) is JSONFileLoader:
        loader.file_loader = _dict_loader_class()()


@functools.cache
def _dict_loader_class() -> type:
    import json

    from botocore.loaders import JSONFileLoader

    class DictJSONFileLoader(JSONFileLoader):
        """botocore's ``JSONFileLoader``, parsing into plain dicts."""

        def _load_file(self, full_path: str, open_method: Callable[..., Any]) -> Any:
            if not os.path.isfile(full_path):
                return None
            with open_method(full_path, "rb") as fp:
                payload = fp.read().decode("utf-8")
            return json.loads(payload)

    return DictJSONFileLoader


def _store_of(emitter: Any) -> dict[tuple[str, str, str | None], Any] | None:
    """The shared parts of the session whose emitter this is, or None if it did not opt in."""
    return _SHARED.get(emitter) if emitter is not None else None


def _install() -> bool:
    from botocore.client import ClientCreator
    from botocore.hooks import EventAliaser

    make_class = getattr(ClientCreator, "_create_client_class", None)
    load_model = getattr(ClientCreator, "_load_service_model", None)
    copy_events = getattr(EventAliaser, "__copy__", None)
    if make_class is None or load_model is None or copy_events is None:
        return False
    if getattr(make_class, "_cloudaudit_cached", False):
        return True
    from cloudaudit.providers.aws._shared_parts import install_shared_endpoints

    install_shared_endpoints(_store_of)

    def create_client_class(
        self: ClientCreator, service_name: str, service_model: ServiceModel
    ) -> type:
        shared = _SHARED.get(getattr(self, "_event_emitter", None))
        if shared is None:
            return make_class(self, service_name, service_model)  # type: ignore[no-any-return]
        key = ("class", service_name, str(service_model.api_version))
        cls = shared.get(key)
        if cls is None:
            cls = shared[key] = make_class(self, service_name, service_model)
        return cls  # type: ignore[no-any-return]

    def load_service_model(
        self: ClientCreator, service_name: str, api_version: str | None = None
    ) -> ServiceModel:
        shared = _SHARED.get(getattr(self, "_event_emitter", None))
        if shared is None:
            return load_model(self, service_name, api_version)  # type: ignore[no-any-return]
        key = ("model", service_name, api_version)
        model = shared.get(key)
        if model is None:
            model = shared[key] = load_model(self, service_name, api_version)
        return model  # type: ignore[no-any-return]

    def copy_emitter(self: EventAliaser) -> EventAliaser:
        copied = copy_events(self)
        aliases = getattr(self, "_alias_name_cache", None)
        if self in _SHARED and isinstance(aliases, dict):
            copied._alias_name_cache = aliases  # same names, same aliases: one cache
        return copied  # type: ignore[no-any-return]

    create_client_class._cloudaudit_cached = True  # type: ignore[attr-defined]
    setattr(ClientCreator, "_create_client_class", create_client_class)  # noqa: B010
    setattr(ClientCreator, "_load_service_model", load_service_model)  # noqa: B010
    setattr(EventAliaser, "__copy__", copy_emitter)  # noqa: B010
    return True


def make_config(
    max_workers: int,
    *,
    max_attempts: int = 5,
    connect_timeout: float = 5.0,
    read_timeout: float = 20.0,
) -> Config:
    """Build the botocore ``Config`` used by every client.

    Adaptive retries handle throttling; connect and read timeouts bound how long an
    unreachable region can cost; the connection pool matches the number of workers. When no
    proxy is configured (:func:`urllib.request.getproxies` finds none, which is all botocore
    looks at), the config says so (``proxies={}``): botocore would otherwise scan the
    environment twice for every client it builds to find the same nothing (about 15% of a
    client's instructions). With a proxy configured botocore looks each endpoint up itself, as
    before (``no_proxy`` included).

    Args:
        max_workers: Most units in flight at once (sizes the connection pool).
        max_attempts: Total HTTP attempts per call, the first one included.
        connect_timeout: Seconds to wait for a TCP connection.
        read_timeout: Seconds to wait for a response once connected.
    """
    from urllib.request import getproxies

    from botocore.config import Config

    return Config(
        retries={"mode": "adaptive", "total_max_attempts": max_attempts},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        max_pool_connections=max(10, max_workers),
        user_agent_extra="cloudaudit",
        proxies=None if getproxies() else {},
    )


def _keep_params(params: dict[str, Any], context: dict[str, Any], **_: object) -> None:
    """Botocore ``before-parameter-build`` hook: keep the call's parameters for its record."""
    if recording():
        context["cloudaudit_params"] = dict(params)


def _record_answer(
    parsed: dict[str, Any], model: OperationModel, context: dict[str, Any], **_: object
) -> None:
    """Botocore ``after-call`` hook: file each answer as evidence (a no-op unless recording).

    The record holds the request's parameters (which bucket, which region) and the answer.
    """
    if recording():
        call = {"request": context.get("cloudaudit_params", {}), "response": parsed}
        record(f"{model.service_model.service_name}:{model.name}", call)


def record_calls(client: BaseClient) -> None:
    """File each answer of ``client`` as evidence when it is read in a recorded unit.

    :class:`ClientCache` does this for every client it builds; a client built apart (an
    organization's clients) is given it here. Registering twice is harmless (the handlers
    are registered once per client, by id).
    """
    events = client.meta.events
    events.register("before-parameter-build", _keep_params, unique_id="cloudaudit-params")
    events.register("after-call", _record_answer, unique_id="cloudaudit-record")


def _load_paginators(client: Any) -> None:
    """Load the client's paginator configuration now, while the build lock is held.

    botocore loads it at a client's first ``get_paginator``, through its loader's
    per-session cache, which has no lock: when many units start at once, every one of them
    misses the cache and lists the directories of all 400+ services in botocore's data to
    find that one file (tens of thousands of system calls in one audit, a share of its CPU
    that varied from run to run). Loaded here, it is read once per service; each later
    client only looks it up.
    """
    methods = client.meta.method_to_api_mapping
    if methods:
        client.can_paginate(next(iter(methods)))  # a service without paginators caches {}


class ClientCache:
    """Builds each (service, region) client once and shares it between threads.

    boto3 clients are thread-safe once built; building one is not safe to do concurrently
    from one session, so building is serialised by one lock while lookups of built clients
    take no lock at all. Clients of one service share one generated class, one service
    model and one endpoint rule set, and start from the session's handlers without copying
    them (:func:`cache_client_classes`), so a client costs about 2 ms of CPU instead of
    5-12 ms.

    Args:
        session: The one ``boto3.Session`` every client comes from.
        config: botocore ``Config`` for every client.
        on_build: Called with each new client (the provider installs its answer checks).
    """

    def __init__(
        self,
        session: ClientSession,
        config: Config,
        on_build: Callable[[BaseClient], None] | None = None,
    ) -> None:
        self._session = session
        self._config = config
        self._on_build = on_build
        self._clients: dict[tuple[str, str], BaseClient] = {}
        self._build_lock = threading.Lock()
        cache_client_classes(session)

    def client(self, service: str, region: str) -> BaseClient:
        """Return the client for ``service`` in ``region``, building it on first use.

        Type checkers see a ``BaseClient`` here; :attr:`get` is the same method typed per
        service (``get("s3", region)`` is an ``S3Client``).
        """
        key = (service, region)
        client = self._clients.get(key)
        if client is not None:
            return client
        with self._build_lock:
            client = self._clients.get(key)
            if client is None:
                client = self._session.client(service, region_name=region, config=self._config)
                record_calls(client)
                client.meta.events.register("before-parameter-build", guard_listing)
                _load_paginators(client)
                if self._on_build is not None:
                    self._on_build(client)
                self._clients[key] = client
        return client

    get = cast("ServiceClientIn", client)
    """``get(service, region)``: :meth:`client`, typed with the service's stub client."""

    def built(self) -> int:
        """Number of clients built so far."""
        return len(self._clients)

    def warm(self, pairs: Iterable[tuple[str, str]], stop: threading.Event) -> None:
        """Build the clients of ``(service, region)`` pairs in order until ``stop`` is set.

        No call is made. The provider runs this while its first calls are in flight: the
        CPU the units would spend building their clients goes into that wait instead. A
        client that cannot be built ends the warming; the unit that needs it meets the same
        error and reports it.
        """
        from botocore.exceptions import BotoCoreError

        for service, region in pairs:
            if stop.is_set():
                return
            try:
                self.client(service, region)
            except BotoCoreError:
                return

    def for_region(self, region: str) -> ServiceClient:
        """Return a ``client(service)`` callable bound to ``region``."""
        return RegionClients(self, region)


class RegionClients:
    """``client(service)`` for one region, with access to the other regions' clients."""

    def __init__(self, cache: ClientCache, region: str) -> None:
        self.cache = cache
        self.region = region

    def client(self, service: str) -> BaseClient:
        """Return the shared client of ``service`` in this region."""
        return self.cache.client(service, self.region)

    __call__ = cast("ServiceClient", client)


class Countdown:
    """Sets :attr:`done` once each of ``n`` wrapped calls has returned or raised."""

    def __init__(self, n: int) -> None:
        self.done = threading.Event()
        self._left = n
        self._lock = threading.Lock()

    def wrap(self, call: Callable[[], Any]) -> Callable[[], Any]:
        """``call``, counted when it ends."""

        def counted() -> Any:
            try:
                return call()
            finally:
                with self._lock:
                    self._left -= 1
                    if self._left <= 0:
                        self.done.set()

        return counted
