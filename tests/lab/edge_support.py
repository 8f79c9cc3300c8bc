"""The lab's edge variant: a second Glance rbd store ``edge`` in its own pool of the lab's Ceph.

The shared lab keeps its five stores. ``edge_glance`` starts a private glance-api (uWSGI)
on the lab's configuration, database and cluster with one more store, ``edge:rbd`` in a new
pool (``iy-edge-<tag>``, as client.admin), on a free port, and writes a config directory for
``imageyard collect``: that glance-api.conf, the lab's nova.conf and cinder.conf (the central
compute group and volume backend) and ``nova-edge/nova.conf``, an edge compute group whose
local store is ``edge`` (``images_rbd_glance_store_name``). Images with data in ``edge``
must be deleted through this glance-api (the lab's own does not know the store) before the
context ends; it then stops the process and removes the pool.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

STORE = "edge"
EDGE_ZONE = "az-edge1"  # the edge compute group's availability zone in site_file


@dataclass(frozen=True)
class EdgeGlance:
    """The private glance-api with the edge store."""

    url: str
    etc: Path  # its config directory (what glance-api reads)
    configs: Path  # the config directory for collect (glance, central and edge consumers)
    pool: str


def ceph(lab: Any, *args: str) -> str:
    argv = ["ceph", "-c", lab.ceph_conf, "--id", "admin", *args]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, (argv, done.stderr)
    return done.stdout


def rbd(lab: Any, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    argv = ["rbd", "-c", lab.ceph_conf, "--id", "admin", *args]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0 or not check, (argv, done.stderr)
    return done


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _glance_conf(lab: Any, text: str, url: str, work: Path, pool: str) -> str:
    text = text.replace(f"= {lab.glance_url}", f"= {url}")
    text = text.replace("log_file = ", f"log_file = {work}/glance-api.log\n# was: ", 1)
    text = re.sub(r"(?m)^(enabled_backends = .*)$", rf"\1, {STORE}:rbd", text, count=1)
    return text + (
        f"\n[{STORE}]\nstore_description = Edge site copy (RBD pool {pool})\nweight = 50\n"
        f"rbd_store_ceph_conf = {lab.ceph_conf}\nrbd_store_user = admin\n"
        f"rbd_store_pool = {pool}\nrbd_store_chunk_size = 8\nrados_connect_timeout = 10\n"
    )


def _write_etc(lab: Any, work: Path, url: str, pool: str) -> Path:
    etc = work / "etc"
    etc.mkdir(parents=True)
    for path in lab.etc.iterdir():
        if path.is_file() and path.name != "uwsgi.ini":
            (etc / path.name).write_bytes(path.read_bytes())
    conf = etc / "glance-api.conf"
    conf.write_text(_glance_conf(lab, conf.read_text(), url, work, pool))
    return etc


def _write_configs(lab: Any, work: Path, etc: Path) -> Path:
    configs = work / "configs"
    (configs / "nova-edge").mkdir(parents=True)
    for name in ("glance-api.conf", "glance-image-import.conf", "nova.conf", "cinder.conf"):
        shutil.copyfile(etc / name, configs / name)
    shutil.copyfile(lab.ceph_conf, configs / "ceph.conf")
    nova = (etc / "nova.conf").read_text()
    nova, n = re.subn(
        r"(?m)^images_rbd_glance_store_name = .*$", f"images_rbd_glance_store_name = {STORE}", nova
    )
    assert n == 1, "the lab's nova.conf names no images_rbd_glance_store_name"
    (configs / "nova-edge" / "nova.conf").write_text(nova)
    return configs


def _start(lab: Any, work: Path, etc: Path, port: int) -> subprocess.Popen[bytes]:
    """uWSGI with the lab's own settings (no keep-alive, ...), on ``port`` and ``etc``."""
    ini = (lab.etc / "uwsgi.ini").read_text()
    ini = re.sub(r"(?m)^http-socket = .*$", f"http-socket = 127.0.0.1:{port}", ini)
    ini = re.sub(r"(?m)^env = OS_GLANCE_CONFIG_DIR=.*$", f"env = OS_GLANCE_CONFIG_DIR={etc}", ini)
    ini = re.sub(r"(?m)^logto = .*$", f"logto = {work}/uwsgi.log", ini)
    (work / "uwsgi.ini").write_text(ini)
    venv = lab.env["GLANCE_LAB_VENV"]
    argv = [f"{venv}/bin/uwsgi", "--ini", str(work / "uwsgi.ini")]
    return subprocess.Popen(argv, start_new_session=True, stdout=subprocess.DEVNULL)


def _wait(url: str, proc: subprocess.Popen[bytes], work: Path) -> None:
    http = requests.Session()
    http.trust_env = False
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the edge glance-api exited (see {work}/uwsgi.log)"
        try:
            r = http.get(url + "/v2/info/stores", timeout=5)
            if r.status_code == 200:
                ids = {s["id"] for s in r.json()["stores"]}
                assert STORE in ids, f"store {STORE} not loaded: {ids} (see {work})"
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise AssertionError(f"the edge glance-api did not answer (see {work}/uwsgi.log)")


@contextmanager
def edge_glance(lab: Any, tag: str) -> Iterator[EdgeGlance]:
    """The private glance-api with the ``edge`` store in pool ``iy-edge-<tag>``."""
    pool = f"iy-edge-{tag}"
    ceph(lab, "osd", "pool", "create", pool, "8", "8")
    work = Path(lab.root) / f"iy-edge-{tag}"
    proc: subprocess.Popen[bytes] | None = None
    try:
        rbd(lab, "pool", "init", pool)
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        etc = _write_etc(lab, work, url, pool)
        proc = _start(lab, work, etc, port)
        _wait(url, proc, work)
        yield EdgeGlance(url, etc, _write_configs(lab, work, etc), pool)
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
        ceph(lab, "osd", "pool", "rm", pool, pool, "--yes-i-really-really-mean-it")
        shutil.rmtree(work, ignore_errors=True)


def site_file(lab: Any, eg: EdgeGlance, path: Path) -> Path:
    """A site YAML for ``design``/``plan --site``: the lab's central site and ``edge1``
    (zone ``EDGE_ZONE``) whose store is ``STORE`` in the edge glance-api's pool."""
    path.write_text(
        f"""name: lab-edge
sites:
  - {{name: central, role: central, availability_zone: nova}}
  - {{name: edge1, role: edge, availability_zone: {EDGE_ZONE}}}
ceph_clusters:
  - {{name: lab, fsid: {lab.fsid}, site: central, images_pool: images}}
  - {{name: lab-edge, fsid: {lab.fsid}, site: edge1, images_pool: {eg.pool}}}
backends:
  - {{id: ceph, type: rbd, ceph_cluster: lab, pool: images, site: central}}
  - {{id: {STORE}, type: rbd, ceph_cluster: lab-edge, pool: {eg.pool}, site: edge1}}
nova:
  - {{name: central-computes, images_type: rbd, ceph_cluster: lab, site: central}}
  - {{name: edge1-computes, images_type: rbd, ceph_cluster: lab-edge, site: edge1}}
cinder:
  - {{name: ceph, driver: rbd, ceph_cluster: lab, site: central}}
"""
    )
    return path
