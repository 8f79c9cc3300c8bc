"""Crash test: apply killed with SIGKILL at random points, resumed, always ends the same.

A plan of 50 actions (25 small images of 64 KiB moved between the ``fast`` file store and
the ``ceph`` RBD store: a copy-image, then a delete-from-store each) is applied in rounds
that alternate the direction; in each round apply is started and killed with SIGKILL
``KILLS`` times, each time once its journal has grown by a random 1 to 4 events and a random
further pause of up to 0.3 s (so the kill lands inside a step, on any machine speed), then
run to the end (2 rounds of 10 kills by default;
``IMAGEYARD_CRASH_ROUNDS`` and ``IMAGEYARD_CRASH_KILLS`` ask for more). After every round,
Glance and the RBD pool must show exactly the planned final state: each image in the target
store only, with one location, its hash unchanged, its RBD image present exactly when it is
in ``ceph``, its file present exactly when it is in ``fast``, and no image made or lost. The
seed is printed (``IMAGEYARD_CRASH_SEED`` repeats a run).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from apply_support import (
    IMAGEYARD,
    ROOT,
    cleanup,
    download_sha512,
    image,
    make_image,
    mine,
    plan,
    prefix,
    raw_bytes,
    rbd_images,
    run,
)

IMAGES = 25
ROUNDS = int(os.environ.get("IMAGEYARD_CRASH_ROUNDS", "2"))
KILLS = int(os.environ.get("IMAGEYARD_CRASH_KILLS", "10"))  # 20 kills in all by default
DIRECTIONS = (("fast", "ceph"), ("ceph", "fast"))


@pytest.fixture
def area(lab: Any) -> Iterator[str]:
    name = prefix("crash")
    yield name
    cleanup(lab, name)


def _events(journal: Path) -> int:
    try:
        return journal.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def _killed_run(lab: Any, plan_file: Path, events: int, pause: float) -> int | None:
    """Run apply; SIGKILL it once ``events`` more journal events were written and ``pause``
    seconds more have passed. The exit code when it finished first, else None."""
    journal = Path(f"{plan_file}.journal")
    target = _events(journal) + events
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    argv = [
        *IMAGEYARD,
        "apply",
        str(plan_file),
        "--glance-endpoint",
        lab.glance_url,
        "--yes-destroy",
        "--parallel",
        "6",
    ]
    child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while _events(journal) < target and time.monotonic() < deadline:
        if child.poll() is not None:
            return child.returncode  # finished before the kill
        time.sleep(0.01)
    try:
        return child.wait(timeout=pause)  # finished before the kill
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGKILL)
        child.wait()
        return None


def _check(lab: Any, area: str, ids: list[str], hashes: dict[str, str], target: str) -> None:
    assert sorted(d["id"] for d in mine(lab, area)) == sorted(ids)  # none made, none lost
    pool = rbd_images(lab)
    data = Path(lab.root) / "glance" / "data" / "fast"
    for i in ids:
        doc = image(lab, i)
        assert doc["stores"] == target, (i, doc["stores"])
        assert [loc["metadata"].get("store") for loc in doc["locations"]] == [target]
        assert doc["os_hash_value"] == hashes[i] and doc["status"] == "active"
        assert (i in pool) == (target == "ceph")
        assert (data / i).exists() == (target == "fast")


def test_sigkill_at_random_points_then_resume_ends_in_the_planned_state(
    lab: Any, area: str, tmp_path: Path
) -> None:
    seed = int(os.environ.get("IMAGEYARD_CRASH_SEED", time.time_ns() % 1_000_000))
    print(f"IMAGEYARD_CRASH_SEED={seed}")
    rng = random.Random(seed)
    ids = [make_image(lab, f"{area}-{n:02d}", raw_bytes(64 * 1024), "fast") for n in range(IMAGES)]
    hashes = {i: str(image(lab, i)["os_hash_value"]) for i in ids}
    killed = 0
    for r in range(ROUNDS):
        source, dest = DIRECTIONS[r % 2]
        work = tmp_path / f"round{r}"
        work.mkdir()
        plan_file = plan(
            lab,
            work,
            "--image",
            f"{area}-*",
            "--no-place",
            "--no-convert",
            "--move",
            f"{source}={dest}",
        )
        for _ in range(KILLS):
            if _killed_run(lab, plan_file, rng.randint(1, 4), rng.uniform(0.0, 0.3)) is None:
                killed += 1
        done = run(
            "apply",
            str(plan_file),
            "--glance-endpoint",
            lab.glance_url,
            "--yes-destroy",
            "--parallel",
            "6",
            check=0,
        )
        assert "failed" not in done.stderr
        _check(lab, area, ids, hashes, dest)
    print(f"{killed} of {ROUNDS * KILLS} runs killed mid-way")
    assert killed >= ROUNDS * KILLS * 2 // 3, f"only {killed} runs were killed mid-way"
    assert all(download_sha512(lab, i) == hashes[i] for i in ids)  # no data lost
