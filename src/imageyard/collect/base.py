"""The collector seam: one protocol for every source, and the loop that runs them.

Concepts: a *collector* reads one source (config files, the Glance API, Ceph, Nova/Cinder)
and returns the inventory with its part added, including a ``SourceStatus`` for itself and
a ``Gap`` for everything it could not read. Collectors never raise for a source that is
merely unreachable or forbidden (that is data); they raise ``ImageyardError`` only when the
operator's own input is wrong (a file named on the command line that cannot be read).

Collectors run in registry order, so later sources (Glance, Ceph) can use what earlier ones
found (the config's ceph.conf path, the Glance endpoint). Clients are injected by the
factory that builds a collector, never created at import time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Protocol

from imageyard.model.gap import SourceStatus
from imageyard.model.inventory import Inventory


class Progress(Protocol):
    """Where collectors report what they are doing (a rich progress bar, or nothing)."""

    def start(self, source: str, total: int | None = None) -> None: ...

    def advance(self, source: str, amount: int = 1) -> None: ...

    def done(self, source: str, status: SourceStatus) -> None: ...


class Collector(Protocol):
    """One source of facts."""

    @property
    def name(self) -> str:
        """The source name used in SourceStatus and Gap records."""
        ...

    def collect(self, inventory: Inventory, progress: Progress) -> Inventory:
        """Return ``inventory`` with this source's records, status and gaps added."""
        ...


class NullProgress:
    """A Progress that shows nothing (tests, ``--quiet``)."""

    def start(self, source: str, total: int | None = None) -> None:
        return None

    def advance(self, source: str, amount: int = 1) -> None:
        return None

    def done(self, source: str, status: SourceStatus) -> None:
        return None


@dataclass(frozen=True)
class Timed:
    """A collector wrapped so its wall time lands in its SourceStatus."""

    inner: Collector

    @property
    def name(self) -> str:
        return self.inner.name

    def collect(self, inventory: Inventory, progress: Progress) -> Inventory:
        t0 = time.monotonic()
        result = self.inner.collect(inventory, progress)
        seconds = round(time.monotonic() - t0, 3)
        sources = tuple(
            replace(s, seconds=seconds) if s.source == self.name and not s.seconds else s
            for s in result.sources
        )
        return replace(result, sources=sources)


def run_collectors(
    collectors: Iterable[Collector],
    inventory: Inventory,
    progress: Progress | None = None,
) -> Inventory:
    """Run each collector in turn over the growing inventory."""
    shown = progress or NullProgress()
    for collector in collectors:
        inventory = Timed(collector).collect(inventory, shown)
    return inventory


CollectorFactory = Callable[..., Collector]
