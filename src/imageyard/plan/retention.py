"""Retention: per image family keep the newest N, retire older ones (hide, then deactivate).

Concepts: a family (``model.family``) is the images with the same ``os_distro`` and
``os_version`` when both are set, else the same name stem. Within a family the active images
are ordered newest first by ``created_at``; the first ``keep`` are kept, and with
``max_age`` (days) only older ones past that age are retired. An image that a server or a
volume uses, or that an RBD clone in Ceph still has as its parent, is never retired,
whatever its age. Retiring is two planner steps: hide, then deactivate;
nothing is deleted.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from imageyard.model.family import family_of
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.model.location import RbdLocation
from imageyard.plan.policy import PlanPolicy

if TYPE_CHECKING:
    from imageyard.plan.generate import _Builder


@dataclass(frozen=True)
class Decision:
    """What retention does with one image of a family, and why."""

    image: Image
    family: str
    retire: bool
    reason: str


def clone_children(inv: Inventory, image: Image) -> int:
    """How many RBD clones in the collected clusters have one of ``image``'s copies as parent."""
    count = 0
    if not inv.ceph_clusters:
        return count
    for loc in image.locations:
        parsed = loc.parsed
        if not isinstance(parsed, RbdLocation) or not parsed.cloneable_form:
            continue
        cluster = inv.ceph_cluster(parsed.fsid)
        if cluster is not None:
            count += len(cluster.children(parsed.pool, parsed.image))
    return count


def in_use(inv: Inventory, image: Image) -> str:
    """Why ``image`` must be kept because something uses it (empty when nothing does)."""
    servers, volumes = inv.servers_using(image.id), inv.volumes_from(image.id)
    clones = clone_children(inv, image)
    parts = [f"{len(servers)} server(s)"] if servers else []
    parts += [f"{len(volumes)} volume(s)"] if volumes else []
    parts += [f"{clones} RBD clone(s)"] if clones else []
    return f"used by {', '.join(parts)}" if parts else ""


def _age_days(image: Image, today: datetime.date) -> int | None:
    try:
        created = datetime.date.fromisoformat((image.created_at or "")[:10])
    except ValueError:
        return None
    return (today - created).days


def _decide(
    inv: Inventory, image: Image, rank: int, keep: int, max_age: int | None, today: datetime.date
) -> tuple[bool, str]:
    if rank < keep:
        return False, f"one of the newest {keep}"
    age = _age_days(image, today) if max_age is not None else None
    if max_age is not None and (age is None or age <= max_age):
        return False, f"not older than {max_age} days (age {age if age is not None else '?'})"
    used = in_use(inv, image)
    if used:
        return False, used
    return True, f"older than the newest {keep} of its family"


def select(
    inv: Inventory, keep: int, max_age: int | None, today: datetime.date
) -> tuple[Decision, ...]:
    """A decision for every active image of every family with more than ``keep`` images."""
    families: defaultdict[str, list[Image]] = defaultdict(list)
    for image in inv.images:
        if image.is_active:
            families[family_of(image)].append(image)
    decisions = []
    for family, members in sorted(families.items()):
        members.sort(key=lambda i: (i.created_at or "", i.id), reverse=True)
        for rank, image in enumerate(members):
            retire, reason = _decide(inv, image, rank, keep, max_age, today)
            decisions.append(Decision(image, family, retire, reason))
    return tuple(decisions)


def retention_actions(b: _Builder, inv: Inventory, policy: PlanPolicy) -> None:
    """Hide, then deactivate, every image retention retires (never a used or pinned one)."""
    from imageyard.plan.generate import retired

    today = datetime.datetime.now(datetime.UTC).date()
    for d in select(inv, policy.keep or 0, policy.max_age, today):
        if not d.retire or not policy.selects(d.image):
            continue
        why = f"retention: {d.reason} ({d.family})"
        if not b.state(d.image).os_hidden:
            now = b.state(d.image)
            b.add(
                d.image,
                "retire-image",
                "hide",
                retired(now, "hide"),
                reason=why,
                params=(("policy", "hide"),),
            )
        now = b.state(d.image)
        b.add(
            d.image,
            "retire-image",
            "deactivate",
            retired(now, "deactivate"),
            reason=why,
            params=(("policy", "deactivate"),),
        )
