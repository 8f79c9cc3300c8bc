"""What ``simulate`` takes from an inventory snapshot: image sizes and cache settings."""

from __future__ import annotations

from dataclasses import replace

from imageyard.model.config import as_bool, as_int
from imageyard.model.inventory import Inventory
from imageyard.simulate.cache import CacheSettings


def image_sizes(inv: Inventory) -> dict[str, int]:
    """Each image's size in bytes, by id and by name (a name shared by several: the largest)."""
    sizes: dict[str, int] = {}
    for image in inv.images:
        if image.size is None:
            continue
        sizes[image.id] = image.size
        if image.name and image.size > sizes.get(image.name, -1):
            sizes[image.name] = image.size
    return sizes


def configured(inv: Inventory, cfg: CacheSettings) -> CacheSettings:
    """``cfg`` with the snapshot's glance-api, first nova.conf and first Cinder backend options."""
    cfg = _nova(inv, cfg)
    glance = inv.config.glance_api
    if glance is not None:
        size = as_int(glance.image_cache_max_size)
        if size is not None:
            cfg = replace(cfg, glance=replace(cfg.glance, max_size=size))
    for cinder in inv.config.cinder:
        for backend in cinder.backends:
            gb = as_int(backend.image_volume_cache_max_size_gb, 0) or 0
            count = as_int(backend.image_volume_cache_max_count, 0) or 0
            return replace(cfg, cinder=replace(cfg.cinder, max_size_gb=gb, max_count=count))
    return cfg


def _nova(inv: Inventory, cfg: CacheSettings) -> CacheSettings:
    if not inv.config.nova:
        return cfg
    nova, now = inv.config.nova[0], cfg.nova
    interval = as_int(nova.cache_manager_interval, now.manager_interval)
    age = as_int(nova.remove_unused_original_minimum_age_seconds)
    remove = as_bool(nova.remove_unused_base_images, now.remove_unused)
    return replace(
        cfg,
        nova=replace(
            now,
            manager_interval=now.manager_interval if interval is None else interval,
            original_minimum_age=now.original_minimum_age if age is None else float(age),
            remove_unused=now.remove_unused if remove is None else remove,
        ),
    )
