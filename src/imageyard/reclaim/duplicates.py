"""Duplicates: images holding the same bytes; and raw/qcow2 pairs, which are conversions.

Concepts: two images hold the same bytes when they have the same ``os_hash_algo`` and
``os_hash_value`` (Glance's multihash), or, for images without one, the same MD5
``checksum``. Only ``active`` and ``deactivated`` images count. In each group one image is
kept: protected first, then public, then the most used (servers booted from it plus volumes
created from it), then the oldest; the reason is recorded. Every other copy is an item of
``duplicate-image`` whose action is ``delete-image`` or, while something uses it or it is
protected, ``review``. A raw image and a qcow2 image of the same owner with the same
virtual size and the same name apart from the format are one guest disk converted, not a
duplicate (their bytes differ): they are listed as conversions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from imageyard.model.finding import Evidence, Resource
from imageyard.model.image import Image
from imageyard.reclaim.context import Ctx, Outcome
from imageyard.reclaim.model import Conversion, DupGroup

DUPLICATE = "duplicate-image"
_COUNTED = ("active", "deactivated")
_FORMAT_WORDS = re.compile(r"(?:^|[-_. ])(?:raw|qcow2|img)(?=$|[-_. ])")


def _key(image: Image) -> tuple[str, str] | None:
    if image.os_hash_value:
        return (image.os_hash_algo or "", image.os_hash_value)
    if image.checksum:
        return ("md5", image.checksum)
    return None


def _keep_order(ctx: Ctx, image: Image) -> tuple[bool, bool, int, str, str]:
    return (
        not image.protected,
        image.visibility != "public",
        -ctx.idx.uses[image.id],
        image.created_at or "~",
        image.id,
    )


def _reason(ctx: Ctx, keep: Image, rest: list[Image]) -> str:
    if keep.protected and not all(i.protected for i in rest):
        return "protected"
    if keep.visibility == "public" and any(i.visibility != "public" for i in rest):
        return "public"
    uses = ctx.idx.uses[keep.id]
    if any(ctx.idx.uses[i.id] < uses for i in rest):
        return f"most used ({uses} servers and volumes)"
    if keep.created_at and any((i.created_at or "~") > keep.created_at for i in rest):
        return f"oldest (created {keep.created_at})"
    return "lowest id (the copies are alike)"


def duplicate_groups(ctx: Ctx) -> tuple[DupGroup, ...]:
    """Groups of two or more images with the same content, most reclaimable bytes first."""
    groups: dict[tuple[str, str], list[Image]] = {}
    for image in ctx.inv.images:
        key = _key(image) if image.status in _COUNTED else None
        if key is not None:
            groups.setdefault(key, []).append(image)
    out = []
    for (algo, value), images in groups.items():
        if len(images) < 2:
            continue
        ordered = sorted(images, key=lambda i: _keep_order(ctx, i))
        out.append(DupGroup(algo, value, tuple(ordered), _reason(ctx, ordered[0], ordered[1:])))
    return tuple(sorted(out, key=lambda g: (-g.surplus_bytes, g.value)))


def _in_use(ctx: Ctx, image: Image) -> str | None:
    uses = ctx.idx.uses[image.id]
    if uses:
        return f"{uses} servers or volumes use it"
    return "it is protected" if image.protected else None


def duplicate_items(ctx: Ctx, groups: tuple[DupGroup, ...]) -> Iterator[Outcome]:
    """One item per copy that is not kept."""
    usage = ctx.source_gap("nova", "Nova's server list") or ctx.source_gap(
        "cinder", "Cinder's volume list"
    )
    for group in groups:
        keep = group.images[0]
        for image in group.images[1:]:
            held = _in_use(ctx, image)
            copies = max(1, len(image.stores))
            evidence = [
                Evidence.fact(f"glance: {group.algo} {group.value} also held by {keep.id}"),
                Evidence.fact(f"keep {keep.id}: {group.reason}"),
            ]
            if held:
                evidence.append(Evidence.fact(f"not yet: {held}"))
            if usage:
                evidence.append(Evidence.fact(f"usage unknown: {usage}"))
            yield ctx.item(
                DUPLICATE,
                Resource("image", image.id),
                f"image {image.id} ({image.name or ''}) repeats {keep.id} ({keep.name or ''})",
                tuple(evidence),
                action="review" if held else None,
                params=(("image", image.id), ("keep", keep.id)),
                provisioned=(image.size or 0) * copies,
                used=(image.size or 0) * copies,
                confident=usage is None,
            )


def _stem(name: str) -> str:
    return _FORMAT_WORDS.sub("", name.lower()).strip("-_. ")


def conversions(ctx: Ctx) -> tuple[Conversion, ...]:
    """Raw/qcow2 pairs of one owner, virtual size and name stem."""
    qcow2: dict[tuple[str, int, str], list[Image]] = {}
    for image in ctx.inv.images:
        if image.disk_format == "qcow2" and image.virtual_size and image.name:
            qcow2.setdefault((image.owner or "", image.virtual_size, _stem(image.name)), []).append(
                image
            )
    # NOTE: a raw image's name stem is only worth computing when a qcow2 image has its owner
    # and virtual size (a regular expression per image of a large catalog otherwise)
    sized = {(owner, size) for owner, size, _ in qcow2}
    out = []
    for image in ctx.inv.images:
        if image.disk_format != "raw" or not image.virtual_size or not image.name:
            continue
        if (image.owner or "", image.virtual_size) not in sized:
            continue
        stem = _stem(image.name)
        for other in qcow2.get((image.owner or "", image.virtual_size, stem), ()):
            why = f"same owner, virtual size {image.virtual_size} and name {stem!r}"
            out.append(Conversion(image, other, why))
    return tuple(sorted(out, key=lambda c: (c.raw.id, c.qcow2.id)))
