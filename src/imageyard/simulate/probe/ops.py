"""The steps a probe performs, each as the consumer's own code does it.

* ``clone``: ``rbd.RBD().clone`` of ``pool/image@snap`` into the consumer's pool, as its cephx
  user (nova ``RBDDriver.clone``, cinder ``_clone``; layering only);
* ``download``: ``GET /v2/images/<id>/file`` streamed to a file (nova ``images.fetch``);
* ``convert``: ``qemu-img convert -t none -O raw -f <format>`` (nova ``fetch_to_raw``);
* ``rbd_import``: the ``rbd import --image-format=2`` command Nova and Cinder run, as the
  consumer's user;
* ``copy_image``: Glance's ``copy-image`` import into a store, polled until the store holds
  the image (nova ``copy_to_store``).

Every failure is a ``ProbeError`` (exit 1) with one line naming the step.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests

from imageyard.errors import ImageyardError
from imageyard.files import os_reason

CHUNK = 4 << 20
TIMEOUTS = {
    "client_mount_timeout": "15",
    "rados_mon_op_timeout": "30",
    "rados_osd_op_timeout": "120",
}


class ProbeError(ImageyardError):
    """A probe step failed."""

    slug = "probe"


@contextmanager
def cluster(conf: str, user: str | None) -> Iterator[Any]:
    """A librados connection with ``conf`` as ``client.<user>``, bounded by timeouts."""
    import rados

    handle = rados.Rados(conffile=conf, rados_id=user or "admin", conf=dict(TIMEOUTS))
    try:
        handle.connect(timeout=15)
    except rados.Error as exc:
        raise ProbeError(f"cannot connect to Ceph with {conf} as client.{user}: {exc}") from None
    try:
        yield handle
    finally:
        handle.shutdown()


def clone(handle: Any, src: tuple[str, str, str], pool: str, name: str) -> None:
    """Clone ``(pool, image, snap)`` to ``pool/name`` (layering, as the drivers do)."""
    import rbd

    src_pool, image, snap = src
    try:
        with handle.open_ioctx(src_pool) as s_io, handle.open_ioctx(pool) as d_io:
            rbd.RBD().clone(s_io, image, snap, d_io, name, features=rbd.RBD_FEATURE_LAYERING)
    except Exception as exc:  # rados.Error and rbd.Error share no base
        raise ProbeError(f"clone of {src_pool}/{image}@{snap} into {pool}: {exc}") from None


def remove(handle: Any, pool: str, name: str) -> bool:
    """Remove ``pool/name``; True when it existed."""
    import rbd

    with handle.open_ioctx(pool) as io:
        try:
            rbd.RBD().remove(io, name)
        except rbd.ImageNotFound:
            return False
    return True


def parent(handle: Any, pool: str, name: str) -> str | None:
    """``pool/image@snap`` of ``pool/name``'s parent; None for a disk without one."""
    import rbd

    try:
        with handle.open_ioctx(pool) as io, rbd.Image(io, name, read_only=True) as disk:
            p_pool, p_image, p_snap = disk.parent_info()
    except rbd.ImageNotFound:  # librbd's answer for "no parent"
        return None
    except Exception as exc:  # rados.Error and rbd.Error share no base
        raise ProbeError(f"reading the parent of {pool}/{name}: {exc}") from None
    return f"{p_pool}/{p_image}@{p_snap}"


def exists(handle: Any, pool: str, name: str) -> bool:
    """True when ``pool/name`` exists."""
    import rbd

    with handle.open_ioctx(pool) as io:
        return name in rbd.RBD().list(io)


def download(endpoint: str, token: str | None, image_id: str, dest: str) -> int:
    """Stream the image's data to ``dest``; the bytes written."""
    url = f"{endpoint.rstrip('/')}/v2/images/{image_id}/file"
    headers = {"X-Auth-Token": token} if token else {}
    written = 0
    try:
        with requests.get(url, headers=headers, stream=True, timeout=(10, 300)) as resp:
            resp.raise_for_status()
            with open(dest, "wb") as out:
                for chunk in resp.iter_content(CHUNK):
                    out.write(chunk)
                    written += len(chunk)
    except requests.RequestException as exc:
        raise ProbeError(f"download of image {image_id}: {exc}") from None
    except OSError as exc:  # the temporary directory's disk is full, say
        raise ProbeError(f"download of image {image_id} to {dest}: {os_reason(exc)}") from None
    return written


def convert(src: str, fmt: str, dest: str) -> int:
    """``qemu-img convert`` ``src`` (format ``fmt``) to raw ``dest``; the raw file's bytes."""
    _run(["qemu-img", "convert", "-t", "none", "-O", "raw", "-f", fmt, src, dest], "convert")
    return os.path.getsize(dest)


def rbd_import(path: str, pool: str, name: str, conf: str, user: str | None) -> int:
    """``rbd import`` ``path`` as ``pool/name``; the file's bytes."""
    cmd = ["rbd", "import", "--pool", pool, path, name, "--image-format=2", "--conf", conf]
    _run([*cmd, "--id", user or "admin"], "rbd import")
    return os.path.getsize(path)


def _run(cmd: list[str], step: str) -> None:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=3600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ProbeError(f"{step}: {exc}") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise ProbeError(f"{step} failed (exit {done.returncode}): {last}")


def copy_image(endpoint: str, token: str | None, image_id: str, store: str) -> None:
    """Ask Glance to copy the image into ``store`` and wait until the store holds it."""
    base = f"{endpoint.rstrip('/')}/v2/images/{image_id}"
    headers = {"X-Auth-Token": token} if token else {}
    body: dict[str, Any] = {"method": {"name": "copy-image"}, "stores": [store]}
    try:
        resp = requests.post(f"{base}/import", json=body, headers=headers, timeout=(10, 60))
        if resp.status_code != 202:
            raise ProbeError(f"copy-image into {store}: HTTP {resp.status_code} {resp.text[:200]}")
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            image = requests.get(base, headers=headers, timeout=(10, 60)).json()
            if store in (image.get("stores") or "").split(","):
                return
            time.sleep(1)
    except requests.RequestException as exc:
        raise ProbeError(f"copy-image into {store}: {exc}") from None
    raise ProbeError(f"copy-image into {store}: not done after 600 s")


def image_locations(endpoint: str, token: str | None, image_id: str) -> list[str]:
    """The image's location URLs as the image GET shows them."""
    headers = {"X-Auth-Token": token} if token else {}
    url = f"{endpoint.rstrip('/')}/v2/images/{image_id}"
    try:
        image = requests.get(url, headers=headers, timeout=(10, 60)).json()
    except (requests.RequestException, ValueError) as exc:
        raise ProbeError(f"image {image_id}: {exc}") from None
    urls = [loc.get("url", "") for loc in image.get("locations") or []]
    return urls or ([image["direct_url"]] if image.get("direct_url") else [])
