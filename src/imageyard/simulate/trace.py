"""A boot trace: events (time, image, host, availability zone, size, lifetime), integer-coded.

Images, hosts and zones are coded as small integers (``names`` maps them back) so the cache
models index lists and dicts by ``int``; the columns are plain lists, sorted by time.
``lifetime`` is how long the instance made by the boot lives (seconds; ``inf`` when it is
never deleted), which matters to Nova's base-file cache (instances pin their base file).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Trace:
    """Events sorted by time; column ``i`` of each list is event ``i``."""

    times: list[float]
    images: list[int]
    hosts: list[int]
    zones: list[int]
    sizes: list[int]
    lifetimes: list[float]
    image_names: tuple[str, ...] = ()
    host_names: tuple[str, ...] = ()
    zone_names: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.times)

    @property
    def span(self) -> float:
        """Seconds from the first to the last event (0 for fewer than two events)."""
        return self.times[-1] - self.times[0] if len(self.times) > 1 else 0.0


@dataclass
class TraceBuilder:
    """Collects events with names, codes them, and builds a time-sorted ``Trace``."""

    rows: list[tuple[float, int, int, int, int, float]] = field(default_factory=list)
    _images: dict[str, int] = field(default_factory=dict)
    _hosts: dict[str, int] = field(default_factory=dict)
    _zones: dict[str, int] = field(default_factory=dict)

    def add(
        self,
        time: float,
        image: str,
        host: str,
        zone: str = "",
        size: int = 0,
        lifetime: float = math.inf,
    ) -> None:
        """One boot of ``image`` on ``host`` at ``time`` (seconds)."""
        code = (
            _code(self._images, image),
            _code(self._hosts, host),
            _code(self._zones, zone),
        )
        self.rows.append((time, *code, size, lifetime))

    def build(self) -> Trace:
        """The events sorted by time (stable: equal times keep their order)."""
        rows = sorted(self.rows, key=lambda r: r[0])
        return Trace(
            times=[r[0] for r in rows],
            images=[r[1] for r in rows],
            hosts=[r[2] for r in rows],
            zones=[r[3] for r in rows],
            sizes=[r[4] for r in rows],
            lifetimes=[r[5] for r in rows],
            image_names=tuple(self._images),
            host_names=tuple(self._hosts),
            zone_names=tuple(self._zones),
        )


def _code(table: dict[str, int], name: str) -> int:
    code = table.get(name)
    if code is None:
        code = table[name] = len(table)
    return code


def image_sizes(trace: Trace) -> dict[int, int]:
    """Each image's size: the largest size any of its events gives."""
    sizes: dict[int, int] = {}
    for image, size in zip(trace.images, trace.sizes, strict=True):
        if size > sizes.get(image, -1):
            sizes[image] = size
    return sizes


def size_list(trace: Trace) -> list[int]:
    """``image_sizes`` as a list indexed by image code (0 for a code without events)."""
    table = image_sizes(trace)
    sizes = [0] * (max(table, default=-1) + 1)
    for image, size in table.items():
        sizes[image] = size
    return sizes
