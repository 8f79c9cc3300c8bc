"""The clone facts on the real lab, through both clients: pool names, compat level, caps.

As ``client.admin`` the collector reads every pool name, ``require_min_compat_client`` and
the caps of the consumers named in the lab's nova.conf and cinder.conf, equal to what
``ceph auth get`` shows (and never the key); as the read-only ``client.ops`` the caps cannot
be read and each is a gap.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from typing import Any

import pytest
from conftest import Lab

from imageyard.collect.base import NullProgress, run_collectors
from imageyard.collect.ceph import CephCollector, CliClient, ClusterTarget, RbdClient
from imageyard.collect.config_source import ConfigCollector
from imageyard.collect.configs import discover
from imageyard.model.inventory import Inventory
from imageyard.model.snapshot import dump_inventory

Factory = Callable[[ClusterTarget, float], RbdClient]


def _bindings() -> Factory:
    pytest.importorskip("rados")
    from imageyard.collect.ceph.bindings import BindingsClient

    return BindingsClient.connect


@pytest.fixture(params=["bindings", "cli"])
def factory(request: pytest.FixtureRequest) -> Factory:
    return _bindings() if request.param == "bindings" else CliClient.connect


def _ceph(lab: Lab, *args: str) -> Any:
    argv = ["ceph", "-c", lab.ceph_conf, "--id", "admin", *args, "--format", "json"]
    done = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=60)
    return json.loads(done.stdout)


def _collect(lab: Lab, factory: Factory, user: str) -> Inventory:
    config = run_collectors([ConfigCollector(discover(lab.etc))], Inventory())
    collector = CephCollector(
        clusters=(ClusterTarget(lab.ceph_conf, user),), client_factory=factory, headers=False
    )
    return collector.collect(config, NullProgress())


def test_admin_reads_pools_compat_and_caps_without_keys(lab: Lab, factory: Factory) -> None:
    inv = _collect(lab, factory, "admin")
    (cluster,) = inv.ceph_clusters
    dump = _ceph(lab, "osd", "dump")
    assert cluster.require_min_compat_client == dump["require_min_compat_client"]
    assert set(cluster.pool_names or ()) == {p["pool_name"] for p in dump["pools"]}
    text = dump_inventory(inv)
    for entity in ("client.nova", "client.cinder"):
        (real,) = _ceph(lab, "auth", "get", entity)
        caps = cluster.caps(entity)
        assert caps is not None and caps.osd == real["caps"]["osd"]
        assert caps.mon == real["caps"]["mon"]
        assert real["key"] not in text


def test_read_only_user_gets_caps_gaps(lab: Lab, factory: Factory) -> None:
    inv = _collect(lab, factory, "ops")
    (cluster,) = inv.ceph_clusters
    assert cluster.cephx == ()
    scopes = {g.scope for g in inv.gaps_for("ceph")}
    assert {"cephx client.nova", "cephx client.cinder"} <= scopes
    assert cluster.require_min_compat_client is not None  # osd dump needs only mon 'r'
    assert cluster.pool_names is not None and "images" in cluster.pool_names
