"""Fixtures for the tests that run against the real lab (``lab/up`` + ``lab/seed.py``).

Every test under tests/lab/ is marked ``lab``. When the lab is not up (or not seeded) those
tests are skipped, unless ``IMAGEYARD_REQUIRE_LAB=1`` (as ``make test-lab`` sets), in which case
they fail with the reason.

A test marked ``consumes_seed`` changes the seeded catalog for good (it applies a plan to the
whole of it). It is moved to the end of the session, so every other test sees the seed as
``lab/seed.py`` left it, and it writes ``$IMAGEYARD_LAB/seed-consumed`` before it changes
anything: from then on the ``lab`` fixture treats the lab as not seeded (``lab/up`` and
``lab/seed.py`` make a fresh one), so no later run reads a changed catalog as the seed.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

HERE = Path(__file__).resolve().parent
CONSUMED = "seed-consumed"


@pytest.hookimpl(tryfirst=True)  # before -m selection, so `-m "not lab"` sees the marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.lab)
    last = [i for i in items if i.get_closest_marker("consumes_seed") is not None]
    items[:] = [i for i in items if i not in last] + last


def _parse_env(path: Path) -> dict[str, str]:
    env: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line.startswith("export "):
            key, _, value = line[len("export ") :].partition("=")
            parts = shlex.split(value)
            env[key] = parts[0] if parts else ""
    return env


@dataclass(frozen=True)
class Lab:
    """The running lab: its lab.env, its seed manifest, and loopback HTTP access to Glance."""

    root: Path
    env: dict[str, str]
    seed: dict[str, Any]
    http: requests.Session

    @property
    def glance_url(self) -> str:
        return self.env["GLANCE_LAB_URL"]

    @property
    def ceph_conf(self) -> str:
        return self.env["CEPH_CONF"]

    @property
    def etc(self) -> Path:
        return Path(self.env["IMAGEYARD_LAB_ETC"])

    @property
    def fsid(self) -> str:
        return self.env["CEPHLAB_FSID"]

    def glance(self, path: str, **kwargs: Any) -> requests.Response:
        """GET a Glance API path as the lab admin (labauth: no identity headers)."""
        return self.http.get(self.glance_url + path, timeout=30, **kwargs)

    def images(self, role: str) -> list[dict[str, Any]]:
        return [i for i in self.seed["images"] if role in i["roles"]]

    def rbd_objects(self, role: str) -> list[dict[str, Any]]:
        return [o for o in self.seed["rbd"] if role in o["roles"]]


def _unavailable(reason: str) -> None:
    if os.environ.get("IMAGEYARD_REQUIRE_LAB") == "1":
        pytest.fail(f"lab required (IMAGEYARD_REQUIRE_LAB=1) but {reason}", pytrace=False)
    pytest.skip(f"lab not available: {reason}")


@pytest.fixture(scope="session")
def lab() -> Iterator[Lab]:
    root = Path(os.environ.get("IMAGEYARD_LAB", "/tmp/imageyard-lab"))
    env_file, seed_file = root / "lab.env", root / "seed.json"
    if not env_file.is_file():
        _unavailable(f"{env_file} is missing (run: bash lab/up)")
    env = _parse_env(env_file)
    http = requests.Session()
    http.trust_env = False  # loopback only
    url = env.get("GLANCE_LAB_URL", "")
    try:
        up = http.get(url + "/versions", timeout=5).status_code == 200
    except requests.RequestException:
        up = False
    if not up:
        _unavailable(f"Glance does not answer on {url!r} (run: bash lab/up)")
    if not seed_file.is_file():
        _unavailable(f"{seed_file} is missing (run: .venv/bin/python lab/seed.py)")
    if (root / CONSUMED).is_file():
        _unavailable(
            f"the seeded catalog was changed for good ({(root / CONSUMED).read_text().strip()});"
            " run: bash lab/up && .venv/bin/python lab/seed.py"
        )
    seed = json.loads(seed_file.read_text())
    if seed.get("fsid") != env.get("CEPHLAB_FSID"):
        _unavailable(
            f"{seed_file} was written for cluster {seed.get('fsid')}, the lab runs "
            f"{env.get('CEPHLAB_FSID')} (run: .venv/bin/python lab/seed.py)"
        )
    yield Lab(root=root, env=env, seed=seed, http=http)
    http.close()


@pytest.fixture(scope="session")
def ceph_ops(lab: Lab) -> Iterator[Any]:
    """A librados connection as client.ops (read-only on every pool)."""
    try:
        import rados
    except ImportError:
        _unavailable("the rados module is not importable (bash lab/link-ceph-bindings .venv)")
    cluster = rados.Rados(conffile=lab.ceph_conf, rados_id="ops")
    cluster.connect(timeout=15)
    yield cluster
    cluster.shutdown()


SEED_ORPHANS = Path(__file__).resolve().parents[2] / "lab" / "seed_orphans.py"


@pytest.fixture(scope="module")
def orphans(lab: Lab) -> Iterator[dict[str, Any]]:
    """``$IMAGEYARD_LAB/orphans.json`` from ``lab/seed_orphans.py`` (run by ``make seed``); on a
    lab seeded without it, a small set made here and removed afterwards."""
    manifest = lab.root / "orphans.json"
    if manifest.is_file():
        made = json.loads(manifest.read_text())
        if made.get("fsid") == lab.fsid and "failed" not in made:
            yield made
            return
    seed = [sys.executable, str(SEED_ORPHANS)]
    env = {**os.environ, "IMAGEYARD_LAB": str(lab.root)}
    made_now = subprocess.run([*seed, "--healthy", "20"], env=env, capture_output=True, text=True)
    try:
        assert made_now.returncode == 0, made_now.stderr
        yield json.loads(manifest.read_text())
    finally:
        subprocess.run([*seed, "cleanup"], env=env, capture_output=True, text=True)
