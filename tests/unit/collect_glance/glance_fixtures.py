"""Helpers for the Glance collector tests: a collector run against a fake Glance."""

from __future__ import annotations

from collections.abc import Callable

from imageyard.collect.base import NullProgress
from imageyard.collect.glance import GlanceCollector, glance_http
from imageyard.collect.openstack import RetryPolicy, SdkJsonHttp
from imageyard.model.inventory import Inventory
from imageyard.testing.fake_glance import FakeGlance

FAST = RetryPolicy(attempts=3, base_delay=0.01, timeout=5.0)

Start = Callable[..., FakeGlance]


def http_for(server: FakeGlance, policy: RetryPolicy = FAST) -> SdkJsonHttp:
    return glance_http(endpoint=server.url, policy=policy)


def collect(
    server: FakeGlance,
    *,
    policy: RetryPolicy = FAST,
    node_urls: tuple[str, ...] = (),
    fetch_members: bool = True,
) -> Inventory:
    collector = GlanceCollector(http_for(server, policy), node_urls, fetch_members)
    return collector.collect(Inventory(), NullProgress())


def image_requests(server: FakeGlance) -> list[str]:
    """The image-list requests the server saw, in order."""
    return [target for target, _ in server.requests() if target.startswith("/v2/images?")]
