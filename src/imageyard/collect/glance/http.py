"""The HTTP seam of the Glance collector: JSON GETs with bounded retries and a timeout.

Concepts: the collector only ever needs idempotent ``GET`` requests that return JSON, so the
seam is one method, ``GlanceHttp.get_json(path, params)``. A path is relative to the versioned
image endpoint (``/images``, ``/info/stores/detail``) or an absolute ``http(s)://`` URL (one
glance-api node's ``/v2/cache``). Every failure is a ``GlanceHttpError`` carrying the status
code (None when no response arrived) and whether the request timed out; callers turn it into
a gap. ``SdkGlanceHttp`` lets openstacksdk do what it is good at (clouds.yaml, ``OS_*``
variables, Keystone auth, the service catalog, version discovery) and then sends raw requests
through the connection's image adapter, so no SDK Resource objects are ever built. Server
errors (5xx), connection failures and timeouts are retried with exponential backoff, a few
times at most; client errors (4xx) are answers and are never retried.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from imageyard.errors import ImageyardError

_TAGS = re.compile(r"<[^>]*>")

JSON = Any
"""Whatever ``json.loads`` returns."""
Peek = Callable[[bytes], None]


class GlanceHttpError(Exception):
    """A GET that failed for good: an HTTP error status, a timeout or no connection."""

    def __init__(
        self,
        url: str,
        status: int | None,
        reason: str,
        *,
        timed_out: bool = False,
        retriable: bool | None = None,
    ) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.status = status
        self.reason = reason
        self.timed_out = timed_out
        # worth another try: 5xx, timeouts, no connection (not 4xx, not a bad endpoint)
        self.retriable = (status is None or status >= 500) if retriable is None else retriable

    @property
    def brief(self) -> str:
        """A short description for a gap: ``HTTP 403 Forbidden``, ``timed out`` ..."""
        if self.timed_out:
            return f"timed out ({self.reason})"
        if self.status is None:
            return self.reason
        return f"HTTP {self.status} {self.reason}".rstrip()


class GlanceHttp(Protocol):
    """JSON GETs against one Glance API."""

    def get_json(
        self, path: str, params: Mapping[str, str] | None = None, *, peek: Peek | None = None
    ) -> JSON:
        """GET ``path`` and return the decoded body; raise GlanceHttpError on failure.

        ``peek``, when given, sees the raw body of a successful response before it is decoded
        (the image list uses it to ask for the next page sooner).
        """
        ...


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to try one GET."""

    tries: int = 3
    backoff: float = 0.5  # seconds before the second try; doubled after each failure
    timeout: float = 60.0  # per request (connect and each read)

    def delays(self) -> tuple[float, ...]:
        """The pauses between tries."""
        return tuple(self.backoff * (2**i) for i in range(max(self.tries - 1, 0)))


