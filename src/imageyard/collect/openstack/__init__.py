"""The OpenStack HTTP seam shared by the live collectors (Glance, Nova, Cinder).

Concepts: a collector reads one service through ``JsonHttp`` (JSON GETs, failures as a typed
``HttpError`` whose ``brief`` a gap can carry). ``SdkJsonHttp`` implements it over an
openstacksdk connection built by ``connect`` (clouds.yaml, ``OS_*``, Keystone, or a bare
endpoint without Keystone): the SDK does auth, catalog and version discovery, and the GETs go
raw through the service's keystoneauth Adapter, retried by a bounded ``RetryPolicy``.
"""

from imageyard.collect.openstack.http import (
    JSON,
    Failure,
    HttpError,
    JsonHttp,
    JsonObject,
    Params,
    Peek,
    RetryPolicy,
    get_with_retry,
)
from imageyard.collect.openstack.sdk import (
    BLOCK_STORAGE,
    COMPUTE,
    DEFAULT_TIMEOUT,
    IDENTITY,
    IMAGE,
    SdkJsonHttp,
    check_credentials,
    connect,
)

__all__ = [
    "BLOCK_STORAGE",
    "COMPUTE",
    "DEFAULT_TIMEOUT",
    "IDENTITY",
    "IMAGE",
    "JSON",
    "Failure",
    "HttpError",
    "JsonHttp",
    "JsonObject",
    "Params",
    "Peek",
    "RetryPolicy",
    "SdkJsonHttp",
    "check_credentials",
    "connect",
    "get_with_retry",
]
