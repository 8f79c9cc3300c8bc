"""Section (d), caches for the paths that are not copy-on-write.

Concepts: a clone downloads nothing, so caches matter only where data is downloaded: computes
that do not use rbd, images whose only copies are outside the consumer's cluster, and Cinder
backends that are not RBD in the image's cluster. ``non_cow_paths`` lists those. The Glance
API cache is worth enabling only when such a path exists; its ``image_cache_max_size`` is the
hot working set (the images taking most boots) plus a quarter of headroom, never below the
upstream default. Cleaning uses the cache API on Glance 33+, the cron tools before. Nova's
``_base`` needs no size but must keep hot images between boots; pre-caching helps non-rbd
aggregates only. Cinder's image-volume cache is sized from the same working set.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from imageyard.design.model import Decision, StorePlan
from imageyard.design.provenance import ASSUMED, datum
from imageyard.design.site import Site

GIB = 1024**3
DEFAULT_CACHE_GIB = 10
HEADROOM = 1.25
CACHE_API_RELEASE = 33
DAY = 86400


@dataclass(frozen=True)
class CachePlan:
    """The numbers section (c) writes into the config."""

    glance_cache: bool
    max_size_bytes: int
    nova_min_age: int | None  # remove_unused_original_minimum_age_seconds, None = default
    cinder_cache: tuple[str, ...]  # Cinder backends that should enable the cache
    cinder_max_gb: int
    cinder_max_count: int
    simulated: frozenset[str] = frozenset()  # options sized by a cache simulation


def non_cow_paths(site: Site, stores: tuple[StorePlan, ...]) -> tuple[str, ...]:
    """Consumers that download image data instead of cloning it."""
    clusters = {s.ceph_cluster for s in stores if s.type == "rbd"}
    paths = [f"nova {c.name} ({c.images_type})" for c in site.computes if not c.uses_rbd]
    paths += [
        f"nova {c.name} (cluster {c.ceph_cluster} has no Glance store)"
        for c in site.computes
        if c.uses_rbd and c.ceph_cluster not in clusters
    ]
    paths += [f"cinder {b.name} (not RBD)" for b in site.cinder if not b.rbd]
    if any(s.role in ("drain", "review") for s in stores):
        paths.append("images still only in draining stores")
    return tuple(paths)


def working_set_gib(site: Site) -> float | None:
    """Bytes of the hot images: measured, or declared, or top_images x average size."""
    boot = site.boot
    if boot.hot_set_gib is not None:
        return boot.hot_set_gib
    cat = site.catalog
    if boot.top_images and cat.images and cat.total_gib:
        return boot.top_images * cat.total_gib / cat.images
    return None


def _cache_size(site: Site) -> int:
    ws = working_set_gib(site)
    gib = max(DEFAULT_CACHE_GIB, math.ceil(ws * HEADROOM)) if ws else DEFAULT_CACHE_GIB
    return gib * GIB


def _nova_min_age(site: Site) -> int | None:
    rate = site.boot.boots_per_image_per_day
    if not rate or rate >= 1:
        return None
    return math.ceil(2 / rate) * DAY


def _cinder_targets(site: Site, stores: tuple[StorePlan, ...]) -> tuple[str, ...]:
    """Non-RBD backends always copy; RBD ones while their cluster lacks a clean raw copy."""
    clusters = {s.ceph_cluster for s in stores if s.type == "rbd"}
    draining = any(s.role in ("drain", "review") for s in stores)
    return tuple(
        b.name for b in site.cinder if not b.rbd or draining or b.ceph_cluster not in clusters
    )


def plan_cache(site: Site, stores: tuple[StorePlan, ...]) -> CachePlan:
    paths = non_cow_paths(site, stores)
    ws = working_set_gib(site) or 0.0
    hot = site.boot.top_images or len(site.boot.hot_image_ids)
    return CachePlan(
        glance_cache=bool(paths),
        max_size_bytes=_cache_size(site),
        nova_min_age=_nova_min_age(site),
        cinder_cache=_cinder_targets(site, stores),
        cinder_max_gb=max(1, math.ceil(ws * HEADROOM)) if ws else 0,
        cinder_max_count=hot,
    )


# ---------------------------------------------------------------- decisions


def _decide_glance(site: Site, plan: CachePlan, paths: tuple[str, ...]) -> Decision:
    if not plan.glance_cache:
        return Decision(
            "cache.glance_api",
            "cache",
            "Glance API cache",
            "disabled",
            "Every consumer clones from Ceph: nothing downloads, a cache only uses "
            "disk. Use paste flavor keystone (no cache filter).",
            ("cache-useless-with-rbd", "cache-paste-flavor"),
        )
    ws = working_set_gib(site)
    size = plan.max_size_bytes / GIB
    basis = (
        "the cache simulation's smallest size reaching its target hit rate"
        if "image_cache_max_size" in plan.simulated
        else f"hot working set {ws:.1f} GiB x {HEADROOM}"
        if ws
        else f"no working set known: upstream default {DEFAULT_CACHE_GIB} GiB"
    )
    return Decision(
        "cache.glance_api",
        "cache",
        "Glance API cache",
        f"enabled, image_cache_max_size = {size:.0f} GiB",
        f"Downloads happen for: {'; '.join(paths)}. Size = {basis}. It is a prune "
        "target per node, not a cap: leave disk for the largest image above it.",
        ("cache-max-size", "cache-paste-flavor", "cache-centralized-db"),
        _boot_evidence(site),
    )


def _boot_evidence(site: Site) -> tuple[str, ...]:
    hot = site.boot.top_images or len(site.boot.hot_image_ids)
    if not hot:
        return (
            datum(
                ASSUMED,
                "no boot data: neither servers/volumes in the inventory nor a declared boot "
                "pattern",
            ),
        )
    return (f"{site.boot.source}: {hot} hot images, {site.boot.top_share:.0%} of boots",)


def _decide_cleaning(plan: CachePlan, release: int) -> Decision | None:
    if not plan.glance_cache:
        return None
    if release >= CACHE_API_RELEASE:
        choice = "cron per node: POST /v2/cache/prune and POST /v2/cache/clean (API 2.18)"
    else:
        choice = (
            "cron per node: glance-cache-pruner (hourly) and glance-cache-cleaner "
            "(daily), reading glance-cache.conf"
        )
    return Decision(
        "cache.cleaning",
        "cache",
        "Cache pruning and cleaning",
        choice,
        "Nothing prunes the cache by itself; each API node holds its own copy.",
        ("cache-clean-api", "cache-max-size"),
    )


def _decide_nova(site: Site, plan: CachePlan) -> Decision | None:
    local = [c for c in site.computes if not c.uses_rbd]
    if not local:
        return Decision(
            "cache.nova_base",
            "cache",
            "Nova _base",
            "defaults",
            "rbd computes clone: _base holds only images that could not be cloned, "
            "and the default ageing removes them.",
            ("nova-image-cache",),
        )
    age = plan.nova_min_age
    choice = (
        "manager_interval 2400, remove_unused_base_images True, "
        f"remove_unused_original_minimum_age_seconds {age or 86400}"
    )
    why = "Non-rbd computes keep each image in _base; there is no size limit, only age. "
    why += (
        f"The cache simulation's smallest age reaching its target hit rate: {age} s."
        if age and "remove_unused_original_minimum_age_seconds" in plan.simulated
        else f"Hot images boot {site.boot.boots_per_image_per_day:g}/day: keep unused files "
        f"{(age or 0) // DAY} days so they are not fetched again between boots."
        if age
        else "The default age (1 day) keeps images booted daily."
    )
    return Decision("cache.nova_base", "cache", "Nova _base", choice, why, ("nova-image-cache",))


def _decide_precache(site: Site) -> Decision | None:
    local = [c for c in site.computes if not c.uses_rbd]
    hot = site.boot.hot_image_ids
    if not local or not (hot or site.boot.top_images):
        return None
    aggs = sorted({c.aggregate or c.name for c in local})
    images = " ".join(hot) if hot else f"<the {site.boot.top_images} most booted images>"
    return Decision(
        "cache.precache",
        "cache",
        "Aggregate pre-cache",
        f"{', '.join(aggs)}: {images}",
        "Pre-caching fills _base on non-rbd computes before the first boot; repeat "
        "it within the ageing window. On rbd computes it does not help.",
        ("nova-precache",),
    )


def _decide_cinder(plan: CachePlan, site: Site) -> Decision | None:
    if not site.cinder:
        return None
    if not plan.cinder_cache:
        return Decision(
            "cache.cinder",
            "cache",
            "Cinder image-volume cache",
            "not needed",
            "Volumes from images are clones of raw images in the same cluster.",
            ("cinder-image-cache", "cow-clone-rules"),
        )
    size = (
        f"max_size_gb {plan.cinder_max_gb}, max_count {plan.cinder_max_count}"
        if plan.cinder_max_gb
        else "size unknown (no working set): set limits by hand"
    )
    return Decision(
        "cache.cinder",
        "cache",
        "Cinder image-volume cache",
        f"{', '.join(plan.cinder_cache)}: {size}",
        "These backends copy image data instead of cloning it (not RBD, or images "
        "not yet raw in their cluster); the cache turns the second volume from an "
        "image into a clone of the first. Needs the internal tenant.",
        ("cinder-image-cache",),
    )


def decide_cache(
    site: Site, stores: tuple[StorePlan, ...], plan: CachePlan, release: int
) -> list[Decision]:
    """Section (d) decisions."""
    paths = non_cow_paths(site, stores)
    found = [
        _decide_glance(site, plan, paths),
        _decide_cleaning(plan, release),
        _decide_nova(site, plan),
        _decide_precache(site),
        _decide_cinder(plan, site),
    ]
    return [d for d in found if d is not None]
