"""The Lambda's configuration: a typed event, merged with environment variables.

Every key may come from the event or, when the event lacks it, from an environment variable
(``CLOUDAUDIT_<KEY>``). An EventBridge scheduled event (``"source": "aws.events"``) is an
envelope: its ``detail`` is read as the event. A value of the wrong type is a
:class:`~cloudaudit.errors.ConfigurationError` naming the key, where it came from, and the fix.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cloudaudit.errors import ConfigurationError

__all__ = ["ENV", "LambdaEvent", "ProviderSpec", "parse_event"]

#: event key -> environment variable that supplies it when the event does not
ENV = {
    "providers": "CLOUDAUDIT_PROVIDERS",
    "policy": "CLOUDAUDIT_POLICY",
    "options": "CLOUDAUDIT_POLICY_OPTIONS",
    "bucket": "CLOUDAUDIT_BUCKET",
    "prefix": "CLOUDAUDIT_PREFIX",
    "sns_topic_arn": "CLOUDAUDIT_SNS_TOPIC_ARN",
    "event_bus": "CLOUDAUDIT_EVENT_BUS",
    "safety_seconds": "CLOUDAUDIT_SAFETY_SECONDS",
    "security_hub": "CLOUDAUDIT_SECURITY_HUB",
    "security_hub_region": "CLOUDAUDIT_SECURITY_HUB_REGION",
}
_JSON_ENV = ("providers", "options")
_ENVELOPE = ("version", "id", "detail-type", "source", "account", "time", "region", "resources")


class ProviderSpec(BaseModel):
    """One provider to audit: its registry name, and keyword arguments for its constructor.

    Example: ``{"name": "gcp", "organization": "123"}``, ``{"name": "aws", "regions":
    ["eu-west-1"], "services": ["s3"]}``, ``{"name": "azure", "management_group": "mg"}``.
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    name: str = Field(min_length=1)

    @property
    def arguments(self) -> dict[str, Any]:
        """The keyword arguments for the provider (every key but ``name``)."""
        return dict(self.model_extra or {})


class LambdaEvent(BaseModel):
    """What one scheduled run does (see docs/deploy/lambda.md for each key)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    providers: tuple[ProviderSpec, ...] = Field(default=(ProviderSpec(name="aws"),), min_length=1)
    policy: str = Field(default="us-foreign-adversaries", min_length=1)
    options: dict[str, bool] = Field(default_factory=dict)
    bucket: str = Field(min_length=3, max_length=63)
    prefix: str = "cloudaudit/"
    sns_topic_arn: str | None = None
    event_bus: str | None = None
    safety_seconds: float = Field(default=30.0, ge=0, le=900)
    security_hub: bool = False
    security_hub_region: str | None = None

    @field_validator("providers", mode="before")
    @classmethod
    def _names(cls, value: Any) -> Any:
        """Accept ``"aws,gcp"`` and ``["aws", {"name": "gcp", ...}]``."""
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if isinstance(value, list | tuple):
            return [{"name": v} if isinstance(v, str) else v for v in value]
        return value

    @field_validator("prefix")
    @classmethod
    def _slash(cls, value: str) -> str:
        return value if not value or value.endswith("/") else value + "/"


def _unwrap(event: Mapping[str, Any]) -> dict[str, Any]:
    """The event itself, or the ``detail`` of an EventBridge envelope."""
    if event.get("source") == "aws.events" or "detail-type" in event:
        detail = event.get("detail")
        return dict(detail) if isinstance(detail, Mapping) else {}
    return dict(event)


def _from_env(key: str) -> tuple[Any, str] | None:
    raw = os.environ.get(ENV[key], "")
    if raw == "":
        return None
    if key in _JSON_ENV and raw.lstrip().startswith(("[", "{")):
        try:
            return json.loads(raw), ENV[key]
        except json.JSONDecodeError as exc:
            raise ConfigurationError(
                f"{ENV[key]}: not valid JSON ({exc.msg} at character {exc.pos}); "
                f"write a JSON {'list' if key == 'providers' else 'object'}"
            ) from None
    return raw, ENV[key]


def _describe(err: Any, sources: Mapping[str, str]) -> str:
    loc = [str(p) for p in err["loc"]]
    where = sources.get(loc[0], "event") if loc else "event"
    field = ".".join(loc) or "(event)"
    given = err.get("input")
    shown = "" if isinstance(given, dict | list) else f" (got {given!r})"
    return f"  - {field} from the {where}: {err['msg']}{shown}"


def parse_event(event: Mapping[str, Any] | None) -> LambdaEvent:
    """Merge the event with the environment and validate it.

    Raises:
        ConfigurationError: a key is missing or ill-typed; the message names each such key,
            whether it came from the event or an environment variable, and the problem.
    """
    if event is not None and not isinstance(event, Mapping):
        raise ConfigurationError(
            f"Lambda event: expected a JSON object, got {type(event).__name__}"
        )
    data = _unwrap(event or {})
    sources: dict[str, str] = {}
    for key in ENV:
        if data.get(key) in (None, ""):
            data.pop(key, None)
            found = _from_env(key)
            if found is not None:
                data[key], sources[key] = found[0], f"environment variable {found[1]}"
    try:
        return LambdaEvent.model_validate(data)
    except ValidationError as exc:
        lines = [_describe(e, sources) for e in exc.errors()]
        hint = (
            "set the report bucket with the event key 'bucket' or CLOUDAUDIT_BUCKET"
            if any(e["loc"] == ("bucket",) for e in exc.errors())
            else f"see the keys in docs/deploy/lambda.md ({', '.join(ENV)})"
        )
        raise ConfigurationError(
            "invalid Lambda configuration:\n" + "\n".join(lines) + f"\nFix: {hint}."
        ) from None
