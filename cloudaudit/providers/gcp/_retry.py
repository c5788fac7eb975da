"""The retry policy of every Google call: transient errors with backoff, bounded in attempts."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

__all__ = ["AttemptsRetry", "default_retry"]


def default_retry(
    initial: float = 1.0,
    maximum: float = 32.0,
    timeout: float = 120.0,
    attempts: int | None = None,
) -> Any:
    """Retry policy for every call: 429, 500, 502, 503 and 504 with exponential backoff.

    A call that times out or whose connection fails is not retried (one silent call costs
    one connect and one read timeout).

    Args:
        initial: First delay in seconds (use 0 in tests).
        maximum: Longest delay in seconds.
        timeout: Give up after this many seconds; the unit then becomes a coverage gap.
        attempts: Also give up after this many attempts of one call (``None``: no limit).
    """
    from google.api_core import exceptions as gexc
    from google.api_core.retry import Retry, if_exception_type

    retry = Retry(
        predicate=if_exception_type(
            gexc.TooManyRequests,
            gexc.InternalServerError,
            gexc.BadGateway,
            gexc.ServiceUnavailable,
            gexc.GatewayTimeout,
        ),
        initial=initial,
        maximum=maximum,
        multiplier=2.0,
        timeout=timeout,
    )
    return retry if attempts is None else AttemptsRetry(retry, attempts)


class AttemptsRetry:
    """A ``google.api_core`` ``Retry`` that also stops after ``attempts`` attempts of a call.

    It is used where a ``Retry`` is (the client libraries call ``retry(func)``); each call
    counts its own attempts.
    """

    def __init__(self, retry: Any, attempts: int) -> None:
        self.retry = retry
        self.attempts = max(1, attempts)

    def __call__(self, func: Callable[..., Any], on_error: Any = None) -> Callable[..., Any]:
        """Wrap ``func`` in the retry, counting the attempts of each call separately."""

        @functools.wraps(func)
        def bounded(*args: Any, **kwargs: Any) -> Any:
            left = [self.attempts]

            def predicate(exc: BaseException) -> bool:
                left[0] -= 1
                return left[0] > 0 and bool(self.retry._predicate(exc))

            return self.retry.with_predicate(predicate)(func, on_error)(*args, **kwargs)

        return bounded
