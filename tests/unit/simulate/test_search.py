"""The smallest-setting search agrees with trying every candidate in order."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st
from sim_strategies import GB, traces

from imageyard.simulate import cinder_cache, glance_cache, nova_base
from imageyard.simulate.cinder_cache import CinderCacheSettings
from imageyard.simulate.glance_cache import GlanceCacheSettings
from imageyard.simulate.nova_base import NovaBaseSettings
from imageyard.simulate.search import smallest
from imageyard.simulate.trace import Trace

TARGETS = st.sampled_from((0.0, 0.1, 0.25, 0.5, 0.6, 0.75, 0.9, 1.0))


def _exhaustive(rate: Callable[[int], float], target: float, low: int, high: int) -> int | None:
    return next((s for s in range(low, high + 1) if rate(s) >= target), None)


@settings(max_examples=150, deadline=None)
@given(traces(), TARGETS, st.sampled_from((0.0, 30.0)))
def test_glance_size_search(trace: Trace, target: float, period: float) -> None:
    def rate(size: int) -> float:
        cfg = GlanceCacheSettings(max_size=size, prune_interval=period)
        return glance_cache.replay(trace, cfg).hit_rate

    high = sum(set(trace.sizes))
    assert smallest(rate, target, high).setting == _exhaustive(rate, target, 0, high)


@settings(max_examples=150, deadline=None)
@given(traces(size_unit=GB), TARGETS, st.integers(0, 3))
def test_cinder_size_search(trace: Trace, target: float, max_count: int) -> None:
    def rate(gb: int) -> float:
        cfg = CinderCacheSettings(max_size_gb=gb, max_count=max_count)
        return cinder_cache.replay(trace, cfg).hit_rate

    largest = max((s // GB for s in trace.sizes), default=1)
    high = sum(s // GB for s in set(trace.sizes)) or 1
    found = smallest(rate, target, high, low=1, monotone_from=largest)
    assert found.setting == _exhaustive(rate, target, 1, high)


@settings(max_examples=100, deadline=None)
@given(traces(), TARGETS)
def test_nova_minimum_age_search(trace: Trace, target: float) -> None:
    def rate(age: int) -> float:
        cfg = NovaBaseSettings(manager_interval=20, original_minimum_age=float(age))
        return nova_base.replay(trace, cfg).hit_rate

    high = int(trace.span) + 40
    assert smallest(rate, target, high).setting == _exhaustive(rate, target, 0, high)


def test_unreachable_target_gives_none() -> None:
    result = smallest(lambda s: min(s, 5) / 10, 0.9, 100)
    assert (result.setting, result.hit_rate) == (None, None)


def test_step_rounds_to_multiples() -> None:
    result = smallest(lambda s: 1.0 if s >= 7 else 0.0, 1.0, 100, step=5)
    assert (result.setting, result.hit_rate) == (10, 1.0)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=30), TARGETS, st.integers(1, 4))
def test_tried_is_every_replay_in_setting_order(
    rates: list[float], target: float, step: int
) -> None:
    curve = sorted(rates)  # monotone in the setting, as the search assumes
    calls: dict[int, float] = {}

    def rate(setting: int) -> float:
        calls[setting] = curve[min(setting // step, len(curve) - 1)]
        return calls[setting]

    found = smallest(rate, target, (len(curve) - 1) * step, step=step)
    assert found.tried == tuple(sorted(calls.items()))
    assert found.replays == len(found.tried)
    if found.setting is not None:
        assert (found.setting, found.hit_rate) in found.tried
