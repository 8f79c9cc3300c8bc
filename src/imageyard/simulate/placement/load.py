"""What a trace asks of each image: its size, its boots at the central site and elsewhere,
and at how many other sites it is booted at all.

Concepts: a site is an availability zone of the trace (a trace without zones is one site).
The central site is the one given, else the zone with the most boots (the first by name on
a tie). Every layout's figures follow from these per-image counts alone, which is what keeps
the threshold search linear in the number of images.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from imageyard.errors import UsageError
from imageyard.simulate.trace import Trace, size_list


@dataclass(frozen=True)
class ImageLoad:
    """One image: bytes, boots at the central site, boots and distinct sites elsewhere."""

    image: int
    name: str
    size: int
    central: int
    remote: int
    remote_sites: int

    @property
    def boots(self) -> int:
        """Every boot of the image."""
        return self.central + self.remote


@dataclass(frozen=True)
class Load:
    """The images the trace boots (by image code), its events, sites and central site."""

    images: tuple[ImageLoad, ...]
    events: int
    sites: tuple[str, ...]
    central: str


def zone_names(trace: Trace) -> tuple[str, ...]:
    """Each zone code's name (a code the trace does not name is its number)."""
    named = trace.zone_names or ("",)
    top = max(trace.zones, default=0) + 1
    return tuple(named[z] if z < len(named) else str(z) for z in range(max(top, len(named))))


def central_zone(trace: Trace, wanted: str | None) -> int:
    """The code of the central zone: ``wanted`` (a zone name), else the busiest zone."""
    names = zone_names(trace)
    if wanted is not None:
        if wanted not in names:
            known = ", ".join(repr(n) for n in names)
            raise UsageError(f"the trace has no zone {wanted!r} (zones: {known})")
        return names.index(wanted)
    counts = Counter(trace.zones)
    return min(counts, key=lambda z: (-counts[z], names[z]), default=0)


def load(trace: Trace, wanted: str | None = None) -> Load:
    """Per image: size and boots by site, for the central site ``wanted`` (None: busiest)."""
    central = central_zone(trace, wanted)
    sizes = size_list(trace)
    at_central: Counter[int] = Counter()
    elsewhere: Counter[int] = Counter()
    pairs: set[tuple[int, int]] = set()
    for image, zone in zip(trace.images, trace.zones, strict=True):
        if zone == central:
            at_central[image] += 1
        else:
            elsewhere[image] += 1
            pairs.add((image, zone))
    sites = Counter(image for image, _ in pairs)
    names = trace.image_names
    images = tuple(
        ImageLoad(
            i,
            names[i] if i < len(names) else str(i),
            sizes[i],
            at_central[i],
            elsewhere[i],
            sites[i],
        )
        for i in sorted(set(at_central) | set(elsewhere))
    )
    zones = zone_names(trace)
    return Load(images, len(trace), zones, zones[central])
