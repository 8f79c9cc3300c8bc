"""Section (a), store layout: which stores, their ids, descriptions, weights and default.

Concepts: the Ceph clusters that Nova (``images_type=rbd``) or Cinder (RBD driver) use are
the *consumer clusters*; each needs a Glance rbd store in its images pool, because only a
raw image in the consumer's own cluster is cloned copy-on-write. The default store is the
consumer cluster of the central site (or of most consumers). Without any consumer cluster,
the default is the fastest non-archive backend. Swift/S3 next to a Ceph default become
archive stores; file stores next to a Ceph default are drained (if they hold images) or
dropped. Weights order locations: default 100, hot 60, edge 50, general 30, archive 10,
review 6, drained 5; stores sharing a role descend from there, each below the one before
it, so no two stores tie. They exist from Glance 27 on.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from imageyard.design.model import Decision, StorePlan
from imageyard.design.provenance import ASSUMED, DECLARED, datum
from imageyard.design.site import MEASURED, Backend, CephCluster, Site

WEIGHT_RELEASE = 27
DRIVERS = frozenset({"file", "http", "swift", "rbd", "cinder", "vmware", "s3"})
WEIGHTS = {
    "default": 100,
    "edge": 50,
    "hot": 60,
    "general": 30,
    "archive": 10,
    "review": 6,
    "drain": 5,
}
GIB = 1024**3


def consumer_clusters(site: Site) -> tuple[str, ...]:
    """Ceph clusters used by rbd computes or RBD Cinder backends, most used first.

    When neither Nova nor Cinder is described at all, the clusters of the rbd stores are
    assumed to be the consumers' (the usual reason to put Glance in Ceph); the memo says so.
    """
    uses: Counter[str] = Counter()
    for c in site.computes:
        if c.uses_rbd and c.ceph_cluster:
            uses[c.ceph_cluster] += 1
    for cb in site.cinder:
        if cb.rbd and cb.ceph_cluster:
            uses[cb.ceph_cluster] += 1
    if not site.computes and not site.cinder:
        for b in site.backends:
            if b.type == "rbd" and b.ceph_cluster:
                uses[b.ceph_cluster] += 1
    return tuple(name for name, _ in uses.most_common())


def consumers_assumed(site: Site) -> bool:
    """True when no Nova or Cinder is known and rbd stores stand in for them."""
    return not site.computes and not site.cinder and any(b.type == "rbd" for b in site.backends)


def central_cluster(site: Site, used: tuple[str, ...]) -> str | None:
    """The consumer cluster at a central site, else the current default's, else most used."""
    for name in used:
        cluster = site.cluster(name)
        zone = site.zone(cluster.site if cluster else None)
        if zone is not None and zone.role == "central":
            return name
    current = next((b for b in site.backends if b.is_default and b.type == "rbd"), None)
    if current is not None and current.ceph_cluster in used:
        return _central_seen_from(site, current.ceph_cluster, used) or current.ceph_cluster
    return used[0] if used else None


def _central_seen_from(site: Site, local: str, used: tuple[str, ...]) -> str | None:
    """An edge API (default in its own consumer cluster) that also enables exactly one other
    cluster no known consumer uses: that cluster is the central one (DCN: edges see central)."""
    rbd = {b.ceph_cluster for b in site.backends if b.type == "rbd" and b.ceph_cluster}
    others = rbd - {local} - set(used)
    if len(rbd) == 2 and len(others) == 1:
        return others.pop()
    return None


def _rbd_backend(site: Site, cluster: str) -> Backend | None:
    known = site.cluster(cluster)
    pool = known.images_pool if known is not None else "images"
    found = [b for b in site.backends if b.type == "rbd" and b.ceph_cluster == cluster]
    current = next((b for b in found if b.is_default), None)  # the operator's choice stays
    return current or next(
        (b for b in found if b.pool in (None, pool)), found[0] if found else None
    )


