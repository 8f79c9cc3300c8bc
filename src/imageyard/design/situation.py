"""From an inventory and/or a site description to one ``Site``: measured data wins.

Concepts: ``measured_site`` reads an inventory snapshot into the same ``Site`` model a site
YAML gives (``source`` = ``measured``): stores with their images, Ceph clusters by fsid, one
compute group per nova.conf, one Cinder backend per enabled section, the catalog's format mix
and the hot images (most servers and volumes). ``merge`` combines it with the declared site:
for a record both describe, measured fields win and declared-only fields (role, site, cost,
capacity, throughput, boot rates) fill the gaps; every conflict is kept as a note.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import PurePath
from typing import TypeVar

from imageyard.design.holdings import held_bytes, holding
from imageyard.design.site import (
    MEASURED,
    Backend,
    BootPattern,
    Catalog,
    CephCluster,
    CinderBackend,
    ComputeGroup,
    Site,
)
from imageyard.model.config import ConfigValue, NovaConfig
from imageyard.model.inventory import Inventory
from imageyard.model.store import Store

GIB = 1024**3
HOT_SHARE = 0.8
HOT_MAX = 20


def _clusters(inv: Inventory) -> tuple[CephCluster, ...]:
    out: dict[str, CephCluster] = {}
    for cfg in inv.config.ceph:
        fsid = cfg.fsid.value.strip() if cfg.fsid is not None else None
        key = fsid or cfg.path
        out[key] = CephCluster(name=cfg.cluster, fsid=fsid, conf=cfg.path, source=MEASURED)
    for c in inv.ceph_clusters:
        if c.fsid not in out:
            out[c.fsid] = CephCluster(name=c.name, fsid=c.fsid, conf=c.conf_path, source=MEASURED)
    return _unique_names(tuple(out.values()))


def _unique_names(clusters: tuple[CephCluster, ...]) -> tuple[CephCluster, ...]:
    seen: Counter[str] = Counter()
    out = []
    for c in clusters:
        seen[c.name] += 1
        name = c.name if seen[c.name] == 1 else f"{c.name}{seen[c.name]}"
        out.append(replace(c, name=name))
    return tuple(out)


def _cluster_for(
    clusters: tuple[CephCluster, ...], conf: str | None, fsid: str | None = None
) -> str | None:
    """The cluster a conf path (as written in nova/cinder/glance config) or fsid names.

    Paths in a collected config are the deployment's (``/etc/ceph/edge.conf``) while the
    collected Ceph files may sit elsewhere: the file name without ``.conf`` is the cluster
    name, as in Ceph itself.
    """
    for c in clusters:
        if (fsid and c.fsid == fsid) or (conf and c.conf == conf):
            return c.name
    if conf:
        stem = PurePath(conf).stem
        by_stem = [c for c in clusters if c.conf and PurePath(c.conf).stem == stem]
        if len({c.fsid for c in by_stem}) == 1:
            return by_stem[0].name
    if len(clusters) == 1:
        return clusters[0].name  # the only cluster known
    return None


def _store_records(inv: Inventory) -> tuple[Store, ...]:
    """One record per store id, the API's when both config and API have it."""
    by_id: dict[str, Store] = {}
    for s in inv.stores:
        if s.is_reserved:
            continue
        if s.id not in by_id or s.source.value == "api":
            by_id[s.id] = (
                s
                if s.id not in by_id
                else replace(s, file_data_dir=s.file_data_dir or by_id[s.id].file_data_dir)
            )
    return tuple(by_id.values())


def catalog_collected(inv: Inventory) -> bool:
    """True when the Glance image list was collected completely (counts per store are facts)."""
    return any(s.source == "glance" and s.complete for s in inv.sources)


def _backends(inv: Inventory, clusters: tuple[CephCluster, ...]) -> tuple[Backend, ...]:
    api = inv.config.glance_api
    counted = catalog_collected(inv)
    out = []
    for s in _store_records(inv):
        held = holding(inv, s.id)
        section = api.store(s.id) if api is not None else None
        conf = (
            section.rbd_store_ceph_conf.value if section and section.rbd_store_ceph_conf else None
        )
        options = _effective(section.values) if section else ()
        out.append(
            Backend(
                id=s.id,
                type=s.type.value,
                pool=s.rbd_pool,
                data_dir=s.file_data_dir,
                ceph_cluster=_cluster_for(clusters, conf, s.rbd_fsid)
                if s.type.value == "rbd"
                else None,
                image_count=len(held) if counted else None,
                stored_bytes=held_bytes(inv, s.id),
                options=options,
                is_default=s.is_default,
                source=MEASURED,
            )
        )
    return tuple(out)


