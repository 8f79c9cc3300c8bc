"""Sites and their Glance APIs: which stores each site's API enables, its default and weights.

Concepts: a *site* is where a Ceph cluster and its consumers live (the cluster's declared
site, else the cluster itself). With one Ceph cluster there is one API, the one whose files
the inventory holds. With several (DCN/edge), every site gets its own glance-api whose
default is the site's own store, so uploads there stay local and ``direct_url`` names the
local copy; the central API enables every store, an edge API its own and the central one
(copies between edges go through central). Each API weights its local store first, central
next, the others below (never two at one weight). The API
whose glance-api.conf was collected is ``target ""`` (its diff is against that file); the
others are named by site and rendered as new files.
"""

from __future__ import annotations

from imageyard.design.model import ApiPlan, Decision, Step, StorePlan
from imageyard.design.site import Site
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory

LOCAL, CENTRAL, OTHER = 100, 50, 40
MAX_LISTED = 10


def site_of(site: Site, store: StorePlan) -> str:
    """The site a store serves: its cluster's declared site, else its own, else the cluster."""
    cluster = site.cluster(store.ceph_cluster)
    return (cluster.site if cluster else None) or store.site or store.ceph_cluster or store.id


def _heaviest(store: StorePlan) -> int:
    return -(store.weight or 0)


def _edge_api(
    site: Site, edge: StorePlan, stores: list[StorePlan], central: StorePlan, target: str
) -> ApiPlan:
    """An edge API: its own store first, central next, any other store after them."""
    weights = [(edge.id, LOCAL), (central.id, CENTRAL)]
    others = [s for s in stores if s not in (edge, central) and s.weight]
    capped: dict[str, int] = {}
    below = OTHER + 1
    for s in sorted(others, key=_heaviest):  # each below the one before: none may tie
        below = capped[s.id] = min(s.weight or 0, below - 1)
    weights += [(s.id, capped[s.id]) for s in others]
    ids = (edge.id, central.id, *(s.id for s in stores if s not in (edge, central)))
    return ApiPlan(site_of(site, edge), edge.id, ids, tuple(weights), target)


def _central_api(site: Site, stores: tuple[StorePlan, ...], target: str) -> ApiPlan:
    central = next(s for s in stores if s.is_default)
    weights = tuple((s.id, s.weight) for s in stores if s.weight is not None)
    return ApiPlan(site_of(site, central), central.id, tuple(s.id for s in stores), weights, target)


def collected_default(site: Site) -> str | None:
    """The current default store of the collected glance-api.conf (measured)."""
    return next((b.id for b in site.backends if b.is_default and b.source == "measured"), None)


def plan_apis(site: Site, stores: tuple[StorePlan, ...], release: int) -> tuple[ApiPlan, ...]:
    """One API per site when there are several Ceph sites, else the one API."""
    central = next((s for s in stores if s.is_default), None)
    edges = [s for s in stores if s.role == "edge"]
    if central is None or not edges:
        return ()
    here = collected_default(site)
    local_edge = next((e for e in edges if e.id == here), None)
    apis = [_central_api(site, stores, "" if local_edge is None else site_of(site, central))]
    for e in edges:
        if e is local_edge:  # the collected edge API keeps every store it can read now
            apis.append(_edge_api(site, e, list(stores), central, ""))
        else:
            apis.append(_edge_api(site, e, [e, central], central, site_of(site, e)))
    if release < 27:
        apis = [ApiPlan(a.site, a.default, a.stores, (), a.target) for a in apis]
    return tuple(apis)


def _missing(inv: Inventory, edges: list[str]) -> list[tuple[Image, list[str]]]:
    out = []
    for img in inv.images:
        lacking = [e for e in edges if e not in img.stores]
        if img.is_active and img.disk_format == "raw" and lacking:
            out.append((img, lacking))
    return out


def preplace_step(inv: Inventory | None, stores: tuple[StorePlan, ...]) -> Step | None:
    """Copy raw images to every edge store ahead of the first boot there (copy-image)."""
    edges = [s.id for s in stores if s.role == "edge"]
    if not edges:
        return None
    if inv is None or not inv.images:
        cmds: tuple[str, ...] = (
            "for id in $(glance image-list --visibility public --property-filter "
            "disk_format=raw -f value -c ID); do",
            f"  glance image-import $id --import-method copy-image --stores {','.join(edges)} "
            "--allow-failure True",
            "done",
        )
    else:
        found = _missing(inv, edges)
        cmds = tuple(
            f"glance image-import {img.id} --import-method copy-image --stores "
            f"{','.join(lacking)} --allow-failure True"
            for img, lacking in found[:MAX_LISTED]
        )
        if len(found) > MAX_LISTED:
            cmds += (f"# ... and {len(found) - MAX_LISTED} more (imageyard design -f json)",)
        if not found:
            return None
    return Step(
        f"Pre-place raw images in the edge stores {', '.join(edges)}",
        "glance image-show <id> -c stores  # the central store is listed (copies go via central)",
        cmds,
        "As an admin (copy_image is admin-only by default): an image already in a site's own "
        "store is cloned there at the first boot, with no copy request from a user's boot.",
        "copy-image-boot-failure",
    )


def _api_text(a: ApiPlan) -> str:
    where = "glance-api.conf" if not a.target else f"its own glance-api.conf, '{a.target}'"
    weights = ", ".join(f"{i}={w}" for i, w in a.weights) or "no weights (before Glance 27)"
    return f"site {a.site} ({where}): default {a.default}, stores {', '.join(a.stores)}, {weights}"


def _compute_pairs(site: Site, stores: tuple[StorePlan, ...]) -> list[str]:
    out = []
    for c in site.computes:
        if not c.uses_rbd:
            continue
        local = next(
            (s.id for s in stores if s.type == "rbd" and s.ceph_cluster == c.ceph_cluster), None
        )
        out.append(
            f"nova {c.name} -> {local}"
            if local
            else f"nova {c.name}: cluster {c.ceph_cluster or 'not resolved'} has no store"
        )
    return out


def decide_sites(
    site: Site, stores: tuple[StorePlan, ...], apis: tuple[ApiPlan, ...]
) -> Decision | None:
    """The per-site layout: each site's API and computes use the site's own store."""
    if not apis:
        return None
    why = (
        f"{len(apis)} Ceph sites serve computes. Each site's glance-api keeps its own store as "
        "default_backend and weights it first, so uploads stay local and direct_url names the "
        "local copy; an edge API enables its own store and the central one (copies between "
        "edges go through central, which keeps a copy of every image). Each compute group "
        "names its local store in images_rbd_glance_store_name, so a missing copy is made "
        "with copy-image and then cloned; the copy request carries the user's token and "
        "Glance's copy_image policy is admin-only by default, so a non-admin boot of an image "
        "not yet at that site fails unless the policy is relaxed or the image was pre-placed "
        "(section e). The other sites' files repeat the collected node's rbd_store_ceph_conf "
        "paths and users: check them on those nodes."
    )
    return Decision(
        "layout.edge",
        "layout",
        "Per-site stores and APIs",
        "; ".join([_api_text(a) for a in apis] + _compute_pairs(site, stores)),
        why,
        (
            "dcn-edge",
            "nova-store-name",
            "nova-read-path",
            "copy-image-boot-failure",
            "copy-image-method",
        ),
    )
