"""The clone facts: every pool name, require_min_compat_client, consumers' cephx caps."""

from __future__ import annotations

import errno
import json
from dataclasses import dataclass, field

import pytest
from test_collect_ceph_collector import FakeClient

from imageyard.collect.base import NullProgress
from imageyard.collect.ceph import CephCollector, CephError, ClusterTarget
from imageyard.collect.ceph.cephx import parse_auth_get, parse_min_compat
from imageyard.collect.ceph.client import RbdClient
from imageyard.collect.ceph.collector import consumer_entities
from imageyard.model.ceph import CephxCaps
from imageyard.model.config import (
    CinderBackendConfig,
    CinderConfig,
    ConfigValue,
    DeploymentConfig,
    NovaConfig,
)
from imageyard.model.inventory import Inventory
from imageyard.model.snapshot import dump_inventory, load_inventory

SECRET = "AQBsecretsecretsecretsecretsecretsecret=="


def cv(section: str, key: str, value: str) -> ConfigValue:
    return ConfigValue(section, key, value, "/etc/x.conf", 1)


CONFIG = DeploymentConfig(
    nova=(
        NovaConfig(path="/etc/nova/nova.conf", images_type=cv("libvirt", "images_type", "rbd"),
                   rbd_user=cv("libvirt", "rbd_user", "nova")),
        NovaConfig(path="/etc/nova/qcow.conf"),  # not rbd: no entity
    ),
    cinder=(
        CinderConfig(
            path="/etc/cinder/cinder.conf",
            backends=(
                CinderBackendConfig(
                    section="ceph",
                    volume_driver=cv("ceph", "volume_driver",
                                     "cinder.volume.drivers.rbd.RBDDriver"),
                ),
            ),
        ),
    ),
)  # fmt: skip


@dataclass
class FactsClient(FakeClient):
    caps: dict[str, CephxCaps] = field(default_factory=dict)
    compat: str | CephError = "luminous"

    def min_compat_client(self) -> str:
        if isinstance(self.compat, CephError):
            raise self.compat
        return self.compat

    def cephx_caps(self, entity: str) -> CephxCaps:
        if entity not in self.caps:
            raise CephError(f"auth get {entity}: access denied", errno=errno.EACCES)
        return self.caps[entity]


def run(client: FakeClient) -> Inventory:
    def factory(target: ClusterTarget, timeout: float) -> RbdClient:
        return client

    collector = CephCollector(
        clusters=(ClusterTarget("/etc/ceph/ceph.conf", "ops"),), client_factory=factory
    )
    return collector.collect(Inventory(config=CONFIG), NullProgress())


def test_consumer_entities_from_the_config() -> None:
    assert consumer_entities(CONFIG) == ("client.nova", "client.admin")


def test_every_pool_name_compat_level_and_caps_are_kept() -> None:
    nova = CephxCaps("client.nova", mon="profile rbd", osd="profile rbd pool=vms")
    admin = CephxCaps("client.admin", mon="allow *", osd="allow *")
    inv = run(FactsClient(caps={"client.nova": nova, "client.admin": admin}))
    (cluster,) = inv.ceph_clusters
    assert cluster.pool_names == ("images", "vms", "rgw")  # rgw is listed, not read
    assert [p.name for p in cluster.pools] == ["images", "vms"]
    assert cluster.require_min_compat_client == "luminous"
    assert cluster.caps("client.nova") == nova and cluster.caps("client.admin") == admin
    assert inv.is_complete("ceph")
    again = load_inventory(dump_inventory(inv), origin="x")
    assert again.ceph_clusters == inv.ceph_clusters


def test_unreadable_caps_and_compat_are_gaps() -> None:
    denied = CephError("osd dump: access denied", errno=errno.EACCES)
    inv = run(FactsClient(compat=denied))
    (cluster,) = inv.ceph_clusters
    assert cluster.caps("client.nova") is None and cluster.require_min_compat_client is None
    scopes = {g.scope for g in inv.gaps_for("ceph")}
    assert scopes == {
        "cephx client.nova",
        "cephx client.admin",
        "cluster /etc/ceph/ceph.conf require_min_compat_client",
    }
    assert not inv.is_complete("ceph")


def test_a_client_without_the_facts_leaves_them_unknown() -> None:
    inv = run(FakeClient())
    (cluster,) = inv.ceph_clusters
    assert cluster.cephx == () and cluster.require_min_compat_client is None
    assert cluster.pool_names == ("images", "vms", "rgw")


def test_auth_get_keeps_the_caps_and_drops_the_key() -> None:
    text = json.dumps(
        [{"entity": "client.nova", "key": SECRET, "caps": {"mon": "profile rbd", "osd": "x"}}]
    )
    caps = parse_auth_get(text, "client.nova")
    assert caps == CephxCaps("client.nova", mon="profile rbd", osd="x")
    assert SECRET not in repr(caps)
    with pytest.raises(CephError):
        parse_auth_get("[]", "client.nova")
    with pytest.raises(CephError) as bad:
        parse_auth_get('{"key": "' + SECRET + '"', "client.nova")
    assert SECRET not in str(bad.value)


def test_min_compat_from_osd_dump() -> None:
    assert parse_min_compat('{"epoch": 3, "require_min_compat_client": "mimic"}') == "mimic"
    with pytest.raises(CephError):
        parse_min_compat('{"epoch": 3}')
