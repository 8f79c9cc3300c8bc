"""The values a boot-path decision produces: ``BootPath``, ``Verdict`` and the running ``Trace``.

Concepts: a ``Verdict`` is the path one consumer takes with one image, the ``location`` it
cloned from (or failed on), the copy target ``store``, the ordered ``reasons`` (each citing
the upstream code it restates), a ``confidence`` and the ``notes`` that lowered it. A
``Trace`` accumulates those while the decision is replayed and ends in ``done``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from imageyard.audit.cow.consumers import Consumer
from imageyard.model.finding import Confidence, Evidence
from imageyard.model.image import Image

GIB = 1 << 30


class BootPath(enum.StrEnum):
    """What a consumer does with an image when it needs a disk from it.

    ``error``: the driver raises and the boot or volume creation fails (no fallback);
    ``refused``: the Nova or Cinder API refuses the request before any driver code runs.
    """

    CLONE = "clone"
    COPY_TO_STORE = "copy-to-store-then-clone"
    DOWNLOAD_CONVERT = "download-convert-import"
    DOWNLOAD = "download"
    ERROR = "error"
    REFUSED = "refused"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Verdict:
    """The boot path of one image on one consumer, with the reasons in decision order.

    ``location`` is the URL cloned from (clone) or the one the driver failed on (error);
    ``store`` the copy target (copy-to-store-then-clone); ``notes`` are the caveats that
    lowered ``confidence``; ``cause`` is a short slug of the decisive condition (``not-raw``,
    ``missing-pool`` ...) that reports group by.
    """

    image_id: str
    consumer: str
    path: BootPath
    reasons: tuple[str, ...]
    confidence: Confidence
    evidence: tuple[Evidence, ...] = ()
    notes: tuple[str, ...] = ()
    location: str | None = None
    store: str | None = None
    cause: str = ""

    @property
    def first_reason(self) -> str:
        """The first reason (the decisive one for a non-clone path)."""
        return self.reasons[0] if self.reasons else ""

    @property
    def last_reason(self) -> str:
        """The last reason (what finally decided the path)."""
        return self.reasons[-1] if self.reasons else ""


_RANK = {Confidence.LOW: 0, Confidence.MEDIUM: 1, Confidence.HIGH: 2}


@dataclass
class Trace:
    """What one boot_path call accumulates on its way to a verdict."""

    image: Image
    consumer: Consumer
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    confidence: Confidence = Confidence.HIGH
    cause: str = ""

    def add(self, reason: str, cause: str) -> None:
        """Append ``reason``; the first cause given is the verdict's (a short slug)."""
        self.reasons.append(reason)
        self.cause = self.cause or cause

    def lower(self, to: Confidence, note: str) -> None:
        """Add ``note`` and lower the confidence to ``to`` (never raise it)."""
        if note not in self.notes:
            self.notes.append(note)
        if _RANK[to] < _RANK[self.confidence]:
            self.confidence = to

    def done(self, path: BootPath, **extra: str | None) -> Verdict:
        """The verdict so far, ending in ``path``."""
        return Verdict(
            image_id=self.image.id,
            consumer=self.consumer.name,
            path=path,
            reasons=tuple(self.reasons),
            confidence=self.confidence,
            evidence=self._distinct_evidence(),
            notes=tuple(self.notes),
            location=extra.get("location"),
            store=extra.get("store"),
            cause=extra.get("cause") or self.cause or path.value,
        )

    def _distinct_evidence(self) -> tuple[Evidence, ...]:
        """The consumer's evidence, then this trace's own, each item once in first order."""
        base, mine = self.consumer.distinct_evidence, self.consumer.evidence_set
        if not self.evidence:
            return base
        return base + tuple(e for e in dict.fromkeys(self.evidence) if e not in mine)

    def unknown(self, reason: str, cause: str = "input-missing") -> Verdict:
        """An ``unknown`` verdict naming the missing input."""
        self.reasons.append(reason)
        return self.done(BootPath.UNKNOWN, cause=cause)

    def error(self, reason: str, location: str, cause: str) -> Verdict:
        """An ``error`` verdict: the driver raises at ``location``."""
        self.reasons.append(reason)
        return self.done(BootPath.ERROR, location=location, cause=cause)


def gib(size: int | None) -> str:
    """Bytes as ``1.50 GiB`` or ``6.0 MiB`` (``an unknown size`` when None)."""
    if size is None:
        return "an unknown size"
    return f"{size / GIB:.2f} GiB" if size >= GIB else f"{size / (1 << 20):.1f} MiB"
