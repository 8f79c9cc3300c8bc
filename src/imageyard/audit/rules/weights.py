"""Rule on store ``weight``: the order in which an image's locations are tried.

Concepts: since glance_store 4.6.0 (Glance 27, 2023.2) each store section may set an
integer ``weight`` (default 0). Glance sorts an image's locations by store weight, highest
first (glance ``glance/common/utils.py`` ``sort_image_locations``, applied when images are
loaded from the database); equal weights keep the order the copies were added in. That
order matters to an rbd consumer (a Nova compute or Cinder backend) only through the
location it clones:

* a consumer that sees every location (``show_multiple_locations``, or Cinder 27+ through
  the service-only locations API of Glance 29+) clones the first one in its own Ceph
  cluster, so a tie matters only between two stores in that cluster;
* a consumer that sees only ``direct_url`` gets the first location, so a tie matters
  between a store in its cluster and any other store that can hold a copy;
* a consumer that sees no location downloads, whatever the order.

The read-only http store never receives a copy (copy-image skips it), so it takes part in
no tie.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterator

from imageyard.audit.cow.consumers import Consumer, ConsumerKind
from imageyard.audit.cow.table import verdicts
from imageyard.audit.rule import AuditContext, rule
from imageyard.audit.rules._common import file_unknown, is_true
from imageyard.model.config import GlanceApiConfig
from imageyard.model.finding import Evidence, Outcome, Resource
from imageyard.model.inventory import Inventory
from imageyard.model.store import Store, StoreType

GLANCE_LOCATIONS_API_SINCE = 29


class Sight(enum.Enum):
    """Which of an image's locations a consumer reads."""

    ALL = "every location"
    FIRST = "direct_url only"
    NONE = "no location"


def sight(consumer: Consumer, glance: GlanceApiConfig, major: int) -> Sight:
    """What ``consumer`` sees of an image's locations through ``glance``."""
    service_api = consumer.service_locations_api and not consumer.is_nova
    if is_true(glance.show_multiple_locations) or (
        service_api and major >= GLANCE_LOCATIONS_API_SINCE
    ):
        return Sight.ALL
    if is_true(glance.show_image_direct_url):
        return Sight.FIRST
    return Sight.NONE


def _copy_holders(inv: Inventory) -> tuple[Store, ...]:
    seen: dict[str, Store] = {}
    for store in inv.stores:
        if store.is_reserved or store.read_only or store.type is StoreType.HTTP:
            continue
        seen.setdefault(store.id, store)
    return tuple(seen.values())


def _ties(stores: tuple[Store, ...]) -> list[tuple[int, tuple[Store, ...]]]:
    groups: dict[int, list[Store]] = defaultdict(list)
    for store in stores:
        groups[store.weight or 0].append(store)
    return [(w, tuple(m)) for w, m in sorted(groups.items()) if len(m) > 1]


def _fsid(store: Store) -> str | None:
    return store.rbd_fsid.strip().lower() if store.rbd_fsid else None


def _matters(group: tuple[Store, ...], fsid: str | None, seen: Sight) -> bool:
    """Whether the order of ``group`` decides the clone of a consumer in cluster ``fsid``."""
    local = [s for s in group if s.type is StoreType.RBD and _fsid(s) == fsid]
    if seen is Sight.ALL:
        return len(local) > 1
    return seen is Sight.FIRST and bool(local)


def _needs_cluster(group: tuple[Store, ...], seen: Sight) -> bool:
    """Whether telling if the tie matters needs the consumer's and stores' clusters."""
    rbd = sum(1 for s in group if s.type is StoreType.RBD)
    return (seen is Sight.FIRST and rbd > 0) or (seen is Sight.ALL and rbd > 1)


def _could_matter(group: tuple[Store, ...], glance: GlanceApiConfig, major: int) -> bool:
    """Without consumer configuration: could the tie decide a clone in any store's cluster?

    A Nova compute sees what glance-api shows; a Cinder backend may see every location
    through the service-only locations API.
    """
    nova = sight(Consumer("?", ConsumerKind.NOVA, "", rbd=True), glance, major)
    fsids = {_fsid(s) for s in group if s.type is StoreType.RBD}
    return any(_matters(group, f, nova) or _matters(group, f, Sight.ALL) for f in fsids)


def _names(group: tuple[Store, ...]) -> str:
    return ", ".join(s.id for s in group)


@rule(
    id="store-weights-tied",
    title="Stores share a weight where the order decides which copy a consumer clones",
    severity="low",
    confidence="high",
    category="multistore",
    releases=">=27",
    remediation="Give the tied stores distinct weights in their sections, highest for the "
    "store each consumer should clone from (the one in its own Ceph cluster).",
    links=(
        "glance glance/common/utils.py",
        "glance_store glance_store/multi_backend.py",
        "nova nova/storage/rbd_utils.py",
        "cinder cinder/volume/drivers/rbd.py",
    ),
)
def store_weights_tied(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """Tied weights leave the copy a consumer clones to the order the copies were made.

    One finding per group of tied stores, naming the consumers for which the order
    decides which copy is cloned (or whether a clone happens at all).
    """
    glance = inv.config.glance_api
    if glance is None:
        yield file_unknown(store_weights_tied, inv, "glance-api")
        return
    rbd_consumers = list(verdicts(inv).rbd_consumers)
    for weight, group in _ties(_copy_holders(inv)):
        yield from _judge(inv, ctx, glance, weight, group, rbd_consumers)


def _judge(
    inv: Inventory,
    ctx: AuditContext,
    glance: GlanceApiConfig,
    weight: int,
    group: tuple[Store, ...],
    rbd_consumers: list[Consumer],
) -> Iterator[Outcome]:
    resource = Resource("stores", _names(group))
    major = ctx.release.major
    if not rbd_consumers:
        if _could_matter(group, glance, major):
            yield store_weights_tied.unknown(
                resource, "no Nova or Cinder rbd configuration was read to tell who clones"
            )
        return
    sights = [(c, sight(c, glance, major)) for c in rbd_consumers]
    judged = [(c, seen) for c, seen in sights if _needs_cluster(group, seen)]
    unsure = [s.id for s in group if s.type is StoreType.RBD and s.rbd_fsid is None]
    unsure += [c.name for c, _ in judged if c.fsid is None]
    if judged and unsure:
        yield store_weights_tied.unknown(resource, f"Ceph cluster unknown for {', '.join(unsure)}")
        return
    hit = [(c, seen) for c, seen in judged if _matters(group, c.fsid, seen)]
    if not hit:
        return
    who = ", ".join(f"{c.name} ({seen.value})" for c, seen in hit)
    yield store_weights_tied.finding(
        resource,
        f"stores {_names(group)} all have weight {weight}; for {who} the copy cloned then "
        "depends on the order the copies were made, not on the operator",
        Evidence.fact(f"stores {_names(group)} have weight {weight}", glance.path),
        *(Evidence.fact(f"{c.name}: Ceph cluster {c.fsid}", c.config_path) for c, _ in hit),
    )