class SdkGlanceHttp:
    """GlanceHttp over an openstacksdk connection's image adapter (a keystoneauth Adapter)."""

    def __init__(
        self,
        connection: Any,
        *,
        headers: Mapping[str, str] | None = None,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._connection = connection
        self._adapter: Any = None
        self._adapter_lock = threading.Lock()
        self._headers = dict(headers or {})
        self.policy = policy or RetryPolicy()
        self._sleep = sleep

    @classmethod
    def from_cloud(
        cls,
        cloud: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        policy: RetryPolicy | None = None,
    ) -> SdkGlanceHttp:
        """Use clouds.yaml entry ``cloud``, or ``OS_CLOUD`` / the ``OS_*`` variables."""
        import openstack
        from openstack import exceptions as sdk_exc

        try:
            conn = openstack.connect(cloud=cloud, load_envvars=True)
        except sdk_exc.SDKException as exc:
            where = f"cloud {cloud!r}" if cloud else "the OS_* environment"
            raise ImageyardError(
                f"cannot configure OpenStack access from {where}: {exc}",
                tip="check clouds.yaml, --os-cloud or the OS_* variables",
            ) from exc
        return cls(conn, headers=headers, policy=policy)

    @classmethod
    def from_endpoint(
        cls,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        policy: RetryPolicy | None = None,
    ) -> SdkGlanceHttp:
        """Talk to a Glance endpoint directly, without Keystone (``auth_type=none``).

        ``url`` is the unversioned root (``http://glance:9292``); version discovery finds v2.
        """
        from openstack import connection

        root = url.rstrip("/")
        conn = connection.Connection(auth_type="none", image_endpoint_override=root)
        return cls(conn, headers=headers, policy=policy)

    def get_json(
        self, path: str, params: Mapping[str, str] | None = None, *, peek: Peek | None = None
    ) -> JSON:
        delays = self.policy.delays()
        for attempt in range(len(delays) + 1):
            try:
                return self._get_once(path, params, peek)
            except GlanceHttpError as exc:
                if not exc.retriable or attempt == len(delays):
                    raise
                self._sleep(delays[attempt])
        raise AssertionError("unreachable")  # pragma: no cover

    def _get_once(self, path: str, params: Mapping[str, str] | None, peek: Peek | None) -> JSON:
        from keystoneauth1 import exceptions as ksa_exc
        from openstack import exceptions as sdk_exc

        try:
            response = self._image_adapter().get(
                path,
                params=dict(params) if params else None,
                headers=self._headers,
                timeout=self.policy.timeout,
                raise_exc=False,
                connect_retries=0,  # retries are ours (below), not keystoneauth's
                status_code_retries=0,
                stream=True,
            )
        except ksa_exc.ConnectTimeout as exc:
            raise GlanceHttpError(path, None, _one_line(exc), timed_out=True) from exc
        except ksa_exc.RetriableConnectionFailure as exc:
            raise GlanceHttpError(path, None, _one_line(exc)) from exc
        except (ksa_exc.ClientException, sdk_exc.SDKException) as exc:
            reason = f"{type(exc).__name__}: {_one_line(exc)}"
            raise GlanceHttpError(path, None, reason, retriable=False) from exc
        body = _read_body(path, response)
        if peek is not None and response.status_code < 400:
            peek(body)
        return _decode(path, response.status_code, response.reason, body)

    def _image_adapter(self) -> Any:
        """The image proxy; the first use authenticates and discovers the endpoint.

        The collector calls from several threads at once; openstacksdk builds a proxy (and
        runs version discovery) without a lock, so only one thread may do it.
        """
        if self._adapter is None:
            with self._adapter_lock:
                if self._adapter is None:
                    self._adapter = self._connection.image
        return self._adapter


def _read_body(path: str, response: Any) -> bytes:
    """The whole body in one read of the raw stream.

    Reading it in one call (instead of ``response.content``'s 10 KiB chunks) needs the GIL
    far less often, so a page arrives at full speed while another thread converts the last.
    """
    import requests
    import urllib3

    try:
        body: bytes = response.raw.read(decode_content=True)
    except (urllib3.exceptions.HTTPError, requests.RequestException, OSError) as exc:
        response.close()
        timed_out = isinstance(exc, urllib3.exceptions.TimeoutError | TimeoutError)
        raise GlanceHttpError(path, None, _one_line(exc), timed_out=timed_out) from exc
    response.raw.release_conn()  # fully read: the connection goes back to the pool
    return body


def _decode(path: str, status: int, reason: str | None, body: bytes) -> JSON:
    if status >= 400:
        raise GlanceHttpError(path, status, _error_text(status, reason, body))
    try:
        return json.loads(body)
    except ValueError as exc:
        raise GlanceHttpError(path, status, f"response is not JSON: {exc}") from exc


def _error_text(status: int, reason: str | None, body: bytes) -> str:
    """``Forbidden: You are not authorized ...`` from Glance's small HTML error page."""
    reason = reason or ""
    words = " ".join(_TAGS.sub(" ", body[:2000].decode("utf-8", "replace")).split())
    words = words.replace(f"{status} {reason}", "").strip()
    return f"{reason}: {words[:200]}" if words else reason


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:300]
