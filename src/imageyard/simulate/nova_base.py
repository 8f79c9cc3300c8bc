"""Nova's ``_base`` image cache on each compute host, aged by the image cache manager.

As nova/virt/libvirt/imagecache.py and imagebackend.py do it: a boot whose base file is
missing downloads it; every boot touches the base file's mtime. Every
``[image_cache] manager_interval`` seconds (0: 60 s; -1: never) the manager runs on each
host: a base file used by an instance on the host is touched again (``_mark_in_use``); an
unused one is removed when its age (now - mtime) is at least
``remove_unused_original_minimum_age_seconds`` (``_remove_old_enough_file``), unless
``remove_unused_base_images`` is off. Runs happen at multiples of the interval, after the
events at that time. An instance lives ``lifetime`` seconds from its boot (pinning the
file while it lives).

Only the original base file is modelled: the resized copies (``<hash>_<size>``, aged by
``remove_unused_resized_minimum_age_seconds``) never cause a download, so they change no
hit or byte figure here.

The replay is lazy: per (host, image) it keeps the last boot time and the end of the
longest-lived instance booted so far; the run that removes the file follows from those two
numbers, so the cost per event is constant whatever the number of runs and files. The two
numbers live in flat arrays indexed by host and image (a dict for a very wide, sparse
host x image space).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import repeat
from operator import add, mul

from imageyard.simulate.result import CacheResult
from imageyard.simulate.trace import Trace, size_list

DEFAULT_PERIOD = 60.0


@dataclass(frozen=True)
class NovaBaseSettings:
    """The ``[image_cache]`` options that decide when a base file goes."""

    manager_interval: int = 2400
    original_minimum_age: float = 86400.0
    remove_unused: bool = True

    @property
    def period(self) -> float:
        """Seconds between manager runs (``inf`` when it never runs)."""
        if self.manager_interval < 0 or not self.remove_unused:
            return math.inf
        return float(self.manager_interval) or DEFAULT_PERIOD


def removal_time(last_boot: float, pinned_until: float, period: float, min_age: float) -> float:
    """The manager run that removes a base file last booted at ``last_boot``.

    Instances pin it until ``pinned_until``: runs in ``[last_boot, pinned_until)`` touch it,
    the first run at or after ``pinned_until`` with ``run - mtime >= min_age`` removes it.
    """
    if period == math.inf or pinned_until == math.inf:
        return math.inf
    last_pinned_run = math.ceil(pinned_until / period) * period - period
    mtime = last_pinned_run if last_pinned_run >= last_boot else last_boot
    earliest = max(last_boot, pinned_until, mtime + min_age)
    return math.ceil(earliest / period) * period


MAX_SLOTS = 1 << 23  # hosts x images up to which the state is two flat arrays (128 MiB)
ABSENT = -math.inf


def replay(trace: Trace, settings: NovaBaseSettings, max_slots: int = MAX_SLOTS) -> CacheResult:
    """Replay ``trace`` against every host's ``_base``.

    The state of each (host, image) is its last boot and the end of its longest-lived
    instance. Up to ``max_slots`` host-image pairs they are two flat ``array('d')`` indexed
    by ``host * images + image`` (a lookup touches two cache lines, not a dict's entry, a
    list and two floats: about three times faster); beyond, a dict.
    """
    width = len(size_list(trace))
    slots = (max(trace.hosts, default=-1) + 1) * width
    if slots <= max_slots:
        return _replay_flat(trace, settings, slots)
    return _replay_dict(trace, settings)


def _periods(settings: NovaBaseSettings) -> tuple[float, float]:
    """The pass period and minimum age; both ``inf`` when no pass removes anything (every
    file then stays: ``now < last boot + inf`` holds for every boot)."""
    if settings.period == math.inf:
        return math.inf, math.inf
    return settings.period, settings.original_minimum_age


def _keys(trace: Trace, width: int) -> Iterator[int]:
    return map(add, map(mul, trace.hosts, repeat(width)), trace.images)


def _replay_flat(trace: Trace, settings: NovaBaseSettings, slots: int) -> CacheResult:
    """``replay`` over flat arrays; ``removal_time`` inlined (the per-event cost is the point)."""
    sizes = size_list(trace)
    width = len(sizes)
    period, min_age = _periods(settings)
    boots = array("d", [ABSENT]) * slots
    pins = array("d", [ABSENT]) * slots
    hits = down = removed = 0
    ends = map(add, trace.times, trace.lifetimes)
    for time, key, end in zip(trace.times, _keys(trace, width), ends, strict=True):
        pinned = pins[key]
        if time <= pinned:  # still pinned: no pass can have removed it
            hits += 1
            boots[key] = time
            if end > pinned:
                pins[key] = end
            continue
        last_boot = boots[key]
        if last_boot == ABSENT:
            boots[key], pins[key] = time, end
            down += sizes[key % width]
            continue
        if time < last_boot + min_age:  # younger than the minimum age since its last boot
            hits += 1
            boots[key] = time
            if end > pinned:
                pins[key] = end
            continue
        run = pinned - (pinned % period or period)  # otherwise the pass that removes it
        earliest = (run if run >= last_boot else last_boot) + min_age
        if earliest < pinned:
            earliest = pinned
        if earliest < last_boot:
            earliest = last_boot
        boots[key] = time
        if time <= earliest + (-earliest) % period:
            hits += 1
            if end > pinned:
                pins[key] = end
            continue
        removed += 1
        pins[key] = end
        down += sizes[key % width]
    return CacheResult("nova", len(trace), hits, down, removed)


def _replay_dict(trace: Trace, settings: NovaBaseSettings) -> CacheResult:
    """``replay`` with a dict of the pairs seen (for a sparse, very wide host x image space)."""
    sizes = size_list(trace)
    width = len(sizes)
    period, min_age = _periods(settings)
    files: dict[int, list[float]] = {}  # key -> [last boot, pinned until], updated in place
    hits = down = removed = 0
    ends = map(add, trace.times, trace.lifetimes)
    for time, key, end in zip(trace.times, _keys(trace, width), ends, strict=True):
        state = files.get(key)
        if state is None:
            files[key] = [time, end]
            down += sizes[key % width]
            continue
        last_boot, pinned = state
        hit = time <= pinned or time < last_boot + min_age
        if not hit:
            run = pinned - (pinned % period or period)
            earliest = max((run if run >= last_boot else last_boot) + min_age, pinned, last_boot)
            hit = time <= earliest + (-earliest) % period
        if hit:
            hits += 1
            state[0] = time
            if end > pinned:
                state[1] = end
            continue
        removed += 1
        state[0], state[1] = time, end
        down += sizes[key % width]
    return CacheResult("nova", len(trace), hits, down, removed)
