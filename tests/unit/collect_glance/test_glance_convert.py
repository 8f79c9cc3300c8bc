"""Conversion helpers and the HTTP seam's error handling."""

from __future__ import annotations

import json
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any

import pytest

from imageyard.collect.glance.convert import (
    as_text,
    cache_node_from_api,
    image_from_api,
    members_from_api,
    split_csv,
    store_from_api,
)
from imageyard.collect.glance.listing import PageStream, next_path, peek_next
from imageyard.collect.openstack import IMAGE, HttpError, Peek, RetryPolicy, SdkJsonHttp
from imageyard.model.image import ImageMember
from imageyard.model.store import StoreType


def test_as_text() -> None:
    assert [as_text(v) for v in ("x", 3, True, None, 1.5, {"b": 1, "a": [2]})] == [
        "x", "3", "true", "null", "1.5", '{"a": [2], "b": 1}']  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "want"),
    [("fast,ceph", ("fast", "ceph")), ("", ()), (None, ()), (" a , ,b,", ("a", "b")), (3, ())],
)
def test_split_csv(raw: object, want: tuple[str, ...]) -> None:
    assert split_csv(raw) == want


def test_image_from_minimal_body() -> None:
    image = image_from_api({"id": "i1", "status": "queued", "locations": [], "kernel_id": None})
    assert (image.id, image.status, image.locations, image.stores) == ("i1", "queued", (), ())
    assert image.properties == (("kernel_id", "null"),)


def test_s3_credentials_are_removed() -> None:
    url = "s3://AKIAKEY:se/cr+et@s3.example.test/bucket/obj"
    body = {"id": "i", "locations": [{"url": url, "metadata": {"store": "s3"}}], "direct_url": url}
    image = image_from_api(body)
    assert image.locations[0].url == "s3://s3.example.test/bucket/obj"
    assert image.direct_url == "s3://s3.example.test/bucket/obj"
    assert "AKIAKEY" not in repr(image) and "cr+et" not in repr(image)


def test_store_without_detail() -> None:
    store = store_from_api({"id": "web", "description": "http", "read-only": "true"})
    assert store.type is StoreType.UNKNOWN and store.read_only and not store.is_default


def test_cache_node() -> None:
    node = cache_node_from_api("http://n1", {"cached_images": [
        {"id": 1, "image_id": "a", "size": 5, "hits": 2, "last_accessed": 1.5,
         "last_modified": 1, "checksum": "c"}], "queued_images": ["b"]})  # fmt: skip
    assert node.cached_bytes == 5 and node.queued == ("b",) and node.holds("a")
    assert node.entries[0].last_modified == 1.0


def test_next_path_keeps_the_query() -> None:
    assert next_path("/v2/images?limit=2&marker=x") == "/images?limit=2&marker=x"
    assert next_path("https://g/v2/images?marker=x") == "https://g/v2/images?marker=x"


def test_retry_policy_delays() -> None:
    assert RetryPolicy(attempts=3, base_delay=0.5).delays() == (0.5, 1.0)
    assert RetryPolicy(attempts=1).delays() == ()


def test_only_server_side_failures_are_retried() -> None:
    tried: list[str] = []
    slept: list[float] = []

    class Adapter:
        def get(self, path: str, **kwargs: object) -> object:
            tried.append(path)
            status = 503 if path == "/flaky" else 403
            raw = SimpleNamespace(read=lambda **_: b"<h1>x</h1> nope", release_conn=lambda: None)
            return SimpleNamespace(status_code=status, reason="R", raw=raw)

    http = SdkJsonHttp(
        SimpleNamespace(image=Adapter()), IMAGE, policy=RetryPolicy(sleep=slept.append)
    )
    with pytest.raises(HttpError) as flaky:
        http.get_json("/flaky")
    assert tried == ["/flaky"] * 3 and slept == [0.5, 1.0] and flaky.value.status == 503
    with pytest.raises(HttpError) as denied:
        http.get_json("/denied")
    assert tried[3:] == ["/denied"] and denied.value.brief == "HTTP 403 R: x nope"


