"""The fake Glance itself: shapes, paging and faults, checked with plain requests."""

from __future__ import annotations

import time
from typing import Any

import requests
from glance_fixtures import Start

from imageyard.testing.fake_glance import Catalog, FakeGlance, Faults, image_id, index_of


def get(server: FakeGlance, path: str) -> requests.Response:
    return requests.get(server.url + path, timeout=30)


def walk(server: FakeGlance, query: str) -> list[dict[str, Any]]:
    images: list[dict[str, Any]] = []
    path: str | None = f"/v2/images?{query}"
    while path:
        body = get(server, path).json()
        images += body["images"]
        path = body.get("next")
    return images


def test_version_document_like_glance(fake: Start) -> None:
    server = fake(Catalog(images=1))
    resp = get(server, "/")
    assert resp.status_code == 300
    versions = resp.json()["versions"]
    assert versions[0] == {
        "id": "v2.18",
        "status": "CURRENT",
        "links": [{"rel": "self", "href": f"{server.url}/v2/"}],
    }


def test_list_shape_and_links(fake: Start) -> None:
    server = fake(Catalog(images=5, hidden_every=0))
    body = get(server, "/v2/images?limit=2").json()
    assert list(body) == ["images", "first", "schema", "next"]
    assert body["first"] == "/v2/images?limit=2"
    assert body["next"] == f"/v2/images?limit=2&marker={body['images'][-1]['id']}"
    last = get(server, "/v2/images?limit=2&marker=" + image_id(1)).json()
    assert [i["id"] for i in last["images"]] == [image_id(0)] and "next" not in last


def test_image_body_keys_match_glance_33(fake: Start) -> None:
    server = fake(Catalog(images=10))
    body = get(server, f"/v2/images/{image_id(0)}").json()
    assert list(body)[:18] == [
        "name", "disk_format", "container_format", "visibility", "size", "virtual_size",
        "status", "checksum", "protected", "min_ram", "min_disk", "owner", "os_hidden",
        "os_hash_algo", "os_hash_value", "id", "created_at", "updated_at",
    ]  # fmt: skip
    assert list(body)[-6:] == ["direct_url", "tags", "self", "file", "schema", "stores"]
    queued = get(server, f"/v2/images/{image_id(3)}").json()
    assert queued["status"] == "queued" and queued["locations"] == []
    assert "stores" not in queued and "direct_url" not in queued


def test_paging_covers_each_image_once(fake: Start) -> None:
    server = fake(Catalog(images=1234, hidden_every=7))
    shown = [i["id"] for i in walk(server, "limit=100&visibility=all")]
    hidden = [i["id"] for i in walk(server, "limit=100&visibility=all&os_hidden=true")]
    assert len(set(shown)) == len(shown) and len(set(hidden)) == len(hidden)
    assert set(shown) | set(hidden) == {image_id(n) for n in range(1234)}
    assert not set(shown) & set(hidden)
    assert [index_of(i) for i in shown] == sorted((index_of(i) or 0 for i in shown), reverse=True)


def test_large_catalog_is_generated_lazily(fake: Start) -> None:
    t0 = time.monotonic()
    server = fake(Catalog(images=1_000_000))
    body = get(server, f"/v2/images?limit=1000&marker={image_id(5000)}").json()
    assert len(body["images"]) == 1000 and time.monotonic() - t0 < 10


def test_bad_marker_is_400_like_glance(fake: Start) -> None:
    resp = get(fake(Catalog(images=3)), "/v2/images?marker=bogus")
    assert resp.status_code == 400 and "No image found with ID bogus" in resp.text


def test_page_faults_count_pages_of_the_default_list(fake: Start) -> None:
    server = fake(Catalog(images=30, hidden_every=4), Faults(page=3, page_status=500))
    first = get(server, "/v2/images?limit=10&visibility=all").json()
    second = get(server, first["next"]).json()
    assert get(server, second["next"]).status_code == 500
    assert get(server, "/v2/images?limit=10&os_hidden=true").status_code == 200


def test_forbidden_answers_are_glance_html(fake: Start) -> None:
    faults = Faults(locations_status=403, stores_detail_status=403, cache_status=403)
    server = fake(Catalog(images=2), faults)
    for path in (f"/v2/images/{image_id(0)}/locations", "/v2/info/stores/detail", "/v2/cache"):
        resp = get(server, path)
        assert resp.status_code == 403 and "You are not authorized" in resp.text


def test_in_process_mode() -> None:
    with FakeGlance(Catalog(images=3), in_process=True) as server:
        assert len(get(server, "/v2/images").json()["images"]) == 3
        assert server.requests() == [("/v2/images", 200)]


def test_created_at_filter_and_oldest_first(fake: Start) -> None:
    server = fake(Catalog(images=30, hidden_every=0))
    cut = "2023-11-14T22:23:20Z"  # image 10's created_at (EPOCH + 10 * 60 s)
    older = walk(server, f"limit=7&visibility=all&created_at=lt:{cut}")
    assert [i["id"] for i in older] == [image_id(n) for n in range(9, -1, -1)]
    assert all(i["created_at"] < cut for i in older)
    first = get(server, "/v2/images?limit=1&visibility=all&sort_key=created_at&sort_dir=asc")
    assert [i["id"] for i in first.json()["images"]] == [image_id(0)]
