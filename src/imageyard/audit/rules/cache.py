"""Rules on the Glance image cache: a hard startup requirement and the Ceph guidance.

Concepts: caching is on when the paste pipeline (``[paste_deploy] flavor``) includes the
cache filter and ``image_cache_dir`` is set. Since Glance 28 the default cache driver is
``centralized_db``, which needs ``worker_self_reference_url`` on each node. Images in RBD
are cloned copy-on-write by Nova and Cinder and never downloaded, so the Ceph guide
recommends turning caching off there.
"""

from __future__ import annotations

from collections.abc import Iterator

from imageyard.audit.rule import AuditContext, rule
from imageyard.audit.rules._common import (
    cite,
    file_resource,
    file_unknown,
    rbd_stores,
)
from imageyard.model.finding import Confidence, Evidence, Outcome
from imageyard.model.inventory import Inventory
from imageyard.model.store import StoreType


@rule(
    id="cache-without-self-reference-url",
    title="centralized_db image cache without worker_self_reference_url",
    severity="critical",
    confidence="high",
    category="startup",
    releases=">=28",
    remediation="Set [DEFAULT] worker_self_reference_url on every glance-api node to that "
    "node's own URL, or turn caching off.",
    links=(
        "glance glance/image_cache/drivers/centralized_db.py",
        "glance glance/sqlite_migration.py",
    ),
)
def cache_without_self_reference_url(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """With caching on and the centralized_db driver, worker_self_reference_url is required.

    centralized_db is the default image_cache_driver since Glance 28; without the option
    glance-api raises a RuntimeError at startup.
    """
    glance = inv.config.glance_api
    if glance is None:
        yield file_unknown(cache_without_self_reference_url, inv, "glance-api")
        return
    if not glance.cache_enabled or glance.cache_driver != "centralized_db":
        return
    if glance.worker_self_reference_url is not None:
        return
    driver = (
        "image_cache_driver = centralized_db"
        if glance.image_cache_driver
        else ("image_cache_driver unset (centralized_db by default)")
    )
    yield cache_without_self_reference_url.finding(
        file_resource(glance.path),
        f"{glance.path}: caching is on with {driver} but worker_self_reference_url is not "
        "set; glance-api will not start",
        *cite(glance.paste_flavor, glance.image_cache_dir, glance.image_cache_driver),
    )


@rule(
    id="glance-cache-with-rbd",
    title="Glance image cache enabled while images live in RBD",
    severity="low",
    confidence="medium",
    category="cache",
    remediation="Use [paste_deploy] flavor = keystone (no caching) when images are served "
    "from RBD; Nova and Cinder clone them in Ceph and never go through the cache.",
    links=("ceph doc/rbd/rbd-openstack.rst",),
)
def glance_cache_with_rbd(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """The Ceph guide recommends disabling the Glance cache when images live in RBD.

    Copy-on-write clones never download the image, so the cache only uses disk on every
    API node. Confidence is high when every store is rbd, medium when the default store is
    rbd but other stores exist (their images may benefit from the cache).
    """
    glance = inv.config.glance_api
    if glance is None:
        yield file_unknown(glance_cache_with_rbd, inv, "glance-api")
        return
    if not glance.cache_enabled:
        return
    default = next((s for s in inv.stores if s.is_default), None)
    if default is None or default.type is not StoreType.RBD:
        return
    all_rbd = len(rbd_stores(inv)) == len({s.id for s in inv.stores if not s.is_reserved})
    yield glance_cache_with_rbd.finding(
        file_resource(glance.path),
        f"{glance.path}: the Glance image cache is on while the default store {default.id} is rbd",
        *cite(glance.paste_flavor, glance.image_cache_dir),
        Evidence.fact(f"store {default.id} (rbd) is the default store"),
        confidence=Confidence.HIGH if all_rbd else Confidence.MEDIUM,
    )
