"""The benchmark's catalog: rows written into a bench Glance's database read back through
the real Glance API exactly as written, and nothing left behind afterwards."""

from __future__ import annotations

import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

from glance_db import CatalogWriter, counts, write_catalog  # noqa: E402
from glance_server import Lab as BenchLab  # noqa: E402
from glance_server import bench_glance, database_cpu  # noqa: E402

if TYPE_CHECKING:
    from conftest import Lab

IMAGES = 300


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _listed(url: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for hidden in ("false", "true"):
        path: str | None = f"/v2/images?limit=1000&visibility=all&os_hidden={hidden}"
        while path:
            body = requests.get(url + path, timeout=60).json()
            found.update((i["id"], i) for i in body["images"])
            path = body.get("next")
    return found


def test_bench_catalog_reads_back_and_is_removed(lab: Lab) -> None:
    bench_lab = BenchLab.from_env()
    name = f"imageyard_bench_smoke_{_free_port()}"
    rows = CatalogWriter(seed=7).rows(IMAGES)
    with bench_glance(bench_lab, _free_port(), name=name) as glance:
        write_catalog(glance.db, rows)
        assert counts(glance.db)["images"] == len(rows.images)
        listed = _listed(glance.url)
        # the bench's database CPU: the backends serving this database, no other's (one
        # listing of 300 images may cost them less than a clock tick: listed again, at most
        # ten times, until their CPU shows)
        for _ in range(10):
            if database_cpu(name) > 0:
                break
            _listed(glance.url)
        assert database_cpu(name) > 0 and database_cpu(f"{name}_other") == 0
        db_ids = glance.db.run(
            "SELECT id FROM images WHERE NOT deleted AND status <> 'killed'"
        ).split()
        assert sorted(listed) == sorted(db_ids) and len(listed) == rows.listed == IMAGES - sum(
            1 for line in rows.images if "\tkilled\t" in line
        )
        assert sum(i["visibility"] == "shared" for i in listed.values()) == rows.shared
        assert sum(i["os_hidden"] for i in listed.values()) == rows.hidden
        shared = next(i for i in listed.values() if i["visibility"] == "shared")
        api = requests.get(f"{glance.url}/v2/images/{shared['id']}/members", timeout=60).json()
        db = glance.db.run(
            f"SELECT member, status FROM image_members WHERE image_id = '{shared['id']}'"
        )
        assert sorted((m["member_id"], m["status"]) for m in api["members"]) == sorted(
            tuple(line.split("|")) for line in db.split()
        )
        with_data = [i for i in listed.values() if i["status"] == "active"]
        assert with_data and all(i["locations"] and i["stores"] for i in with_data)
        workdir = glance.workdir
        assert workdir.is_dir()
    admin = bench_lab.postgres("postgres")
    assert admin.run(f"SELECT count(*) FROM pg_database WHERE datname = '{name}'").strip() == "0"
    assert not workdir.exists()
