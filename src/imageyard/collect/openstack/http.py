"""The OpenStack HTTP seam: one JSON GET, one typed error, bounded retries.

Concepts: collectors only ever need idempotent ``GET`` requests that return JSON, so the seam
is one method, ``JsonHttp.get_json(path, params, *, peek=None)``. A path is relative to one
service's versioned endpoint (``/images``, ``/servers/detail``) or an absolute ``http(s)://``
URL. ``peek``, when given, sees the raw body of a successful response before it is decoded
(Glance's image list uses it to ask for the next page sooner). Every failure is an
``HttpError`` saying what went wrong in a form a gap can carry: its ``kind`` (an HTTP error
``status``, a timeout, no connection, no endpoint in the catalog, unusable credentials, a
malformed body, any other client-side failure), the status code when a response arrived,
and a short one-line ``brief``. ``retriable`` is true for 5xx, timeouts and connection
failures, the cases where repeating an idempotent GET can help; 4xx answers, missing
endpoints and bad credentials are never retried. ``RetryPolicy`` bounds the repeats
(``attempts`` tries, exponential backoff capped at ``max_delay``) and the time one request
may take; the error that ends the tries records how many there were.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

JSON = Any
"""Whatever ``json.loads`` returns."""
JsonObject = Mapping[str, Any]
Params = Mapping[str, str | int]
Peek = Callable[[bytes], None]
_T = TypeVar("_T")


class Failure(enum.Enum):
    """What kind of failure an ``HttpError`` is."""

    STATUS = "status"  # the server answered with an error status
    TIMEOUT = "timeout"
    CONNECTION = "connection"  # refused, reset, DNS, TLS, or discovery that could not connect
    NO_ENDPOINT = "no-endpoint"  # the service is not in the catalog / not configured
    AUTH = "auth"  # credentials missing or unusable before any request was sent
    MALFORMED = "malformed"  # a 2xx answer whose body is not the JSON expected
    CLIENT = "client"  # any other client-side failure of the HTTP library


RETRIABLE_KINDS = frozenset({Failure.TIMEOUT, Failure.CONNECTION})

# What the HTTP libraries say of a connection they could not make, and the short cause a gap
# keeps (the first needle found in the library's message wins).
_CONNECT_CAUSES = (
    ("Connection refused", "connection refused"),
    ("Name or service not known", "DNS: cannot resolve the host"),
    ("Temporary failure in name resolution", "DNS: cannot resolve the host"),
    ("No route to host", "no route to host"),
    ("Network is unreachable", "network unreachable"),
    ("CERTIFICATE_VERIFY_FAILED", "TLS: certificate verification failed"),
    ("WRONG_VERSION_NUMBER", "TLS handshake failed; is it a plain http:// endpoint?"),
    ("timed out", "timed out"),
)


def connect_cause(text: str) -> str | None:
    """The short cause of a failed connection named in a library's ``text``, else None."""
    return next((cause for needle, cause in _CONNECT_CAUSES if needle in text), None)


class HttpError(Exception):
    """A GET that did not produce a usable JSON answer."""

    def __init__(
        self,
        message: str,
        *,
        kind: Failure,
        status: int | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.status = status
        self.reason = reason  # the HTTP reason phrase, when a response arrived
        self.attempts = 1  # how many tries ended in this error

    @property
    def timed_out(self) -> bool:
        """True when the request timed out."""
        return self.kind is Failure.TIMEOUT

    @property
    def retriable(self) -> bool:
        """True for 5xx, timeouts and connection failures."""
        if self.kind is Failure.STATUS:
            return self.status is not None and self.status >= 500
        return self.kind in RETRIABLE_KINDS

    @property
    def brief(self) -> str:
        """One line for a gap: ``HTTP 403 Forbidden: ...``, ``timeout: ...`` and so on."""
        if self.kind is Failure.STATUS:
            head = f"HTTP {self.status} {self.reason or ''}".rstrip()
            text = f"{head}: {self.message}" if self.message else head
        else:
            text = f"{self.kind.value}: {self.message}"
        return text if self.attempts == 1 else f"{text}; after {self.attempts} attempts"

    def __str__(self) -> str:
        return self.brief


class JsonHttp(Protocol):
    """JSON GETs against one service endpoint."""

    def get_json(
        self, path: str, params: Params | None = None, *, peek: Peek | None = None
    ) -> JSON:
        """GET ``path`` with query ``params`` and return the decoded body; raise ``HttpError``.

        ``peek``, when given, sees the raw body of a successful response before it is decoded.
        """
        ...


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to try one GET.

    Retry ``n`` (0 for the first) waits ``base_delay * 2**n`` seconds, at most ``max_delay``.
    ``timeout`` bounds each request (connect and each read); None leaves it to the
    connection (``connect(timeout=...)``).
    """

    attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 8.0
    timeout: float | tuple[float, float] | None = None  # seconds, or (connect, read)
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False, repr=False)

    def delay(self, retry: int) -> float:
        """Seconds to wait before retry number ``retry`` (0 for the first retry)."""
        return float(min(self.max_delay, self.base_delay * (2**retry)))

    def delays(self) -> tuple[float, ...]:
        """The pauses between the tries."""
        return tuple(self.delay(n) for n in range(max(self.attempts - 1, 0)))

    def run(self, attempt: Callable[[], _T]) -> _T:
        """``attempt()`` repeated on retriable ``HttpError``; the last error is re-raised."""
        tries = max(1, self.attempts)
        for tried in range(1, tries + 1):
            try:
                return attempt()
            except HttpError as exc:
                if not exc.retriable or tried == tries:
                    exc.attempts = tried
                    raise
                self.sleep(self.delay(tried - 1))
        raise AssertionError("unreachable")  # pragma: no cover


def get_with_retry(http: JsonHttp, path: str, params: Params | None, policy: RetryPolicy) -> JSON:
    """``http.get_json`` under ``policy``, for a ``JsonHttp`` that does not retry by itself."""
    return policy.run(lambda: http.get_json(path, params))
