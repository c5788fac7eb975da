"""A scheduled audit on AWS Lambda: audit, store the report and its drift in S3, notify.

Configuration is a typed event (:class:`~cloudaudit._lambda_event.LambdaEvent`), each key
falling back to an environment variable:

* ``providers`` / ``CLOUDAUDIT_PROVIDERS``: ``["aws"]`` (the default) or a list of
  ``{"name": "gcp", "organization": "123"}``: any provider of the registry, with its
  constructor's arguments (env: JSON, or ``aws,gcp``);
* ``policy`` / ``CLOUDAUDIT_POLICY``: a built-in name or ``s3://bucket/key``;
* ``options`` / ``CLOUDAUDIT_POLICY_OPTIONS``: policy options (a JSON object);
* ``bucket`` / ``CLOUDAUDIT_BUCKET``: the bucket for reports (required);
* ``prefix`` / ``CLOUDAUDIT_PREFIX``: the key prefix (default ``cloudaudit/``);
* ``sns_topic_arn`` / ``CLOUDAUDIT_SNS_TOPIC_ARN`` and ``event_bus`` /
  ``CLOUDAUDIT_EVENT_BUS``: where to notify (optional);
* ``safety_seconds`` / ``CLOUDAUDIT_SAFETY_SECONDS``: stop this long before the Lambda
  deadline (default 30);
* ``security_hub`` / ``CLOUDAUDIT_SECURITY_HUB``: import ASFF findings into Security Hub
  (default false), in ``security_hub_region`` / ``CLOUDAUDIT_SECURITY_HUB_REGION`` (default:
  the function's region).

A key of the wrong type is a :class:`~cloudaudit.errors.ConfigurationError` naming the key and
where it came from. The audit stops cleanly before the deadline: units of work not started by
then become coverage gaps with code ``Cancelled``, so the report says what it did not reach.
The report is written to ``<prefix>reports/YYYY/MM/DD/<time>-<policy>.json``, the drift
against the previous baseline to ``<prefix>diffs/...``, and ``<prefix>latest.json`` is the
baseline of the next run: the report, plus the last known verdicts of what it could not see
(:func:`~cloudaudit.diff.carry_over`; a ``latest.json`` that is not a report is moved to
``<prefix>set-aside/`` with a warning, and the run goes on as a first run). Credentials are
masked in every log record of the whole run (:func:`run`). A notification,
written for a person, goes out when something new violates, becomes unknown, coverage drops,
or a provider audited nothing (exit code 3 of the CLI, recorded as ``exit_code``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from cloudaudit import outcome
from cloudaudit._audit import audit
from cloudaudit._lambda_event import LambdaEvent, ProviderSpec, parse_event
from cloudaudit._lambda_notify import compose, import_to_security_hub, publish
from cloudaudit._lambda_spec import check_arguments
from cloudaudit.diff import ReportDiff, carry_over, diff
from cloudaudit.errors import ConfigurationError
from cloudaudit.policies import Policy, load_policy, policy_from_mapping
from cloudaudit.policies._loader import parse_policy_text
from cloudaudit.providers import Provider
from cloudaudit.providers._extras import require
from cloudaudit.providers._logmask import masking_logs
from cloudaudit.report import Report

if TYPE_CHECKING:
    from boto3.session import Session
    from mypy_boto3_s3 import S3Client

__all__ = ["handler", "load_config", "run"]

DEFAULT_PREFIX = "cloudaudit/"
DEFAULT_SAFETY_S = 30.0
ProviderFactory = Callable[[ProviderSpec, "Session"], Provider]
log = logging.getLogger(__name__)


def _boto3() -> Any:
    return require("boto3", "aws")


def load_config(event: Mapping[str, Any] | None) -> LambdaEvent:
    """Merge the event with the environment and check it (see :func:`parse_event`).

    Raises:
        ConfigurationError: no bucket, or a key of the wrong type (named in the message).
    """
    return parse_event(event)


def _split_s3(uri: str) -> tuple[str, str]:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    if not bucket or not key:
        raise ConfigurationError(f"policy {uri!r} is not an s3://bucket/key URI")
    return bucket, key


def resolve_policy(name: str, options: Mapping[str, bool], s3: S3Client) -> Policy:
    """Load a built-in policy by name, or a policy file from an ``s3://`` URI.

    Raises:
        ConfigurationError: the object is missing or unreadable, or not UTF-8 text.
        PolicyError: the file is not a valid policy.
    """
    if not name.startswith("s3://"):
        return load_policy(name, options=dict(options) or None)
    bucket, key = _split_s3(name)
    try:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except s3.exceptions.NoSuchKey:
        raise ConfigurationError(f"policy {name}: no such object in bucket {bucket}") from None
    except s3.exceptions.ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "error")
        raise ConfigurationError(f"policy {name}: cannot be read ({code})") from None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigurationError(
            f"policy {name}: not UTF-8 text (byte {exc.start}); save the file as UTF-8"
        ) from None
    raw = parse_policy_text(text, name, json_only=key.endswith(".json"))
    raw["options"] = {**raw.get("options", {}), **options}
    return policy_from_mapping(raw, source=name)


def default_factory(spec: ProviderSpec, session: Session) -> Provider:
    """Build any registered provider from its spec (:func:`~cloudaudit.providers.get_provider`).

    AWS providers get the function's boto3 session; ``{"name": "aws", "organization": true,
    "role_name": "..."}`` audits the whole AWS organization.
    """
    from cloudaudit.providers._registry import provider_class

    args = spec.arguments
    name = spec.name
    if name == "aws":
        args["session"] = session
        organization = args.pop("organization", False)
        if not isinstance(organization, bool):
            raise ConfigurationError(
                f"organization: {organization!r} is not a boolean; write true or false (in "
                "JSON, without quotes)"
            )
        if organization:
            from cloudaudit.providers.aws import AwsOrganization

            org: Provider = _construct(AwsOrganization, spec, args)
            return org
    cls = provider_class(name)
    check_arguments(cls, name, {k: v for k, v in args.items() if k != "session"})
    try:
        provider: Provider = cls(**args)
    except TypeError as exc:
        raise ConfigurationError(f"providers: {name} does not accept these keys: {exc}") from None
    return provider


def _construct(cls: Any, spec: ProviderSpec, args: Mapping[str, Any]) -> Any:
    # AwsOrganization checks its own arguments, with the CLI option each one stands for
    try:
        return cls(**args)
    except TypeError as exc:
        raise ConfigurationError(f"providers: {spec.name} does not accept {exc}") from None


def _previous(s3: S3Client, cfg: LambdaEvent, stamp: str, warnings: list[str]) -> Report | None:
    """The previous report, or None; a stored object that is not a report is set aside."""
    key = f"{cfg.prefix}latest.json"
    try:
        body = s3.get_object(Bucket=cfg.bucket, Key=key)["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None
    try:
        return Report.from_json(body)
    except ValueError as exc:  # pydantic's ValidationError, or bytes that are not JSON
        aside = f"{cfg.prefix}set-aside/{stamp}-latest.json"
        s3.copy_object(Bucket=cfg.bucket, Key=aside, CopySource={"Bucket": cfg.bucket, "Key": key})
        first = str(exc).splitlines()[0][:200]
        warning = (
            f"s3://{cfg.bucket}/{key} is not a cloudaudit report ({first}); moved to "
            f"s3://{cfg.bucket}/{aside}, and this run is compared with nothing"
        )
        log.warning("%s", warning)
        warnings.append(warning)
        return None


def _empty_like(report: Report) -> Report:
    return Report(
        tool_version=report.tool_version,
        policy_id=report.policy_id,
        policy_version=report.policy_version,
        started_at=report.started_at,
        finished_at=report.started_at,
    )


def _keys(cfg: LambdaEvent, report: Report) -> dict[str, str]:
    stamp = report.started_at.strftime("%Y/%m/%d/%H%M%SZ")
    return {
        "report": f"{cfg.prefix}reports/{stamp}-{report.policy_id}.json",
        "diff": f"{cfg.prefix}diffs/{stamp}-{report.policy_id}.json",
        "latest": f"{cfg.prefix}latest.json",
    }


def _store(
    s3: S3Client, cfg: LambdaEvent, report: Report, drift: ReportDiff, baseline: Report
) -> dict[str, str]:
    """Write the report, its drift, and the baseline of the next run (``latest.json``)."""
    keys = _keys(cfg, report)
    body = report.to_json().encode()
    put = s3.put_object
    ctype = "application/json"
    put(Bucket=cfg.bucket, Key=keys["report"], Body=body, ContentType=ctype)
    put(Bucket=cfg.bucket, Key=keys["diff"], Body=drift.model_dump_json(indent=2).encode())
    latest = body if baseline is report else baseline.to_json().encode()
    put(Bucket=cfg.bucket, Key=keys["latest"], Body=latest, ContentType=ctype)
    return keys


def summarise(report: Report, drift: ReportDiff, keys: Mapping[str, str]) -> dict[str, Any]:
    """The handler's return value and the notification's machine-readable part."""
    s = report.summary
    cancelled = sum(1 for g in report.coverage.gaps if g.code == "Cancelled")
    blind = outcome.not_audited(report.coverage)
    return {
        "policy": f"{report.policy_id}@{report.policy_version}",
        "started_at": report.started_at.isoformat(),
        "summary": s.model_dump(),
        "drift": drift.summary(),
        "new_violations": [f.resource.id for f in drift.new_violations][:50],
        "stopped_early": cancelled > 0,
        "not_reached": cancelled,
        "exit_code": outcome.exit_code(report),
        "not_audited": list(blind),
        "notify": drift.worse or bool(blind),
        "keys": dict(keys),
    }


def run(
    event: Mapping[str, Any] | None,
    remaining_ms: Callable[[], int],
    *,
    session: Session | None = None,
    factory: ProviderFactory = default_factory,
) -> dict[str, Any]:
    """Run one scheduled audit (the handler's body, with its dependencies injected).

    The function's own credentials, and every provider's, are masked in every log record
    for the whole run (its own S3, SNS and EventBridge calls included), whatever the level.

    Args:
        event: The Lambda event (see the module docstring for its keys).
        remaining_ms: Milliseconds left before the Lambda deadline.
        session: A ``boto3.Session``; a default one when None.
        factory: Builds a provider from one provider spec and the session.
    """
    from cloudaudit.providers.aws import session_secrets

    secrets: list[str] = []
    with masking_logs(lambda: secrets):
        cfg = load_config(event)
        session = session or _boto3().Session()
        secrets.extend(session_secrets(session))
        providers = _providers(cfg, session, factory)  # checked before any call
        for provider in providers:
            secrets.extend(provider.secrets())
        return _run(cfg, session, providers, remaining_ms)


def _providers(cfg: LambdaEvent, session: Session, factory: ProviderFactory) -> list[Provider]:
    """Build every provider; a configuration error names the spec (``providers[1]``)."""
    out: list[Provider] = []
    for i, spec in enumerate(cfg.providers):
        try:
            out.append(factory(spec, session))
        except ConfigurationError as exc:
            detail = str(exc).removeprefix("providers: ")
            raise ConfigurationError(f"providers[{i}] ({spec.name}): {detail}") from None
    return out


def _run(
    cfg: LambdaEvent,
    session: Session,
    providers: list[Provider],
    remaining_ms: Callable[[], int],
) -> dict[str, Any]:
    s3 = session.client("s3")
    policy = resolve_policy(cfg.policy, cfg.options, s3)
    deadline = time.monotonic() + max(0.0, remaining_ms() / 1000 - cfg.safety_seconds)
    report = audit(providers, policy, deadline=deadline)
    warnings: list[str] = []
    stamp = report.started_at.strftime("%Y%m%dT%H%M%SZ")
    previous = _previous(s3, cfg, stamp, warnings)
    drift = diff(previous or _empty_like(report), report)
    baseline, carried = carry_over(previous, report) if previous else (report, ())
    keys = _store(s3, cfg, report, drift, baseline)
    summary = summarise(report, drift, keys)
    summary["carried_over"] = len(carried)
    summary["warnings"] = warnings
    if cfg.security_hub:
        summary["security_hub"] = import_to_security_hub(session, report, cfg.security_hub_region)
    links = {k: f"s3://{cfg.bucket}/{v}" for k, v in keys.items()}
    notice = compose(report, drift, summary, links, summary["not_audited"])
    summary["notified"] = (
        publish(session, notice, cfg.sns_topic_arn, cfg.event_bus) if summary["notify"] else []
    )
    return summary


def handler(event: Any, context: Any) -> dict[str, Any]:
    """AWS Lambda entry point: ``cloudaudit.aws_lambda.handler``.

    Returns the summary: counts, drift, the S3 keys written, whether it stopped early and
    which notifications were sent.
    """
    remaining: Callable[[], int] = getattr(
        context, "get_remaining_time_in_millis", lambda: 15 * 60 * 1000
    )
    return run(event, remaining)
