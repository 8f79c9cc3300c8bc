"""Cache-model replay speed: a 10-million-boot trace through each model, events per second.

The trace is built in memory (Zipf popularity over 2,000 images, 500 hosts, one boot every
20 s, lifetimes of an hour, a day, a week or forever) and replayed once per model with the
defaults (Glance: 10 GiB, pruned after every download, 3 nodes; Nova: 2400 s passes, 24 h
minimum age; Cinder: 500 GB, 50 entries), then through ``simulate placement`` (three sites,
the default cost model: the per-image load, the layouts and every hot/cold split). Prints
seconds and events per second per model and the peak RSS; the goal is at most 10 s per
model on one core.
"""

from __future__ import annotations

import argparse
import itertools
import math
import random
import resource
import time

from imageyard.simulate import cinder_cache, glance_cache, nova_base
from imageyard.simulate.cinder_cache import CinderCacheSettings
from imageyard.simulate.glance_cache import GlanceCacheSettings
from imageyard.simulate.nova_base import NovaBaseSettings
from imageyard.simulate.placement.compare import compare
from imageyard.simulate.placement.costs import CostModel
from imageyard.simulate.placement.load import load
from imageyard.simulate.result import CacheResult
from imageyard.simulate.trace import Trace

GiB = 1 << 30


def build(events: int, images: int, hosts: int, seed: int) -> Trace:
    rng = random.Random(seed)
    cumulative = list(itertools.accumulate(1.0 / k**1.1 for k in range(1, images + 1)))
    sizes_by_image = [int(math.exp(rng.uniform(math.log(GiB), math.log(20 * GiB))))
                      for _ in range(images)]  # fmt: skip
    codes = rng.choices(range(images), cum_weights=cumulative, k=events)
    lives = rng.choices((3600.0, 86400.0, 7 * 86400.0, math.inf), k=events)
    on = rng.choices(range(hosts), k=events)
    return Trace(
        times=[i * 20.0 for i in range(events)],
        images=codes,
        hosts=on,
        zones=[h % 3 for h in on],  # three sites (placement); the cache models ignore zones
        sizes=[sizes_by_image[c] for c in codes],
        lifetimes=lives,
    )


def _placement(trace: Trace) -> CacheResult:
    """``simulate placement``'s work: the per-image load, the layouts and every split."""
    result = compare(load(trace), CostModel())
    hot = result.layouts[1].hot_images or 0
    return CacheResult("placement", len(trace), hot, 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    start = time.perf_counter()
    trace = build(args.events, 2000, 500, args.seed)
    print(f"trace: {len(trace):,} boots built in {time.perf_counter() - start:.1f} s")
    runs = (
        ("glance", lambda: glance_cache.replay(trace, GlanceCacheSettings(nodes=3))),
        ("nova", lambda: nova_base.replay(trace, NovaBaseSettings())),
        ("cinder", lambda: cinder_cache.replay(trace, CinderCacheSettings(500, 50))),
        ("placement", lambda: _placement(trace)),
    )
    for name, replay in runs:
        cpu, wall = time.process_time(), time.perf_counter()
        result = replay()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        what = f"hit rate {result.hit_rate:.1%}" if name != "placement" else f"{result.hits} hot"
        print(
            f"{name:<9} {wall:6.2f} s wall {cpu:6.2f} s CPU  {len(trace) / cpu:12,.0f} events/s"
            f"  {what}"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
