"""The Glance collector's transport: the shared OpenStack seam on the image service.

Concepts: the collector reads Glance through ``JsonHttp`` (``imageyard.collect.openstack``);
``glance_http`` builds the ``SdkJsonHttp`` for it, on the image service of a cloud
(a clouds.yaml entry, or ``OS_CLOUD`` / the ``OS_*`` variables, with Keystone) or of a bare
Glance endpoint without Keystone (``auth_type=none``), whose unversioned root is given and
whose v2 API is found by version discovery. Paths are relative to that versioned endpoint
(``/images``, ``/info/stores/detail``) or absolute URLs (one glance-api node's ``/v2/cache``).
"""

from __future__ import annotations

from collections.abc import Mapping

from imageyard.collect.openstack import DEFAULT_TIMEOUT, IMAGE, RetryPolicy, SdkJsonHttp, connect


def glance_http(
    cloud: str | None = None,
    *,
    endpoint: str | None = None,
    headers: Mapping[str, str] | None = None,
    policy: RetryPolicy | None = None,
    token: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> SdkJsonHttp:
    """The image API of ``endpoint`` alone when given, else of ``cloud`` (or ``OS_*``).

    With ``token`` (``OS_AUTH_TOKEN``), every request to ``endpoint`` carries it as
    ``X-Auth-Token`` (keystoneauth's ``admin_token`` plugin), as the glance client does.
    ``timeout`` bounds authentication and discovery; ``policy`` each GET.
    """
    if endpoint:
        root = endpoint.rstrip("/")
        overrides = {IMAGE: root}
        if token:
            conn = connect(
                endpoint_overrides=overrides,
                auth_type="admin_token",
                load_config=False,
                timeout=timeout,
                auth={"token": token, "endpoint": root},
            )
        else:
            conn = connect(
                endpoint_overrides=overrides, auth_type="none", load_config=False, timeout=timeout
            )
    else:
        conn = connect(cloud, timeout=timeout)
    return SdkJsonHttp(conn, IMAGE, headers=headers, policy=policy, direct=True)
