"""The Glance collector against the real lab Glance, field by field with what the API says."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from imageyard.collect.base import NullProgress
from imageyard.collect.glance import GlanceCollector, glance_http
from imageyard.collect.openstack import RetryPolicy
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.model.store import StoreSource, StoreType

if TYPE_CHECKING:  # tests/ is not a package: conftest is not importable at run time
    from conftest import Lab

pytestmark = [
    pytest.mark.filterwarnings("ignore:The 'service_type' parameter is unnecesary"),
    pytest.mark.filterwarnings("ignore:Support for InfluxDB"),
]
TENANT = {"X-Roles": "member,reader", "X-Project-Id": "project-alpha"}
POLICY = RetryPolicy(attempts=3, base_delay=0.2, timeout=30.0)


def run(lab: Lab, headers: dict[str, str] | None = None) -> Inventory:
    http = glance_http(endpoint=lab.glance_url, headers=headers, policy=POLICY)
    collector = GlanceCollector(http, node_urls=(lab.glance_url,), fetch_members=True)
    return collector.collect(Inventory(), NullProgress())


@pytest.fixture(scope="module")
def inventory(lab: Lab) -> Inventory:
    return run(lab)


def api_images(lab: Lab) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for hidden in ("false", "true"):
        path: str | None = f"/v2/images?limit=1000&visibility=all&os_hidden={hidden}"
        while path:
            body = lab.glance(path).json()
            found.update((i["id"], i) for i in body["images"])
            path = body.get("next")
    return found


def collected(inventory: Inventory, image_id: str) -> Image:
    image = inventory.image(image_id)
    assert image is not None, f"image {image_id} was not collected"
    return image


def test_collection_is_complete(inventory: Inventory) -> None:
    assert inventory.gaps_for("glance") == ()
    assert inventory.is_complete("glance")


def test_exactly_the_images_the_api_lists(lab: Lab, inventory: Inventory) -> None:
    # community images (alpine-3.20-imported) are listed only with visibility=all
    assert {i.id for i in inventory.images} == set(api_images(lab))
    assert len(inventory.images) == len({i.id for i in inventory.images})


def test_every_seeded_image_matches_the_api(lab: Lab, inventory: Inventory) -> None:
    for seeded in lab.seed["images"]:
        body = lab.glance(f"/v2/images/{seeded['id']}").json()
        image = collected(inventory, seeded["id"])
        for key in ("name", "status", "disk_format", "container_format", "size", "virtual_size",
                    "checksum", "os_hash_algo", "os_hash_value", "owner", "visibility",
                    "protected", "os_hidden", "direct_url", "created_at"):  # fmt: skip
            assert getattr(image, key) == body.get(key), (seeded["name"], key)
        assert list(image.stores) == [s for s in body.get("stores", "").split(",") if s]
        assert [(loc.url, loc.store) for loc in image.locations] == [
            (u["url"], u["metadata"]["store"]) for u in body["locations"]
        ], seeded["name"]
        assert sorted(image.tags) == sorted(body["tags"])


def test_seed_manifest_agrees(lab: Lab, inventory: Inventory) -> None:
    for seeded in lab.seed["images"]:
        image = collected(inventory, seeded["id"])
        assert sorted(image.stores) == sorted(seeded["stores"]), seeded["name"]
        assert (image.owner, image.visibility, image.os_hidden) == (
            seeded["owner"], seeded["visibility"], seeded["os_hidden"])  # fmt: skip
        assert (image.size, image.checksum) == (seeded["size"], seeded["checksum"])


def test_locations_agree_with_the_locations_api(lab: Lab, inventory: Inventory) -> None:
    for seeded in lab.seed["images"]:
        rows = lab.glance(f"/v2/images/{seeded['id']}/locations").json()
        image = collected(inventory, seeded["id"])
        assert sorted(loc.url for loc in image.locations) == sorted(r["url"] for r in rows)


def test_special_images(lab: Lab, inventory: Inventory) -> None:
    (hidden,) = lab.images("hidden")
    assert collected(inventory, hidden["id"]).os_hidden
    (old,) = lab.images("deactivated")
    assert collected(inventory, old["id"]).status == "deactivated"
    (queued,) = lab.images("queued-no-data")
    never = collected(inventory, queued["id"])
    assert (never.status, never.stores, never.locations) == ("queued", (), ())
    (shared,) = lab.images("shared-with-members")
    members = {m.member_id: m.status for m in collected(inventory, shared["id"]).members}
    assert members == shared["members"]
    for image in lab.images("owner-deleted-project"):
        assert collected(inventory, image["id"]).owner == "deleted-project-0001"


def test_rbd_locations_name_the_lab_cluster(lab: Lab, inventory: Inventory) -> None:
    for seeded in lab.images("raw-in-ceph"):
        location = collected(inventory, seeded["id"]).location_in("ceph")
        assert location is not None and location.parsed.kind == "rbd"
        assert location.parsed.fsid == lab.fsid and location.parsed.pool == "images"


def test_stores_match_stores_detail(lab: Lab, inventory: Inventory) -> None:
    detail = {s["id"]: s for s in lab.glance("/v2/info/stores/detail").json()["stores"]}
    assert [s.id for s in inventory.stores] == list(detail)
    for store in inventory.stores:
        raw = detail[store.id]
        assert store.source is StoreSource.API
        assert store.type is StoreType(raw["type"]) and store.weight == raw["weight"]
        assert store.is_default == (raw.get("default") == "true")
    ceph = inventory.store("ceph")
    assert ceph is not None and (ceph.rbd_fsid, ceph.rbd_pool) == (lab.fsid, "images")
    fast = inventory.store("fast")
    assert fast is not None and fast.file_data_dir == detail["fast"]["properties"]["data_dir"]


def test_import_methods(lab: Lab, inventory: Inventory) -> None:
    body = lab.glance("/v2/info/import").json()
    assert list(inventory.import_methods) == body["import-methods"]["value"]


def test_cache_node(lab: Lab, inventory: Inventory) -> None:
    body = lab.glance("/v2/cache").json()
    (node,) = inventory.cache_nodes
    assert node.url == lab.glance_url
    assert sorted(e.image_id for e in node.entries) == sorted(
        c["image_id"] for c in body["cached_images"]
    )
    assert sorted(node.queued) == sorted(body["queued_images"])


def test_a_tenant_sees_its_images_and_gaps_for_admin_only_calls(lab: Lab) -> None:
    inv = run(lab, TENANT)
    visible = {i["id"] for i in lab.glance("/v2/images?limit=1000", headers=TENANT).json()[
        "images"]}  # fmt: skip
    assert visible <= {i.id for i in inv.images}
    assert all(i.owner == "project-alpha" or i.visibility != "private" for i in inv.images)
    scopes = {g.scope for g in inv.gaps_for("glance")}
    # a tenant's list is its project's view: other projects' images are a gap too
    assert scopes == {"stores detail", "images of other projects", f"cache node {lab.glance_url}"}
    assert [s.id for s in inv.stores] == ["fast", "cheap", "ceph", "s3", "swift"]
    assert all(s.type is StoreType.UNKNOWN for s in inv.stores)
    assert not inv.is_complete("glance")
