"""Brute-force cache models: the upstream procedures step by step, slow and obvious.

Each keeps every cache entry with its last access and every instance with its life, runs
every pruner or manager pass explicitly, and picks victims by scanning. The fast models in
``imageyard.simulate`` must give the same figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from imageyard.simulate.cinder_cache import CinderCacheSettings, volume_gb
from imageyard.simulate.glance_cache import GlanceCacheSettings
from imageyard.simulate.nova_base import NovaBaseSettings
from imageyard.simulate.trace import Trace, image_sizes


@dataclass
class Totals:
    hits: int = 0
    downloaded: int = 0


def _runs(times: list[float], period: float) -> list[float]:
    """Every pass time (multiples of ``period``) from the first event to the last."""
    if period == math.inf or not times:
        return []
    first, last = math.ceil(times[0] / period), math.floor(times[-1] / period)
    return [k * period for k in range(first, last + 1)]


def glance(trace: Trace, cfg: GlanceCacheSettings) -> Totals:
    sizes = image_sizes(trace)
    nodes: list[dict[int, int]] = [{} for _ in range(max(1, cfg.nodes))]
    runs = _runs(trace.times, cfg.prune_interval) if cfg.prune_interval > 0 else []
    totals, done = Totals(), 0

    def prune(node: dict[int, int]) -> None:
        while node and sum(sizes[i] for i in node) > cfg.max_size:
            del node[min(node, key=node.__getitem__)]

    for clock, (time, image) in enumerate(zip(trace.times, trace.images, strict=True)):
        while done < len(runs) and runs[done] < time:
            for node in nodes:
                prune(node)
            done += 1
        node = nodes[clock % len(nodes)]
        if image in node:
            totals.hits += 1
        else:
            totals.downloaded += sizes[image]
        node[image] = clock
        if cfg.prune_interval <= 0:
            prune(node)
    return totals


def nova(trace: Trace, cfg: NovaBaseSettings) -> Totals:
    sizes = image_sizes(trace)
    files: dict[tuple[int, int], float] = {}  # (host, image) -> mtime
    instances: list[tuple[int, int, float, float]] = []  # host, image, start, end
    runs, done, totals = _runs(trace.times, cfg.period), 0, Totals()
    columns = zip(trace.times, trace.images, trace.hosts, trace.lifetimes, strict=True)
    for time, image, host, lifetime in columns:
        while done < len(runs) and runs[done] < time:
            _manager_pass(files, instances, runs[done], cfg.original_minimum_age)
            done += 1
        if (host, image) in files:
            totals.hits += 1
        else:
            totals.downloaded += sizes[image]
        files[(host, image)] = time
        instances.append((host, image, time, time + lifetime))
    return totals


def _manager_pass(
    files: dict[tuple[int, int], float],
    instances: list[tuple[int, int, float, float]],
    now: float,
    min_age: float,
) -> None:
    for key in list(files):
        in_use = any((h, i) == key and start <= now < end for h, i, start, end in instances)
        if in_use:
            files[key] = now
        elif now - files[key] >= min_age:
            del files[key]


def cinder(trace: Trace, cfg: CinderCacheSettings) -> Totals:
    sizes = image_sizes(trace)
    caches: dict[int, list[list[int]]] = {}  # host -> [image, gb, last_used]
    totals = Totals()
    for clock, (image, host) in enumerate(zip(trace.images, trace.hosts, strict=True)):
        entries = caches.setdefault(host, [])
        found = [e for e in entries if e[0] == image]
        if found:
            found[0][2] = clock
            totals.hits += 1
            continue
        totals.downloaded += sizes[image]
        gb = volume_gb(sizes[image])
        if _ensure_space(entries, gb, cfg):
            entries.append([image, gb, clock])
    return totals


def _ensure_space(entries: list[list[int]], gb: int, cfg: CinderCacheSettings) -> bool:
    if cfg.max_size_gb == 0 and cfg.max_count == 0:
        return True
    if cfg.max_size_gb and gb > cfg.max_size_gb:
        return False
    entries.sort(key=lambda e: -e[2])  # newest first, as the cache query orders them
    size, count = sum(e[1] for e in entries) + gb, len(entries) + 1
    while entries and (
        (cfg.max_size_gb and size > cfg.max_size_gb) or (cfg.max_count and count > cfg.max_count)
    ):
        victim = entries.pop()
        size, count = size - victim[1], count - 1
    return not (cfg.max_size_gb and size > cfg.max_size_gb)
