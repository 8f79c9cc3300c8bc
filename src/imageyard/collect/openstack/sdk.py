"""The openstacksdk-backed ``JsonHttp``: auth, catalog and discovery by the SDK, raw GETs.

Concepts: openstacksdk resolves the cloud (a ``clouds.yaml`` entry, the ``OS_*`` environment,
or explicit arguments, down to a bare endpoint with ``auth_type="none"`` and no Keystone),
authenticates, finds each endpoint in the catalog (or takes an endpoint override) and
discovers its version. Its service proxies are keystoneauth Adapters, so ``SdkJsonHttp``
sends plain GETs through one of them (``conn.image.get('/images', params=...)``) and
decodes the JSON itself: no SDK Resource objects are built. The body is read from the raw
stream in one call, which needs the GIL far less often than ``response.content``'s small
chunks, so a page arrives at full speed while another thread converts the last one. Every
failure the SDK or keystoneauth can raise on the way, including a service absent from the
catalog, becomes an ``HttpError``; keystoneauth's own retries are off so that
``RetryPolicy`` alone decides. With ``direct=True`` (the image service's
collector, which sends tens of thousands of GETs) relative paths go by ``DirectGet``: the
same endpoint, token and TLS settings, without keystoneauth's per-request cost.
One ``SdkJsonHttp`` may be used from several threads.

Building a connection only reads configuration: an unknown cloud or an unusable
``clouds.yaml`` is the operator's usage error (``UsageError``, exit 2), while a cloud that cannot
be reached is found out, and recorded as a gap, on the first GET.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from typing import Any

import openstack
import requests
import urllib3
from keystoneauth1 import exceptions as ks
from openstack import exceptions as sdk

from imageyard.collect.openstack.direct import Answer, DirectGet
from imageyard.collect.openstack.http import (
    JSON,
    Failure,
    HttpError,
    Params,
    Peek,
    RetryPolicy,
    connect_cause,
)
from imageyard.collect.openstack.settings import check_auth, unknown_auth_type
from imageyard.errors import ImageyardError, UsageError

IMAGE = "image"
IDENTITY = "identity"
COMPUTE = "compute"
BLOCK_STORAGE = "block_storage"
DEFAULT_TIMEOUT = 60.0
_MAX_MESSAGE = 300
_TAGS = re.compile(r"<[^>]*>")


def connect(
    cloud: str | None = None,
    *,
    endpoint_overrides: Mapping[str, str] | None = None,
    auth_type: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    load_config: bool = True,
    **auth: Any,
) -> Any:
    """An openstacksdk Connection.

    ``cloud`` names a clouds.yaml entry (None: ``OS_CLOUD`` or the ``OS_*`` variables);
    ``endpoint_overrides`` maps a service (``image``, ``compute``, ``block_storage``) to
    its URL; ``load_config=False`` ignores clouds.yaml and ``OS_*``, so
    ``connect(endpoint_overrides={"image": url}, auth_type="none", load_config=False)``
    talks to one endpoint without Keystone. ``timeout`` bounds each request unless a
    ``RetryPolicy`` sets its own.
    """
    options: dict[str, Any] = {
        "api_timeout": timeout,
        "load_yaml_config": load_config,
        "load_envvars": load_config,
        **auth,
    }
    for service, url in (endpoint_overrides or {}).items():
        options[f"{service}_endpoint_override"] = url
    if auth_type is not None:
        options["auth_type"] = auth_type
    try:
        conn = openstack.connect(cloud=cloud, **options)
    except ks.NoMatchingPlugin as exc:
        raise unknown_auth_type(exc.name, cloud) from None
    except (sdk.SDKException, ks.ClientException, AttributeError, TypeError, ValueError) as exc:
        # (a clouds.yaml of the wrong shape fails inside the SDK with a plain Python error)
        where = f"cloud {cloud!r}" if cloud else "the OS_* variables"
        raise UsageError(
            f"cannot configure OpenStack access from {where}: {_one_line(exc)}",
            tip="check clouds.yaml, --os-cloud or the OS_* variables",
        ) from None
    if load_config:
        check_auth(conn.config.config, cloud)
    return conn


def check_credentials(cloud: str | None = None, *, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Ask Keystone for a token once, before any source runs.

    Credentials Keystone refuses (HTTP 401: a wrong password, user, project or domain) are the
    operator's to fix and end the run with one line (``ImageyardError``, exit 1); anything
    else (Keystone unreachable, no identity endpoint) is left to the sources, which record it
    as gaps. ``timeout`` bounds each request.
    """
    try:
        connect(cloud, timeout=timeout).session.get_token()
    except ks.Unauthorized as exc:
        where = f"cloud {cloud!r}" if cloud else "the OS_* variables"
        raise ImageyardError(
            f"Keystone refused the credentials of {where} ({_one_line(exc)})",
            tip="check the user name, password, project and domains",
        ) from None
    except (ks.ClientException, sdk.SDKException):
        return


