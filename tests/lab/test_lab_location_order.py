"""The real Glance orders an image's locations by store weight, not by when each copy was made.

store-weights-tied rests on this: the first location after sorting is ``direct_url`` and the
first one Nova and Cinder try. The lab's stores have distinct weights (ceph 80, s3 10), so an
image uploaded to s3 first and copied into ceph afterwards must list ceph first. The test
makes its own image (name prefix ``corpus-``) and deletes it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
import requests
from apply_support import raw_bytes

if TYPE_CHECKING:  # tests/ is not a package: conftest is not importable at run time
    from conftest import Lab

DEADLINE_S = 180.0


def _call(lab: Lab, method: str, path: str, expect: int, **kwargs: Any) -> requests.Response:
    resp = lab.http.request(method, lab.glance_url + path, timeout=60, **kwargs)
    assert resp.status_code == expect, f"{method} {path}: {resp.status_code} {resp.text[:300]}"
    return resp


def _image(lab: Lab, image_id: str) -> dict[str, Any]:
    body: dict[str, Any] = _call(lab, "GET", f"/v2/images/{image_id}", 200).json()
    return body


@pytest.fixture()
def copied_image(lab: Lab) -> Iterator[dict[str, Any]]:
    """A 1 MiB raw image uploaded to s3 (weight 10), then copied into ceph (weight 80)."""
    body = {"name": f"corpus-weight-order-{uuid.uuid4().hex[:8]}", "disk_format": "raw",
            "container_format": "bare"}  # fmt: skip
    image_id = _call(lab, "POST", "/v2/images", 201, json=body).json()["id"]
    try:
        upload = {"Content-Type": "application/octet-stream", "X-Image-Meta-Store": "s3"}
        _call(lab, "PUT", f"/v2/images/{image_id}/file", 204, data=raw_bytes(1 << 20),
              headers=upload)  # fmt: skip
        copy = {"method": {"name": "copy-image"}, "stores": ["ceph"]}
        _call(lab, "POST", f"/v2/images/{image_id}/import", 202, json=copy)
        yield _wait_for_store(lab, image_id, "ceph")
    finally:
        lab.http.delete(f"{lab.glance_url}/v2/images/{image_id}", timeout=60)


def _wait_for_store(lab: Lab, image_id: str, store: str) -> dict[str, Any]:
    end = time.monotonic() + DEADLINE_S
    while True:
        image = _image(lab, image_id)
        assert not image.get("os_glance_failed_import"), image.get("os_glance_failed_import")
        stores = image.get("stores", "").split(",")
        if store in stores and not image.get("os_glance_importing_to_stores"):
            return image
        assert time.monotonic() < end, f"copy into {store} not done: stores {stores}"
        time.sleep(0.5)


def test_locations_follow_weight_not_insertion(lab: Lab, copied_image: dict[str, Any]) -> None:
    order = [loc["metadata"].get("store") for loc in copied_image["locations"]]
    assert order == ["ceph", "s3"]  # copied into ceph last, listed first
    assert copied_image["direct_url"].startswith(f"rbd://{lab.fsid}/")
