"""Synthetic boot traces for common patterns, reproducible from a seed.

* ``zipf``: image popularity follows Zipf's law (rank ``k`` has weight ``1 / k**s``); boots
  arrive as a Poisson process over the hosts;
* ``golden``: a few golden images are rebuilt every ``refresh`` seconds (a new image each
  time, as a nightly or weekly build does); most boots take the newest build;
* ``ci``: bursts of boots of a handful of CI images on many hosts at once, at a fixed
  period, over a background of Zipf boots.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from imageyard.simulate.trace import Trace, TraceBuilder

GiB = 1 << 30


@dataclass(frozen=True)
class GeneratorSettings:
    """The knobs every pattern shares."""

    events: int = 10_000
    images: int = 200
    hosts: int = 50
    zones: int = 1
    seed: int = 0
    rate: float = 0.05  # boots per second
    zipf_s: float = 1.1
    refresh: float = 7 * 86400.0  # golden: seconds between builds
    burst: int = 40  # ci: boots per burst
    burst_period: float = 3600.0  # ci: seconds between bursts
    min_size: int = 1 * GiB
    max_size: int = 20 * GiB
    lifetime: float = math.inf


def _sizes(rng: random.Random, count: int, cfg: GeneratorSettings) -> list[int]:
    low, high = math.log(cfg.min_size), math.log(max(cfg.min_size, cfg.max_size))
    return [int(math.exp(rng.uniform(low, high))) for _ in range(count)]


def _zipf_picker(rng: random.Random, count: int, s: float) -> Callable[[], int]:
    weights = itertools.accumulate(1.0 / (k**s) for k in range(1, count + 1))
    cumulative = list(weights)
    total = cumulative[-1]
    return lambda: min(count - 1, bisect.bisect_left(cumulative, rng.random() * total))


def _host(rng: random.Random, cfg: GeneratorSettings) -> tuple[str, str]:
    host = rng.randrange(cfg.hosts)
    return f"compute-{host:04d}", f"az{host % max(1, cfg.zones)}"


def zipf(cfg: GeneratorSettings) -> Trace:
    """Boots of ``cfg.images`` images with Zipf popularity."""
    rng = random.Random(cfg.seed)
    sizes = _sizes(rng, cfg.images, cfg)
    pick = _zipf_picker(rng, cfg.images, cfg.zipf_s)
    builder, time = TraceBuilder(), 0.0
    for _ in range(cfg.events):
        time += rng.expovariate(cfg.rate)
        image = pick()
        builder.add(time, f"image-{image:05d}", *_host(rng, cfg), sizes[image], cfg.lifetime)
    return builder.build()


def golden(cfg: GeneratorSettings, golden_images: int = 4, share: float = 0.8) -> Trace:
    """``share`` of the boots take the newest build of a golden image; the rest are Zipf."""
    rng = random.Random(cfg.seed)
    sizes = _sizes(rng, cfg.images + golden_images, cfg)
    pick = _zipf_picker(rng, cfg.images, cfg.zipf_s)
    builder, time = TraceBuilder(), 0.0
    for _ in range(cfg.events):
        time += rng.expovariate(cfg.rate)
        if rng.random() < share:
            line = rng.randrange(golden_images)
            build = int(time // cfg.refresh)
            name, size = f"golden-{line}-build-{build:04d}", sizes[cfg.images + line]
        else:
            image = pick()
            name, size = f"image-{image:05d}", sizes[image]
        builder.add(time, name, *_host(rng, cfg), size, cfg.lifetime)
    return builder.build()


def ci(cfg: GeneratorSettings, ci_images: int = 3) -> Trace:
    """Bursts of ``cfg.burst`` boots of CI images every ``cfg.burst_period``, plus Zipf boots."""
    rng = random.Random(cfg.seed)
    sizes = _sizes(rng, cfg.images + ci_images, cfg)
    pick = _zipf_picker(rng, cfg.images, cfg.zipf_s)
    builder, time, next_burst = TraceBuilder(), 0.0, cfg.burst_period
    while len(builder.rows) < cfg.events:
        time += rng.expovariate(cfg.rate)
        while next_burst <= time and len(builder.rows) < cfg.events:
            _burst(builder, rng, cfg, next_burst, sizes, ci_images)
            next_burst += cfg.burst_period
        if len(builder.rows) < cfg.events:
            image = pick()
            builder.add(time, f"image-{image:05d}", *_host(rng, cfg), sizes[image], cfg.lifetime)
    return builder.build()


def _burst(
    builder: TraceBuilder,
    rng: random.Random,
    cfg: GeneratorSettings,
    start: float,
    sizes: list[int],
    ci_images: int,
) -> None:
    for k in range(min(cfg.burst, cfg.events - len(builder.rows))):
        line = rng.randrange(ci_images)
        host, zone = _host(rng, cfg)
        size = sizes[cfg.images + line]
        builder.add(start + k * 0.5, f"ci-{line}", host, zone, size, min(cfg.lifetime, 3600.0))


PATTERNS: dict[str, Callable[[GeneratorSettings], Trace]] = {
    "zipf": zipf,
    "golden": golden,
    "ci": ci,
}
