"""Run every benchmark, each printing its own side-by-side figures.

``make bench`` (or ``.venv/bin/python bench/run.py``). The lab comparison runs only when
the lab answers; ``--quick`` uses a smaller fake catalog.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent


def lab_is_up() -> bool:
    url = os.environ.get("GLANCE_LAB_URL", "http://127.0.0.1:9292")
    try:
        with urllib.request.urlopen(url + "/versions", timeout=3) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 fake images, 2 rounds")
    args = parser.parse_args()
    scale = ["--images", "20000", "--rounds", "2"] if args.quick else ["--images", "100000"]
    runs = [[*scale]]
    if lab_is_up():
        runs.append(["--images", "0", "--lab", "2000", "--rounds", "3"])
    else:
        print("(lab not up: skipping the lab comparison; make lab-up seed)")
    for extra in runs:
        cmd = [sys.executable, str(HERE / "collect_scale.py"), *extra]
        print("$", " ".join(cmd[1:]), flush=True)
        if subprocess.run(cmd, check=False).returncode != 0:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
