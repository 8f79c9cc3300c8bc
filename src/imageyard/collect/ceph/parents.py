"""Cross-pool fixes after every pool of a cluster is read: parent refs and hidden snapshots.

Concepts: a clone names its parent ``pool/image@snapshot``. Clients do not always say the
parent's id or whether it sits in the trash (``rbd ls -l`` says neither; the bindings give
the id but not the trash flag), so ``link_parents`` fills both from what was read: the
parent pool's images (by name) and its trash entries (by id or name). A parent snapshot that
the parent's snapshot list lacks is in a namespace the client did not list (the CLI's user
namespace only); ``hidden_snapshot_parents`` names those parents so the collector can ask
for ``snap ls --all`` on exactly them. Children are never listed per image: they are the
images whose parent ref points back (``CephCluster.children``).
"""

from __future__ import annotations

from dataclasses import replace

from imageyard.model.ceph import Pool, RbdImage, RbdParentRef


def _parent_image(pools: dict[str, Pool], ref: RbdParentRef) -> RbdImage | None:
    pool = pools.get(ref.pool)
    if pool is None or ref.pool_namespace:
        return None
    by_id = next((i for i in pool.images if ref.image_id and i.id == ref.image_id), None)
    return by_id or pool.image(ref.image)


def hidden_snapshot_parents(pools: tuple[Pool, ...]) -> tuple[tuple[str, str], ...]:
    """``(pool, image)`` of parents lacking a snapshot that one of their clones uses."""
    by_name = {p.name: p for p in pools}
    wanted: list[tuple[str, str]] = []
    for child in (i for p in pools for i in p.images if i.parent is not None):
        assert child.parent is not None
        parent = _parent_image(by_name, child.parent)
        key = (child.parent.pool, parent.name if parent else "")
        if parent and parent.snapshot(child.parent.snapshot) is None and key not in wanted:
            wanted.append(key)
    return tuple(wanted)


def _linked(ref: RbdParentRef, pools: dict[str, Pool]) -> RbdParentRef:
    pool = pools.get(ref.pool)
    if pool is None or ref.pool_namespace:
        return ref
    live = _parent_image(pools, ref)
    trashed = next(
        (
            t
            for t in pool.trash
            if t.id == ref.image_id or (not ref.image_id and t.name == ref.image)
        ),
        None,
    )
    if trashed is not None and (live is None or live.id != trashed.id):
        return replace(ref, image_id=trashed.id, in_trash=True)
    if live is not None and not ref.image_id:
        return replace(ref, image_id=live.id)
    return ref


def link_parents(pools: tuple[Pool, ...]) -> tuple[Pool, ...]:
    """Pools whose clones' parent refs carry the parent id and the in-trash flag."""
    by_name = {p.name: p for p in pools}

    def fix(image: RbdImage) -> RbdImage:
        if image.parent is None:
            return image
        return replace(image, parent=_linked(image.parent, by_name))

    return tuple(replace(p, images=tuple(fix(i) for i in p.images)) for p in pools)
