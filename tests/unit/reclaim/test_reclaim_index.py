"""The reclaim index: what the Glance locations and direct URLs name."""

from __future__ import annotations

from reclaim_support import FSID, image, uid

from imageyard.model.inventory import Inventory
from imageyard.reclaim.index import Index


def test_a_direct_url_is_a_reference_of_no_store_whether_or_not_it_is_a_location() -> None:
    path = "/var/lib/glance/images/" + uid(1)
    same = image(uid(1), "fast", f"file://{path}", direct_url=f"file://{path}")
    other = image(uid(2), "ceph", f"rbd://{FSID}/images/{uid(2)}/snap",
                  direct_url=f"rbd://{FSID}/backup/{uid(2)}/snap")  # fmt: skip
    hidden = image(uid(3), "s3", "", locations=(), direct_url="s3://k:s@h/bucket/obj-3")
    idx = Index.of(Inventory(images=(same, other, hidden)))
    assert idx.object_refs == {"fast": frozenset({path}), "": frozenset({path, "obj-3"})}
    assert idx.rbd_refs == {(FSID, "images", uid(2)), (FSID, "backup", uid(2))}
    assert idx.referenced(FSID, "backup", uid(2)) and not idx.referenced(FSID, "vms", uid(2))
