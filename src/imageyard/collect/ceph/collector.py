"""The Ceph live collector: every RBD pool of every cluster into one CephCluster per fsid.

Concepts: a *target* is a ceph.conf plus a cephx user and optional keyring. The operator names
targets; when none are named, every ceph.conf the config source read is a target (deduplicated
by real path and by the fsid written in it), read as ``user`` (None: the name librados picks
by default, ``client.admin``). Per cluster the collector reads the fsid, selects pools (the
ones named, or every pool with the ``rbd`` application), and per pool lists images, reads
each one (watchers only when asked: one call per image) and the trash. Then, across pools,
parents a client could not see in full are completed (``snap ls --all`` on exactly those
parents) and parent refs are linked to parent ids and trash entries.

Faults are data, never exceptions: a cluster that cannot be reached is a Gap ``cluster
<conf>`` and is absent; a pool that cannot be listed (EPERM ...) is a Gap ``pool <name>`` and
a Pool with ``complete`` False and no images; an image that fails to read is a Gap ``image
<pool>/<name>`` and makes its pool incomplete; an image that vanished between list and open
is skipped with a note in the status detail. Any gap makes the SourceStatus incomplete.

Header inspection (``headers``, on by default): for the images of pools a Glance rbd store
uses (every selected pool when no rbd store is known), a client that is a ``HeaderReader``
reads the first bytes of the image's ``snap`` snapshot (else its head) and the collector
records the detected format in ``RbdImage.detected_format``. It is one small read per image;
a failed read leaves the field None with a note, never a gap, since it is an extra.

Clone facts: the cluster keeps the names of *every* pool (``pool_names``), and a client that
is ``ClusterFacts`` also reads ``require_min_compat_client`` and the caps of each consumer's
cephx user (``rbd_user`` of every rbd Nova compute and Cinder RBD backend in the config;
``client.admin`` when unset). A read that fails (a read-only user may not ``auth get``) is a
Gap ``cluster <conf> require_min_compat_client`` or ``cephx <entity>``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

from imageyard.collect.base import Progress
from imageyard.collect.ceph.cephx import ClusterFacts
from imageyard.collect.ceph.cli import CliClient
from imageyard.collect.ceph.client import (
    DEFAULT_TIMEOUT,
    CephError,
    ClientFactory,
    ClusterTarget,
    Fault,
    HeaderReader,
    ImageRef,
    PoolRecord,
    RbdClient,
)
from imageyard.collect.ceph.parents import hidden_snapshot_parents, link_parents
from imageyard.model.ceph import CephCluster, Pool, RbdImage, Snapshot
from imageyard.model.config import DeploymentConfig
from imageyard.model.gap import Gap, SourceStatus
from imageyard.model.inventory import Inventory
from imageyard.model.store import StoreType

SOURCE = "ceph"
RBD_APPLICATION = "rbd"


def default_client_factory(target: ClusterTarget, timeout: float) -> RbdClient:
    """The bindings client when ``rados``/``rbd`` import, else the CLI client."""
    try:
        from imageyard.collect.ceph.bindings import BindingsClient
    except ImportError:
        return CliClient.connect(target, timeout)
    return BindingsClient.connect(target, timeout)


def targets_from_config(config: DeploymentConfig, user: str | None) -> tuple[ClusterTarget, ...]:
    """One target per ceph.conf read, deduplicated by real path and by written fsid."""
    found: list[ClusterTarget] = []
    seen: set[str] = set()
    for ceph in config.ceph:
        keys = {os.path.realpath(ceph.path)}
        if ceph.fsid is not None and ceph.fsid.value.strip():
            keys.add("fsid:" + ceph.fsid.value.strip().lower())
        if ceph.path and not keys & seen:
            found.append(ClusterTarget(conf=ceph.path, user=user))
        seen |= keys
    return tuple(found)


def _cluster_name(conf: str) -> str:
    base = os.path.basename(conf)
    return base[: -len(".conf")] if base.endswith(".conf") else "ceph"


@dataclass
class _Run:
    """What one collect() call accumulates."""

    clusters: list[CephCluster] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    images: int = 0

    def gap(self, scope: str, error: object) -> None:
        self.gaps.append(Gap(source=SOURCE, scope=scope, error=str(error)))


@dataclass(frozen=True)
class CephCollector:
    """Reads RBD pools, images, snapshots, clone parents and trash from live clusters.

    ``clusters``: targets (conf, user, keyring); empty means every ceph.conf of the config,
    read as ``user``. ``pools``: the pools to read (None: every pool with application rbd).
    ``watchers``: also count watchers (one extra call per image). ``headers``: read each
    Glance-pool image's first bytes to detect its real format (one small read per image).
    """

    clusters: tuple[ClusterTarget, ...] = ()
    pools: tuple[str, ...] | None = None
    watchers: bool = False
    headers: bool = True
    client_factory: ClientFactory = default_client_factory
    user: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    name: str = SOURCE

    def targets(self, inventory: Inventory) -> tuple[ClusterTarget, ...]:
        """The explicit targets, else one per ceph.conf in the inventory's config."""
        if self.clusters:
            return tuple(ClusterTarget(*t) for t in self.clusters)
        return targets_from_config(inventory.config, self.user)

    def collect(self, inventory: Inventory, progress: Progress) -> Inventory:
        progress.start(self.name)
        run = _Run()
        targets = self.targets(inventory)
        if not targets:
            run.gap("clusters", "no ceph.conf known: give --ceph-conf or a --config-dir with one")
        for target in targets:
            self._read_cluster(target, run, progress, inventory)
        status = _status(self.name, run)
        progress.done(self.name, status)
        fsids = {c.fsid for c in run.clusters}
        kept = tuple(c for c in inventory.ceph_clusters if c.fsid not in fsids)
        return replace(
            inventory,
            ceph_clusters=kept + tuple(run.clusters),
            sources=(*inventory.sources, status),
            gaps=inventory.gaps + tuple(run.gaps),
        )

    def _read_cluster(
        self, target: ClusterTarget, run: _Run, progress: Progress, inventory: Inventory
    ) -> None:
        scope = f"cluster {target.conf}"
        try:
            client = self.client_factory(target, self.timeout)
        except CephError as exc:
            run.gap(scope, exc)
            return
        try:
            cluster = self._cluster(client, target, run, progress)
            if cluster is not None and self.headers:
                cluster = _with_headers(client, cluster, glance_pools(inventory, cluster), run)
            if cluster is not None and isinstance(client, ClusterFacts):
                cluster = _with_facts(client, cluster, consumer_entities(inventory.config), run)
        except CephError as exc:
            run.gap(scope, exc)
            return
        finally:
            client.close()
        if cluster is not None:
            run.clusters.append(cluster)

    def _cluster(
        self, client: RbdClient, target: ClusterTarget, run: _Run, progress: Progress
    ) -> CephCluster | None:
        fsid = client.fsid()
        if any(c.fsid == fsid for c in run.clusters):
            run.notes.append(f"{target.conf}: cluster {fsid} already read")
            return None
        listed = client.pools()
        pools = tuple(
            _read_pool(client, rec, self.watchers, run, progress)
            for rec in self._selected(listed, run)
        )
        pools = link_parents(_complete_snapshots(client, pools, run))
        return CephCluster(
            fsid=fsid,
            name=_cluster_name(target.conf),
            conf_path=target.conf,
            pools=pools,
            pool_names=tuple(p.name for p in listed),
        )

    def _selected(self, pools: tuple[PoolRecord, ...], run: _Run) -> tuple[PoolRecord, ...]:
        if self.pools is None:
            return tuple(p for p in pools if RBD_APPLICATION in p.applications)
        by_name = {p.name: p for p in pools}
        for missing in (n for n in self.pools if n not in by_name):
            run.gap(f"pool {missing}", "no such pool")
        return tuple(by_name[n] for n in self.pools if n in by_name)


