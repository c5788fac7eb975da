"""Credential masking: every message that leaves an audit passes through :func:`redact`.

Gap messages are built from SDK errors, which may quote a key, a token or a signed URL. The
fan-out masks them with the secrets the providers declare (:meth:`Provider.secrets`) and with
patterns that catch credentials nobody declared.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["redact"]

_ACCESS_KEY = re.compile(
    r"(?<![A-Z0-9])(?:AKIA|ASIA|AIDA|AROA|LTAI)[A-Za-z0-9]{12,28}(?![A-Za-z0-9])"
)
# ``(?<![A-Za-z0-9])`` rather than ``\b``: ``client_secret=`` and ``access_token=`` (form and
# query fields) have an underscore before the word, which ``\b`` does not see as a boundary.
_KEY_VALUE = re.compile(
    r"(?i)(?<![A-Za-z0-9])(secret|token|password|signature|credential|sig|key)"
    r"(=|\"?:\s*\"?)([^&\s\",]+)"
)
# A header line (``Authorization: ...``), a query field (``X-Amz-Security-Token=...``) or the
# repr of a header dict, as botocore logs a request at DEBUG
# (``'X-Amz-Security-Token': b'...'``): the value runs to the end of the line or the quote.
_AUTH_HEADER = re.compile(
    r"(?i)\b(authorization|x-amz-security-token)(['\"]?(?::\s*|=)(?:b?['\"])?)([^'\"\r\n]+)"
)
_BEARER = re.compile(r"(?i)\b(bearer)(\s+)[A-Za-z0-9._~+/=-]{8,}")
_GOOGLE_TOKEN = re.compile(r"\bya29\.[A-Za-z0-9._-]+")
# A credential field of an XML or JSON body (STS AssumeRole answers, OAuth token answers).
_XML_FIELD = re.compile(r"(?i)(<(\w*(?:secret\w*|token|password))>)[^<]+(</\2>)")
_JSON_FIELD = re.compile(r"(?i)(\"\w*(?:secret\w*|token|password)\"\s*:\s*\")[^\"]+(\")")
_PEM = re.compile(r"-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Mask credentials in ``text``: known secrets, access key ids, tokens and signatures."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    text = _PEM.sub("***", text)
    text = _XML_FIELD.sub(lambda m: f"{m.group(1)}***{m.group(3)}", text)
    text = _JSON_FIELD.sub(lambda m: f"{m.group(1)}***{m.group(2)}", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
    text = _GOOGLE_TOKEN.sub("***", text)
    text = _AUTH_HEADER.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
    text = _KEY_VALUE.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
    return _ACCESS_KEY.sub("***", text)
