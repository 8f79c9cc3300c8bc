"""Helpers for the apply lab tests: own images (unique name prefix), snapshots, the CLI, rbd.

Every image made here is named ``<prefix>-...`` with a prefix unique to the test, and
``cleanup`` deletes every image (hidden ones too) whose name starts with it.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import requests

from imageyard.testing.rawdata import raw_bytes as raw_bytes  # for the lab tests

ROOT = Path(__file__).resolve().parents[2]
IMAGEYARD = [sys.executable, "-m", "imageyard"]


def prefix(area: str) -> str:
    """A name prefix no other test uses."""
    return f"iy-apply-{area}-{uuid.uuid4().hex[:8]}"


def make_image(lab: Any, name: str, data: bytes, store: str, disk_format: str = "raw") -> str:
    """Create an image with ``data`` in ``store``; its id."""
    http: requests.Session = lab.http
    r = http.post(
        lab.glance_url + "/v2/images",
        timeout=30,
        json={"name": name, "disk_format": disk_format, "container_format": "bare"},
    )
    r.raise_for_status()
    image_id = str(r.json()["id"])
    headers = {"Content-Type": "application/octet-stream", "X-Image-Meta-Store": store}
    r = http.put(
        f"{lab.glance_url}/v2/images/{image_id}/file", data=data, headers=headers, timeout=60
    )
    r.raise_for_status()
    return image_id


def image(lab: Any, image_id: str) -> dict[str, Any]:
    r = lab.glance(f"/v2/images/{image_id}")
    r.raise_for_status()
    doc: dict[str, Any] = r.json()
    return doc


def stores(lab: Any, image_id: str) -> set[str]:
    return {s for s in (image(lab, image_id).get("stores") or "").split(",") if s}


def mine(lab: Any, name_prefix: str) -> list[dict[str, Any]]:
    """Every image (hidden ones too) whose name starts with ``name_prefix``."""
    found = []
    for hidden in ("false", "true"):
        r = lab.glance(
            "/v2/images", params={"limit": 1000, "os_hidden": hidden, "visibility": "all"}
        )
        r.raise_for_status()
        found += [i for i in r.json()["images"] if (i.get("name") or "").startswith(name_prefix)]
    return found


def cleanup(lab: Any, name_prefix: str) -> None:
    for doc in mine(lab, name_prefix):
        url = f"{lab.glance_url}/v2/images/{doc['id']}"
        if doc.get("protected"):
            lab.http.patch(
                url,
                data=json.dumps([{"op": "replace", "path": "/protected", "value": False}]),
                timeout=30,
                headers={"Content-Type": "application/openstack-images-v2.1-json-patch"},
            )
        if doc.get("status") == "deactivated":
            lab.http.post(url + "/actions/reactivate", timeout=30)
        lab.http.delete(url, timeout=30)


def run(
    *args: str, check: int | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """``imageyard ARGS`` in a child process (its own lock, its own journal writes)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [*IMAGEYARD, *args], capture_output=True, text=True, env=env, timeout=timeout, check=False
    )
    if check is not None:
        assert done.returncode == check, (done.returncode, done.stdout, done.stderr)
    return done


def snapshot(lab: Any, path: Path) -> Path:
    """A snapshot of the lab's configs and Glance (what plans are made from)."""
    run(
        "collect",
        "--config-dir",
        str(lab.etc),
        "--glance-endpoint",
        lab.glance_url,
        "-o",
        str(path),
        "-q",
        check=0,
    )
    return path


def plan(lab: Any, tmp: Path, *flags: str) -> Path:
    """A plan from a fresh snapshot, with ``flags``."""
    inv = snapshot(lab, tmp / "inv.json")
    out = tmp / "plan.json"
    done = run("plan", "make", str(inv), "-o", str(out), *flags)
    assert done.returncode in (0, 3), done.stderr
    return out


def rbd_images(lab: Any, pool: str = "images") -> set[str]:
    out = subprocess.run(
        ["rbd", "-c", lab.ceph_conf, "--id", "ops", "ls", "-p", pool, "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(out.stdout))


def download_sha512(lab: Any, image_id: str) -> str:
    r = lab.http.get(f"{lab.glance_url}/v2/images/{image_id}/file", timeout=60)
    r.raise_for_status()
    return hashlib.sha512(r.content).hexdigest()
