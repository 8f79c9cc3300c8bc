"""Each reclaim class on crafted inventories: found, not found, and spared for safety."""

from __future__ import annotations

from dataclasses import replace

from reclaim_support import (
    DATADIR,
    FSID,
    IMG_FILE,
    IMG_RBD,
    IMG_S3,
    IMG_SWIFT,
    OLD,
    RECENT,
    SERVER,
    SNAP,
    VOLUME,
    add_objects,
    add_rbd,
    clone_of,
    healthy,
    image,
    rbd,
    resources,
    run,
    set_pool,
    spared,
    uid,
    unknown_classes,
)

from imageyard.model.ceph import RbdParentRef, Snapshot, SnapshotNamespace, TrashEntry
from imageyard.model.finding import Confidence
from imageyard.model.identity import Project
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.model.objects import StoredObject, StoreListing

ORPHAN = uid(9, "d")
MISSING = "location-data-missing"


def test_healthy_inventory_has_no_item_and_no_unknown() -> None:
    result = run(healthy())
    assert result.items == ()
    assert result.unknowns == ()
    assert unknown_classes(result) == set()


def test_rbd_image_without_glance_image_is_found_with_its_bytes() -> None:
    result = run(add_rbd(healthy(), "images", rbd("images", ORPHAN, size=5000, used=3000)))
    (item,) = result.of_class("rbd-no-glance-image")
    assert str(item.finding.resource) == f"rbd images/{ORPHAN}"
    assert (item.provisioned, item.used, item.store, item.pool) == (5000, 3000, "ceph", "images")
    assert item.finding.action is not None and item.finding.action.kind == "rbd-trash-move"
    assert dict(item.finding.action.params) == {"fsid": FSID, "pool": "images", "image": ORPHAN}


def test_rbd_image_named_by_a_location_is_not_an_orphan() -> None:
    inv = add_rbd(healthy(), "images", rbd("images", "restored-by-hand"))
    other = image(uid(7), "ceph", f"rbd://{FSID}/images/restored-by-hand/snap")
    result = run(replace(inv, images=(*inv.images, other)))
    assert result.of_class("rbd-no-glance-image") == ()
    assert spared(result, "rbd-no-glance-image", "foreign-name") == 0


def test_protected_snap_without_glance_image_is_its_own_class() -> None:
    result = run(add_rbd(healthy(), "images", rbd("images", ORPHAN, snapshots=(SNAP,))))
    assert resources(result, "rbd-protected-snap-no-image") == {f"rbd images/{ORPHAN}"}
    assert result.of_class("rbd-no-glance-image") == ()


def test_orphan_with_clones_is_flattened_first() -> None:
    inv = add_rbd(healthy(), "images", rbd("images", ORPHAN, snapshots=(SNAP,)))
    inv = add_rbd(inv, "vms", clone_of("vms", f"{uid(5, 'b')}_disk", ORPHAN))
    inv = replace(inv, servers=(*inv.servers, replace(inv.servers[0], id=uid(5, "b"))))
    (item,) = run(inv).of_class("rbd-protected-snap-no-image")
    assert item.finding.action is not None and item.finding.action.kind == "flatten"
    assert dict(item.finding.action.params)["children"] == f"vms/{uid(5, 'b')}_disk"


def test_watchers_young_untimed_and_foreign_names_are_spared_and_counted() -> None:
    inv = add_rbd(
        healthy(),
        "images",
        rbd("images", uid(11, "d"), watchers=1),
        rbd("images", uid(12, "d"), modified=RECENT),
        rbd("images", uid(13, "d"), created=None, modified=None),
        rbd("images", "backup-of-something"),
    )
    result = run(inv)
    assert result.of_class("rbd-no-glance-image") == ()
    for reason in ("watchers", "young", "no-timestamp", "foreign-name"):
        assert spared(result, "rbd-no-glance-image", reason) == 1, reason


def test_grace_period_is_a_setting() -> None:
    import datetime

    inv = add_rbd(healthy(), "images", rbd("images", ORPHAN, modified=RECENT))
    assert run(inv).of_class("rbd-no-glance-image") == ()
    found = run(inv, grace=datetime.timedelta(hours=1)).of_class("rbd-no-glance-image")
    assert len(found) == 1


def test_unread_watchers_lower_confidence_but_still_report() -> None:
    result = run(add_rbd(healthy(), "images", rbd("images", ORPHAN, watchers=None)))
    (item,) = result.of_class("rbd-no-glance-image")
    assert item.finding.confidence.value == "medium"
    assert any("watchers not read" in e.text for e in item.finding.evidence)


