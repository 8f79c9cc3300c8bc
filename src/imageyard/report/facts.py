"""Low-cardinality figures of one snapshot: what metrics print, diff compares, cards show.

Concepts: ``facts(results)`` counts images and bytes per store and per format and
visibility, the share of bootable images each consumer clones, unmuted findings per rule
and severity, reclaimable bytes per class, and each source's collection time, items and
gaps. Every row is keyed by a few words, never by an image, and sorted, so two snapshots'
figures line up row by row. An image's bytes are its ``size`` (unknown sizes count 0); an
image in two stores counts in both.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from imageyard.model.finding import Status
from imageyard.model.image import Image
from imageyard.report.results import Results

NO_STORE = "(none)"
NO_FORMAT = "(none)"


@dataclass(frozen=True)
class Tally:
    """Images and their bytes under one key."""

    key: tuple[str, ...]
    images: int
    bytes: int


@dataclass(frozen=True)
class CloneShare:
    """How many of a consumer's bootable images clone."""

    consumer: str
    kind: str
    bootable: int
    clones: int

    @property
    def share(self) -> float:
        """clones / bootable (0 when nothing is bootable)."""
        return self.clones / self.bootable if self.bootable else 0.0


@dataclass(frozen=True)
class SourceFigure:
    """One collection source: complete or not, seconds, items, gaps."""

    source: str
    complete: bool
    seconds: float
    items: int
    gaps: int


@dataclass(frozen=True)
class Facts:
    """A snapshot's figures, every tuple sorted by key."""

    generated_at: str
    images: int
    bytes: int
    by_store: tuple[Tally, ...]
    by_format: tuple[Tally, ...]  # key: disk format, visibility
    clone_shares: tuple[CloneShare, ...]
    findings: tuple[tuple[str, str, int], ...] | None  # rule, severity, count; None: no audit
    reclaimable: tuple[tuple[str, int], ...]  # class, bytes
    sources: tuple[SourceFigure, ...]

    @property
    def reclaimable_bytes(self) -> int:
        """Bytes reclaimable over every class."""
        return sum(b for _, b in self.reclaimable)


def human_bytes(n: float) -> str:
    """1536 -> ``1.5 KiB``."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} PiB"  # pragma: no cover


def _tally(pairs: list[tuple[tuple[str, ...], int]]) -> tuple[Tally, ...]:
    images: Counter[tuple[str, ...]] = Counter()
    sizes: Counter[tuple[str, ...]] = Counter()
    for key, size in pairs:
        images[key] += 1
        sizes[key] += size
    return tuple(Tally(k, images[k], sizes[k]) for k in sorted(images))


def _store_pairs(images: tuple[Image, ...]) -> list[tuple[tuple[str, ...], int]]:
    return [((s,), i.size or 0) for i in images for s in (i.stores or (NO_STORE,))]


def _format_pairs(images: tuple[Image, ...]) -> list[tuple[tuple[str, ...], int]]:
    return [((i.disk_format or NO_FORMAT, i.visibility), i.size or 0) for i in images]


def _findings(results: Results) -> tuple[tuple[str, str, int], ...] | None:
    if results.audit is None:
        return None
    fails = results.audit.findings + results.reclaim.findings
    counts = Counter((f.rule_id, f.severity) for f in fails if f.status is Status.FAIL)
    # NOTE: counted by member (an enum's .value is a descriptor call), named once per key
    return tuple(sorted((r, s.value, n) for (r, s), n in counts.items()))


def _sources(results: Results) -> tuple[SourceFigure, ...]:
    inv = results.inventory
    gaps = Counter(g.source for g in inv.gaps)
    rows = [
        SourceFigure(s.source, s.complete, s.seconds, s.items, gaps[s.source]) for s in inv.sources
    ]
    return tuple(sorted(rows, key=lambda r: r.source))


def facts(results: Results) -> Facts:
    """The figures of one snapshot and its results."""
    inv = results.inventory
    shares = [
        CloneShare(s.consumer.name, str(s.consumer.kind), s.bootable, s.clones)
        for s in results.paths.summaries
    ]
    totals = [t for t in results.reclaim.totals if t.kind == "class"]
    return Facts(
        generated_at=inv.generated_at,
        images=len(inv.images),
        bytes=sum(i.size or 0 for i in inv.images),
        by_store=_tally(_store_pairs(inv.images)),
        by_format=_tally(_format_pairs(inv.images)),
        clone_shares=tuple(sorted(shares, key=lambda c: c.consumer)),
        findings=_findings(results),
        reclaimable=tuple(sorted((t.name, t.reclaimable) for t in totals)),
        sources=_sources(results),
    )
