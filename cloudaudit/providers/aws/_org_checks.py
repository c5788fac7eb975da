"""The arguments of an organization audit, checked before any call (AWS's own constraints).

Each check raises a :class:`~cloudaudit.errors.ConfigurationError` that names the argument (and
its command-line flag) and the fix. What ``sts:AssumeRole`` would refuse in every account (a
session name with a space, a one-character external id, a duration out of range) is refused
here, once, instead of becoming one gap per account; a value of the wrong type (a Lambda
event's ``"duration": "3600"``, ``"include_management": "no"``) is refused instead of being
read as something else.

The constraints are those of the IAM and STS API references: a role name is 1 to 64 of
letters, digits and ``+=,.@_-`` (after an optional path of printable ASCII characters), a
``RoleSessionName`` 2 to 64 of the same, an ``ExternalId`` 2 to 1,224 of those and ``:/``,
and ``DurationSeconds`` 900 to 43,200.
"""

from __future__ import annotations

import re
from typing import Any

from cloudaudit.errors import ConfigurationError
from cloudaudit.providers.aws._partitions import region_name_error

__all__ = [
    "check_bool",
    "check_duration",
    "check_external_id",
    "check_http",
    "check_int",
    "check_number",
    "check_parents",
    "check_region",
    "check_role",
    "check_session_name",
]

_ROLE_NAME = re.compile(r"[A-Za-z0-9_+=,.@-]{1,64}")
_ROLE_PATH = re.compile(r"[\x21-\x7e]{1,510}")
_SESSION = re.compile(r"[A-Za-z0-9_+=,.@-]{2,64}")
_EXTERNAL_ID = re.compile(r"[A-Za-z0-9_+=,.@:/-]{2,1224}")
_PARENT = re.compile(r"r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}")
_ROLE_ARN = re.compile(r"arn:[\w-]+:iam::\d{12}:role/(?P<role>.+)")
MIN_DURATION, MAX_DURATION = 900, 43_200


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def check_role(role: Any) -> str:
    """The role to assume in each account: a name, with its IAM path if it has one.

    Raises:
        ConfigurationError: not a string, blank, an ARN (the account is each member's own), or
            not an IAM role name.
    """
    where = "role_name (--role)"
    if not isinstance(role, str):
        raise ConfigurationError(
            f"{where}: {_shown(role)} is not a role name; give the role's name as a string "
            '(e.g. "CloudauditReadOnly")'
        )
    name = role.strip()
    if not name:
        raise ConfigurationError("an organization audit needs a role name (--role NAME)")
    arn = _ROLE_ARN.fullmatch(name)
    if arn is not None:
        raise ConfigurationError(
            f"{where}: {_shown(name)} is a role ARN; give the role's name (with its path, if "
            f"any): {arn.group('role')!r}. The same role is assumed in every account, each "
            "through its own ARN, arn:PARTITION:iam::ACCOUNT:role/NAME"
        )
    path, _, last = name.strip("/").rpartition("/")
    if not _ROLE_NAME.fullmatch(last) or (path and not _ROLE_PATH.fullmatch(path)):
        raise ConfigurationError(
            f"{where}: {_shown(name)} is not an IAM role name; a role name is 1 to 64 of "
            "letters, digits and + = , . @ _ - (after an optional path such as ops/, no "
            "spaces): use the name the role has in IAM"
        )
    return name


def check_session_name(value: Any) -> str:
    """The ``RoleSessionName``: 2 to 64 of letters, digits and ``+=,.@_-``.

    Raises:
        ConfigurationError: not such a string.
    """
    if not isinstance(value, str) or not _SESSION.fullmatch(value):
        raise ConfigurationError(
            f"session_name (--session-name): {_shown(value)} is not a valid RoleSessionName; "
            "use 2 to 64 of letters, digits and + = , . @ _ - (no spaces), e.g. "
            '"cloudaudit-nightly"'
        )
    return value