def _status(name: str, run: _Run) -> SourceStatus:
    pools = sum(len(c.pools) for c in run.clusters)
    detail = f"{len(run.clusters)} clusters, {pools} pools, {run.images} images"
    if run.notes:
        detail += "; " + "; ".join(run.notes)
    return SourceStatus(source=name, complete=not run.gaps, items=run.images, detail=detail)


def _read_pool(
    client: RbdClient, rec: PoolRecord, watchers: bool, run: _Run, progress: Progress
) -> Pool:
    pool = Pool(name=rec.name, id=rec.id, applications=rec.applications)
    try:
        refs = client.images(rec.name)
    except CephError as exc:
        run.gap(f"pool {rec.name}", exc)
        return replace(pool, complete=False, error=str(exc))
    images: list[RbdImage] = []
    gaps_before = len(run.gaps)
    for ref in refs:
        image = _read_image(client, rec.name, ref, watchers, run)
        if image is not None:
            images.append(image)
        progress.advance(SOURCE)
    failed = len(run.gaps) - gaps_before
    run.images += len(images)
    pool = replace(pool, images=tuple(images))
    if failed:
        pool = replace(pool, complete=False, error=f"{failed} images could not be read")
    return _read_trash(client, pool, run)


def _read_image(
    client: RbdClient, pool: str, ref: ImageRef, watchers: bool, run: _Run
) -> RbdImage | None:
    try:
        return client.image(pool, ref, watchers=watchers)
    except CephError as exc:
        if exc.fault is Fault.NOT_FOUND:
            run.notes.append(f"{pool}/{ref.name} vanished while reading, skipped")
        else:
            run.gap(f"image {pool}/{ref.name}", exc)
        return None


