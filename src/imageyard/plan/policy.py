"""What a plan is asked to do: placement, conversion, moves, drops and the retire policy.

Concepts: ``PlanPolicy`` is the operator's choice, given as ``imageyard plan make`` flags.
``place`` copies raw images that a Ceph consumer downloads into that consumer's Ceph store;
``convert`` makes a raw copy of every non-raw image a Ceph consumer cannot clone, and
retires the old one with ``retire`` (hide, deactivate or rename; never delete);
``moves`` (``FROM=TO``) copy every image of store FROM to TO and then delete it from FROM;
``drops`` delete from a store the images that have another copy; ``reclaim`` adds the
reclaim analysis's Glance-level actions (``plan.reclaim``; ``grace_hours`` is its grace
period); ``keep`` (with ``max_age`` in
days) retires all but the newest images of each family (``plan.retention``). ``images``
restricts the plan to images whose name or id matches one of these shell patterns. ``site``
names the site description whose sites get edge pre-placement (``plan.edge``).
``tier`` (``TierPolicy``) turns on placement by policy (``plan.tiering``); ``flatten``
lets reclaim flatten the clones that pin what it would reclaim; ``grace_hours`` is
reclaim's grace (data written more recently is spared).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Literal

from imageyard.model.image import Image

Retire = Literal["hide", "deactivate", "rename"]
RETIRE_POLICIES: tuple[Retire, ...] = ("hide", "deactivate", "rename")


@dataclass(frozen=True)
class TierPolicy:
    """Placement by policy: what makes an image hot, and where cold images go.

    An image is golden when it is public or tagged ``golden_tag``; hot with at least
    ``hot_uses`` servers and volumes or ``hot_boots`` boots within ``window_days``; cold
    with no user and no boot in the window (and its users known). Golden and hot images go
    to every site's Ceph store, cold ones to ``cold_store`` and off the Ceph stores.
    """

    hot_uses: int = 3
    hot_boots: int = 5
    window_days: int = 30
    cold_store: str | None = None
    golden_tag: str = "golden"

    def as_pairs(self) -> list[tuple[str, str]]:
        """The settings as string pairs (prefixed ``tier_``)."""
        return [
            ("tier_cold_store", self.cold_store or ""),
            ("tier_golden_tag", self.golden_tag),
            ("tier_hot_boots", str(self.hot_boots)),
            ("tier_hot_uses", str(self.hot_uses)),
            ("tier_window_days", str(self.window_days)),
        ]


@dataclass(frozen=True)
class PlanPolicy:
    """The operator's choices for one plan."""

    place: bool = True
    convert: bool = True
    retire: Retire = "hide"
    moves: tuple[tuple[str, str], ...] = ()
    drops: tuple[str, ...] = ()
    images: tuple[str, ...] = ()
    reclaim: bool = False
    trash_days: int = 7
    keep: int | None = None
    max_age: int | None = None
    site: str = ""  # the site description's file name, for edge pre-placement
    tier: TierPolicy | None = None
    flatten: bool = False
    grace_hours: float = 24.0  # reclaim: spare data written this recently

    def selects(self, image: Image) -> bool:
        """True when ``image`` is in the plan's scope."""
        if not self.images:
            return True
        names = (image.id, image.name or "")
        return any(fnmatch.fnmatchcase(n, p) for p in self.images for n in names)

    def as_pairs(self) -> tuple[tuple[str, str], ...]:
        """The policy as sorted string pairs, for the plan file."""
        retention = [("keep", str(self.keep)), ("max_age", str(self.max_age or ""))]
        pairs = [
            ("convert", str(self.convert).lower()),
            ("drops", ",".join(self.drops)),
            ("images", ",".join(self.images)),
            ("moves", ",".join(f"{a}={b}" for a, b in self.moves)),
            ("place", str(self.place).lower()),
            ("reclaim", str(self.reclaim).lower()),
            ("retire", self.retire),
            ("trash_days", str(self.trash_days)),
        ]
        edge = [("site", self.site)] if self.site else []
        if self.reclaim and self.grace_hours != 24.0:
            edge.append(("grace_hours", f"{self.grace_hours:g}"))
        tier = self.tier.as_pairs() if self.tier is not None else []
        if self.flatten:
            tier.append(("flatten", "true"))
        return tuple(sorted(pairs + retention * (self.keep is not None) + edge + tier))
