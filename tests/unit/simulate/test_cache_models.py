"""Named cases at the edges of each cache model (the property tests roam between them)."""

from __future__ import annotations

import math

import pytest

from imageyard.simulate import cinder_cache, glance_cache, nova_base
from imageyard.simulate.cinder_cache import CinderCacheSettings
from imageyard.simulate.glance_cache import GlanceCacheSettings
from imageyard.simulate.nova_base import NovaBaseSettings
from imageyard.simulate.trace import Trace, TraceBuilder

GB = 1 << 30


def _trace(*boots: tuple[float, str, str, int, float]) -> Trace:
    builder = TraceBuilder()
    for time, image, host, size, lifetime in boots:
        builder.add(time, image, host, "az", size, lifetime)
    return builder.build()


@pytest.mark.parametrize(
    ("second_boot", "hit"),
    [(40.0, True), (41.0, False), (25.0, True)],
    ids=["boot-at-removal-run-still-hits", "after-removal-misses", "pinned-then-hit"],
)
def test_nova_pinned_file_goes_at_first_unused_run(second_boot: float, hit: bool) -> None:
    # booted at 0, the instance lives 30 s; passes every 20 s touch it at 0 and 20 and
    # remove it at 40 (unused, age 20 >= 0); a boot at 40 comes before that pass
    trace = _trace((0.0, "a", "h", 5, 30.0), (second_boot, "a", "h", 5, 0.0))
    cfg = NovaBaseSettings(manager_interval=20, original_minimum_age=0.0)
    assert nova_base.replay(trace, cfg).hits == int(hit)


def test_nova_minimum_age_counts_from_the_last_touch() -> None:
    # the instance lives 50 s: the pass at 40 touches the file; with a 30 s minimum age the
    # pass at 60 finds it 20 s old and keeps it, the pass at 80 removes it
    cfg = NovaBaseSettings(manager_interval=20, original_minimum_age=30.0)
    kept = _trace((0.0, "a", "h", 5, 50.0), (80.0, "a", "h", 5, 0.0))
    gone = _trace((0.0, "a", "h", 5, 50.0), (81.0, "a", "h", 5, 0.0))
    assert (nova_base.replay(kept, cfg).hits, nova_base.replay(gone, cfg).hits) == (1, 0)


def test_nova_never_removes_with_manager_off_or_removal_off() -> None:
    trace = _trace((0.0, "a", "h", 5, 0.0), (1e9, "a", "h", 5, 0.0), (2e9, "a", "g", 5, 0.0))
    for cfg in (NovaBaseSettings(manager_interval=-1), NovaBaseSettings(remove_unused=False)):
        result = nova_base.replay(trace, cfg)
        assert (result.hits, result.bytes_downloaded) == (1, 10)


def test_nova_interval_zero_means_sixty_seconds() -> None:
    assert NovaBaseSettings(manager_interval=0).period == 60.0
    assert NovaBaseSettings(manager_interval=-1).period == math.inf


def test_glance_prunes_least_recently_accessed_only_when_the_pruner_runs() -> None:
    # 3 images of 4 bytes, max 8: the periodic pruner (every 100 s) lets the cache hold all
    # three until t=100, then drops the least recently read one ("b")
    boots = [(1.0, "a"), (2.0, "b"), (3.0, "c"), (4.0, "a"), (150.0, "b"), (151.0, "a")]
    trace = _trace(*((t, i, "h", 4, 0.0) for t, i in boots))
    periodic = glance_cache.replay(trace, GlanceCacheSettings(max_size=8, prune_interval=100))
    eager = glance_cache.replay(trace, GlanceCacheSettings(max_size=8))
    assert (periodic.hits, periodic.bytes_downloaded) == (2, 16)
    assert (eager.hits, eager.bytes_downloaded) == (1, 20)


def test_glance_nodes_are_separate_caches() -> None:
    trace = _trace(*((float(t), "a", "h", 4, 0.0) for t in range(4)))
    assert glance_cache.replay(trace, GlanceCacheSettings(nodes=2)).hits == 2


def test_cinder_refuses_a_volume_larger_than_the_cache_without_evicting() -> None:
    trace = _trace(
        (0.0, "small", "c", 2 * GB, 0.0),
        (1.0, "big", "c", 9 * GB, 0.0),
        (2.0, "small", "c", 2 * GB, 0.0),
        (3.0, "big", "c", 9 * GB, 0.0),
    )
    result = cinder_cache.replay(trace, CinderCacheSettings(max_size_gb=5))
    assert (result.hits, result.bytes_downloaded) == (1, 20 * GB)


def test_cinder_count_limit_evicts_least_recently_used() -> None:
    names = ["a", "b", "a", "c", "b", "a"]
    trace = _trace(*((float(t), n, "c", GB, 0.0) for t, n in enumerate(names)))
    # max 2 entries: a, b, a(hit), c evicts b, b evicts a, a misses
    assert cinder_cache.replay(trace, CinderCacheSettings(max_count=2)).hits == 1
    assert cinder_cache.replay(trace, CinderCacheSettings()).hits == 3