def test_file_swift_and_s3_objects_without_image_are_found() -> None:
    inv = add_objects(healthy(), "fast", StoredObject(ORPHAN, 700, OLD))
    inv = add_objects(inv, "swift", StoredObject(ORPHAN, 800, OLD))
    inv = add_objects(inv, "s3", StoredObject(ORPHAN, 900, OLD))
    result = run(inv)
    assert resources(result, "file-no-glance-image") == {f"file {DATADIR}/{ORPHAN}"}
    assert resources(result, "swift-no-glance-image") == {f"swift glance/{ORPHAN}"}
    assert resources(result, "s3-no-glance-image") == {f"s3 glance-s3/{ORPHAN}"}
    assert sum(i.used or 0 for i in result.items) == 700 + 800 + 900


def test_swift_segments_of_a_known_image_and_foreign_objects_are_not_orphans() -> None:
    inv = add_objects(
        healthy(),
        "swift",
        StoredObject(f"{IMG_SWIFT}-00001", 500, OLD),
        StoredObject("someone-elses-backup.tar", 500, OLD),
        StoredObject(ORPHAN, 500, RECENT),
    )
    result = run(inv)
    assert result.of_class("swift-no-glance-image") == ()
    assert spared(result, "swift-no-glance-image", "foreign-name") == 1
    assert spared(result, "swift-no-glance-image", "young") == 1


def test_missing_rbd_image_snapshot_file_and_object_are_found() -> None:
    inv = healthy()
    inv = set_pool(inv, "images", images=(rbd("images", IMG_RBD),))  # the snap is gone
    inv = replace(
        inv,
        store_listings=tuple(replace(x, objects=()) for x in inv.store_listings),
    )
    result = run(inv)
    assert resources(result, "location-data-missing") == {
        f"image {IMG_RBD}",
        f"image {IMG_FILE}",
        f"image {IMG_SWIFT}",
        f"image {IMG_S3}",
    }
    (rbd_item,) = [i for i in result.items if str(i.finding.resource) == f"image {IMG_RBD}"]
    assert "has no snapshot snap" in rbd_item.finding.message
    assert rbd_item.finding.action is not None
    assert rbd_item.finding.action.kind == "delete-location"


def test_location_in_a_pool_the_cluster_does_not_have_is_missing() -> None:
    inv = healthy()
    gone = image(uid(8), "ceph", f"rbd://{FSID}/nopool/{uid(8)}/snap")
    result = run(replace(inv, images=(*inv.images, gone)))
    assert resources(result, "location-data-missing") == {f"image {uid(8)}"}


def test_queued_images_are_not_checked_for_data() -> None:
    inv = healthy()
    queued = image(uid(8), "ceph", f"rbd://{FSID}/images/{uid(8)}/snap", status="importing")
    result = run(replace(inv, images=(*inv.images, queued)))
    assert result.of_class("location-data-missing") == ()


def test_trash_entry_of_a_deleted_image_is_found() -> None:
    entry = TrashEntry("1234abcd", ORPHAN, deleted_at=OLD, size=2000)
    result = run(set_pool(healthy(), "images", trash=(entry,)))
    (item,) = result.of_class("rbd-trash-entry")
    assert str(item.finding.resource) == "rbd-trash images/1234abcd"
    assert item.finding.action is not None and item.finding.action.kind == "rbd-trash-remove"
    assert item.used == 2000


def test_recent_trash_entry_is_spared() -> None:
    entry = TrashEntry("1234abcd", ORPHAN, deleted_at=RECENT, size=2000)
    result = run(set_pool(healthy(), "images", trash=(entry,)))
    assert result.of_class("rbd-trash-entry") == ()
    assert spared(result, "rbd-trash-entry", "young") == 1


def test_trash_namespace_snapshot_held_by_v2_clones() -> None:
    trashed = Snapshot(
        "8a2c", 9, 4000, namespace=SnapshotNamespace.TRASH, trash_original_name="snap"
    )
    inv = add_rbd(healthy(), "images", rbd("images", ORPHAN, snapshots=(trashed,)))
    child = rbd("vms", f"{SERVER}_disk.local", parent=RbdParentRef("images", ORPHAN, "8a2c"))
    result = run(add_rbd(inv, "vms", child))
    (item,) = result.of_class("rbd-trash-snapshot")
    assert item.finding.action is not None and item.finding.action.kind == "flatten"
    assert dict(item.finding.action.params)["children"] == f"vms/{SERVER}_disk.local"


