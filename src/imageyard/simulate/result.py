"""What one cache model's replay of a trace gives."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CacheResult:
    """Hits and misses of one replay; ``bytes_downloaded`` is what the misses fetched."""

    model: str
    events: int
    hits: int
    bytes_downloaded: int
    evictions: int = 0

    @property
    def misses(self) -> int:
        """Events that were not served from the cache."""
        return self.events - self.hits

    @property
    def hit_rate(self) -> float:
        """Hits per event (0.0 for an empty trace)."""
        return self.hits / self.events if self.events else 0.0
