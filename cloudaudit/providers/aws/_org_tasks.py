"""AWS Organizations: one account's audit, through a role, in this process or in a worker.

Each account's clients are built from one shared base session (:class:`_Base`) with the
account's own ``sts:AssumeRole`` credentials, so service models load once for the whole
organization. :class:`AccountTask` is the picklable form of one account for process-based or
distributed executors: it builds its own session where it runs and returns plain batches.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from cloudaudit.models import ProviderId
from cloudaudit.providers._fanout import FanOut
from cloudaudit.providers._logmask import masking_logs
from cloudaudit.providers._protocol import Batch
from cloudaudit.providers._stream import guard_iter
from cloudaudit.providers._work import Scope, Work
from cloudaudit.providers.aws import _answers as answers
from cloudaudit.providers.aws._clients import cache_client_classes, record_calls
from cloudaudit.providers.aws._errors import classify
from cloudaudit.providers.aws._org_accounts import AccountSpec, OrgSettings
from cloudaudit.providers.aws._paging import guard_listing
from cloudaudit.providers.aws._provider import AwsProvider, make_session, session_secrets

if TYPE_CHECKING:
    from botocore.client import BaseClient
    from botocore.config import Config
    from botocore.hooks import BaseEventHooks
    from mypy_boto3_sts import STSClient

    from cloudaudit.providers.aws._client_types import ClientSession, ServiceClientWith

__all__ = ["AccountTask", "account_batches", "assume_role", "audit_account"]

_PROVIDER = ProviderId.AWS.value


def assume_role(sts: STSClient, role_arn: str, settings: OrgSettings) -> dict[str, str]:
    """Call ``sts:AssumeRole`` and return the temporary credentials (keep them out of logs)."""
    kwargs: dict[str, Any] = {
        "RoleArn": role_arn,
        "RoleSessionName": settings.session_name,
        "DurationSeconds": settings.duration,
    }
    if settings.external_id:
        kwargs["ExternalId"] = settings.external_id
    creds = sts.assume_role(**kwargs)["Credentials"]
    return {k: creds[k] for k in ("AccessKeyId", "SecretAccessKey", "SessionToken")}


# ----------------------------------------------------------------------------- sessions
@dataclass
class _Base:
    """The base session, shared by every account; client building is serialised by a lock.

    Each account's clients are built from this one botocore session with the account's own
    credentials, so service models are loaded once for the whole organization. Every client
    guards its listings (:func:`~cloudaudit.providers.aws._paging.guard_listing`).
    """

    session: ClientSession
    endpoint_url: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    _own: dict[tuple[str, str], BaseClient] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        cache_client_classes(self.session)  # every account's clients share generated classes

    def own_client(self, service: str, region: str, config: Config | None) -> BaseClient:
        """The caller's own client of ``service`` in ``region``, built once (``sts``...)."""
        key = (service, region)
        if key not in self._own:
            client = self.client(service, region, config)
            answers.install(client, answers.CORE)  # as every member's clients are checked
            self._own.setdefault(key, client)
        return self._own[key]

    own = cast("ServiceClientWith", own_client)
    """``own(service, region, config)``: :meth:`own_client`, typed with the stub client."""

    def client(
        self,
        service: str,
        region: str,
        config: Config | None,
        creds: dict[str, str] | None = None,
    ) -> BaseClient:
        keys: dict[str, Any] = {}
        if creds is not None:
            keys = {
                "aws_access_key_id": creds["AccessKeyId"],
                "aws_secret_access_key": creds["SecretAccessKey"],
                "aws_session_token": creds["SessionToken"],
            }
        if self.endpoint_url:
            keys["endpoint_url"] = self.endpoint_url
        with self.lock:
            client = self.session.client(service, region_name=region, config=config, **keys)
        record_calls(client)  # in a recorded unit or discovery step, its answers are evidence
        client.meta.events.register("before-parameter-build", guard_listing)
        return client


@dataclass
class _AccountSession:
    """Session-like view of one account (what :class:`ClientCache` needs: ``client``)."""

    base: _Base
    region_name: str
    creds: dict[str, str] | None = field(default=None, repr=False)

    def build(self, service: str, region_name: str, config: Config | None = None) -> BaseClient:
        """This account's client of ``service`` in ``region_name`` (any service, by name)."""
        return self.base.client(service, region_name, config, self.creds)

    client = cast("ServiceClientWith", build)
    """``client(service, region, config)``: :meth:`build`, typed with the stub client."""

    @property
    def events(self) -> BaseEventHooks | None:
        """The base session's event emitter (client classes are cached per emitter)."""
        return getattr(self.base.session, "events", None)


def open_account(
    base: _Base, spec: AccountSpec, settings: OrgSettings, fanout: Work
) -> _AccountSession:
    """The session of ``spec``'s account: AssumeRole into it, unless it is the caller's.

    The role's credentials are masked in every later gap message and log record.

    Raises:
        botocore exceptions: AssumeRole failed.
    """
    creds = None
    if spec.role_arn is not None:
        sts = base.own("sts", settings.home, settings.config())
        creds = assume_role(sts, spec.role_arn, settings)
        fanout.add_secrets(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    return _AccountSession(base, settings.home, creds)


def audit_account(
    base: _Base, spec: AccountSpec, settings: OrgSettings, fanout: Work
) -> Iterator[Batch]:
    """Open ``spec``'s account (AssumeRole unless it is the caller's) and audit it.

    Raises:
        botocore exceptions: AssumeRole or region discovery failed (a gap for the account).
    """
    provider = AwsProvider(
        session=open_account(base, spec, settings, fanout),
        regions=settings.regions,
        services=settings.services,
        partition=settings.partition,
        max_workers=settings.max_workers,
        account=spec.account,
        inventory="direct" if settings.inventory == "direct" else "auto",
        **settings.http(),
    )
    yield from provider.collect(fanout)


def account_batches(
    base: _Base, spec: AccountSpec, settings: OrgSettings, fanout: Work
) -> Iterator[Batch]:
    scope = Scope(_PROVIDER, spec.account)
    for item in guard_iter(fanout, scope, lambda: audit_account(base, spec, settings, fanout)):
        yield Batch.of(item)


@dataclass(frozen=True)
class AccountTask:
    """One account as a picklable task: builds its own session where it runs.

    Calling it assumes the role with the worker's credentials (``settings.profile`` or the
    default chain), audits the account with a private :class:`FanOut` of
    ``settings.max_workers``, and returns plain batches (resources, audited scopes, gaps).
    """

    spec: AccountSpec
    settings: OrgSettings

    @property
    def scope(self) -> Scope:
        """The account's scope."""
        return Scope(_PROVIDER, self.spec.account)

    def __call__(self) -> list[Batch]:
        """Audit the account; failures are gaps in the returned batches."""
        s = self.settings
        base = _worker_base(s.profile, s.home, s.endpoint_url)
        secrets = session_secrets(base.session)  # an AssumeRole error may echo them
        fanout = FanOut(max_workers=s.max_workers, classifiers=[classify], secrets=secrets)
        with fanout, masking_logs(lambda: fanout.secrets):
            return list(account_batches(base, self.spec, s, fanout))


@functools.lru_cache(maxsize=4)
def _worker_base(profile: str | None, region: str, endpoint_url: str | None) -> _Base:
    """The base session of this worker process, built on its first task and then reused.

    A fresh session loads the service models again (about 0.25 s of CPU for EC2); a worker
    runs many accounts, so it keeps one base session per (profile, region, endpoint). This is
    the only process-wide state of the package, and it holds no assumed-role credentials.
    """
    return _Base(make_session(profile, region), endpoint_url)
