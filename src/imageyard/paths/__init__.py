"""The ``paths`` stage: every image on every consumer, the path it takes and why.

Concepts: ``build_paths(inv)`` returns a ``PathsReport`` over ``audit.cow.verdicts`` (each
verdict decided once per inventory, by ``boot_path``) for every image and every consumer
(rbd and non-rbd Nova computes, Cinder RBD backends). The report decides as it is read:
``rows()`` yields one ``PathRow`` per image x consumer, in consumer then image order, and
keeps none of them (a verdict another stage already decided is taken from the table), so
a walk over a catalog of any size holds one row at a time. Each consumer's
``ConsumerSummary`` (how many *bootable*, i.e. active, images it clones) is tallied on the
first full walk over its rows. ``decided_of(consumer)`` is the same walk without the rows:
each image with the ``Form`` its class shares (the image's verdict is that form with the
image's values, ``VerdictTable.values``) or, for an image decided on its own, its verdict;
a writer that renders each form once and fills in each image's values walks it.
``render.FORMATS`` turns the report into a table grouped by path and cause (its size does
not grow with the image count), JSON or CSV (every row), each written chunk by chunk.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from imageyard.audit.cow import BootPath, Consumer, Verdict, VerdictTable, verdicts
from imageyard.audit.cow.trace import Form
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.steps import NO_STEPS, Steps

STEP = 4096  # rows per progress update
Decided = Form | Verdict  # an image's form shared with its class, or its own verdict


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
    """The paths of every image on ``consumers``, decided as ``rows()`` reads them."""

    table: VerdictTable
    consumers: tuple[Consumer, ...]
    steps: Steps = NO_STEPS
    _tallied: dict[int, ConsumerSummary] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def images(self) -> int:
        """How many images the inventory holds."""
        return len(self.table.inv.images)

    def decided_of(self, consumer: Consumer) -> Iterator[tuple[Image, Decided]]:
        """Each image with ``consumer``'s decision (see the module docstring), in image
        order; the full walk tallies it."""
        table, counts = self.table, Counter[BootPath]()
        for n, (image, form) in enumerate(table.forms(table.inv.images, consumer), 1):
            decided = form if form is not None else self.verdict(image, consumer)
            counts[decided.path] += 1
            yield image, decided
            if n % STEP == 0:
                self.steps.advance(STEP)
        self.steps.advance(self.images % STEP)
        self._tallied[id(consumer)] = _summary(consumer, counts)

    def rows_of(self, consumer: Consumer) -> Iterator[PathRow]:
        """``consumer``'s row of each image, in image order; the full walk tallies it."""
        for image, decided in self.decided_of(consumer):
            verdict = decided if isinstance(decided, Verdict) else self.verdict(image, consumer)
            yield PathRow(image, consumer, verdict)

    def verdict(self, image: Image, consumer: Consumer) -> Verdict:
        """``image``'s verdict on ``consumer`` (kept nowhere)."""
        return self.table.of(image, consumer, keep=False)

    def rows(self) -> Iterator[PathRow]:
        """Every row, in consumer then image order."""
        for consumer in self.consumers:
            yield from self.rows_of(consumer)

    def summary(self, consumer: Consumer) -> ConsumerSummary:
        """``consumer``'s summary (walking its rows now if no walk tallied it yet)."""
        if id(consumer) not in self._tallied:
            for _row in self.rows_of(consumer):
                pass
        return self._tallied[id(consumer)]

    @property
    def summaries(self) -> tuple[ConsumerSummary, ...]:
        """One summary per consumer, in consumer order."""
        return tuple(self.summary(c) for c in self.consumers)


def _summary(consumer: Consumer, counts: Counter[BootPath]) -> ConsumerSummary:
    return ConsumerSummary(
        consumer=consumer,
        bootable=counts.total() - counts[BootPath.REFUSED],
        clones=counts[BootPath.CLONE],
        by_path=tuple((p, counts[p]) for p in BootPath if counts[p]),
    )


def build_paths(
    inv: Inventory, *, consumer: str | None = None, steps: Steps = NO_STEPS
) -> PathsReport:
    """The paths of every image on every consumer (or only the one named ``consumer``);
    ``steps`` hears of the rows as they are decided."""
    table = verdicts(inv)
    chosen = tuple(c for c in table.consumers if consumer is None or c.name == consumer)
    return PathsReport(table=table, consumers=chosen, steps=steps)


__all__ = ["ConsumerSummary", "Decided", "PathRow", "PathsReport", "build_paths"]
