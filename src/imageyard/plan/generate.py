"""Plan generation: from an inventory and a policy to an ordered list of actions.

Concepts: the planner walks the catalog once per rule (placement, conversion, edge
pre-placement from a site description (``plan.edge``), moves, drops) and keeps, per image,
the state the earlier actions leave behind (``ImageState``), so each action's ``expect`` is
the fingerprint the image has when apply reaches it and its ``result`` the one it leaves.
Placement and conversion take their targets from the boot paths (``imageyard.paths``): a
raw image that an RBD consumer downloads or copies first (cause ``not-in-rbd``) is copied
into that consumer's Ceph store; a non-raw image it cannot clone (``not-raw``, ISO
excepted) is converted, and its original retired once every other step on it is planned
(so copies of the raw replacement come before the retirement). A move is a copy, then
(depending on it, so it runs only after the copy is verified) a delete-from-store. A delete
is never planned for an image's last store. Only active images are touched: Glance refuses
copy-image and delete-from-store for any other status.
A store with a capacity (the cost model's) takes a copy or conversion only while the
bytes it holds before the plan plus every copy planned into it stay within it (frees are
not counted: lanes run in parallel, a delete may come after the copies); a copy that does
not fit is left out and recorded in ``unplaced``, and a move whose copy is left out keeps
its source.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from imageyard.audit.cow import Consumer, consumers
from imageyard.audit.cow.trace import BootPath
from imageyard.design.site import Site
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.model.plan import Action, ImageState, SitePlacement, Unplaced
from imageyard.model.store import Store
from imageyard.paths import build_paths
from imageyard.plan.policy import PlanPolicy
from imageyard.simulate.trace import Trace

CONVERT_FROM = frozenset({"qcow2", "vmdk", "vdi", "vhd", "vhdx", "ploop"})
_SLOW = frozenset({BootPath.DOWNLOAD, BootPath.COPY_TO_STORE, BootPath.DOWNLOAD_CONVERT})


def state_of(image: Image) -> ImageState:
    """The planning state of an image as the snapshot has it."""
    return ImageState(
        id=image.id,
        status=image.status,
        disk_format=image.disk_format,
        size=image.size,
        os_hash_value=image.os_hash_value,
        stores=image.stores,
        os_hidden=image.os_hidden,
    )


@dataclass
class _Builder:
    """The actions so far and each image's state after them."""

    inv: Inventory
    actions: list[Action] = field(default_factory=list)
    states: dict[str, ImageState] = field(default_factory=dict)
    last: dict[str, str] = field(default_factory=dict)
    to_retire: list[tuple[Image, str]] = field(default_factory=list)
    sites: tuple[SitePlacement, ...] = ()
    room: dict[str, int] = field(default_factory=dict)  # free bytes of limited stores
    unplaced: list[Unplaced] = field(default_factory=list)
    cold: set[str] = field(default_factory=set)  # image ids placement by policy keeps off Ceph

    def actions_tuple(self) -> tuple[Action, ...]:
        """The actions in apply order."""
        return tuple(self.actions)

    def fits(self, image: Image, store: str, size: int) -> bool:
        """Reserve ``size`` bytes in ``store``; False (recorded in ``unplaced``) when the
        store's capacity would be exceeded."""
        free = self.room.get(store)
        if free is None:
            return True
        if size > free:
            why = f"over capacity: {store} has {max(free, 0)} bytes left of its capacity"
            self.unplaced.append(Unplaced(image.id, image.name or "", store, size, why))
            return False
        self.room[store] = free - size
        return True

    def state(self, image: Image) -> ImageState:
        return self.states.setdefault(image.id, state_of(image))

    def add(self, image: Image, kind: str, target: str, after: ImageState, **kw: object) -> str:
        before = self.state(image)
        action_id = f"a{len(self.actions) + 1:04d}"
        deps = (self.last[image.id],) if image.id in self.last else ()
        self.actions.append(
            Action(
                id=action_id,
                kind=kind,
                image_id=image.id,
                image_name=image.name or "",
                target=target,
                depends_on=deps,
                expect=before.fingerprint,
                result=after.fingerprint,
                **kw,  # type: ignore[arg-type]
            )
        )
        self.states[image.id] = after
        self.last[image.id] = action_id
        return action_id

    def copy(self, image: Image, store: str, reason: str) -> bool:
        """Plan a copy (True when the image is or will be in ``store``)."""
        if store in self.state(image).stores:
            return True
        if not self.fits(image, store, image.size or 0):
            return False
        after = self.state(image).with_store(store)
        self.add(image, "copy-image", store, after, bytes=image.size or 0, reason=reason)
        return True

    def delete(self, image: Image, store: str, reason: str) -> None:
        now = self.state(image)
        if store not in now.stores or len(now.stores) < 2:
            return
        self.add(
            image,
            "delete-from-store",
            store,
            now.without_store(store),
            destructive=True,
            reason=reason,
        )


def store_bytes(inv: Inventory) -> dict[str, int]:
    """Bytes of image data each store holds (each image's size once per store)."""
    used: dict[str, int] = {}
    for image in inv.images:
        for store in image.stores:
            used[store] = used.get(store, 0) + (image.size or 0)
    return used


