"""Every image's boot path on every consumer, decided once per inventory.

Concepts: audit's ``cow-not-eligible`` rule, the ``paths`` stage and design's boot tally
ask the same question (``boot_path(image, consumer, inv)``) about the same images and
consumers. ``verdicts(inv)`` is its one owner: a ``VerdictTable`` kept with the inventory
(``Inventory.derived``), holding the consumers (``consumers(inv)``, derived once).
Images that take the same branches share one decision per consumer (``classes``), made on
the first request for any of them; a request for one of them, from whichever stage, is
answered with that decision and the image's own values (read when its texts are read), so
nothing is kept per image and consumer. A verdict of a class decided image by image is
kept in the table on its first request. The inventory is immutable, so nothing goes stale.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from imageyard.audit.cow.classes import Classes, Numbered
from imageyard.audit.cow.consumers import Consumer, consumers
from imageyard.audit.cow.trace import BootPath, Form, Reads, Verdict
from imageyard.audit.cow.verdict import boot_path
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory


@dataclass(frozen=True)
class VerdictTable:
    """The consumers of one inventory and the verdicts decided so far."""

    inv: Inventory
    consumers: tuple[Consumer, ...]
    _decided: dict[int, dict[str, Verdict]] = field(  # of classes decided image by image
        default_factory=dict, init=False, repr=False, compare=False
    )
    _classes: Classes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # NOTE: keyed by the consumer object (its id), one dict of verdicts per consumer;
        # a consumer that is not one of this table's is decided each time, never stored
        for consumer in self.consumers:
            self._decided[id(consumer)] = {}
        object.__setattr__(self, "_classes", Classes(self.inv))

    @property
    def rbd_consumers(self) -> tuple[Consumer, ...]:
        """The consumers that use rbd (the ones that can clone)."""
        return tuple(c for c in self.consumers if c.rbd)

    def form(self, image: Image, consumer: Consumer) -> Form | None:
        """The form ``image`` shares with its class on ``consumer`` (its verdict is that
        form with its own values); None when its class is decided image by image, or the
        consumer is not one of this table's: then ask ``of``."""
        if id(consumer) not in self._decided:
            return None
        return self._classes.form(image, consumer)

    def forms(
        self, images: Iterable[Image], consumer: Consumer
    ) -> Iterator[tuple[Image, Form | None]]:
        """Each of ``images`` with ``form(image, consumer)`` (one walk over a catalog)."""
        if id(consumer) not in self._decided:
            return ((image, None) for image in images)
        return self._classes.forms_of(images, consumer)

    def numbered(self, images: Iterable[Image]) -> Numbered:
        """``images`` with their class numbers and each class's first image: a walk that
        asks ``form`` of each class's first image only, and gives it to every member."""
        return self._classes.numbered(images)

    def values(self, image: Image, reads: Reads | None = None) -> tuple[str, ...]:
        """``image``'s values in the slots of its class's forms (``trace.slot_values``;
        ``reads``: only those)."""
        return self._classes.values(image, reads)

    def path(self, image: Image, consumer: Consumer) -> BootPath:
        """``of(image, consumer).path`` (no verdict is made for an image of a shared class)."""
        form = self.form(image, consumer)
        return form.path if form is not None else self.of(image, consumer).path

    def of(self, image: Image, consumer: Consumer, *, keep: bool = True) -> Verdict:
        """``boot_path(image, consumer, inv)``, decided once per class (see the module
        docstring); ``keep=False`` does not keep the verdict of a class decided image by
        image (a single walk over every image, such as ``paths``, needs each once)."""
        decided = self._decided.get(id(consumer))
        if decided is None:
            return boot_path(image, consumer, self.inv)
        verdict = decided.get(image.id)
        if verdict is None:
            verdict = self._classes.verdict(image, consumer)
            if keep and not verdict.shared:
                decided[image.id] = verdict
        return verdict


def verdicts(inv: Inventory) -> VerdictTable:
    """The verdict table of ``inv``, made on first use and kept with it."""
    return inv.derived("cow.verdicts", lambda: VerdictTable(inv, consumers(inv)))
