"""Findings and unknowns whose fields are written when read, read like plain ones.

Concepts: a rule that reports per image makes tens of thousands of results, and most
reports read only a few of their fields (the table groups them by cause and shows a few
resources). A written result keeps only what it is made from (its image, the part it
shares with others of its kind) and writes each field from it every time it is read, so
a result costs no text until one is read. ``WrittenFinding`` and ``WrittenUnknown`` give
such a subclass what makes it read like the plain dataclass: equal to (and hashed as) the
plain result of the same fields, pickled and deep-copied as that plain result, and copied
by ``dataclasses.replace`` (a mute) into one. A subclass declares its ``__slots__``, a
constructor that sets them with ``object.__setattr__``, and a property per field it writes.
``ImageFinding`` reads what a finding about one image shares with its shape (its rule,
severity, confidence, cause, resource and sort text) from the shape and the image;
``OfImage`` is the part of that a finding and an unknown about one image both read (an
unknown's shape is what it shares with others: its rule and cause); ``own_facts`` gives a
writer the texts of such a finding's citations (facts about its image) as its own strings.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar

from imageyard.model.finding import Confidence, Evidence, Finding, Resource, Severity, Unknown
from imageyard.model.image import Image

if TYPE_CHECKING:
    from imageyard.audit.rule import RuleMeta


class WrittenFinding(Finding):
    """A Finding whose fields a subclass writes when they are read."""

    __slots__ = ()

    # NOTE: dataclasses.replace calls the class with every field: that makes a plain Finding
    def __new__(cls, *args: Any, **kwargs: Any) -> Finding:  # type: ignore[misc]
        return Finding(*args, **kwargs)

    def plain(self) -> Finding:
        """A plain Finding with every field as read."""
        return Finding(*(getattr(self, f.name) for f in dataclasses.fields(Finding)))

    def __reduce__(self) -> tuple[type[Finding], tuple[object, ...]]:
        return (Finding, tuple(getattr(self, f.name) for f in dataclasses.fields(Finding)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Finding):
            return NotImplemented
        return self.plain() == (other.plain() if isinstance(other, WrittenFinding) else other)

    __hash__ = Finding.__hash__


class WrittenUnknown(Unknown):
    """An Unknown whose fields a subclass writes when they are read."""

    __slots__ = ()

    # NOTE: dataclasses.replace calls the class with every field: that makes a plain Unknown
    def __new__(cls, *args: Any, **kwargs: Any) -> Unknown:  # type: ignore[misc]
        return Unknown(*args, **kwargs)

    def plain(self) -> Unknown:
        """A plain Unknown with every field as read."""
        return Unknown(*(getattr(self, f.name) for f in dataclasses.fields(Unknown)))

    def __reduce__(self) -> tuple[type[Unknown], tuple[object, ...]]:
        return (Unknown, tuple(getattr(self, f.name) for f in dataclasses.fields(Unknown)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Unknown):
            return NotImplemented
        return self.plain() == (other.plain() if isinstance(other, WrittenUnknown) else other)

    __hash__ = Unknown.__hash__


# NOTE: ``Finding.own_written``'s citations: each with whether its text is the finding's own
Cited = tuple[tuple[Evidence, bool], ...]


def facts(count: int) -> Cited:
    """The citations of findings whose ``count`` citations are facts of their own (no
    path, no line): each text is the finding's own."""
    return ((Evidence.fact(""), True),) * count


def own_facts(
    finding: Finding, cited: Cited
) -> tuple[tuple[str, ...] | None, Cited | None, list[Any]]:
    """``finding.own_written()`` with ``cited`` (``facts``) as its citations: their texts
    after its action's strings; its evidence list whole (None) when it is not such facts."""
    names, strings = finding.own_strings()
    evidence = finding.evidence
    filed = any(e.path is not None or e.line is not None for e in evidence)
    if filed or len(evidence) != len(cited):
        return names, None, strings
    at = len(strings) - 3  # NOTE: message, remediation and sort text follow the citations
    strings[at:at] = [e.text for e in evidence]
    return names, cited, strings


class RuleShape(Protocol):
    """What the findings of one rule and cause share: the rule, and the cause."""

    @property
    def meta(self) -> RuleMeta: ...

    @property
    def cause(self) -> str: ...


S = TypeVar("S", bound=RuleShape)


class Caused(Protocol):
    """What the results of one shape share, at least: the cause."""

    @property
    def cause(self) -> str: ...


class OfImage:
    """The resource, cause and sort text of a result about one image (``_image``), read
    from it and from its shape (``_shape``, shared with the others of its kind): listed
    before the result's class among the bases, so these are read rather than its fields
    (the subclass declares the two slots)."""

    __slots__ = ()
    _shape: Caused
    _image: Image
    # NOTE: what sets its sort text apart from another's (``audit.order``): its image's id
    # after "image ", read without writing the text
    sort_id: ClassVar[Callable[[Any], str]] = operator.attrgetter("_image.id")

    @property
    def resource(self) -> Resource:
        return Resource("image", self._image.id)

    @property
    def cause(self) -> str:
        return self._shape.cause

    @property
    def sort_text(self) -> str:
        """The resource's part of ``sort_key`` (written without a Resource)."""
        return f"image {self._image.id}"


class ImageFinding(OfImage, WrittenFinding, Generic[S]):
    """A finding about one image that shares its rule, severity, confidence and cause with
    the others of its shape: those, its resource and its sort text are read from the shape
    and the image; a subclass writes the rest (message, evidence, remediation, action)."""

    __slots__ = ("_image", "_shape")
    _shape: S
    _image: Image

    def _fill(self, shape: S, image: Image) -> None:
        object.__setattr__(self, "_shape", shape)
        object.__setattr__(self, "_image", image)

    @property
    def rule_id(self) -> str:
        return self._shape.meta.id

    @property
    def severity(self) -> Severity:
        return self._shape.meta.severity

    @property
    def confidence(self) -> Confidence:
        return self._shape.meta.confidence

    @property
    def shared_by(self) -> object | None:  # type: ignore[override]
        """The shape: every finding of it has the same rule, severity, confidence and cause."""
        return self._shape
