"""Image consumers: the Nova computes and Cinder RBD backends that turn images into disks.

Concepts: a ``Consumer`` is derived from configuration only. Every ``NovaConfig`` is one
(``nova:<path>``, or ``nova:<host>`` when the path is unknown): with ``[libvirt]
images_type = rbd`` it has a Ceph cluster (the fsid of the ceph.conf named by
``images_rbd_ceph_conf``, librados' default when unset), a pool (``images_rbd_pool``,
default ``rbd``), a cephx user (``[libvirt] rbd_user``), an optional copy target store
(``images_rbd_glance_store_name``) and the ``never_download_image_if_on_rbd`` workaround;
any other ``images_type`` always downloads. Every Cinder backend whose driver is the RBD
driver is one (``cinder:<backend section>``): its cluster comes from ``rbd_ceph_conf`` or,
when that is unset, ``/etc/ceph/<rbd_cluster_name>.conf``. Cinder 27 (2025.2) and later read
locations through Glance's service-only locations API when cinder.conf has a ``[glance]``
auth section; the inventory does not record Cinder's release, so that ability is an
assumption the verdict states in its confidence. A consumer whose cluster cannot be resolved
keeps ``fsid`` None and ``why_no_fsid`` says why.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass

from imageyard.audit.rule import Rule
from imageyard.audit.rules._common import Cluster, cite, cluster_of, is_true, text
from imageyard.collect.config_stores import find_ceph
from imageyard.model.config import CinderBackendConfig, CinderConfig, NovaConfig
from imageyard.model.finding import Evidence, Resource, Unknown
from imageyard.model.inventory import Inventory
from imageyard.model.store import Store

NOVA_DEFAULT_POOL = "rbd"
CINDER_DEFAULT_POOL = "rbd"
CINDER_LOCATIONS_API_SINCE = 27


class ConsumerKind(enum.StrEnum):
    """Which service a consumer is."""

    NOVA = "nova"
    CINDER = "cinder"


@dataclass(frozen=True)
class Consumer:
    """One Nova compute group or Cinder RBD backend, as far as booting images goes."""

    name: str
    kind: ConsumerKind
    config_path: str
    rbd: bool
    images_type: str = "rbd"
    ceph_conf: str = ""
    fsid: str | None = None
    why_no_fsid: str = ""
    pool: str | None = None
    user: str | None = None
    glance_store_name: str | None = None
    never_download: bool = False
    force_raw: bool = True
    service_locations_api: bool = False
    image_cache: bool = False
    evidence: tuple[Evidence, ...] = ()

    @property
    def is_nova(self) -> bool:
        """True for a Nova compute."""
        return self.kind is ConsumerKind.NOVA

    @functools.cached_property
    def distinct_evidence(self) -> tuple[Evidence, ...]:
        """``evidence`` without repeats, first occurrence kept (derived once per consumer)."""
        return tuple(dict.fromkeys(self.evidence))

    @functools.cached_property
    def evidence_set(self) -> frozenset[Evidence]:
        """``evidence`` as a set, to tell a verdict's own evidence from the consumer's."""
        return frozenset(self.evidence)

    @property
    def cephx(self) -> str:
        """``client.<user>`` (librados' default ``client.admin`` when no user is set)."""
        return f"client.{self.user}" if self.user else "client.admin"


def nova_consumer(nova: NovaConfig, inv: Inventory) -> Consumer:
    """The consumer a nova.conf describes."""
    name = f"nova:{nova.path or text(nova.host) or '?'}"
    if not nova.uses_rbd:
        return Consumer(
            name=name,
            kind=ConsumerKind.NOVA,
            config_path=nova.path,
            rbd=False,
            images_type=nova.effective_images_type,
            force_raw=is_true(nova.force_raw_images, default=True),
            evidence=cite(nova.images_type, nova.force_raw_images),
        )
    cluster = cluster_of(inv, nova.images_rbd_ceph_conf, nova.path)
    return Consumer(
        name=name,
        kind=ConsumerKind.NOVA,
        config_path=nova.path,
        rbd=True,
        ceph_conf=cluster.conf,
        fsid=cluster.fsid,
        why_no_fsid=cluster.why_unknown,
        pool=text(nova.images_rbd_pool) or NOVA_DEFAULT_POOL,
        user=text(nova.rbd_user) or None,
        glance_store_name=text(nova.images_rbd_glance_store_name) or None,
        never_download=is_true(nova.never_download_image_if_on_rbd),
        force_raw=is_true(nova.force_raw_images, default=True),
        evidence=cite(
            nova.images_type,
            nova.images_rbd_ceph_conf,
            nova.images_rbd_pool,
            nova.rbd_user,
            nova.images_rbd_glance_store_name,
            nova.never_download_image_if_on_rbd,
        )
        + _fsid_fact(cluster),
    )


def _fsid_fact(cluster: Cluster) -> tuple[Evidence, ...]:
    if cluster.fsid is None:
        return ()
    return (Evidence.fact(f"{cluster.conf}: fsid = {cluster.fsid}"),)


def cinder_cluster(inv: Inventory, backend: CinderBackendConfig) -> Cluster:
    """The backend's cluster: ``rbd_ceph_conf``, else ``/etc/ceph/<rbd_cluster_name>.conf``."""
    name = text(backend.rbd_cluster_name)
    near = backend.volume_driver.path if backend.volume_driver is not None else None
    if not text(backend.rbd_ceph_conf) and name and name != "ceph":
        conf = f"/etc/ceph/{name}.conf"
        match = find_ceph(inv.config, conf, near)
        return Cluster(conf, match.fsid, match.why_no_fsid)
    return cluster_of(inv, backend.rbd_ceph_conf, near)


def cluster_without_store(
    check: Rule, resource: Resource, cluster: Cluster, stores: tuple[Store, ...], who: str
) -> Unknown | str | None:
    """Whether a Glance rbd store is in consumer ``resource``'s Ceph ``cluster``: None if so.

    An Unknown of ``check`` when that cannot be told (the cluster's fsid, reported as the
    ``who`` cluster, or a store's fsid is unknown); otherwise the fsid no store has.
    """
    if cluster.fsid is None:
        return check.unknown(resource, f"{who} cluster unknown: {cluster.why_unknown}")
    if any(s.rbd_fsid == cluster.fsid for s in stores):
        return None
    unsure = [s.id for s in stores if s.rbd_fsid is None]
    if unsure:
        return check.unknown(resource, f"fsid of Glance rbd store(s) {', '.join(unsure)} unknown")
    return cluster.fsid


def cinder_consumer(cinder: CinderConfig, backend: CinderBackendConfig, inv: Inventory) -> Consumer:
    """The consumer one Cinder RBD backend section describes."""
    cluster = cinder_cluster(inv, backend)
    cache = is_true(backend.image_volume_cache_enabled) and cinder.has_internal_tenant
    return Consumer(
        name=f"cinder:{backend.section}",
        kind=ConsumerKind.CINDER,
        config_path=cinder.path,
        rbd=True,
        ceph_conf=cluster.conf,
        fsid=cluster.fsid,
        why_no_fsid=cluster.why_unknown,
        pool=text(backend.rbd_pool) or CINDER_DEFAULT_POOL,
        user=text(backend.rbd_user) or None,
        service_locations_api=cinder.glance_auth_configured,
        image_cache=cache,
        evidence=cite(
            backend.volume_driver,
            backend.rbd_ceph_conf,
            backend.rbd_cluster_name,
            backend.rbd_pool,
            backend.rbd_user,
            cinder.glance_auth_type,
        )
        + _fsid_fact(cluster),
    )


def consumers(inv: Inventory) -> tuple[Consumer, ...]:
    """Every Nova compute group and every Cinder RBD backend of the inventory's config."""
    found = [nova_consumer(n, inv) for n in inv.config.nova]
    found += [cinder_consumer(c, b, inv) for c in inv.config.cinder for b in c.backends if b.is_rbd]
    return tuple(found)
