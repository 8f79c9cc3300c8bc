"""The HTTP seam of the usage collectors: one JSON GET, a typed error, bounded retries.

Concepts: collectors talk to Nova and Cinder only through ``JsonHttp.get_json(path,
params)``, which returns the decoded JSON object or raises ``HttpError``. The error says
what went wrong in a form a gap can carry: an HTTP ``status`` (401, 403, 500 ...), a
``timed_out`` or connection failure, a missing endpoint (the service is not in the catalog)
or a malformed body. ``retryable`` is true for 5xx, timeouts and connection failures, the
cases where repeating an idempotent GET can help; ``get_with_retry`` repeats those with
bounded exponential backoff and gives up after ``RetryPolicy.attempts`` tries.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

JsonObject = Mapping[str, Any]
Params = Mapping[str, str | int]


class Failure(enum.Enum):
    """What kind of failure an ``HttpError`` is."""

    STATUS = "status"  # the server answered with an error status
    TIMEOUT = "timeout"
    CONNECTION = "connection"  # refused, reset, DNS, TLS, or discovery that could not connect
    NO_ENDPOINT = "no-endpoint"  # the service is not in the catalog / not configured
    AUTH = "auth"  # credentials missing or unusable before any request was sent
    MALFORMED = "malformed"  # a 2xx answer whose body is not the expected JSON object
    CLIENT = "client"  # any other client-side failure of the HTTP library


RETRYABLE_KINDS = frozenset({Failure.TIMEOUT, Failure.CONNECTION})


class HttpError(Exception):
    """A GET that did not produce a usable JSON object."""

    def __init__(self, message: str, *, kind: Failure, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.status = status

    @property
    def timed_out(self) -> bool:
        """True when the request timed out."""
        return self.kind is Failure.TIMEOUT

    @property
    def retryable(self) -> bool:
        """True for 5xx, timeouts and connection failures."""
        if self.kind is Failure.STATUS:
            return self.status is not None and self.status >= 500
        return self.kind in RETRYABLE_KINDS

    def describe(self) -> str:
        """One line for a Gap: the status or kind, then the message."""
        if self.kind is Failure.STATUS and self.status is not None:
            return f"HTTP {self.status}: {self.message}"
        return f"{self.kind.value}: {self.message}"


class JsonHttp(Protocol):
    """Issues GETs relative to one service endpoint and decodes JSON objects."""

    def get_json(self, path: str, params: Params) -> JsonObject:
        """GET ``path`` with query ``params``; raise ``HttpError`` on any failure."""
        ...


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff: ``base_delay * 2**n`` seconds, at most ``max_delay``."""

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    def delay(self, retry: int) -> float:
        """Seconds to wait before retry number ``retry`` (0 for the first retry)."""
        return float(min(self.max_delay, self.base_delay * (2**retry)))


NO_RETRY = RetryPolicy(attempts=1)


def get_with_retry(http: JsonHttp, path: str, params: Params, policy: RetryPolicy) -> JsonObject:
    """``http.get_json`` repeated on retryable errors; the last error is re-raised."""
    attempts = max(1, policy.attempts)
    for attempt in range(attempts):
        try:
            return http.get_json(path, params)
        except HttpError as exc:
            if not exc.retryable or attempt == attempts - 1:
                if attempt:
                    exc.message = f"{exc.message} (after {attempt + 1} attempts)"
                raise
            policy.sleep(policy.delay(attempt))
    raise AssertionError("unreachable")  # pragma: no cover
