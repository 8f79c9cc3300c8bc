"""The design's per-store index: the images each store holds, as a scan would find them."""

from __future__ import annotations

from imageyard.design.holdings import holding
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory


def test_holding_is_the_scan_of_the_catalog_per_store() -> None:
    images = (
        Image(id="a", stores=("ceph", "fast")),
        Image(id="b", stores=("fast", "fast")),  # listed twice, held once
        Image(id="c"),
        Image(id="d", stores=("ceph",)),
    )
    inv = Inventory(images=images)
    for store in ("ceph", "fast", "s3"):
        assert holding(inv, store) == tuple(i for i in images if store in i.stores)
    assert [i.id for i in holding(inv, "fast")] == ["a", "b"]
    assert holding(Inventory(), "ceph") == ()