def _effective(values: tuple[ConfigValue, ...]) -> tuple[tuple[str, str], ...]:
    """Each option once, with the value oslo.config uses (the last one, as in a repeated
    section), so a store's kept options never give one key two values."""
    return tuple({v.key: v.value for v in values}.items())


def _compute(nova: NovaConfig, clusters: tuple[CephCluster, ...]) -> ComputeGroup:
    conf = nova.images_rbd_ceph_conf.value if nova.images_rbd_ceph_conf else None
    name = nova.host.value if nova.host is not None else nova.path
    zone = nova.availability_zone.value if nova.availability_zone is not None else None
    return ComputeGroup(
        name=name,
        images_type=nova.effective_images_type,
        ceph_cluster=_cluster_for(clusters, conf) if nova.uses_rbd else None,
        site=zone,
        source=MEASURED,
    )


def _cinder(inv: Inventory, clusters: tuple[CephCluster, ...]) -> tuple[CinderBackend, ...]:
    out = []
    for cfg in inv.config.cinder:
        for b in cfg.backends:
            conf = b.rbd_ceph_conf.value if b.rbd_ceph_conf is not None else None
            out.append(
                CinderBackend(
                    name=b.section,
                    rbd=b.is_rbd,
                    ceph_cluster=_cluster_for(clusters, conf) if b.is_rbd else None,
                    source=MEASURED,
                )
            )
    return tuple(out)


def _catalog(inv: Inventory) -> Catalog:
    active = [i for i in inv.images if i.is_active]
    if not active:
        return Catalog()
    counts = Counter(i.disk_format or "unknown" for i in active)
    virtual = [i.virtual_size for i in active if i.virtual_size]
    return Catalog(
        images=len(active),
        total_gib=sum(i.size or 0 for i in active) / GIB,
        virtual_gib=sum(virtual) / GIB if len(virtual) == len(active) else None,
        formats=tuple(sorted((f, n / len(active)) for f, n in counts.items())),
        source=MEASURED,
    )


def image_uses(inv: Inventory) -> Counter[str]:
    """Image id -> servers booted from it plus volumes created from it."""
    uses: Counter[str] = Counter()
    for s in inv.servers:
        if s.image_ref:
            uses[s.image_ref] += 1
    for v in inv.volumes:
        if v.image_id:
            uses[v.image_id] += 1
    return uses


def _boot(inv: Inventory) -> BootPattern:
    uses = image_uses(inv)
    total = sum(uses.values())
    if not total:
        return BootPattern()
    hot: list[str] = []
    covered = 0
    for image_id, n in uses.most_common(HOT_MAX):
        if covered >= HOT_SHARE * total:
            break
        hot.append(image_id)
        covered += n
    sizes = [inv.image(i) for i in hot]
    hot_bytes = sum((img.size or 0) for img in sizes if img is not None)
    return BootPattern(
        top_images=len(hot),
        top_share=covered / total,
        hot_image_ids=tuple(hot),
        hot_set_gib=hot_bytes / GIB,
        source=MEASURED,
    )


def measured_site(inv: Inventory) -> Site:
    """The inventory as a ``Site`` (every record ``measured``)."""
    clusters = _clusters(inv)
    return Site(
        name="inventory",
        ceph_clusters=clusters,
        backends=_backends(inv, clusters),
        computes=tuple(_compute(n, clusters) for n in inv.config.nova),
        cinder=_cinder(inv, clusters),
        catalog=_catalog(inv),
        boot=_boot(inv),
    )


# ---------------------------------------------------------------- merge


