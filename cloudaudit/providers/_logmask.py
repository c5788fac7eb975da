"""Credential masking in log records while an audit runs.

botocore logs signed headers at DEBUG, google-auth logs token responses and azure-core logs
request headers; a caller who turns DEBUG on must still never see a credential. While at
least one :func:`masking_logs` block is open, every new log record is rewritten through
:func:`~cloudaudit.providers._redact.redact` with the secrets known *at that moment*, so
credentials learnt during the run (assumed roles, refreshed tokens) are masked as soon as
they are declared. The record factory is the one hook that also covers loggers created
after the block opened and handlers added by the caller.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from cloudaudit.providers._redact import redact

__all__ = ["masking_logs"]

SecretSource = Callable[[], Sequence[str]]

# Loggers of the cloud SDKs and their HTTP stacks: their records also get pattern masking.
_SDK_ROOTS = frozenset(
    {
        "botocore",
        "boto3",
        "s3transfer",
        "urllib3",
        "requests",
        "httpx",
        "google",
        "google_auth_httplib2",
        "azure",
        "msal",
        "alibabacloud",
        "aliyunsdkcore",
    }
)

_lock = threading.Lock()
_sources: list[SecretSource] = []
_previous: Callable[..., logging.LogRecord] | None = None


def _secrets() -> list[str]:
    with _lock:
        sources = list(_sources)
    return [s for source in sources for s in source()]


def _mask(record: logging.LogRecord) -> None:
    secrets = _secrets()
    sdk = record.name.split(".", 1)[0] in _SDK_ROOTS
    if not secrets and not sdk:
        return
    try:
        message = record.getMessage()
    except (TypeError, ValueError):  # a bad format string: the handler reports it as usual
        return
    masked = redact(message, secrets) if sdk else _replace(message, secrets)
    if masked != message:
        record.msg, record.args = masked, None
    if record.exc_info and not record.exc_text:
        text = logging.Formatter().formatException(record.exc_info)
        record.exc_text = redact(text, secrets) if sdk else _replace(text, secrets)


def _replace(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def _factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    assert _previous is not None
    record = _previous(*args, **kwargs)
    _mask(record)
    return record


@contextmanager
def masking_logs(secrets: SecretSource) -> Iterator[None]:
    """Mask ``secrets()`` (read at each record) in every log record made inside the block.

    Blocks nest and may be open on several threads; the record factory is restored when
    the last one closes (unless someone replaced it meanwhile).
    """
    global _previous
    with _lock:
        if not _sources:
            _previous = logging.getLogRecordFactory()
            logging.setLogRecordFactory(_factory)
        _sources.append(secrets)
    try:
        yield
    finally:
        with _lock:
            _sources.remove(secrets)
            if not _sources and logging.getLogRecordFactory() is _factory:
                assert _previous is not None
                logging.setLogRecordFactory(_previous)