def test_nova_and_cinder_leftovers() -> None:
    gone_server, gone_volume = uid(6, "b"), uid(6, "c")
    inv = add_rbd(
        healthy(),
        "vms",
        rbd("vms", f"{gone_server}_disk"),
        rbd("vms", f"{gone_server}_disk.config"),
        rbd("vms", f"{SERVER}_disk.swap"),
    )
    inv = add_rbd(inv, "volumes", rbd("volumes", f"volume-{gone_volume}.deleted"))
    result = run(inv)
    assert resources(result, "nova-disk-no-server") == {
        f"rbd vms/{gone_server}_disk",
        f"rbd vms/{gone_server}_disk.config",
    }
    assert resources(result, "cinder-volume-no-volume") == {
        f"rbd volumes/volume-{gone_volume}.deleted"
    }
    assert f"volume-{VOLUME}" not in str(resources(result, "cinder-volume-no-volume"))


def test_consumer_names_in_the_glance_pool_are_left_to_the_consumer_classes() -> None:
    result = run(add_rbd(healthy(), "images", rbd("images", f"{uid(6, 'b')}_disk")))
    assert result.of_class("rbd-no-glance-image") == ()
    assert resources(result, "nova-disk-no-server") == {f"rbd images/{uid(6, 'b')}_disk"}


def test_pin_graph_depth_kinds_and_flatten_cost() -> None:
    inv = add_rbd(
        healthy(),
        "volumes",
        rbd(
            "volumes",
            f"volume-{uid(2, 'c')}",
            size=8000,
            parent=RbdParentRef("volumes", f"volume-{VOLUME}", f"volume-{uid(2, 'c')}.clone_snap"),
        ),
    )
    (pin,) = run(inv).pins
    assert pin.image_id == IMG_RBD and pin.depth == 2
    assert {n.spec: (n.kind, n.depth) for n in pin.nodes} == {
        f"vms/{SERVER}_disk": ("instance-disk", 1),
        f"volumes/volume-{VOLUME}": ("volume", 1),
        f"volumes/volume-{uid(2, 'c')}": ("volume", 2),
    }
    # each direct clone would receive the parent's 1000 used bytes
    assert pin.flatten_bytes == 2000
    assert [n.spec for n in pin.direct] == [f"vms/{SERVER}_disk", f"volumes/volume-{VOLUME}"]


def test_duplicates_keep_public_then_most_used_and_give_the_reason() -> None:
    inv = healthy()
    same = {"os_hash_value": "h-same", "size": 3000}
    a = image(uid(21), "ceph", f"rbd://{FSID}/images/{uid(21)}/snap", **same)
    b = image(uid(22), "fast", f"file://{DATADIR}/{uid(22)}", visibility="public", **same)
    c = image(uid(23), "fast", f"file://{DATADIR}/{uid(23)}", **same)
    result = run(replace(inv, images=(*inv.images, a, b, c)))
    (group,) = result.duplicates
    assert group.images[0].id == uid(22) and group.reason == "public"
    assert resources(result, "duplicate-image") == {f"image {uid(21)}", f"image {uid(23)}"}
    assert group.surplus_bytes == 6000


def test_duplicates_fall_back_to_checksum() -> None:
    inv = healthy()
    same = {"os_hash_value": None, "os_hash_algo": None, "checksum": "md5-same"}
    a = image(uid(21), "fast", f"file://{DATADIR}/{uid(21)}", **same)
    b = image(uid(22), "fast", f"file://{DATADIR}/{uid(22)}", created_at=OLD, **same)
    (group,) = run(replace(inv, images=(*inv.images, a, b))).duplicates
    assert (group.algo, group.images[0].id) == ("md5", uid(22))
    assert group.reason.startswith("oldest")


def test_duplicate_in_use_is_for_review_only() -> None:
    inv = healthy()
    twin = image(uid(21), "fast", f"file://{DATADIR}/{uid(21)}", os_hash_value=f"hash-{IMG_RBD}")
    result = run(replace(inv, images=(*inv.images, twin)))
    (group,) = result.duplicates
    assert group.images[0].id == IMG_RBD  # used by a server and a volume
    (item,) = result.of_class("duplicate-image")
    assert item.finding.action is not None and item.finding.action.kind == "delete-image"


