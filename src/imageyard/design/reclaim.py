"""Section (e), reclamation: ordered steps, each with its safety check and exact commands.

Concepts: steps are filled in from the inventory when there is one: images to convert
(section b, most booted first when slow first boot is a declared pain point), images to
move out of drained stores, the duplicate review (when duplication is one), and the
orphans and RBD trash entries found by the reclaim analysis (``imageyard reclaim``, the
one owner of that analysis: ``reclaim_view`` is what this section lists of it). Every step
starts with a check whose output must be as stated before anything is changed; deletions
go through the RBD trash first, so they stay reversible until the final purge. Without an
inventory the steps are the generic procedure with placeholders.
"""

from __future__ import annotations

from imageyard.design.holdings import holding
from imageyard.design.model import Conversion, ReclaimView, Step, StorePlan
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.reclaim.classes import BY_ID
from imageyard.reclaim.model import Item, ReclaimResult
from imageyard.reclaim.rbd import TRASH as TRASH_CLASS

MAX_LISTED = 10


def _fresh() -> Step:
    return Step(
        "Take a fresh inventory and audit",
        "imageyard audit --inventory inv.json --fail-on critical  # must exit 0",
        (
            "imageyard collect --config-dir /etc --os-cloud CLOUD -o inv.json",
            "imageyard audit --inventory inv.json -f json",
        ),
        "Every later step is computed from this snapshot; a stale one may delete live data.",
        "store-holding-images",
    )


def _convert(items: tuple[Conversion, ...], default: StorePlan | None) -> Step | None:
    if not items:
        return None
    store = default.id if default else "<default store>"
    cmds: list[str] = []
    for c in items[:MAX_LISTED]:
        cmds += [
            f"glance image-download --file {c.image_id}.img {c.image_id}",
            f"qemu-img convert -f {c.disk_format} -O raw {c.image_id}.img {c.image_id}.raw",
            f"glance image-create-via-import --disk-format raw --container-format bare "
            f"--name '{c.name}' --store {store} --file {c.image_id}.raw",
            f"# point users at the new image, then: glance image-deactivate {c.image_id}",
        ]
    if len(items) > MAX_LISTED:
        cmds.append(f"# ... and {len(items) - MAX_LISTED} more (imageyard design -f json)")
    return Step(
        f"Rewrite {len(items)} non-raw images in clone stores as raw",
        "qemu-img info --output=json <file>  # format as labelled, no backing-file, no data-file",
        tuple(cmds),
        "Non-raw data in a clone store is never cloned; the raw copy is. Keep the old image "
        "deactivated until no server or volume uses it.",
        "cow-clone-rules",
    )


def _move_one(image: Image, source: str, target: str) -> list[str]:
    """Commands moving one image's copy from ``source`` to ``target``."""
    delete = f"glance stores-delete --store {source} {image.id}"
    if image.disk_format not in ("raw", "iso"):
        return [
            f"# {image.id} is {image.disk_format}: copy-image would not convert it; create a "
            f"raw image in {target} (conversion step) and retire this one when unused"
        ]
    if target in image.stores:
        return [f"# {image.id} already in {target}", delete]
    return [
        f"glance image-import {image.id} --import-method copy-image --stores {target} "
        "--allow-failure False",
        delete,
    ]


def _drain(inv: Inventory | None, stores: tuple[StorePlan, ...]) -> Step | None:
    draining = [s for s in stores if s.role == "drain"]
    default = next((s for s in stores if s.is_default), None)
    if not draining or default is None:
        return None
    cmds: list[str] = []
    for s in draining:
        images = [i for i in holding(inv, s.id) if i.is_active] if inv else []
        for image in images[:MAX_LISTED]:
            cmds += _move_one(image, s.id, default.id)
        if not images:
            cmds += [
                f"glance image-import <image-id> --import-method copy-image "
                f"--stores {default.id} --allow-failure False",
                f"glance stores-delete --store {s.id} <image-id>",
            ]
        if len(images) > MAX_LISTED:
            cmds.append(f"# ... and {len(images) - MAX_LISTED} more in {s.id}")
    return Step(
        f"Move images out of {', '.join(s.id for s in draining)}",
        f"glance image-show <id>  # status active and 'stores' lists {default.id} before "
        "stores-delete",
        tuple(cmds),
        "copy-image adds the default-store copy; only then is the old copy deleted. "
        "copy-image does not convert: qcow2 images need the conversion step instead.",
        "store-holding-images",
    )


ORPHAN_FAMILIES = ("backend", "deleted", "consumer")


