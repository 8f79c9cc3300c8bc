"""What every reclaim class reads: the inventory, its index, the settings, the safety checks.

Concepts: ``ReclaimSettings`` holds the thresholds (grace period, never-used age, stuck
age) and the analysis time, which is the snapshot's ``generated_at`` unless given: ages
are measured at collection time, so the same snapshot always gives the same answer.
``Ctx`` builds items, unknowns and exclusions the same way for every class, and answers
the safety questions: is a pool, trash or listing wholly read (else the class is unknown
there), and is a candidate too young to touch (an image without a timestamp counts as
young). A class yields ``Item``, ``Unknown`` and ``Exclusion`` records; the engine gathers
them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from imageyard.model.ceph import CephCluster, Pool
from imageyard.model.finding import (
    Confidence,
    Evidence,
    Finding,
    ProposedAction,
    Resource,
    Unknown,
)
from imageyard.model.inventory import Inventory
from imageyard.reclaim.classes import BY_ID
from imageyard.reclaim.index import Index
from imageyard.reclaim.model import Exclusion, Item

Outcome = Item | Unknown | Exclusion

DEFAULT_GRACE = datetime.timedelta(days=1)
DEFAULT_UNUSED_DAYS = 90
DEFAULT_STUCK_HOURS = 24


@dataclass(frozen=True)
class ReclaimSettings:
    """Thresholds of the analysis; ``now`` None: the snapshot's collection time."""

    grace: datetime.timedelta = DEFAULT_GRACE
    unused_days: int = DEFAULT_UNUSED_DAYS
    stuck_hours: int = DEFAULT_STUCK_HOURS
    now: datetime.datetime | None = None

    def described(self) -> tuple[tuple[str, str], ...]:
        """The settings as (name, value) text pairs for reports."""
        return (
            ("grace_hours", f"{self.grace.total_seconds() / 3600:g}"),
            ("unused_days", str(self.unused_days)),
            ("stuck_hours", str(self.stuck_hours)),
        )


def parse_time(text: str | None) -> datetime.datetime | None:
    """An ISO 8601 time (``Z`` or an offset; naive means UTC), or None when absent or bad."""
    if not text:
        return None
    try:
        value = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=datetime.UTC)


def _now(inv: Inventory, settings: ReclaimSettings) -> datetime.datetime:
    if settings.now is not None:
        return settings.now
    return parse_time(inv.generated_at) or datetime.datetime.now(datetime.UTC)


@dataclass
class Ctx:
    """One analysis run: inputs plus the shared ways to judge and to report."""

    inv: Inventory
    idx: Index
    settings: ReclaimSettings
    now: datetime.datetime = field(init=False)

    def __post_init__(self) -> None:
        self.now = _now(self.inv, self.settings)

    # ------------------------------------------------------------ safety

    def too_young(self, stamp: str | None) -> str | None:
        """``no-timestamp`` or ``young`` when a candidate must be spared, else None."""
        when = parse_time(stamp)
        if when is None:
            return "no-timestamp"
        return "young" if self.now - when < self.settings.grace else None

    def older_than(self, stamp: str | None, age: datetime.timedelta) -> bool | None:
        """Whether ``stamp`` is older than ``age`` (None: no usable timestamp)."""
        when = parse_time(stamp)
        return None if when is None else self.now - when > age

    def pool_gap(self, cluster: CephCluster, pool: Pool) -> str | None:
        """Why ``pool`` was not wholly listed, else None."""
        if not pool.complete:
            return f"ceph: pool {pool.name}: {pool.error or 'not wholly listed'}"
        for gap in self.inv.gaps_for("ceph"):
            if gap.scope == f"pool {pool.name}":
                return f"ceph: pool {pool.name}: {gap.error}"
        return None

    def trash_gap(self, pool: Pool) -> str | None:
        """Why the trash of ``pool`` was not read, else None."""
        for gap in self.inv.gaps_for("ceph"):
            if gap.scope == f"pool {pool.name} trash":
                return f"ceph: pool {pool.name} trash: {gap.error}"
        return None

    def source_gap(self, source: str, what: str) -> str | None:
        """Why ``source`` is not complete (``what`` names it for the reason), else None."""
        status = self.inv.source_status(source)
        if status is None:
            return f"{what} was not read"
        if status.detail.startswith("not collected"):
            return f"{what} was not read ({status.detail})"
        if not self.inv.is_complete(source):
            gaps = self.inv.gaps_for(source)
            why = f"{gaps[0].scope}: {gaps[0].error}" if gaps else "incomplete"
            return f"{what} is incomplete ({source}: {why})"
        return None

    # ------------------------------------------------------------ records

    def item(
        self,
        class_id: str,
        resource: Resource,
        message: str,
        evidence: tuple[Evidence, ...],
        *,
        params: tuple[tuple[str, str], ...] = (),
        action: str | None = None,
        provisioned: int | None = None,
        used: int | None = None,
        store: str | None = None,
        pool: str | None = None,
        confident: bool = True,
    ) -> Item:
        """An item of ``class_id`` with its class defaults."""
        meta = BY_ID[class_id]
        finding = Finding(
            rule_id=class_id,
            resource=resource,
            message=message,
            severity=meta.severity,
            confidence=meta.confidence if confident else Confidence.MEDIUM,
            evidence=evidence,
            remediation=meta.remediation,
            action=ProposedAction(action or meta.action, params),
        )
        return Item(finding, provisioned, used, store, pool)

    @staticmethod
    def unknown(class_id: str, resource: Resource, reason: str) -> Unknown:
        """The class could not be decided for ``resource``."""
        return Unknown(class_id, resource, reason)

    @staticmethod
    def excluded(
        class_id: str,
        reason: str,
        used: int | None,
        *,
        store: str | None = None,
        pool: str | None = None,
    ) -> Exclusion:
        """One spared candidate (the engine adds them up per class and reason)."""
        return Exclusion(class_id, reason, 1, used or 0, store, pool)