def test_raw_qcow2_pair_is_a_conversion_not_a_duplicate() -> None:
    inv = healthy()
    raw = image(uid(31), "ceph", f"rbd://{FSID}/images/{uid(31)}/snap", name="ubuntu-24.04-raw",
                virtual_size=10_000)  # fmt: skip
    qcow = image(uid(32), "fast", f"file://{DATADIR}/{uid(32)}", name="ubuntu-24.04.qcow2",
                 disk_format="qcow2", virtual_size=10_000)  # fmt: skip
    result = run(replace(inv, images=(*inv.images, raw, qcow)))
    assert [(c.raw.id, c.qcow2.id) for c in result.conversions] == [(uid(31), uid(32))]
    assert result.duplicates == ()


def test_stale_classes() -> None:
    inv = healthy()
    gone = image(uid(41), "fast", f"file://{DATADIR}/{uid(41)}", owner="p-deleted")
    old = image(uid(42), "fast", f"file://{DATADIR}/{uid(42)}", created_at=OLD)
    stuck = image(uid(43), "ceph", "", status="queued", locations=(), stores=(), updated_at=OLD)
    fresh = image(uid(44), "ceph", "", status="importing", locations=(), stores=(),
                  updated_at=RECENT)  # fmt: skip
    inv = replace(inv, images=(*inv.images, gone, old, stuck, fresh))
    inv = add_objects(inv, "fast", StoredObject(uid(41), 1, OLD), StoredObject(uid(42), 1, OLD))
    result = run(inv)
    assert resources(result, "image-deleted-owner") == {f"image {uid(41)}"}
    assert resources(result, "image-never-used") == {f"image {uid(42)}"}
    assert resources(result, "image-stuck") == {f"image {uid(43)}"}


def test_import_staging_leftovers() -> None:
    inv = healthy()
    importing = image(uid(51), "ceph", "", status="importing", locations=(), stores=())
    staging = StoreListing(
        "os_glance_staging_store",
        "file",
        "/var/lib/glance/staging",
        (StoredObject(uid(51), 5, OLD), StoredObject(uid(52), 5, OLD),
         StoredObject(f"{uid(53)}.qcow2", 5, OLD)),
    )  # fmt: skip
    inv = replace(
        inv, images=(*inv.images, importing), store_listings=(*inv.store_listings, staging)
    )
    result = run(inv)
    assert resources(result, "import-staging-leftover") == {
        f"file /var/lib/glance/staging/{uid(52)}",
        f"file /var/lib/glance/staging/{uid(53)}.qcow2",
    }


STAGE_DIR = "/var/lib/glance/staging"


def _staged(
    *objects: StoredObject, complete: bool = True, error: str | None = None
) -> StoreListing:
    return StoreListing("os_glance_staging_store", "file", STAGE_DIR, objects, complete, error)


def _with_staging(listing: StoreListing, *images: Image) -> Inventory:
    inv = healthy()
    return replace(
        inv,
        images=(*inv.images, *images),
        store_listings=(*inv.store_listings, listing),
    )


def test_staging_file_of_a_finished_or_absent_image_is_a_leftover_with_bytes() -> None:
    done = image(uid(61), "ceph", "", status="active")
    killed = image(uid(62), "ceph", "", status="killed", locations=(), stores=())
    listing = _staged(StoredObject(uid(61), 700, OLD), StoredObject(uid(62), 800, OLD),
                      StoredObject(f"{uid(63)}.qcow2", 900, OLD))  # fmt: skip
    result = run(_with_staging(listing, done, killed))
    found = {str(i.finding.resource): i for i in result.of_class("import-staging-leftover")}
    assert set(found) == {f"file {STAGE_DIR}/{uid(61)}", f"file {STAGE_DIR}/{uid(62)}",
                          f"file {STAGE_DIR}/{uid(63)}.qcow2"}  # fmt: skip
    item = found[f"file {STAGE_DIR}/{uid(61)}"]
    assert (item.used, item.provisioned, item.store) == (700, 700, "os_glance_staging_store")
    assert item.finding.action is not None and item.finding.action.kind == "delete-object"
    assert dict(item.finding.action.params)["name"] == uid(61)
    assert "is active" in item.finding.message
    assert "no such image" in found[f"file {STAGE_DIR}/{uid(63)}.qcow2"].finding.message


