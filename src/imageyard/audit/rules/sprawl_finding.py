"""``community-image-sprawl`` findings, written when read.

Concepts: the rule reports every old community image that no server or volume uses; a
cloud that lets projects publish community images may have tens of thousands. Every
finding of one run shares its rule, severity, confidence, remediation and cause, the
number of community images and their count per owner (a ``SprawlShape``). A
``SprawlFinding`` keeps only its shape, its image and its age; its resource, message and
evidence are written from them each time they are read (``audit.written``), so a report
that groups findings by cause (the table) writes no text per image.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from imageyard.audit.rule import RuleMeta
from imageyard.audit.rules.cow_shape import label
from imageyard.audit.written import Cited, ImageFinding, facts, own_facts
from imageyard.model.finding import Evidence
from imageyard.model.image import Image

_CITED = facts(2)  # NOTE: for a writer: the citations' texts are each image's own


@dataclass(frozen=True, eq=False)
class SprawlShape:
    """What the findings of one run share."""

    meta: RuleMeta
    community: int  # community images in all
    per_owner: Counter[str | None]  # of them, per owner
    generated_at: str  # the snapshot's time, ages are counted to
    cause: str


class SprawlFinding(ImageFinding[SprawlShape]):
    """The finding of ``image``, ``age`` days old (one of ``shape``'s images)."""

    __slots__ = ("_age",)
    _age: int

    @classmethod
    def made(cls, shape: SprawlShape, image: Image, age: int) -> SprawlFinding:
        """The finding of ``image`` in ``shape``."""
        finding = object.__new__(cls)
        finding._fill(shape, image)
        object.__setattr__(finding, "_age", age)
        return finding

    @property
    def message(self) -> str:
        image, shape = self._image, self._shape
        return (
            f"community image {label(image)} is {self._age} days old and no server or volume "
            f"uses it ({shape.community} community images in all, "
            f"{shape.per_owner[image.owner]} of project {image.owner})"
        )

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        image = self._image
        return (
            Evidence.fact(f"image {image.id}: visibility community, created {image.created_at}"),
            Evidence.fact(f"snapshot taken {self._shape.generated_at}"),
        )

    @property
    def remediation(self) -> str:
        return self._shape.meta.remediation

    def own_written(self) -> tuple[tuple[str, ...] | None, Cited | None, list[Any]]:
        return own_facts(self, _CITED)
