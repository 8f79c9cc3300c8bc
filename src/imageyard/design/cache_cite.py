"""Section (d) sized by a cache simulation (``simulate cache -f json``), never redone.

Concepts: when a boot trace has been replayed with a target hit rate, the smallest setting
reaching it replaces the working-set estimate: Glance's ``image_cache_max_size``, Cinder's
``image_volume_cache_max_size_gb`` and Nova's ``remove_unused_original_minimum_age_seconds``
(the options simulate searches; Cinder's ``max_count`` stays the hot image count). The sized
plan feeds the change list, so the config diff carries the same values. A search that did
not reach its target (or found 0, which would disable the cache) leaves the estimate. Each
sized decision cites the search; the trace is declared (the operator handed it in).
"""

from __future__ import annotations

from dataclasses import replace

from imageyard.design.cachetune import GIB, CachePlan
from imageyard.design.model import Decision
from imageyard.design.provenance import DECLARED, datum
from imageyard.simulate.result_file import CacheSimulation, SizeFound

GLANCE = "image_cache_max_size"
NOVA = "remove_unused_original_minimum_age_seconds"
CINDER = "image_volume_cache_max_size_gb"
DECISION_OPTION = {"cache.glance_api": GLANCE, "cache.nova_base": NOVA, "cache.cinder": CINDER}
UNUSED = ("disabled", "defaults", "not needed")  # choices that set no size


def _value(sim: CacheSimulation, option: str) -> int | None:
    found = sim.setting(option)
    return found.smallest if found is not None and found.smallest else None


def sized(plan: CachePlan, sim: CacheSimulation) -> CachePlan:
    """``plan`` with the simulation's smallest settings where it found one."""
    glance, nova, cinder = (_value(sim, o) for o in (GLANCE, NOVA, CINDER))
    used = frozenset(o for o, v in ((GLANCE, glance), (NOVA, nova), (CINDER, cinder)) if v)
    return replace(
        plan,
        max_size_bytes=glance or plan.max_size_bytes,
        nova_min_age=nova or plan.nova_min_age,
        cinder_max_gb=cinder or plan.cinder_max_gb,
        simulated=used,
    )


def _shown(found: SizeFound) -> str:
    if found.option == GLANCE and found.smallest is not None:
        return f"{found.smallest} bytes ({found.smallest / GIB:.2f} GiB)"
    return str(found.smallest)


def evidence(sim: CacheSimulation, found: SizeFound) -> str:
    """One datum: what the search over ``found.option`` gave."""
    head = f"cache simulation of {sim.events} boots ({found.model} model)"
    if found.smallest is None:
        return datum(
            DECLARED,
            f"{head}: no {found.option} reaches hit rate {found.target:.1%}; the estimate stands",
        )
    assert found.hit_rate is not None
    return datum(
        DECLARED,
        f"{head}: smallest {found.option} reaching hit rate {found.target:.1%} is "
        f"{_shown(found)} (hit rate {found.hit_rate:.1%})",
    )


def cite(decisions: list[Decision], sim: CacheSimulation) -> list[Decision]:
    """Section (d)'s decisions with the search that sized each as evidence."""
    return [_cited(d, sim) for d in decisions]


def _cited(d: Decision, sim: CacheSimulation) -> Decision:
    found = sim.setting(DECISION_OPTION.get(d.key, ""))
    if found is None or d.choice in UNUSED:
        return d
    return replace(d, evidence=(*d.evidence, evidence(sim, found)))