def test_staging_file_of_an_image_being_uploaded_or_imported_is_not_a_leftover() -> None:
    uploading = image(uid(64), "ceph", "", status="uploading", locations=(), stores=())
    importing = image(uid(65), "ceph", "", status="importing", locations=(), stores=())
    listing = _staged(StoredObject(uid(64), 5, OLD), StoredObject(f"{uid(65)}.raw", 5, OLD))
    result = run(_with_staging(listing, uploading, importing))
    assert result.of_class("import-staging-leftover") == ()
    assert "import-staging-leftover" not in unknown_classes(result)


def test_a_young_staging_file_is_spared_and_counted() -> None:
    listing = _staged(StoredObject(uid(66), 5, RECENT), StoredObject(uid(67), 5, None))
    result = run(_with_staging(listing))
    assert result.of_class("import-staging-leftover") == ()
    assert spared(result, "import-staging-leftover", "young") == 1
    assert spared(result, "import-staging-leftover", "no-timestamp") == 1


def test_a_copy_still_listed_as_importing_is_reported_with_medium_confidence() -> None:
    copying = image(uid(68), "ceph", "", status="active", os_glance_importing_to_stores=("fast",))
    result = run(_with_staging(_staged(StoredObject(uid(68), 5, OLD)), copying))
    (item,) = result.of_class("import-staging-leftover")
    assert item.finding.confidence.value == "medium"
    assert "os_glance_importing_to_stores" in item.finding.message


def test_an_incomplete_staging_listing_is_unknown_never_a_leftover() -> None:
    listing = _staged(complete=False, error="/var/lib/glance/staging: Permission denied")
    result = run(_with_staging(listing))
    assert result.of_class("import-staging-leftover") == ()
    assert "import-staging-leftover" in unknown_classes(result)


def test_totals_add_up_per_class_store_and_pool() -> None:
    inv = add_rbd(healthy(), "images", rbd("images", ORPHAN, used=3000))
    inv = add_rbd(inv, "images", rbd("images", uid(12, "d"), used=500, watchers=2))
    inv = add_objects(inv, "fast", StoredObject(uid(14, "d"), 700, OLD))
    result = run(inv)
    rows = {(t.kind, t.name): t for t in result.totals}
    assert rows[("class", "rbd-no-glance-image")].reclaimable == 3000
    assert rows[("class", "rbd-no-glance-image")].unknown == 500
    assert rows[("pool", "images")].used == 1000 + 3000 + 500
    assert rows[("pool", "images")].reclaimable == 3000
    assert rows[("store", "ceph")].reclaimable == 3000
    assert rows[("store", "fast")].reclaimable == 700
    assert rows[("store", "fast")].used == 1000 + 700


def test_projects_of_keystone_decide_deleted_owners_only_when_complete() -> None:
    inv = replace(healthy(), projects=(Project("someone-else"),))
    result = run(inv)
    assert len(result.of_class("image-deleted-owner")) == 4


def test_interrupted_copy_named_after_a_live_image_is_found() -> None:
    # copy-image fast -> ceph died after creating images/<id>: the image has no ceph location
    result = run(add_rbd(healthy(), "images", rbd("images", IMG_FILE)))
    (item,) = result.of_class("rbd-no-glance-image")
    assert str(item.finding.resource) == f"rbd images/{IMG_FILE}"
    assert "no Glance location" in item.finding.message
    assert any("none of its locations" in e.text for e in item.finding.evidence)


def test_image_whose_locations_were_not_read_is_spared() -> None:
    from reclaim_support import with_gap

    inv = add_rbd(healthy(), "images", rbd("images", IMG_FILE))
    inv = with_gap(inv, "glance", f"image {IMG_FILE} locations", "HTTP 500")
    result = run(inv)
    assert result.of_class("rbd-no-glance-image") == ()
    assert spared(result, "rbd-no-glance-image", "locations-unknown") == 1


def test_legacy_and_direct_url_references_count() -> None:
    inv = add_rbd(healthy(), "images", rbd("images", "legacy-name"), rbd("images", uid(71)))
    legacy = image(uid(72), "ceph", "rbd://legacy-name")
    direct = image(uid(73), "ceph", "", locations=(),
                   direct_url=f"rbd://{FSID}/images/{uid(71)}/snap")  # fmt: skip
    result = run(replace(inv, images=(*inv.images, legacy, direct)))
    assert result.of_class("rbd-no-glance-image") == ()
    assert spared(result, "rbd-no-glance-image", "foreign-name") == 0