def ceph_store(inv: Inventory, consumer: Consumer) -> Store | None:
    """The Glance RBD store a Ceph consumer clones from: the one Nova names, else the one
    in the consumer's cluster (the only RBD store when the cluster is not known)."""
    rbd = [s for s in inv.stores if s.type.value == "rbd" and not s.read_only]
    named = [s for s in rbd if consumer.glance_store_name and s.id == consumer.glance_store_name]
    same = [s for s in rbd if consumer.fsid and s.rbd_fsid == consumer.fsid]
    if named or same:
        return (named or same)[0]
    unique = {s.id: s for s in rbd}
    return next(iter(unique.values())) if len(unique) == 1 else None


def _active(inv: Inventory, policy: PlanPolicy) -> list[Image]:
    return [i for i in inv.images if i.is_active and policy.selects(i)]


def _placement(b: _Builder, policy: PlanPolicy) -> None:
    wanted = {i.id for i in _active(b.inv, policy)}
    rbd = [c for c in consumers(b.inv) if c.rbd]
    for consumer in rbd:
        store = ceph_store(b.inv, consumer)
        if store is None:
            continue
        for row in build_paths(b.inv, consumer=consumer.name).rows():
            image, verdict = row.image, row.verdict
            if image.id not in wanted or verdict.path not in _SLOW or image.id in b.cold:
                continue
            if image.disk_format in CONVERT_FROM and policy.convert:
                why = f"{consumer.name} cannot clone {image.disk_format}"
                _convert(b, image, store.id, why, policy)
            elif verdict.cause == "not-in-rbd" and image.disk_format == "raw" and policy.place:
                b.copy(image, store.id, f"{consumer.name} does not clone it: not in {store.id}")


def _convert(
    b: _Builder, image: Image, store: str, reason: str, policy: PlanPolicy, source: str = ""
) -> None:
    """Plan the raw replacement of ``image`` in ``store``; ``source``: the format to read it
    as when it is not its label (a mislabelled image)."""
    if any(a.kind == "convert-to-raw" and a.image_id == image.id for a in b.actions):
        return
    size = image.virtual_size or image.size or 0
    if not b.fits(image, store, size):
        return
    now = b.state(image)
    retire = policy.retire
    if retire == "deactivate" and (b.inv.servers_using(image.id) or b.inv.volumes_from(image.id)):
        retire = "hide"  # a deactivated image cannot be downloaded: its users could not rebuild
    b.add(
        image,
        "convert-to-raw",
        store,
        now,
        bytes=size,
        reason=reason,
        params=(("source_format", source),) if source else (),
    )
    b.to_retire.append((image, retire))


def _retirements(b: _Builder) -> None:
    """Retire each converted original, after every other step on it (edge copies of its
    replacement, moves) has been planned."""
    for image, retire in b.to_retire:
        b.add(
            image,
            "retire-image",
            retire,
            retired(b.state(image), retire),
            reason="replaced by its raw copy",
            params=(("policy", retire),),
        )


def retired(now: ImageState, policy: str) -> ImageState:
    """The state an image is left in when retired by ``policy``."""
    if policy == "hide":
        return replace(now, os_hidden=True)
    if policy == "deactivate":
        return replace(now, status="deactivated")
    return now


def _moves(b: _Builder, policy: PlanPolicy) -> None:
    for source, dest in policy.moves:
        for image in _active(b.inv, policy):
            if source in b.state(image).stores and b.copy(image, dest, f"move from {source}"):
                b.delete(image, source, f"moved to {dest}")


def _drops(b: _Builder, policy: PlanPolicy) -> None:
    for store in policy.drops:
        for image in _active(b.inv, policy):
            b.delete(image, store, f"drop store {store}; another copy remains")


def build_actions(
    inv: Inventory, policy: PlanPolicy, site: Site | None = None
) -> tuple[tuple[Action, ...], tuple[SitePlacement, ...]]:
    """Every action ``policy`` asks for on ``inv``, in apply order; with a site description,
    the edge pre-placement's summary per site."""
    b = build(inv, policy, site)
    return b.actions_tuple(), b.sites


def build(
    inv: Inventory,
    policy: PlanPolicy,
    site: Site | None = None,
    capacities: dict[str, int] | None = None,
    trace: Trace | None = None,
) -> _Builder:
    """The builder after every rule ``policy`` asks for: actions, sites, what did not fit."""
    b = _Builder(inv)
    used = store_bytes(inv)
    b.room = {s: cap - used.get(s, 0) for s, cap in (capacities or {}).items()}
    if policy.tier is not None:
        from imageyard.plan.tiering import tier_actions

        tier_actions(b, policy, trace)
    _placement(b, policy)
    if policy.convert:
        from imageyard.plan.mislabelled import mislabelled_actions

        mislabelled_actions(b, policy)
    if site is not None:
        from imageyard.plan.edge import edge_actions

        b.sites = edge_actions(b, site, policy)
    _moves(b, policy)
    _drops(b, policy)
    _retirements(b)
    if policy.reclaim:
        from imageyard.plan.reclaim import reclaim_actions

        reclaim_actions(b, inv, policy)
    if policy.keep is not None:
        from imageyard.plan.retention import retention_actions

        retention_actions(b, inv, policy)
    return b