def _new_rbd_store(site: Site, cluster: CephCluster, role: str) -> StorePlan:
    taken = {b.id for b in site.backends}
    store_id = cluster.name if cluster.name not in taken else f"rbd-{cluster.name}"
    conf = cluster.conf or f"/etc/ceph/{cluster.name}.conf"
    options = (
        ("rbd_store_pool", cluster.images_pool),
        ("rbd_store_user", cluster.user),
        ("rbd_store_ceph_conf", conf),
    )
    return StorePlan(
        id=store_id,
        type="rbd",
        role=role,
        weight=None,
        description="",
        site=cluster.site,
        ceph_cluster=cluster.name,
        fsid=cluster.fsid,
        pool=cluster.images_pool,
        options=options,
        new=True,
        user=cluster.user,
        source=DECLARED if cluster.source == DECLARED else ASSUMED,
    )


def _rbd_plan(site: Site, cluster_name: str, role: str) -> StorePlan:
    cluster = site.cluster(cluster_name) or CephCluster(name=cluster_name)
    b = _rbd_backend(site, cluster_name)
    if b is None:
        return _new_rbd_store(site, cluster, role)
    return StorePlan(
        id=b.id,
        type="rbd",
        role=role,
        weight=None,
        description="",
        site=b.site or cluster.site,
        ceph_cluster=cluster_name,
        fsid=cluster.fsid,
        pool=b.pool or cluster.images_pool,
        options=() if b.source == MEASURED else _declared_options(b, cluster),
        user=dict(b.options).get("rbd_store_user")
        or (None if b.source == MEASURED else cluster.user),
        source=b.source,
    )


def _declared_options(b: Backend, cluster: CephCluster) -> tuple[tuple[str, str], ...]:
    """A declared rbd store's driver options (there is no file to keep them from)."""
    return (
        ("rbd_store_pool", b.pool or cluster.images_pool),
        ("rbd_store_user", cluster.user),
        ("rbd_store_ceph_conf", cluster.conf or f"/etc/ceph/{cluster.name}.conf"),
    )


def _other_role(b: Backend, ceph_default: bool) -> str | None:
    """The role of a non-consumer backend; None means: do not enable it."""
    if b.type == "http":
        return "general"
    if b.role == "archive" or (ceph_default and b.type in ("swift", "s3")):
        return "archive"
    if ceph_default and b.type == "file":
        if b.image_count is None:
            return "review"  # retired only once the catalog shows it empty
        return "drain" if b.image_count else None
    return b.role


def _default_non_ceph(site: Site) -> Backend | None:
    pool = [b for b in site.backends if b.role != "archive" and b.type not in ("http",)]
    pool = pool or [b for b in site.backends if b.type != "http"]
    if not pool:
        return None
    return max(pool, key=lambda b: (b.throughput_mib_s or 0.0, -(b.cost_per_gib_month or 0.0)))


def _describe(p: StorePlan) -> str:
    where = f" at {p.site}" if p.site else ""
    cluster = f" (cluster {p.ceph_cluster})" if p.ceph_cluster else ""
    text = {
        "default": f"Default: raw images in Ceph pool {p.pool}{cluster}{where}; "
        "Nova and Cinder clone from here",
        "edge": f"Edge copy in Ceph pool {p.pool}{cluster}{where}; raw, cloned by local computes",
        "archive": f"Archive ({p.type}){where}: rarely booted images, qcow2 allowed",
        "drain": f"Being drained ({p.type}){where}: copy images out, then remove",
        "review": f"{p.type} store{where}: kept until its images are counted",
        "general": f"{p.type} store{f' in pool {p.pool}' if p.pool else ''}{cluster}{where}",
        "hot": f"Hot {p.type} store{where}",
    }[p.role]
    if p.role == "default" and p.type != "rbd":
        text = f"Default: {p.type} store{where}; computes download and cache images"
    return text


def _weights(plans: list[StorePlan]) -> dict[str, int]:
    """Weight by role, stores sharing a role descending from the role's weight. Every
    weight stays below the one before it, so a role with many stores never reaches the
    next role's weight (a tie leaves the location order to chance); if that goes below
    0, all are raised together (only the order matters)."""
    out: dict[str, int] = {}
    ranks: Counter[str] = Counter()
    below = WEIGHTS["default"] + 1
    for p in sorted(plans, key=lambda p: -WEIGHTS[p.role]):
        below = min(WEIGHTS[p.role] - ranks[p.role], below - 1)
        out[p.id] = below
        ranks[p.role] += 1
    lift = max(0, -min(out.values(), default=0))
    return {sid: w + lift for sid, w in out.items()}