def check_external_id(value: Any) -> str | None:
    """The ``ExternalId``, or ``None``: 2 to 1,224 of letters, digits and ``+=,.@:/_-``.

    Raises:
        ConfigurationError: not ``None`` and not such a string.
    """
    if value is None:
        return None
    if not isinstance(value, str) or not _EXTERNAL_ID.fullmatch(value):
        raise ConfigurationError(
            f"external_id (--external-id): {_shown(value)} is not a valid ExternalId; use the "
            "string the role's trust policy names: 2 to 1,224 of letters, digits and "
            "+ = , . @ : / _ - (no spaces)"
        )
    return value


def check_duration(value: Any) -> int:
    """``DurationSeconds``: an integer from 900 to 43,200.

    Raises:
        ConfigurationError: not an integer, or out of that range.
    """
    seconds = check_int(value, "duration (--role-duration)", "seconds, e.g. 3600")
    if not MIN_DURATION <= seconds <= MAX_DURATION:
        raise ConfigurationError(
            f"duration (--role-duration): {seconds} seconds is outside what sts:AssumeRole "
            f"accepts; give {MIN_DURATION} to {MAX_DURATION} (and at most the role's maximum "
            "session duration)"
        )
    return seconds


def check_bool(value: Any, argument: str) -> bool:
    """``value`` if it is a boolean (a Lambda event's ``true``/``false``, not a string).

    Raises:
        ConfigurationError: anything else (``"no"`` would read as true).
    """
    if not isinstance(value, bool):
        raise ConfigurationError(
            f"{argument}: {_shown(value)} is not a boolean; write true or false (in JSON, "
            "without quotes)"
        )
    return value


def check_int(value: Any, argument: str, example: str, minimum: int = 1) -> int:
    """``value`` if it is an integer of at least ``minimum`` (not a string, not a boolean).

    Raises:
        ConfigurationError: anything else.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigurationError(
            f"{argument}: {_shown(value)} is not an integer; write a number of {example} (in "
            "JSON, without quotes)"
        )
    if value < minimum:
        raise ConfigurationError(f"{argument}: {value} is below {minimum}; give {example}")
    return value


def check_number(value: Any, argument: str) -> float:
    """``value`` if it is a positive number of seconds (not a string, not a boolean).

    Raises:
        ConfigurationError: anything else.
    """
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ConfigurationError(
            f"{argument}: {_shown(value)} is not a positive number of seconds; write a number "
            "such as 20 (in JSON, without quotes)"
        )
    return float(value)


def check_http(http: dict[str, Any]) -> dict[str, Any]:
    """The per-call bounds (``connect_timeout``, ``read_timeout``, ``max_attempts``) checked.

    Raises:
        ConfigurationError: a timeout that is not a positive number, or attempts that are not
            a positive integer.
    """
    out = dict(http)
    for key in ("connect_timeout", "read_timeout"):
        if key in out:
            out[key] = check_number(out[key], f"{key} (--{key.replace('_', '-')})")
    if "max_attempts" in out:
        out["max_attempts"] = check_int(
            out["max_attempts"], "max_attempts (--max-attempts)", "attempts, e.g. 5"
        )
    return out


def check_region(value: Any, argument: str) -> str | None:
    """``value`` if it is ``None`` or a region name.

    Raises:
        ConfigurationError: anything else.
    """
    if value is None:
        return None
    problem = region_name_error(value) if isinstance(value, str) else "not a string"
    if problem is not None:
        raise ConfigurationError(f"{argument}: {_shown(value)}: {problem}")
    return str(value)


def check_parents(ids: tuple[str, ...]) -> tuple[str, ...]:
    """OU and root ids as Organizations writes them (``ou-ab12-cd34ef56``, ``r-ab12``).

    Raises:
        ConfigurationError: an id of another shape (an OU's name, an ARN...).
    """
    for parent in ids:
        if not _PARENT.fullmatch(parent):
            raise ConfigurationError(
                f"ous (--ou): {_shown(parent)} is not an OU or root id; give the id "
                "Organizations shows (ou-ab12-cd34ef56, or r-ab12 for the root), not a name "
                "or an ARN"
            )
    return ids
