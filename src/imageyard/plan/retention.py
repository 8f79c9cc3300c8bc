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
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from imageyard.model.family import family_of
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.model.location import RbdLocation
from imageyard.plan.policy import PlanPolicy

if TYPE_CHECKING:
    from imageyard.plan.generate import _Builder


class Decision(NamedTuple):
    """What retention does with one image of a family, and why."""

    # NOTE: a named tuple, not a frozen dataclass: one is made per active image (100,000 in
    # a large catalog), and a frozen dataclass costs four times as much to build

    image: Image
    family: str
    retire: bool
    reason: str


@dataclass(frozen=True)
class _Usage:
    """What keeps images, by image: servers and volumes, and the RBD clones of each parent
    ``(fsid, pool, image name or id)``; built once per inventory, so that asking about every
    image of a large catalog never rescans the servers, volumes or pools."""

    servers: Counter[str]
    volumes: Counter[str]
    clones: Counter[tuple[str, str, str]]

    @classmethod
    def of(cls, inv: Inventory) -> _Usage:
        servers = Counter(s.image_ref for s in inv.servers if s.image_ref is not None)
        volumes = Counter(v.image_id for v in inv.volumes if v.image_id is not None)
        return cls(servers, volumes, _clones(inv))

    def clones_of(self, image: Image) -> int:
        """The clones whose parent is one of ``image``'s copies (``clone_children``)."""
        count = 0
        if not self.clones:
            return count
        for loc in image.locations:
            parsed = loc.parsed
            if isinstance(parsed, RbdLocation) and parsed.cloneable_form:
                count += self.clones.get((parsed.fsid, parsed.pool, parsed.image), 0)
        return count

    def why(self, image: Image) -> str:
        """Why ``image`` is in use (``in_use``)."""
        servers, volumes = self.servers.get(image.id, 0), self.volumes.get(image.id, 0)
        clones = self.clones_of(image) if self.clones else 0
        if not (servers or volumes or clones):
            return ""  # NOTE: most images of a large catalog; nothing to word
        parts = [f"{servers} server(s)"] if servers else []
        parts += [f"{volumes} volume(s)"] if volumes else []
        parts += [f"{clones} RBD clone(s)"] if clones else []
        return f"used by {', '.join(parts)}" if parts else ""


def _clones(inv: Inventory) -> Counter[tuple[str, str, str]]:
    """Clones per parent, by name and by RBD id (a clone counted once under each), in the
    first cluster read for each fsid (the one ``Inventory.ceph_cluster`` finds)."""
    out: Counter[tuple[str, str, str]] = Counter()
    seen: set[str] = set()
    for cluster in inv.ceph_clusters:
        if cluster.fsid in seen:
            continue
        seen.add(cluster.fsid)
        for pool in cluster.pools:
            for child in pool.images:
                ref = child.parent
                if ref is not None:
                    names = {ref.image, ref.image_id} if ref.image_id else {ref.image}
                    out.update((cluster.fsid, ref.pool, name) for name in names)
    return out


def _usage(inv: Inventory) -> _Usage:
    return inv.derived("plan.retention.usage", lambda: _Usage.of(inv))


def clone_children(inv: Inventory, image: Image) -> int:
    """How many RBD clones in the collected clusters have one of ``image``'s copies as parent."""
    return _usage(inv).clones_of(image)


def in_use(inv: Inventory, image: Image) -> str:
    """Why ``image`` must be kept because something uses it (empty when nothing does)."""
    return _usage(inv).why(image)


def _age_days(image: Image, today: datetime.date) -> int | None:
    try:
        created = datetime.date.fromisoformat((image.created_at or "")[:10])
    except ValueError:
        return None
    return (today - created).days


def _decide(
    usage: _Usage, image: Image, rank: int, keep: int, max_age: int | None, today: datetime.date
) -> tuple[bool, str]:
    if rank < keep:
        return False, f"one of the newest {keep}"
    age = _age_days(image, today) if max_age is not None else None
    if max_age is not None and (age is None or age <= max_age):
        return False, f"not older than {max_age} days (age {age if age is not None else '?'})"
    used = usage.why(image)
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
    usage = _usage(inv)
    for family, members in sorted(families.items()):
        members.sort(key=lambda i: (i.created_at or "", i.id), reverse=True)
        for rank, image in enumerate(members):
            retire, reason = _decide(usage, image, rank, keep, max_age, today)
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
