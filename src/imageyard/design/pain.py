"""The declared pain points, answered from the data: slow first boot and duplication.

Concepts: ``slow_first_boot`` is answered with the copy-on-write path. With an inventory the
images off the clone path come from the audit's boot-path verdicts (``audit.cow``: each
active image on each rbd consumer), weighted by boots (servers booted from an image plus
volumes created from it); without one, from the declared format mix and consumers. The
``format.slow_first_boot`` decision says how many images and boots do not clone and what
fixes them (the conversion list, ordered by boots, comes first); where the data shows every
image already cloning, the pain point is called out as contradicted. ``duplication`` is
answered with the reclaim analysis's groups of images holding the same data (same
``os_hash_value``, else checksum; ``reclaim.duplicates``), the bytes all but one copy take,
and what must be checked before any of them goes: servers and volumes using each, the
protected flag, owner and visibility. Only analysis and read-only commands; nothing is
deleted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from imageyard.audit.cow import BootPath, verdicts
from imageyard.design.capacity import GIB, human
from imageyard.design.model import Conversion, Decision, Step, StorePlan
from imageyard.design.site import Site
from imageyard.design.situation import image_uses
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.reclaim.model import DupGroup

MAX_LISTED = 10
_ORDER = (
    BootPath.ERROR,
    BootPath.DOWNLOAD_CONVERT,
    BootPath.DOWNLOAD,
    BootPath.COPY_TO_STORE,
    BootPath.UNKNOWN,
)


def with_boots(
    items: tuple[Conversion, ...], inv: Inventory | None, *, order: bool
) -> tuple[Conversion, ...]:
    """The conversions with their boots; most booted first when ``order`` (stable sort)."""
    if inv is None or not items:
        return items
    uses = image_uses(inv)
    # NOTE: a conversion whose boots are already right is kept as it is (most images of a
    # large catalog boot nothing); a copy per conversion cost more than the rest of the stage
    counted = tuple(
        c if c.boots == uses.get(c.image_id, 0) else replace(c, boots=uses[c.image_id])
        for c in items
    )
    return tuple(sorted(counted, key=lambda c: -c.boots)) if order else counted


# ---------------------------------------------------------------- slow first boot


@dataclass(frozen=True)
class CowTally:
    """Active images and their boots by worst boot path over the rbd consumers."""

    consumers: int
    images: int
    boots: int
    paths: tuple[tuple[BootPath, int, int], ...]  # path, images, boots (non-clone only)
    worst: tuple[tuple[str, BootPath, int], ...]  # image id, path, boots: most booted first

    @property
    def off_images(self) -> int:
        return sum(n for p, n, _ in self.paths if p is not BootPath.UNKNOWN)

    @property
    def off_boots(self) -> int:
        return sum(b for p, _, b in self.paths if p is not BootPath.UNKNOWN)


def cow_tally(inv: Inventory) -> CowTally:
    """Boot-path verdicts of every active image on every rbd consumer of ``inv``."""
    table = verdicts(inv)
    rbd = table.rbd_consumers
    uses = image_uses(inv)
    active = [i for i in inv.images if i.is_active]
    worst: list[tuple[str, BootPath, int]] = []
    for image in active:
        paths = {table.path(image, c) for c in rbd}
        bad = next((p for p in _ORDER if p in paths), None)
        if bad is not None:
            worst.append((image.id, bad, uses[image.id]))
    images: Counter[BootPath] = Counter(p for _, p, _ in worst)
    boots: Counter[BootPath] = Counter()
    for _, p, n in worst:
        boots[p] += n
    return CowTally(
        consumers=len(rbd),
        images=len(active),
        boots=sum(uses[i.id] for i in active),
        paths=tuple((p, images[p], boots[p]) for p in _ORDER if images[p]),
        worst=tuple(sorted(worst, key=lambda w: -w[2])),
    )


def _measured_boot(
    tally: CowTally, site: Site, items: tuple[Conversion, ...]
) -> tuple[str, str, tuple[str, ...]]:
    local = [c.name for c in site.computes if not c.uses_rbd]
    evidence = [
        f"measured: {n} images ({b} boots) {p.value} on at least one rbd consumer"
        for p, n, b in tally.paths
    ]
    evidence += [f"measured: {i} {p.value}, {b} boots" for i, p, b in tally.worst[:MAX_LISTED]]
    if not tally.consumers:
        choice = "no consumer clones: every first boot downloads"
        why = (
            "Slow first boot (declared): no compute or volume backend uses rbd, so every first "
            "boot on a host downloads the image; caches and pre-caching (section d) are the "
            "remedy, not formats."
        )
        return choice, why, tuple(evidence)
    share = f" ({tally.off_boots / tally.boots:.0%})" if tally.boots else ""
    if not tally.off_images:
        unknown = sum(n for p, n, _ in tally.paths if p is BootPath.UNKNOWN)
        choice = "contradicted: every active image clones"
        why = (
            f"Slow first boot (declared) is contradicted by the data: all {tally.images} active "
            f"images clone on all {tally.consumers} rbd consumers"
            + (f" ({unknown} could not be decided)" if unknown else "")
            + ". "
            + (
                f"The downloads are on the non-rbd computes ({', '.join(local)}): section d. "
                if local
                else "Look outside Glance: Ceph latency, flavors, guest boot. "
            )
        )
        return choice, why, tuple(evidence)
    choice = (
        f"{tally.off_images} of {tally.images} active images, {tally.off_boots} of "
        f"{tally.boots} boots{share}, are not on the clone path"
    )
    top = ", ".join(f"{i} ({b} boots)" for i, _, b in tally.worst[:3])
    why = (
        f"Slow first boot (declared): the clone path comes first. {choice} today, by the audit's "
        f"boot-path verdicts on {tally.consumers} rbd consumers; most booted: {top}. "
        + (
            f"The conversion list ({len(items)} images, section b and step e) is ordered by "
            "boots, so the first conversions remove the most slow boots; "
            if items
            else ""
        )
        + "the configuration of section c (locations on the internal endpoint, Nova's local "
        "store) fixes the rest."
    )
    return choice, why, tuple(evidence)


def _declared_boot(site: Site, stores: tuple[StorePlan, ...]) -> tuple[str, str, tuple[str, ...]]:
    cat = site.catalog
    clone = any(s.type == "rbd" and s.role in ("default", "edge") for s in stores)
    local = [c.name for c in site.computes if not c.uses_rbd]
    off = 1.0 - cat.share("raw") - cat.share("iso") if cat.formats else None
    evidence = (f"{cat.source}: {cat.images} images, format mix {dict(cat.formats)}",)
    if not clone:
        return (
            "no consumer clones: every first boot downloads",
            "Slow first boot (declared): no consumer uses rbd, so every first boot on a host "
            "downloads the image into _base; the remedy is section d: the Glance cache sized "
            f"to the hot set, longer _base ageing, and pre-caching the {site.boot.top_images or ''}"
            " most booted images per aggregate before they are needed.",
            evidence,
        )
    if off is None:
        return (
            "unknown: no format mix declared",
            "Slow first boot (declared): declare catalog.formats or give an inventory to count "
            "the images that are not raw.",
            evidence,
        )
    if off <= 0 and not local:
        return (
            "contradicted: the declared catalog is all raw and every consumer clones",
            "Slow first boot (declared) is contradicted by the declared data: every image is raw "
            "and every consumer uses rbd, so first boots should clone. Check with an inventory "
            "(imageyard audit, rule cow-not-eligible): qcow2 data labelled raw, a missing "
            "location or another cluster's store keep images off the clone path.",
            evidence,
        )
    hot = (
        f"; the {site.boot.top_images} most booted images take {site.boot.top_share:.0%} of "
        "boots: convert those first"
        if site.boot.top_images
        else ""
    )
    return (
        f"about {round(cat.images * off)} of {cat.images} images ({off:.0%}) are not raw",
        f"Slow first boot (declared): the clone path comes first. {off:.0%} of the declared "
        f"catalog is not raw and cannot be cloned{hot}. Raw in the Ceph stores (section b) and "
        "the import conversion keep new images on the clone path."
        + (
            f" Non-rbd computes ({', '.join(local)}) download by design: section d."
            if local
            else ""
        ),
        evidence,
    )


def decide_slow_boot(
    site: Site, inv: Inventory | None, stores: tuple[StorePlan, ...], items: tuple[Conversion, ...]
) -> Decision:
    """``format.slow_first_boot``: how many images and boots miss the clone path."""
    if inv is not None and inv.images:
        choice, why, evidence = _measured_boot(cow_tally(inv), site, items)
    else:
        choice, why, evidence = _declared_boot(site, stores)
    facts = (
        ("cow-clone-rules", "nova-image-cache", "nova-precache")
        if choice.startswith("no consumer clones")
        else ("cow-clone-rules", "ceph-raw-required", "nova-store-name")
    )
    return Decision(
        "format.slow_first_boot",
        "format",
        "Slow first boot: the clone path",
        choice,
        why,
        facts,
        evidence,
    )


# ---------------------------------------------------------------- duplication


def _describe(image: Image, inv: Inventory) -> str:
    servers, volumes = len(inv.servers_using(image.id)), len(inv.volumes_from(image.id))
    return (
        f"{image.id} {image.name or ''!r} owner {image.owner or '?'} {image.visibility}"
        f"{' protected' if image.protected else ''}, {servers} servers, {volumes} volumes, "
        f"in {', '.join(image.stores) or 'no store'}"
    )


def duplicates_step(inv: Inventory | None, groups: tuple[DupGroup, ...] = ()) -> Step:
    """The duplicate analysis as a reclamation step: checks and read-only commands.

    ``groups`` are the reclaim analysis's duplicate groups (``reclaim.duplicates``).
    """
    check = (
        "per image: no server and no volume uses it, protected is False, and its owner agrees "
        "(a shared or public image may be someone else's only reference)"
    )
    why = (
        "Images with the same os_hash_value hold the same bytes; all but one copy are "
        "reclaimable once nothing depends on them. Analysis only: nothing here deletes."
    )
    if inv is None or not inv.images:
        return Step(
            "Find duplicate images by os_hash_value",
            check,
            (
                "imageyard collect --config-dir /etc --os-cloud CLOUD -o inv.json",
                "imageyard design --inventory inv.json --site site.yaml  # lists the groups",
            ),
            why,
            "os-hash-value",
        )
    cmds: list[str] = []
    for g in groups[:MAX_LISTED]:
        keep, rest = g.images[0], g.images[1:]
        cmds.append(
            f"# {g.algo} {g.value[:16]}...: keep {keep.id} ({g.reason}), {len(rest)} copies"
        )
        for image in rest:
            cmds += [
                f"openstack image show -c protected -c owner -c visibility {image.id}",
                f"openstack server list --all-projects --image {image.id}",
            ]
    if len(groups) > MAX_LISTED:
        cmds.append(f"# ... and {len(groups) - MAX_LISTED} more groups (imageyard design -f json)")
    surplus = sum(g.surplus_bytes for g in groups)
    return Step(
        f"Review {len(groups)} groups of duplicate images ({human(surplus / GIB)} reclaimable)",
        check,
        tuple(cmds) or ("# no two images share an os_hash_value",),
        why,
        "os-hash-value",
    )


def decide_duplicates(
    inv: Inventory | None, site: Site, groups: tuple[DupGroup, ...] = ()
) -> Decision:
    """``reclaim.duplicates``: the groups, the reclaimable bytes, what to check first."""
    facts = ("os-hash-value", "image-protected", "rbd-delete-in-use")
    clusters = {c.ceph_cluster for c in site.computes if c.uses_rbd and c.ceph_cluster}
    flat = (
        f" With {len(clusters)} Ceph clusters, the other duplication is flat copies made per "
        "boot in a cluster without the image: the edge layout (Nova's local store, "
        "never_download_image_if_on_rbd) stops it."
        if len(clusters) > 1
        else ""
    )
    if inv is None or not inv.images:
        return Decision(
            "reclaim.duplicates",
            "reclaim",
            "Duplicate images",
            "needs an inventory: groups by os_hash_value",
            "Duplication (declared): a site description has no image hashes; collect an "
            "inventory and design from it to list the groups." + flat,
            facts,
        )
    hashed = sum(1 for i in inv.images if i.os_hash_value or i.checksum)
    if not groups:
        why = (
            f"Duplication (declared) is not borne out by the image data: no two of the {hashed} "
            "images with a hash share os_hash_value."
            if hashed
            else "Duplication (declared): no image has os_hash_value, so duplicates cannot be "
            "found by hash."
        )
        return Decision(
            "reclaim.duplicates", "reclaim", "Duplicate images", "none found", why + flat, facts
        )
    surplus = sum(g.surplus_bytes for g in groups)
    copies = sum(len(g.images) - 1 for g in groups)
    evidence = []
    for g in groups[:MAX_LISTED]:
        evidence.append(f"measured: group {g.value[:16]}... ({len(g.images)} images)")
        evidence += [
            f"measured: {'keep ' if n == 0 else ''}{_describe(i, inv)}"
            for n, i in enumerate(g.images)
        ]
    in_use = sum(
        1
        for g in groups
        for i in g.images[1:]
        if inv.servers_using(i.id) or inv.volumes_from(i.id) or i.protected
    )
    return Decision(
        "reclaim.duplicates",
        "reclaim",
        "Duplicate images",
        f"{len(groups)} groups, {copies} surplus images, {human(surplus / GIB)} reclaimable",
        f"Duplication (declared): {copies} images repeat the bytes of another (same "
        f"os_hash_value); removing all but one per group would free {human(surplus / GIB)}. "
        f"{in_use} of them are protected or used by servers or volumes and must stay until "
        "those are rebuilt from the kept image; the kept one is protected, public or the most "
        "used. Owners and visibility decide who must agree." + flat,
        facts,
        tuple(evidence),
    )


_LABELS = {
    "slow_first_boot": ("format.slow_first_boot", "Slow first boot"),
    "duplication": ("reclaim.duplicates", "Duplication"),
    "store_imbalance": ("layout.default_store", "Store imbalance"),
}


def summary(decisions: tuple[Decision, ...], pain_points: tuple[str, ...]) -> tuple[str, ...]:
    """One line per declared pain point (the clone path first), then capacity warnings."""
    by_key = {d.key: d for d in decisions}
    lines = []
    for point in sorted(dict.fromkeys(pain_points), key=lambda p: p != "slow_first_boot"):
        key, label = _LABELS[point]
        d = by_key.get(key)
        if d is not None and label in d.why:
            lines.append(d.why[d.why.index(label) :])
    lines += [f"{d.title}: {d.why}" for d in decisions if d.warning]
    return tuple(lines)