def _finish(p: StorePlan, weight: int | None, own: str) -> StorePlan:
    """The store with its weight; the operator's own store_description is kept."""
    return replace(p, weight=weight, description=own or _describe(p))


def _own_description(site: Site, store_id: str) -> str:
    b = next((x for x in site.backends if x.id == store_id), None)
    found = dict(b.options).get("store_description", "") if b is not None else ""
    return found.strip()


def not_understood(site: Site) -> tuple[Backend, ...]:
    """Backends whose driver type imageyard does not know (the store layout is refused)."""
    return tuple(b for b in site.backends if b.type not in DRIVERS)


def plan_stores(site: Site, release: int) -> tuple[StorePlan, ...]:
    """The stores to enable, default first (stores of an unknown type are left out)."""
    site = replace(site, backends=tuple(b for b in site.backends if b.type in DRIVERS))
    used = consumer_clusters(site)
    central = central_cluster(site, used)
    plans = [_rbd_plan(site, central, "default")] if central else []
    # NOTE: edge sites come from real consumers only; assumed ones do not make a DCN layout.
    edges = () if consumers_assumed(site) else used
    plans += [_rbd_plan(site, name, "edge") for name in edges if name != central]
    planned = {p.id for p in plans}
    default_other = None if central else _default_non_ceph(site)
    for b in site.backends:
        if b.id in planned:
            continue
        role = "default" if default_other is b else _other_role(b, central is not None)
        if role is None:
            continue
        plans.append(
            StorePlan(
                id=b.id,
                type=b.type,
                role=role,
                weight=None,
                description="",
                site=b.site,
                ceph_cluster=b.ceph_cluster,
                pool=b.pool,
                source=b.source,
            )
        )
    plans = [replace(p, is_default=p.role == "default") for p in plans]
    weights = _weights(plans) if release >= WEIGHT_RELEASE else {}
    return tuple(_finish(p, weights.get(p.id), _own_description(site, p.id)) for p in plans)


def local_store(site: Site, stores: tuple[StorePlan, ...], cluster: str | None) -> str | None:
    """The rbd store in ``cluster`` (what its computes name in images_rbd_glance_store_name)."""
    return next((s.id for s in stores if s.type == "rbd" and s.ceph_cluster == cluster), None)


# ---------------------------------------------------------------- decisions


def _evidence_consumers(site: Site) -> tuple[str, ...]:
    ev = [
        f"{c.source}: nova {c.name} images_type={c.images_type}"
        + (f" in Ceph cluster {c.ceph_cluster}" if c.ceph_cluster else "")
        for c in site.computes
    ]
    ev += [
        f"{b.source}: cinder backend {b.name} "
        + (f"RBD in {b.ceph_cluster}" if b.rbd else "not RBD")
        for b in site.cinder
    ]
    return tuple(ev)


def _decide_backends(site: Site, stores: tuple[StorePlan, ...]) -> Decision:
    enabled = ", ".join(f"{s.id}:{s.type}" for s in stores)
    used = consumer_clusters(site)
    why = (
        f"Nova/Cinder use Ceph cluster(s) {', '.join(used)}: each gets an rbd store in its "
        "images pool so images can be cloned copy-on-write there."
        if used
        else "No compute or volume backend uses Ceph, so no store can be cloned "
        "copy-on-write; stores are chosen for download speed and cost."
    )
    if consumers_assumed(site):
        why += (
            " No Nova or Cinder configuration is known: assumed they use the clusters of "
            "the existing rbd stores; collect nova.conf and cinder.conf to confirm."
        )
    return Decision(
        "layout.backends",
        "layout",
        "Stores to enable",
        enabled,
        why,
        ("cow-clone-rules", "ceph-raw-required"),
        _evidence_consumers(site),
    )


