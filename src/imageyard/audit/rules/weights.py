"""Rule on store ``weight``: the order in which an image's locations are tried.

Concepts: since glance_store 4.6.0 (Glance 27, 2023.2) each store section may set an
integer ``weight`` (default 0). Glance sorts an image's locations by store weight, highest
first; that order decides which location is downloaded first and which one becomes
``direct_url``. Equal weights keep the order the locations were added in, so with
several stores on default weights the choice is an accident of history.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from imageyard.audit.rule import AuditContext, rule
from imageyard.audit.rules._common import file_unknown, store_resource
from imageyard.model.finding import Evidence, Outcome
from imageyard.model.inventory import Inventory
from imageyard.model.store import Store


def _weighted(inv: Inventory) -> tuple[Store, ...]:
    seen: dict[str, Store] = {}
    for store in inv.stores:
        if not store.is_reserved and store.weight is not None:
            seen.setdefault(store.id, store)
    return tuple(seen.values())


@rule(
    id="store-weights-tied",
    title="Several stores share the same weight",
    severity="low",
    confidence="high",
    category="multistore",
    releases=">=27",
    remediation="Give each store a distinct weight in its section, highest for the store "
    "that should be read first (usually the one local to the computes).",
    links=(
        "glance_store glance_store/multi_backend.py",
        "glance glance/common/utils.py",
        "https://specs.openstack.org/openstack/glance-specs/specs/2023.2/approved/"
        "glance_store/store-weight.html",
    ),
)
def store_weights_tied(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """Stores with equal weights leave location order to insertion order.

    Which copy of an image is downloaded, and which one Nova sees as direct_url, then
    depends on the order in which the copies were made rather than on the operator.
    """
    if inv.config.glance_api is None:
        yield file_unknown(store_weights_tied, inv, "glance-api")
        return
    stores = _weighted(inv)
    if len(stores) < 2:
        return
    groups: dict[int, list[Store]] = defaultdict(list)
    for store in stores:
        groups[store.weight or 0].append(store)
    for weight, members in sorted(groups.items()):
        if len(members) < 2:
            continue
        names = ", ".join(s.id for s in members)
        for store in members:
            yield store_weights_tied.finding(
                store_resource(store.id),
                f"store {store.id} has weight {weight}, like {names}: their locations are "
                "ordered by insertion, not by preference",
                Evidence.fact(f"stores {names} have weight {weight}"),
            )
