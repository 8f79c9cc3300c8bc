"""``imageyard collect`` on the lab's own config files agrees with the running services."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import Lab

from imageyard import cli
from imageyard.model.inventory import Inventory
from imageyard.model.snapshot import read_inventory


@pytest.fixture(scope="module")
def inventory(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Inventory:
    out = tmp_path_factory.mktemp("collect") / "inventory.json"
    assert cli.run(["collect", "-q", "--config-dir", str(lab.etc), "--out", str(out)]) == 0
    return read_inventory(out)


@pytest.fixture(scope="module")
def stores_detail(lab: Lab) -> dict[str, dict[str, Any]]:
    resp = lab.glance("/v2/info/stores/detail")
    resp.raise_for_status()
    return {s["id"]: s for s in resp.json()["stores"]}


def ceph_json(lab: Lab, *args: str) -> Any:
    proc = subprocess.run(
        ["ceph", "-c", lab.ceph_conf, "--id", "ops", *args, "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(proc.stdout)


def test_every_expected_file_was_read(inventory: Inventory) -> None:
    kinds = {f.kind for f in inventory.config.files}
    assert {"glance-api", "glance-image-import", "nova", "cinder", "ceph"} <= kinds
    assert inventory.is_complete("config"), inventory.gaps


def test_stores_match_the_api(inventory: Inventory, stores_detail: dict[str, Any]) -> None:
    assert {s.id for s in inventory.stores} == set(stores_detail)
    for store in inventory.stores:
        api = stores_detail[store.id]
        assert store.type.value == api["type"], store.id
        assert store.weight == api["weight"], store.id
        assert store.is_default == (api.get("default") == "true"), store.id
        assert store.description == api["description"], store.id
        props = api["properties"]
        if api["type"] == "rbd":
            assert store.rbd_pool == props["pool"]
            assert store.rbd_fsid == props["fsid"]
        if api["type"] == "file":
            assert store.file_data_dir == props["data_dir"]
        if api["type"] == "swift":
            assert store.swift_container == props["container"]


def test_fsid_matches_ceph(lab: Lab, inventory: Inventory) -> None:
    fsid = ceph_json(lab, "fsid")["fsid"]
    assert fsid == lab.fsid
    assert [c.fsid.value for c in inventory.config.ceph if c.fsid] == [fsid]
    assert {s.rbd_fsid for s in inventory.stores if s.rbd_pool} == {fsid}


def test_pools_named_in_config_exist_in_ceph(lab: Lab, inventory: Inventory) -> None:
    pools = {p["poolname"] for p in ceph_json(lab, "osd", "lspools")}
    glance_pools = {s.rbd_pool for s in inventory.stores if s.rbd_pool}
    nova_pools = {n.images_rbd_pool.value for n in inventory.config.nova if n.images_rbd_pool}
    cinder_pools = {
        b.rbd_pool.value for c in inventory.config.cinder for b in c.backends if b.rbd_pool
    }
    assert glance_pools == {"images"}
    assert nova_pools == {"vms"}
    assert cinder_pools == {"volumes"}
    assert glance_pools | nova_pools | cinder_pools <= pools


def test_no_lab_secret_in_the_snapshot(lab: Lab, inventory: Inventory, tmp_path: Path) -> None:
    out = tmp_path / "inv.json"
    assert cli.run(["collect", "-q", "--config-dir", str(lab.etc), "--out", str(out)]) == 0
    text = out.read_text()
    secrets = [lab.env["CEPHLAB_S3_SECRET"], lab.env["CEPHLAB_SWIFT_KEY"]]
    secrets += [lab.env["CEPHLAB_S3_ACCESS"]]
    assert not [s for s in secrets if s in text]
