"""The ``paths`` stage: every image on every consumer, the path it takes and why.

Concepts: ``build_paths(inv)`` reads ``audit.cow.verdicts`` (each verdict decided once per
inventory, by ``boot_path``) for every image and every consumer (rbd and non-rbd Nova
computes, Cinder RBD backends) and returns a ``PathsReport``: one ``PathRow`` per image x
consumer and one ``ConsumerSummary`` per consumer (how many *bootable*, i.e. active,
images it clones). ``render.FORMATS`` turns the report into a
table grouped by path and cause (its size does not grow with the image count), JSON or CSV
(every row).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from imageyard.audit.cow import BootPath, Consumer, Verdict, verdicts
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.steps import NO_STEPS, Steps


@dataclass(frozen=True)
class PathRow:
    """One image on one consumer."""

    image: Image
    consumer: Consumer
    verdict: Verdict


@dataclass(frozen=True)
class ConsumerSummary:
    """How one consumer treats the catalog: ``clones`` of ``bootable`` images clone."""

    consumer: Consumer
    bootable: int
    clones: int
    by_path: tuple[tuple[BootPath, int], ...]

    @property
    def line(self) -> str:
        """``N of M bootable images clone on <consumer>``."""
        return f"{self.clones} of {self.bootable} bootable images clone on {self.consumer.name}"


@dataclass(frozen=True)
class PathsReport:
    """Every row, and the per-consumer summaries, in consumer then image order."""

    rows: tuple[PathRow, ...]
    summaries: tuple[ConsumerSummary, ...]
    images: int


def _summary(consumer: Consumer, rows: list[PathRow]) -> ConsumerSummary:
    counts = Counter(r.verdict.path for r in rows)
    bootable = sum(1 for r in rows if r.verdict.path is not BootPath.REFUSED)
    return ConsumerSummary(
        consumer=consumer,
        bootable=bootable,
        clones=counts[BootPath.CLONE],
        by_path=tuple((p, counts[p]) for p in BootPath if counts[p]),
    )


def build_paths(
    inv: Inventory, *, consumer: str | None = None, steps: Steps = NO_STEPS
) -> PathsReport:
    """The paths of every image on every consumer (or only the one named ``consumer``);
    ``steps`` hears of each consumer's images done."""
    rows: list[PathRow] = []
    summaries: list[ConsumerSummary] = []
    table = verdicts(inv)
    for c in table.consumers:
        if consumer is not None and c.name != consumer:
            continue
        mine = [PathRow(image, c, table.of(image, c)) for image in inv.images]
        rows += mine
        summaries.append(_summary(c, mine))
        steps.advance(len(mine))
    return PathsReport(rows=tuple(rows), summaries=tuple(summaries), images=len(inv.images))


__all__ = ["ConsumerSummary", "PathRow", "PathsReport", "build_paths"]