def _decide_default(site: Site, stores: tuple[StorePlan, ...]) -> Decision:
    d = next((s for s in stores if s.is_default), None)
    if d is None:
        return Decision(
            "layout.default_store",
            "layout",
            "Default store",
            "(none)",
            "No backend is known; describe at least one.",
            ("default-backend",),
        )
    if d.type == "rbd":
        why = (
            f"{d.id} is the images pool of cluster {d.ceph_cluster}, which Nova/Cinder "
            "use: uploads and imports without a store land where they can be cloned."
        )
    else:
        b = next((x for x in site.backends if x.id == d.id), None)
        tp = f" ({b.throughput_mib_s:g} MiB/s declared)" if b and b.throughput_mib_s else ""
        why = f"No consumer uses Ceph; {d.id} is the fastest non-archive backend{tp}."
    return Decision(
        "layout.default_store",
        "layout",
        "Default store",
        d.id,
        why,
        ("default-backend", "cow-clone-rules"),
    )


def _decide_weights(stores: tuple[StorePlan, ...], release: int) -> Decision:
    if release < WEIGHT_RELEASE:
        return Decision(
            "layout.weights",
            "layout",
            "Store weights",
            "not available",
            f"weight exists from Glance {WEIGHT_RELEASE} on; the target is "
            f"{release}: location order is insertion order.",
            ("store-weight",),
        )
    choice = ", ".join(f"{s.id}={s.weight}" for s in stores)
    why = (
        "The default store sorts first so direct_url and downloads use it; edge copies next; "
        "archive and drained stores last so they are read only when nothing else has the "
        "image."
    )
    return Decision(
        "layout.weights",
        "layout",
        "Store weights",
        choice,
        why,
        ("store-weight", "direct-url-single"),
    )


def _holding(b: Backend) -> str:
    if b.image_count is None:
        return datum(
            ASSUMED, f"{b.id} may hold images: its image count is unknown (catalog not collected)"
        )
    return f"{b.source}: {b.id} holds {b.image_count} images, {b.stored_bytes / GIB:.1f} GiB"


def _decide_dropped(site: Site, stores: tuple[StorePlan, ...]) -> Decision | None:
    kept = {s.id for s in stores}
    dropped = [b for b in site.backends if b.id not in kept and b.type in DRIVERS]
    draining = [s for s in stores if s.role == "drain"]
    unknown = [s for s in stores if s.role == "review"]
    if not dropped and not draining and not unknown:
        return None
    parts = [f"drop {b.id} ({b.type}, the collected catalog shows no image in it)" for b in dropped]
    parts += [f"drain {s.id}" for s in draining]
    parts += [f"keep {s.id} until counted" for s in unknown]
    why = (
        "With a Ceph default, file stores only force downloads. A store the collected Glance "
        "catalog shows empty is not enabled; ones holding images stay enabled at the lowest "
        "weights until copy-image has moved their images (section e), then are removed."
    )
    if unknown:
        why += (
            f" The Glance catalog was not collected, so whether {', '.join(s.id for s in unknown)} "
            "holds images is unknown: they stay enabled. Collect it first (imageyard collect "
            "--os-cloud ...), then design again."
        )
    ev = tuple(_holding(b) for b in site.backends if b.type == "file")
    return Decision(
        "layout.retire",
        "layout",
        "Stores to retire",
        "; ".join(parts),
        why,
        ("store-holding-images", "cow-clone-rules"),
        ev,
    )


def _decide_reserved() -> Decision:
    return Decision(
        "layout.reserved",
        "layout",
        "Staging and tasks stores",
        "os_glance_staging_store, os_glance_tasks_store (filesystem_store_datadir each)",
        "Import (image_conversion, copy-image) stages data here; the directories must differ "
        "from every file store's and never appear in enabled_backends.",
        ("reserved-stores",),
    )


def _hot_gib(site: Site) -> float:
    """Bytes of the most booted images: declared/measured hot set, else top x average size."""
    cat, boot = site.catalog, site.boot
    if boot.hot_set_gib is not None:
        return min(boot.hot_set_gib, cat.total_gib)
    if boot.top_images and cat.images:
        return min(boot.top_images * cat.total_gib / cat.images, cat.total_gib)
    return cat.total_gib


@dataclass(frozen=True)
class CostSplit:
    """The hot/archive split: the hot images stay in the default, the rest in the archive."""

    default: StorePlan
    archive: StorePlan
    costs: dict[str, float]
    total_gib: float
    hot_gib: float


