"""What a summary says about an inventory's images, counted in one pass.

Concepts: a summary (``show``, the end of ``collect``) needs, of the images, only how many
there are, how many of each disk format and status, and how many each owner has. An
``ImageTally`` is those counts, added a batch at a time in the images' order (ties in
``Counter.most_common`` keep first-seen order, so the summary reads the same whichever way
the images came), together with the ids in that order, for the check that no id repeats.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Protocol

_ID = attrgetter("id")
_OWNER = attrgetter("owner")
_STATUS = attrgetter("status")
_FORMAT = attrgetter("disk_format")


class Tallied(Protocol):
    """The fields of an image a tally reads (an ``Image`` or its mirror)."""

    @property
    def id(self) -> str: ...

    @property
    def disk_format(self) -> str | None: ...

    @property
    def status(self) -> str: ...

    @property
    def owner(self) -> str | None: ...


@dataclass
class ImageTally:
    """The images' disk formats, statuses, owners and ids, counted in their order."""

    disk_formats: Counter[str | None] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    owners: Counter[str | None] = field(default_factory=Counter)
    ids: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, images: Iterable[Tallied]) -> ImageTally:
        """The tally of ``images``."""
        tally = cls()
        tally.add(list(images))
        return tally

    @property
    def count(self) -> int:
        """How many images were tallied."""
        return len(self.ids)

    @property
    def formats(self) -> Counter[str]:
        """How many images have each disk format, ``?`` for none, in first-seen order."""
        formats: Counter[str] = Counter()
        for disk_format, n in self.disk_formats.items():
            formats[disk_format or "?"] += n
        return formats

    def add(self, images: list[Tallied]) -> None:
        """Count a batch of ``images`` (after every batch before it)."""
        self.ids += map(_ID, images)
        self.disk_formats.update(map(_FORMAT, images))
        self.statuses.update(map(_STATUS, images))
        self.owners.update(map(_OWNER, images))
