"""A scheduled audit on AWS Lambda: audit, store the report and its drift in S3, notify.

Configuration comes from the event, falling back to environment variables:

============================  ==============================  ===============================
event key                     environment variable            meaning
============================  ==============================  ===============================
``providers``                 ``CLOUDAUDIT_PROVIDERS``        ``["aws"]`` or a list of
                                                              ``{"name": "aws", "regions":
                                                              [...], "services": [...]}``
                                                              (env: JSON or ``aws,gcp``)
``policy``                    ``CLOUDAUDIT_POLICY``           built-in name or ``s3://b/key``
``options``                   ``CLOUDAUDIT_POLICY_OPTIONS``   policy options (JSON object)
``bucket``                    ``CLOUDAUDIT_BUCKET``           bucket for reports (required)
``prefix``                    ``CLOUDAUDIT_PREFIX``           key prefix (default
                                                              ``cloudaudit/``)
``sns_topic_arn``             ``CLOUDAUDIT_SNS_TOPIC_ARN``    topic to notify (optional)
``event_bus``                 ``CLOUDAUDIT_EVENT_BUS``        EventBridge bus (optional)
``safety_seconds``            ``CLOUDAUDIT_SAFETY_SECONDS``   stop this long before the
                                                              Lambda deadline (default 30)
============================  ==============================  ===============================

The audit stops cleanly before the deadline: units of work not started by then become
coverage gaps with code ``Cancelled``, so the report says what it did not reach. The report is
written to ``<prefix>reports/YYYY/MM/DD/<time>-<policy>.json``, the drift against the previous
report to ``<prefix>diffs/...``, and ``<prefix>latest.json`` is the previous report for the
next run. A notification goes out when something new violates, becomes unknown, or coverage
drops.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from cloudaudit._audit import audit
from cloudaudit.diff import ReportDiff, diff
from cloudaudit.errors import ConfigurationError, ProviderUnavailable
from cloudaudit.policies import Policy, load_policy, policy_from_mapping
from cloudaudit.policies._loader import parse_policy_text
from cloudaudit.providers._fanout import Classifier, FanOut
from cloudaudit.providers._protocol import Batch, Provider
from cloudaudit.report import Report

__all__ = ["DeadlineProvider", "handler", "load_config", "run"]

DEFAULT_PREFIX = "cloudaudit/"
DEFAULT_SAFETY_S = 30.0
ProviderFactory = Callable[[Mapping[str, Any], Any], Provider]


class DeadlineProvider:
    """Wraps a provider: when ``deadline`` (``time.monotonic()``) passes, cancel the fan-out.

    Units already running finish; units not started become ``Cancelled`` coverage gaps.
    """

    def __init__(self, inner: Provider, deadline: float) -> None:
        self._inner = inner
        self._deadline = deadline

    @property
    def name(self) -> str:
        """The wrapped provider's id."""
        return self._inner.name

    def classifiers(self) -> Sequence[Classifier]:
        """The wrapped provider's classifiers."""
        return self._inner.classifiers()

    def collect(self, fanout: FanOut) -> Iterator[Batch]:
        """Collect from the wrapped provider, cancelling ``fanout`` at the deadline."""
        timer = threading.Timer(max(0.0, self._deadline - time.monotonic()), fanout.cancel.set)
        timer.daemon = True
        timer.start()
        try:
            yield from self._inner.collect(fanout)
        finally:
            timer.cancel()


def _boto3() -> Any:
    try:
        import boto3
    except ImportError as exc:
        raise ProviderUnavailable("aws", "aws", "boto3") from exc
    return boto3


def _get(event: Mapping[str, Any], key: str, env: str, default: Any = None) -> Any:
    value = event.get(key)
    return value if value not in (None, "") else os.environ.get(env, default)


def _providers(raw: Any) -> list[dict[str, Any]]:
    if isinstance(raw, str):
        raw = json.loads(raw) if raw.strip().startswith("[") else raw.split(",")
    specs = [{"name": p.strip()} if isinstance(p, str) else dict(p) for p in raw or ["aws"]]
    if not all(s.get("name") for s in specs):
        raise ConfigurationError("every provider needs a name, e.g. {'name': 'aws'}")
    return specs


def load_config(event: Mapping[str, Any]) -> dict[str, Any]:
    """Merge the event with the environment and check it.

    Raises:
        ConfigurationError: no bucket, or a malformed value.
    """
    bucket = _get(event, "bucket", "CLOUDAUDIT_BUCKET")
    if not bucket:
        raise ConfigurationError("set the report bucket: event 'bucket' or CLOUDAUDIT_BUCKET")
    options = _get(event, "options", "CLOUDAUDIT_POLICY_OPTIONS", {})
    prefix = str(_get(event, "prefix", "CLOUDAUDIT_PREFIX", DEFAULT_PREFIX))
    return {
        "providers": _providers(_get(event, "providers", "CLOUDAUDIT_PROVIDERS")),
        "policy": str(_get(event, "policy", "CLOUDAUDIT_POLICY", "us-foreign-adversaries")),
        "options": json.loads(options) if isinstance(options, str) else dict(options),
        "bucket": str(bucket),
        "prefix": prefix if not prefix or prefix.endswith("/") else prefix + "/",
        "sns_topic_arn": _get(event, "sns_topic_arn", "CLOUDAUDIT_SNS_TOPIC_ARN"),
        "event_bus": _get(event, "event_bus", "CLOUDAUDIT_EVENT_BUS"),
        "safety_seconds": float(
            _get(event, "safety_seconds", "CLOUDAUDIT_SAFETY_SECONDS", DEFAULT_SAFETY_S)
        ),
    }


def _split_s3(uri: str) -> tuple[str, str]:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    if not bucket or not key:
        raise ConfigurationError(f"{uri!r} is not an s3://bucket/key URI")
    return bucket, key


