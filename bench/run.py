"""Run every benchmark, each printing its own side-by-side figures.

``make bench`` (or ``.venv/bin/python bench/run.py``). The redaction benchmark checks that
masking secrets stays linear in the input size. The offline benchmark (show, audit, design
on a generated 100,000-image snapshot) runs anywhere, as does the reclaim one
(``reclaim.analyse`` on 100,000 Glance and 300,000 RBD images beside a hash-join baseline).
The collection benchmark needs the lab (``make lab-up``): it starts a bench Glance of its
own beside the lab's, fills it with ``--images`` images (default 20,000) and removes it
afterwards; ``--quick`` uses 2,000 images, one round and one uWSGI process. The apply
benchmark (lab too) copies N images with imageyard apply and with a serial ``glance image-
import`` loop, and converts a 2 GiB qcow2 image to raw, printing the times, the ratio and
the peak RSS. The simulate benchmark replays a 10-million-boot trace through each cache
model (events per second); the boot-path one (lab) times a volume made from the same random
content as raw in RBD, qcow2 in RBD and raw in a file store with ``imageyard probe``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def lab_is_up() -> bool:
    return (Path(os.environ.get("IMAGEYARD_LAB", "/tmp/imageyard-lab")) / "lab.env").is_file()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 images, 1 round, 1 process")
    parser.add_argument("--images", type=int, default=20_000)
    args = parser.parse_args()
    redaction = [sys.executable, str(HERE / "redaction.py")]
    print("$", " ".join(redaction[1:]), flush=True)
    if subprocess.run(redaction, check=False).returncode != 0:
        return 1
    offline = [sys.executable, str(HERE / "offline.py")]
    offline += ["--images", "20000"] if args.quick else []
    print("$", " ".join(offline[1:]), flush=True)
    if subprocess.run(offline, check=False).returncode != 0:
        return 1
    reclaim = [sys.executable, str(HERE / "reclaim.py")]
    reclaim += ["--images", "20000", "--rbd", "60000"] if args.quick else []
    print("$", " ".join(reclaim[1:]), flush=True)
    if subprocess.run(reclaim, check=False).returncode != 0:
        return 1
    simulate = [sys.executable, str(HERE / "simulate.py")]
    simulate += ["--events", "1000000"] if args.quick else []
    print("$", " ".join(simulate[1:]), flush=True)
    if subprocess.run(simulate, check=False).returncode != 0:
        return 1
    if not lab_is_up():
        print("the collection benchmark needs the lab: make lab-up", file=sys.stderr)
        return 2
    scale = ["--images", str(args.images), "--rounds", "2", "--processes", "1,4"]
    if args.quick:
        scale = ["--images", "2000", "--rounds", "1", "--processes", "1"]
    cmd = [sys.executable, str(HERE / "collect_scale.py"), *scale]
    print("$", " ".join(cmd[1:]), flush=True)
    if subprocess.run(cmd, check=False).returncode != 0:
        return 1
    apply = [sys.executable, str(HERE / "apply_throughput.py")]
    apply += ["--images", "8", "--convert-gib", "1"] if args.quick else []
    print("$", " ".join(apply[1:]), flush=True)
    if subprocess.run(apply, check=False).returncode != 0:
        return 1
    boot = [sys.executable, str(HERE / "boot_path.py")]
    boot += ["--sizes", "1"] if args.quick else []
    print("$", " ".join(boot[1:]), flush=True)
    return subprocess.run(boot, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
