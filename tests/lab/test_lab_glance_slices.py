"""The sliced, parallel image listing on the real lab Glance: the ids of a plain listing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import pytest

from imageyard.collect.glance import glance_http
from imageyard.collect.glance.parallel import Pacer, ParallelListing
from imageyard.collect.openstack import RetryPolicy

if TYPE_CHECKING:  # tests/ is not a package: conftest is not importable at run time
    from conftest import Lab

pytestmark = [
    pytest.mark.filterwarnings("ignore:The 'service_type' parameter is unnecesary"),
    pytest.mark.filterwarnings("ignore:Support for InfluxDB"),
]
POLICY = RetryPolicy(attempts=3, base_delay=0.2, timeout=30.0)
# two images a page, so the lab's few images make many pages and the slices really split
BASE = {"limit": "2", "visibility": "all", "member_status": "all"}
PASSES = (("images", BASE), ("hidden images", {**BASE, "os_hidden": "true"}))


class Fixed(Pacer):
    """Always ``most`` slices at once."""

    def __init__(self, most: int) -> None:
        super().__init__(most=most, level=most)

    def observe(self, images: int) -> None:
        return


def plain_ids(lab: Lab) -> set[str]:
    """Every image id, by plain requests following ``next`` (both passes)."""
    ids: set[str] = set()
    for hidden in ("false", "true"):
        path: str | None = f"/v2/images?limit=1000&visibility=all&os_hidden={hidden}"
        while path:
            body = lab.glance(path).json()
            ids |= {image["id"] for image in body["images"]}
            path = body.get("next")
    return ids


def test_sliced_listing_returns_the_plain_listing_ids(lab: Lab) -> None:
    before = plain_ids(lab)
    http = glance_http(endpoint=lab.glance_url, policy=POLICY)
    with ThreadPoolExecutor(8) as pool:
        listing = ParallelListing(http, PASSES, pool, Fixed(4), min_split=1)
        pages = list(listing.pages())
    after = plain_ids(lab)  # other tests may add or delete images meanwhile
    ids = [str(image["id"]) for page in pages for image in page]
    assert not listing.errors
    assert len(ids) == len(set(ids))  # no image twice
    assert before & after <= set(ids) <= before | after
    assert len(before & after) >= len(lab.seed["images"]) - 1  # the seed, less the one deleted
    split = [p for p in listing.slices if "created_at" in p.params]
    assert split and listing.most_at_once > 1  # Glance's created_at filter really was used
