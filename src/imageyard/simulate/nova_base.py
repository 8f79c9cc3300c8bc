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
numbers, so the cost per event is constant whatever the number of runs and files.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

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


def replay(trace: Trace, settings: NovaBaseSettings) -> CacheResult:
    """Replay ``trace`` against every host's ``_base``.

    ``removal_time`` is inlined in the loop (the per-event cost is the point of this model).
    """
    sizes = size_list(trace)
    width = len(sizes)
    period, min_age = settings.period, settings.original_minimum_age
    never = period == math.inf
    files: dict[int, list[float]] = {}  # key -> [last boot, pinned until], updated in place
    hits = down = removed = 0
    columns = zip(trace.times, trace.images, trace.hosts, trace.lifetimes, strict=True)
    for time, image, host, lifetime in columns:
        key = host * width + image
        state = files.get(key)
        end = time + lifetime
        if state is not None:
            last_boot, pinned = state
            # still pinned, or younger than the minimum age since the last boot: no pass
            # can have removed it; otherwise find the pass that did (see removal_time)
            if never or time <= pinned or time < last_boot + min_age:
                hit = True
            else:
                run = pinned - (pinned % period or period)
                earliest = (run if run >= last_boot else last_boot) + min_age
                if earliest < pinned:
                    earliest = pinned
                if earliest < last_boot:
                    earliest = last_boot
                hit = time <= earliest + (-earliest) % period
            if hit:
                hits += 1
                state[0] = time
                if end > pinned:
                    state[1] = end
                continue
            removed += 1
            state[0], state[1] = time, end
        else:
            files[key] = [time, end]
        down += sizes[image]
    return CacheResult("nova", len(trace), hits, down, removed)