def test_trash_entry_held_by_a_v2_clone_is_flattened_first() -> None:
    held = Snapshot(
        "c0ffee", 3, 4000, namespace=SnapshotNamespace.TRASH, trash_original_name="snap"
    )
    entry = TrashEntry("5ca1ab1e", ORPHAN, deleted_at=OLD, size=4000, snapshots=(held,))
    ref = RbdParentRef("images", ORPHAN, "c0ffee", image_id="5ca1ab1e", in_trash=True)
    child = rbd("vms", f"{SERVER}_disk.eph0", parent=ref)
    inv = add_rbd(set_pool(healthy(), "images", trash=(entry,)), "vms", child)
    (item,) = run(inv).of_class("rbd-trash-entry")
    assert item.finding.action is not None and item.finding.action.kind == "flatten"
    assert dict(item.finding.action.params)["children"] == f"vms/{SERVER}_disk.eph0"
    assert any("trash namespace: snap" in e.text for e in item.finding.evidence)


def test_pin_delete_answer_depends_on_the_clone_format() -> None:
    def answer(*op_features: tuple[str, ...], known: bool = True) -> bool | None:
        inv = healthy()
        children = tuple(
            clone_of("vms", f"{uid(80 + n, 'b')}_disk", IMG_RBD, op_features=ops,
                     features_known=known)
            for n, ops in enumerate(op_features)
        )  # fmt: skip
        inv = set_pool(inv, "vms", images=children)
        inv = set_pool(inv, "volumes", images=())
        (pin,) = run(inv).pins
        return pin.delete_returns_409

    assert answer(("clone-child",), ("clone-child",)) is False  # v2 only: 204, RBD trash
    assert answer(("clone-child",), ()) is True  # one v1 clone: 409
    assert answer((), known=False) is None  # features not read


def test_data_a_user_moved_to_the_rbd_trash_is_restored_not_its_location_dropped() -> None:
    inv = healthy()
    gone = image(uid(12), "ceph", f"rbd://{FSID}/images/{uid(12)}/snap")
    user = TrashEntry("7rash", uid(12), deleted_at=OLD, size=4000, snapshots=(SNAP,))
    inv = set_pool(replace(inv, images=(*inv.images, gone)), "images", trash=(user,))
    (item,) = run(inv).of_class("location-data-missing")
    assert "in the RBD trash as 7rash" in item.finding.message
    assert item.finding.action is not None and item.finding.action.kind == "rbd-trash-restore"
    params = dict(item.finding.action.params)
    assert (params["pool"], params["name"], params["trash_id"]) == ("images", uid(12), "7rash")
    assert run(inv).of_class("rbd-trash-entry") == ()  # Glance still has the image
    moving = replace(user, source="MIGRATION")  # not the user's: nothing to restore
    (item,) = run(set_pool(inv, "images", trash=(moving,))).of_class("location-data-missing")
    assert item.finding.action is not None and item.finding.action.kind == "delete-location"


def test_data_of_a_copy_glance_still_says_is_under_way_is_only_medium_confidence() -> None:
    inv = healthy()
    copying = image(uid(13), "fast", f"file://{DATADIR}/{uid(13)}")
    inv = add_rbd(replace(inv, images=(*inv.images, copying)), "images", rbd("images", uid(13)))
    inv = add_objects(inv, "fast", StoredObject(uid(13), 1000, OLD))
    (item,) = run(inv).of_class("rbd-no-glance-image")
    assert item.finding.confidence is Confidence.HIGH  # the copy ended: its leftover
    busy = replace(copying, os_glance_importing_to_stores=("ceph",))
    inv = replace(inv, images=(*inv.images[:-1], busy))
    (item,) = run(inv).of_class("rbd-no-glance-image")
    assert item.finding.confidence is Confidence.MEDIUM  # the task may still write it


def test_a_store_never_listed_is_one_unknown_scope_named_by_its_first_object_location() -> None:
    inv = healthy()
    cold = (
        image(uid(11), "cold", "https://mirror.example/cold.img"),  # no object: not a scope
        image(uid(12), "cold", "file:///srv/cold/" + uid(12)),
        image(uid(13), "cold", "file:///srv/cold/" + uid(13)),
        image(uid(14), "web", "https://mirror.example/web.img"),
    )
    result = run(replace(inv, images=(*inv.images, *cold)))
    scopes = [(str(u.resource), u.reason) for u in result.unknowns if u.rule_id == MISSING]
    assert scopes == [("store cold", "store cold was not listed")]
    assert result.of_class(MISSING) == ()
