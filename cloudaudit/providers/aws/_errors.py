"""Turn botocore exceptions into ``(error_code, message)`` for coverage gaps."""

from __future__ import annotations

import functools

from cloudaudit.providers._calls import CALL, note_call

__all__ = ["RegionRefused", "answer_failures", "classify"]

_TIMEOUTS = ("ConnectTimeoutError", "ReadTimeoutError", "ConnectTimeout", "ReadTimeout")
_UNREACHABLE = ("EndpointConnectionError", "ConnectionClosedError", "ProxyConnectionError")


class RegionRefused(Exception):
    """A region that is not opted in refused the provider's probe call.

    Also a region asked for that ``ec2:DescribeRegions`` does not list and whose probe failed
    (a misspelt name, most often): then ``unlisted`` says so and names the closest listed
    regions.

    Attributes:
        region: The refused region.
        code: The AWS error code of the refusal (``OptInRequired``, ``AuthFailure``...).
        detail: The AWS error message.
        unlisted: For a region DescribeRegions does not list: the closest listed names,
            ``()`` when none is close; ``None`` for a listed region.
    """

    def __init__(
        self, region: str, code: str, detail: str, unlisted: tuple[str, ...] | None = None
    ) -> None:
        self.region = region
        self.code = code
        self.detail = detail
        self.unlisted = unlisted
        super().__init__(f"{region}: {code}: {detail}")

    def describe(self) -> str:
        """The gap's message."""
        if self.unlisted is None:
            return (
                f"region {self.region} is not opted in and refused the probe call "
                f"ec2:DescribeAvailabilityZones: {self.detail}"
            )
        hint = f" (did you mean {' or '.join(self.unlisted)}?)" if self.unlisted else ""
        return (
            f"region {self.region} is not one ec2:DescribeRegions lists for this account{hint}, "
            f"and its probe call ec2:DescribeAvailabilityZones failed: {self.detail}"
        )


@functools.cache
def answer_failures() -> tuple[type[Exception], ...]:
    """What a call raises when it got no usable answer, for the places that fall back.

    Refused (``ClientError``), not reached or timed out (``BotoCoreError``), an answer botocore
    could not parse (``ResponseParserError``, which is no ``BotoCoreError``) or one the answer
    checks refused (:class:`~cloudaudit.providers._answers.MalformedResponse`). A fallback that
    caught only the first two let the others end the whole provider.
    """
    from botocore.exceptions import BotoCoreError, ClientError
    from botocore.parsers import ResponseParserError

    from cloudaudit.providers._answers import MalformedResponse

    return (BotoCoreError, ClientError, ResponseParserError, MalformedResponse)


def classify(exc: BaseException) -> tuple[str, str] | None:
    """Map a botocore exception to ``(code, message)``; ``None`` when it is not one.

    Args:
        exc: The exception a unit of work raised.

    Returns:
        ``ClientError`` gives the AWS ``Error.Code`` and ``Error.Message``; timeouts give
        ``Timeout``; unreachable endpoints ``EndpointConnectionError``; missing credentials
        ``NoCredentials``.
    """
    if type(exc).__name__ == "PaginationError" and getattr(exc, CALL, None) is None:
        call = _paged_call(exc)
        if call is not None:
            note_call(exc, call)
    return _classify(exc)


def _paged_call(exc: BaseException) -> str | None:
    """The call a botocore paginator was paging when it gave up (a token repeated, say).

    botocore's error does not name it; its page iterator, in the traceback, holds the client
    method it calls.
    """
    tb = exc.__traceback__
    while tb is not None:
        pager = tb.tb_frame.f_locals.get("self")
        method = getattr(pager, "_method", None)
        client = getattr(method, "__self__", None)
        meta = getattr(client, "meta", None)
        if meta is not None:
            operation = meta.method_to_api_mapping.get(getattr(method, "__name__", ""))
            if operation:
                return f"{meta.service_model.service_name}:{operation}"
        tb = tb.tb_next
    return None


def _classify(exc: BaseException) -> tuple[str, str] | None:
    if isinstance(exc, RegionRefused):
        return exc.code, exc.describe()
    names = {cls.__name__ for cls in type(exc).__mro__}
    if "ClientError" in names:
        response = getattr(exc, "response", None) or {}
        error = response.get("Error", {}) if isinstance(response, dict) else {}
        code = str(error.get("Code") or "ClientError")
        message = str(error.get("Message") or exc)
        return code, message
    if names & set(_TIMEOUTS):
        return "Timeout", str(exc)
    if names & set(_UNREACHABLE):
        return "EndpointConnectionError", str(exc)
    if "NoCredentialsError" in names or "PartialCredentialsError" in names:
        return "NoCredentials", "no AWS credentials found in the standard chain"
    if "NoRegionError" in names:
        return "NoRegion", str(exc)
    if "ResponseParserError" in names:
        return "MalformedResponse", _unparsed(str(exc))
    if "BotoCoreError" in names:
        return type(exc).__name__, str(exc)
    return None


def _unparsed(text: str) -> str:
    """The message botocore gives an answer it could not parse, as one readable line.

    It is ``Unable to parse response (...), invalid XML received. Further retries may
    succeed:`` and, on the next line, the body as a bytes literal (``b'<html>...'``).
    """
    head, _, body = text.partition("\n")
    head = head.replace(" Further retries may succeed:", "").rstrip(" .:")
    if len(body) > 2 and body[:2] in ("b'", 'b"'):
        body = body[2:-1] if body[-1] == body[1] else body[2:]
    body = " ".join(body.replace("\\n", " ").replace("\\t", " ").split())[:200]
    return f"the answer could not be parsed: {head}" + (f"; it began: {body}" if body else "")