def test_peek_next_reads_the_tail_only() -> None:
    body = b'{"images": [], "first": "/v2/images", "next": "/v2/images?limit=2&marker=x"}'
    assert peek_next(body) == "/v2/images?limit=2&marker=x"
    assert peek_next(b'{"images": [], "first": "/v2/images"}') is None
    assert peek_next(b'{"next": "/v2\\/images?marker=x"}') is None  # escaped: decode instead
    far = b'{"images": [{"x": "' + b"a" * 10_000 + b'"}], "next": "/v2/images?marker=y"}'
    assert peek_next(far) == "/v2/images?marker=y"


def test_an_early_request_the_body_does_not_confirm_is_dropped() -> None:
    pages = {
        "/images": {"images": [{"id": "a"}], "next": "/v2/images?marker=a"},
        "/images?marker=a": {"images": [{"id": "b"}]},
        "/images?marker=WRONG": {"images": [{"id": "wrong"}]},
    }

    class Http:
        def get_json(
            self, path: str, params: Mapping[str, str] | None = None, *, peek: Peek | None = None
        ) -> Any:
            if peek is not None:
                peek(b'{"next": "/v2/images?marker=WRONG"}')  # a misleading raw tail
            return pages[path]

    with ThreadPoolExecutor(2) as pool:
        got = [page for page in PageStream(Http(), {}, pool).pages()]
    assert got == [[{"id": "a"}], [{"id": "b"}]]


def test_repeated_short_values_are_one_object_and_direct_url_is_the_location_url() -> None:
    def body(n: int) -> dict[str, Any]:
        url = f"rbd://fsid/images/{n}/snap"
        return json.loads(json.dumps({  # separate decodes, as separate pages give
            "id": f"img-{n}", "os_distro": "ubuntu", "tags": ["golden"], "direct_url": url,
            "locations": [{"url": url, "metadata": {"store": "ceph"}}],
        }))  # fmt: skip

    one, two = image_from_api(body(1)), image_from_api(body(2))
    assert one.get_property("os_distro") is two.get_property("os_distro")
    assert one.tags[0] is two.tags[0]
    assert one.direct_url is one.locations[0].url
    members = members_from_api(
        json.loads('{"members": [{"member_id": "p1", "status": "accepted"}]}')
    )
    again = members_from_api(json.loads('{"members": [{"member_id": "p1", "status": "accepted"}]}'))
    assert members[0].member_id is again[0].member_id


def test_recurring_property_pairs_and_an_unchanged_update_time_are_shared() -> None:
    long = "x" * 41
    stamp = "2024-05-01T10:00:00Z"

    def body(n: int, updated: str) -> dict[str, Any]:
        return json.loads(json.dumps({  # separate decodes, as separate pages give
            "id": f"img-{n}", "os_distro": "ubuntu", "min_ram": 0, "note": long,
            "created_at": stamp, "updated_at": updated,
        }))  # fmt: skip

    one, two = image_from_api(body(1, stamp)), image_from_api(body(2, "2024-06-01T00:00:00Z"))
    shared = {pair for pair in one.properties if any(pair is p for p in two.properties)}
    assert shared == {("os_distro", "ubuntu"), ("min_ram", "0")}  # not the long "note"
    assert dict(one.properties)["note"] == dict(two.properties)["note"] == long
    assert one.updated_at is one.created_at
    assert two.updated_at == "2024-06-01T00:00:00Z" and two.created_at == stamp


def test_a_members_share_date_is_kept() -> None:
    body = {"members": [{"member_id": "p1", "status": "pending",
                         "created_at": "2026-01-02T03:04:05Z"}, {"member_id": "p2",
                         "status": "accepted"}]}  # fmt: skip
    assert members_from_api(body) == (
        ImageMember("p1", "pending", "2026-01-02T03:04:05Z"),
        ImageMember("p2", "accepted", None),
    )