class SdkJsonHttp:
    """``JsonHttp`` over one service proxy of a Connection (``image``, ``compute`` ...)."""

    def __init__(
        self,
        connection: Any,
        service_type: str,
        *,
        headers: Mapping[str, str] | None = None,
        policy: RetryPolicy | None = None,
        direct: bool = False,
    ) -> None:
        self.connection = connection
        self.service_type = service_type
        self.policy = policy or RetryPolicy()
        self.direct = direct  # send relative paths by ``DirectGet`` where it can
        self._proxy: Any = None
        self._direct: DirectGet | None = None
        self._proxy_lock = threading.Lock()
        self._options: dict[str, Any] = {
            "headers": dict(headers or {}),
            "raise_exc": False,
            "connect_retries": 0,  # retries are RetryPolicy's, not keystoneauth's
            "status_code_retries": 0,
            "stream": True,
        }
        if self.policy.timeout is not None:  # else the connection's api_timeout applies
            self._options["timeout"] = self.policy.timeout

    def get_json(
        self, path: str, params: Params | None = None, *, peek: Peek | None = None
    ) -> JSON:
        """GET ``path`` relative to the service endpoint; any failure is an ``HttpError``."""
        return self.policy.run(lambda: self._get_once(path, params, peek))

    def endpoint(self) -> str:
        """The service's (versioned) endpoint URL; any failure is an ``HttpError``."""
        try:
            return str(self._service().get_endpoint())
        except (ks.ClientException, sdk.SDKException) as exc:
            raise translate(exc) from exc

    def _get_once(self, path: str, params: Params | None, peek: Peek | None) -> JSON:
        answer = self._send_direct(path, params) if self.direct else None
        if answer is None:
            answer = self._send(path, params)
        return _decoded(answer, peek)

    def _send(self, path: str, params: Params | None) -> Answer:
        """The GET through keystoneauth."""
        try:
            response = self._service().get(
                path, params=dict(params) if params else None, **self._options
            )
        except (ks.ClientException, sdk.SDKException) as exc:
            raise translate(exc) from exc
        body = _read_body(response)
        return Answer(int(response.status_code), response.reason or None, body)

    def _send_direct(self, path: str, params: Params | None) -> Answer | None:
        """The GET on the direct pool; None where keystoneauth must send it."""
        if path.startswith(("http://", "https://")):
            return None
        if self._direct is None:
            with self._proxy_lock:
                if self._direct is None:
                    self._direct = self._direct_get()
        return self._direct.get(path, params) if self._direct.usable else None

    def _direct_get(self) -> DirectGet:
        try:
            self._proxy = self._proxy or getattr(self.connection, self.service_type)
            return DirectGet(self._proxy, self._options.get("timeout"), self._options["headers"])
        except (ks.ClientException, sdk.SDKException) as exc:
            raise translate(exc) from exc

    def _service(self) -> Any:
        """The service proxy; the first use authenticates and discovers the endpoint.

        openstacksdk builds a proxy (and runs version discovery) without a lock, so only one
        thread may do it. A failure is not kept: the next try builds it again.
        """
        if self._proxy is None:
            with self._proxy_lock:
                if self._proxy is None:
                    self._proxy = getattr(self.connection, self.service_type)
        return self._proxy


