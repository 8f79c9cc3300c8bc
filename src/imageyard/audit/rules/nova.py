"""Rules on nova-compute with ``[libvirt] images_type = rbd``: startup and cluster match.

Concepts: an rbd compute clones a Glance image copy-on-write only when one of the image's
``rbd://fsid/pool/image/snap`` locations is in the compute's own Ceph cluster (same fsid
as the ceph.conf in ``images_rbd_ceph_conf``). When no Glance rbd store is in that
cluster, every first boot on every host downloads the image, converts it to raw and
imports a full copy. ``images_rbd_glance_store_name`` (Nova 22) asks Glance to copy the
image into a named store first, which only helps if that store is in the compute's
cluster. Separately, ``force_raw_images = False`` with rbd stops nova-compute at startup.
"""

from __future__ import annotations

from collections.abc import Iterator

from imageyard.audit.cow.consumers import cluster_without_store
from imageyard.audit.rule import AuditContext, rule
from imageyard.audit.rules._common import (
    cite,
    cluster_of,
    file_resource,
    file_unknown,
    is_true,
    rbd_stores,
    text,
)
from imageyard.model.config import NovaConfig
from imageyard.model.finding import Evidence, Outcome, ProposedAction, Unknown
from imageyard.model.inventory import Inventory
from imageyard.model.store import Store

NOVA_RBD_SPEC = (
    "https://specs.openstack.org/openstack/nova-specs/specs/victoria/implemented/"
    "rbd-glance-multistore.html"
)


def _set_option(nova: NovaConfig, section: str, key: str, value: str) -> ProposedAction:
    return ProposedAction(
        "set-config-option",
        (("file", nova.path), ("section", section), ("key", key), ("value", value)),
    )


@rule(
    id="nova-rbd-force-raw-off",
    title="nova-compute with images_type=rbd and force_raw_images=False",
    severity="critical",
    confidence="high",
    category="startup",
    remediation="Remove force_raw_images = False from [DEFAULT] (the default is True) on "
    "computes with [libvirt] images_type = rbd.",
    links=("nova nova/virt/libvirt/driver.py", "https://bugs.launchpad.net/nova/+bug/1816686"),
)
def nova_rbd_force_raw_off(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """images_type=rbd requires force_raw_images=True.

    nova-compute treats the combination as a configuration error and does not start
    (bug 1816686).
    """
    if not inv.config.nova:
        yield file_unknown(nova_rbd_force_raw_off, inv, "nova")
        return
    for nova in inv.config.nova:
        if nova.uses_rbd and not is_true(nova.force_raw_images, default=True):
            yield nova_rbd_force_raw_off.finding(
                file_resource(nova.path),
                f"{nova.path}: images_type = rbd with force_raw_images = False; "
                "nova-compute will not start",
                *cite(nova.images_type, nova.force_raw_images),
                action=_set_option(nova, "DEFAULT", "force_raw_images", "True"),
            )


def _stores_text(stores: tuple[Store, ...]) -> str:
    return ", ".join(f"{s.id} ({s.rbd_fsid})" for s in stores) or "none"


def _mismatch_message(nova: NovaConfig, fsid: str, stores: tuple[Store, ...]) -> str:
    named = text(nova.images_rbd_glance_store_name)
    fallback = (
        "boots fail instead (never_download_image_if_on_rbd)"
        if is_true(nova.never_download_image_if_on_rbd)
        else "every first boot on each host downloads and re-imports the image"
    )
    extra = f"; images_rbd_glance_store_name = {named} is not in this cluster" if named else ""
    return (
        f"{nova.path}: the compute's Ceph cluster {fsid} matches no Glance rbd store "
        f"(stores: {_stores_text(stores)}); {fallback}{extra}"
    )


@rule(
    id="nova-rbd-cluster-mismatch",
    title="rbd compute in a Ceph cluster that holds no Glance store",
    severity="high",
    confidence="high",
    category="cow",
    remediation="Add a Glance rbd store in the compute's cluster and set [libvirt] "
    "images_rbd_glance_store_name to it (with copy-image enabled), or point "
    "images_rbd_ceph_conf at the cluster that holds the images.",
    links=(NOVA_RBD_SPEC, "nova nova/storage/rbd_utils.py", "nova nova/conf/workarounds.py"),
)
def nova_rbd_cluster_mismatch(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """An rbd compute can only clone images stored in its own Ceph cluster.

    The fsid of the ceph.conf named by images_rbd_ceph_conf must equal the fsid of at
    least one Glance rbd store; otherwise no location is cloneable (bug 1858877).
    """
    if not inv.config.nova or inv.config.glance_api is None:
        kind = "nova" if not inv.config.nova else "glance-api"
        yield file_unknown(nova_rbd_cluster_mismatch, inv, kind)
        return
    stores = rbd_stores(inv)
    for nova in inv.config.nova:
        if not nova.uses_rbd:
            continue
        cluster = cluster_of(inv, nova.images_rbd_ceph_conf, nova.path)
        resource = file_resource(nova.path)
        gap = cluster_without_store(nova_rbd_cluster_mismatch, resource, cluster, stores, "compute")
        if isinstance(gap, Unknown):
            yield gap
        elif gap is not None:
            yield nova_rbd_cluster_mismatch.finding(
                resource,
                _mismatch_message(nova, gap, stores),
                *cite(
                    nova.images_type, nova.images_rbd_ceph_conf, nova.images_rbd_glance_store_name
                ),
                Evidence.fact(f"{cluster.conf}: fsid = {gap}"),
            )
