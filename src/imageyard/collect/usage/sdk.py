"""The openstacksdk-backed ``JsonHttp``: auth, catalog and discovery by the SDK, raw GETs.

Concepts: openstacksdk resolves the cloud (``clouds.yaml`` name, ``OS_*`` environment, or
explicit arguments), authenticates, finds the endpoint in the catalog (or takes
``compute_endpoint_override`` / ``block_storage_endpoint_override``) and discovers its
version. Its service proxies are keystoneauth Adapters, so ``SdkJsonHttp`` issues plain
JSON GETs through them (``conn.compute.get('/servers/detail', params=...)``) instead of
building Resource objects. Every failure the SDK or keystoneauth can raise on the way,
including a service that is absent from the catalog, becomes an ``HttpError``; keystoneauth's
own connection retries are turned off so that ``RetryPolicy`` alone decides.

Building a connection only reads configuration; an unknown cloud name is the operator's
input error (``InputError``), while a cloud that cannot be reached is found out, and
recorded as a gap, on the first GET.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import openstack
from keystoneauth1 import exceptions as ks
from openstack import exceptions as sdk

from imageyard.collect.usage.http import Failure, HttpError, JsonObject, Params
from imageyard.errors import InputError

COMPUTE = "compute"
BLOCK_STORAGE = "block_storage"
DEFAULT_TIMEOUT = 60.0
_MAX_MESSAGE = 300


def open_connection(
    cloud: str | None = None,
    *,
    compute_endpoint_override: str | None = None,
    block_storage_endpoint_override: str | None = None,
    auth_type: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    load_config: bool = True,
    **auth: Any,
) -> Any:
    """An openstacksdk Connection; ``load_config=False`` ignores clouds.yaml and ``OS_*``."""
    options: dict[str, Any] = {
        "api_timeout": timeout,
        "load_yaml_config": load_config,
        "load_envvars": load_config,
        **auth,
    }
    overrides = {
        "compute_endpoint_override": compute_endpoint_override,
        "block_storage_endpoint_override": block_storage_endpoint_override,
        "auth_type": auth_type,
    }
    options.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return openstack.connect(cloud=cloud, **options)
    except sdk.ConfigException as exc:
        raise InputError(
            f"OpenStack cloud {cloud or '(from environment)'}: {exc}",
            tip="check clouds.yaml, OS_CLOUD and the OS_* variables",
        ) from exc


def _error_message(response: Any) -> str:
    """The ``message`` of an OpenStack error body, else the start of the body text."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        for value in body.values():
            if isinstance(value, dict) and isinstance(value.get("message"), str):
                return str(value["message"])[:_MAX_MESSAGE]
    text = str(getattr(response, "text", "") or getattr(response, "reason", ""))
    return text.strip()[:_MAX_MESSAGE] or "no error message"


def _decode(response: Any) -> JsonObject:
    status = int(response.status_code)
    if not 200 <= status < 300:
        raise HttpError(_error_message(response), kind=Failure.STATUS, status=status)
    try:
        body = response.json()
    except ValueError as exc:
        raise HttpError(f"response is not JSON: {exc}", kind=Failure.MALFORMED) from exc
    if not isinstance(body, dict):
        raise HttpError("response is not a JSON object", kind=Failure.MALFORMED)
    return body


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


def translate(exc: BaseException) -> HttpError:
    """The ``HttpError`` for an exception raised by openstacksdk or keystoneauth."""
    message = str(exc)[:_MAX_MESSAGE] or type(exc).__name__
    if isinstance(exc, ks.HttpError):
        return HttpError(message, kind=Failure.STATUS, status=exc.http_status)
    for exc_type, kind in _KINDS:
        if isinstance(exc, exc_type):
            return HttpError(message, kind=kind)
    return HttpError(f"{type(exc).__name__}: {message}", kind=Failure.CLIENT)


class SdkJsonHttp:
    """``JsonHttp`` over one service proxy (``compute`` or ``block_storage``) of a Connection."""

    def __init__(self, connection: Any, service: str) -> None:
        self.connection = connection
        self.service = service

    def get_json(self, path: str, params: Params) -> JsonObject:
        """GET ``path`` relative to the service endpoint; any failure is an ``HttpError``."""
        query: Mapping[str, str | int] = dict(params)
        try:
            proxy = getattr(self.connection, self.service)
            response = proxy.get(path, params=query, connect_retries=0, raise_exc=False)
        except (ks.ClientException, sdk.SDKException) as exc:
            raise translate(exc) from exc
        return _decode(response)
