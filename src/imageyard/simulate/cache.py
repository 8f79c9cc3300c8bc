"""``simulate cache``: every chosen cache model over one trace, with the size search."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from imageyard.simulate import cinder_cache, glance_cache, nova_base
from imageyard.simulate.cinder_cache import CinderCacheSettings, volume_gb
from imageyard.simulate.estimate import Throughputs, mean_boot_seconds
from imageyard.simulate.glance_cache import GlanceCacheSettings
from imageyard.simulate.nova_base import NovaBaseSettings
from imageyard.simulate.result import CacheResult
from imageyard.simulate.search import SearchResult, smallest
from imageyard.simulate.trace import Trace, image_sizes

MODELS = ("glance", "nova", "cinder")


@dataclass(frozen=True)
class CacheSettings:
    """The settings of the three models and what the search looks for."""

    glance: GlanceCacheSettings = field(default_factory=GlanceCacheSettings)
    nova: NovaBaseSettings = field(default_factory=NovaBaseSettings)
    cinder: CinderCacheSettings = field(default_factory=CinderCacheSettings)
    target_hit_rate: float | None = None
    glance_step: int = 1 << 30


@dataclass(frozen=True)
class ModelReport:
    """One model's replay, its boot-time estimate and, when asked, the search."""

    result: CacheResult
    setting: str
    mean_boot_seconds: float
    search_setting: str = ""
    search: SearchResult | None = None


def run(
    trace: Trace, models: tuple[str, ...], cfg: CacheSettings, rates: Throughputs
) -> list[ModelReport]:
    """Replay ``trace`` against each of ``models``."""
    total = sum(trace.sizes)
    runners: dict[str, Callable[[], ModelReport]] = {
        "glance": lambda: _glance(trace, cfg),
        "nova": lambda: _nova(trace, cfg),
        "cinder": lambda: _cinder(trace, cfg),
    }
    reports = [runners[name]() for name in models]
    return [
        replace(r, mean_boot_seconds=mean_boot_seconds(r.result, total, rates)) for r in reports
    ]


def _glance(trace: Trace, cfg: CacheSettings) -> ModelReport:
    settings = cfg.glance
    result = glance_cache.replay(trace, settings)
    label = f"image_cache_max_size={settings.max_size}"
    if cfg.target_hit_rate is None:
        return ModelReport(result, label, 0.0)

    def rate(size: int) -> float:
        return glance_cache.replay(trace, replace(settings, max_size=size)).hit_rate

    high = sum(image_sizes(trace).values())
    found = smallest(rate, cfg.target_hit_rate, high, step=cfg.glance_step)
    return ModelReport(result, label, 0.0, "image_cache_max_size", found)


def _nova(trace: Trace, cfg: CacheSettings) -> ModelReport:
    settings = cfg.nova
    result = nova_base.replay(trace, settings)
    label = (
        f"manager_interval={settings.manager_interval} "
        f"remove_unused_original_minimum_age_seconds={settings.original_minimum_age:g}"
    )
    if cfg.target_hit_rate is None or settings.period == float("inf"):
        return ModelReport(result, label, 0.0)

    def rate(age: int) -> float:
        return nova_base.replay(trace, replace(settings, original_minimum_age=age)).hit_rate

    high = int(trace.span + settings.period) + 1
    found = smallest(rate, cfg.target_hit_rate, high, step=60)
    return ModelReport(result, label, 0.0, "remove_unused_original_minimum_age_seconds", found)


def _cinder(trace: Trace, cfg: CacheSettings) -> ModelReport:
    settings = cfg.cinder
    result = cinder_cache.replay(trace, settings)
    label = (
        f"image_volume_cache_max_size_gb={settings.max_size_gb} "
        f"image_volume_cache_max_count={settings.max_count}"
    )
    if cfg.target_hit_rate is None:
        return ModelReport(result, label, 0.0)

    def rate(gb: int) -> float:
        return cinder_cache.replay(trace, replace(settings, max_size_gb=gb)).hit_rate

    gbs = [volume_gb(s) for s in image_sizes(trace).values()]
    found = smallest(rate, cfg.target_hit_rate, sum(gbs), low=1, monotone_from=max(gbs, default=1))
    return ModelReport(result, label, 0.0, "image_volume_cache_max_size_gb", found)