def resolve_policy(name: str, options: Mapping[str, bool], s3: Any) -> Policy:
    """Load a built-in policy by name, or a policy file from an ``s3://`` URI."""
    if not name.startswith("s3://"):
        return load_policy(name, options=dict(options) or None)
    bucket, key = _split_s3(name)
    text = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
    raw = parse_policy_text(text, name, json_only=key.endswith(".json"))
    raw["options"] = {**raw.get("options", {}), **options}
    return policy_from_mapping(raw, source=name)


def default_factory(spec: Mapping[str, Any], session: Any) -> Provider:
    """Build a provider from its spec; only ``aws`` runs inside Lambda out of the box."""
    if spec["name"] != "aws":
        raise ConfigurationError(f"provider {spec['name']!r} is not supported in Lambda")
    from cloudaudit.providers.aws import AwsProvider

    provider: Provider = AwsProvider(
        session=session, regions=spec.get("regions"), services=spec.get("services")
    )
    return provider


def _previous(s3: Any, bucket: str, key: str) -> Report | None:
    try:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None
    return Report.from_json(body)


def _empty_like(report: Report) -> Report:
    return Report(
        tool_version=report.tool_version,
        policy_id=report.policy_id,
        policy_version=report.policy_version,
        started_at=report.started_at,
        finished_at=report.started_at,
    )


def _store(s3: Any, cfg: Mapping[str, Any], report: Report, drift: ReportDiff) -> dict[str, str]:
    stamp = report.started_at.strftime("%Y/%m/%d/%H%M%SZ")
    base = f"{report.policy_id}"
    keys = {
        "report": f"{cfg['prefix']}reports/{stamp}-{base}.json",
        "diff": f"{cfg['prefix']}diffs/{stamp}-{base}.json",
        "latest": f"{cfg['prefix']}latest.json",
    }
    body = report.to_json().encode()
    put = s3.put_object
    ctype = "application/json"
    put(Bucket=cfg["bucket"], Key=keys["report"], Body=body, ContentType=ctype)
    put(Bucket=cfg["bucket"], Key=keys["diff"], Body=drift.model_dump_json(indent=2).encode())
    put(Bucket=cfg["bucket"], Key=keys["latest"], Body=body, ContentType=ctype)
    return keys


def summarise(report: Report, drift: ReportDiff, keys: Mapping[str, str]) -> dict[str, Any]:
    """The handler's return value and the notification's body."""
    s = report.summary
    cancelled = sum(1 for g in report.coverage.gaps if g.code == "Cancelled")
    return {
        "policy": f"{report.policy_id}@{report.policy_version}",
        "started_at": report.started_at.isoformat(),
        "summary": s.model_dump(),
        "drift": drift.summary(),
        "new_violations": [f.resource.id for f in drift.new_violations][:50],
        "stopped_early": cancelled > 0,
        "not_reached": cancelled,
        "notify": drift.worse,
        "keys": dict(keys),
    }


def _notify(session: Any, cfg: Mapping[str, Any], summary: Mapping[str, Any]) -> list[str]:
    sent = []
    text = json.dumps(summary, indent=2)
    d = summary["drift"]
    subject = (
        f"cloudaudit {summary['policy']}: {d['new_violations']} new violation(s), "
        f"{d['newly_unknown']} newly unknown, {d['new_gaps']} new gap(s)"
    )[:100]
    if cfg.get("sns_topic_arn"):
        session.client("sns").publish(TopicArn=cfg["sns_topic_arn"], Subject=subject, Message=text)
        sent.append("sns")
    if cfg.get("event_bus"):
        entry = {
            "Source": "cloudaudit",
            "DetailType": "cloudaudit drift",
            "Detail": text,
            "EventBusName": cfg["event_bus"],
        }
        resp = session.client("events").put_events(Entries=[entry])
        if resp.get("FailedEntryCount"):
            raise RuntimeError(f"EventBridge refused the event: {resp['Entries']}")
        sent.append("events")
    return sent


def run(
    event: Mapping[str, Any],
    remaining_ms: Callable[[], int],
    *,
    session: Any = None,
    factory: ProviderFactory = default_factory,
) -> dict[str, Any]:
    """Run one scheduled audit (the handler's body, with its dependencies injected).

    Args:
        event: The Lambda event (see the module docstring for its keys).
        remaining_ms: Milliseconds left before the Lambda deadline.
        session: A ``boto3.Session``; a default one when None.
        factory: Builds a provider from one provider spec and the session.
    """
    cfg = load_config(event)
    session = session or _boto3().Session()
    s3 = session.client("s3")
    policy = resolve_policy(cfg["policy"], cfg["options"], s3)
    deadline = time.monotonic() + max(0.0, remaining_ms() / 1000 - cfg["safety_seconds"])
    providers = [DeadlineProvider(factory(spec, session), deadline) for spec in cfg["providers"]]
    report = audit(providers, policy)
    previous = _previous(s3, cfg["bucket"], f"{cfg['prefix']}latest.json")
    drift = diff(previous or _empty_like(report), report)
    keys = _store(s3, cfg, report, drift)
    summary = summarise(report, drift, keys)
    summary["notified"] = _notify(session, cfg, summary) if drift.worse else []
    return summary


def handler(event: Mapping[str, Any] | None, context: Any) -> dict[str, Any]:
    """AWS Lambda entry point: ``cloudaudit.aws_lambda.handler``.

    Returns the summary: counts, drift, the S3 keys written, whether it stopped early and
    which notifications were sent.
    """
    remaining: Callable[[], int] = getattr(
        context, "get_remaining_time_in_millis", lambda: 15 * 60 * 1000
    )
    return run(event or {}, remaining)
