"""convert-to-raw on the lab reading the qcow2 source in place from its RBD snapshot: Glance's
access log shows no download of it (while the same run without --ceph-conf does download),
and the raw replacement boots by clone."""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from apply_support import cleanup, image, make_image, mine, plan, prefix, raw_bytes, run, snapshot


@pytest.fixture
def area(lab: Any) -> Iterator[str]:
    name = prefix("inplace")
    yield name
    cleanup(lab, name)


def _qcow2(tmp: Path, name: str) -> bytes:
    raw = tmp / f"{name}.raw"
    with open(raw, "wb") as fh:
        fh.truncate(16 * 1024 * 1024)
        fh.seek(3 * 1024 * 1024)
        fh.write(raw_bytes(1024 * 1024))
    out = tmp / f"{name}.qcow2"
    subprocess.run(
        ["qemu-img", "convert", "-f", "raw", "-O", "qcow2", str(raw), str(out)], check=True
    )
    return out.read_bytes()


def _apply_logged(lab: Any, *args: str) -> tuple[Any, str]:
    """apply ARGS, and what Glance's uWSGI access log gained meanwhile."""
    log = Path(lab.root) / "glance" / "log" / "uwsgi.log"
    start = log.stat().st_size
    done = run("apply", *args, "--glance-endpoint", lab.glance_url)
    with open(log, "rb") as fh:
        fh.seek(start)
        return done, fh.read().decode("utf-8", "replace")


def test_a_qcow2_in_ceph_is_converted_without_downloading_it_and_then_clones(
    lab: Any, area: str, tmp_path: Path
) -> None:
    ids = {n: make_image(lab, f"{area}-{n}", _qcow2(tmp_path, n), "ceph", "qcow2") for n in "ab"}
    plan_file = plan(lab, tmp_path, "--image", f"{area}-*")
    actions = json.loads(plan_file.read_text())["actions"]
    first = [x for a in actions if a["image_id"] == ids["a"] for x in ("--only", a["id"])]
    assert len(first) == 4  # convert-to-raw and retire-image of "a"
    ceph = ("--ceph-conf", lab.ceph_conf, "--ceph-user", "glance")
    done, log = _apply_logged(lab, str(plan_file), *ceph, *first)
    assert done.returncode == 4, done.stderr  # "b" is left for the second run
    url = f"rbd://{lab.fsid}/images/{ids['a']}/snap"
    assert f"(source read in place from {url})" in done.stdout
    assert f"GET /v2/images/{ids['a']}/file" not in log and "PUT /v2/images/" in log
    done, log = _apply_logged(lab, str(plan_file))  # no --ceph-conf: the download path
    assert done.returncode == 0, done.stderr
    assert "(source downloaded (no --ceph-conf to read RBD with))" in done.stdout
    assert f"GET /v2/images/{ids['b']}/file" in log
    notes = [json.loads(x) for x in Path(f"{plan_file}.journal").read_text().splitlines()[1:]]
    assert [n["note"] for n in notes if n.get("note", "").startswith("source ")] == [
        f"source read in place from {url}",
        "source downloaded (no --ceph-conf to read RBD with)",
    ]
    new = {d["imageyard_converted_from"]: d for d in mine(lab, area) if d["disk_format"] == "raw"}
    assert set(new) == set(ids.values())
    for n, old in ids.items():
        raw = hashlib.sha512((tmp_path / f"{n}.raw").read_bytes()).hexdigest()
        assert new[old]["os_hash_value"] == raw and new[old]["stores"] == "ceph"
    assert image(lab, ids["a"])["os_hidden"] is True
    inv = snapshot(lab, tmp_path / "after.json")
    rows = json.loads(run("paths", str(inv), "-f", "json", "-q", check=0).stdout)["paths"]
    verdicts = {
        r["path"]
        for r in rows
        if r["image_id"] == new[ids["a"]]["id"] and r["consumer"].startswith("nova:")
    }
    assert verdicts == {"clone"}
