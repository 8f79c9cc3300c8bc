"""Placement by policy on the shared lab, with this test's own images: golden images go to
the Ceph store within its capacity; what does not fit is listed, not copied."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from apply_support import cleanup, make_image, prefix, raw_bytes, run, snapshot, stores


@pytest.fixture
def area(lab: Any) -> Iterator[str]:
    name = prefix("tier")
    yield name
    cleanup(lab, name)


def _ceph_bytes(inventory: Path) -> int:
    doc = json.loads(inventory.read_text())
    return sum(i.get("size") or 0 for i in doc["images"] if "ceph" in (i.get("stores") or []))


def test_golden_images_fill_the_ceph_store_up_to_its_capacity(
    lab: Any, area: str, tmp_path: Path
) -> None:
    size = 256 * 1024
    first = make_image(lab, f"{area}-a", raw_bytes(size), "fast")
    second = make_image(lab, f"{area}-b", raw_bytes(size), "fast")
    for image_id in (first, second):
        r = lab.http.put(f"{lab.glance_url}/v2/images/{image_id}/tags/golden", timeout=30)
        r.raise_for_status()
    inv = snapshot(lab, tmp_path / "inv.json")
    capacity = _ceph_bytes(inv) + size + size // 2  # room for one of the two
    out = tmp_path / "plan.json"
    made = run(
        "plan", "make", str(inv), "-o", str(out), "--no-place", "--no-convert", "--tier",
        "--image", f"{area}-*", "--capacity", f"ceph={capacity}", check=3,
    )  # fmt: skip
    assert f"not placed: {second} -> ceph" in made.stderr
    plan = json.loads(out.read_text())
    assert [(a["kind"], a["image_id"], a["target"]) for a in plan["actions"]] == [
        ("copy-image", first, "ceph")
    ]
    ceph = next(s for s in plan["stores"] if s["store"] == "ceph")
    assert ceph["bytes_peak"] <= ceph["capacity"] == capacity
    shown = run("plan", "show", str(out), check=0).stdout
    assert "Not placed (1):" in shown and "capacity" in shown
    run("apply", str(out), "--glance-endpoint", lab.glance_url, check=0)
    assert stores(lab, first) == {"fast", "ceph"} and stores(lab, second) == {"fast"}
