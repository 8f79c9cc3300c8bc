"""Boot-time estimates from throughputs (measured by ``imageyard probe``, or assumed).

A disk made without a cache hit is downloaded and imported; with a hit, Nova's and Glance's
caches still import the full image (a base file, or a cached image streamed again), while a
Cinder cache hit is a clone of the cached volume. The estimate is the mean over the boots.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from imageyard.errors import InputError
from imageyard.files import MiB, read_text
from imageyard.simulate.result import CacheResult


@dataclass(frozen=True)
class Throughputs:
    """Bytes per second of a download and of an import, and the seconds of one clone."""

    download_bps: float = 100e6
    import_bps: float = 200e6
    clone_seconds: float = 0.5
    source: str = "assumed"
    convert_bps: float = 300e6


def mean_boot_seconds(result: CacheResult, total_bytes: int, rates: Throughputs) -> float:
    """Mean seconds per boot for ``result`` (``total_bytes``: the size of every boot)."""
    if not result.events:
        return 0.0
    download = result.bytes_downloaded / rates.download_bps
    if result.model == "cinder":
        built = result.bytes_downloaded / rates.import_bps + result.hits * rates.clone_seconds
    else:
        built = total_bytes / rates.import_bps
    return (download + built) / result.events


def read_throughputs(paths: tuple[str, ...]) -> Throughputs:
    """The throughputs measured by probes (``imageyard probe -f json``); a later file wins.

    A probe measures what its path does: a clone's seconds, or a download's, a conversion's
    and an import's bytes per second; what no file measured keeps the assumed value.
    """
    found = measured(paths)
    return replace(Throughputs(), **found, source=", ".join(paths)) if paths else Throughputs()


def measured(paths: tuple[str, ...]) -> dict[str, float]:
    """What the probe results measured, by key (``download_bps``, ``import_bps``,
    ``convert_bps``, ``clone_seconds``); a later file wins."""
    found: dict[str, float] = {}
    for path in paths:
        found.update(_measured(path))
    return found


def _measured(path: str) -> dict[str, float]:
    text = read_text(path, "probe result", 16 * MiB)
    try:
        doc = json.loads(text)
        measured = doc["throughputs"]
        if not isinstance(measured, dict):
            raise TypeError("throughputs is not an object")
        return {key: _positive(measured[key]) for key in _KEYS if key in measured}
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: not a probe result with throughputs ({exc})") from None


_KEYS = ("download_bps", "import_bps", "convert_bps", "clone_seconds")


def _positive(value: object) -> float:
    number = float(value)  # type: ignore[arg-type]
    if not number > 0:
        raise ValueError(f"a measure must be positive, not {value!r}")
    return number