def _decoded(answer: Answer, peek: Peek | None) -> JSON:
    """The JSON of a 2xx answer; any other status, or a body that is no JSON, an HttpError."""
    status, body = answer.status, answer.body
    if not 200 <= status < 300:
        raise HttpError(
            _error_message(status, answer.reason, body),
            kind=Failure.STATUS,
            status=status,
            reason=answer.reason,
        )
    if peek is not None:
        peek(body)
    try:
        return json.loads(body)
    except ValueError as exc:
        raise HttpError(f"response is not JSON: {exc}", kind=Failure.MALFORMED) from exc


def _read_body(response: Any) -> bytes:
    """The whole body in one read of the raw stream; the connection goes back to the pool."""
    try:
        body: bytes = response.raw.read(decode_content=True)
    except (urllib3.exceptions.HTTPError, requests.RequestException, OSError) as exc:
        response.close()
        timed_out = isinstance(exc, urllib3.exceptions.TimeoutError | TimeoutError)
        kind = Failure.TIMEOUT if timed_out else Failure.CONNECTION
        raise HttpError(_one_line(exc), kind=kind) from exc
    response.raw.release_conn()
    return body


def _error_message(status: int, reason: str | None, body: bytes) -> str:
    """The ``message`` of an OpenStack JSON error, else the words of an HTML error page."""
    try:
        decoded = json.loads(body)
    except ValueError:
        decoded = None
    if isinstance(decoded, dict):
        for value in decoded.values():
            if isinstance(value, dict) and isinstance(value.get("message"), str):
                return _one_line(value["message"])
    # Glance (webob) answers with a small HTML page titled "403 Forbidden"
    words = " ".join(_TAGS.sub(" ", body[:2000].decode("utf-8", "replace")).split())
    return words.replace(f"{status} {reason or ''}".rstrip(), "").strip()[:200]


_KINDS: tuple[tuple[type[BaseException], Failure], ...] = (
    (ks.ConnectTimeout, Failure.TIMEOUT),
    (ks.ConnectionError, Failure.CONNECTION),
    (ks.DiscoveryFailure, Failure.CONNECTION),
    (ks.EndpointNotFound, Failure.NO_ENDPOINT),
    (sdk.ServiceDisabledException, Failure.NO_ENDPOINT),
    (sdk.EndpointNotFound, Failure.NO_ENDPOINT),
    (sdk.NotSupported, Failure.NO_ENDPOINT),
    (sdk.ServiceDiscoveryException, Failure.NO_ENDPOINT),
    (ks.AuthPluginException, Failure.AUTH),
    (ks.AuthorizationFailure, Failure.AUTH),
    (ks.MissingAuthMethods, Failure.AUTH),
)


# keystoneauth says "Unable to establish connection to URL: <requests' long story>"; the
# gap keeps the URL and the cause only.
_CONNECT_URL = re.compile(r"connection to (\S+?):? ")


def _connect_failure(exc: BaseException) -> str | None:
    """``URL: cause`` for a connection keystoneauth could not make, else None."""
    text = str(exc)
    url = _CONNECT_URL.search(text)
    cause = connect_cause(text)
    return f"{url.group(1)}: {cause}" if url and cause else None


def translate(exc: BaseException) -> HttpError:
    """The ``HttpError`` for an exception raised by openstacksdk or keystoneauth."""
    message = _one_line(exc) or type(exc).__name__
    if isinstance(exc, ks.ConnectionError):
        message = _connect_failure(exc) or message
    if isinstance(exc, ks.HttpError):
        return HttpError(message, kind=Failure.STATUS, status=exc.http_status)
    for exc_type, kind in _KINDS:
        if isinstance(exc, exc_type):
            return HttpError(message, kind=kind)
    return HttpError(f"{type(exc).__name__}: {message}", kind=Failure.CLIENT)


def _one_line(text: object) -> str:
    return " ".join(str(text).split())[:_MAX_MESSAGE]
