"""Edge pre-placement: every image a site boots, in that site's own store before its first boot.

Concepts: the site description (``plan make --site``, the design's site YAML) names the
sites (``sites``), the Ceph cluster of each (``ceph_clusters[].site``), the stores
(``backends``) and the Nova compute groups and Cinder backends at each site. A site's
*local store* is the design's rbd store for the site's Ceph cluster (``design.layout.
plan_stores``: the declared rbd backend of that cluster, else the store the design
proposes), found in Glance by its id, else by the cluster's fsid and pool. The images a
site boots: the active public images and those tagged ``golden``, plus the images its
servers use (servers in the site's availability zone, the zone's name when none is
declared, or on one of the site's compute ``hosts``, as the snapshot records a server's
``OS-EXT-SRV-ATTR:host``) and its volumes were made from (volumes whose
``host@backend#pool`` names one of the site's Cinder backends). Each one that is not in the
local store yet gets a copy-image into it; an image the plan converts to raw gets its raw
replacement copied instead (``copy-converted``, after the conversion and before the
original is retired). A site whose store Glance does not have gets a note and no actions:
the design's layout comes first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from imageyard.design.layout import WEIGHT_RELEASE, plan_stores
from imageyard.design.model import StorePlan
from imageyard.design.site import Site
from imageyard.design.topology import site_of
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.model.plan import SitePlacement
from imageyard.plan.policy import PlanPolicy

if TYPE_CHECKING:
    from imageyard.plan.generate import _Builder

GOLDEN_TAG = "golden"
COPIES = ("copy-image", "copy-converted")


@dataclass(frozen=True)
class SiteTarget:
    """One site, its local Glance store (None: not in Glance) and how its users are found."""

    site: str
    store: str | None
    wanted: str  # the design's store id, for the note when Glance lacks it
    zones: frozenset[str]
    cinder: frozenset[str]
    hosts: frozenset[str] = frozenset()


def _glance_store(inv: Inventory, plan: StorePlan) -> str | None:
    """The Glance rbd store the design's ``plan`` is: same id, else same fsid and pool."""
    rbd = [s for s in inv.stores if s.type.value == "rbd" and not s.is_reserved]
    named = [s.id for s in rbd if s.id == plan.id]
    same = [
        s.id
        for s in rbd
        if plan.fsid and plan.pool and s.rbd_fsid == plan.fsid and s.rbd_pool == plan.pool
    ]
    found = named or same
    return found[0] if found else None


def _zones(site: Site, name: str) -> frozenset[str]:
    zone = site.zone(name)
    return frozenset({zone.availability_zone or zone.name} if zone else {name})


def _hosts(site: Site, name: str) -> frozenset[str]:
    zone = site.zone(name)
    return frozenset(zone.hosts if zone else ())


def _cinder(site: Site, name: str) -> frozenset[str]:
    def at(cb_site: str | None, cluster: str | None) -> bool:
        known = site.cluster(cluster)
        return (cb_site or (known.site if known else None)) == name

    return frozenset(c.name for c in site.cinder if at(c.site, c.ceph_cluster))


def site_targets(site: Site, inv: Inventory) -> tuple[SiteTarget, ...]:
    """Every site that has an rbd store in the design, with its local Glance store."""
    out: dict[str, SiteTarget] = {}
    for plan in plan_stores(site, WEIGHT_RELEASE):
        if plan.type != "rbd" or plan.role not in ("default", "edge"):
            continue
        name = site_of(site, plan)
        store = _glance_store(inv, plan)
        zones, hosts = _zones(site, name), _hosts(site, name)
        out.setdefault(name, SiteTarget(name, store, plan.id, zones, _cinder(site, name), hosts))
    return tuple(out.values())


def _backend(host: str | None) -> str:
    """The backend of Cinder's ``host@backend#pool``."""
    return (host or "").partition("@")[2].partition("#")[0]


def boots(inv: Inventory, target: SiteTarget) -> list[Image]:
    """The active images ``target``'s site boots: public, golden, or used there."""
    used = {
        s.image_ref
        for s in inv.servers
        if s.availability_zone in target.zones or (s.host and s.host in target.hosts)
    }
    used |= {v.image_id for v in inv.volumes if _backend(v.backend_host) in target.cinder}
    return [
        i
        for i in inv.images
        if i.is_active and (i.visibility == "public" or GOLDEN_TAG in i.tags or i.id in used)
    ]


def _converted_into(b: _Builder, image: Image) -> str | None:
    """The store a conversion of ``image`` planned so far writes to, or None."""
    return next(
        (a.target for a in b.actions if a.kind == "convert-to-raw" and a.image_id == image.id),
        None,
    )


def _tag(b: _Builder, image: Image, store: str, site: str) -> bool:
    """Mark an action already planned that puts ``image`` in ``store`` as this site's."""
    for n, a in enumerate(b.actions):
        if a.image_id == image.id and a.target == store and a.kind in COPIES:
            b.actions[n] = replace(a, params=(*a.params, ("site", site)))
            return True
    return False


def _place(b: _Builder, image: Image, store: str, site: str) -> int | None:
    """Plan ``image`` into ``store`` for ``site`` (unless planned already); its bytes, or
    None when the store's capacity leaves no room for it (``b.unplaced`` says so)."""
    why = f"site {site} boots it: pre-placed in its store {store}"
    converted = _converted_into(b, image)
    raw = image.virtual_size or image.size or 0
    if converted == store:
        return raw
    if _tag(b, image, store, site):
        return raw if converted else image.size or 0
    now, params = b.state(image), (("site", site),)
    if not b.fits(image, store, raw if converted is not None else image.size or 0):
        return None
    if converted is not None:
        b.add(image, "copy-converted", store, now, bytes=raw, reason=why, params=params)
        return raw
    after = now.with_store(store)
    b.add(image, "copy-image", store, after, bytes=image.size or 0, reason=why, params=params)
    return image.size or 0


def _one_site(b: _Builder, target: SiteTarget, policy: PlanPolicy) -> SitePlacement:
    store = target.store
    if store is None:
        note = f"the design's store {target.wanted} is not in Glance: apply the design first"
        return SitePlacement(target.site, None, note=note)
    images = [i for i in boots(b.inv, target) if policy.selects(i)]
    wanted = [
        _place(b, i, store, target.site)
        for i in images
        if store not in i.stores or _converted_into(b, i) is not None
    ]
    placed = [n for n in wanted if n is not None]
    left = len(wanted) - len(placed)
    note = f"{left} not placed: over the store's capacity" if left else ""
    present = len(images) - len(wanted)
    return SitePlacement(target.site, store, len(images), present, len(placed), sum(placed), note)


def edge_actions(b: _Builder, site: Site, policy: PlanPolicy) -> tuple[SitePlacement, ...]:
    """Pre-place what every site of ``site`` boots; a summary per site."""
    return tuple(_one_site(b, t, policy) for t in site_targets(site, b.inv))