def cost_split(site: Site, stores: tuple[StorePlan, ...]) -> CostSplit | None:
    """The split, when costs are declared for the default and an archive store."""
    costs = {b.id: b.cost_per_gib_month for b in site.backends if b.cost_per_gib_month}
    default = next((s for s in stores if s.is_default), None)
    archive = [s for s in stores if s.role == "archive" and s.id in costs]
    if default is None or default.id not in costs or not archive or not site.catalog.total_gib:
        return None
    cheapest = min(archive, key=lambda s: costs[s.id])
    return CostSplit(default, cheapest, costs, site.catalog.total_gib, _hot_gib(site))


def _decide_cost(site: Site, stores: tuple[StorePlan, ...]) -> Decision | None:
    found = cost_split(site, stores)
    if found is None:
        return None
    default, cheapest, costs = found.default, found.archive, found.costs
    total, hot = found.total_gib, found.hot_gib
    all_hot = total * costs[default.id]
    split = hot * costs[default.id] + (total - hot) * costs[cheapest.id]
    boot_share = site.boot.top_share
    why = (
        f"Keeping all {total:g} GiB in {default.id} costs {all_hot:.0f}/month. The "
        f"{site.boot.top_images or 'hot'} most booted images ({hot:.0f} GiB, {boot_share:.0%} "
        f"of boots) stay in {default.id}; the other {total - hot:.0f} GiB live only in "
        f"{cheapest.id}: about {split:.0f}/month. An archived image is copied into the "
        "default store (copy-image) before it is booted often."
    )
    return Decision(
        "layout.cost",
        "layout",
        "Hot/archive split",
        f"archive in {cheapest.id}: {all_hot:.0f} -> {split:.0f} per month",
        why,
        ("cow-clone-rules", "copy-image-method"),
        (
            f"{site.catalog.source}: catalog {site.catalog.images} images, {total:g} GiB",
            f"{site.boot.source}: top {site.boot.top_images} images take {boot_share:.0%} of boots",
        ),
    )


def _decide_refused(site: Site) -> Decision | None:
    bad = not_understood(site)
    if not bad:
        return None
    names = ", ".join(f"{b.id} (type {b.type!r})" for b in bad)
    return Decision(
        "layout.refused",
        "layout",
        "Store layout not written",
        "refused: no enabled_backends, default_backend or store section is changed",
        f"Stores {names} name no glance_store driver imageyard knows, so it cannot tell which "
        "images they hold or what a new layout would leave unreadable. Name their driver "
        "(file, rbd, swift, s3, http, cinder, vmware) and design again.",
        ("store-driver-names",),
        tuple(f"{b.source}: {b.id} type {b.type}" for b in bad),
        warning=True,
    )


def decide_layout(site: Site, stores: tuple[StorePlan, ...], release: int) -> list[Decision]:
    """Section (a) decisions."""
    found = [
        _decide_refused(site),
        _decide_backends(site, stores),
        _decide_default(site, stores),
        _decide_weights(stores, release),
        _decide_dropped(site, stores),
        _decide_cost(site, stores),
        _decide_reserved(),
    ]
    return [d for d in found if d is not None]


def decide_migration(stores: tuple[StorePlan, ...]) -> Decision:
    """Single -> multi-store: how the existing (store-less) locations find their store."""
    kept = [s for s in stores if not s.new]
    pairs = ", ".join(
        f"{s.id} (rbd://<fsid of {s.ceph_cluster or 'its cluster'}>/{s.pool}/)"
        if s.type == "rbd"
        else s.id
        for s in kept
    )
    return Decision(
        "layout.migration",
        "layout",
        "Single-store to multi-store",
        f"stores keep their driver options in their own section: {pairs}",
        "Images uploaded in single-store mode have locations without a store. On the first "
        "read of each image after the switch, Glance gives every such location the enabled "
        "store whose URL prefix it starts with and saves it; for rbd that is the pool and the "
        "fsid of the cluster the store connects to, so the pool, user and ceph.conf move from "
        "[glance_store] into the store's section unchanged. A location that matches no store "
        "keeps no store and sorts last (weight 0): check with 'glance image-show' that "
        "locations carry a store after the switch.",
        ("legacy-location-store", "multistore-sections"),
    )
