"""Rules on cinder-volume RBD backends: cluster match and the image-volume cache.

Concepts: Cinder's RBD driver clones a volume from an image copy-on-write only when an
``rbd://`` location of the image is in the backend's own cluster (same fsid as the
backend's ceph.conf, named by ``rbd_ceph_conf`` or derived from ``rbd_cluster_name``).
Otherwise it downloads, converts and imports the image. The image-volume cache
(``image_volume_cache_enabled``) turns those downloads into later clones, but only when
``cinder_internal_tenant_project_id`` and ``cinder_internal_tenant_user_id`` are set; without
them Cinder logs a warning and silently skips the cache.
"""

from __future__ import annotations

from collections.abc import Iterator

from imageyard.audit.cow.consumers import cinder_cluster, cluster_without_store
from imageyard.audit.rule import AuditContext, rule
from imageyard.audit.rules._common import (
    cite,
    file_unknown,
    is_true,
    rbd_stores,
)
from imageyard.model.config import CinderBackendConfig, CinderConfig
from imageyard.model.finding import Evidence, Outcome, Resource, Unknown
from imageyard.model.inventory import Inventory


def backend_resource(backend: CinderBackendConfig) -> Resource:
    """``cinder-backend <section>``."""
    return Resource("cinder-backend", backend.section)


def _rbd_backends(inv: Inventory) -> Iterator[tuple[CinderConfig, CinderBackendConfig]]:
    for cinder in inv.config.cinder:
        for backend in cinder.backends:
            if backend.is_rbd:
                yield cinder, backend


@rule(
    id="cinder-rbd-cluster-mismatch",
    title="Cinder RBD backend in a Ceph cluster that holds no Glance store",
    severity="high",
    confidence="high",
    category="cow",
    remediation="Add a Glance rbd store in the backend's cluster and copy images there "
    "(copy-image), or enable the image-volume cache so only the first volume per image "
    "downloads.",
    links=("cinder cinder/volume/drivers/rbd.py",),
)
def cinder_rbd_cluster_mismatch(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """A Cinder RBD backend can only clone images stored in its own Ceph cluster.

    _is_cloneable compares the location's fsid with the backend's; with no Glance rbd
    store in that cluster every volume created from an image is a full download.
    """
    if not inv.config.cinder or inv.config.glance_api is None:
        kind = "cinder" if not inv.config.cinder else "glance-api"
        yield file_unknown(cinder_rbd_cluster_mismatch, inv, kind)
        return
    stores = rbd_stores(inv)
    for cinder, backend in _rbd_backends(inv):
        cluster = cinder_cluster(inv, backend)
        resource = backend_resource(backend)
        gap = cluster_without_store(
            cinder_rbd_cluster_mismatch, resource, cluster, stores, "backend"
        )
        if isinstance(gap, Unknown):
            yield gap
        elif gap is not None:
            shown = ", ".join(f"{s.id} ({s.rbd_fsid})" for s in stores) or "none"
            yield cinder_rbd_cluster_mismatch.finding(
                resource,
                f"{cinder.path} [{backend.section}]: Ceph cluster {gap} matches no Glance "
                f"rbd store (stores: {shown}); volumes from images are full downloads",
                *cite(backend.volume_driver, backend.rbd_ceph_conf, backend.rbd_cluster_name),
                Evidence.fact(f"{cluster.conf}: fsid = {gap}"),
            )


@rule(
    id="cinder-image-cache-no-internal-tenant",
    title="Cinder image-volume cache enabled without the internal tenant",
    severity="medium",
    confidence="high",
    category="cache",
    remediation="Set [DEFAULT] cinder_internal_tenant_project_id and "
    "cinder_internal_tenant_user_id in cinder.conf, or drop image_volume_cache_enabled.",
    links=("cinder cinder/context.py", "cinder cinder/volume/driver.py"),
)
def cinder_image_cache_no_internal_tenant(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """The image-volume cache needs Cinder's internal tenant, or it is silently unused.

    Without cinder_internal_tenant_project_id and cinder_internal_tenant_user_id Cinder
    logs "Unable to get Cinder internal context, will not use image-volume cache".
    """
    if not inv.config.cinder:
        yield file_unknown(cinder_image_cache_no_internal_tenant, inv, "cinder")
        return
    for cinder in inv.config.cinder:
        if cinder.has_internal_tenant:
            continue
        for backend in cinder.backends:
            if is_true(backend.image_volume_cache_enabled):
                yield cinder_image_cache_no_internal_tenant.finding(
                    backend_resource(backend),
                    f"{cinder.path} [{backend.section}]: image_volume_cache_enabled is on but "
                    "the internal tenant is not configured; the cache is never used",
                    *cite(
                        backend.image_volume_cache_enabled,
                        cinder.cinder_internal_tenant_project_id,
                        cinder.cinder_internal_tenant_user_id,
                    ),
                )
