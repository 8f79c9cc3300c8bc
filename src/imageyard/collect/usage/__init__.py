"""Usage collectors: which Nova servers and Cinder volumes use which Glance images.

Concepts: ``NovaCollector`` and ``CinderCollector`` are optional sources. Each reads one
admin listing through a ``JsonHttp`` seam (``imageyard.collect.openstack``; ``SdkJsonHttp``
in production: openstacksdk for auth, catalog and discovery, raw JSON GETs for speed, each
idempotent GET retried with bounded backoff) and converts entries to model ``Server`` /
``Volume`` records at once. Anything it could not read (no endpoint in the catalog,
401/403, 5xx after retries, a timeout, a page after some marker) is a ``Gap`` of source
``nova`` / ``cinder`` with an incomplete ``SourceStatus``; these collectors never raise for
an unreachable cloud. ``usage_collectors`` builds both over one openstacksdk Connection.
"""

from __future__ import annotations

from typing import Any

from imageyard.collect.openstack import BLOCK_STORAGE, COMPUTE, RetryPolicy, SdkJsonHttp
from imageyard.collect.usage.cinder import CinderCollector
from imageyard.collect.usage.nova import NovaCollector

__all__ = ["DEFAULT_RETRY", "CinderCollector", "NovaCollector", "usage_collectors"]

DEFAULT_RETRY = RetryPolicy(attempts=4)


def usage_collectors(
    connection: Any, retry: RetryPolicy | None = None
) -> tuple[NovaCollector, CinderCollector]:
    """A Nova and a Cinder collector sharing one openstacksdk Connection."""
    policy = retry or DEFAULT_RETRY
    return (
        NovaCollector(SdkJsonHttp(connection, COMPUTE, policy=policy)),
        CinderCollector(SdkJsonHttp(connection, BLOCK_STORAGE, policy=policy)),
    )