def _rename_clusters(measured: Site, declared: Site) -> Site:
    """Give measured clusters the declared name of the same fsid (and fix references)."""
    names = {c.fsid: c.name for c in declared.ceph_clusters if c.fsid}
    mapping = {c.name: names[c.fsid] for c in measured.ceph_clusters if c.fsid in names}
    if not mapping:
        return measured

    def ren(name: str | None) -> str | None:
        return mapping.get(name, name) if name is not None else None

    return replace(
        measured,
        ceph_clusters=tuple(replace(c, name=ren(c.name) or c.name) for c in measured.ceph_clusters),
        backends=tuple(replace(b, ceph_cluster=ren(b.ceph_cluster)) for b in measured.backends),
        computes=tuple(replace(c, ceph_cluster=ren(c.ceph_cluster)) for c in measured.computes),
        cinder=tuple(replace(c, ceph_cluster=ren(c.ceph_cluster)) for c in measured.cinder),
    )


def _merge_backend(m: Backend, d: Backend, notes: list[str]) -> Backend:
    for fld in ("type", "pool", "ceph_cluster", "data_dir"):
        dv, mv = getattr(d, fld), getattr(m, fld)
        if dv is not None and mv is not None and dv != mv:
            notes.append(f"backend {m.id}: declared {fld}={dv!r}, measured {mv!r}; using measured")
    return replace(
        m,
        role=d.role,
        site=d.site or m.site,
        capacity_gib=d.capacity_gib,
        cost_per_gib_month=d.cost_per_gib_month,
        throughput_mib_s=d.throughput_mib_s,
    )


def _merge_cluster(m: CephCluster, d: CephCluster, notes: list[str]) -> CephCluster:
    if d.fsid and m.fsid and d.fsid != m.fsid:
        notes.append(f"ceph {m.name}: declared fsid {d.fsid}, measured {m.fsid}; using measured")
    return replace(m, site=d.site or m.site, images_pool=d.images_pool, user=d.user)


T = TypeVar("T", Backend, CephCluster, ComputeGroup, CinderBackend)


def _by_name(
    measured: tuple[T, ...],
    declared: tuple[T, ...],
    key: str,
    fn: Callable[[T, T, list[str]], T],
    notes: list[str],
) -> tuple[T, ...]:
    dmap: dict[str, T] = {getattr(d, key): d for d in declared}
    out: list[T] = []
    for m in measured:
        d = dmap.pop(getattr(m, key), None)
        out.append(fn(m, d, notes) if d is not None else m)
    out.extend(dmap.values())
    return tuple(out)


def _merge_compute(m: ComputeGroup, d: ComputeGroup, notes: list[str]) -> ComputeGroup:
    if d.images_type != m.images_type:
        notes.append(
            f"nova {m.name}: declared images_type={d.images_type}, measured "
            f"{m.images_type}; using measured"
        )
    return replace(m, site=d.site or m.site, aggregate=d.aggregate)


def _merge_cinder(m: CinderBackend, d: CinderBackend, notes: list[str]) -> CinderBackend:
    return replace(m, site=d.site or m.site)


def shared_site(site: Site) -> str | None:
    """Two Ceph clusters at one site (a cluster without a declared site is its own), measured
    and declared ones alike: why the merged site cannot be designed, else None."""
    seen: dict[str, CephCluster] = {}
    for c in site.ceph_clusters:
        at = c.site or c.name
        first = seen.setdefault(at, c)
        if first is not c:
            return (
                f"ceph_cluster {c.name} ({c.source}) is at site {at!r}, like {first.name} "
                f"({first.source}): a site has one Glance API and one default store, "
                "so one Ceph cluster"
            )
    return None


def merge(measured: Site | None, declared: Site | None) -> Site:
    """One site: measured records win, declared ones fill what cannot be measured."""
    if measured is None:
        return declared if declared is not None else Site()
    if declared is None:
        return measured
    measured = _rename_clusters(measured, declared)
    notes: list[str] = []
    boot = measured.boot if measured.boot.hot_image_ids else declared.boot
    boot = replace(boot, boots_per_image_per_day=declared.boot.boots_per_image_per_day)
    return Site(
        name=declared.name,
        release=declared.release,
        zones=declared.zones,
        backends=_by_name(measured.backends, declared.backends, "id", _merge_backend, notes),
        ceph_clusters=_by_name(
            measured.ceph_clusters, declared.ceph_clusters, "name", _merge_cluster, notes
        ),
        computes=_by_name(measured.computes, declared.computes, "name", _merge_compute, notes),
        cinder=_by_name(measured.cinder, declared.cinder, "name", _merge_cinder, notes),
        catalog=measured.catalog if measured.catalog.images else declared.catalog,
        boot=boot,
        pain_points=declared.pain_points,
        notes=tuple(notes),
    )
