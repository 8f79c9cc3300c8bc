"""Why convert-to-raw uploads instead of registering an RBD image it wrote itself: Glance 33
refuses an ``rbd://`` location from a user without the ``service`` role (the lab's admin)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from apply_support import cleanup, image, prefix


@pytest.fixture
def area(lab: Any) -> Iterator[str]:
    name = prefix("location")
    yield name
    cleanup(lab, name)


def test_an_admin_cannot_add_an_rbd_location_to_a_queued_image(lab: Any, area: str) -> None:
    body = {"name": f"{area}-queued", "disk_format": "raw", "container_format": "bare"}
    r = lab.http.post(lab.glance_url + "/v2/images", json=body, timeout=30)
    r.raise_for_status()
    image_id = r.json()["id"]
    url = f"rbd://{lab.fsid}/images/{image_id}/snap"
    r = lab.http.post(
        f"{lab.glance_url}/v2/images/{image_id}/locations", json={"url": url}, timeout=30
    )
    assert r.status_code == 403 and "http store must be enabled" in r.text
    assert image(lab, image_id)["status"] == "queued"  # nothing was registered
