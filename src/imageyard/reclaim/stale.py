"""Stale images: of deleted projects, never used, stuck before ``active``.

Concepts: an image whose owner is not a Keystone project is left behind by a deleted
project; that is known only when Keystone's project list was read whole
(``Inventory.deleted_owners``). An image nobody uses (no server booted from it, no volume
created from it, no clone of its RBD data) and older than ``unused_days`` is a candidate
for retirement; that needs Nova's and Cinder's lists whole. An image still ``queued``,
``saving``, ``importing`` or ``uploading`` longer than ``stuck_hours`` after its last
update is stuck (an interrupted upload or import).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from imageyard.model.finding import Evidence, Resource
from imageyard.model.image import Image
from imageyard.reclaim.context import Ctx, Outcome

DELETED_OWNER = "image-deleted-owner"
NEVER_USED = "image-never-used"
STUCK = "image-stuck"
_STUCK_STATES = ("queued", "saving", "importing", "uploading")


def _bytes(image: Image) -> int:
    return (image.size or 0) * max(1, len(image.stores))


def _item(ctx: Ctx, cls: str, image: Image, message: str, *facts: str) -> Outcome:
    return ctx.item(
        cls,
        Resource("image", image.id),
        message,
        tuple(Evidence.fact(f) for f in facts),
        action="review" if image.protected else None,
        params=(("image", image.id),),
        provisioned=_bytes(image),
        used=_bytes(image),
        store=image.stores[0] if len(image.stores) == 1 else None,
    )


def deleted_owners(ctx: Ctx) -> Iterator[Outcome]:
    """Images of projects Keystone no longer has."""
    owners = ctx.inv.deleted_owners()
    if owners is None:
        why = ctx.source_gap("keystone", "Keystone's project list") or "keystone incomplete"
        yield ctx.unknown(DELETED_OWNER, Resource("keystone", "projects"), why)
        return
    for image in ctx.inv.images:
        if image.owner in owners:
            yield _item(
                ctx,
                DELETED_OWNER,
                image,
                f"image {image.id} ({image.name or ''}) belongs to deleted project {image.owner}",
                f"keystone: no project {image.owner}",
            )


def never_used(ctx: Ctx) -> Iterator[Outcome]:
    """Active images nothing uses, older than the threshold."""
    why = ctx.source_gap("nova", "Nova's server list") or ctx.source_gap(
        "cinder", "Cinder's volume list"
    )
    if why is not None:
        yield ctx.unknown(NEVER_USED, Resource("usage", "servers and volumes"), why)
        return
    cloned = {key[2] for key in ctx.idx.children}
    age = datetime.timedelta(days=ctx.settings.unused_days)
    for image in ctx.inv.images:
        if not image.is_active or ctx.idx.uses[image.id] or image.id in cloned:
            continue
        old = ctx.older_than(image.created_at, age)
        if old is None:
            yield ctx.excluded(NEVER_USED, "no-timestamp", _bytes(image))
        elif old:
            yield _item(
                ctx,
                NEVER_USED,
                image,
                f"image {image.id} ({image.name or ''}) is used by nothing and older than "
                f"{ctx.settings.unused_days} days",
                f"created {image.created_at}; no server, volume or clone uses it",
            )


def stuck(ctx: Ctx) -> Iterator[Outcome]:
    """Images that never reached ``active``, past the threshold."""
    age = datetime.timedelta(hours=ctx.settings.stuck_hours)
    for image in ctx.inv.images:
        if image.status not in _STUCK_STATES:
            continue
        stamp = image.updated_at or image.created_at
        old = ctx.older_than(stamp, age)
        if old is None:
            yield ctx.excluded(STUCK, "no-timestamp", _bytes(image))
        elif old:
            yield _item(
                ctx,
                STUCK,
                image,
                f"image {image.id} ({image.name or ''}) is {image.status} since {stamp}",
                f"glance: status {image.status}, last updated {stamp}",
            )