def orphan_items(found: ReclaimResult) -> tuple[Item, ...]:
    """The reclaim items this section calls orphans: data no database points at."""
    return tuple(i for i in found.items if BY_ID[i.class_id].family in ORPHAN_FAMILIES)


def reclaim_view(found: ReclaimResult) -> ReclaimView:
    """What the design lists of the reclaim analysis (all of it, in its order)."""
    return ReclaimView(
        orphans=tuple(str(i.finding.resource) for i in orphan_items(found)),
        pins=tuple(p.spec for p in found.pins),
        duplicates=tuple(tuple(i.id for i in g.images) for g in found.duplicates),
        unknown=tuple(c for c, state in found.classes if state == "unknown"),
        reclaimable_bytes=sum(i.reclaimable for i in orphan_items(found)),
    )


def _command(item: Item) -> list[str]:
    """The commands carrying out one item's proposed action."""
    action = item.finding.action
    params = dict(action.params) if action else {}
    kind = action.kind if action else ""
    if kind == "flatten":
        return [f"rbd flatten {c}" for c in params.get("children", "").split(",") if c] + [
            f"# then: imageyard reclaim again; {item.finding.resource} is free once unpinned"
        ]
    if kind == "rbd-trash-move":
        return [f"rbd trash mv {params.get('pool')}/{params.get('image')}"]
    if kind == "rbd-trash-remove":
        return [f"rbd trash rm {params.get('pool')}/{params.get('trash_id')}"]
    if kind == "delete-object":
        return [f"# {item.finding.message}"]
    return [f"# {kind}: {item.finding.resource}"]


def _orphans(found: ReclaimResult | None) -> Step | None:
    if found is None:
        return None
    items = [i for i in orphan_items(found) if i.class_id != TRASH_CLASS]
    if not items:
        return None
    cmds = [c for i in items[:MAX_LISTED] for c in _command(i)]
    if len(items) > MAX_LISTED:
        cmds.append(f"# ... and {len(items) - MAX_LISTED} more (imageyard reclaim -f json)")
    return Step(
        f"Move {len(items)} orphans (data no Glance, Nova or Cinder record owns) to the trash",
        "imageyard reclaim --inventory inv.json  # on a fresh snapshot: each item still listed; "
        "glance image-show <name> 404, rbd status <pool>/<name> without watchers",
        tuple(cmds),
        "The reclaim analysis found them with every input complete, past the grace period and "
        "without watchers. The RBD trash keeps them restorable.",
        "rbd-delete-in-use",
    )


def _trash(found: ReclaimResult | None, stores: tuple[StorePlan, ...]) -> Step:
    entries = [i for i in found.items if i.class_id == TRASH_CLASS] if found else []
    cmds = [c for i in entries[:MAX_LISTED] for c in _command(i)]
    pools = sorted({s.pool for s in stores if s.type == "rbd" and s.pool})
    return Step(
        "Purge the RBD trash of the Glance pools",
        "rbd trash ls --long <pool>; for each entry, rbd children must list nothing",
        tuple(cmds) or tuple(f"rbd trash purge {p}" for p in pools),
        "Glance moves images that still have snapshots to the trash and reports success; "
        "the space returns only when the trash is purged.",
        "rbd-delete-in-use",
    )


def _remove_stores(stores: tuple[StorePlan, ...]) -> Step | None:
    draining = [s.id for s in stores if s.role == "drain"]
    if not draining:
        return None
    return Step(
        f"Remove {', '.join(draining)} from enabled_backends",
        "imageyard collect --config-dir /etc --os-cloud CLOUD -o inv2.json; "
        "no image lists these stores in 'stores'",
        (
            f"edit glance-api.conf: drop {', '.join(draining)} from enabled_backends",
            "restart glance-api node by node; GET /v2/info/stores must no longer list them",
        ),
        "A store still holding locations makes those images unreadable once removed.",
        "store-holding-images",
    )


def plan_reclaim(
    inv: Inventory | None,
    stores: tuple[StorePlan, ...],
    items: tuple[Conversion, ...],
    duplicates: Step | None = None,
    preplace: Step | None = None,
    found: ReclaimResult | None = None,
) -> tuple[Step, ...]:
    """The ordered reclamation steps (``duplicates``: the duplicate review, when asked for;
    ``preplace``: copies to the edge stores, once the images are raw; ``found``: the
    reclaim analysis of ``inv``)."""
    default = next((s for s in stores if s.is_default), None)
    steps = [
        _fresh(),
        _convert(items, default),
        preplace,
        _drain(inv, stores),
        duplicates,
        _orphans(found),
        _trash(found, stores),
        _remove_stores(stores),
    ]
    return tuple(s for s in steps if s is not None)
