"""GETs sent straight on a connection pool, for the one service a collector reads at length.

Concepts: a keystoneauth request costs about a millisecond of client CPU beyond the HTTP
exchange itself (endpoint filters, logging, header merging, the environment's proxy settings
looked up again each time). Glance's listing with members sends one request per shared
image, tens of thousands in a large cloud, so that millisecond competes with the server for
the same cores. ``DirectGet`` keeps what keystoneauth decides and drops the per-request cost:
the versioned endpoint comes from keystoneauth's discovery and the token from its auth
plugin (renewed by the plugin when it expires, asked again on each request); the connection
pool is one like requests would use for that endpoint, built once by requests' own adapter
from the keystoneauth session's TLS settings and the environment (``verify``, ``cert``,
``REQUESTS_CA_BUNDLE``) but keeping as many connections as the collector has GETs in flight
(``POOL_SIZE``); each GET is then one urllib3 ``urlopen``, or, on a plain ``http``
endpoint, one exchange on a socket of ``wire``'s (about 0.35 ms of client CPU per GET on
loopback against 0.6 ms; what it does not take, such as a compressed body, goes by
urllib3). An endpoint reached through a proxy is not sent directly (``usable`` is False)
and keeps keystoneauth's path.
A 401 (a token revoked early) or a redirect answers ``None``, and the caller repeats that
request through keystoneauth, which re-authenticates or follows it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
import urllib3

from imageyard.collect.openstack.http import Failure, HttpError, Params, connect_cause
from imageyard.collect.openstack.wire import Answer, Unsupported, Wire

_FALLBACK = frozenset({301, 302, 303, 307, 308, 401})
# connections kept for reuse: requests' adapters keep ten, and a connection returned to a full
# pool is closed, so against a keep-alive endpoint every GET beyond ten at once would open a
# new connection (a TLS handshake for both sides); the Glance collector has up to 12 list
# pages, 16 per-image requests and 2 info requests in flight
POOL_SIZE = 32


__all__ = ["POOL_SIZE", "Answer", "DirectGet"]


class DirectGet:
    """GETs of one keystoneauth Adapter's service, sent on a pool of their own."""

    def __init__(self, adapter: Any, timeout: Any, headers: Mapping[str, str]) -> None:
        self._adapter = adapter
        self.endpoint = str(adapter.get_endpoint()).rstrip("/")  # auth and discovery
        session = adapter.session
        settings = session.session.merge_environment_settings(
            self.endpoint, {}, None, session.verify, session.cert
        )
        self._pool = _pool(session.session, self.endpoint, settings)
        proxied = requests.utils.select_proxy(self.endpoint, settings["proxies"])
        self.usable = self._pool is not None and not proxied
        self._prefix = urlsplit(self.endpoint).path  # requests are sent in origin form
        self._headers = {"Accept": "application/json", **headers}
        seconds = _seconds(timeout if timeout is not None else session.timeout)
        self._timeout = urllib3.Timeout(connect=seconds[0], read=seconds[1])
        self._wire = _wire(self.endpoint, seconds) if self.usable else None

    def get(self, path: str, params: Params | None) -> Answer | None:
        """The answer to ``GET <endpoint><path>?<params>``; None: ask keystoneauth instead."""
        url = self._prefix + path + (f"?{urlencode(params)}" if params else "")
        headers = {**self._headers, "X-Auth-Token": str(self._adapter.get_token())}
        answer = self._by_wire(url, headers) if self._wire is not None else None
        if answer is None:
            answer = self._by_pool(url, headers)
        return None if answer.status in _FALLBACK else answer

    def _by_wire(self, url: str, headers: dict[str, str]) -> Answer | None:
        """The answer on a plain socket; None: one ``wire`` does not take, ask urllib3."""
        assert self._wire is not None
        try:
            return self._wire.get(url, headers)
        except Unsupported:
            return None
        except OSError as exc:
            raise _wire_failure(self.endpoint, exc) from exc

    def _by_pool(self, url: str, headers: dict[str, str]) -> Answer:
        try:
            response = self._pool.urlopen(
                "GET", url, headers=headers, retries=False, redirect=False,
                preload_content=False, timeout=self._timeout,
            )  # fmt: skip
            try:
                body = response.read(decode_content=True)
            finally:
                response.release_conn()
        except urllib3.exceptions.HTTPError as exc:
            raise _failure(self.endpoint, exc) from exc
        return Answer(response.status, response.reason or None, body)


def _pool(session: requests.Session, endpoint: str, settings: dict[str, Any]) -> Any:
    """The urllib3 pool requests would send ``endpoint``'s requests on, keeping up to
    ``POOL_SIZE`` connections (None: a transport adapter of another kind is mounted there)."""
    adapter = session.get_adapter(endpoint)
    if not isinstance(adapter, requests.adapters.HTTPAdapter):
        return None
    request = requests.Request("GET", endpoint).prepare()
    if requests.utils.select_proxy(endpoint, settings["proxies"]):  # not sent directly
        return adapter.get_connection_with_tls_context(
            request, settings["verify"], settings["proxies"], settings["cert"]
        )
    host, kwargs = adapter.build_connection_pool_key_attributes(
        request, settings["verify"], settings["cert"]
    )
    return adapter.poolmanager.connection_from_host(
        **host, pool_kwargs={**kwargs, "maxsize": POOL_SIZE}
    )


def _seconds(value: Any) -> tuple[float | None, float | None]:
    """requests' ``timeout`` (seconds, or (connect, read), or None) as (connect, read)."""
    if isinstance(value, tuple):
        return value[0], value[1]
    return value, value


def _wire(endpoint: str, timeout: tuple[float | None, float | None]) -> Wire | None:
    """Plain sockets to a plain ``http`` endpoint (None: TLS, left to urllib3)."""
    parts = urlsplit(endpoint)
    if parts.scheme != "http" or not parts.hostname:
        return None
    return Wire(parts.hostname, parts.port or 80, timeout, POOL_SIZE)


def _wire_failure(endpoint: str, exc: OSError) -> HttpError:
    """The ``HttpError`` of a GET on a plain socket that got no answer."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, TimeoutError):
        return HttpError(f"{endpoint}: timed out ({text[:200]})", kind=Failure.TIMEOUT)
    cause = connect_cause(text)
    return HttpError(f"{endpoint}: {cause or text[:200]}", kind=Failure.CONNECTION)


def _failure(endpoint: str, exc: urllib3.exceptions.HTTPError) -> HttpError:
    """The ``HttpError`` of a GET that got no answer."""
    text = " ".join(str(exc).split())
    if isinstance(exc, urllib3.exceptions.TimeoutError):
        return HttpError(f"{endpoint}: timed out ({text[:200]})", kind=Failure.TIMEOUT)
    cause = connect_cause(text)
    return HttpError(f"{endpoint}: {cause or text[:200]}", kind=Failure.CONNECTION)
