"""Usage collectors: which Nova servers and Cinder volumes use which Glance images.

Concepts: ``NovaCollector`` and ``CinderCollector`` are optional sources. Each reads one
admin listing through a ``JsonHttp`` seam (``SdkJsonHttp`` in production: openstacksdk
for auth, catalog and discovery, raw JSON GETs for speed), retries idempotent GETs with
bounded backoff, and converts entries to model ``Server`` / ``Volume`` records at once.
Anything it could not read (no endpoint in the catalog, 401/403, 5xx after retries, a
timeout, a page after some marker) is a ``Gap`` of source ``nova`` / ``cinder`` with an
incomplete ``SourceStatus``; these collectors never raise for an unreachable cloud.
``usage_collectors`` builds both over one openstacksdk Connection.
"""

from __future__ import annotations

from typing import Any

from imageyard.collect.usage.cinder import CinderCollector
from imageyard.collect.usage.http import (
    Failure,
    HttpError,
    JsonHttp,
    RetryPolicy,
    get_with_retry,
)
from imageyard.collect.usage.nova import NovaCollector
from imageyard.collect.usage.sdk import BLOCK_STORAGE, COMPUTE, SdkJsonHttp, open_connection

__all__ = [
    "CinderCollector",
    "Failure",
    "HttpError",
    "JsonHttp",
    "NovaCollector",
    "RetryPolicy",
    "SdkJsonHttp",
    "get_with_retry",
    "open_connection",
    "usage_collectors",
]


def usage_collectors(
    connection: Any, retry: RetryPolicy | None = None
) -> tuple[NovaCollector, CinderCollector]:
    """A Nova and a Cinder collector sharing one openstacksdk Connection."""
    policy = retry or RetryPolicy()
    return (
        NovaCollector(SdkJsonHttp(connection, COMPUTE), retry=policy),
        CinderCollector(SdkJsonHttp(connection, BLOCK_STORAGE), retry=policy),
    )
