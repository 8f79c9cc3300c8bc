"""GlanceCollector against the fake Glance, through the real SdkJsonHttp (openstacksdk)."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import requests
from glance_fixtures import FAST, Start, collect, image_requests

from imageyard.collect.base import NullProgress
from imageyard.collect.glance import GlanceCollector, glance_http
from imageyard.collect.glance.inflight import MOST, START
from imageyard.collect.openstack import RetryPolicy
from imageyard.errors import ImageyardError
from imageyard.model.gap import SourceStatus
from imageyard.model.inventory import Inventory
from imageyard.model.location import RbdLocation, S3Location
from imageyard.model.store import StoreSource, StoreType
from imageyard.testing.fake_glance import Catalog, Faults, image_id, members_body

pytestmark = [
    pytest.mark.filterwarnings("ignore:The 'service_type' parameter is unnecesary"),
    pytest.mark.filterwarnings("ignore:Support for InfluxDB"),
]
LIST = "/v2/images?limit=1000&visibility=all&member_status=all"


def api(url: str, path: str) -> Any:
    return requests.get(url + path, timeout=10).json()


def test_lists_every_image_once_across_pages(fake: Start) -> None:
    server = fake(Catalog(images=2500, hidden_every=50))
    inv = collect(server, fetch_members=False)
    ids = [i.id for i in inv.images]
    assert len(ids) == len(set(ids)) == 2500
    assert set(ids) == {image_id(n) for n in range(2500)}
    assert inv.is_complete("glance")
    status = inv.source_status("glance")
    assert status is not None and status.items == 2500
    # 2,450 listed by default (3 pages of 1,000) + 50 hidden (1 page, asked concurrently)
    assert sorted(image_requests(server)) == sorted(
        [
            LIST,
            f"{LIST}&marker={ids[999]}",
            f"{LIST}&marker={ids[1999]}",
            f"{LIST}&os_hidden=true",
        ]
    )


def test_with_members_the_first_pages_are_smaller_and_list_the_same_images(
    fake: Start,
) -> None:
    server = fake(Catalog(images=2500, hidden_every=50))
    inv = collect(server)
    ids = [i.id for i in inv.images]
    assert len(ids) == len(set(ids)) == 2500
    assert set(ids) == {image_id(n) for n in range(2500)}
    assert inv.is_complete("glance")
    first = LIST.replace("limit=1000", "limit=100")
    pages = image_requests(server)
    assert pages[0] == first  # then 400, then the pass's 1,000 (and the hidden pass)
    assert sorted(pages) == sorted(
        [
            first,
            f"{LIST.replace('limit=1000', 'limit=400')}&marker={ids[99]}",
            f"{LIST}&marker={ids[499]}",
            f"{LIST}&marker={ids[1499]}",
            f"{LIST}&os_hidden=true",
        ]
    )


def test_hidden_images_are_collected_and_flagged(fake: Start) -> None:
    inv = collect(fake(Catalog(images=300, hidden_every=10)))
    hidden = {i.id for i in inv.images if i.os_hidden}
    assert hidden == {image_id(n) for n in range(300) if n % 10 == 9}


def test_every_status_is_kept(fake: Start) -> None:
    inv = collect(fake(Catalog(images=200)))
    statuses = Counter(i.status for i in inv.images)
    for status in ("queued", "saving", "importing", "active", "deactivated", "killed",
                   "pending_delete", "uploading"):  # fmt: skip
        assert statuses[status] > 0, status


def test_image_fields_match_the_api(fake: Start) -> None:
    server = fake(Catalog(images=60))
    inv = collect(server)
    for image in inv.images:
        body = api(server.url, f"/v2/images/{image.id}")
        assert image.name == body["name"] and image.status == body["status"]
        assert (image.size, image.virtual_size) == (body["size"], body["virtual_size"])
        assert (image.checksum, image.os_hash_value) == (body["checksum"], body["os_hash_value"])
        assert (image.disk_format, image.container_format) == (
            body["disk_format"], body["container_format"])  # fmt: skip
        assert (image.owner, image.visibility) == (body["owner"], body["visibility"])
        assert (image.protected, image.os_hidden) == (body["protected"], body["os_hidden"])
        assert ",".join(image.stores) == body.get("stores", "")
        assert [loc.url for loc in image.locations] == [u["url"] for u in body["locations"]]
        assert [loc.store for loc in image.locations] == [
            u["metadata"]["store"] for u in body["locations"]]  # fmt: skip
        assert image.direct_url == body.get("direct_url")
        assert sorted(image.tags) == sorted(body["tags"])
        assert image.get_property("min_disk") == str(body["min_disk"])
        assert image.get_property("self") is None  # API links are not properties
        assert (image.created_at, image.updated_at) == (body["created_at"], body["updated_at"])


def test_import_progress_properties_become_tuples(fake: Start) -> None:
    inv = collect(fake(Catalog(images=100)))
    importing = inv.image(image_id(29))
    assert importing is not None and importing.status == "importing"
    assert importing.os_glance_importing_to_stores == ("ceph", "s3")
    failed = inv.image(image_id(22))
    assert failed is not None and failed.os_glance_failed_import == ("swift",)
    assert failed.get_property("os_glance_failed_import") is None


def test_rbd_locations_are_parsed(fake: Start) -> None:
    inv = collect(fake(Catalog(images=10)))
    image = inv.image(image_id(0))
    assert image is not None and image.stores == ("ceph",)
    parsed = image.locations[0].parsed
    assert isinstance(parsed, RbdLocation) and parsed.pool == "images" and parsed.cloneable_form


def test_server_error_mid_listing_is_a_gap_and_incomplete(fake: Start) -> None:
    server = fake(Catalog(images=3000, hidden_every=0), Faults(page=2, page_status=500))
    inv = collect(server, fetch_members=False)
    assert len(inv.images) == 1000  # page 1 only: nothing after the failure is guessed
    last = inv.images[-1].id
    gaps = inv.gaps_for("glance")
    assert [(g.scope, g.error.split(";")[0]) for g in gaps] == [
        (
            f"images page after marker {last}",
            "HTTP 500 Internal Server Error: Internal Server Error",
        )
    ]
    status = inv.source_status("glance")
    assert status is not None and not status.complete
    assert image_requests(server).count(f"{LIST}&marker={last}") == FAST.attempts


def test_one_transient_server_error_is_retried(fake: Start) -> None:
    server = fake(Catalog(images=3000), Faults(page=2, page_status=503, page_times=1))
    inv = collect(server, fetch_members=False)
    assert len(inv.images) == 3000 and inv.is_complete("glance")
    page2 = f"{LIST}&marker={inv.images[999].id}"
    assert [s for t, s in server.requests() if t == page2] == [503, 200]


def test_a_page_that_times_out_is_a_gap(fake: Start) -> None:
    # the timeout leaves a loaded machine ample time for the pages that do answer
    server = fake(Catalog(images=2500, hidden_every=0), Faults(page=3, page_delay=4.0))
    inv = collect(
        server, policy=RetryPolicy(attempts=2, base_delay=0.01, timeout=1.5), fetch_members=False
    )
    assert len(inv.images) == 2000
    (gap,) = inv.gaps_for("glance")
    assert gap.scope == f"images page after marker {inv.images[-1].id}"
    assert "timed out" in gap.error
    assert not inv.is_complete("glance")


def test_forbidden_listing_is_one_gap_for_the_whole_listing(fake: Start) -> None:
    inv = collect(fake(Catalog(images=10), Faults(list_status=403)))
    assert inv.images == ()
    scopes = [g.scope for g in inv.gaps_for("glance")]
    assert scopes == ["images", "hidden images"]
    assert "get_images" in inv.gaps_for("glance")[0].error


def test_unreachable_glance_never_raises() -> None:
    http = glance_http(
        endpoint="http://127.0.0.1:9", policy=RetryPolicy(attempts=2, base_delay=0.01, timeout=1.0)
    )
    inv = GlanceCollector(http).collect(Inventory(), _Recorder())
    assert inv.images == () and not inv.is_complete("glance")
    assert {g.scope for g in inv.gaps_for("glance")} >= {"images first page", "stores"}


def test_locations_refused_is_exactly_one_gap(fake: Start) -> None:
    faults = Faults(show_multiple_locations=False, locations_status=403)
    server = fake(Catalog(images=120), faults)
    inv = collect(server)
    assert len(inv.images) == 120
    assert all(i.locations == () for i in inv.images)
    (gap,) = inv.gaps_for("glance")
    assert gap.scope == "image locations" and "locations hidden" in gap.error
    assert "(HTTP 403" in gap.error
    asked = [t for t, _ in server.requests() if t.endswith("/locations")]
    assert len(asked) == 1


def test_hidden_locations_are_read_from_the_locations_api(fake: Start) -> None:
    server = fake(Catalog(images=1500), Faults(show_multiple_locations=False))
    inv = collect(server)
    assert inv.is_complete("glance")
    with_data = [i for i in inv.images if i.stores]
    assert with_data and all(len(i.locations) == len(i.stores) for i in with_data)
    for image in with_data:
        assert [loc.store for loc in image.locations] == list(image.stores)


def test_stores_detail(fake: Start) -> None:
    inv = collect(fake(Catalog(images=1)))
    ceph = inv.store("ceph")
    assert ceph is not None and ceph.type is StoreType.RBD and ceph.source is StoreSource.API
    assert (ceph.weight, ceph.rbd_pool, ceph.rbd_fsid) == (80, "images", ceph.rbd_fsid)
    assert ceph.rbd_fsid and ceph.get_property("chunk_size") == "8388608"
    fast = inv.store("fast")
    assert fast is not None and fast.is_default and fast.file_data_dir == "/var/lib/glance/fast"
    swift = inv.store("swift")
    assert swift is not None and swift.swift_container == "glance"
    assert inv.import_methods == ("glance-direct", "web-download", "copy-image")


def test_stores_detail_forbidden_falls_back_with_a_gap(fake: Start) -> None:
    inv = collect(fake(Catalog(images=1), Faults(stores_detail_status=403)))
    assert [s.id for s in inv.stores] == ["fast", "ceph", "cheap", "swift", "s3"]
    assert all(s.type is StoreType.UNKNOWN and s.weight is None for s in inv.stores)
    gap, other = inv.gaps_for("glance")
    assert gap.scope == "stores detail" and "403" in gap.error
    # only an admin may read the detail: the list is one project's view
    assert other.scope == "images of other projects" and "not a Glance admin" in other.error


def test_stores_detail_unavailable_says_nothing_about_other_projects(fake: Start) -> None:
    inv = collect(fake(Catalog(images=1), Faults(stores_detail_status=404)))
    assert [g.scope for g in inv.gaps_for("glance")] == ["stores detail"]


def test_multi_store_off_is_not_a_failure(fake: Start) -> None:
    inv = collect(fake(Catalog(images=5), Faults(stores_status=404)))
    assert inv.stores == () and inv.is_complete("glance")
    status = inv.source_status("glance")
    assert status is not None and "multi-store off" in status.detail


def test_members_of_shared_images(fake: Start) -> None:
    catalog = Catalog(images=100, shared_every=20)
    server = fake(catalog)
    inv = collect(server)
    for image in inv.images:
        index = int(image.id.rsplit("-", 1)[1], 16)
        if catalog.is_shared(index):
            want = {(m["member_id"], m["status"]) for m in members_body(index)["members"]}
            assert {(m.member_id, m.status) for m in image.members} == want
        else:
            assert image.members == ()
    asked = [t for t, _ in server.requests() if t.endswith("/members")]
    assert len(asked) == sum(catalog.is_shared(n) for n in range(100))


def test_members_failure_is_scoped_to_the_image(fake: Start) -> None:
    catalog = Catalog(images=50, shared_every=20)
    inv = collect(fake(catalog, Faults(members_status=500)))
    shared = [image_id(n) for n in range(50) if catalog.is_shared(n)]
    assert sorted(g.scope for g in inv.gaps_for("glance")) == sorted(
        f"image {i} members" for i in shared
    )
    assert len(inv.images) == 50


def test_members_can_be_skipped(fake: Start) -> None:
    server = fake(Catalog(images=50, shared_every=5))
    collect(server, fetch_members=False)
    assert not [t for t, _ in server.requests() if t.endswith("/members")]


def test_members_are_not_read_by_default_and_the_status_says_so(fake: Start) -> None:
    catalog = Catalog(images=60, shared_every=5)
    server = fake(catalog)
    collector = GlanceCollector(glance_http(endpoint=server.url, policy=FAST))
    inv = collector.collect(Inventory(), NullProgress())
    assert not [t for t, _ in server.requests() if t.endswith("/members")]
    shared = sum(catalog.is_shared(n) for n in range(60))
    status = inv.source_status("glance")
    assert shared and status is not None and status.complete
    assert f"members not read for {shared} shared images" in status.detail
    assert all(i.members == () for i in inv.images)


def test_members_read_are_counted_in_the_status(fake: Start) -> None:
    catalog = Catalog(images=60, shared_every=5)
    inv = collect(fake(catalog), fetch_members=True)
    status = inv.source_status("glance")
    shared = sum(catalog.is_shared(n) for n in range(60))
    assert status is not None and f"members of {shared} shared images" in status.detail


def test_cache_of_each_node(fake: Start) -> None:
    node_a = fake(Catalog(images=20, cached=2, queued_in_cache=1))
    node_b = fake(Catalog(images=20, cached=0, queued_in_cache=0))
    node_c = fake(Catalog(images=20), Faults(cache_status=409))
    inv = collect(node_a, node_urls=(node_a.url + "/", node_b.url, node_c.url))
    assert [c.url for c in inv.cache_nodes] == [node_a.url, node_b.url]
    first = inv.cache_nodes[0]
    assert len(first.entries) == 2 and len(first.queued) == 1
    assert all(first.holds(e.image_id) and e.size > 0 for e in first.entries)
    assert first.entries[0].last_accessed is not None
    assert inv.cache_nodes[1].entries == ()
    (gap,) = inv.gaps_for("glance")
    assert gap.scope == f"cache node {node_c.url}" and "409" in gap.error


def test_credentials_in_location_urls_are_never_stored(fake: Start) -> None:
    inv = collect(fake(Catalog(images=40, s3_credentials=True)))
    s3 = [loc for i in inv.images for loc in i.locations if loc.store == "s3"]
    assert s3 and all(isinstance(loc.parsed, S3Location) for loc in s3)
    assert all(loc.url.startswith("s3://s3.example.test:8080/") for loc in s3)
    text = repr(inv)
    assert "AKIAFAKEACCESS" not in text and "secret+key" not in text


def test_progress_is_reported(fake: Start) -> None:
    server = fake(Catalog(images=1200, hidden_every=0))
    progress = _Recorder()
    inv = GlanceCollector(glance_http(endpoint=server.url, policy=FAST)).collect(
        Inventory(), progress
    )
    assert progress.events[0] == ("start", None)
    assert [e for e in progress.events if e[0] == "advance"] == [
        ("advance", 1000),
        ("advance", 200),
    ]
    assert progress.events[-1] == ("done", inv.source_status("glance"))


class _Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []

    def start(self, source: str, total: int | None = None) -> None:
        self.events.append(("start", total))

    def advance(self, source: str, amount: int = 1) -> None:
        self.events.append(("advance", amount))

    def done(self, source: str, status: SourceStatus) -> None:
        self.events.append(("done", status))


def test_community_images_are_collected(fake: Start) -> None:
    server = fake(Catalog(images=100))
    default = api(server.url, "/v2/images?limit=1000")["images"]
    assert all(i["visibility"] != "community" for i in default)  # Glance hides them by default
    inv = collect(server)
    community = [i for i in inv.images if i.visibility == "community"]
    assert len(community) == 10 and len(inv.images) == 100


def test_stores_detail_missing_on_an_old_glance(fake: Start) -> None:
    inv = collect(fake(Catalog(images=1), Faults(stores_detail_status=404)))
    assert len(inv.stores) == 5
    (gap,) = inv.gaps_for("glance")
    assert gap.scope == "stores detail" and "404" in gap.error


def test_clouds_yaml_entry(fake: Start, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = fake(Catalog(images=30))
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(
        f"clouds:\n  fakeglance:\n    auth_type: none\n    image_endpoint_override: {server.url}\n"
    )
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds))
    http = glance_http("fakeglance", policy=FAST)
    inv = GlanceCollector(http).collect(Inventory(), _Recorder())
    assert len(inv.images) == 30 and inv.is_complete("glance")


def test_unknown_cloud_is_an_operator_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text("clouds: {}\n")
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds))
    with pytest.raises(ImageyardError, match="nosuchcloud"):
        glance_http("nosuchcloud")


def test_api_versions_are_collected_for_the_release(fake: Start) -> None:
    server = fake(Catalog(images=3))
    inv = collect(server)
    current = [v.id for v in inv.glance_versions if v.status == "CURRENT"]
    assert current == ["v2.18"]
    assert len(inv.glance_versions) == 19
    assert any(path.startswith("/versions") for path, _ in server.requests())


def test_one_connection_reads_the_two_passes_one_page_after_the_other(fake: Start) -> None:
    server = fake(Catalog(images=4500, hidden_every=10))
    http = glance_http(endpoint=server.url, policy=FAST)
    inv = GlanceCollector(http, connections=1).collect(Inventory(), NullProgress())
    assert len({i.id for i in inv.images}) == len(inv.images) == 4500
    lists = image_requests(server)
    assert all("created_at" not in t and "sort_dir" not in t for t in lists)
    assert len(lists) == 5 + 1  # 4,050 listed by default, 450 hidden ones
    status = inv.source_status("glance")
    assert status is not None and "2 slices, at most 1 at once" in status.detail
    shown = [i.created_at or "" for i in inv.images if not i.os_hidden]
    assert shown == sorted(shown, reverse=True)  # the list's own order: newest first
    assert [i.os_hidden for i in inv.images] == sorted(i.os_hidden for i in inv.images)


class InFlight:
    """A JsonHttp that counts the member requests in flight; the first ``hold`` of them wait
    until that many are in flight together (a barrier), so concurrency is observed, not timed.
    """

    def __init__(self, inner: Any, hold: int) -> None:
        self.inner = inner
        self.barrier = threading.Barrier(hold, timeout=10)
        self.lock = threading.Lock()
        self.now = 0
        self.most = 0
        self.member_gets = 0

    def get_json(self, path: str, params: Any = None, *, peek: Any = None) -> Any:
        if not path.endswith("/members"):
            return self.inner.get_json(path, params, peek=peek)
        with self.lock:
            self.now += 1
            self.member_gets += 1
            self.most = max(self.most, self.now)
            first = self.member_gets <= self.barrier.parties
        try:
            if first:
                self.barrier.wait()  # BrokenBarrierError: fewer were ever in flight at once
            return self.inner.get_json(path, params, peek=peek)
        finally:
            with self.lock:
                self.now -= 1


@pytest.mark.parametrize("at_once", [None, 2])
def test_member_requests_run_as_many_at_once_as_the_limit_allows_and_no_more(
    fake: Start, at_once: int | None
) -> None:
    catalog = Catalog(images=200, shared_every=4)
    first = START if at_once is None else at_once  # None: the default, starting at eight
    http = InFlight(glance_http(endpoint=fake(catalog).url, policy=FAST), hold=first)
    chosen = {} if at_once is None else {"requests_at_once": at_once}
    collector = GlanceCollector(http, fetch_members=True, **chosen)
    inv = collector.collect(Inventory(), NullProgress())
    shared = sum(catalog.is_shared(n) for n in range(200))
    assert not inv.gaps_for("glance")
    assert http.member_gets == shared > first  # one request per shared image, no more
    assert first <= http.most <= (MOST if at_once is None else at_once)
    status = inv.source_status("glance")
    assert status is not None and f"{shared} per-image requests, at most" in status.detail