def _read_trash(client: RbdClient, pool: Pool, run: _Run) -> Pool:
    try:
        return replace(pool, trash=client.trash(pool.name))
    except CephError as exc:
        run.gap(f"pool {pool.name} trash", exc)
        error = "; ".join(e for e in (pool.error, f"trash: {exc}") if e)
        return replace(pool, complete=False, error=error)


def _complete_snapshots(client: RbdClient, pools: tuple[Pool, ...], run: _Run) -> tuple[Pool, ...]:
    """Re-read, in every namespace, the snapshots of parents that lack one a clone uses."""
    for pool_name, image_name in hidden_snapshot_parents(pools):
        try:
            snaps = client.snapshots(pool_name, image_name)
        except CephError as exc:
            run.gap(f"image {pool_name}/{image_name} snapshots", exc)
            continue
        pools = tuple(
            p if p.name != pool_name else _with_snapshots(p, image_name, snaps) for p in pools
        )
    return pools


def _with_snapshots(pool: Pool, image_name: str, snaps: tuple[Snapshot, ...]) -> Pool:
    def merged(image: RbdImage) -> RbdImage:
        if image.name != image_name:
            return image
        known = {s.id: s for s in image.snapshots}  # keeps the used bytes read before
        return replace(image, snapshots=tuple(known.get(s.id, s) for s in snaps))

    return replace(pool, images=tuple(merged(i) for i in pool.images))


# ------------------------------------------------------------------ clone facts


def _entity(user: str | None) -> str:
    return f"client.{user}" if user else "client.admin"


def consumer_entities(config: DeploymentConfig) -> tuple[str, ...]:
    """The cephx entity of every rbd Nova compute and Cinder RBD backend, in config order."""
    users = [n.rbd_user for n in config.nova if n.uses_rbd]
    users += [b.rbd_user for c in config.cinder for b in c.backends if b.is_rbd]
    names = (_entity(u.value.strip() if u is not None else None) for u in users)
    return tuple(dict.fromkeys(names))


def _with_facts(
    client: ClusterFacts, cluster: CephCluster, entities: tuple[str, ...], run: _Run
) -> CephCluster:
    try:
        cluster = replace(cluster, require_min_compat_client=client.min_compat_client())
    except CephError as exc:
        run.gap(f"cluster {cluster.conf_path} require_min_compat_client", exc)
    caps = []
    for entity in entities:
        try:
            caps.append(client.cephx_caps(entity))
        except CephError as exc:
            run.gap(f"cephx {entity}", exc)
    return replace(cluster, cephx=tuple(caps))


# ------------------------------------------------------------------ header inspection


def glance_pools(inventory: Inventory, cluster: CephCluster) -> tuple[str, ...]:
    """Pools of ``cluster`` that a Glance rbd store uses (every pool read when none known)."""
    used = {
        s.rbd_pool
        for s in inventory.stores
        if s.type is StoreType.RBD and s.rbd_pool and s.rbd_fsid in (None, cluster.fsid)
    }
    names = tuple(p.name for p in cluster.pools if p.name in used)
    return names or tuple(p.name for p in cluster.pools)


def _with_headers(
    client: RbdClient, cluster: CephCluster, pools: tuple[str, ...], run: _Run
) -> CephCluster:
    if not isinstance(client, HeaderReader):
        return cluster
    return replace(
        cluster,
        pools=tuple(_pool_headers(client, p, run) if p.name in pools else p for p in cluster.pools),
    )


def _pool_headers(reader: HeaderReader, pool: Pool, run: _Run) -> Pool:
    failed = 0
    images: list[RbdImage] = []
    for image in pool.images:
        snap = "snap" if image.snapshot("snap") is not None else None
        try:
            images.append(
                replace(image, detected_format=reader.read_header(pool.name, image.name, snap))
            )
        except CephError:
            failed += 1
            images.append(image)
    if failed:
        run.notes.append(f"pool {pool.name}: {failed} image headers could not be read")
    return replace(pool, images=tuple(images))
