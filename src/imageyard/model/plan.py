"""Plans: the changes ``imageyard apply`` makes, as a single frozen value.

Concepts: a ``Plan`` is an ordered tuple of ``Action`` records made from one inventory
snapshot (``inventory_fingerprint``). Each action names its ``kind`` (an entry of the
action registry in ``imageyard.apply.actions``), the image it acts on, the store or other
``target``, the actions it ``depends_on`` (always earlier ones: on the same image, so one
image's actions run in order while different images run in parallel, or, from version 1.3,
on another resource, e.g. a trash entry purged after the clones that held it were
flattened), the bytes it moves
and the image's fingerprint before (``expect``) and after (``result``) it. ``expect`` is the
precondition apply re-checks against live Glance: a live image that matches neither
``expect`` nor ``result`` makes the plan stale. ``ImageState`` is what a fingerprint covers:
the fields an action may rely on or change (status, format, size, hash, stores, hidden).
``SitePlacement`` summarises the edge pre-placement per site: the site's local store, how
many images the site boots, how many are there already, and what the plan copies (plan
version 1.1; ``note`` says why a site got no actions, e.g. its store is not in Glance).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace

PLAN_FORMAT = "imageyard-plan"
PLAN_VERSION = "1.3"  # 1.1: sites (edge pre-placement); 1.2: stores (bytes vs capacity),
# unplaced; 1.3: depends_on may name another resource's action, rbd-trash-restore


@dataclass(frozen=True)
class ImageState:
    """The part of an image a plan relies on; ``fingerprint`` hashes it."""

    id: str
    status: str
    disk_format: str | None
    size: int | None
    os_hash_value: str | None
    stores: tuple[str, ...]
    os_hidden: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "stores", tuple(sorted(set(self.stores))))

    @property
    def fingerprint(self) -> str:
        """``sha256:`` of the canonical JSON of every field."""
        doc = json.dumps(
            [
                self.id,
                self.status,
                self.disk_format,
                self.size,
                self.os_hash_value,
                list(self.stores),
                self.os_hidden,
            ],
            separators=(",", ":"),
        )
        return "sha256:" + hashlib.sha256(doc.encode()).hexdigest()

    def with_store(self, store: str) -> ImageState:
        """This state with ``store`` added."""
        return replace(self, stores=(*self.stores, store))

    def without_store(self, store: str) -> ImageState:
        """This state with ``store`` removed."""
        return replace(self, stores=tuple(s for s in self.stores if s != store))


@dataclass(frozen=True)
class Action:
    """One step of a plan."""

    id: str
    kind: str
    image_id: str
    image_name: str = ""
    target: str = ""
    depends_on: tuple[str, ...] = ()
    bytes: int = 0
    destructive: bool = False
    expect: str = ""
    result: str = ""
    reason: str = ""
    params: tuple[tuple[str, str], ...] = ()

    def param(self, key: str) -> str | None:
        """One parameter's value, or None."""
        return next((v for k, v in self.params if k == key), None)


@dataclass(frozen=True)
class StoreCost:
    """Monthly cost of one store before and after the plan."""

    store: str
    price_gib_month: float
    gib_before: float
    gib_after: float


@dataclass(frozen=True)
class SitePlacement:
    """What the edge pre-placement plans for one site."""

    site: str
    store: str | None
    boots: int = 0
    present: int = 0
    copies: int = 0
    bytes: int = 0
    note: str = ""


@dataclass(frozen=True)
class StoreUsage:
    """One store's bytes before the plan, at its peak (every copy in, nothing freed yet:
    lanes run in parallel) and after it, against the store's capacity (None: no limit)."""

    store: str
    bytes_before: int
    bytes_peak: int
    bytes_after: int
    capacity: int | None = None


@dataclass(frozen=True)
class Unplaced:
    """A copy the policy wanted but left out of the plan, and why (e.g. no capacity)."""

    image_id: str
    image_name: str
    store: str
    bytes: int
    reason: str


@dataclass(frozen=True)
class Plan:
    """An ordered list of actions and what they were made from."""

    format: str = PLAN_FORMAT
    version: str = PLAN_VERSION
    created_at: str = ""
    inventory: str = ""
    inventory_fingerprint: str = ""
    glance_endpoint: str = ""
    policy: tuple[tuple[str, str], ...] = ()
    actions: tuple[Action, ...] = ()
    costs: tuple[StoreCost, ...] = ()
    sites: tuple[SitePlacement, ...] = ()
    stores: tuple[StoreUsage, ...] = ()
    unplaced: tuple[Unplaced, ...] = ()

    def action(self, action_id: str) -> Action | None:
        """The action with ``action_id``, or None."""
        return next((a for a in self.actions if a.id == action_id), None)

    @property
    def fingerprint(self) -> str:
        """``sha256:`` of the actions' ids, kinds, targets and preconditions."""
        doc = json.dumps(
            [[a.id, a.kind, a.image_id, a.target, a.expect, a.result] for a in self.actions],
            separators=(",", ":"),
        )
        return "sha256:" + hashlib.sha256(doc.encode()).hexdigest()
