"""apply against the glance CLI on the lab: N copy-image operations, and conversion memory.

Two halves of 2N small raw images are made in the lab's ``fast`` file store (names
``iy-apply-bench-...``, all removed afterwards). Each half is copied into the ``ceph``
RBD store, once with a serial shell-style loop of ``glance image-import --import-method
copy-image`` (python-glanceclient from the lab's Glance venv) that waits for each copy
before the next, as a script would, and once with ``imageyard plan make`` +
``imageyard apply`` (``--parallel``). Both times and the ratio are printed, and both must
end with zero errors (every image in ``ceph``). Then an image of ``--convert-gib`` GiB
virtual size (qcow2 in the ``ceph`` store, ``--convert-data-mib`` MiB of random data in it)
is converted to raw by apply, once streamed after downloading the source (``qemu-nbd``
exports the downloaded file as raw into the upload), once streamed with the source read in
place from its RBD snapshot (``--ceph-conf`` of the lab, ``--ceph-user glance``; no
download) and, with ``--convert-file-too``, once through a raw file (``qemu-nbd`` hidden
from ``PATH``); for each, the time, the path apply reports, the peak RSS of the largest
process (apply, qemu-nbd or qemu-img) and the peak local disk used in apply's ``TMPDIR``
(allocated bytes, sampled every 0.1 s) are printed.

Run: ``.venv/bin/python bench/apply_throughput.py --images 20`` (the lab must be up).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import requests

from imageyard.testing.rawdata import raw_bytes

ROOT = Path(__file__).resolve().parents[1]
LAB = Path(os.environ.get("IMAGEYARD_LAB", "/tmp/imageyard-lab"))
IMAGEYARD = [sys.executable, "-m", "imageyard"]


def lab_env() -> dict[str, str]:
    env = {}
    for line in (LAB / "lab.env").read_text().splitlines():
        if line.startswith("export "):
            key, _, value = line[7:].partition("=")
            env[key] = value.strip("'\"")
    return env


def make_image(url: str, name: str, data: bytes, store: str, fmt: str = "raw") -> str:
    r = requests.post(
        f"{url}/v2/images",
        json={"name": name, "disk_format": fmt, "container_format": "bare"},
        timeout=60,
    )
    r.raise_for_status()
    image_id = str(r.json()["id"])
    headers = {"Content-Type": "application/octet-stream", "X-Image-Meta-Store": store}
    requests.put(
        f"{url}/v2/images/{image_id}/file", data=data, headers=headers, timeout=3600
    ).raise_for_status()
    return image_id


def upload_file(url: str, name: str, path: Path, store: str, fmt: str) -> str:
    with open(path, "rb") as fh:
        return make_image(url, name, fh, store, fmt)  # type: ignore[arg-type]


def doc(url: str, image_id: str) -> dict[str, Any]:
    out: dict[str, Any] = requests.get(f"{url}/v2/images/{image_id}", timeout=60).json()
    return out


def copied(url: str, image_id: str, store: str) -> bool:
    d = doc(url, image_id)
    return store in (d.get("stores") or "").split(",") and not d.get("os_glance_import_task")


def cleanup(url: str, prefix: str) -> None:
    for hidden in ("false", "true"):
        r = requests.get(
            f"{url}/v2/images", params={"limit": 1000, "os_hidden": hidden}, timeout=60
        )
        for d in r.json()["images"]:
            if (d.get("name") or "").startswith(prefix):
                requests.delete(f"{url}/v2/images/{d['id']}", timeout=60)


def glance_loop(env: dict[str, str], ids: list[str], store: str) -> tuple[float, int]:
    url = env["GLANCE_LAB_URL"]
    cli = str(Path(env["GLANCE_LAB_VENV"]) / "bin" / "glance")
    cenv = {**os.environ, "OS_IMAGE_URL": url, "OS_AUTH_TOKEN": "lab-no-auth"}
    errors = 0
    start = time.monotonic()
    for image_id in ids:
        done = subprocess.run(
            [cli, "image-import", image_id, "--import-method", "copy-image", "--stores", store],
            env=cenv,
            capture_output=True,
            check=False,
        )
        errors += done.returncode != 0
        while done.returncode == 0 and not copied(url, image_id, store):
            time.sleep(0.5)
    return time.monotonic() - start, errors


def imageyard(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run([*IMAGEYARD, *args], env=env, capture_output=True, text=True, check=False)


def make_plan(env: dict[str, str], tmp: Path, pattern: str) -> Path:
    inv, plan = tmp / "inv.json", tmp / "plan.json"
    imageyard(
        "collect",
        "--config-dir",
        env["IMAGEYARD_LAB_ETC"],
        "--glance-endpoint",
        env["GLANCE_LAB_URL"],
        "-o",
        str(inv),
        "-q",
    )
    made = imageyard("plan", "make", str(inv), "-o", str(plan), "--image", pattern)
    if made.returncode not in (0, 3):
        print(made.stderr.strip(), file=sys.stderr)
    return plan


def apply_run(env: dict[str, str], plan: Path, parallel: int) -> tuple[float, int]:
    start = time.monotonic()
    done = imageyard(
        "apply", str(plan), "--glance-endpoint", env["GLANCE_LAB_URL"], "--parallel", str(parallel)
    )
    if done.returncode != 0:
        print(done.stderr.strip(), file=sys.stderr)
    return time.monotonic() - start, done.returncode


def throughput(env: dict[str, str], n: int, parallel: int, prefix: str, tmp: Path) -> int:
    url = env["GLANCE_LAB_URL"]
    loop_ids = [make_image(url, f"{prefix}-g{i:03d}", raw_bytes(1 << 20), "fast") for i in range(n)]
    ours = [make_image(url, f"{prefix}-y{i:03d}", raw_bytes(1 << 20), "fast") for i in range(n)]
    plan = make_plan(env, tmp, f"{prefix}-y*")
    actions = json.loads(plan.read_text())["actions"]
    assert len(actions) == n and {a["kind"] for a in actions} == {"copy-image"}, actions
    loop_s, loop_err = glance_loop(env, loop_ids, "ceph")
    ours_s, rc = apply_run(env, plan, parallel)
    ours_err = sum(not copied(url, i, "ceph") for i in ours) + (rc != 0)
    loop_err += sum(not copied(url, i, "ceph") for i in loop_ids)
    print(f"copy-image x{n} (1 MiB each, fast -> ceph)")
    print(
        f"  glance image-import loop (serial, waits for each): {loop_s:7.2f} s, {loop_err} errors"
    )
    print(
        f"  imageyard apply --parallel {parallel}:              {ours_s:7.2f} s, {ours_err} errors"
    )
    print(f"  ratio (loop / imageyard): {loop_s / ours_s:.2f}x")
    return int(loop_err + ours_err > 0)


def allocated(path: Path) -> int:
    """Bytes allocated on disk under ``path`` (sparse files count what they hold)."""
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
    return total


class DiskPeak:
    """The most bytes allocated under a directory while it runs, sampled in a thread."""

    def __init__(self, path: Path) -> None:
        self.path, self.peak = path, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, allocated(self.path))
            time.sleep(0.1)

    def __enter__(self) -> DiskPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _no_nbd_path(tmp: Path) -> str:
    """A PATH holding qemu-img but not qemu-nbd (the raw-file fallback)."""
    bin_dir = tmp / "bin-without-nbd"
    bin_dir.mkdir(exist_ok=True)
    for tool in ("qemu-img",):
        found = shutil.which(tool)
        if found and not (bin_dir / tool).exists():
            (bin_dir / tool).symlink_to(found)
    return str(bin_dir)


_MEASURED = (
    "import resource, subprocess, sys; rc = subprocess.call(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
    "sys.exit(rc)"
)


def measured_apply(
    env: dict[str, str], plan: Path, extra: dict[str, str], flags: list[str]
) -> tuple[float, int, int, str]:
    """apply in a wrapper process of its own: seconds, exit code, the peak RSS (KiB) of the
    largest process it ran (apply, qemu-nbd or qemu-img) and how it read the source."""
    args = ["apply", str(plan), "--glance-endpoint", env["GLANCE_LAB_URL"], "--parallel", "1"]
    args += flags
    full = {**os.environ, "PYTHONPATH": str(ROOT / "src"), **extra}
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED, *IMAGEYARD, *args],
        env=full,
        capture_output=True,
        text=True,
        check=False,
    )
    took = time.monotonic() - start
    lines = done.stderr.strip().splitlines()
    if done.returncode != 0:
        print("\n".join(lines[:-1]), file=sys.stderr)
    how = [line.partition("(source ")[2][:-1] for line in done.stdout.splitlines()]
    peak = int(lines[-1]) if lines and lines[-1].isdigit() else 0
    return took, done.returncode, peak, "source " + "".join(how)


def conversion(
    env: dict[str, str], gib: int, data_mib: int, prefix: str, tmp: Path, mode: str
) -> int:
    raw, qcow2 = tmp / "big.raw", tmp / "big.qcow2"
    with open(raw, "wb") as fh:
        fh.truncate(gib << 30)
        step = (gib << 30) // max(data_mib, 1)
        for i in range(data_mib):
            fh.seek(i * step)
            fh.write(os.urandom(1 << 20))
    subprocess.run(
        ["qemu-img", "convert", "-f", "raw", "-O", "qcow2", str(raw), str(qcow2)], check=True
    )
    raw.unlink()
    name = f"{prefix}-big-{mode}"
    upload_file(env["GLANCE_LAB_URL"], name, qcow2, "ceph", "qcow2")
    source_bytes = qcow2.stat().st_size
    qcow2.unlink()
    plans = tmp / f"plan-{mode}"
    plans.mkdir()
    plan = make_plan(env, plans, name)
    work = tmp / f"tmpdir-{mode}"
    work.mkdir()
    extra = {"TMPDIR": str(work)}
    if mode == "file":
        extra["PATH"] = _no_nbd_path(tmp)
    flags = ["--ceph-conf", env["CEPH_CONF"], "--ceph-user", "glance"] if mode == "inplace" else []
    with DiskPeak(work) as disk:
        took, rc, peak, how = measured_apply(env, plan, extra, flags)
    print(
        f"convert-to-raw ({mode}) of a {gib} GiB qcow2 ({data_mib} MiB of data, "
        f"{source_bytes / (1 << 20):.0f} MiB as qcow2): {took:.1f} s, exit {rc}; {how}; "
        f"peak RSS of the largest process {peak / 1024:.0f} MiB; "
        f"peak local disk in TMPDIR {disk.peak / (1 << 20):.0f} MiB"
    )
    return int(rc != 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=20)
    parser.add_argument("--parallel", type=int, default=8)
    parser.add_argument("--convert-gib", type=int, default=2)
    parser.add_argument("--convert-data-mib", type=int, default=256)
    parser.add_argument(
        "--convert-file-too", action="store_true", help="also convert through a raw file"
    )
    args = parser.parse_args()
    if not (LAB / "lab.env").is_file():
        print("the apply benchmark needs the lab: make lab-up", file=sys.stderr)
        return 2
    env = lab_env()
    prefix = f"iy-apply-bench-{uuid.uuid4().hex[:8]}"
    try:
        with tempfile.TemporaryDirectory(prefix="imageyard-bench-") as tmp:
            work = {name: Path(tmp) / name for name in ("copy", "convert")}
            for path in work.values():
                path.mkdir()
            bad = 0
            if args.images:
                bad = throughput(env, args.images, args.parallel, prefix, work["copy"])
            if args.convert_gib:
                gib, mib = args.convert_gib, args.convert_data_mib
                modes = ["stream", "inplace"] + (["file"] if args.convert_file_too else [])
                for mode in modes:
                    bad |= conversion(env, gib, mib, prefix, work["convert"], mode)
    finally:
        cleanup(env["GLANCE_LAB_URL"], prefix)
    return bad


if __name__ == "__main__":
    sys.exit(main())
