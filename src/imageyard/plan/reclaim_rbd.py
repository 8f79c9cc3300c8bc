"""Reclaim steps beyond Glance's own calls: remove a broken location, restore or purge an
RBD trash entry, flatten pinning clones.

Concepts: each function turns one reclaim finding's parameters into plan actions, with the
resource's fingerprint before (``expect``) and after (``result``) from the snapshot.
``delete_location`` keeps at least one location (Glance refuses the last); the image
leaves a store's list only when the removed location was that store's only one.
``restore_entry`` plans ``rbd-trash-restore`` of the user's trash entry that holds the data
a Glance location names (the location then reads again; nothing is deleted).
``purge_entry`` plans ``rbd-trash-purge`` only for an entry whose deferment ended by the
snapshot's time (by the plan's clock when the snapshot has none) and that nothing clones,
or whose every clone the plan flattens first (the purge then depends on those flattens);
its bytes (the entry's size) count against ``--max-bytes``. ``flatten_clones`` plans one
``rbd-flatten`` per clone found in the snapshot, its bytes the clone's size (at most what
flattening writes).
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from typing import TYPE_CHECKING

from imageyard.apply.actions.flatten import clone_fingerprint
from imageyard.apply.actions.restore import IN_POOL, IN_TRASH, restore_fingerprint
from imageyard.apply.actions.trash import trash_fingerprint
from imageyard.model.ceph import RbdImage, TrashEntry
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.model.plan import Action
from imageyard.plan.policy import PlanPolicy
from imageyard.reclaim.context import parse_time

if TYPE_CHECKING:
    from imageyard.plan.generate import _Builder


def _next_id(b: _Builder) -> str:
    return f"a{len(b.actions) + 1:04d}"


def _in_scope(policy: PlanPolicy, *names: str) -> bool:
    return not policy.images or any(
        fnmatch.fnmatchcase(n, p) for p in policy.images for n in names if n
    )


def delete_location(b: _Builder, image: Image, params: dict[str, str]) -> None:
    """Remove the location ``params["url"]`` of ``image`` when another one remains."""
    url, store = params["url"], params.get("store", "")
    planned = {a.param("url") for a in b.actions if a.kind == "delete-location"}
    left = [loc for loc in image.locations if loc.url not in planned]
    if url not in [loc.url for loc in left] or len(left) < 2:
        return
    now = b.state(image)
    same_store = [loc for loc in left if store and loc.store == store]
    after = now.without_store(store) if len(same_store) == 1 else now
    b.add(
        image,
        "delete-location",
        store or "?",
        after,
        destructive=True,
        reason=f"its data in {store or 'the location'} is missing",
        params=(("store", store), ("url", url)),
    )


def restore_entry(b: _Builder, image: Image, params: dict[str, str], why: str) -> None:
    """Plan the restore of the trash entry that holds ``image``'s data in one location."""
    pool, trash_id, name = (
        params.get("pool", ""),
        params.get("trash_id", ""),
        params.get("name", ""),
    )
    resource = f"rbd-trash:{pool}/{trash_id}"
    if not (pool and trash_id and name) or any(a.image_id == resource for a in b.actions):
        return
    b.actions.append(
        Action(
            id=_next_id(b),
            kind="rbd-trash-restore",
            image_id=resource,
            image_name=f"{pool}/{name}",
            target=image.id,
            expect=restore_fingerprint(pool, trash_id, name, IN_TRASH),
            result=restore_fingerprint(pool, trash_id, name, IN_POOL),
            reason=f"image {image.id} ({image.name or ''}) reads it: {why}",
            params=(
                ("fsid", params.get("fsid", "")),
                ("image", image.id),
                ("name", name),
                ("pool", pool),
                ("trash_id", trash_id),
                ("url", params.get("url", "")),
            ),
        )
    )


def _trash_entry(inv: Inventory, params: dict[str, str]) -> TrashEntry | None:
    cluster = inv.ceph_cluster(params.get("fsid", ""))
    pool = cluster.pool(params.get("pool", "")) if cluster else None
    return pool.trash_entry(params.get("trash_id", "")) if pool else None


def _deferment_over(inv: Inventory, entry: TrashEntry) -> bool:
    end = parse_time(entry.deferment_end)
    now = parse_time(inv.generated_at) or dt.datetime.now(dt.UTC)
    return end is not None and end <= now


def _flattened(b: _Builder, children: str) -> tuple[str, ...] | None:
    """The flattens planned for every clone in ``children`` (None: one is not planned)."""
    ids = []
    for spec in filter(None, children.split(",")):
        found = [a.id for a in b.actions if a.kind == "rbd-flatten" and a.image_name == spec]
        if not found:
            return None
        ids.append(found[0])
    return tuple(ids)


def purge_entry(
    b: _Builder, inv: Inventory, params: dict[str, str], policy: PlanPolicy, why: str
) -> None:
    """Plan the purge of one trash entry whose deferment is over."""
    entry = _trash_entry(inv, params)
    after = _flattened(b, params.get("children", ""))
    if entry is None or after is None or not _deferment_over(inv, entry):
        return
    if not _in_scope(policy, entry.name, entry.id):
        return
    pool = params["pool"]
    b.actions.append(
        Action(
            id=_next_id(b),
            kind="rbd-trash-purge",
            image_id=f"rbd-trash:{pool}/{entry.id}",
            image_name=f"{pool} trash {entry.id} ({entry.name})",
            target=entry.deferment_end or "",
            depends_on=after,
            bytes=entry.size or 0,
            destructive=True,
            expect=trash_fingerprint(pool, entry.id, {"name": entry.name}),
            result=trash_fingerprint(pool, entry.id, None),
            reason=why,
            params=(("fsid", params.get("fsid", "")), ("pool", pool), ("trash_id", entry.id)),
        )
    )


def _clone(inv: Inventory, fsid: str, spec: str) -> RbdImage | None:
    pool, _, name = spec.partition("/")
    cluster = inv.ceph_cluster(fsid)
    found = cluster.pool(pool) if cluster else None
    return found.image(name) if found else None


def flatten_clones(
    b: _Builder, inv: Inventory, params: dict[str, str], policy: PlanPolicy, why: str
) -> None:
    """Plan one flatten per clone that pins the finding's image."""
    fsid = params.get("fsid", "")
    for spec in filter(None, params.get("children", "").split(",")):
        clone = _clone(inv, fsid, spec)
        if clone is None or clone.parent is None or not _in_scope(policy, clone.name, spec):
            continue
        resource = f"rbd:{spec}"
        if any(a.image_id == resource and a.kind == "rbd-flatten" for a in b.actions):
            continue
        parent = clone.parent.spec
        pool = spec.partition("/")[0]
        b.actions.append(
            Action(
                id=_next_id(b),
                kind="rbd-flatten",
                image_id=resource,
                image_name=spec,
                target=parent,
                bytes=clone.size or 0,
                destructive=True,
                expect=clone_fingerprint(pool, clone.name, {"id": clone.id, "parent": parent}),
                result=clone_fingerprint(pool, clone.name, {"id": clone.id, "parent": None}),
                reason=f"it pins {parent}: {why}",
                params=(("fsid", fsid), ("name", clone.name), ("parent", parent), ("pool", pool)),
            )
        )
