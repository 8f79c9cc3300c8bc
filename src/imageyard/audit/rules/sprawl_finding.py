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

    def own_written_from(self, values: tuple[str, ...]) -> tuple[None, Cited, list[Any]]:
        """``Finding.own_written`` of the finding whose ``own_values`` are ``values``
        (``model.finding.Pattern``: each value put in as it is)."""
        image_id, label, age, owned, owner, created = values
        return (
            None,
            _CITED,
            [
                *_evidence_texts(image_id, created, self.generated_at),
                _message(self.community, image_id, label, age, owned, owner),
                self.meta.remediation,
                f"image {image_id}",
            ],
        )


def _evidence_texts(image_id: str, created: str, generated_at: str) -> tuple[str, str]:
    return (
        f"image {image_id}: visibility community, created {created}",
        f"snapshot taken {generated_at}",
    )


def _message(community: int, image_id: str, label: str, age: str, owned: str, owner: str) -> str:
    return (
        f"community image {image_id} ({label}) is {age} days old and no server or volume "
        f"uses it ({community} community images in all, {owned} of project {owner})"
    )


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
        return _message(
            shape.community,
            image.id,
            image.name or "unnamed",
            f"{self._age}",
            f"{shape.per_owner[image.owner]}",
            f"{image.owner}",
        )

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        image = self._image
        texts = _evidence_texts(image.id, f"{image.created_at}", self._shape.generated_at)
        return tuple(map(Evidence.fact, texts))

    @property
    def remediation(self) -> str:
        return self._shape.meta.remediation

    def own_written(self) -> tuple[tuple[str, ...] | None, Cited | None, list[Any]]:
        return own_facts(self, _CITED)

    def own_values(self) -> tuple[SprawlShape, tuple[str, ...]] | None:
        if type(self) is not SprawlFinding:
            return None  # NOTE: a subclass may write its fields otherwise
        image, shape = self._image, self._shape
        owner = image.owner
        return shape, (
            image.id,
            image.name or "unnamed",
            f"{self._age}",
            f"{shape.per_owner[owner]}",
            f"{owner}",
            f"{image.created_at}",
        )
