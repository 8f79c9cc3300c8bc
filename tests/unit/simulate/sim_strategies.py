"""Small random traces for the property tests."""

from __future__ import annotations

import math

from hypothesis import strategies as st

from imageyard.simulate.trace import Trace, TraceBuilder

GB = 1 << 30


@st.composite
def traces(draw: st.DrawFn, *, size_unit: int = 1, max_events: int = 40) -> Trace:
    """Up to ``max_events`` boots of up to 4 images on up to 2 hosts, on a 5 s grid."""
    count = draw(st.integers(min_value=0, max_value=max_events))
    images = draw(st.integers(min_value=1, max_value=4))
    sizes = draw(st.lists(st.integers(1, 9), min_size=images, max_size=images))
    # times and lifetimes on a 5 s grid, so boots often fall on pass times exactly
    lifetimes = st.one_of(st.integers(0, 60).map(lambda k: 5.0 * k), st.just(math.inf))
    builder, time = TraceBuilder(), 5 * draw(st.integers(0, 10))
    for _ in range(count):
        time += draw(st.sampled_from((0, 0, 5, 10, 15, 20, 40, 60)))
        image = draw(st.integers(0, images - 1))
        host = draw(st.integers(0, 1))
        builder.add(
            float(time),
            f"i{image}",
            f"h{host}",
            "az",
            sizes[image] * size_unit,
            draw(lifetimes),
        )
    return builder.build()
