"""Fault injection: an incomplete input turns exactly the classes that read it unknown.

Each case plants an orphan of every class the fault could hide, so a class that wrongly
stays "checked" would also report a false orphan.
"""

from __future__ import annotations

from dataclasses import replace

from reclaim_support import (
    OLD,
    add_objects,
    add_rbd,
    healthy,
    rbd,
    run,
    set_listing,
    set_pool,
    uid,
    unknown_classes,
    with_gap,
)

from imageyard.model.config import (
    CinderBackendConfig,
    CinderConfig,
    ConfigValue,
    DeploymentConfig,
    NovaConfig,
)
from imageyard.model.inventory import Inventory
from imageyard.model.objects import StoredObject

ORPHAN = uid(9, "d")
CATALOG = {
    "rbd-no-glance-image",
    "rbd-protected-snap-no-image",
    "rbd-trash-entry",
    "file-no-glance-image",
    "swift-no-glance-image",
    "s3-no-glance-image",
}


def planted() -> Inventory:
    """The healthy inventory plus one candidate in every pool and listing."""
    inv = add_rbd(healthy(), "images", rbd("images", ORPHAN))
    inv = add_rbd(inv, "vms", rbd("vms", f"{uid(6, 'b')}_disk"))
    inv = add_rbd(inv, "volumes", rbd("volumes", f"volume-{uid(6, 'c')}"))
    for store in ("fast", "swift", "s3"):
        inv = add_objects(inv, store, StoredObject(ORPHAN, 10, OLD))
    return inv


def test_every_planted_candidate_is_found_without_faults() -> None:
    result = run(planted())
    assert unknown_classes(result) == set()
    found = {i.class_id for i in result.items}
    assert found == {
        "rbd-no-glance-image",
        "nova-disk-no-server",
        "cinder-volume-no-volume",
        "file-no-glance-image",
        "swift-no-glance-image",
        "s3-no-glance-image",
    }


def test_glance_pagination_failure_makes_the_catalog_classes_unknown() -> None:
    inv = with_gap(planted(), "glance", "images page after marker x", "HTTP 500")
    result = run(inv)
    assert unknown_classes(result) == CATALOG
    assert {i.class_id for i in result.items} == {"nova-disk-no-server", "cinder-volume-no-volume"}


def test_nova_pagination_failure_makes_only_nova_classes_unknown() -> None:
    inv = with_gap(planted(), "nova", "page after marker y", "HTTP 503")
    result = run(inv)
    assert unknown_classes(result) == {"nova-disk-no-server", "image-never-used"}
    assert not result.of_class("nova-disk-no-server")
    assert result.of_class("cinder-volume-no-volume")


def test_eperm_on_the_vms_pool_makes_its_consumer_classes_unknown() -> None:
    inv = set_pool(planted(), "vms", complete=False, error="[errno 1] EPERM", images=())
    result = run(inv)
    assert unknown_classes(result) == {"nova-disk-no-server", "cinder-volume-no-volume"}
    assert {str(u.resource) for u in result.unknowns} == {"pool vms"}
    assert result.of_class("rbd-no-glance-image") and result.of_class("cinder-volume-no-volume")
    assert all(not p.complete for p in result.pins)


def test_eperm_on_the_glance_pool_makes_its_classes_and_locations_unknown() -> None:
    inv = set_pool(planted(), "images", complete=False, error="[errno 1] EPERM", images=())
    result = run(inv)
    assert unknown_classes(result) == {
        "rbd-no-glance-image",
        "rbd-protected-snap-no-image",
        "rbd-trash-entry",
        "rbd-trash-snapshot",
        "location-data-missing",
        "nova-disk-no-server",
        "cinder-volume-no-volume",
    }
    assert not result.of_class("location-data-missing")  # never "missing" when unread


def test_swift_401_makes_the_swift_classes_unknown() -> None:
    inv = set_listing(planted(), "swift", complete=False, error="HTTP 401", objects=())
    result = run(inv)
    assert unknown_classes(result) == {"swift-no-glance-image", "location-data-missing"}
    assert not result.of_class("location-data-missing")
    assert result.of_class("s3-no-glance-image") and result.of_class("file-no-glance-image")


def test_a_store_without_listing_is_unknown_not_empty() -> None:
    inv = replace(planted(), store_listings=planted().store_listings[1:])  # no "fast" listing
    result = run(inv)
    assert unknown_classes(result) == {"file-no-glance-image", "location-data-missing"}


def test_keystone_not_read_makes_deleted_owners_unknown() -> None:
    inv = replace(planted(), sources=tuple(s for s in planted().sources if s.source != "keystone"))
    assert unknown_classes(run(inv)) == {"image-deleted-owner"}


def test_hidden_locations_make_the_location_based_classes_unknown() -> None:
    inv = with_gap(planted(), "glance", "image locations", "locations hidden: 403")
    result = run(inv)
    assert unknown_classes(result) == CATALOG | {"location-data-missing"}


def test_member_gaps_do_not_hide_anything() -> None:
    inv = with_gap(planted(), "glance", f"image {uid(1)} members", "HTTP 500")
    assert unknown_classes(run(inv)) == set()


def _cv(section: str, key: str, value: str) -> ConfigValue:
    return ConfigValue(section, key, value, "/etc/x.conf", 1)


def test_a_configured_consumer_pool_that_was_not_listed_is_unknown() -> None:
    nova = NovaConfig(path="/etc/nova/nova.conf", images_type=_cv("libvirt", "images_type", "rbd"),
                      images_rbd_pool=_cv("libvirt", "images_rbd_pool", "ephemeral"))  # fmt: skip
    backend = CinderBackendConfig(
        section="ceph",
        volume_driver=_cv("ceph", "volume_driver", "cinder.volume.drivers.rbd.RBDDriver"),
        rbd_pool=_cv("ceph", "rbd_pool", "volumes"),  # listed: no unknown
    )
    cinder = CinderConfig(path="/etc/cinder/cinder.conf", backends=(backend,))
    inv = replace(planted(), config=DeploymentConfig(nova=(nova,), cinder=(cinder,)))
    result = run(inv)
    assert unknown_classes(result) == {"nova-disk-no-server"}
    assert [str(u.resource) for u in result.unknowns] == ["pool ephemeral"]


def test_an_unreachable_cluster_makes_the_consumer_classes_unknown() -> None:
    inv = with_gap(planted(), "ceph", "cluster /etc/ceph/ceph.conf", "timed out")
    result = run(inv)
    assert {"nova-disk-no-server", "cinder-volume-no-volume"} <= unknown_classes(result)
    assert "rbd ceph clusters" not in {str(u.resource) for u in result.unknowns}
    assert "ceph clusters" in {str(u.resource) for u in result.unknowns}


def test_ceph_not_collected_makes_the_consumer_classes_unknown() -> None:
    inv = replace(planted(), sources=tuple(s for s in planted().sources if s.source != "ceph"))
    assert {"nova-disk-no-server", "cinder-volume-no-volume"} <= unknown_classes(run(inv))
