"""What a reclaim analysis returns: items per class, unknown classes, exclusions, totals.

Concepts: every piece of data the analysis proposes to reclaim is an ``Item`` of one class
(``classes.CLASSES``): the audit-style ``Finding`` (resource, message, evidence, proposed
action for the planner) plus the bytes it holds, provisioned and used, and the store or pool
it sits in. A class whose inputs are incomplete yields ``Unknown`` records instead, never
items. Data that looks orphaned but is spared for safety (watchers, written within the
grace period or without a timestamp, a name that is not Glance's in a shared pool) is
counted in ``exclusions`` by reason. ``pins`` are the clone chains that keep Glance images
alive, ``duplicates`` the groups of images with the same content, ``conversions`` the
raw/qcow2 pairs of one image. Nothing here deletes anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from imageyard.model.finding import Finding, Status, Unknown
from imageyard.model.image import Image


@dataclass(frozen=True)
class Item:
    """One reclaimable thing: its finding plus bytes and where it lives."""

    finding: Finding
    provisioned: int | None = None
    used: int | None = None
    store: str | None = None  # the Glance store holding it, if any
    pool: str | None = None  # ``pool`` for RBD data, else None

    @property
    def class_id(self) -> str:
        """The class (the finding's rule id)."""
        return self.finding.rule_id

    @property
    def reclaimable(self) -> int:
        """Bytes that would come back (used, else provisioned; 0 when muted)."""
        if self.finding.status is Status.MUTED:
            return 0
        return self.used if self.used is not None else (self.provisioned or 0)


@dataclass(frozen=True)
class Exclusion:
    """How many candidates of a class were spared for one reason, and their bytes."""

    class_id: str
    reason: str  # watchers | young | no-timestamp | foreign-name
    count: int
    used: int = 0
    store: str | None = None
    pool: str | None = None


@dataclass(frozen=True)
class PinNode:
    """One clone in a pin chain: what it is, how deep, what it holds."""

    spec: str  # pool/name
    kind: str  # instance-disk | volume | image | snapshot-image | other
    depth: int  # 1: a direct child of the pinned snapshot
    provisioned: int
    used: int | None = None
    clone_v2: bool | None = None  # op_features ``clone-child``; None: features not read


@dataclass(frozen=True)
class Pin:
    """A Glance image (or RBD data) kept alive by clones.

    Deleting the image through Glance returns 409 while a v1 clone (one that needs the
    protected ``snap``) exists; with only v2 clones Glance answers 204 and glance_store moves
    the image to the RBD trash, where the clones keep it until they are flattened.
    """

    image_id: str
    spec: str  # pool/image@snap
    store: str | None
    nodes: tuple[PinNode, ...]
    flatten_bytes: int  # bytes written if every direct child were flattened
    complete: bool = True  # False: a pool was not read whole, so more clones may exist

    @property
    def depth(self) -> int:
        """The longest chain below the pinned snapshot."""
        return max((n.depth for n in self.nodes), default=0)

    @property
    def delete_returns_409(self) -> bool | None:
        """True with a v1 direct clone, False with v2 ones only, None when not known."""
        kinds = {n.clone_v2 for n in self.direct}
        if False in kinds:
            return True
        return None if None in kinds or not kinds else False

    @property
    def direct(self) -> tuple[PinNode, ...]:
        """The clones that must be flattened (or deleted) before the image can go."""
        return tuple(n for n in self.nodes if n.depth == 1)


@dataclass(frozen=True)
class DupGroup:
    """Images holding the same bytes; the first is the one to keep."""

    algo: str
    value: str
    images: tuple[Image, ...]
    reason: str = ""  # why the first one is kept

    @property
    def surplus_bytes(self) -> int:
        """The bytes all copies but the kept one take."""
        return sum(i.size or 0 for i in self.images[1:])


@dataclass(frozen=True)
class Conversion:
    """A raw image and a qcow2 image of the same guest disk: a conversion, not a copy."""

    raw: Image
    qcow2: Image
    why: str


@dataclass(frozen=True)
class Total:
    """Bytes of one class, store or pool: used, reclaimable, and undecided (unknown)."""

    kind: str  # class | store | pool
    name: str
    items: int
    used: int
    reclaimable: int
    unknown: int  # bytes in scopes the analysis could not decide (incomplete or spared)
    unknown_scopes: int = 0  # classes or listings that were incomplete


@dataclass(frozen=True)
class ReclaimResult:
    """Everything ``imageyard reclaim`` reports."""

    items: tuple[Item, ...]
    unknowns: tuple[Unknown, ...]
    exclusions: tuple[Exclusion, ...]
    pins: tuple[Pin, ...]
    duplicates: tuple[DupGroup, ...]
    conversions: tuple[Conversion, ...]
    totals: tuple[Total, ...]
    classes: tuple[tuple[str, str], ...]  # class id, state: checked | unknown | not-applicable
    inventory_generated_at: str = ""
    settings: tuple[tuple[str, str], ...] = ()

    @property
    def findings(self) -> tuple[Finding, ...]:
        """The items' findings, in item order."""
        return tuple(i.finding for i in self.items)

    def of_class(self, class_id: str) -> tuple[Item, ...]:
        """The items of one class."""
        return tuple(i for i in self.items if i.class_id == class_id)
