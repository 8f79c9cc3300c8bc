"""The fast cache models give exactly what the brute-force reference gives."""

from __future__ import annotations

import sim_reference as reference
from hypothesis import given, settings
from hypothesis import strategies as st
from sim_strategies import GB, traces

from imageyard.simulate import cinder_cache, glance_cache, nova_base
from imageyard.simulate.cinder_cache import CinderCacheSettings
from imageyard.simulate.glance_cache import GlanceCacheSettings
from imageyard.simulate.nova_base import NovaBaseSettings
from imageyard.simulate.trace import Trace

PROPERTY = settings(max_examples=300, deadline=None)


def _same(fast: object, slow: reference.Totals) -> None:
    assert (fast.hits, fast.bytes_downloaded) == (slow.hits, slow.downloaded)  # type: ignore[attr-defined]


@PROPERTY
@given(
    traces(),
    st.integers(0, 40),
    st.sampled_from([0.0, 30.0, 100.0, 7.0]),
    st.integers(1, 3),
)
def test_glance_matches_reference(trace: Trace, max_size: int, period: float, nodes: int) -> None:
    cfg = GlanceCacheSettings(max_size=max_size, prune_interval=period, nodes=nodes)
    _same(glance_cache.replay(trace, cfg), reference.glance(trace, cfg))


@PROPERTY
@given(
    traces(),
    st.sampled_from([-1, 0, 20, 45, 100, 60]),
    st.sampled_from((0.0, 5.0, 10.0, 20.0, 45.0, 60.0, 100.0, 200.0)),
    st.booleans(),
)
def test_nova_matches_reference(
    trace: Trace, interval: int, min_age: float, remove_unused: bool
) -> None:
    cfg = NovaBaseSettings(
        manager_interval=interval, original_minimum_age=min_age, remove_unused=remove_unused
    )
    slow = reference.nova(trace, cfg)
    _same(nova_base.replay(trace, cfg), slow)
    _same(nova_base.replay(trace, cfg, max_slots=0), slow)  # the dict form


@PROPERTY
@given(traces(size_unit=GB), st.integers(0, 25), st.integers(0, 4))
def test_cinder_matches_reference(trace: Trace, max_gb: int, max_count: int) -> None:
    cfg = CinderCacheSettings(max_size_gb=max_gb, max_count=max_count)
    _same(cinder_cache.replay(trace, cfg), reference.cinder(trace, cfg))


@PROPERTY
@given(traces(size_unit=GB // 3))
def test_cinder_rounds_partial_gigabytes_up(trace: Trace) -> None:
    cfg = CinderCacheSettings(max_size_gb=5, max_count=0)
    _same(cinder_cache.replay(trace, cfg), reference.cinder(trace, cfg))
