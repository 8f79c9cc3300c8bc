"""Disk-ready time of the same content by path: raw in RBD, qcow2 in RBD, raw in a file store.

Needs the lab. For each size (``--sizes``, GiB; default 1 and 8) it writes random content
(not zeros: ``rbd`` skips zero blocks), uploads it three times to the lab's Glance (raw to
the ``ceph`` store, qcow2 to ``ceph``, raw to the ``fast`` file store; hidden images named
``iybench-boot-*``; each local file removed once uploaded), collects a snapshot and runs
``imageyard probe volume`` on the lab's Cinder backend for each: a clone, a
download-convert-import and a download-import. Prints each path's steps and disk-ready time
and the ratios to the clone. A size is skipped, with the reason, when the OSD has less than
3.5 times the size available (the two RBD copies plus an import), or the temporary
directory less than 3 times (the content, then a download and its conversion). The images,
files and scratch volumes are removed afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

import requests

from imageyard.testing.rawdata import raw_bytes

GiB = 1 << 30
CHUNK = 16 << 20
LAB = Path(os.environ.get("IMAGEYARD_LAB", "/tmp/imageyard-lab"))
VARIANTS = (("raw-in-rbd", "raw", "ceph"), ("qcow2-in-rbd", "qcow2", "ceph"),
            ("raw-in-file", "raw", "fast"))  # fmt: skip


def lab_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for line in (LAB / "lab.env").read_text().splitlines():
        if line.startswith("export ") and "=" in line:
            key, _, value = line[7:].partition("=")
            env[key] = value.strip("'\"")
    return env


def osd_available(conf: str) -> int:
    import rados

    cluster = rados.Rados(conffile=conf, rados_id="admin")
    cluster.connect(timeout=15)
    try:
        ret, out, _ = cluster.mon_command(json.dumps({"prefix": "df", "format": "json"}), b"")
        return int(json.loads(out)["stats"]["total_avail_bytes"]) if ret == 0 else 0
    finally:
        cluster.shutdown()


def random_file(path: Path, size: int) -> None:
    """``size`` random bytes that Glance's upload checks take for raw (the first chunk's
    from ``raw_bytes``)."""
    with path.open("wb") as out:
        left = size
        while left:
            n = min(CHUNK, left)
            out.write(raw_bytes(n) if left == size else os.urandom(n))
            left -= n


def upload(glance: str, name: str, fmt: str, store: str, path: Path) -> str:
    http = requests.Session()
    http.trust_env = False
    body = {"name": name, "disk_format": fmt, "container_format": "bare", "os_hidden": True}
    image = http.post(f"{glance}/v2/images", json=body, timeout=60)
    image.raise_for_status()
    image_id: str = image.json()["id"]
    headers = {"Content-Type": "application/octet-stream", "X-Image-Meta-Store": store}
    with path.open("rb") as data:
        done = http.put(f"{glance}/v2/images/{image_id}/file", data=data, headers=headers,
                        timeout=3600)  # fmt: skip
    done.raise_for_status()
    return image_id


def imageyard(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "imageyard", *args]
    return subprocess.run(cmd, capture_output=True, text=True, check=False)


def measure(size_gib: float, env: dict[str, str], tmp: Path) -> dict[str, dict[str, Any]]:
    glance, etc = env["GLANCE_LAB_URL"], Path(env["IMAGEYARD_LAB_ETC"])
    raw, qcow2 = tmp / "content.raw", tmp / "content.qcow2"
    random_file(raw, int(size_gib * GiB))
    subprocess.run(["qemu-img", "convert", "-O", "qcow2", "-f", "raw", str(raw), str(qcow2)],
                   check=True)  # fmt: skip
    tag, ids = uuid.uuid4().hex[:8], {}
    try:
        # one file at a time, each removed once uploaded: the probes' downloads and
        # conversions need the room (an 8 GiB run holds 16 GiB here at its peak)
        for data, variants in ((qcow2, ["qcow2-in-rbd"]), (raw, ["raw-in-rbd", "raw-in-file"])):
            for name in variants:
                _, fmt, store = next(v for v in VARIANTS if v[0] == name)
                ids[name] = upload(glance, f"iybench-boot-{tag}-{size_gib:g}g-{name}", fmt,
                                   store, data)  # fmt: skip
            data.unlink()
        return probe_all({n: ids[n] for n, _, _ in VARIANTS}, glance, etc, tmp)
    finally:
        for image_id in ids.values():
            requests.delete(f"{glance}/v2/images/{image_id}", timeout=120)


def probe_all(ids: dict[str, str], glance: str, etc: Path, tmp: Path) -> dict[str, Any]:
    snapshot = tmp / "inv.json"
    done = imageyard("collect", "-q", "--config-dir", str(etc), "--glance-endpoint", glance,
                     "--ceph-user", "ops", "-o", str(snapshot))  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"collect failed: {done.stderr.strip()}")
    results = {}
    for name, image_id in ids.items():
        probe = imageyard("probe", "volume", image_id, "--inventory", str(snapshot),
                          "--cinder-conf", str(etc / "cinder.conf"), "--glance-endpoint",
                          glance, "-f", "json")  # fmt: skip
        if probe.returncode != 0:
            raise SystemExit(f"probe of {name} failed: {probe.stderr.strip()}")
        results[name] = json.loads(probe.stdout)
        doc = results[name]
        print(f"  probed {name}: {doc['path']}, disk ready {doc['total_seconds']:.3f} s",
              file=sys.stderr, flush=True)  # fmt: skip
    return results


def report(size_gib: float, results: dict[str, dict[str, Any]]) -> None:
    clone = results["raw-in-rbd"]["total_seconds"]
    print(f"{size_gib:g} GiB of random content, Cinder volume from image (lab backend 'ceph'):")
    for name, doc in results.items():
        steps = ", ".join(f"{s['name']} {s['seconds']:.3f} s" for s in doc["steps"])
        ratio = doc["total_seconds"] / clone if clone else float("inf")
        print(f"  {name:<13} {doc['path']:<24} disk ready {doc['total_seconds']:8.3f} s "
              f"({ratio:7.1f}x the clone)  [{steps}]")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,8", help="GiB, comma separated (fractions allowed)")
    args = parser.parse_args()
    env = lab_env()
    for size_gib in (float(s) for s in args.sizes.split(",")):
        avail = osd_available(env["CEPH_CONF"])
        if avail < 3.5 * size_gib * GiB:
            print(f"{size_gib:g} GiB: skipped: the lab OSD has {avail / GiB:.1f} GiB available, "
                  f"{3.5 * size_gib:.1f} GiB needed (IMAGEYARD_LAB_OSD_BYTES)")  # fmt: skip
            continue
        free = shutil.disk_usage(tempfile.gettempdir()).free
        if free < 3 * size_gib * GiB:
            print(f"{size_gib:g} GiB: skipped: {free / GiB:.1f} GiB free for temporary files, "
                  f"{3 * size_gib:.1f} GiB needed (the content twice, then a probe's "
                  "download and conversion)")  # fmt: skip
            continue
        with tempfile.TemporaryDirectory(prefix="iybench-boot-") as tmp:
            report(size_gib, measure(size_gib, env, Path(tmp)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
