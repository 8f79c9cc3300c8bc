"""What a design is made of: decisions with their reasons, and the plans they produce.

Concepts: a ``Decision`` is one recommendation (``section`` a-f: layout, format, config,
cache, reclaim, hygiene), its ``choice``, a ``why`` computed from the data, the ``evidence`` (data
points, each starting with where it comes from: measured, declared or assumed, see
``provenance.py``) and the ids of the facts it rests
on (``facts.py``); a ``warning`` decision says the design does not fit the data (a store
over its capacity). The ``summary`` answers the declared pain points first. Decisions also
produce typed plans: ``StorePlan`` (one Glance store as it should be), ``Conversion`` (an
image to rewrite as raw, with its boots), ``Change`` (one option to set or remove in one
file) and ``Step`` (one reclamation step with its safety check).
"""

from __future__ import annotations

from dataclasses import dataclass

SECTIONS = ("startup", "layout", "format", "config", "cache", "reclaim", "hygiene")


@dataclass(frozen=True)
class Decision:
    """One recommendation and what it rests on."""

    key: str
    section: str
    title: str
    choice: str
    why: str
    facts: tuple[str, ...]
    evidence: tuple[str, ...] = ()
    warning: bool = False  # the design does not fit the data (e.g. a store over capacity)


@dataclass(frozen=True)
class StorePlan:
    """One Glance store as the design wants it."""

    id: str
    type: str
    role: str  # default | edge | hot | general | archive | drain
    weight: int | None
    description: str
    is_default: bool = False
    site: str | None = None
    ceph_cluster: str | None = None
    fsid: str | None = None
    pool: str | None = None
    options: tuple[tuple[str, str], ...] = ()  # driver options to write for a new store
    new: bool = False
    user: str | None = None  # rbd: the cephx user it connects as (measured or declared)
    # measured: in the collected config; declared: in the site description; assumed: a
    # store the design adds whose pool and user are defaults (no file or site gives them)
    source: str = "declared"


@dataclass(frozen=True)
class ApiPlan:
    """One site's glance-api: the stores it enables, its default and its weights."""

    site: str
    default: str
    stores: tuple[str, ...]
    weights: tuple[tuple[str, int], ...]  # empty before Glance 27 (no weight option)
    target: str = ""  # "" = the collected glance-api.conf; else the site (a new file)

    def weight(self, store_id: str) -> int | None:
        return dict(self.weights).get(store_id)


@dataclass(frozen=True)
class Conversion:
    """An image whose data must be rewritten as raw, and what that costs."""

    image_id: str
    name: str
    store: str
    disk_format: str
    size: int
    virtual_size: int | None
    boots: int = 0  # servers booted from it plus volumes created from it (inventory)

    @property
    def extra_bytes(self) -> int | None:
        if self.virtual_size is None:
            return None
        return max(self.virtual_size - self.size, 0)


@dataclass(frozen=True)
class Change:
    """Set (``value``) or remove (``value`` None) one option in one file."""

    file: str  # glance-api.conf | glance-image-import.conf | nova.conf | cinder.conf
    section: str
    key: str
    value: str | None
    why: str
    fact: str
    target: str = ""  # which nova.conf / cinder backend / site's glance-api, when several
    risk: str = ""  # how this option can turn a slow path into a failure, and what avoids it
    paths: tuple[str, ...] = ()  # the files it is written to (placement.py); () = usual path


@dataclass(frozen=True)
class Step:
    """One reclamation step: a safety check first, then the commands."""

    title: str
    check: str
    commands: tuple[str, ...]
    why: str
    fact: str


@dataclass(frozen=True)
class ReclaimView:
    """What section (e) takes from the reclaim analysis (``imageyard reclaim``), in its order.

    ``orphans`` are the resources of the backend, deleted-but-kept and consumer-leftover
    items; ``pins`` the pinned ``pool/image@snap`` specs; ``duplicates`` one tuple per group,
    the kept image first; ``unknown`` the classes that could not be decided.
    """

    orphans: tuple[str, ...] = ()
    pins: tuple[str, ...] = ()
    duplicates: tuple[tuple[str, ...], ...] = ()
    unknown: tuple[str, ...] = ()
    reclaimable_bytes: int = 0


@dataclass(frozen=True)
class Design:
    """The whole design for one site."""

    site: str
    release: str
    release_major: int
    inputs: tuple[str, ...]
    stores: tuple[StorePlan, ...]
    decisions: tuple[Decision, ...]
    conversions: tuple[Conversion, ...]
    changes: tuple[Change, ...]
    steps: tuple[Step, ...]
    notes: tuple[str, ...] = ()
    audit: tuple[tuple[str, int], ...] = ()  # failing audit rule id -> finding count
    summary: tuple[str, ...] = ()  # declared pain points and capacity warnings, first things first
    apis: tuple[ApiPlan, ...] = ()  # one per site when there are several Ceph sites
    manual: tuple[str, ...] = ()  # values only the operator knows: never written to a file
    reclaim: ReclaimView | None = None  # from the reclaim analysis, with an inventory

    @property
    def default_store(self) -> StorePlan | None:
        return next((s for s in self.stores if s.is_default), None)

    def decision(self, key: str) -> Decision | None:
        return next((d for d in self.decisions if d.key == key), None)

    def changes_for(self, file: str) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.file == file)
